"""DL004: ALTER TABLE ... RENAME COLUMN while older builds still use the old name."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.ddl import RenameColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.values import value_class

from ._common import (
    accepted,
    column_made_here,
    preexisting_column,
    statement_head,
)


@value_class
class ColumnRenamed(Facts):
    """``RENAME COLUMN column TO new`` of ``table``, which older builds still name."""

    statement: str
    table: str
    column: str
    new: str

    def message(self) -> str:
        """Older builds fail."""
        return (f"`{self.statement}`: older builds still running against databases this "
                f"migration ran on fail with 'no such column: {self.column}' on every query "
                f"or insert that names `{self.table}.{self.column}`")

    def help(self) -> str:
        """Expand, then contract."""
        return (f"add `{self.new}` as a new column, write both, and drop `{self.column}` in a "
                "later release once no running build uses it")


class RenameColumnRule(Rule):
    """Renaming a column that older builds of the application still use.

    ## What it does
    Reports `ALTER TABLE t RENAME COLUMN a TO b` when `t.a` existed before this
    migration and no column `a` is back in `t` at the end of the migration.

    ## Why is this bad?
    After the migration, every older build still running against the same database
    file (another process, a rolled-back deploy, a desktop app not yet updated) fails
    with 'no such column: a' on every query and insert that names `a`.

    ## Example
    ```sql
    CREATE TABLE bookmark (id text PRIMARY KEY, url text);
    -- migration
    ALTER TABLE bookmark RENAME COLUMN url TO link;
    ```

    ## Use instead
    ```sql
    CREATE TABLE bookmark (id text PRIMARY KEY, url text);
    -- migration
    ALTER TABLE bookmark ADD link text;
    UPDATE bookmark SET link = url;
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabmvcol
    """

    code = "DL004"
    name = "rename-column"
    severity = "warning"
    kinds = frozenset({StatementKind.ALTER_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one RENAME COLUMN."""
        node = accepted(stmt, ctx, RenameColumn)
        if node is None:
            return
        found = preexisting_column(ctx, node.table, node.old)
        if found is None:
            return
        table, column = found
        end = ctx.timeline.after_migration(ctx.migration_index)
        later = end.version_of(table)
        if later is not None and later.column(node.old) is not None:
            return  # the old name is back by the end of the migration
        yield self.report(ColumnRenamed(statement_head(stmt), table.name, column.name, node.new),
                          stmt.span, related=[column_made_here(table, column)])
