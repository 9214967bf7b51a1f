"""sqlx: it reads flat and updown files; only its own marker tells it from the others."""

from __future__ import annotations

from collections.abc import Iterable

from migrate_lint.discover.common import BOM, Candidate

SQLX_NO_TX = "-- no-transaction"


def opts_out_of_transactions(cands: Iterable[Candidate]) -> bool:
    """True when a file starts with ``-- no-transaction``: only sqlx reads a file's first
    bytes for it (launchbadge/sqlx sqlx-core/src/migrate/source.rs: ``sql.starts_with(..)``),
    so such a history is sqlx's."""
    return any(c.up[0].text.lstrip(BOM).startswith(SQLX_NO_TX) for c in cands)
