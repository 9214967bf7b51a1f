"""SQ005: DROP COLUMN that SQLite refuses, or that leaves a trigger broken."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.ddl import DropColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.replay import drop_column_check
from migrate_lint.resolve import broken_triggers

from ._common import statement_head, with_migration


class DropColumnBlocked(Rule):
    """Dropping a column that SQLite refuses to drop, or that a trigger still names.

    ## What it does
    Reports `ALTER TABLE t DROP COLUMN c` when SQLite refuses it: `c` is a PRIMARY KEY
    or UNIQUE column or the last column, or, once `c` is gone, something no longer
    resolves: an index on it (also a partial index's WHERE or an expression), a UNIQUE
    or FOREIGN KEY constraint or a CHECK naming it (also another column's), a generated
    column, a view, or a trigger (on any table) that reads `t.c`: `new.c`/`old.c`, or
    `c` in a WHERE, a SET value or a SELECT over `t`. Names are resolved as SQLite
    does: an alias `AS c`, a string `'c'` or another table's `c` do not count. It also
    reports a drop that succeeds while a trigger still writes `c` (`UPDATE t SET c = 1`,
    `INSERT INTO t (c) ...`, a positional `INSERT INTO t VALUES (...)`).

    ## Why is this bad?
    In the first cases SQLite fails with "cannot drop ... column" or "error in ...
    after drop column" on every database. In the last one the drop succeeds, because
    SQLite does not resolve SET targets and INSERT column lists when it drops a column,
    and the trigger fails with "no such column" or "table t has no column named c" the
    next time it fires: the application breaks later, on the write that fires it.

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
    kinds = frozenset({StatementKind.ALTER_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE."""
        node = stmt.ddl
        if not isinstance(node, DropColumn):
            return
        table = ctx.before.table(node.table)
        if table is None or table.column(node.column) is None:
            return  # SQ007 reports it
        found = drop_column_check(ctx.before, table, node.column)
        if found is not None:
            related = [Related(f"`{table.name}` defined here", table.last_change.span)]
            if found.kind != "table" and found.origin is not None:
                related.append(Related(f"{found.kind} `{found.name}` created here",
                                       found.origin.span))
            what = (f"fails with '{found.message}' on every database" if found.certain
                    else f"may fail on every database: {found.message}")
            yield with_migration(self.finding(
                node.column_span,
                f"`{statement_head(stmt)}` {what}",
                help="drop or change what uses the column first (index, view, trigger, "
                     "constraint), or rebuild the table without it",
                statement=stmt.span,
                migration=ctx.migration.label,
                related=related,
                table=table.name, column=node.column, blocker=found.message,
            ))
            return
        for trigger, failure in broken_triggers(ctx.before, table, node.column):
            yield with_migration(self.finding(
                node.column_span,
                f"`{statement_head(stmt)}` succeeds, but trigger `{trigger.name}` still writes "
                f"`{node.column}` and fails with '{failure}' the next time it fires",
                help=f"drop or recreate trigger `{trigger.name}` without `{node.column}` first",
                statement=stmt.span,
                migration=ctx.migration.label,
                related=[Related(f"trigger `{trigger.name}` created here", trigger.origin.span)],
                table=table.name, column=node.column, trigger=trigger.name, failure=failure,
            ))
