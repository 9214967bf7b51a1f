"""Fill every table of a database with synthetic rows for the proof.

Rows include NULLs where a column allows them (so partial indexes on ``IS NULL`` /
``IS NOT NULL`` both get rows), child rows for every foreign key (parents are filled
first), and distinct values so UNIQUE keys hold. A row that a CHECK or trigger
rejects is retried with other values, then skipped: the filler never fails.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator

from migrate_lint.facts.types import affinity
from migrate_lint.sqlbasics import q

ROWS_PER_TABLE = 4


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY rowid").fetchall()
    return [str(r[0]) for r in rows]


def _parents(conn: sqlite3.Connection, table: str) -> dict[str, tuple[str, str | None]]:
    """child column (lower) -> (parent table, parent column or None for its key)."""
    out: dict[str, tuple[str, str | None]] = {}
    for row in conn.execute('SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)',
                            (table,)):
        out[str(row[1]).lower()] = (str(row[0]), None if row[2] is None else str(row[2]))
    return out


def _order(conn: sqlite3.Connection, tables: list[str]) -> list[str]:
    """Parents before children (cycles and self-references broken arbitrarily)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str, stack: set[str]) -> None:
        low = name.lower()
        if low in seen or low in stack:
            return
        stack.add(low)
        for parent, _ in _parents(conn, name).values():
            match = next((t for t in tables if t.lower() == parent.lower()), None)
            if match is not None and match.lower() != low:
                visit(match, stack)
        seen.add(low)
        done.append(name)

    for t in tables:
        visit(t, set())
    return done


def _value(decl: str, row: int, variant: int, salt: str = "") -> object:
    aff = affinity(decl)
    base = row + 1 + variant * 100
    if variant == 3:
        return [0, "", 1][row % 3]
    if aff == "INTEGER":
        return base
    if aff == "TEXT":
        # Text values differ between tables and columns, as real ids (UUIDs) do: a later
        # migration that copies ids from one table into another must not collide on
        # synthetic values no real database holds.
        return f"v{zlib.crc32(salt.encode()):x}-{base}" if salt else f"v{base}"
    if aff == "REAL":
        return base + 0.5
    if aff == "BLOB":
        return bytes([base % 256, 7]) if decl else f"a{base}"
    return base


def _key_values(conn: sqlite3.Connection, parent: str, column: str | None) -> list[object]:
    """The parent's key values; none when the parent (or its column) does not exist,
    as after a DROP TABLE of a parent whose children stay."""
    if column is None:
        pk = [str(r[0]) for r in conn.execute(
            "SELECT name FROM pragma_table_info(?) WHERE pk = 1", (parent,))]
        column = pk[0] if pk else "rowid"
    try:
        return [r[0] for r in conn.execute(
            f"SELECT {q(column) if column != 'rowid' else 'rowid'} FROM {q(parent)} "
            "ORDER BY rowid LIMIT 20")]
    except sqlite3.Error:
        return []


def _rows(conn: sqlite3.Connection, table: str
          ) -> Iterator[tuple[list[str], Iterator[list[object]]]]:
    """Per row of ``table`` to insert: the columns, and the values to try in turn."""
    info = [(str(r[0]), str(r[1] or ""), int(r[2]), int(r[3]), int(r[4])) for r in conn.execute(
        'SELECT name, type, "notnull", pk, hidden FROM pragma_table_xinfo(?)', (table,))]
    cols = [(n, t, nn, pk) for n, t, nn, pk, hidden in info if hidden == 0]
    parents = _parents(conn, table)
    for row in range(ROWS_PER_TABLE):
        yield [n for n, _, _, _ in cols], _variants(conn, table, cols, parents, row)


def _variants(conn: sqlite3.Connection, table: str, cols: list[tuple[str, str, int, int]],
              parents: dict[str, tuple[str, str | None]], row: int) -> Iterator[list[object]]:
    """The values to try for row ``row``, each made only once the one before it was
    refused: most rows go in at the first try (a refused INSERT changes nothing, so
    the parents' keys read later are the ones read before)."""
    for variant in range(4):
        values: list[object] = []
        for name, decl, notnull, pk in cols:
            link = parents.get(name.lower())
            if link is not None:
                keys = _key_values(conn, *link)
                if link[0].lower() == table.lower() and row == 0:
                    keys = []
                if keys and (row % 2 == 0 or notnull):
                    values.append(keys[(row + variant) % len(keys)])
                elif not notnull:
                    values.append(None)
                else:
                    values.append(_value(decl, row, variant, f"{table}.{name}"))
            elif not notnull and not pk and row % 2 == 1 and variant < 2:
                values.append(None)
            else:
                values.append(_value(decl, row, variant, f"{table}.{name}"))
        yield values


def fill(conn: sqlite3.Connection) -> dict[str, int]:
    """Insert synthetic rows into every table; return rows inserted per table."""
    counts: dict[str, int] = {}
    for table in _order(conn, _tables(conn)):
        n = 0
        for names, variants in _rows(conn, table):
            cols = ", ".join(q(c) for c in names)
            marks = ", ".join("?" for _ in names)
            insert = f"INSERT INTO {q(table)} ({cols}) VALUES ({marks})"
            for values in variants:
                try:
                    conn.execute(insert, values)
                except sqlite3.Error:
                    continue
                n += 1
                break
        counts[table] = n
    if counts:
        # Deleted rows under AUTOINCREMENT: the counter stays above the highest rowid.
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE name = "
                                    "'sqlite_sequence'").fetchall():
            del name
            conn.execute("UPDATE sqlite_sequence SET seq = seq + 5")
    return counts
