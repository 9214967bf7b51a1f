"""Ask SQLite itself about a CREATE TABLE the reader could not follow.

DESIGN.md allows it: a CREATE TABLE (not ``AS SELECT``) needs no other table, so it
can run alone in a scratch in-memory database. When SQLite accepts it, the table is
built from SQLite's own introspection (``PRAGMA table_xinfo``, ``index_list`` /
``index_xinfo``, ``foreign_key_list``, ``table_list``) and the statement is
understood; when SQLite rejects it too, the caller reports SQLite's error (the
migration would fail).

What the pragmas do not tell is left out of the reading: CHECK constraints, column
collations, generated columns' expressions, conflict clauses and deferrability; the
reason recorded on the table says so.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from migrate_lint import scratch
from migrate_lint.ddl import ColumnDef, CreateTable, ForeignKeyDef, TableConstraintDef
from migrate_lint.span import SameSpan, Span
from migrate_lint.tokens import Tok

# A column SQLite read: its spans are its statement's (`SameSpan`), no clause of its own.
_WHOLE = (0, 0, -1, -1, -1, -1)

_NOT_FROM_PRAGMAS = ("CHECK constraints, column collations, generated expressions and "
                     "conflict clauses are not modelled")
_TIME = frozenset({"CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")
_LITERAL = re.compile(r"""[+-]?\s*(?:'|[xX]'|\d|\.\d)""")


def is_candidate(toks: Sequence[Tok]) -> bool:
    """True for ``CREATE [TEMP] TABLE`` with a column list (not ``AS SELECT``)."""
    if len(toks) < 3 or not toks[0].is_word("CREATE"):
        return False
    for tok in toks[1:]:
        if tok.kind == "op" and tok.value == "(":
            return True
        if tok.is_word("AS"):
            return False
    return False


def sqlite_reading(text: str, span: Span, reason: str, toks: Sequence[Tok] = ()
                   ) -> tuple[CreateTable | None, str | None]:
    """Run ``text`` alone in a scratch database.

    Returns the table as SQLite built it (``fallback`` says why and what is not
    modelled), or ``(None, error)`` with SQLite's own error when it rejects it.
    """
    conn = scratch.connect(autocommit=False)
    try:
        try:
            conn.execute(text)
        except sqlite3.Error as err:
            return None, str(err)
        if_not_exists = any(t.is_word("EXISTS") for t in toks[:6])
        return _read_back(conn, span, reason, if_not_exists), None
    finally:
        conn.close()


def _read_back(conn: sqlite3.Connection, span: Span, reason: str, if_not_exists: bool
               ) -> CreateTable | None:
    found = None
    for schema in ("main", "temp"):
        row = conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        ).fetchone()
        if row is not None:
            found = (schema, row[0])
            break
    if found is None:
        return None
    schema, name = found
    xinfo = conn.execute(
        'SELECT name, type, "notnull", dflt_value, pk, hidden '
        f"FROM pragma_table_xinfo(?, '{schema}') ORDER BY cid", (name,)).fetchall()
    listed = conn.execute(
        f"SELECT name, origin FROM pragma_index_list(?, '{schema}')", (name,)).fetchall()
    options = conn.execute(f"PRAGMA {schema}.table_list").fetchall()
    strict = without_rowid = False
    for _schema, listed_name, _kind, _ncol, wr, st in options:
        if listed_name == name:
            without_rowid, strict = bool(wr), bool(st)
    autoincrement = conn.execute(
        f"SELECT count(*) FROM {schema}.sqlite_master WHERE name = 'sqlite_sequence'"
    ).fetchone()[0] > 0
    pk_cols = tuple(r[0] for r in sorted((r for r in xinfo if r[4]), key=lambda r: r[4]))
    # a primary key without an index of its own is the rowid alias
    alias = pk_cols[0] if len(pk_cols) == 1 and not any(o == "pk" for _n, o in listed) else None
    whole = SameSpan(span)  # every part of a column SQLite read points at the statement
    columns = [
        ColumnDef(
            name=col_name, type=decl or "", lines=whole, start=span.start, at=_WHOLE,
            notnull=bool(notnull), default=default, default_kind=_default_kind(default),
            primary_key=col_name == alias, autoincrement=col_name == alias and autoincrement,
            generated={2: "VIRTUAL", 3: "STORED"}.get(hidden),
        )
        for col_name, decl, notnull, default, pk, hidden in xinfo
    ]
    constraints: list[TableConstraintDef] = []
    # the other keys, in the order SQLite made their sqlite_autoindex_<table>_<n>
    for index_name, origin in sorted(listed, key=lambda r: _autoindex_number(r[0])):
        if origin == "pk":
            constraints.append(TableConstraintDef(
                "PRIMARY KEY", span, columns=pk_cols, desc=(False,) * len(pk_cols),
                not_rowid_alias=True))
        elif origin == "u":
            keys = tuple(r[0] for r in conn.execute(
                f"SELECT name FROM pragma_index_xinfo(?, '{schema}') WHERE key = 1 "
                "ORDER BY seqno", (index_name,)))
            constraints.append(TableConstraintDef("UNIQUE", span, columns=keys,
                                                  desc=(False,) * len(keys)))
    for fk in _foreign_keys(conn, schema, name):
        constraints.append(TableConstraintDef("FOREIGN KEY", span, columns=fk.columns,
                                              foreign_key=fk))
    return CreateTable(
        name, schema == "temp", if_not_exists, tuple(columns), tuple(constraints), without_rowid,
        strict, fallback=f"read from SQLite's introspection: {reason}; {_NOT_FROM_PRAGMAS}",
    )


def _autoindex_number(name: str) -> int:
    tail = name.rpartition("_")[2]
    return int(tail) if tail.isdigit() else 0


def _default_kind(default: str | None) -> str:
    if default is None:
        return ""
    upper = default.upper()
    if upper == "NULL":
        return "null"
    if upper in _TIME:
        return "time"
    if upper in ("TRUE", "FALSE") or _LITERAL.match(default):
        return "literal"
    if _WORD.match(default) or default[:1] in ('"', "`", "["):
        return "word"
    return "expr"


def _foreign_keys(conn: sqlite3.Connection, schema: str, table: str) -> list[ForeignKeyDef]:
    rows = conn.execute(
        'SELECT id, "table", "from", "to", on_update, on_delete, "match" '
        f"FROM pragma_foreign_key_list(?, '{schema}') ORDER BY id DESC, seq", (table,)
    ).fetchall()
    groups: dict[int, list[tuple[str, str, str | None, str, str, str]]] = {}
    for fk_id, *rest in rows:
        groups.setdefault(fk_id, []).append(tuple(rest))
    out = []
    for group in groups.values():  # dicts keep insertion order: declaration order
        parent, _f, _t, on_update, on_delete, match = group[0]
        to = tuple(r[2] for r in group)
        out.append(ForeignKeyDef(
            tuple(r[1] for r in group), parent,
            () if all(t is None for t in to) else tuple(t or "" for t in to),
            on_delete, on_update, match or "NONE"))
    return out
