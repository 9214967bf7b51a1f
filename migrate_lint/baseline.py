"""Baselines: accept the findings a history already has, without editing released files.

A finding's fingerprint is what stays the same when lines move: its code, the version
of the migration it sits in, a hash of its statement with whitespace collapsed, and a
hash of the exact text it points at (two findings of one rule in one statement differ
there). A comment added above a statement, or a statement inserted before it, changes
no fingerprint; editing the statement does, and the finding is new again.

The baseline file is JSON (``version``, then ``findings``: fingerprint, code, path and
migration, the last two only for people reading it). Entries are counted, so two
identical findings need two entries.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from migrate_lint.errors import MigrateLintError
from migrate_lint.findings import Finding
from migrate_lint.realpaths import real, reals
from migrate_lint.span import split_lines
from migrate_lint.values import value_class

if TYPE_CHECKING:  # results are read and baselines applied without the model
    from migrate_lint.history import History, Migration

FORMAT_VERSION = 1
DEFAULT_FILE = ".migrate-lint-baseline.json"
_SPACE = re.compile(r"\s+")


@value_class
class Entry:
    """One accepted finding."""

    fingerprint: str
    code: str
    path: str = ""
    migration: str = ""


@value_class
class Outcome:
    """Findings left after a baseline, and what it hid or no longer matches."""

    kept: tuple[Finding, ...]
    hidden: int
    stale: tuple[Entry, ...]


def normalise(text: str) -> str:
    """Whitespace runs collapsed to one space, ends stripped.

    >>> normalise("ALTER TABLE t\\n\\tADD c int ;")
    'ALTER TABLE t ADD c int ;'
    """
    return _SPACE.sub(" ", text).strip()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


@value_class
class _Placed:
    """Statements of one file, sorted by start offset, with their migration versions."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    texts: tuple[str, ...]
    versions: tuple[str, ...]
    file_version: str


class Fingerprinter:
    """Fingerprints for the findings of one history (and of files outside it)."""

    def __init__(self, history: History | None, texts: dict[str, str], base: str,
                 known: Mapping[str, str] | None = None) -> None:
        """``known``: real paths of the history's files, by spelling, when the caller
        resolved them already."""
        self._texts = texts
        self._base = base
        # realpath once per file, not once per finding
        self._keys: dict[str, str] = dict(known) if known else {}
        # The migrations that hold each file (by key); a file's statements are placed
        # only when one of its findings is fingerprinted, as most files have none.
        self._holders: dict[str, list[Migration]] = {}
        self._files: dict[str, _Placed | None] = {}
        # indexed at the first finding: a run without findings (fix's lint of its
        # corrected history, as a rule) reads none of a 100,000-file history's files
        self._unindexed = history

    def _index(self) -> None:
        history, self._unindexed = self._unindexed, None
        if history is None:
            return
        self._keys.update(reals(p for migration in history.migrations
                                for script in (migration.up, migration.down) if script
                                for p in script.paths if p not in self._keys))
        for migration in history.migrations:
            scripts = [migration.up] + ([migration.down] if migration.down else [])
            for path in {p for script in scripts for p in script.paths}:
                self._holders.setdefault(self._key(path), []).append(migration)

    def _key(self, path: str) -> str:
        found = self._keys.get(path)
        if found is None:
            found = self._keys[path] = _key(path)
        return found

    def _placed(self, key: str) -> _Placed | None:
        """The statements of the file ``key``, in order, with their versions."""
        if key in self._files:
            return self._files[key]
        holders = self._holders.get(key)
        placed = None
        if holders:
            rows = sorted(
                (stmt.span.start, stmt.span.end, stmt.text, migration.version)
                for migration in holders
                for script in ([migration.up] + ([migration.down] if migration.down else []))
                for stmt in script.statements if self._key(stmt.span.path) == key)
            placed = _Placed(tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                             tuple(r[2] for r in rows), tuple(r[3] for r in rows),
                             holders[0].version)
        self._files[key] = placed
        return placed

    def fingerprint(self, finding: Finding) -> str:
        """The line-independent fingerprint of ``finding``."""
        if self._unindexed is not None:
            self._index()
        span = finding.span
        text = self._texts.get(span.path, "")
        focus = normalise(text[span.start:span.end]) if text else ""
        placed = self._placed(self._key(span.path))
        if placed is None:
            # Outside the history (an insert site in application code): the file, as
            # spelled from the baseline's directory, stands in for the migration.
            where = _relative(span.path, self._base)
            lines = split_lines(text)  # numbered as spans number them
            line = lines[span.line - 1] if span.line <= len(lines) else ""
            return _digest(finding.code, where, normalise(line), focus)
        index = bisect.bisect_right(placed.starts, span.start) - 1
        if index >= 0 and span.start < placed.ends[index]:
            return _digest(finding.code, placed.versions[index],
                           normalise(placed.texts[index]), focus)
        return _digest(finding.code, placed.file_version, "", focus or finding.name)

    def stamp(self, findings: Iterable[Finding]) -> list[Finding]:
        """``findings`` with their fingerprints filled in."""
        return [self.stamp_one(f) for f in findings]

    def stamp_one(self, finding: Finding) -> Finding:
        """``finding`` with its fingerprint filled in."""
        return replace(finding, fingerprint=self.fingerprint(finding))


