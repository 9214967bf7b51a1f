"""Flyway: ``V<version>__<desc>.sql``, ``U<version>__...`` (undo) and ``R__<desc>.sql``
(repeatable) files, with optional ``<file>.conf`` script configuration."""

from __future__ import annotations

import os
import re

from migrate_lint.discover import common
from migrate_lint.discover.common import (
    BOM,
    Candidate,
    Collector,
    Scan,
    Version,
    list_dir,
    whole_file,
)
from migrate_lint.values import value_class

# Flyway's default naming (prefixes and suffix are case-sensitive, as Flyway matches
# them): V<version>[__<description>].sql, U<version>... (undo of that version) and
# R__<description>.sql (repeatable). Version parts are separated by `.` or `_`; the
# first `__` ends the version.
FLYWAY_NAME = re.compile(
    r"(?P<prefix>[VU])(?P<version>\d+(?:[._]\d+)*)(?:__(?P<name>.*))?|R__(?P<desc>.*)", re.S
)
_FLYWAY_CALLBACK = re.compile(r"(?:before|after)[A-Z]\w*")
_FLYWAY_NO_TX = re.compile(r"^[ \t]*executeInTransaction[ \t]*[=:][ \t]*(\S*)[ \t]*$", re.M)
# Flyway's SQLite parser holds `PRAGMA foreign_keys` unable to run in a transaction
# (SQLiteParser.detectCanExecuteInTransaction): a file with one runs without Flyway's
# transaction (with `mixed` allowed; without it, Flyway refuses the file before running)
_FLYWAY_PRAGMA_FK = re.compile(r"^[ \t]*PRAGMA[ \t]+[`\"\[]?foreign_keys\b", re.M | re.I)


@value_class
class FlywayName:
    """A Flyway file name: ``V``ersioned, ``U``ndo or ``R``epeatable."""

    prefix: str  # "V", "U" or "R"
    version: str  # as written ("1_1", "1.2.3"); "" for a repeatable
    name: str  # the description, underscores kept

    @property
    def key(self) -> tuple[int, ...]:
        """The version compared as Flyway does: numerically part by part (1 == 1.0)."""
        return flyway_version_key(self.version)


def flyway_version_key(version: str) -> tuple[int, ...]:
    """``"1_10"`` -> ``(1, 10)``; trailing zero parts dropped, so ``1`` == ``1.0``.

    Dropping them makes tuple comparison agree with Flyway's, which pads the shorter
    version with zeros (``1.0.5`` > ``1``).
    """
    parts = [int(p) for p in re.split(r"[._]", version)]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def flyway_name(file_name: str) -> FlywayName | None:
    """The Flyway name of a ``.sql`` file name; None when Flyway does not run it."""
    match = FLYWAY_NAME.fullmatch(file_name[:-4])
    if match is None:
        return None
    if match.group("prefix") is None:
        return FlywayName("R", "", match.group("desc"))
    return FlywayName(match.group("prefix"), match.group("version"), match.group("name") or "")


# Flyway's names for the databases it supports, as projects name the folders of a
# `classpath:db/migration/{vendor}` location: each holds another database's history.
_OTHER_VENDORS = frozenset({
    "postgresql", "postgres", "mysql", "mariadb", "sqlserver", "oracle", "h2", "hsqldb",
    "derby", "db2", "firebird", "informix", "redshift", "snowflake", "cockroachdb",
    "saphana", "sybasease", "bigquery", "spanner", "clickhouse", "mongodb", "tidb",
})


def flyway_migrations(root: str, scan: Scan, col: Collector) -> list[Candidate]:
    """Versioned files by version, undo files as their down, repeatables last.

    Flyway applies versioned migrations in version order, then every repeatable whose
    checksum changed, ordered by description; each is its own history entry here.
    Flyway reads a location's sub-folders too, at any depth: their files join the
    others (by path relative to the root), except in a folder named for another
    database (`postgresql/` beside `sqlite/`: a `{vendor}` location).
    """
    nested, nested_confs = _nested(root, scan, col)
    _flyway_strays(root, scan, col)
    named = [*scan.flyway, *nested]
    versioned = [(n, f) for n, f in named if f.prefix == "V"]
    # Equal versions (1 and 1.0) share a number, which discover's duplicate check
    # reports.
    dense = {k: i for i, k in enumerate(sorted({f.key for _n, f in versioned}))}
    confs = set(scan.confs) | nested_confs
    cands: list[Candidate] = []
    by_key: dict[tuple[int, ...], Candidate] = {}
    for name, f in versioned:
        cand = _flyway_candidate(root, name, Version(f.version, f.name, dense[f.key]), confs, col)
        cands.append(cand)
        by_key.setdefault(f.key, cand)
    for name, f in named:
        if f.prefix != "U":
            continue
        path = os.path.join(root, name)
        confs.discard(name + ".conf")  # the undo direction's own transaction is not modelled
        target = by_key.get(f.key)
        if target is None:
            col.warn(path, f"undo migration without V{f.version}__*.sql: there is nothing "
                           "to undo; add the versioned migration or remove it")
        elif target.down:
            col.warn(path, f"second undo migration for version {f.version} (after "
                           f"{target.down[0].path}): Flyway fails on it; keep one")
        else:
            target.down = (whole_file(path, common.read_text(path)),)
    # Flyway compares descriptions with `_` read as a space.
    repeatable = sorted(
        ((n, f) for n, f in named if f.prefix == "R"),
        key=lambda item: (item[1].name.replace("_", " "), item[0]),
    )
    for i, (name, f) in enumerate(repeatable):
        label = os.path.basename(name)[:-4]
        cands.append(_flyway_candidate(root, name, Version(label, f.name, len(dense) + i),
                                       confs, col))
    for conf in sorted(confs):
        col.warn(os.path.join(root, conf), f"script configuration without {conf[:-5]}: "
                                           "Flyway ignores it; rename or remove it")
    return cands


