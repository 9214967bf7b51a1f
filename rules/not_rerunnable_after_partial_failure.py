"""MG008: a migration run without a transaction that its own retry cannot get through."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.claims import RerunFails
from migrate_lint.ddl import Drop
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.replay import Timeline
from migrate_lint.values import value_class

from ._common import statement_head
from ._copies import unique_key_written
from ._rebuild import runner_transaction

# Statements a retry runs again without error, whatever the first try did.
_ALWAYS_AGAIN = frozenset({"pragma", "update", "delete", "select", "maintenance"})


@value_class
class InsertNotRerunnable(Facts):
    """An INSERT outside a transaction (``unwrapped`` says why) writes the unique key
    ``columns`` of ``table``; a later statement may fail, and the retry fails here."""

    statement: str
    table: str
    columns: tuple[str, ...]
    unwrapped: str

    def message(self) -> str:
        """The retry fails."""
        cols = ", ".join(f"`{c}`" for c in self.columns)
        return (f"`{self.statement}` runs without a transaction ({self.unwrapped}): when a "
                "later statement fails, its rows stay, and the retry of this migration fails "
                f"here with 'UNIQUE constraint failed' on the key ({cols}) of `{self.table}`, "
                "on every database where the first try got this far; the statements before "
                "it are written to run twice, this one is not")

    def help(self) -> str:
        """Skip rows already there, or one transaction."""
        return ("make it skip rows already there (`INSERT OR IGNORE`, or `ON CONFLICT DO "
                "NOTHING`), or run the migration in one transaction")


class NotRerunnableAfterPartialFailure(Rule):
    """A migration without a transaction cannot be run again after a partial failure.

    ## What it does
    For a migration the runner does not wrap in a transaction (Prisma, goose `NO
    TRANSACTION`, dbmate `transaction:false`, diesel `run_in_transaction = false`, or
    `transaction = none` in the settings) and that has no `BEGIN` of its own,
    reports an `INSERT` that writes a UNIQUE or PRIMARY KEY of its table, without
    `OR IGNORE`, `OR REPLACE` or `ON CONFLICT`, when every statement before it can be
    run twice (`CREATE ... IF NOT EXISTS`, `DROP ... IF EXISTS`, UPDATE, DELETE,
    guarded INSERTs) and a statement follows it. The file was written to be re-run;
    this statement is where the re-run stops.

    ## Why is this bad?
    Without a transaction every statement commits on its own. When a later statement
    fails (a constraint on real data, a lock, a full disk), the rows of the INSERT
    stay. The runner then retries the migration (goose and dbmate record nothing;
    Prisma after `migrate resolve --rolled-back`; golang-migrate after `force`): the
    guarded statements pass, and the INSERT meets the rows of the first try and fails
    with 'UNIQUE constraint failed', on every database where the first try got that
    far. The migration cannot complete without hand repair.

    ## Example
    ```sql
    -- migration: 0001_init.sql
    -- +goose Up
    CREATE TABLE user (id integer PRIMARY KEY, name text);
    -- migration: 0002_roles.sql
    -- +goose Up
    -- +goose NO TRANSACTION
    CREATE TABLE IF NOT EXISTS role (user_id integer PRIMARY KEY, name text NOT NULL);
    INSERT INTO role (user_id, name) SELECT id, 'member' FROM user;
    CREATE UNIQUE INDEX IF NOT EXISTS user_name ON user (name);
    ```

    ## Use instead
    ```sql
    -- migration: 0001_init.sql
    -- +goose Up
    CREATE TABLE user (id integer PRIMARY KEY, name text);
    -- migration: 0002_roles.sql
    -- +goose Up
    -- +goose NO TRANSACTION
    CREATE TABLE IF NOT EXISTS role (user_id integer PRIMARY KEY, name text NOT NULL);
    INSERT INTO role (user_id, name) SELECT id, 'member' FROM user WHERE true ON CONFLICT DO NOTHING;
    CREATE UNIQUE INDEX IF NOT EXISTS user_name ON user (name);
    ```

    ## Confirmation
    Before it is reported, a copy of the replayed database is filled with synthetic
    rows, the migration runs up to and including the INSERT (the first try, stopped
    after it), then runs again from the top, under the runner's settings. Reported
    with SQLite's error when the re-run fails at the INSERT; dropped when it passes.

    ## References
    - https://www.sqlite.org/lang_transaction.html
    - https://www.sqlite.org/lang_upsert.html
    - https://pressly.github.io/goose/documentation/annotations/
    """

    code = "MG008"
    name = "not-rerunnable-after-partial-failure"
    severity = "warning"
    kinds = frozenset({StatementKind.INSERT})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one INSERT."""
        timeline = ctx.timeline
        m = ctx.migration_index
        shape = timeline.memo(("rerun", m), lambda: _rerun_shape(timeline, m))
        if shape is None or shape.first_blocker != ctx.step_index:
            return  # guarded, or the retry already stops earlier (`table already exists`)
        if shape.last_real is None or shape.last_real <= ctx.step_index:
            return  # a failing last statement leaves nothing of itself behind
        key = unique_key_written(timeline, ctx.step_index)
        if key is None:
            return
        later = timeline.steps[shape.next_real[ctx.step_index]]
        table = ctx.before.table(stmt.tables[0]) if stmt.tables else None
        name = table.name if table is not None else (stmt.tables[0] if stmt.tables else "?")
        facts = InsertNotRerunnable(statement_head(stmt, 80), name, tuple(key),
                                    _why_unwrapped(ctx))
        yield self.report(facts, stmt.span, related=[
            Related("a later statement that may fail", later.statement.span)],
            claim=RerunFails("UNIQUE constraint failed", stmt.index))


