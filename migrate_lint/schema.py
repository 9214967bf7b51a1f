"""The schema model: tables, columns, indexes, triggers and views, immutable per step.

Each object remembers where it was created and last changed (:class:`Origin`).
A :class:`Schema` is never changed in place: replay makes a new one per statement,
sharing every mapping the statement did not touch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import field, replace

from immutables import Map

from migrate_lint.ddl import ForeignKeyDef, IndexedColumn
from migrate_lint.snapshot import (
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
    SchemaSnapshot,
    TableInfo,
)
from migrate_lint.span import Span
from migrate_lint.values import value_class

# The one empty set schemas and tables share: `frozenset()` makes a new 216-byte object
# each call (Python 3.10+), and replay settles a schema per statement.
NO_NAMES: frozenset[str] = frozenset()


@value_class
class Origin:
    """The migration and statement that made or changed an object."""

    migration: str  # label, e.g. 20260603040000_session_message_projection_order
    statement: int  # index of the statement in the migration's up script
    span: Span

    def __str__(self) -> str:
        return f"{self.migration} ({self.span})"


@value_class
class Column:
    """A column as the model knows it."""

    name: str
    type: str
    origin: Origin
    notnull: bool = False
    default: str | None = None
    default_kind: str = ""  # see ddl.ColumnDef.default_kind
    pk: int = 0  # 1-based position in the primary key, 0 when not part of it
    unique: bool = False
    collate: str | None = None
    checks: tuple[str, ...] = ()
    references: ForeignKeyDef | None = None
    generated: str | None = None  # VIRTUAL / STORED
    generated_expr: str | None = None
    hidden: bool = False  # virtual-table hidden column
    changed: Origin | None = None  # last statement that changed it, when not the origin

    @property
    def last_change(self) -> Origin:
        """Where this column was last created or changed."""
        return self.changed or self.origin

    @property
    def has_default(self) -> bool:
        """True when an INSERT that omits the column gets a non-NULL value."""
        return self.default is not None and self.default_kind != "null"


@value_class
class UniqueKey:
    """A UNIQUE or PRIMARY KEY constraint of a table (the source of an autoindex)."""

    columns: tuple[str | None, ...]
    primary: bool
    # `x INTEGER PRIMARY KEY DESC` written on the column: SQLite's documented quirk
    # makes that one NOT a rowid alias.
    column_desc: bool = False
    offset: int = field(default=0, compare=False)  # where it is written (text order)
    # the collation of each key column (None: BINARY): SQLite makes one autoindex per
    # distinct (columns, collations), so `a UNIQUE, UNIQUE (a COLLATE NOCASE)` makes two
    collations: tuple[str | None, ...] = ()

    def signature(self) -> tuple[tuple[str, str], ...]:
        """What SQLite compares to reuse an index: columns and collations."""
        colls = self.collations or (None,) * len(self.columns)
        return tuple(((c or "").lower(), (k or "BINARY").upper())
                     for c, k in zip(self.columns, colls, strict=False))


@value_class
class Table:
    """A table, its columns in order and its own constraints."""

    name: str
    columns: tuple[Column, ...]
    origin: Origin
    sql: str  # the CREATE statement as written (SQLite rewrites it on ALTER; we keep ours)
    keys: tuple[UniqueKey, ...] = ()  # in declaration order
    foreign_keys: tuple[ForeignKeyDef, ...] = ()  # in declaration order
    checks: tuple[str, ...] = ()
    without_rowid: bool = False
    strict: bool = False
    autoincrement: bool = False
    temporary: bool = False
    virtual_module: str | None = None
    # Why the model may be wrong about this table (a statement it could not read).
    incomplete: str | None = None
    changed: Origin | None = None
    # Derived lookups, built on first use: rules and replay ask for columns by name
    # thousands of times.
    # A persistent map, so the versions of a table growing by ADD COLUMN share it.
    _by_name: Map[str, Column] | None = field(default=None, init=False, repr=False,
                                               compare=False)
    _parents: frozenset[str] | None = field(default=None, init=False, repr=False,
                                            compare=False)
    _fks: tuple[ForeignKeyDef, ...] | None = field(default=None, init=False, repr=False,
                                                   compare=False)
    # The INTEGER PRIMARY KEY column ("" when none; None: not looked for yet). Asked for
    # each insert into the table; finding it scans every column of a wide table.
    _ipk: str | None = field(default=None, init=False, repr=False, compare=False)
    # Facts other stages derive from this (immutable) table and keep with it, keyed by
    # name; never part of equality. See inserts.check.required_columns.
    derived: dict[str, object] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)

    def column(self, name: str) -> Column | None:
        """The column called ``name`` (case-insensitive)."""
        by_name = self._by_name
        if by_name is None:
            by_name = Map((_key(c.name), c) for c in reversed(self.columns))
            object.__setattr__(self, "_by_name", by_name)
        return by_name.get(name.lower())

    def with_column(self, col: Column, origin: Origin) -> Table:
        """This table with ``col`` appended (ALTER TABLE ... ADD COLUMN)."""
        # Built directly, not by `dataclasses.replace` (2x slower): replay adds columns
        # by the thousand. tests/test_schema_model.py checks every field is carried.
        new = Table(self.name, (*self.columns, col), self.origin, self.sql, self.keys,
                    self.foreign_keys, self.checks, self.without_rowid, self.strict,
                    self.autoincrement, self.temporary, self.virtual_module,
                    self.incomplete, origin)
        by_name = self._by_name
        if by_name is not None:
            # Extend the lookup instead of rebuilding it: ADD COLUMN is the commonest
            # schema change and tables grow long. The map is persistent: each version
            # shares all but a path of it, so N additions cost N log N, not N squared.
            key = _key(col.name)
            if key not in by_name:
                by_name = by_name.set(key, col)
            object.__setattr__(new, "_by_name", by_name)
        if self._ipk is not None and not col.pk:
            # a column that is no key column leaves the key as it was
            object.__setattr__(new, "_ipk", self._ipk)
        return new

    @property
    def parents(self) -> frozenset[str]:
        """Lower-cased names of the tables this table's foreign keys point at."""
        parents = self._parents
        if parents is None:
            fks = all_foreign_keys(self)
            parents = frozenset(_key(fk.parent) for fk in fks) if fks else NO_NAMES
            object.__setattr__(self, "_parents", parents)
        return parents

    @property
    def primary_key(self) -> tuple[str, ...]:
        """Primary-key column names in key order."""
        cols = sorted((c for c in self.columns if c.pk), key=lambda c: c.pk)
        return tuple(c.name for c in cols)

    @property
    def rowid_alias(self) -> str | None:
        """The INTEGER PRIMARY KEY column that aliases the rowid, if any."""
        if self.without_rowid or self.virtual_module:
            return None
        return self._integer_primary_key()

    def _integer_primary_key(self) -> str | None:
        """The single INTEGER primary-key column SQLite treats as a rowid candidate."""
        found = self._ipk
        if found is None:
            found = self._find_integer_primary_key() or ""
            object.__setattr__(self, "_ipk", found)
        return found or None

    def _find_integer_primary_key(self) -> str | None:
        pk = [c for c in self.columns if c.pk]
        if len(pk) != 1 or pk[0].type.upper() != "INTEGER":
            return None
        key = next((k for k in self.keys if k.primary), None)
        if key is not None and key.column_desc:
            return None
        return pk[0].name

    @property
    def last_change(self) -> Origin:
        """Where this table was last created or changed."""
        return self.changed or self.origin


