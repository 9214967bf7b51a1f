"""What SQLite's own parser refuses, whatever the database holds.

sqlglot and our DDL reader are more forgiving than SQLite in places: a syntax error
inside a view's SELECT or a trigger's body, a trigger without its END, or
expressions nested deeper than SQLite's parser stack (about 100 levels) used to
pass `check` and then fail on every database. SQLite is asked directly: the
statement is compiled (EXPLAIN, never run) on a scratch database holding just
enough for the grammar to be checked (the trigger's table or view). Only grammar
errors count; a name SQLite cannot resolve there says nothing about the real schema.

    >>> refusal("create_view", "CREATE VIEW v AS SELECT a FROM t WHERE")
    'incomplete input'
    >>> refusal("create_trigger", "CREATE TRIGGER r AFTER INSERT ON t BEGIN UPDATE t SET a = WHERE 1; END")
    'near "WHERE": syntax error'
    >>> refusal("create_view", "CREATE VIEW v AS SELECT a FROM no_such_table") is None
    True
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

from migrate_lint import scratch

# Messages of SQLite's parser and of its hard limits: the same on every database.
_GRAMMAR = ("syntax error", "incomplete input", "unrecognized token", "parser stack overflow",
            "too large", "too many")
# Statement kinds whose bodies our readers do not check against SQLite's grammar.
CHECKED_KINDS = frozenset({"create_view", "create_trigger"})
# SQLite's parser stack holds about 100 levels; deeper nesting is checked by SQLite.
DEEP_NESTING = 48

_TRIGGER_TARGET = re.compile(
    r"\bON\s+(?:(?:\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\[[^\]]*\]|[^\s.(]+)\s*\.\s*)?"
    r"(\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\[[^\]]*\]|[^\s(]+)",
    re.IGNORECASE,
)


def nesting(text: str) -> int:
    """The deepest parenthesis nesting of ``text`` (strings not excluded: an upper bound).

    >>> nesting("f((a), (b))"), nesting("x")
    (2, 0)
    """
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    return deepest


def needs_check(kind: str, text: str) -> bool:
    """Whether `refusal` should be asked about a statement: cheap, so asked of every one."""
    return kind in CHECKED_KINDS or (text.count("(") >= DEEP_NESTING
                                     and nesting(text) >= DEEP_NESTING)


@lru_cache(maxsize=1024)
def refusal(kind: str, text: str) -> str | None:
    """SQLite's grammar error for statement ``text`` of ``kind``, or None."""
    if kind != "create_trigger":
        return syntax_error(text)
    if not sqlite3.complete_statement(text.rstrip().rstrip(";") + ";"):
        return "incomplete input (the trigger has no END)"
    # A trigger needs its table (or view) to exist before SQLite reads its body: a
    # database of its own, so the shared one stays empty.
    conn = scratch.connect()
    try:
        conn.set_progress_handler(lambda: 1, 1_000_000)  # compiling never runs long
        _make_trigger_target(conn, text)
        return _grammar_error(conn, text)
    finally:
        conn.close()


@lru_cache(maxsize=1)
def _shared() -> sqlite3.Connection:
    # One empty scratch database for compiling plain statements; nothing is ever run
    # on it (EXPLAIN), so it stays empty.
    conn = scratch.connect(check_same_thread=False)
    conn.set_progress_handler(lambda: 1, 1_000_000)  # compiling never runs long
    return conn


def syntax_error(text: str) -> str | None:
    """SQLite's grammar error for one plain statement (no trigger), or None.

    Compiled on an empty database: "no such table" and other name errors come after
    the whole statement is parsed, so any grammar error is reported first.

    >>> syntax_error("INSERT INTO t VALUES (1, 2),, (3)")
    'near ",": syntax error'
    >>> syntax_error("INSERT INTO t VALUES (1, 'x')") is None
    True
    """
    return _grammar_error(_shared(), text)


def _grammar_error(conn: sqlite3.Connection, text: str) -> str | None:
    """Compile ``text`` (EXPLAIN, never run) on ``conn``; SQLite's grammar error, if any."""
    try:
        conn.execute(f"EXPLAIN {text}").close()
    except (sqlite3.Error, sqlite3.Warning, ValueError) as err:
        message = str(err)
        if any(m in message for m in _GRAMMAR):
            return message
    return None


def _make_trigger_target(conn: sqlite3.Connection, text: str) -> None:
    """A table (or, for INSTEAD OF, a view) named as the trigger's target, so SQLite
    goes on to parse the body instead of stopping at "no such table"."""
    match = _TRIGGER_TARGET.search(text)
    if match is None:
        return
    name = match.group(1)
    instead = re.search(r"\bINSTEAD\s+OF\b", text[: match.start()], re.IGNORECASE)
    try:
        if instead:
            conn.execute(f"CREATE VIEW {name} AS SELECT 1")
        else:
            conn.execute(f"CREATE TABLE {name} (_)")
    except sqlite3.Error:
        pass  # an odd name: SQLite then reports "no such table", which is not grammar
