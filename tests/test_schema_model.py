"""The schema model's hand-built copies carry every field (they skip `dataclasses.replace`
for speed, so a field added to the dataclass must be added to them too)."""

from __future__ import annotations

from dataclasses import fields

from migrate_lint.ddl import ForeignKeyDef
from migrate_lint.schema import Column, Origin, Schema, Table, UniqueKey
from migrate_lint.span import Span

SPAN = Span("m.sql", 0, 1, 1, 1, 1, 2)
MADE = Origin("0001_init", 0, SPAN)
ADDED = Origin("0002_add", 3, SPAN)


def _every_field_set() -> Table:
    """A table whose every field differs from its default."""
    col = Column("a", "INTEGER", MADE, notnull=True, pk=1)
    fk = ForeignKeyDef(("a",), "p", ("id",))
    return Table("t", (col,), MADE, "CREATE TABLE t (a INTEGER NOT NULL PRIMARY KEY)",
                 keys=(UniqueKey(("a",), True),), foreign_keys=(fk,), checks=("a > 0",),
                 without_rowid=True, strict=True, autoincrement=True, temporary=True,
                 virtual_module="fts5", incomplete="why", changed=MADE)


def test_every_table_field_is_set_by_the_fixture() -> None:
    table = _every_field_set()
    defaults = Table("t", (), MADE, "")
    unset = [f.name for f in fields(Table) if f.init and f.name not in ("name", "origin")
             and getattr(table, f.name) == getattr(defaults, f.name)]
    assert unset == [], f"give these fields a non-default value in the fixture: {unset}"


def test_with_column_carries_every_field() -> None:
    table = _every_field_set()
    col = Column("b", "TEXT", ADDED)
    new = table.with_column(col, ADDED)
    assert new.columns == (*table.columns, col)
    assert new.changed == ADDED
    for f in fields(Table):
        if f.init and f.name not in ("columns", "changed"):
            assert getattr(new, f.name) == getattr(table, f.name), f.name
    assert new.column("B") == col and new.column("a") == table.columns[0]


def test_settled_keeps_everything_but_touched() -> None:
    table = _every_field_set()
    schema = Schema().with_table(table)
    assert schema.touched and schema.referrers  # the fixture's table names a parent
    settled = schema.settled()
    assert settled.touched == frozenset()
    for f in fields(Schema):
        if f.name != "touched":
            assert getattr(settled, f.name) == getattr(schema, f.name), f.name


def test_rowid_alias_survives_add_column_and_agrees_with_a_fresh_table() -> None:
    key = Column("id", "INTEGER", MADE, pk=1)
    table = Table("t", (key,), MADE, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
    assert table.rowid_alias == "id"
    grown = table.with_column(Column("b", "TEXT", ADDED), ADDED)
    fresh = Table("t", grown.columns, MADE, table.sql)
    assert grown.rowid_alias == fresh.rowid_alias == "id"
    # a key column added (the model never makes one by ADD COLUMN, but the carried
    # answer must not outlive a change of key)
    keyed = Table("t", (Column("a", "INTEGER", MADE),), MADE, "")
    assert keyed.rowid_alias is None
    assert keyed.with_column(Column("id", "INTEGER", ADDED, pk=1), ADDED).rowid_alias == "id"