@value_class
class Index:
    """An index made by CREATE INDEX."""

    name: str
    table: str
    unique: bool
    columns: tuple[IndexedColumn, ...]
    where: str | None
    sql: str
    origin: Origin


@value_class
class Trigger:
    """A trigger, with the column names its body mentions."""

    name: str
    table: str
    sql: str
    origin: Origin
    new_old_columns: tuple[str, ...] = ()
    body_words: frozenset[str] = frozenset()
    temporary: bool = False


@value_class
class View:
    """A view."""

    name: str
    sql: str
    origin: Origin
    select: str = ""
    temporary: bool = False


def _key(name: str) -> str:
    # the name itself when it is lower case: maps keep their keys, and `lower()` makes
    # a new string each call
    low = name.lower()
    return name if low == name else low


@value_class
class Schema:
    """Every object at one point of the history; names are case-insensitive keys."""

    # Persistent maps (a HAMT): each step shares all but the changed entries with the
    # step before, so keeping every step of a 20,000-statement history stays small.
    tables: Map[str, Table] = field(default_factory=Map)
    indexes: Map[str, Index] = field(default_factory=Map)
    triggers: Map[str, Trigger] = field(default_factory=Map)
    views: Map[str, View] = field(default_factory=Map)
    # table key -> keys of its CREATE INDEX indexes, so nothing scans every index
    table_indexes: Map[str, tuple[str, ...]] = field(default_factory=Map)
    # Lower-cased names whose table or view changed, or whose table's CREATE INDEX
    # indexes changed, since the last `settled()`: replay settles before every
    # statement, so a step's `after` says what that statement changed and rules can
    # look at only that instead of every table. Never part of equality.
    touched: frozenset[str] = field(default=frozenset(), compare=False)
    # lower-cased parent name -> keys of the tables whose foreign keys name it, so
    # `children_of` looks at those only. Derived from `tables`: never part of equality.
    referrers: Map[str, frozenset[str]] = field(default_factory=Map, compare=False)

    # -- lookups ------------------------------------------------------------
    def table(self, name: str) -> Table | None:
        """The table called ``name``, if any."""
        return self.tables.get(_key(name))

    def version_of(self, table: Table) -> Table | None:
        """This schema's version of ``table``: the table made by the same statement
        (its origin), whatever it is called now; None once it is dropped.

        Looked up by name first, as only a RENAME changes it: rules ask this at many
        steps, and a scan of every table each time made `check` quadratic.
        """
        found = self.tables.get(_key(table.name))
        if found is not None and found.origin == table.origin:
            return found
        return next((t for t in self.tables.values() if t.origin == table.origin), None)

    def index(self, name: str) -> Index | None:
        """The index called ``name``, if any."""
        return self.indexes.get(_key(name))

    def indexes_of(self, table: str) -> tuple[Index, ...]:
        """Indexes made by CREATE INDEX on ``table``."""
        return tuple(self.indexes[k] for k in self.table_indexes.get(_key(table), ()))

    def triggers_of(self, table: str) -> tuple[Trigger, ...]:
        """Triggers defined ON ``table``, by name (the map's own order follows the hash seed)."""
        low = _key(table)
        return tuple(sorted((t for t in self.triggers.values() if _key(t.table) == low),
                            key=lambda t: _key(t.name)))

    def children_of(self, table: str) -> Iterator[tuple[Table, ForeignKeyDef]]:
        """Every (child table, foreign key) whose key points at ``table``, children by
        name: messages list them, and the map's own order follows the hash seed."""
        low = _key(table)
        found = (self.tables.get(key) for key in self.referrers.get(low, ()))
        for child in sorted((t for t in found if t is not None), key=lambda t: _key(t.name)):
            for fk in _all_foreign_keys(child):
                if _key(fk.parent) == low:
                    yield child, fk

    def has(self, name: str) -> bool:
        """True if any table, index, trigger or view is called ``name``."""
        k = _key(name)
        return k in self.tables or k in self.indexes or k in self.triggers or k in self.views

    # -- changes (each returns a new Schema) --------------------------------
    def with_table(self, table: Table) -> Schema:
        """A schema where ``table`` is added or replaced."""
        # The constructor, not dataclasses.replace: this runs for most statements.
        key = _key(table.name)
        return Schema(self.tables.set(key, table), self.indexes, self.triggers,
                      self.views, self.table_indexes, self.touched | {key},
                      _refer(self.referrers, key, self.tables.get(key), table))

    def without_table(self, name: str) -> Schema:
        """A schema without the table and its indexes and triggers."""
        low = _key(name)
        indexes = self.indexes
        for key in self.table_indexes.get(low, ()):
            indexes = indexes.delete(key)
        table_indexes = self.table_indexes
        if low in table_indexes:
            table_indexes = table_indexes.delete(low)
        triggers = self.triggers
        for key, trigger in self.triggers.items():
            if _key(trigger.table) == low:
                triggers = triggers.delete(key)
        tables = self.tables.delete(low) if low in self.tables else self.tables
        return Schema(tables, indexes, triggers, self.views, table_indexes, self.touched | {low},
                      _refer(self.referrers, low, self.tables.get(low), None))

    def with_index(self, index: Index) -> Schema:
        """A schema where ``index`` is added or replaced."""
        return self.with_changes({}, {_key(index.name): index})

    def without_index(self, name: str) -> Schema:
        """A schema without the index ``name``."""
        key = _key(name)
        index = self.indexes.get(key)
        if index is None:
            return self
        owner = _key(index.table)
        remaining = tuple(k for k in self.table_indexes.get(owner, ()) if k != key)
        return replace(self, indexes=self.indexes.delete(key),
                       table_indexes=self.table_indexes.set(owner, remaining),
                       touched=self.touched | {owner})

    def with_trigger(self, trigger: Trigger) -> Schema:
        """A schema where ``trigger`` is added or replaced."""
        return replace(self, triggers=self.triggers.set(_key(trigger.name), trigger))

    def without_trigger(self, name: str) -> Schema:
        """A schema without the trigger ``name``."""
        key = _key(name)
        return replace(self, triggers=self.triggers.delete(key)) if key in self.triggers else self

    def with_view(self, view: View) -> Schema:
        """A schema where ``view`` is added or replaced."""
        key = _key(view.name)
        return replace(self, views=self.views.set(key, view), touched=self.touched | {key})

    def without_view(self, name: str) -> Schema:
        """A schema without the view ``name``."""
        key = _key(name)
        if key not in self.views:
            return self
        return replace(self, views=self.views.delete(key), touched=self.touched | {key})

    def with_changes(self, tables: Mapping[str, Table | None],
                     indexes: Mapping[str, Index] | None = None,
                     triggers: Mapping[str, Trigger] | None = None) -> Schema:
        """A schema with several entries set (None in ``tables`` removes one).

        An index whose table changed (a renamed table) moves to its new table.
        """
        new_tables = self.tables
        touched = set(self.touched)
        referrers = self.referrers
        for key, table in tables.items():
            referrers = _refer(referrers, key, new_tables.get(key), table)
            if table is not None:
                new_tables = new_tables.set(key, table)
            elif key in new_tables:
                new_tables = new_tables.delete(key)
            touched.add(key)
        new_indexes = self.indexes
        table_indexes = self.table_indexes
        for key, index in (indexes or {}).items():
            previous = self.indexes.get(key)
            if previous is not None:
                old_owner = _key(previous.table)
                touched.add(old_owner)
                table_indexes = table_indexes.set(
                    old_owner, tuple(k for k in table_indexes.get(old_owner, ()) if k != key))
            owner = _key(index.table)
            touched.add(owner)
            table_indexes = table_indexes.set(owner, (*table_indexes.get(owner, ()), key))
            new_indexes = new_indexes.set(key, index)
        new_triggers = self.triggers
        for key, trigger in (triggers or {}).items():
            new_triggers = new_triggers.set(key, trigger)
        return Schema(new_tables, new_indexes, new_triggers, self.views, table_indexes,
                      frozenset(touched), referrers)

    def settled(self) -> Schema:
        """This schema with nothing marked touched (see ``touched``)."""
        if not self.touched:
            return self
        # built directly, not by `dataclasses.replace`: replay settles after every step
        return Schema(self.tables, self.indexes, self.triggers, self.views, self.table_indexes,
                      NO_NAMES, self.referrers)

    # -- rendering ----------------------------------------------------------
    def snapshot(self) -> SchemaSnapshot:
        """The schema as SQLite's PRAGMAs would show it (main schema only)."""
        tables = []
        for table in self.tables.values():
            if table.temporary:
                continue
            tables.append(_table_info(table, self.indexes_of(table.name)))
        tables.sort(key=lambda t: t.name)
        views = sorted(v.name for v in self.views.values() if not v.temporary)
        triggers = sorted((t.name, t.table) for t in self.triggers.values() if not t.temporary)
        return SchemaSnapshot(tuple(tables), tuple(views), tuple(triggers))


