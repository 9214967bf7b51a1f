"""NN003: a table copy that can put NULL into a NOT NULL column of the new table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from migrate_lint.claims import StatementFails
from migrate_lint.engine import Context, Rule
from migrate_lint.facts.nulls import column_may_be_null
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Column, Table
from migrate_lint.span import Span
from migrate_lint.sqlglot_api.dml import update_assignments
from migrate_lint.sqlglot_api.nulls import (
    null_reason,
    where_not_null_columns,
)
from migrate_lint.values import value_class

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.model import FixContext, Plan

from ._common import (
    copied_value_span,
    created_here,
    fails_on_data,
    fill_for,
    no_fill,
    old_rows_copy,
)
from ._rebuild import column_names


@value_class(kw_only=True)
class NullCopiedIntoNotNull(Facts):
    """The copy into ``table`` (a table of this migration, from ``source_table``) puts
    NULL into NOT NULL ``column``: ``reason`` ``omitted`` (the copy leaves it out, no
    default), ``null-literal``, or ``nullable-source`` (copies ``source_column``, which
    may hold NULL); ``default`` is the column's, if it has one; ``position`` the value's
    place in a copy without a column list (from 0; -1: the copy names its columns)."""

    table: str
    column: str
    source_table: str
    source_column: str = ""
    reason: str
    default: str | None = None
    position: int = -1
    # the copy's other nullable sources into NOT NULL columns: (column, source table,
    # source column, default, position) each, after ``column`` in the table's order
    more: tuple[tuple[str, str, str, str | None, int], ...] = ()

    def parts(self) -> tuple[NullCopiedIntoNotNull, ...]:
        """One facts per column, as `fix` corrects and proves them one by one."""
        return (replace(self, more=()), *(
            replace(self, column=c, source_table=t, source_column=sc, default=d, position=p,
                    more=()) for c, t, sc, d, p in self.more))

    def message(self) -> str:
        """Where the copy fails."""
        if self.more:
            pairs = [(self.column, self.source_table, self.source_column),
                     *((c, t, s) for c, t, s, _d, _p in self.more)]
            listed = ", ".join(f"`{t}.{s}` into `{c}`" for c, t, s in pairs[:6])
            rest = f" and {len(pairs) - 6} more" if len(pairs) > 6 else ""
            sources = sorted({t for _c, t, _s in pairs})
            where = " or ".join(f"`{t}`" for t in sources)
            return (f"the copy into `{self.table}` copies {len(pairs)} nullable columns into "
                    f"NOT NULL ones with no COALESCE and no backfill ({listed}{rest}): it "
                    f"fails with 'NOT NULL constraint failed: {self.table}.<column>' on every "
                    f"database where a row of {where} holds NULL in one of them; passes on "
                    "an empty one")
        if self.reason == "omitted":
            what = f"omits `{self.column}`, NOT NULL without a default"
        elif self.reason == "null-literal":
            what = f"copies NULL into `{self.column}`, which is NOT NULL"
        else:
            what = (f"copies nullable `{self.source_table}.{self.source_column}` into "
                    f"`{self.column}` (NOT NULL) with no COALESCE and no backfill")
        where = (f"`{self.source_table}` has rows" if self.reason != "nullable-source"
                 else f"a row of `{self.source_table}` holds NULL there")
        return fails_on_data(f"the copy into `{self.table}` {what}: it",
                             f"NOT NULL constraint failed: {self.table}.{self.column}", where)

    def help(self) -> str:
        """COALESCE, or a backfill first."""
        return ("copy `COALESCE(value, <default>)`, or backfill the source column with an "
                "UPDATE before the copy")


class NotNullWithoutBackfill(Rule):
    """A rebuild's copy can produce NULL for a column the new table declares NOT NULL.

    ## What it does
    Looks at `INSERT INTO new_t (...) SELECT ... FROM t`, where `new_t` was created in
    this migration and `t` existed before it (the copy step of a table rebuild); without
    a column list, the select list fills `new_t`'s columns in order, as SQLite fills
    them (its `CREATE TABLE` in this migration fixes that order). It
    reports a NOT NULL column of `new_t` that the copy omits while it has no DEFAULT,
    or fills from a nullable column of `t` (or a NULL literal) without
    `COALESCE`/`IFNULL` and without an earlier `UPDATE` in the same migration that
    backfilled that column (one that sets it to NULL does not). A column the copy's
    WHERE keeps non-NULL (`x IS NOT NULL`, or a comparison such as `x <> ''` in its
    top-level AND chain, which is NULL, not true, for a NULL `x`) is not nullable
    there, and a generated column is nullable only where its expression can be
    (`id * 2` over a rowid alias cannot). A copy's nullable sources are one warning
    (a rebuild that tightens several columns is one decision), naming each; an
    omitted column or a NULL literal is an error of its own. `fix` corrects each
    value.

    ## Why is this bad?
    On every database where one row of `t` holds NULL in that column (or where `t`
    has any row, for an omitted column) the copy fails with "NOT NULL constraint
    failed" and the migration stops; on a fresh database the table is empty and it
    passes. A DEFAULT on the new column does not help: the copy writes an explicit
    NULL, and defaults only apply to omitted columns.

    ## Example
    ```sql
    CREATE TABLE workspace (id text PRIMARY KEY, name text);
    -- migration
    CREATE TABLE new_workspace (id text PRIMARY KEY, name text DEFAULT '' NOT NULL);
    INSERT INTO new_workspace (id, name) SELECT id, name FROM workspace;
    DROP TABLE workspace;
    ALTER TABLE new_workspace RENAME TO workspace;
    ```

    ## Use instead
    ```sql
    CREATE TABLE workspace (id text PRIMARY KEY, name text);
    -- migration
    CREATE TABLE new_workspace (id text PRIMARY KEY, name text DEFAULT '' NOT NULL);
    INSERT INTO new_workspace (id, name) SELECT id, coalesce(name, '') FROM workspace;
    DROP TABLE workspace;
    ALTER TABLE new_workspace RENAME TO workspace;
    ```

    ## Fix safety
    The fix wraps the copied value in `COALESCE(value, default)` (the new column's
    DEFAULT; or asks for a value when there is none; in a copy without a column list,
    the value at the column's place): unsafe, since it decides what
    existing NULLs become. Its facts (`NullCopiedIntoNotNull`): `table` (the new
    table), `column`, `source_table`, `source_column` (empty when omitted), `reason`
    (`omitted`, `nullable-source` or `null-literal`), `default` (the new column's
    DEFAULT text, when it has one), `position` (the value's place in a copy without a
    column list, from 0; -1 otherwise).

    ## Confirmation
    The copy runs on synthetic rows (NULLs wherever the source allows them) before it
    is reported, and the finding quotes SQLite's error. A value that is missing
    altogether fails on every database whose source table has rows: an error. A
    nullable source column fails only where a NULL is stored, which only the data can
    tell: a warning that says so. Not reproduced on synthetic rows: kept as a warning
    marked "could not confirm".

    ## References
    - https://www.sqlite.org/lang_altertable.html#otheralter
    - https://www.sqlite.org/lang_createtable.html#the_not_null_constraint
    """

    code = "NN003"
    name = "not-null-without-backfill"
    severity = "error"
    unconfirmed = "warn"
    kinds = frozenset({StatementKind.INSERT})
    fix_title = "Wrap the copied value in COALESCE with the column's default"

    # cc: each early return is a precision case found on real histories; kept in one reading order
    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one INSERT."""
        copy = old_rows_copy(ctx)
        if copy is None:
            return  # `SELECT *` or VALUES inserts (RB004 / NN002), or no rebuild's copy
        shape, values, target, sources, old = (copy.shape, copy.values, copy.target,
                                               copy.sources, copy.old)
        # Without a column list SQLite fills the table's columns in order (all but
        # generated ones); the table made in this migration has that order on every
        # database, as its CREATE TABLE wrote it.
        positional = shape.columns is None
        if positional and any(c.hidden for c in target.columns):
            return
        filled = shape.columns if shape.columns is not None else column_names(target)
        if len(filled) != len(values):
            return  # arity mismatch: NN002 reports it
        given = {c.lower(): v for c, v in zip(filled, values, strict=True)}

        def resolve(qualifier: str | None, name: str) -> tuple[Table, Column] | None:
            if qualifier is not None:
                table = sources.get(qualifier.lower())
                col = table.column(name) if table is not None else None
                return (table, col) if table is not None and col is not None else None
            for table in sources.values():
                col = table.column(name)
                if col is not None:
                    return table, col
            return None

        def backfilled(table: Table, col: Column) -> bool:
            return any(
                s.migration == ctx.migration_index and not _sets_null(s.statement, col.name)
                for s in ctx.timeline.backfills(table.name, col.name, ctx.step_index)
            )

        guarded = where_not_null_columns(stmt.ast)

        def nullable(qualifier: str | None, name: str) -> bool:
            if name.lower() in guarded:
                return False
            found = resolve(qualifier, name)
            if found is None:
                return False
            table, col = found
            # (no UPDATE sets a generated column: it is never backfilled)
            return column_may_be_null(table, col) and not backfilled(table, col)

        nullable_copies: list[tuple[NullCopiedIntoNotNull, Span, list[Related]]] = []
        for col in target.columns:
            if not col.notnull or col.generated or col.hidden:
                continue
            if col.pk and target.rowid_alias == col.name:
                continue  # INTEGER PRIMARY KEY: omitted means a new rowid
            value = given.get(col.name.lower())
            source_table = old[0].name
            if value is None:
                if col.has_default:
                    continue
                reason, source_column = "omitted", ""
            else:
                why = null_reason(value, nullable)
                if why is None or why.kind not in ("column", "null"):
                    continue
                if why.kind == "null":
                    reason, source_column = "null-literal", ""
                else:
                    assert why.column is not None
                    found = resolve(*why.column)
                    assert found is not None
                    source_table, source_column = found[0].name, found[1].name
                    reason = "nullable-source"
            related = [Related(f"`{target.name}.{col.name}` declared NOT NULL here",
                               col.origin.span)]
            src = ctx.before.table(source_table)
            if src is not None:
                related.append(created_here(src))
            facts = NullCopiedIntoNotNull(
                table=target.name, column=col.name, source_table=source_table,
                source_column=source_column, reason=reason,
                default=col.default if col.has_default else None,
                position=filled.index(col.name.lower()) if positional else -1)
            span = (copied_value_span(stmt, col.name, filled if positional else None)
                    if value is not None else stmt.span)
            if reason == "nullable-source":
                nullable_copies.append((facts, span, related))
                continue
            # A missing value fails wherever the source has a row: an error. SQLite
            # names the first column that fails, which must be this one to confirm it.
            yield self.report(facts, span, related=related, claim=StatementFails(
                f"NOT NULL constraint failed: {target.name}.{col.name}"))
        if nullable_copies:
            yield self._nullable(target.name, nullable_copies)

    def _nullable(self, table: str,
                  copies: list[tuple[NullCopiedIntoNotNull, Span, list[Related]]]) -> Finding:
        """One warning for the copy's nullable sources into NOT NULL columns: each fails
        only where a NULL is stored, which only the data can say, and they are one
        decision (a rebuild that tightens columns); SQLite names the first that fails."""
        (first, span, related), rest = copies[0], copies[1:]
        facts = replace(first, more=tuple(
            (f.column, f.source_table, f.source_column, f.default, f.position)
            for f, _s, _r in rest))
        return self.report(
            facts, span, related=related, severity="warning", claim=StatementFails(
                f"NOT NULL constraint failed: {table}.{first.column}",
                tuple(f"NOT NULL constraint failed: {table}.{f.column}" for f, _s, _r in rest)))

    def fix(self, facts: NullCopiedIntoNotNull, ctx: FixContext) -> Plan:
        """COALESCE the copied value with the column's DEFAULT (or ``--set``), or copy
        the value into the column the copy omits."""
        from migrate_lint.fix.expect import NoNulls
        from migrate_lint.fix.inplace import copy_value, copy_value_at
        from migrate_lint.fix.model import Plan

        table, column, source = facts.table, facts.column, facts.source_table
        given = ctx.given(table, column) or (ctx.given(source, column) if source else None)
        fill = fill_for(given, facts.default)
        if fill is None:
            return no_fill(self.code, table, column, source or table)
        value = fill.value
        where = f"`{table}.{column}` in {ctx.migration}"
        title = (f"Copy {value} into the omitted {where}" if facts.reason == "omitted"
                 else f"Wrap the value copied into {where} in coalesce(..., {value})")
        assert ctx.statement is not None
        # the copy's target is renamed later in a rebuild: the proof reads the source name
        edits = (copy_value_at(ctx.statement, facts.position, value) if facts.position >= 0
                 else copy_value(ctx.statement, ctx.text, column, value))
        return Plan(title, edits=tuple(edits),
                    notes=(fill.note,), expect=NoNulls(),
                    tables=(table, source or table), data_only=True)


def _sets_null(stmt: Statement, column: str) -> bool:
    """An UPDATE that sets ``column`` to the NULL literal: the opposite of a backfill."""
    if stmt.ast is None:
        return False
    for name, value in update_assignments(stmt.ast):
        why = null_reason(value, lambda _q, _n: False) if name.lower() == column.lower() \
            else None
        if why is not None and why.kind == "null":
            return True
    return False
