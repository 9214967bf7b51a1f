"""What a finding claims SQLite will do, as data the sandbox can check.

A rule that says "deletes the rows of `child`" or "loses index `x`" attaches a
claim to its finding. Before the finding is reported, `migrate_lint.confirm` runs
the migration on a real SQLite full of synthetic rows, under the runner's settings,
and looks: a confirmed claim is reported with what SQLite did; a claim SQLite does
not bear out is dropped, or kept at a lower severity, as the rule declares
(`Rule.unconfirmed`).
"""

from __future__ import annotations

from migrate_lint.values import value_class


@value_class
class ChildRowsChanged:
    """Rows of ``children`` are deleted, or their keys to ``parent`` nulled or reset,
    or the migration fails with 'FOREIGN KEY constraint failed' (``fails``)."""

    parent: str
    children: tuple[str, ...]
    fails: bool = False


@value_class
class IndexLost:
    """After the migration ``table`` has no index (or key) on ``columns`` that is
    at least as unique as the one it had."""

    table: str
    columns: tuple[str, ...]
    unique: bool
    name: str = ""


@value_class
class OrphansLeft:
    """After the migration, ``PRAGMA foreign_key_check`` reports rows it did not before."""


@value_class
class PragmaMatters:
    """The migration ends differently with foreign keys on (the ignored pragma) than it
    would with them off (the pragma as meant): another error, or other row counts."""


@value_class
class StatementFails:
    """The statement fails with an error message containing ``needle`` (in any case).

    SQLite reports one constraint per failing row, the first it checks: the needle
    names the column or key (``NOT NULL constraint failed: t.c``), so that another
    column's error does not confirm it. ``others``: more needles, any of which
    confirms it too (a copy of several nullable columns fails at the first NULL)."""

    needle: str
    others: tuple[str, ...] = ()


@value_class
class RerunFails:
    """After a first try that ran up to and including statement ``statement`` (its
    index in the migration) and then stopped, running the whole migration again
    fails at that statement with an error containing ``needle``."""

    needle: str
    statement: int


Claim = ChildRowsChanged | IndexLost | OrphansLeft | PragmaMatters | RerunFails | StatementFails