@value_class
class _RerunShape:
    """Per migration: the first statement a retry cannot run again, the last one that
    is not a PRAGMA, and for each step the next such statement after it."""

    first_blocker: int | None
    last_real: int | None
    next_real: dict[int, int]


def _rerun_shape(timeline: Timeline, m: int) -> _RerunShape | None:
    """One pass over the migration (seed files hold thousands of INSERTs); None when
    the runner wraps it, or the file runs its own transaction, which decides what a
    failure leaves."""
    if runner_transaction(timeline, m) is not None:
        return None
    start, stop = timeline.boundaries[m], timeline.boundaries[m + 1]
    first: int | None = None
    last: int | None = None
    next_real: dict[int, int] = {}
    pending: list[int] = []
    for index in range(start, stop):
        stmt = timeline.steps[index].statement
        if stmt.kind == "transaction":
            return None
        if stmt.kind != "pragma":
            for earlier in pending:
                next_real[earlier] = index
            pending = []
            last = index
        if first is None and not _runs_again(timeline, index):
            first = index
            pending.append(index)
    return _RerunShape(first, last, next_real)


def _why_unwrapped(ctx: Context) -> str:
    settings = ctx.timeline.history.settings
    runner = settings.runner
    if ctx.migration.source.no_transaction and runner.opt_out:
        return f"the file opts out of {runner.name}'s transaction with {runner.opt_out}"
    if runner.transaction == "none" and settings.transaction == "none":
        return runner.wraps
    return f"`transaction = {settings.transaction}`, {settings.transaction_from}"


def _runs_again(timeline: Timeline, index: int) -> bool:
    """True when statement ``index`` passes a second time after it ran once."""
    step = timeline.steps[index]
    stmt = step.statement
    node = stmt.ddl
    if stmt.kind in _ALWAYS_AGAIN:
        return True
    if stmt.kind == "insert":
        return unique_key_written(timeline, index) is None
    if stmt.kind.startswith("create_"):
        return bool(getattr(node, "if_not_exists", False))
    if isinstance(node, Drop):
        return node.if_exists
    return False
