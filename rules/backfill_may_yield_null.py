"""NN004: an UPDATE that can set a NOT NULL column to NULL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migrate_lint.engine import Context, Rule
from migrate_lint.facts.nulls import column_may_be_null
from migrate_lint.facts.tables import holds_rows_at
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Table
from migrate_lint.sqlglot_api.dml import update_assignments, update_sources
from migrate_lint.sqlglot_api.nulls import (
    exists_guards,
    null_reason,
    unfiltered_subqueries,
    where_not_null_columns,
)
from migrate_lint.values import value_class

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.model import FixContext, Plan

from ._common import (
    assignment_span,
    column_made_here,
    fill_for,
    is_new_and_empty,
    no_fill,
)

_WHY = {
    "null": "is the NULL literal",
    "subquery": "is a scalar subquery, which yields NULL when it finds no row",
    "case": "is a CASE without ELSE, which yields NULL when no WHEN matches",
    "column": "reads a nullable column",
    "nullif": "is a NULLIF, which yields NULL when both sides are equal",
}



@value_class
class NullableBackfill(Facts):
    """``UPDATE table SET column = value`` where ``value`` can be NULL (``reason``: a key
    of ``_WHY``) and ``column`` is NOT NULL; ``default`` is the column's, if it has one."""

    table: str
    column: str
    value: str
    reason: str
    default: str | None = None

    def message(self) -> str:
        """Where the UPDATE fails."""
        shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
        return (f"`{self.table}.{self.column}` is NOT NULL but its new value `{shown}` "
                f"{_WHY[self.reason]}: the UPDATE fails with 'NOT NULL constraint failed: "
                f"{self.table}.{self.column}' on every database with such a row")

    def help(self) -> str:
        """COALESCE with the default, or a value the author chooses."""
        if self.default is not None:
            return f"wrap the value in `coalesce(..., {self.default})`"
        return "wrap the value in `coalesce(..., <value for rows without one>)`"


class BackfillMayYieldNull(Rule):
    """An UPDATE sets a NOT NULL column to an expression that can be NULL.

    ## What it does
    Reports `UPDATE t SET c = expr` where `c` is NOT NULL and `expr` can evaluate to
    NULL: a scalar subquery not wrapped in `COALESCE`/`IFNULL`, a nullable column, the
    NULL literal, a `CASE` without `ELSE`, a `NULLIF`. A column read is not reported
    when the UPDATE's WHERE keeps its NULLs out (`IS NOT NULL`, or a comparison in
    the top-level AND chain); a subquery finds a row when the WHERE requires `EXISTS`
    of the same subquery, when it aggregates without GROUP BY (`SELECT CASE WHEN
    count(*) > 0 ...` yields one row), or when it reads, unfiltered, a table an
    `INSERT ... VALUES` earlier in the migration put a row in (a default organisation
    inserted, then every user given it): its value is then what it projects.

    ## Why is this bad?
    On every database holding a row for which the expression is NULL (a user with no
    settings row, a correlated subquery that finds nothing) the UPDATE fails with
    "NOT NULL constraint failed" and the migration stops half applied where the runner
    does not wrap it in a transaction. Development databases, where every row has its
    counterpart, pass.

    ## Example
    ```sql
    CREATE TABLE user (id text PRIMARY KEY);
    CREATE TABLE userSettings (userId text PRIMARY KEY, timezone text NOT NULL);
    -- migration
    ALTER TABLE user ADD timezone text DEFAULT 'UTC' NOT NULL;
    UPDATE user SET timezone = (SELECT timezone FROM userSettings WHERE userSettings.userId = user.id);
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id text PRIMARY KEY);
    CREATE TABLE userSettings (userId text PRIMARY KEY, timezone text NOT NULL);
    -- migration
    ALTER TABLE user ADD timezone text DEFAULT 'UTC' NOT NULL;
    UPDATE user SET timezone = coalesce((SELECT timezone FROM userSettings WHERE userSettings.userId = user.id), 'UTC');
    ```

    ## Fix safety
    The fix wraps the value in `COALESCE(value, <column default>)`: unsafe, because it
    decides what the rows without a value get. Its facts (`NullableBackfill`):
    `table`, `column`, `value`, `reason` (`null`, `subquery`, `case`, `column`,
    `nullif`), `default` (the column's DEFAULT text, when it has one).

    ## References
    - https://www.sqlite.org/lang_update.html
    - https://www.sqlite.org/lang_corefunc.html#coalesce
    """

    code = "NN004"
    name = "backfill-may-yield-null"
    severity = "error"
    kinds = frozenset({StatementKind.UPDATE})
    fix_title = "Wrap the value in COALESCE with the column's default"

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one UPDATE."""
        if stmt.ast is None:
            return
        sources: dict[str, Table] = {}
        for alias, name in update_sources(stmt.ast):
            table = ctx.before.table(name)
            if table is not None:
                sources[alias] = table
        if not sources:
            return
        target = next(iter(sources.values()))
        if target.incomplete or is_new_and_empty(ctx, target):
            return
        # only assignments to NOT NULL columns can fail: most UPDATEs have none, and
        # reading the WHERE's guards costs more than the rest of the rule
        assigned = [(col, value) for col, value in (
            (target.column(name), value) for name, value in update_assignments(stmt.ast))
            if col is not None and col.notnull]
        if not assigned:
            return
        guarded = where_not_null_columns(stmt.ast)
        # subqueries that surely find a row: on the rows an EXISTS of the same subquery
        # keeps, or reading a table this migration has just put a row in (a default
        # organisation inserted, then every user given it)
        guards = exists_guards(stmt.ast) | frozenset(
            key for key, table in unfiltered_subqueries(stmt.ast)
            if holds_rows_at(ctx.timeline, table, ctx.migration_index, ctx.step_index))

        def nullable(qualifier: str | None, name: str) -> bool:
            table = sources.get(qualifier.lower()) if qualifier else target
            if table is None and qualifier:
                table = ctx.before.table(qualifier)
            col = table.column(name) if table is not None else None
            if table is None or col is None:
                return False
            return column_may_be_null(table, col) and name.lower() not in guarded

        for col, value in assigned:
            why = null_reason(value, nullable, guards)
            if why is None:
                continue
            facts = NullableBackfill(
                table=target.name, column=col.name, value=why.text, reason=why.kind,
                default=col.default if col.has_default else None)
            yield self.report(facts, assignment_span(stmt, col.name),
                              related=[column_made_here(target, col)])

    def fix(self, facts: NullableBackfill, ctx: FixContext) -> Plan:
        """COALESCE the assigned value with the column's DEFAULT (or ``--set``)."""
        from migrate_lint.fix.expect import NoNulls
        from migrate_lint.fix.inplace import update_value, wrap_coalesce
        from migrate_lint.fix.model import Plan

        table, column = facts.table, facts.column
        fill = fill_for(ctx.given(table, column), facts.default)
        if fill is None:
            return no_fill(self.code, table, column, table)
        value = fill.value
        assert ctx.statement is not None
        start, end = update_value(ctx.statement, column)
        return Plan(f"Wrap the value assigned to `{table}.{column}` in {ctx.migration} in "
                    f"coalesce(..., {value})",
                    edits=tuple(wrap_coalesce(ctx.statement.path, start, end, ctx.text, value)),
                    notes=(fill.note,), expect=NoNulls(),
                    data_only=True)
