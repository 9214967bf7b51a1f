"""SQ005: DROP COLUMN that SQLite refuses, or that leaves a trigger broken."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate_lint.ddl import DropColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding, Related
from migrate_lint.history import Statement
from migrate_lint.replay import drop_column_blocker
from migrate_lint.schema import Table

from ._common import statement_head, with_migration


class DropColumnBlocked(Rule):
    """Dropping a column that SQLite refuses to drop, or that a trigger still names.

    ## What it does
    Reports `ALTER TABLE t DROP COLUMN c` when `c` is a PRIMARY KEY or UNIQUE column,
    is indexed (also in a partial index's WHERE), appears in a view, a table CHECK or
    FOREIGN KEY, another column's CHECK, a generated column or as `new.c`/`old.c` in a
    trigger; and when a trigger names `c` bare in its body (`UPDATE t SET c = 1`).

    ## Why is this bad?
    In the first cases SQLite fails with "cannot drop ... column" or "error in ...
    after drop column" on every database. In the last one the drop succeeds, because
    SQLite does not check bare names in trigger bodies, and the trigger fails with
    "no such column" the next time it fires: the application breaks later, on the
    write that fires it.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY, email text);
    CREATE UNIQUE INDEX user_email ON user (email);
    -- migration
    ALTER TABLE user DROP COLUMN email;
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY, email text);
    CREATE UNIQUE INDEX user_email ON user (email);
    -- migration
    DROP INDEX user_email;
    ALTER TABLE user DROP COLUMN email;
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabdropcol
    """

    code = "SQ005"
    name = "drop-column-blocked"
    severity = "error"
    kinds = frozenset({"alter_table"})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE."""
        node = stmt.ddl
        if not isinstance(node, DropColumn):
            return
        table = ctx.before.table(node.table)
        if table is None or table.column(node.column) is None:
            return  # SQ007 reports it
        blocker = drop_column_blocker(ctx.before, table, node.column) or _other_column_check(
            table, node.column)
        if blocker is not None:
            yield with_migration(self.finding(
                node.column_span,
                f"`{statement_head(stmt)}` fails with '{blocker}' on every database",
                help="drop or change what uses the column first (index, view, trigger, "
                     "constraint), or rebuild the table without it",
                statement=stmt.span,
                migration=ctx.migration.label,
                related=[Related(f"`{table.name}` defined here", table.last_change.span)],
                table=table.name, column=node.column, blocker=blocker,
            ))
            return
        low = node.column.lower()
        mention = re.compile(rf"(?<![\w$.]){re.escape(low)}(?![\w$])", re.I)
        for trigger in ctx.before.triggers.values():
            if low not in trigger.body_words:
                continue
            if trigger.table.lower() != table.name.lower() and (
                table.name.lower() not in trigger.body_words
            ):
                continue
            body = re.split(r"(?i)\bBEGIN\b", trigger.sql, maxsplit=1)[-1]
            if not mention.search(body):
                continue  # only as new.c / old.c / t.c: covered above
            yield with_migration(self.finding(
                node.column_span,
                f"`{statement_head(stmt)}` succeeds, but trigger `{trigger.name}` still names "
                f"`{node.column}` and fails with 'no such column: {node.column}' the next time "
                f"it fires",
                help=f"drop or recreate trigger `{trigger.name}` without `{node.column}` first",
                statement=stmt.span,
                migration=ctx.migration.label,
                related=[Related(f"trigger `{trigger.name}` created here", trigger.origin.span)],
                table=table.name, column=node.column, trigger=trigger.name,
            ))


def _other_column_check(table: Table, column: str) -> str | None:
    """Why SQLite refuses the drop when a CHECK written on another column names ``column``.

    SQLite checks such a CHECK as a table CHECK (sqlite 3.40: "error in table t after drop
    column: no such column: c"); the dropped column's own CHECK goes with it.
    """
    low = column.lower()
    word = re.compile(rf"(?<![\w$]){re.escape(low)}(?![\w$])", re.I)
    for other in table.columns:
        if other.name.lower() != low and any(word.search(check) for check in other.checks):
            return f"error in table {table.name} after drop column: no such column: {column}"
    return None
