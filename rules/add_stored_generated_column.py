"""SQ002: ``ADD COLUMN ... GENERATED ALWAYS AS (...) STORED``."""

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
    populated_target,
    statement_head,
)


@value_class(kw_only=True)
class StoredGeneratedColumnAdded(FailsWhenPopulated):
    """``ADD column ... GENERATED ALWAYS AS (...) STORED`` on a table that may hold rows."""

    column: str
    error: str = "cannot add a STORED column"

    def help(self) -> str:
        """VIRTUAL, or a rebuild."""
        return "add it as VIRTUAL, or rebuild the table with the STORED column"


class AddStoredGeneratedColumn(Rule):
    """Adding a STORED generated column to a table that may hold rows.

    ## What it does
    Reports `ALTER TABLE t ADD COLUMN c ... GENERATED ALWAYS AS (expr) STORED` on a
    table that existed before this migration or was filled in it.

    ## Why is this bad?
    SQLite would have to compute and write the value into every existing row, which
    ADD COLUMN never does: it fails with "cannot add a STORED column" on every
    database where the table has rows, and passes on an empty one.

    ## Example
    ```sql
    CREATE TABLE tag (id integer PRIMARY KEY, name text NOT NULL);
    -- migration
    ALTER TABLE tag ADD normalized text GENERATED ALWAYS AS (lower(name)) STORED;
    ```

    ## Use instead
    ```sql
    CREATE TABLE tag (id integer PRIMARY KEY, name text NOT NULL);
    -- migration
    ALTER TABLE tag ADD normalized text GENERATED ALWAYS AS (lower(name)) VIRTUAL;
    ```

    ## Fix safety
    The fix makes the column VIRTUAL (or rebuilds the table when it must be stored):
    safe, reads see the same values. Its facts (`StoredGeneratedColumnAdded`):
    `table`, `column`.

    ## References
    - https://www.sqlite.org/gencol.html
    - https://www.sqlite.org/lang_altertable.html#altertabaddcol
    """

    code = "SQ002"
    name = "add-stored-generated-column"
    severity = "error"
    kinds = frozenset({StatementKind.ALTER_TABLE})
    fix_title = "Rebuild the table with the STORED generated column in its definition"

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE."""
        node = accepted(stmt, ctx, AddColumn)
        if node is None or node.column.generated != "STORED":
            return
        table = populated_target(ctx, node)
        if table is None:
            return
        col = node.column
        facts = StoredGeneratedColumnAdded(
            statement=statement_head(stmt), table=table.name, incomplete=table.incomplete,
            column=col.name)
        yield self.report(facts, col.span, related=[created_here(table)])

    def fix(self, facts: StoredGeneratedColumnAdded, ctx: FixContext) -> Plan:
        """Rebuild the table with the STORED column in its definition, in place of the
        ADD (SQLite computes it for every copied row)."""
        from migrate_lint.fix.expect import StoredGenerated
        from migrate_lint.fix.inplace import replace_statement
        from migrate_lint.fix.model import Plan

        stmt = ctx.statement
        assert stmt is not None and isinstance(stmt.ddl, AddColumn)
        col = stmt.ddl.column
        rebuild = ctx.rebuild_adding(facts.table, facts.column,
                                     ctx.text[col.span.start:col.span.end])
        return Plan(f"Rebuild `{facts.table}` with the STORED column `{facts.column}` in its "
                    f"definition ({ctx.migration})",
                    edits=(replace_statement(stmt, ctx.text, rebuild.statements),),
                    notes=("The generated column is never copied into: SQLite computes it for "
                           "every copied row.", *rebuild.assumptions),
                    expect=StoredGenerated(col.generated_expr))
