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


def flyway_migrations(root: str, scan: Scan, col: Collector) -> list[Candidate]:
    """Versioned files by version, undo files as their down, repeatables last.

    Flyway applies versioned migrations in version order, then every repeatable whose
    checksum changed, ordered by description; each is its own history entry here.
    """
    _flyway_strays(root, scan, col)
    versioned = [(n, f) for n, f in scan.flyway if f.prefix == "V"]
    # Equal versions (1 and 1.0) share a number, which discover's duplicate check
    # reports.
    dense = {k: i for i, k in enumerate(sorted({f.key for _n, f in versioned}))}
    confs = set(scan.confs)
    cands: list[Candidate] = []
    by_key: dict[tuple[int, ...], Candidate] = {}
    for name, f in versioned:
        cand = _flyway_candidate(root, name, Version(f.version, f.name, dense[f.key]), confs, col)
        cands.append(cand)
        by_key.setdefault(f.key, cand)
    for name, f in scan.flyway:
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
        ((n, f) for n, f in scan.flyway if f.prefix == "R"),
        key=lambda item: (item[1].name.replace("_", " "), item[0]),
    )
    for i, (name, f) in enumerate(repeatable):
        label = name[:-4]
        cands.append(_flyway_candidate(root, name, Version(label, f.name, len(dense) + i),
                                       confs, col))
    for conf in sorted(confs):
        col.warn(os.path.join(root, conf), f"script configuration without {conf[:-5]}: "
                                           "Flyway ignores it; rename or remove it")
    return cands


def _flyway_candidate(root: str, name: str, version: Version, confs: set[str],
                      col: Collector) -> Candidate:
    """One V or R file; its ``<file>.conf`` (taken out of ``confs``) may opt out."""
    path = os.path.join(root, name)
    no_transaction = False
    if name + ".conf" in confs:
        confs.discard(name + ".conf")
        no_transaction = _flyway_no_transaction(path + ".conf", col)
    return Candidate(name[:-4], version, "flyway", (whole_file(path, common.read_text(path)),),
                      no_transaction=no_transaction, label=name[:-4])


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


def _flyway_strays(root: str, scan: Scan, col: Collector) -> None:
    """MG000 for what Flyway would not run as a migration from this directory."""
    for name in scan.stray:
        path = os.path.join(root, name)
        if _FLYWAY_CALLBACK.match(name):
            col.warn(path, "Flyway callback script: it runs around migrations and is "
                           "not checked; move it out if it is not meant as a callback")
        else:
            col.warn(path, "not a Flyway migration name (V<version>__<description>.sql, "
                           "U<version>__<description>.sql or R__<description>.sql, "
                           "prefixes upper-case): Flyway ignores it or fails validation; "
                           "rename it")
    for name, version in (*scan.plain, *scan.ups, *scan.downs):
        col.warn(os.path.join(root, name),
                 f"no V prefix: Flyway ignores it; rename it to V{version.version}__"
                 f"{version.name or 'description'}.sql")
    dirs = [d.name for d in scan.dirs] + scan.unversioned_dirs
    for name in dirs:
        try:
            held = any(e.name.endswith(".sql")
                       for e in list_dir(os.path.join(root, name), root, []))
        except OSError:
            held = False
        if held:
            col.warn(os.path.join(root, name),
                     "folder not checked: Flyway also runs the migrations of sub-folders, "
                     "migrate-lint reads only the files directly in the directory")