def _refer(referrers: Map[str, frozenset[str]], key: str, old: Table | None,
           new: Table | None) -> Map[str, frozenset[str]]:
    """``referrers`` once the table at ``key`` is ``new`` instead of ``old``."""
    was = old.parents if old is not None else frozenset()
    now = new.parents if new is not None else frozenset()
    if was == now:
        return referrers
    for parent in was - now:
        left = referrers.get(parent, frozenset()) - {key}
        referrers = referrers.set(parent, left) if left else referrers.delete(parent)
    for parent in now - was:
        referrers = referrers.set(parent, referrers.get(parent, frozenset()) | {key})
    return referrers


def _all_foreign_keys(table: Table) -> Iterator[ForeignKeyDef]:
    for col in table.columns:
        if col.references is not None:
            yield col.references
    yield from table.foreign_keys


def all_foreign_keys(table: Table) -> tuple[ForeignKeyDef, ...]:
    """Column-level and table-level foreign keys of ``table``, in declaration order."""
    fks = table._fks
    if fks is None:
        fks = tuple(_all_foreign_keys(table))
        object.__setattr__(table, "_fks", fks)
    return fks


def _table_info(table: Table, indexes: tuple[Index, ...]) -> TableInfo:
    columns = []
    alias = table.rowid_alias
    for col in table.columns:
        hidden = 0
        if col.hidden:
            hidden = 1
        elif col.generated:
            hidden = 3 if col.generated == "STORED" else 2
        # SQLite makes primary-key columns NOT NULL in WITHOUT ROWID and STRICT tables
        # (the rowid alias excepted: it can never be NULL anyway).
        notnull = col.notnull or (
            col.pk > 0 and (table.without_rowid or (table.strict and col.name != alias))
        )
        columns.append(ColumnInfo(col.name, col.type, notnull, col.default, col.pk, hidden))
    infos = [_index_info(table, i) for i in indexes]
    infos.extend(_autoindexes(table))
    infos.sort(key=lambda i: i.name)
    fks = []
    for fk in _all_foreign_keys(table):
        fks.append(
            ForeignKeyInfo(
                fk.parent,
                tuple(_column_name(table, c) or c for c in fk.columns),
                tuple(fk.parent_columns) if fk.parent_columns else (None,) * len(fk.columns),
                fk.on_update,
                fk.on_delete,
            )
        )
    return TableInfo(
        table.name, tuple(columns), tuple(infos), tuple(fks), table.strict,
        table.without_rowid, table.virtual_module is not None,
    )


