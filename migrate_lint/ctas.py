"""The columns of ``CREATE TABLE ... AS SELECT``, as SQLite itself makes them.

SQLite names each column after its result column (``AS`` alias, column name, else
the expression text, de-duplicated as ``a:1``), declares its type from the
expression's affinity (``TEXT``, ``NUM``, ``INT``, ``REAL`` or none) and gives it no
constraint, key or default. Rather than re-deriving those rules, the SELECT runs once
in a scratch in-memory database that holds the model's tables and views (DESIGN.md:
asking SQLite is the legitimate fallback); its ``PRAGMA table_xinfo`` and
``sqlite_schema`` text are the answer.
"""

from __future__ import annotations

import sqlite3

from migrate_lint import scratch
from migrate_lint.schema import Schema
from migrate_lint.values import value_class


@value_class
class CtasTable:
    """What SQLite made: the column names and declared types, and the table's SQL."""

    columns: tuple[tuple[str, str], ...]
    sql: str


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ctas_columns(schema: Schema, name: str, select: str) -> CtasTable | None:
    """The table ``CREATE TABLE name AS select`` makes over ``schema``, or None when
    SQLite cannot run the SELECT here (an app-registered function, a table the model
    does not know): the caller then marks the table incomplete.
    """
    db = scratch.connect()  # guarded: the SELECT is migration text
    try:
        for table in schema.tables.values():
            cols = ", ".join(f"{_q(c.name)} {c.type}".rstrip()
                             for c in table.columns if not c.hidden)
            if cols:
                db.execute(f"CREATE TABLE {_q(table.name)} ({cols})")
        for view in schema.views.values():
            try:
                db.execute(view.sql)
            except sqlite3.Error:
                continue  # a view the SELECT does not read may fail here harmlessly
        db.execute(f"CREATE TABLE {_q(name)} AS {select}")
        rows = db.execute(f"PRAGMA table_xinfo({_q(name)})").fetchall()
        found = db.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?",
                           (name,)).fetchone()
    except (sqlite3.Error, sqlite3.Warning, ValueError):
        return None
    finally:
        db.close()
    if not rows or found is None:
        return None
    return CtasTable(tuple((str(r[1]), str(r[2])) for r in rows), str(found[0]))
