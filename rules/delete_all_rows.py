"""DL003: DELETE without WHERE, or with a WHERE that is always true, on a table that holds users' data."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from functools import lru_cache

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import Statement
from migrate_lint.sqlglot_api import Condition, dml_target, insert_shape, where_condition

from ._common import created_here, statement_head, with_migration

# The values a condition can take in SQLite's three-valued logic.
TRUE, FALSE, NULL = "true", "false", "null"
ANY = frozenset({TRUE, FALSE, NULL})
_NOT = {TRUE: FALSE, FALSE: TRUE, NULL: NULL}


def _and(a: str, b: str) -> str:
    if FALSE in (a, b):
        return FALSE
    return NULL if NULL in (a, b) else TRUE


def _or(a: str, b: str) -> str:
    if TRUE in (a, b):
        return TRUE
    return NULL if NULL in (a, b) else FALSE


@lru_cache(maxsize=256)
def constant_value(text: str) -> str | None:
    """What SQLite makes of a condition that names no column: true, false, null.

    ``None`` when it cannot tell: SQLite refuses the expression as a generated
    column's (a non-deterministic function such as ``random()`` or ``date('now')``,
    a subquery, a parameter, a name it does not know), or it errors or runs long.
    Evaluated by sqlite3 itself in a scratch in-memory database.
    """
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.set_progress_handler(lambda: 1, 100_000)  # a runaway expression is aborted
        setlimit = getattr(conn, "setlimit", None)  # Python >= 3.11
        if setlimit is not None:
            setlimit(sqlite3.SQLITE_LIMIT_LENGTH if hasattr(sqlite3, "SQLITE_LIMIT_LENGTH")
                     else 0, 1_000_000)  # no huge strings or blobs
        conn.execute(f"CREATE TABLE k (_mlint_x, _mlint_v AS ({text}))")
        conn.execute("INSERT INTO k (_mlint_x) VALUES (0)")
        row = conn.execute("SELECT CASE WHEN _mlint_v THEN 'true' WHEN NOT _mlint_v "
                           "THEN 'false' ELSE 'null' END FROM k").fetchone()
        return str(row[0]) if row else None
    except Exception:  # any refusal means: not known to be constant
        return None
    finally:
        conn.close()


def possible_values(cond: Condition) -> frozenset[str]:
    """Every value ``cond`` can take on some row; a leaf naming a column can take any.

    >>> from migrate_lint.sqlglot_api import parse_statement, where_condition
    >>> def values(where):
    ...     return sorted(possible_values(where_condition(parse_statement(f"DELETE FROM t WHERE {where}"))))
    >>> values("1 OR a > 0"), values("'a' = 'a' AND a > 0"), values("NOT (0 AND a)")
    (['true'], ['false', 'null', 'true'], ['true'])
    """
    if cond.op == "leaf":
        value = constant_value(cond.text) if cond.text is not None else None
        return ANY if value is None else frozenset({value})
    if cond.op == "not":
        return frozenset(_NOT[v] for v in possible_values(cond.parts[0]))
    combine = _and if cond.op == "and" else _or
    left, right = (possible_values(p) for p in cond.parts)
    return frozenset(combine(a, b) for a in left for b in right)


def always_true(cond: Condition | None) -> bool:
    """True when a WHERE is missing, or true on every row whatever the columns hold."""
    return cond is None or possible_values(cond) == {TRUE}


class DeleteAllRows(Rule):
    """Deleting every row of a table that existed before the migration.

    ## What it does
    Reports `DELETE FROM t` without WHERE, or with a WHERE that is true whatever the
    rows hold (`WHERE 1`, `WHERE TRUE`, `WHERE 1 = 1`, `WHERE 'a' = 'a'`, `WHERE 1 OR
    x`), when `t` existed before this migration, unless the same migration puts the
    rows back afterwards from a copy it made (`INSERT INTO t SELECT ... FROM backup`,
    with `backup` created in the migration). A WHERE counts as always true only when
    SQLite's three-valued AND/OR/NOT make it true for every value its column-naming
    parts could take, and SQLite itself evaluates each part that names no column
    (deterministic functions only: `WHERE random() > -1` or `WHERE id = id` is not
    reported).

    ## Why is this bad?
    Every row of `t` is lost on every database the migration runs on, with no way
    back. It is often done to make a following `ALTER TABLE ... ADD ... NOT NULL` pass
    (SQLite accepts it on an empty table), which trades a failing migration for
    silent data loss.

    ## Example
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text);
    -- migration
    DELETE FROM session_message;
    ALTER TABLE session_message ADD seq integer NOT NULL;
    ```

    ## Use instead
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text);
    -- migration
    ALTER TABLE session_message ADD seq integer NOT NULL DEFAULT 0;
    ```

    ## References
    - https://www.sqlite.org/lang_delete.html
    """

    code = "DL003"
    name = "delete-all-rows"
    severity = "error"
    kinds = frozenset({"delete"})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one DELETE."""
        if stmt.ast is None:
            return
        where = where_condition(stmt.ast)
        if not always_true(where):
            return
        name = dml_target(stmt.ast)
        table = ctx.before.table(name) if name else None
        if table is None or table.temporary or ctx.timeline.created_in(
            table, ctx.migration_index
        ):
            return
        if self._restored(ctx, table.name):
            return
        why = " (its WHERE is always true)" if where is not None else ""
        yield with_migration(self.finding(
            stmt.span,
            f"`{statement_head(stmt)}` deletes every row of `{table.name}`{why} on every "
            f"database this migration runs on; the data cannot be recovered",
            help="keep the rows: give new columns a DEFAULT or backfill them instead of "
                 "emptying the table; if the data really must go, say so in a suppression",
            statement=stmt.span,
            migration=ctx.migration.label,
            related=[created_here(table)],
            table=table.name,
        ))

    @staticmethod
    def _restored(ctx: Context, table: str) -> bool:
        """True when a later statement of the migration refills ``table`` from a copy."""
        stop = ctx.timeline.boundaries[ctx.migration_index + 1]
        for write in ctx.timeline.writes_to(table, ctx.step_index + 1, stop):
            step = ctx.timeline.steps[write.step]
            shape = insert_shape(step.statement.ast) if step.statement.ast is not None else None
            if write.kind != "insert" or shape is None or not shape.select:
                continue
            for _alias, source in shape.sources:
                copy = step.before.table(source)
                if copy is not None and ctx.timeline.created_in(copy, ctx.migration_index):
                    return True
        return False
