"""dbmate: one file per migration, ``-- migrate:up`` / ``-- migrate:down`` sections, the
leading digits of the file name as its version, applied in file-name order."""

from __future__ import annotations

import os
import re

from migrate_lint.discover.common import Candidate, Collector, Version, line_after, sectioned_file

# dbmate: `-- migrate:up [options]` at the start of a line, case-sensitive like dbmate.
DBMATE = re.compile(r"^\ufeff?--[ \t]*migrate:(up|down)(?=[ \t\r\n]|$)([^\r\n]*)", re.M)


def has_dbmate(text: str) -> bool:
    """Whether ``text`` holds a `-- migrate:up` or `down` line (substring test first)."""
    return may_hold_dbmate(text) and DBMATE.search(text) is not None


def may_hold_dbmate(text: str) -> bool:
    """False where ``text`` holds no dbmate section line (a substring test)."""
    return "migrate:" in text


_DBMATE_NO_TX = re.compile(r"(?:^|\s)transaction:false(?:\s|$)")


def dbmate_version(name: str) -> Version:
    """The leading digits of a dbmate file name, the rest after an optional `_`."""
    stem = name[:-4]
    digits = re.match(r"\d*", stem)
    head = digits.group(0) if digits else ""
    return Version(head, stem[len(head):].removeprefix("_"), int(head or 0))


def dbmate_names(plain: list[tuple[str, Version]], strays: list[str]
                 ) -> tuple[list[tuple[str, Version]], list[str]]:
    """The files dbmate takes and the strays left: every file matching ``^(\\d+).*\\.sql$``,
    the leading digits as the version (amacneil/dbmate pkg/dbmate/db.go,
    migrationFileRegexp, FindMigrations)."""
    taken = [(n, dbmate_version(n)) for n, _v in plain]
    taken += [(n, dbmate_version(n)) for n in strays if n[:1].isdigit()]
    return taken, [n for n in strays if not n[:1].isdigit()]


def rank_by_file_name(cands: list[Candidate]) -> None:
    """dbmate sorts migrations by file *name* (``migrations[i].FileName < ...[j].FileName``)."""
    for rank, cand in enumerate(sorted(cands, key=lambda c: os.path.basename(c.path))):
        cand.rank = rank
        if cand.stem != (f"{cand.version.version}_{cand.version.name}"
                         if cand.version.name else cand.version.version):
            cand.label = cand.stem  # `20200101-x.sql`: the label is the file stem


def dbmate_file(
    path: str, stem: str, version: Version, text: str, col: Collector
) -> Candidate | None:
    markers: list[tuple[str, int, int]] = []
    no_transaction = False
    for match in DBMATE.finditer(text):
        kind = match.group(1)
        markers.append((kind, match.start(), line_after(text, match.end())))
        if kind == "up" and _DBMATE_NO_TX.search(match.group(2)):
            no_transaction = True
    return sectioned_file(path, stem, version, text, col, "dbmate", markers, no_transaction,
                          "'-- migrate:up' section")
