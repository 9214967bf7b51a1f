"""The folder layouts: ``<version>_<name>/migration.sql`` (drizzle-kit v1, Prisma) and
diesel's ``<version>_<name>/up.sql`` (diesel.py)."""

from __future__ import annotations

import os

from migrate_lint.discover import common
from migrate_lint.discover.common import (
    Candidate,
    Collector,
    Dir,
    Scan,
    parse_version,
    strays,
    whole_file,
)
from migrate_lint.discover.diesel import down_and_transaction, rank_by_version_string
from migrate_lint.source import Section


def folder_migrations(root: str, scan: Scan, layout: str, col: Collector) -> list[Candidate]:
    up_file = "migration.sql" if layout == "folder" else "up.sql"
    # Runners of folder layouts read folders only: loose files would be skipped.
    for name, _version in (*scan.plain, *scan.ups, *scan.downs):
        col.warn(
            os.path.join(root, name),
            f"file ignored: {layout} migrations are folders holding {up_file}; move it into one",
        )
    for name in strays(scan):
        col.warn(
            os.path.join(root, name),
            "loose .sql file among migration folders: the runner ignores it",
        )
    for name in scan.unversioned_dirs:
        if os.path.isfile(os.path.join(root, name, up_file)):
            col.warn(
                os.path.join(root, name, up_file),
                "folder name has no version prefix "
                "(expected <version>_<name>): the runner skips or rejects it",
            )
    cands: list[Candidate] = []
    dirs = scan.dirs
    if layout != "diesel":
        # a name only diesel reads (`2024-03-13_x`) is not versioned for other runners
        dirs = [d for d in scan.dirs if parse_version(d.name) is not None]
        for d in scan.dirs:
            if d not in dirs and up_file in d.files:
                col.warn(os.path.join(root, d.name, up_file),
                         "folder name has no version prefix "
                         "(expected <version>_<name>): the runner skips or rejects it")
    for d in dirs:
        if up_file not in d.files:
            col.warn(
                os.path.join(root, d.name),
                f"migration folder without {up_file}: "
                f"the runner fails or skips it; add {up_file} or remove the folder",
            )
            continue
        cands.append(_dir_candidate(root, d, layout, up_file, col))
    if layout == "diesel":
        rank_by_version_string(cands)
    return cands


def _dir_candidate(root: str, d: Dir, layout: str, up_file: str, col: Collector) -> Candidate:
    base = os.path.join(root, d.name)
    up_path = os.path.join(base, up_file)
    up = (whole_file(up_path, common.read_text(up_path)),)
    down: tuple[Section, ...] = ()
    no_transaction = False
    known = {up_file}
    if layout == "diesel":
        known.add("down.sql")
        down, no_transaction = down_and_transaction(base, d.files, col)
    for extra in sorted(d.files - known):
        if extra.endswith(".sql"):
            col.warn(
                os.path.join(base, extra),
                f"ignored: the runner reads only "
                f"{' and '.join(sorted(known))} in a migration folder",
            )
    return Candidate(d.name, d.version, layout, up, down, no_transaction)
