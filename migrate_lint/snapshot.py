"""A plain, comparable picture of a schema, in the terms of SQLite's own PRAGMAs.

Both the replayed model (`schema.Schema.snapshot`) and a real database
(`sandbox.introspect`) render into this shape; agreement tests compare the two.
"""

from __future__ import annotations

from migrate_lint.values import value_class


@value_class
class ColumnInfo:
    """One row of ``PRAGMA table_xinfo``."""

    name: str
    type: str
    notnull: bool
    default: str | None
    pk: int
    hidden: int  # 0 normal, 1 hidden (virtual tables), 2 virtual generated, 3 stored generated


@value_class
class IndexInfo:
    """One row of ``PRAGMA index_list`` with its key columns from ``index_xinfo``."""

    name: str
    unique: bool
    origin: str  # 'c' CREATE INDEX, 'u' UNIQUE constraint, 'pk' PRIMARY KEY
    partial: bool
    columns: tuple[str | None, ...]  # None for an expression key


@value_class
class ForeignKeyInfo:
    """One foreign key, the rows of ``PRAGMA foreign_key_list`` sharing an id."""

    table: str
    from_columns: tuple[str, ...]
    to_columns: tuple[str | None, ...]  # None where the parent's primary key is implied
    on_update: str
    on_delete: str


@value_class
class TableInfo:
    """A table as SQLite reports it."""

    name: str
    columns: tuple[ColumnInfo, ...]
    indexes: tuple[IndexInfo, ...]  # sorted by name
    foreign_keys: tuple[ForeignKeyInfo, ...]  # in declaration order
    strict: bool
    without_rowid: bool
    virtual: bool


@value_class
class SchemaSnapshot:
    """Every table, view and trigger of the main schema (internal tables excluded)."""

    tables: tuple[TableInfo, ...]  # sorted by name
    views: tuple[str, ...]  # sorted names
    triggers: tuple[tuple[str, str], ...]  # sorted (name, table)

    def table(self, name: str) -> TableInfo | None:
        """The table called ``name`` (case-insensitive), if any."""
        low = name.lower()
        for t in self.tables:
            if t.name.lower() == low:
                return t
        return None
