"""DL003: DELETE without WHERE, or with a WHERE that is always true, on a table that holds users' data."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.facts.conditions import always_true
from migrate_lint.facts.inserts import shape_at
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.sqlglot_api.dml import dml_target, where_condition
from migrate_lint.values import value_class

from ._common import created_here, statement_head


@value_class
class EveryRowDeleted(Facts):
    """A DELETE removes every row of ``table`` (``where``: it has an always-true WHERE)."""

    statement: str
    table: str
    where: bool = False

    def message(self) -> str:
        """The data is gone everywhere."""
        why = " (its WHERE is always true)" if self.where else ""
        return (f"`{self.statement}` deletes every row of `{self.table}`{why} on every "
                "database this migration runs on; the data cannot be recovered")

    def help(self) -> str:
        """Keep the rows."""
        return ("keep the rows: give new columns a DEFAULT or backfill them instead of "
                "emptying the table; if the data really must go, say so in a suppression")


class DeleteAllRows(Rule):
    """Deleting every row of a table that existed before the migration.

    ## What it does
    Reports `DELETE FROM t` without WHERE, or with a WHERE that is true whatever the
    rows hold (`WHERE 1`, `WHERE TRUE`, `WHERE 1 = 1`, `WHERE 'a' = 'a'`, `WHERE 1 OR
    x`), when `t` existed before this migration, unless the same migration puts the
    rows back afterwards from a copy it made (`INSERT INTO t SELECT ... FROM backup`,
    with `backup` created in the migration). A WHERE counts as always true only when
    SQLite's three-valued AND/OR/NOT make it true for every value its column-naming
    parts could take, and SQLite itself evaluates each part that names no column
    (deterministic functions only: `WHERE random() > -1` or `WHERE id = id` is not
    reported).

    ## Why is this bad?
    Every row of `t` is lost on every database the migration runs on, with no way
    back. It is often done to make a following `ALTER TABLE ... ADD ... NOT NULL` pass
    (SQLite accepts it on an empty table), which trades a failing migration for
    silent data loss.

    ## Example
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text);
    -- migration
    DELETE FROM session_message;
    ALTER TABLE session_message ADD seq integer NOT NULL;
    ```

    ## Use instead
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text);
    -- migration
    ALTER TABLE session_message ADD seq integer NOT NULL DEFAULT 0;
    ```

    ## References
    - https://www.sqlite.org/lang_delete.html
    """

    code = "DL003"
    name = "delete-all-rows"
    severity = "error"
    kinds = frozenset({StatementKind.DELETE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one DELETE."""
        if stmt.ast is None:
            return
        where = where_condition(stmt.ast)
        if not always_true(where):
            return
        name = dml_target(stmt.ast)
        table = ctx.before.table(name) if name else None
        if table is None or table.temporary or ctx.timeline.created_in(
            table, ctx.migration_index
        ):
            return
        if self._restored(ctx, table.name):
            return
        yield self.report(EveryRowDeleted(statement_head(stmt), table.name, where is not None),
                          stmt.span, related=[created_here(table)])

    @staticmethod
    def _restored(ctx: Context, table: str) -> bool:
        """True when a later statement of the migration refills ``table`` from a copy."""
        stop = ctx.timeline.boundaries[ctx.migration_index + 1]
        for write in ctx.timeline.writes_to(table, ctx.step_index + 1, stop):
            step = ctx.timeline.steps[write.step]
            shape = shape_at(ctx.timeline, write.step)
            if write.kind != "insert" or shape is None or not shape.select:
                continue
            for _alias, source in shape.sources:
                copy = step.before.table(source)
                if copy is not None and ctx.timeline.created_in(copy, ctx.migration_index):
                    return True
        return False
