"""SQ005: DROP COLUMN that SQLite refuses, or that leaves a trigger broken."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.ddl import DropColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.replay import drop_column_check
from migrate_lint.values import value_class

from ._common import statement_head


@value_class
class DropColumnRefused(Facts):
    """``DROP COLUMN table.column`` that SQLite refuses because of ``blocker`` (its
    message; ``certain``: always, else maybe), or that breaks ``trigger``, which then
    fails with ``failure``."""

    statement: str
    table: str
    column: str
    blocker: str | None = None
    certain: bool = True
    trigger: str | None = None
    failure: str | None = None

    def message(self) -> str:
        """What fails, and when."""
        if self.trigger is not None:
            return (f"`{self.statement}` succeeds, but trigger `{self.trigger}` still writes "
                    f"`{self.column}` and fails with '{self.failure}' the next time it fires")
        what = (f"fails with '{self.blocker}' on every database" if self.certain
                else f"may fail on every database: {self.blocker}")
        return f"`{self.statement}` {what}"

    def help(self) -> str:
        """What to change first."""
        if self.trigger is not None:
            return f"drop or recreate trigger `{self.trigger}` without `{self.column}` first"
        return ("drop or change what uses the column first (index, view, trigger, "
                "constraint), or rebuild the table without it")


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
            facts = DropColumnRefused(statement_head(stmt), table.name, node.column,
                                      blocker=found.message, certain=found.certain)
            yield self.report(facts, node.column_span, related=related)
            return
        from migrate_lint.resolve import broken_triggers  # the triggers' reader: drops only

        for trigger, failure in broken_triggers(ctx.before, table, node.column):
            facts = DropColumnRefused(statement_head(stmt), table.name, node.column,
                                      trigger=trigger.name, failure=failure)
            yield self.report(facts, node.column_span, related=[
                Related(f"trigger `{trigger.name}` created here", trigger.origin.span)])
