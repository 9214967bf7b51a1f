"""DL001: DROP TABLE of a table that holds users' data."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate_lint.ddl import CreateTable
from migrate_lint.engine import Context, Rule
from migrate_lint.facts.inserts import shape_at
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.replay import Timeline
from migrate_lint.schema import Table
from migrate_lint.values import value_class

from ._common import created_here, dropped_table, emptied_by, statement_head
from ._fk import statement_at


@value_class
class TableDropped(Facts):
    """``DROP TABLE table``, which holds users' rows and older builds use."""

    statement: str
    table: str

    def message(self) -> str:
        """The rows go, and older builds fail."""
        return (f"`{self.statement}` deletes `{self.table}` and every row in it on every "
                "database this migration runs on; older builds still using "
                f"`{self.table}` fail with 'no such table: {self.table}'")

    def help(self) -> str:
        """Keep a copy, drop later."""
        return ("copy the rows somewhere that outlives the migration first and drop the "
                "table in a later release; if the data really must go, say so in a "
                "suppression with the reason")


class DropTable(Rule):
    """Dropping a table that existed before the migration, with its rows.

    ## What it does
    Reports `DROP TABLE t` when `t` existed before this migration and the migration
    does not keep its rows elsewhere: a rebuild (`INSERT INTO new_t SELECT ... FROM t`,
    `DROP TABLE t`, `ALTER TABLE new_t RENAME TO t`) and a copy into a table that
    outlives the migration, or a move of its data into other tables (an `INSERT` or
    `UPDATE` earlier in the migration that reads it), are not reported, nor are
    temporary tables and tables created in the same migration (backups and scratch
    copies hold no data of their own).

    ## Why is this bad?
    Every row of `t` is deleted on every database the migration runs on, and older
    builds of the application still running against the same file fail with
    'no such table' the next time they read or write it.

    ## Example
    ```sql
    CREATE TABLE session_share (id text PRIMARY KEY, url text);
    -- migration
    DROP TABLE session_share;
    ```

    ## Use instead
    ```sql
    CREATE TABLE session_share (id text PRIMARY KEY, url text);
    -- migration
    CREATE TABLE __new_session_share (id text PRIMARY KEY, url text NOT NULL DEFAULT '');
    INSERT INTO __new_session_share (id, url) SELECT id, coalesce(url, '') FROM session_share;
    DROP TABLE session_share;
    ALTER TABLE __new_session_share RENAME TO session_share;
    ```

    ## References
    - https://www.sqlite.org/lang_droptable.html
    """

    code = "DL001"
    name = "drop-table"
    severity = "warning"
    kinds = frozenset({StatementKind.DROP_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one DROP TABLE."""
        table = dropped_table(stmt, ctx)
        if table is None:
            return
        if ctx.timeline.created_in(table, ctx.migration_index):
            return
        if emptied_by(ctx, table) is not None or _replaced(ctx, table):
            return  # DL003 reports the emptying; a rebuild keeps the name
        if _kept(ctx, table, ctx.step_index, 0):
            return
        if _read_earlier(ctx, table):
            return  # its rows were moved into other tables: a data move, not a loss
        yield self.report(TableDropped(statement_head(stmt), table.name), stmt.span,
                          related=[created_here(table)])


def _replaced(ctx: Context, table: Table) -> bool:
    """True when a table made in this migration takes ``table``'s name by its end, by
    a rename (a rebuild) or after being filled from a copy."""
    end = ctx.timeline.after_migration(ctx.migration_index)
    stop = ctx.timeline.boundaries[ctx.migration_index + 1]
    new = end.table(table.name)
    if new is None or not ctx.timeline.created_in(new, ctx.migration_index):
        return False
    made = statement_at(ctx.timeline.history, new.origin)
    renamed = made is not None and isinstance(made.ddl, CreateTable) and (
        made.ddl.name.lower() != table.name.lower())
    return renamed or not ctx.timeline.is_empty_new(new, ctx.migration_index, stop)


def _read_earlier(ctx: Context, table: Table) -> bool:
    """True when an earlier data statement of this migration reads ``table``."""
    word = re.compile(rf"(?<![\w$]){re.escape(table.name)}(?![\w$])", re.I)
    start = ctx.timeline.boundaries[ctx.migration_index]
    for step in ctx.timeline.steps[start:ctx.step_index]:
        target = step.statement.tables[0].lower() if step.statement.tables else ""
        if step.statement.kind in ("insert", "update") and target != table.name.lower() and (
                word.search(step.statement.text)):
            return True
    return False


def _kept(ctx: Context, table: Table, before_step: int, depth: int) -> bool:
    """True when this migration copied ``table``'s rows, before ``before_step``, into a
    table that outlives the migration (directly or through further copies)."""
    if depth > 4:
        return False
    timeline = ctx.timeline
    start = timeline.boundaries[ctx.migration_index]
    stop = timeline.boundaries[ctx.migration_index + 1]
    end = timeline.after_migration(ctx.migration_index)
    for index in range(start, before_step):
        step = timeline.steps[index]
        source = step.before.table(table.name)
        if source is None or source.origin != table.origin:
            continue  # another table then carried this name
        target = _copy_target(timeline, index, table.name)
        if target is None:
            continue
        copy = step.after.table(target)
        if copy is None or copy.origin == table.origin:
            continue
        if end.version_of(copy) is not None:
            return True
        # a copy of a copy (backup, drop, re-create, restore): follow it
        if _kept(ctx, copy, stop, depth + 1):
            return True
    return False


def _copy_target(timeline: Timeline, index: int, source: str) -> str | None:
    """The table the statement at ``index`` copies ``source``'s rows into, if it is
    such a copy."""
    stmt = timeline.steps[index].statement
    low = source.lower()
    if isinstance(stmt.ddl, CreateTable) and stmt.ddl.as_select is not None:
        word = re.compile(rf"(?<![\w$]){re.escape(low)}(?![\w$])", re.I)
        return stmt.ddl.name if word.search(stmt.ddl.as_select) else None
    if stmt.kind != "insert":
        return None
    shape = shape_at(timeline, index)
    if shape is None or not shape.select or shape.table.lower() == low:
        return None
    if any(name.lower() == low for _alias, name in shape.sources):
        return shape.table
    return None
