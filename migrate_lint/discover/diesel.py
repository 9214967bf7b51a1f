"""diesel: ``<version>_<name>/up.sql`` (+ ``down.sql``, ``metadata.toml``) folders, the
version being the text before the first ``_``, applied in version-string order."""

from __future__ import annotations

import os
import sys

from migrate_lint.discover import common
from migrate_lint.discover.common import BOM, Candidate, Collector, Version, whole_file
from migrate_lint.source import Section


def diesel_version(name: str) -> Version | None:
    """A folder name as diesel reads it: the version is the text before the first `_`
    with every `-` removed (diesel-rs/diesel migrations_internals, version_from_string),
    so `2024-03-13_170000_x` is version 20240313; only digits are taken here."""
    head, _sep, rest = name.partition("_")
    digits = head.replace("-", "")
    if not digits.isdigit():
        return None
    return Version(head, rest, int(digits))


def down_and_transaction(base: str, files: frozenset[str], col: Collector
                         ) -> tuple[tuple[Section, ...], bool]:
    """A diesel folder's ``down.sql`` and whether ``metadata.toml`` opts out of the
    transaction."""
    down: tuple[Section, ...] = ()
    no_transaction = False
    if "down.sql" in files:
        down_path = os.path.join(base, "down.sql")
        down = (whole_file(down_path, common.read_text(down_path)),)
    if "metadata.toml" in files:
        no_transaction = diesel_no_transaction(os.path.join(base, "metadata.toml"), col)
    return down, no_transaction


def diesel_no_transaction(path: str, col: Collector) -> bool:
    """`run_in_transaction = false` in a diesel metadata.toml."""
    # imported here: a run that reads no diesel layout never compiles its expressions
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(common.read_text(path).lstrip(BOM))
    except tomllib.TOMLDecodeError as exc:
        col.warn(path, f"not valid TOML ({exc}): diesel refuses this migration")
        return False
    return data.get("run_in_transaction", True) is False


def rank_by_version_string(cands: list[Candidate]) -> None:
    """diesel orders by the version *string* (MigrationVersion is text and the harness
    sorts pending migrations with ``a.version().cmp(&b.version())``, diesel_migrations
    migration_harness.rs): ``20240313`` runs before ``20240313120000``."""
    keys = sorted({c.version.version.replace("-", "") for c in cands})
    rank = {key: i for i, key in enumerate(keys)}
    for cand in cands:
        cand.rank = rank[cand.version.version.replace("-", "")]
