"""NN005: ``ADD COLUMN`` with a default SQLite cannot compute once for existing rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migrate_lint.ddl import AddColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.facts.literals import is_constant_default
from migrate_lint.findings import Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.values import value_class

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.model import FixContext, Plan

from ._common import (
    FailsWhenPopulated,
    accepted,
    constant_default,
    created_here,
    default_by_update,
    populated_target,
    statement_head,
)


@value_class(kw_only=True)
class NonConstantDefaultAdded(FailsWhenPopulated):
    """``ADD column ... DEFAULT default`` where SQLite cannot compute the default once
    (``default_kind`` ``time`` for CURRENT_*, ``expr`` for an expression)."""

    column: str
    default: str
    default_kind: str
    error: str = "Cannot add a column with non-constant default"

    def help(self) -> str:
        """Add it without the default and set existing rows."""
        return "add the column without the default, then set existing rows with an UPDATE"


class NonConstantDefaultOnAdd(Rule):
    """Adding a column whose DEFAULT is not a constant.

    ## What it does
    Reports `ALTER TABLE t ADD COLUMN c ... DEFAULT x` where `x` is `CURRENT_TIME`,
    `CURRENT_DATE`, `CURRENT_TIMESTAMP` or a parenthesised expression that is not a
    plain literal (`(datetime('now'))`, `(1 + 2)`), on a table that may hold rows.
    A parenthesised literal such as `(0)` or `('x')` is constant and not reported.

    ## Why is this bad?
    SQLite refuses it with "Cannot add a column with non-constant default" on every
    database where the table holds a row; on an empty table it succeeds, so the
    migration passes in development and fails on users' databases.

    ## Example
    ```sql
    CREATE TABLE note (id integer PRIMARY KEY, body text);
    -- migration
    ALTER TABLE note ADD created_at text DEFAULT CURRENT_TIMESTAMP;
    ```

    ## Use instead
    ```sql
    CREATE TABLE note (id integer PRIMARY KEY, body text);
    -- migration
    ALTER TABLE note ADD created_at text;
    UPDATE note SET created_at = CURRENT_TIMESTAMP;
    ```

    ## Fix safety
    The fix adds the column without the default and backfills it with the expression
    (rebuilding the table when the default must stay for future inserts): safe for
    existing rows, which get the value the default would have given them at migration
    time. Its facts (`NonConstantDefaultAdded`): `table`, `column`, `default` (the
    default's text), `default_kind` (`time` or `expr`).

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabaddcol
    """

    code = "NN005"
    name = "non-constant-default-on-add"
    severity = "error"
    kinds = frozenset({StatementKind.ALTER_TABLE})
    fix_title = "Add the column without the default and backfill it with an UPDATE"

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE."""
        node = accepted(stmt, ctx, AddColumn)
        if node is None:
            return
        col = node.column
        if col.default is None or col.generated:
            return
        if col.default_kind == "expr" and is_constant_default(col.default):
            return
        if col.default_kind not in ("time", "expr"):
            return
        table = populated_target(ctx, node)
        if table is None:
            return
        facts = NonConstantDefaultAdded(
            statement=statement_head(stmt), table=table.name, incomplete=table.incomplete,
            column=col.name, default=col.default, default_kind=col.default_kind)
        yield self.report(facts, col.default_span or col.span, related=[created_here(table)])

    def fix(self, facts: NonConstantDefaultAdded, ctx: FixContext) -> Plan:
        """Add the column with a constant default (NULL where it may be), set existing
        rows with an UPDATE of the author's expression, and restore that default in a
        follow-up rebuild."""
        from migrate_lint.fix.expect import NoNulls
        from migrate_lint.fix.inplace import drop_default, replace_default

        stmt = ctx.statement
        assert stmt is not None and isinstance(stmt.ddl, AddColumn)
        col = stmt.ddl.column
        assert col.default is not None
        notes = [f"Existing rows get {col.default}, evaluated once by the UPDATE, as the "
                 "default would have given them."]
        if col.notnull:
            value = constant_default(ctx.given(facts.table, facts.column), col.type)
            first = replace_default(stmt, col, value)
            notes.append(f"`{facts.column}` is NOT NULL: it is added with DEFAULT {value} "
                         "(a constant SQLite accepts) before the UPDATE.")
        else:
            first = drop_default(stmt, ctx.text, col)
        return default_by_update(
            ctx, facts.table, col, first,
            f"Add `{facts.table}.{facts.column}` in {ctx.migration} with a constant default, "
            f"then set it to {col.default} with an UPDATE", tuple(notes),
            NoNulls(default=col.default))
