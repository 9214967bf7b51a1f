"""`migrate-lint new NAME`: a new, empty migration in the layout of the folder.

The version follows the folder's own style: a UTC timestamp (``YYYYMMDDHHMMSS``,
diesel's ``YYYY-MM-DD-HHMMSS``) where the versions are timestamps or the folder is
empty, the next number with the same zero padding where they count up, Flyway's
``V<n>__``. The files hold what the runner needs to read them (goose and dbmate
direction markers).
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone

from migrate_lint.discover import discover
from migrate_lint.errors import MigrateLintError

__all__ = ["new_migration"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _version(existing: list[str], layout: str, now: datetime) -> str:
    numbers = [v for v in existing if v.isdigit()]
    if layout == "flyway":
        top = max((int(v.split(".")[0].split("_")[0]) for v in existing
                   if v.split(".")[0].split("_")[0].isdigit()), default=0)
        return str(top + 1)
    if layout == "diesel" and (not existing or "-" in existing[-1]):
        return now.strftime("%Y-%m-%d-%H%M%S")
    if numbers and all(len(v) < 12 for v in numbers):
        width = max(len(v) for v in numbers)
        return str(max(int(v) for v in numbers) + 1).zfill(width)
    stamp = now.strftime("%Y%m%d%H%M%S")
    if numbers and stamp <= max(numbers):  # keep versions strictly increasing
        stamp = str(int(max(numbers)) + 1)
    return stamp


def new_migration(root: str, name: str, *, now: datetime | None = None) -> list[str]:
    """Write an empty migration called ``name`` under ``root``; return the files written."""
    if not _NAME.match(name):
        raise MigrateLintError(f"{name}: a migration name is letters, digits, `_` and `-`")
    if not os.path.isdir(root):
        raise MigrateLintError(f"{root}: no such directory")
    now = now or datetime.now(timezone.utc)
    if os.path.exists(os.path.join(root, "meta", "_journal.json")):
        raise MigrateLintError(
            f"{root}: drizzle journal folder; `drizzle-kit generate --custom --name {name}` "
            "writes the migration and its journal entry")
    try:
        found = discover(root)
        layout, existing = found.layout, [m.version for m in found.migrations]
    except MigrateLintError:
        layout, existing = "flat", []  # an empty folder: plain timestamped files
    version = _version(existing, layout, now)
    stem = f"{version}_{name}"
    files: dict[str, str] = {}
    if layout == "folder":
        files[os.path.join(stem, "migration.sql")] = "-- migrate-lint new\n"
    elif layout == "diesel":
        files[os.path.join(stem, "up.sql")] = "-- migrate-lint new\n"
        files[os.path.join(stem, "down.sql")] = "-- migrate-lint new\n"
    elif layout == "updown":
        files[f"{stem}.up.sql"] = "-- migrate-lint new\n"
        files[f"{stem}.down.sql"] = "-- migrate-lint new\n"
    elif layout == "goose":
        files[f"{stem}.sql"] = "-- +goose Up\n\n-- +goose Down\n"
    elif layout == "dbmate":
        files[f"{stem}.sql"] = "-- migrate:up\n\n-- migrate:down\n"
    elif layout == "flyway":
        files[f"V{version}__{name}.sql"] = "-- migrate-lint new\n"
    else:
        files[f"{stem}.sql"] = "-- migrate-lint new\n"
    written = []
    for relative, text in files.items():
        path = os.path.join(root, relative)
        if os.path.exists(path):
            raise MigrateLintError(f"{path}: already exists")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)
    return written