def _flyway_candidate(root: str, name: str, version: Version, confs: set[str],
                      col: Collector) -> Candidate:
    """One V or R file (``name``: its path relative to the root); its ``<file>.conf``
    (taken out of ``confs``) may opt out."""
    path = os.path.join(root, name)
    text = common.read_text(path)
    no_transaction = _FLYWAY_PRAGMA_FK.search(text) is not None
    if name + ".conf" in confs:
        confs.discard(name + ".conf")
        no_transaction = _flyway_no_transaction(path + ".conf", col) or no_transaction
    stem = os.path.basename(name)[:-4]
    return Candidate(stem, version, "flyway", (whole_file(path, text),),
                      no_transaction=no_transaction, label=stem)


def _flyway_no_transaction(path: str, col: Collector) -> bool:
    """``executeInTransaction=false`` in a Flyway script configuration file."""
    text = common.read_text(path)
    no_transaction = False
    for match in _FLYWAY_NO_TX.finditer(text.lstrip(BOM)):
        value = match.group(1).lower()
        if value not in ("true", "false"):
            col.warn(path, f"executeInTransaction={match.group(1)}: expected true or false")
        no_transaction = value == "false"
    return no_transaction


def _nested(root: str, scan: Scan, col: Collector
            ) -> tuple[list[tuple[str, FlywayName]], set[str]]:
    """The Flyway-named files of the root's sub-folders, at any depth, and their script
    configurations, by path relative to the root; MG000 for the other ``.sql`` files
    there, for entries that must not be read, and for another database's folder."""
    named: list[tuple[str, FlywayName]] = []
    confs: set[str] = set()
    pending = sorted([d.name for d in scan.dirs] + scan.unversioned_dirs)
    seen = {os.path.realpath(root)}  # a link back up the tree is read once
    while pending:
        folder = pending.pop(0)
        path = os.path.join(root, folder)
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        if os.path.basename(folder).lower() in _OTHER_VENDORS:
            col.warn(path, "folder not checked: named for another database (a Flyway "
                           "`{vendor}` location); pass it to check it as its own history")
            continue
        refused: list[tuple[str, str]] = []
        try:
            entries = list_dir(path, root, refused)
        except OSError as exc:
            col.warn(path, f"cannot read folder ({exc.strerror}): its migrations are not "
                           "checked")
            continue
        for where, why in refused:
            col.warn(where, f"{os.path.basename(where)}: {why}")
        for entry in entries:
            relative = os.path.join(folder, entry.name)
            if entry.is_dir():
                pending.append(relative)
            elif entry.name.endswith(".sql.conf"):
                confs.add(relative)
            elif entry.name.endswith(".sql"):
                name = flyway_name(entry.name)
                if name is not None:
                    named.append((relative, name))
                else:
                    _stray(root, relative, col)
    return named, confs


def _stray(root: str, name: str, col: Collector) -> None:
    """MG000 for a ``.sql`` file (``name``: relative to the root) without a Flyway name."""
    path = os.path.join(root, name)
    if _FLYWAY_CALLBACK.match(os.path.basename(name)):
        col.warn(path, "Flyway callback script: it runs around migrations and is "
                       "not checked; move it out if it is not meant as a callback")
    else:
        col.warn(path, "not a Flyway migration name (V<version>__<description>.sql, "
                       "U<version>__<description>.sql or R__<description>.sql, "
                       "prefixes upper-case): Flyway ignores it or fails validation; "
                       "rename it")


def _flyway_strays(root: str, scan: Scan, col: Collector) -> None:
    """MG000 for what Flyway would not run as a migration from this directory."""
    for name in scan.stray:
        _stray(root, name, col)
    for name, version in (*scan.plain, *scan.ups, *scan.downs):
        col.warn(os.path.join(root, name),
                 f"no V prefix: Flyway ignores it; rename it to V{version.version}__"
                 f"{version.name or 'description'}.sql")