def _key(path: str) -> str:
    return real(path)


def _relative(path: str, base: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(path), base)
    except ValueError:  # pragma: no cover - another drive on Windows
        return path.replace("\\", "/")
    return rel.replace("\\", "/")


# --- the file -------------------------------------------------------------------------


def entries_for(findings: Sequence[Finding], base: str) -> tuple[Entry, ...]:
    """Baseline entries for ``findings`` (already fingerprinted), paths relative to ``base``."""
    return tuple(Entry(f.fingerprint, f.code, _relative(f.path, base), f.migration or "")
                 for f in findings)


def dump(entries: Sequence[Entry]) -> str:
    """The baseline file's text: sorted, so regenerating it gives a small diff."""
    rows = sorted(entries, key=lambda e: (e.path, e.code, e.fingerprint))
    payload = {
        "version": FORMAT_VERSION,
        "findings": [{"fingerprint": e.fingerprint, "code": e.code, "path": e.path,
                      "migration": e.migration} for e in rows],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def load(file: str) -> tuple[Entry, ...]:
    """Read a baseline file; a missing or malformed one is an error naming the file."""
    try:
        with open(file, encoding="utf-8") as handle:
            data: Any = json.load(handle)
    except FileNotFoundError:
        raise MigrateLintError(
            f"{file}: no such baseline file (write one with `migrate-lint baseline`)"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise MigrateLintError(f"{file}: cannot read baseline ({err})") from None
    except json.JSONDecodeError as err:
        raise MigrateLintError(f"{file}: baseline is not valid JSON ({err})") from None
    rows = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(rows, list) or data.get("version") != FORMAT_VERSION:
        raise MigrateLintError(
            f"{file}: not a migrate-lint baseline (version {FORMAT_VERSION} with a "
            "`findings` list); regenerate it with `migrate-lint baseline`"
        )
    out = []
    for row in rows:
        if not (isinstance(row, dict) and isinstance(row.get("fingerprint"), str)
                and isinstance(row.get("code"), str)):
            raise MigrateLintError(f"{file}: baseline entry without fingerprint and code: {row}")
        out.append(Entry(row["fingerprint"], row["code"], str(row.get("path", "")),
                         str(row.get("migration", ""))))
    return tuple(out)


def apply(findings: Sequence[Finding], entries: Sequence[Entry],
          in_scope: Callable[[Entry], bool] | None = None) -> Outcome:
    """Hide findings the baseline lists; entries left over are stale.

    ``in_scope`` limits which leftover entries count as stale: a run over some files
    (pre-commit, ``--since``) says nothing of the others.
    """
    budget = Counter(e.fingerprint for e in entries)
    kept: list[Finding] = []
    for finding in findings:
        if budget[finding.fingerprint] > 0:
            budget[finding.fingerprint] -= 1
        else:
            kept.append(finding)
    stale: list[Entry] = []
    for entry in entries:
        if budget[entry.fingerprint] > 0 and (in_scope is None or in_scope(entry)):
            budget[entry.fingerprint] -= 1
            stale.append(entry)
    return Outcome(tuple(kept), len(findings) - len(kept), tuple(stale))
