"""Prisma: ``<14-digit timestamp>_<name>/migration.sql`` folders (the folder layout),
told from drizzle's by ``migration_lock.toml`` or by the folder names."""

from __future__ import annotations

import re

from migrate_lint.discover.common import Scan

_PRISMA_FOLDER = re.compile(r"\d{14}_\w+")


def prisma_shaped(scan: Scan) -> bool:
    """Every migration folder is `<14-digit UTC timestamp>_<name>` holding
    `migration.sql`: how Prisma names them (prisma-engines migrations_directory.rs:
    `format("%Y%m%d%H%M%S")`, then `{timestamp}_{name}`, script `migration.sql`), even
    where `migration_lock.toml` was not committed. drizzle-kit's folders also hold
    `snapshot.json` (checked before this)."""
    folders = [d for d in scan.dirs if "migration.sql" in d.files]
    return bool(folders) and all(
        _PRISMA_FOLDER.fullmatch(d.name) is not None for d in folders)
