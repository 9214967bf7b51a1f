"""Rule metadata without importing the rules: the catalogue ``data/rules.json``.

`migrate-lint rules` and `migrate-lint explain` print codes, names, severities and
documentation. Read from the rule classes, they import every rule module and with
them the model, the replay and the SQL layer, for commands that parse nothing. The
catalogue holds the same facts, written from the rule classes by ``migrate-lint rules
--write-catalogue migrate_lint/data/rules.json``; tests/test_startup.py fails when it
differs from them, as tests/test_docs_in_sync.py does for the rule pages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING

from migrate_lint.errors import MigrateLintError
from migrate_lint.values import value_class

if TYPE_CHECKING:
    from migrate_lint.result import RuleInfo

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rules.json")
FORMAT = 2  # bumped when the entries change shape


@value_class
class RuleEntry:
    """One rule as `rules` and `explain` show it."""

    code: str
    name: str
    severity: str
    summary: str
    doc: str
    fix_title: str | None
    fixable: bool
    # What the rule reads (`engine.rule_reads`), so that a run imports only the rules
    # that can report on the statements it checks (`registry.rules_for`): the statement
    # kinds its per-statement check runs on, whether it checks the whole history, and
    # whether it claims statements the reader could not understand.
    kinds: tuple[str, ...] = ()
    history: bool = False
    claims: bool = False

    @property
    def module(self) -> str:
        """The rule's module in the rules package: its name in snake case."""
        return self.name.replace("-", "_")


def entries_of(infos: Iterable[RuleInfo], fixable: Iterable[str],
               reads: Mapping[str, tuple[tuple[str, ...], bool, bool]] | None = None
               ) -> tuple[RuleEntry, ...]:
    """The catalogue entries of the registered rules (``registry.rule_infos()``), with
    what each reads (``engine.rule_reads`` by code; built-in codes read nothing)."""
    fixes = frozenset(fixable)
    reads = reads or {}
    return tuple(RuleEntry(i.code, i.name, i.severity, i.summary, i.doc, i.fix_title,
                           i.code in fixes, *reads.get(i.code, ((), False, False)))
                 for i in infos)


def dumps(entries: Iterable[RuleEntry]) -> str:
    """The catalogue's text: stable, one key per line, so a changed rule is a small diff."""
    data = {"format": FORMAT, "rules": [asdict(e) for e in entries]}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def load(path: str | None = None) -> tuple[RuleEntry, ...]:
    """The catalogue's entries (``path``, else the installed one), sorted by code.

    Raises MigrateLintError naming the file when it cannot be read.
    """
    path = path or PATH
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        return tuple(RuleEntry(**{**item, "kinds": tuple(item["kinds"])})
                     for item in data["rules"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise MigrateLintError(f"{path}: cannot read the rule catalogue ({err}); reinstall "
                               "migrate-lint") from None


def find(entries: Iterable[RuleEntry], code_or_name: str) -> RuleEntry | None:
    """The rule with that code or kebab name (case-insensitive), or None."""
    wanted = code_or_name.strip()
    for entry in entries:
        if wanted.upper() == entry.code or wanted.lower() == entry.name:
            return entry
    return None
