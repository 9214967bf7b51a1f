"""DL002: ALTER TABLE ... DROP COLUMN of a column that holds users' data."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate_lint.ddl import DropColumn
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
class ColumnDropped(Facts):
    """``DROP COLUMN`` of ``table.column``, which holds users' data and older builds use."""

    statement: str
    table: str
    column: str

    def message(self) -> str:
        """The values go, and older builds fail."""
        return (f"`{self.statement}` deletes every value of `{self.table}.{self.column}` on "
                f"every database this migration runs on; older builds still using "
                f"`{self.column}` fail with 'no such column: {self.column}'")

    def help(self) -> str:
        """Two releases."""
        return ("stop using the column in one release and drop it in a later one, once no "
                "running build reads or writes it; if the data must go now, say so in a "
                "suppression with the reason")


class DropColumnRule(Rule):
    """Dropping a column that existed before the migration, with its values.

    ## What it does
    Reports `ALTER TABLE t DROP COLUMN c` when `c` existed before this migration (a
    column added, or a table created, earlier in the same migration holds nothing yet),
    unless an `UPDATE` or `INSERT ... SELECT` earlier in the migration moved its values
    elsewhere.
    A drop SQLite refuses is SQ005's, not this rule's.

    ## Why is this bad?
    The values of `c` are deleted on every database the migration runs on. Older
    builds of the application still running against the same file fail with
    'no such column: c' (or 'table t has no column named c' on insert) the next time
    they read or write it.

    ## Example
    ```sql
    CREATE TABLE project (id text PRIMARY KEY, icon_url text);
    -- migration
    ALTER TABLE project DROP COLUMN icon_url;
    ```

    ## Use instead
    ```sql
    CREATE TABLE project (id text PRIMARY KEY, icon_url text);
    -- migration
    ALTER TABLE project ADD icon text;
    UPDATE project SET icon = icon_url;
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabdropcol
    """

    code = "DL002"
    name = "drop-column"
    severity = "warning"
    kinds = frozenset({StatementKind.ALTER_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one DROP COLUMN."""
        node = accepted(stmt, ctx, DropColumn)
        if node is None:
            return
        found = preexisting_column(ctx, node.table, node.column)
        if found is None:
            return
        table, column = found
        copied = _copied_earlier(ctx, table.name, column.name)
        if copied:
            return  # its values were moved elsewhere first: a data move, not a loss
        yield self.report(ColumnDropped(statement_head(stmt), table.name, column.name),
                          node.column_span, related=[column_made_here(table, column)])


def _copied_earlier(ctx: Context, table: str, column: str) -> bool:
    """True when an earlier INSERT ... SELECT or UPDATE of this migration reads ``column``
    (into another column or table) before it is dropped."""
    word = re.compile(rf"(?<![\w$]){re.escape(column)}(?![\w$])", re.I)
    start = ctx.timeline.boundaries[ctx.migration_index]
    for write in ctx.timeline.writes:
        if not start <= write.step < ctx.step_index or write.kind == "delete":
            continue
        text = ctx.timeline.steps[write.step].statement.text
        if write.kind == "update" and column.lower() in (c.lower() for c in write.columns) and (
                write.table.lower() == table.lower()):
            continue  # setting the column itself
        if word.search(text) and (write.kind == "update" or " select " in " ".join(
                text.lower().split()).join("  ")):
            return True
    return False

