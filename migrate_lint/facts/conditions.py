"""Three-valued reading of WHERE conditions: is this WHERE true on every row.

A WHERE is "always true" when SQLite's AND/OR/NOT make it true whatever its
column-naming parts hold; a part that names no column is evaluated by SQLite itself.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from migrate_lint import scratch
from migrate_lint.sqlglot_api.dml import Condition

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
    conn = scratch.connect()
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

    >>> from migrate_lint.sqlglot_api.dml import where_condition
    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
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
