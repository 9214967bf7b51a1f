"""The root's entries classified by name, nothing read yet: which files and folders
carry a version prefix, in which layout's naming."""

from __future__ import annotations

import os

from migrate_lint.discover.common import Dir, Scan, Version, list_dir, parse_version
from migrate_lint.discover.diesel import diesel_version
from migrate_lint.discover.flyway import flyway_name
from migrate_lint.discover.goose import scan_code
from migrate_lint.discover.updown import UPDOWN, UPDOWN_FILE
from migrate_lint.errors import MigrateLintError


def scan_root(root: str) -> Scan:
    """Classify the root's entries by name; fails when the root is unusable."""
    if not os.path.exists(root):
        raise MigrateLintError(
            f"{root}: no such directory; pass the directory that holds your migrations"
        )
    if not os.path.isdir(root):
        raise MigrateLintError(
            f"{root} is a file, not a directory; pass the directory that holds your migrations"
        )
    scan = Scan()
    try:
        entries = list_dir(root, root, scan.refused)
    except OSError as exc:
        raise MigrateLintError(f"{root}: cannot read directory ({exc.strerror})") from exc
    if not entries and not scan.refused:
        raise MigrateLintError(
            f"{root} is empty: no migrations to check; pass the directory that holds them"
        )
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            _scan_dir(root, name, scan)
        elif name == "migration_lock.toml":
            scan.prisma_lock = True
        elif name.endswith(".sql"):
            _scan_file(name, scan)
        elif name.endswith(".sql.conf"):
            scan.confs.append(name)
        elif name.endswith(".go") and not name.endswith("_test.go"):
            scan_code(name, scan)
        elif name.endswith(".py"):
            version = parse_version(name[:-3])
            if version is not None:
                scan.python.append((name, version))
    return scan


def _scan_dir(root: str, name: str, scan: Scan) -> None:
    version = parse_version(name) or diesel_version(name)
    if version is None:
        scan.unversioned_dirs.append(name)
        if name == "meta" and os.path.isfile(os.path.join(root, "meta", "_journal.json")):
            scan.journal = True
        return
    path = os.path.join(root, name)
    try:
        files = frozenset(e.name for e in list_dir(path, root, scan.refused) if e.is_file())
    except OSError as exc:
        raise MigrateLintError(f"{path}: cannot read directory ({exc.strerror})") from exc
    scan.dirs.append(Dir(name, version, files))


def _scan_file(name: str, scan: Scan) -> None:
    # The pair suffixes come first: `1_x.up.sql` must never pass for a flat file
    # whose name is `x.up` (that would run the down file forward too).
    odd = UPDOWN_FILE.fullmatch(name)
    if odd is not None and odd.group("ext") != "sql":  # `.up..sql`: golang-migrate runs it
        match = UPDOWN.fullmatch(odd.group("stem"))
        if match is not None:
            number = match.group("version")
            bucket = scan.ups if odd.group("dir") == "up" else scan.downs
            bucket.append((name, Version(number, match.group("name"), int(number))))
            return
    for suffix, bucket in ((".up.sql", scan.ups), (".down.sql", scan.downs)):
        if name.endswith(suffix):
            match = UPDOWN.fullmatch(name[: -len(suffix)])
            if match is not None:
                number = match.group("version")
                bucket.append((name, Version(number, match.group("name"), int(number))))
            else:
                scan.stray.append(name)  # never a flat file named `x.up`
            return
    version = parse_version(name[:-4])
    if version is not None:
        scan.plain.append((name, version))
        return
    flyway = flyway_name(name)
    if flyway is None:
        scan.stray.append(name)
    else:
        scan.flyway.append((name, flyway))
