"""DL005: ALTER TABLE ... RENAME TO while older builds still use the old name."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.ddl import Drop, RenameTable
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Table
from migrate_lint.values import value_class

from ._common import accepted, created_here, statement_head


@value_class
class TableRenamed(Facts):
    """``RENAME TO`` of ``table``, which older builds still name."""

    statement: str
    table: str

    def message(self) -> str:
        """Older builds fail."""
        return (f"`{self.statement}`: older builds still running against databases this "
                f"migration ran on fail with 'no such table: {self.table}' on every query or "
                f"insert that names `{self.table}`")

    def help(self) -> str:
        """Keep the old name a while."""
        return ("keep the old name (or a view of that name for readers) until no running "
                "build uses it")


class RenameTableRule(Rule):
    """Renaming a table that older builds of the application still use.

    ## What it does
    Reports `ALTER TABLE t RENAME TO u` when `t` existed before this migration and no
    table `t` exists again at the end of the migration. The rename that completes a
    rebuild (`ALTER TABLE __new_t RENAME TO t`), renames of tables created in the
    same migration, renaming the old table away in a rebuild that re-creates `t`, and
    a rebuild split over two migrations (`u` dropped and `u2` created in one, `u2`
    renamed to `u` in the next) are not reported.

    ## Why is this bad?
    After the migration, every older build still running against the same database
    file fails with 'no such table: t' on every query and insert that names `t`.

    ## Example
    ```sql
    CREATE TABLE share (id text PRIMARY KEY);
    -- migration
    ALTER TABLE share RENAME TO session_share;
    ```

    ## Use instead
    ```sql
    CREATE TABLE share (id text PRIMARY KEY);
    -- migration
    CREATE VIEW session_share AS SELECT * FROM share;
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabrename
    """

    code = "DL005"
    name = "rename-table"
    severity = "warning"
    kinds = frozenset({StatementKind.ALTER_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one RENAME TO."""
        node = accepted(stmt, ctx, RenameTable)
        if node is None:
            return
        table = ctx.before.table(node.table)
        if table is None or table.temporary:
            return
        if ctx.timeline.created_in(table, ctx.migration_index):
            return
        end = ctx.timeline.after_migration(ctx.migration_index)
        if end.table(table.name) is not None:
            return  # the old name is back: a rebuild that renamed the old table away
        if self._replaces(ctx, table, node.new):
            return  # the replacement made in an earlier migration takes the old name back
        yield self.report(TableRenamed(statement_head(stmt), table.name), stmt.span,
                          related=[created_here(table)])

    @staticmethod
    def _replaces(ctx: Context, table: Table, name: str) -> bool:
        """True when a table called ``name`` was dropped since ``table`` was created
        (in its migration or later): ``table`` is its replacement taking the name back."""
        made = ctx.timeline.history.find(table.origin.migration)
        if made is None:
            return False
        for step in ctx.timeline.steps[ctx.timeline.boundaries[made]:ctx.step_index]:
            node = step.statement.ddl
            if isinstance(node, Drop) and node.what == "TABLE" and node.name.lower() == (
                    name.lower()) and step.before.table(name) is not None:
                return True
        return False
