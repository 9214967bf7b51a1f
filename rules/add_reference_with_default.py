"""SQ003: ``ADD COLUMN ... REFERENCES`` with a non-NULL default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migrate_lint.ddl import AddColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.values import value_class

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.model import FixContext, Plan

from ._common import (
    FailsWhenPopulated,
    accepted,
    created_here,
    default_by_update,
    is_null_default,
    populated_target,
    statement_head,
)


@value_class(kw_only=True)
class ReferenceWithDefaultAdded(FailsWhenPopulated):
    """``ADD column ... REFERENCES parent DEFAULT default`` with a non-NULL default."""

    column: str
    default: str
    parent: str
    error: str = "Cannot add a REFERENCES column with non-NULL default value"
    condition: str = " and foreign keys are on"

    def help(self) -> str:
        """NULL first, then the value."""
        return "add the column without a default (NULL), then set it with an UPDATE"


class AddReferenceWithDefault(Rule):
    """Adding a foreign-key column whose DEFAULT is not NULL.

    ## What it does
    Reports `ALTER TABLE t ADD COLUMN c ... REFERENCES p(id) DEFAULT x` with `x` not
    NULL, on a table that may hold rows.

    ## Why is this bad?
    With `PRAGMA foreign_keys=ON` (which most applications set on every connection)
    SQLite refuses it with "Cannot add a REFERENCES column with non-NULL default
    value" on every database where the table has rows, since it cannot check the
    default against the parent for every existing row. It passes on an empty table
    and wherever foreign keys are off, so it depends on the connection that migrates.

    ## Example
    ```sql
    CREATE TABLE list (id integer PRIMARY KEY);
    CREATE TABLE item (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE item ADD list_id integer REFERENCES list(id) DEFAULT 1;
    ```

    ## Use instead
    ```sql
    CREATE TABLE list (id integer PRIMARY KEY);
    CREATE TABLE item (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE item ADD list_id integer REFERENCES list(id);
    UPDATE item SET list_id = 1;
    ```

    ## Fix safety
    The fix adds the column without the default and backfills it with an UPDATE
    (rebuilding the table if the default must stay for future inserts): safe when the
    parent row exists, which the UPDATE then checks. Its facts
    (`ReferenceWithDefaultAdded`): `table`, `column`, `default`, `parent` (the
    referenced table).

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabaddcol
    - https://www.sqlite.org/foreignkeys.html
    """

    code = "SQ003"
    name = "add-reference-with-default"
    severity = "error"
    kinds = frozenset({StatementKind.ALTER_TABLE})
    fix_title = "Add the column without the default and backfill it with an UPDATE"

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE."""
        node = accepted(stmt, ctx, AddColumn)
        if node is None:
            return
        col = node.column
        if col.references is None or is_null_default(col) or col.default is None:
            return
        table = populated_target(ctx, node)
        if table is None:
            return
        facts = ReferenceWithDefaultAdded(
            statement=statement_head(stmt), table=table.name, incomplete=table.incomplete,
            column=col.name, default=col.default, parent=col.references.parent)
        yield self.report(facts, col.default_span or col.span, related=[created_here(table)])

    def fix(self, facts: ReferenceWithDefaultAdded, ctx: FixContext) -> Plan:
        """Add the column with DEFAULT NULL, set existing rows with an UPDATE (which checks
        the parent row), and restore the default in a follow-up rebuild."""
        from migrate_lint.fix.expect import HoldsValue
        from migrate_lint.fix.inplace import drop_default
        from migrate_lint.fix.model import Plan

        stmt = ctx.statement
        assert stmt is not None and isinstance(stmt.ddl, AddColumn)
        col = stmt.ddl.column
        if col.notnull or col.default is None:
            return Plan(f"{self.code} on `{facts.table}.{facts.column}`", refused=(
                f"`{facts.column}` is NOT NULL: it cannot be added without its default; "
                "rebuild the table by hand with the column in its definition"))
        return default_by_update(
            ctx, facts.table, col, drop_default(stmt, ctx.text, col),
            f"Add `{facts.table}.{facts.column}` in {ctx.migration} with DEFAULT NULL, then "
            f"set it to {col.default} with an UPDATE",
            (f"The UPDATE checks (foreign keys on) that the parent row {facts.parent} "
             f"{col.default} exists.",), HoldsValue(facts.default))
