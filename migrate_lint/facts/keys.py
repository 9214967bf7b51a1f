"""Which UNIQUE keys a column is part of, over a schema (the fixer's NN006 question)."""

from __future__ import annotations

from typing import NamedTuple

from migrate_lint.schema import Schema


class UniqueKey(NamedTuple):
    """A UNIQUE index or constraint: its name, its columns, and whether it is ``plain``
    (no WHERE, no expression)."""

    name: str
    columns: tuple[str, ...]
    plain: bool


def unique_keys_with(schema: Schema, table: str, column: str) -> list[UniqueKey]:
    """Every UNIQUE index or constraint of ``table`` covering ``column`` (a rowid alias
    PRIMARY KEY excepted: a new rowid never collides)."""
    t = schema.table(table)
    if t is None:
        return []
    low = column.lower()
    out = []
    for index in schema.indexes_of(table):
        names = tuple(c.name or "" for c in index.columns)
        if index.unique and low in (n.lower() for n in names):
            out.append(UniqueKey(index.name, names, index.where is None and all(names)))
    for key in t.keys:
        names = tuple(c or "" for c in key.columns)
        if low in (n.lower() for n in names) and not (key.primary and t.rowid_alias):
            out.append(UniqueKey("PRIMARY KEY" if key.primary else "UNIQUE", names, all(names)))
    return out
