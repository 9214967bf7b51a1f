"""Build small migration histories from SQL text and run rules over them.

A history text is split at lines ``-- migration`` (numbered files 0001_a.sql,
0002_b.sql, ...) or ``-- migration: NAME.sql`` (a file with that name). Statements
before the first marker form the first migration.
"""

from __future__ import annotations

import re
from pathlib import Path

from migrate_lint.config import Config
from migrate_lint.engine import Rule, run_rules
from migrate_lint.findings import Finding
from migrate_lint.pipeline import load_timeline

_MARKER = re.compile(r"^--\s*migration(?::\s*(?P<name>\S+))?\s*$")


def write_history(text: str, root: Path) -> list[Path]:
    """Write ``text`` as migration files under ``root``; return them in order."""
    root.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines():
        match = _MARKER.match(line.strip())
        if match:
            files.append((match.group("name"), []))
        else:
            files[-1][1].append(line)
    written: list[Path] = []
    number = 0
    for name, lines in files:
        if name is None and not any(line.strip() for line in lines):
            continue
        number += 1
        path = root / (name or f"{number:04d}_{'abcdefghijklmnopqrstuvwxyz'[number - 1]}.sql")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def run(text: str, root: Path, rules: list[type[Rule]], config: Config | None = None
        ) -> list[Finding]:
    """Findings of ``rules`` on the history ``text`` written under ``root``."""
    write_history(text, root)
    timeline = load_timeline(root)
    return run_rules(timeline, config or Config(), rules)