def _column_name(table: Table, name: str | None) -> str | None:
    if name is None:
        return None
    col = table.column(name)
    return col.name if col else name


def _index_info(table: Table, index: Index) -> IndexInfo:
    cols = tuple(_column_name(table, c.name) for c in index.columns)
    return IndexInfo(index.name, index.unique, "c", index.where is not None, cols)


def _autoindexes(table: Table) -> list[IndexInfo]:
    """The ``sqlite_autoindex_<table>_<n>`` indexes SQLite makes for UNIQUE and PK."""
    if table.virtual_module:
        return []
    out: list[IndexInfo] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    keys = list(table.keys)
    if table._integer_primary_key() is not None:
        if not table.without_rowid:
            keys = [k for k in keys if not k.primary]  # the rowid alias needs no index
        else:
            # SQLite first takes it for a rowid alias and makes the index only when it
            # converts the table to WITHOUT ROWID, after every UNIQUE one.
            keys = [k for k in keys if not k.primary] + [k for k in keys if k.primary]
    for key in keys:
        cols = tuple(_column_name(table, c) for c in key.columns)
        norm = key.signature()
        if norm in seen:
            continue
        seen.add(norm)
        out.append(
            IndexInfo(
                f"sqlite_autoindex_{table.name}_{len(out) + 1}", True,
                "pk" if key.primary else "u", False, cols,
            )
        )
    return out
