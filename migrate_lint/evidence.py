"""Why a statement failed on a real database, in counts and a sample key value.

SQLite says "UNIQUE constraint failed: images.path"; the user needs to know which
paths, and how many. These queries run on the pre-flight's copy, in the state just
before the failing statement, and say what the data holds. Row data may be
private: the output names counts and key values only, never whole rows, and with
``redact`` not even the values.

    >>> from migrate_lint import scratch
    >>> conn = scratch.connect()
    >>> _ = conn.executescript("CREATE TABLE images (path text);"
    ...     "INSERT INTO images VALUES ('/a'), ('/a'), ('/b'), ('/b'), ('/b'), ('/c');")
    >>> duplicates(conn, "images", ("path",), redact=False)
    "2 `path` values occur more than once (first: '/b' ×3)"
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

__all__ = ["duplicates", "explain", "quote_ident", "row_count", "show_value"]

_UNIQUE = re.compile(r"^UNIQUE constraint failed: (.+)$")
_NOT_NULL = re.compile(r"^NOT NULL constraint failed: ([^.]+)\.(.+)$")
_ADD_NOT_NULL = "Cannot add a NOT NULL column with default value NULL"
# Rebuild scratch names: `__new_t` (drizzle), `new_t`, `t_new`, `_t_old`...
_REBUILD_AFFIXES = re.compile(r"^(?:__new_|_new_|new_|tmp_|temp_)|(?:_new|_tmp|_old)$", re.I)


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQLite identifier."""
    return '"' + name.replace('"', '""') + '"'


def show_value(value: object, *, redact: bool) -> str:
    """One key value for a message: short, quoted, never a whole blob."""
    if redact:
        return "<redacted>"
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return f"<blob of {len(value)} bytes>"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return "'" + text.replace("'", "''").replace("\n", "\\n") + "'"
    return str(value)


def row_count(conn: sqlite3.Connection, table: str) -> int | None:
    """Rows in ``table``, or None when it cannot be read (missing, virtual without module)."""
    try:
        row = conn.execute(f"SELECT count(*) FROM main.{quote_ident(table)}").fetchone()
    except sqlite3.Error:
        return None
    return int(row[0])


def _table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    try:
        rows = conn.execute("SELECT name FROM pragma_table_info(?, 'main')", (table,))
        return {str(r[0]).lower() for r in rows}
    except sqlite3.Error:
        return set()


def _source_table(conn: sqlite3.Connection, table: str, columns: Sequence[str]) -> str | None:
    """The table holding the rows that failed: ``table``, or the one a rebuild copies from."""
    wanted = {c.lower() for c in columns}
    candidates = [table, _REBUILD_AFFIXES.sub("", table)]
    for name in candidates:
        if name and wanted <= _table_columns(conn, name) and (row_count(conn, name) or 0) > 0:
            return name
    return None


def duplicates(conn: sqlite3.Connection, table: str, columns: Sequence[str], *,
               redact: bool) -> str | None:
    """How many keys of ``columns`` occur more than once in ``table``, and the commonest."""
    cols = ", ".join(quote_ident(c) for c in columns)
    not_null = " AND ".join(f"{quote_ident(c)} IS NOT NULL" for c in columns)
    grouped = (f"FROM main.{quote_ident(table)} WHERE {not_null} GROUP BY {cols} "
               "HAVING count(*) > 1")
    try:
        total = conn.execute(f"SELECT count(*) FROM (SELECT 1 {grouped})").fetchone()[0]
        first = conn.execute(
            f"SELECT {cols}, count(*) {grouped} ORDER BY count(*) DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    if not total:
        return None
    names = ", ".join(f"`{c}`" for c in columns)
    key = ", ".join(show_value(v, redact=redact) for v in first[:-1])
    key = f"({key})" if len(columns) > 1 else key
    noun = "value occurs" if total == 1 else "values occur"
    return f"{total:,} {names} {noun} more than once (first: {key} ×{first[-1]:,})"


def _nulls(conn: sqlite3.Connection, table: str, column: str) -> int | None:
    try:
        row = conn.execute(
            f"SELECT count(*) FROM main.{quote_ident(table)} WHERE {quote_ident(column)} IS NULL"
        ).fetchone()
    except sqlite3.Error:
        return None
    return int(row[0])


def explain(conn: sqlite3.Connection, message: str, tables: Sequence[str], *,
            redact: bool) -> str | None:
    """What the data says about ``message`` (SQLite's error) for a statement on ``tables``.

    ``conn`` is in the state just before the statement ran. None when the data adds
    nothing to SQLite's message.
    """
    unique = _UNIQUE.match(message)
    if unique:
        pairs = [part.strip().rsplit(".", 1) for part in unique.group(1).split(",")]
        if any(len(p) != 2 for p in pairs) or len({p[0] for p in pairs}) != 1:
            return None
        columns = [p[1] for p in pairs]
        source = _source_table(conn, pairs[0][0], columns)
        return duplicates(conn, source, columns, redact=redact) if source else None
    if message == _ADD_NOT_NULL and tables:
        count = row_count(conn, tables[0])
        if count is None:
            return None
        return f"the table holds {count:,} row{'s' if count != 1 else ''}"
    not_null = _NOT_NULL.match(message)
    if not_null:
        table, column = not_null.group(1), not_null.group(2)
        source = _source_table(conn, table, [column])
        if source is None:
            return None
        nulls = _nulls(conn, source, column)
        if not nulls:
            return None
        return f"{nulls:,} row{'s' if nulls != 1 else ''} of `{source}` hold NULL in `{column}`"
    return None
