"""The layouts of ``.sql`` files directly in the root: flat, goose, dbmate and updown.
Each file is read the way its layout's runner reads it (goose.py, dbmate.py, updown.py)."""

from __future__ import annotations

import os

from migrate_lint.discover.common import (
    Candidate,
    Collector,
    Scan,
    Version,
    cached_text,
    strays,
    whole_file,
)
from migrate_lint.discover.dbmate import dbmate_file, dbmate_names, has_dbmate, rank_by_file_name
from migrate_lint.discover.goose import code_migrations, goose_file, goose_version, has_goose_up
from migrate_lint.discover.updown import pairs


def file_migrations(
    root: str, scan: Scan, layout: str, texts: dict[str, str], col: Collector
) -> list[Candidate]:
    cands: list[Candidate] = []
    plain = scan.plain
    loose = strays(scan)
    if layout == "dbmate":
        plain, loose = dbmate_names(plain, loose)
    for name in loose:
        col.warn(
            os.path.join(root, name),
            "no version prefix (expected <version>_<name>.sql): migration runners skip "
            "or reject this file; rename it or move it out of the migrations directory",
        )
    for name, version in plain:
        path = os.path.join(root, name)
        if layout == "goose" and goose_version(name) is None:
            col.warn(path, "goose reads the version as the integer before the first `_` "
                           "and refuses the whole directory over this name (no `_`, a "
                           "version of 0, or not an integer); rename it <number>_<name>.sql")
            continue
        cands.append(_plain_file(path, name[:-4], version, cached_text(root, name, texts),
                                 layout, col, scan.marks.get(name)))
    if layout == "dbmate":
        rank_by_file_name(cands)
    cands.extend(pairs(root, scan, col))
    if layout == "goose":
        cands.extend(code_migrations(root, scan))
    elif layout == "flat" and plain:
        # `<version>.py` beside the SQL files: a project runner's code migrations
        # (yoyo, or a runner of its own), in the same sequence
        cands.extend(code_migrations(root, scan, python=True))
    for d in scan.dirs:
        if any(f.endswith(".sql") for f in d.files):
            col.warn(
                os.path.join(root, d.name),
                f"folder ignored: {layout} migrations are .sql files directly in {root}",
            )
    return cands


def _plain_file(
    path: str, stem: str, version: Version, text: str, layout: str, col: Collector,
    marks: tuple[bool, bool] | None = None,
) -> Candidate:
    """One `<version>_<name>.sql` file read the way ``layout``'s runner reads it
    (``marks``: whether its text has a goose Up line and a dbmate section, when the
    layout's choice looked already)."""
    if layout == "goose":
        cand = goose_file(path, stem, version, text, col)
        if cand is not None:
            return cand
        col.warn(path, "no '-- +goose Up' annotation: goose refuses to run this file")
    elif layout == "dbmate":
        cand = dbmate_file(path, stem, version, text, col)
        if cand is not None:
            return cand
        col.warn(path, "no '-- migrate:up' section: dbmate refuses to run this file")
    elif layout == "updown":
        col.warn(
            path,
            "not a .up.sql/.down.sql file: golang-migrate ignores it while sqlx runs it; "
            "rename it to <version>_<name>.up.sql",
        )
    else:
        # A flat runner applies every line, annotated "down" parts included.
        goose, dbmate = marks if marks is not None else (has_goose_up(text), None)
        if goose:
            col.warn(
                path,
                "goose annotations in a flat layout: the whole file, Down part "
                "included, is read as one migration; pass --layout goose if goose runs it",
            )
        elif dbmate if dbmate is not None else has_dbmate(text):
            col.warn(
                path,
                "dbmate sections in a flat layout: the whole file, down part "
                "included, is read as one migration; pass --layout dbmate if dbmate runs it",
            )
    return Candidate(stem, version, "flat", (whole_file(path, text),))
