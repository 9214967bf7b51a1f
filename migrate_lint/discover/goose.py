"""goose: one file per migration, ``-- +goose Up`` / ``-- +goose Down`` sections, and Go
migrations (``<version>_<name>.go``) in the same sequence."""

from __future__ import annotations

import os
import re

from migrate_lint.discover import common
from migrate_lint.discover.common import (
    Candidate,
    Collector,
    Scan,
    Version,
    line_after,
    sectioned_file,
)
from migrate_lint.source import Section

# goose reads `-- +goose <command>` lines, case-insensitively and loose about spaces.
_GOOSE = re.compile(r"^\ufeff?[ \t]*--[ \t]*\+goose[ \t]+([^\r\n]*)", re.M | re.I)
GOOSE_UP = re.compile(r"^\ufeff?[ \t]*--[ \t]*\+goose[ \t]+up\b", re.M | re.I)


def has_goose_up(text: str) -> bool:
    """Whether ``text`` holds a `-- +goose Up` line. The substring test first: a
    line-anchored search of every file of a long history costs more than reading it."""
    return may_hold_goose(text) and GOOSE_UP.search(text) is not None


def may_hold_goose(text: str) -> bool:
    """False where ``text`` holds no goose annotation (a substring test)."""
    return "+g" in text or "+G" in text


def goose_version(name: str) -> Version | None:
    """A file name as goose reads it: the version is the integer before the first `_`,
    above zero (pressly/goose collect_migration.go, NumericComponent); None where goose
    refuses the name."""
    stem = name.rsplit(".", 1)[0]
    head, sep, rest = stem.partition("_")
    if sep and head.isdigit() and int(head) > 0:
        return Version(head, rest, int(head))
    return None


def scan_code(name: str, scan: Scan) -> None:
    """A goose Go migration: goose globs `*.sql` and `*.go` alike and skips `_test.go`
    (pressly/goose collect_migration.go, collectMigrations); a `.go` file without a
    version is package code, not a migration."""
    version = goose_version(name)
    if version is not None:
        scan.code.append((name, version))


def goose_file(
    path: str, stem: str, version: Version, text: str, col: Collector
) -> Candidate | None:
    markers: list[tuple[str, int, int]] = []
    no_transaction = False
    for match in _GOOSE.finditer(text):
        words = match.group(1).lower().split()
        if words[:1] in (["up"], ["down"]):
            markers.append((words[0], match.start(), line_after(text, match.end())))
        elif words[:2] == ["no", "transaction"]:
            no_transaction = True
    return sectioned_file(path, stem, version, text, col, "goose", markers, no_transaction,
                          "'-- +goose Up' annotation")


def code_migrations(root: str, scan: Scan, python: bool = False) -> list[Candidate]:
    """Go migrations (goose runs code from this folder), or ``python`` ones (a flat
    folder's `<version>.py` beside its SQL files): they run in the same sequence."""
    cands: list[Candidate] = []
    for name, version in scan.python if python else scan.code:
        path = os.path.join(root, name)
        text = common.read_text(path)
        cands.append(Candidate(name[:-3], version, "flat" if python else "goose",
                               (Section(path, text, 0, 0),),
                               code="python" if python else "go"))
    return cands
