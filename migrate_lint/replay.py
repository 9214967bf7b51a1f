"""Replay a history into a timeline: the schema before and after every statement.

The timeline also answers, once for every rule, the questions rules share: was a
table created in this migration (and is it still empty), which statements
backfilled a column, which tables the tool could not follow.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from migrate_lint import ddl as d
from migrate_lint.facts.literals import select_star_source
from migrate_lint.facts.types import ctas_type
from migrate_lint.history import History, Migration, Statement
from migrate_lint.schema import (
    NO_NAMES,
    Column,
    Index,
    Origin,
    Schema,
    Table,
    Trigger,
    UniqueKey,
    View,
)
from migrate_lint.values import value_class

T = TypeVar("T")


@value_class
class Step:
    """One statement of the up direction and the schema on each side of it.

    ``error`` is the error SQLite would raise at this statement whatever the data
    (``no such table: t``), as far as the model can tell; the schema is then left
    as it was, as SQLite leaves it.
    """

    migration: int
    statement: Statement
    before: Schema
    after: Schema
    error: str | None = None
    # Lower-cased names of the tables and views this statement changed, and of the
    # tables whose CREATE INDEX indexes it changed (see ``Schema.touched``).
    touched: frozenset[str] = frozenset()


@value_class
class Write:
    """A data statement that wrote a table: an INSERT, or an UPDATE of some columns."""

    step: int
    kind: str  # insert / update / delete
    table: str
    columns: tuple[str, ...]  # UPDATE: the columns it sets; INSERT: () when unknown


class Timeline:
    """Every step of a replayed history, with the facts rules ask about."""

    def __init__(self, history: History, steps: list[Step], writes: list[Write],
                 boundaries: list[int], *, unfollowed: dict[str, int] | None = None) -> None:
        self.history = history
        self.steps = steps
        self.writes = writes
        # boundaries[i] is the index of the first step of migration i; one extra at the end
        self.boundaries = boundaries
        # see first_unfollowed; given when the caller knows it (a replay the cache resumed)
        self._unfollowed: dict[str, int] | None = unfollowed
        self._memo: dict[Hashable, Any] = {}

    @property
    def final(self) -> Schema:
        """The schema after the whole history."""
        return self.steps[-1].after if self.steps else Schema()

    def after_migration(self, index: int) -> Schema:
        """The schema after migration ``index`` (``-1``: before the first)."""
        if index < 0:
            return Schema()
        end = self.boundaries[index + 1]
        if end == 0:
            return Schema()
        return self.steps[end - 1].after

    def touched_in(self, index: int) -> frozenset[str]:
        """Lower-cased names migration ``index`` changed: its tables and views, and the
        tables whose CREATE INDEX indexes it changed. Anything else is the same object
        after the migration as before it, so whole-history rules need look no further."""
        return self.memo(("touched", index), lambda: NO_NAMES.union(
            *(step.touched for step in self.steps_of(index))) or NO_NAMES)

    def steps_of(self, index: int) -> list[Step]:
        """The steps of migration ``index``."""
        return self.steps[self.boundaries[index] : self.boundaries[index + 1]]

    def migration_of(self, step: Step) -> Migration:
        """The migration a step belongs to."""
        return self.history.migrations[step.migration]

    def created_in(self, table: Table, migration: int) -> bool:
        """True when ``table`` was created by migration ``migration``.

        A table created in the same migration is empty on every database when the
        migration runs, unless the migration itself filled it (see ``is_empty_new``).
        """
        return table.origin.migration == self.history.migrations[migration].label

    def is_empty_new(self, table: Table, migration: int, before_step: int) -> bool:
        """True when ``table`` was created in ``migration`` and nothing filled it yet."""
        if not self.created_in(table, migration):
            return False
        start = self.boundaries[migration]
        # Compare origins, not names: a rebuild fills `new_t`, then renames it to `t`.
        for w in self._writes_between(start, before_step):
            if w.kind != "insert":
                continue
            written = self.steps[w.step].before.table(w.table)
            if written is not None and written.origin == table.origin:
                return False
        return True

    def holds_old_rows(self, table: Table, migration: int, before_step: int) -> bool:
        """True when ``table`` may hold rows that were in the database before
        ``migration`` ran, at ``before_step``.

        A table that existed before the migration does; one created in it does once a
        copy (``INSERT ... SELECT``) from such a table filled it: a table rebuilt twice
        in one migration holds the old rows after the first rebuild, and the second
        rebuild's copy must be checked like the first. Rows the migration wrote from
        VALUES are its own, visible in the file.
        """
        if not self.created_in(table, migration):
            return True
        key = ("old-rows", table.origin, migration, before_step)
        return self.memo(key, lambda: self._filled_from_old(table, migration, before_step))

    def _filled_from_old(self, table: Table, migration: int, before_step: int) -> bool:
        from migrate_lint.sqlglot_api.dml import insert_shape

        for w in self._writes_between(self.boundaries[migration], before_step):
            if w.kind != "insert":
                continue
            step = self.steps[w.step]
            written = step.before.table(w.table)
            if written is None or written.origin != table.origin or step.statement.ast is None:
                continue
            shape = insert_shape(step.statement.ast)
            if shape is None or not shape.select:
                continue
            for _, name in shape.sources:
                source = step.before.table(name)
                # each level looks at earlier steps only: the recursion ends
                if source is not None and source.origin != table.origin and (
                        self.holds_old_rows(source, migration, w.step)):
                    return True
        return False

    def _writes_between(self, start: int, stop: int) -> list[Write]:
        """The writes of steps [start, stop): writes are recorded in step order."""
        steps = self.memo("write-steps", lambda: [w.step for w in self.writes])
        return self.writes[bisect_left(steps, start):bisect_left(steps, stop)]

    def backfills(self, table: str, column: str, before_step: int) -> list[Step]:
        """UPDATE steps before ``before_step`` that set ``table.column``."""
        col = column.lower()
        return [
            self.steps[w.step]
            for w in self._writes_of(table, 0, before_step)
            if w.kind == "update" and col in (c.lower() for c in w.columns)
        ]

    def _writes_of(self, table: str, start: int, stop: int) -> list[Write]:
        """The writes to ``table`` of steps [start, stop), from an index by table: asking
        costs what it returns, not every write of the history."""
        by_table = self.memo("writes-by-table", self._index_writes)
        writes, steps = by_table.get(table.lower(), ([], []))
        return writes[bisect_left(steps, start):bisect_left(steps, stop)]

    def _index_writes(self) -> dict[str, tuple[list[Write], list[int]]]:
        index: dict[str, tuple[list[Write], list[int]]] = {}
        for w in self.writes:
            writes, steps = index.setdefault(w.table.lower(), ([], []))
            writes.append(w)
            steps.append(w.step)
        return index

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per timeline for ``key``; later calls return that result.

        For facts several rules derive from the same timeline (the rebuilds of a
        migration, foreign-key problems): the timeline answers once for every rule.
        """
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def first_unfollowed(self, table: str) -> int | None:
        """The first step naming ``table`` in a statement the tool did not understand."""
        return self.unfollowed().get(table.lower())

    def unfollowed(self) -> dict[str, int]:
        """Lower-cased name -> `first_unfollowed` of it, for every name."""
        if self._unfollowed is None:
            first: dict[str, int] = {}
            for index, step in enumerate(self.steps):
                if step.statement.problem is not None:
                    for name in step.statement.tables:
                        first.setdefault(name.lower(), index)
            self._unfollowed = first
        return self._unfollowed

    def code_makers(self, migration: int, present: Callable[[Schema], bool]
                    ) -> tuple[Migration, ...]:
        """Code migrations before ``migration`` that may have made an object the model
        lacks: those after the last one at whose end ``present`` held, in history order.

        The model cannot see what code does, so "no such table" after one of them is
        not certain. Empty when no code migration ran since the model last had it.
        """
        found: list[Migration] = []
        for index in range(migration - 1, -1, -1):
            earlier = self.history.migrations[index]
            if not earlier.source.code:
                continue
            if present(self.after_migration(index)):
                break
            found.append(earlier)
        return tuple(reversed(found))

    def writes_to(self, table: str, start: int, stop: int) -> list[Write]:
        """Data statements that wrote ``table`` in steps [start, stop)."""
        return self._writes_of(table, start, stop)


def replay(history: History, upto: int | None = None) -> Timeline:
    """Replay the up direction of every migration (or of the first ``upto``)."""
    migrations = history.migrations if upto is None else history.migrations[:upto]
    steps, writes, boundaries = replay_steps(migrations, 0, Schema(), 0)
    boundaries.append(len(steps))
    return Timeline(history, steps, writes, boundaries)


def replay_changed(timeline: Timeline, history: History) -> Timeline:
    """``history``, an edit of ``timeline.history``, replayed: the steps of the
    migrations before the first one that is not the same object are ``timeline``'s (a
    step depends only on what came before it), the rest are replayed from there."""
    old, new = timeline.history.migrations, history.migrations
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a is not b),
                 min(len(old), len(new)))
    if not isinstance(timeline.steps, list):  # a resumed timeline's kept steps are outlines
        return replay(history)
    start = timeline.boundaries[first]
    schema = timeline.steps[start - 1].after if start else Schema()
    # what a data statement writes depends on it alone: the old statements after the
    # edit keep their writes (an UPDATE's columns come from its tree, which the run let
    # go and would make again from its file)
    known = {id(timeline.steps[w.step].statement): w for w in timeline.writes
             if w.step >= start}
    steps, writes, boundaries = replay_steps(new[first:], first, schema, start, known)
    boundaries.append(start + len(steps))
    return Timeline(history, timeline.steps[:start] + steps,
                    [w for w in timeline.writes if w.step < start] + writes,
                    timeline.boundaries[:first] + boundaries)


def replay_steps(migrations: Sequence[Migration], first: int, schema: Schema, offset: int,
                 known: dict[int, Write] | None = None
                 ) -> tuple[list[Step], list[Write], list[int]]:
    """Replay ``migrations`` (numbered from ``first``) on ``schema``, numbering their
    steps from ``offset``: the steps, the writes, and where each migration starts.
    ``known``: the writes of statements replayed before, by the statement's id.

    ``replay`` starts from nothing; `migrate_lint.checkpoint` from the schema after
    the migrations it keeps.
    """
    steps: list[Step] = []
    writes: list[Write] = []
    boundaries: list[int] = []
    # one set for alike `touched` names: most name one table, and tables change often
    alike: dict[frozenset[str], frozenset[str]] = {}
    for m_index, migration in enumerate(migrations, first):
        boundaries.append(offset + len(steps))
        label = migration.label  # one string for the origins of the migration's objects
        for stmt in migration.up.statements:
            origin = Origin(label, stmt.index, stmt.span)
            after, error = apply(schema, stmt, origin)
            touched = alike.setdefault(after.touched, after.touched)
            after = after.settled()
            steps.append(Step(m_index, stmt, schema, after, error, touched))
            kept = known.get(id(stmt)) if known else None
            write = (_write_of(stmt, offset + len(steps) - 1) if kept is None
                     else replace(kept, step=offset + len(steps) - 1))
            if write is not None:
                writes.append(write)
            schema = after
    return steps, writes, boundaries


def _write_of(stmt: Statement, step: int) -> Write | None:
    # has_tree, not ast: a tree let go after its migration was checked is made again
    # when read, and `fix` replays the whole history again (issue 13)
    if stmt.kind not in ("insert", "update", "delete") or not stmt.tables or (
            not stmt.has_tree and stmt.seed is None):
        return None
    from migrate_lint.sqlglot_api.dml import updated_columns

    tree = stmt.ast if stmt.kind == "update" else None
    columns = updated_columns(tree) if tree is not None else ()
    return Write(step, stmt.kind, stmt.tables[0], columns)


# -- applying one statement ----------------------------------------------------


def apply(schema: Schema, stmt: Statement, origin: Origin) -> tuple[Schema, str | None]:
    """The schema after ``stmt``, and the error SQLite would raise, if any."""
    if stmt.problem is not None:
        return _mark_incomplete(schema, stmt), None
    node = stmt.ddl
    if node is None:
        return schema, None
    handler = _HANDLERS.get(type(node))
    if handler is None:
        return schema, None
    return handler(schema, node, stmt, origin)


def _mark_incomplete(schema: Schema, stmt: Statement) -> Schema:
    for name in stmt.tables:
        table = schema.table(name)
        if table is not None and table.incomplete is None:
            reason = f"{stmt.span}: statement not understood ({stmt.problem})"
            schema = schema.with_table(replace(table, incomplete=reason))
    return schema


def _column(col: d.ColumnDef, origin: Origin, pk: int = 0) -> Column:
    return Column(
        name=col.name, type=col.type, origin=origin, notnull=col.notnull, default=col.default,
        default_kind=col.default_kind, pk=pk, unique=col.unique, collate=col.collate,
        checks=col.checks, references=col.references, generated=col.generated,
        generated_expr=col.generated_expr,
    )


_STRICT_TYPES = frozenset({"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"})

# SQLite's default SQLITE_MAX_COLUMN: a table (and a result set) has at most this many
# columns; one more is refused ("too many columns on t") however the build is used.
MAX_COLUMNS = 2000


def _column_count_or_duplicate(node: d.CreateTable) -> str | None:
    seen: set[str] = set()
    for position, col in enumerate(node.columns):
        if position == MAX_COLUMNS:  # SQLite stops at the first column past the limit
            return f"too many columns on {node.name}"
        low = col.name.lower()
        if low in seen:
            return f"duplicate column name: {col.name}"
        seen.add(low)
    return None


def _table_primary_keys(node: d.CreateTable) -> list[d.TableConstraintDef]:
    return [k for k in node.constraints if k.kind == "PRIMARY KEY"]


def _more_than_one_primary_key(node: d.CreateTable) -> str | None:
    column_pks = [c for c in node.columns if c.primary_key]
    if len(column_pks) + len(_table_primary_keys(node)) > 1:
        return f'table "{node.name}" has more than one primary key'
    return None


def _generated_column(node: d.CreateTable) -> str | None:
    for col in node.columns:
        if col.generated:
            if col.default is not None:
                return "cannot use DEFAULT on a generated column"
            if col.primary_key:
                return "generated columns cannot be part of the PRIMARY KEY"
    if node.columns and all(c.generated for c in node.columns):
        return "must have at least one non-generated column"
    return None


def _table_constraint(node: d.CreateTable) -> str | None:
    """Key and foreign-key constraints naming columns the table lacks, or expressions."""
    by_name = {c.name.lower(): c for c in node.columns}
    for con in node.constraints:
        if con.kind in ("PRIMARY KEY", "UNIQUE"):
            if any(name is None for name in con.columns):
                return "expressions prohibited in PRIMARY KEY and UNIQUE constraints"
            for name in con.columns:
                key_col = by_name.get(name.lower()) if name is not None else None
                if key_col is None:
                    return f"no such column: {name}"
                if con.kind == "PRIMARY KEY" and key_col.generated:
                    return "generated columns cannot be part of the PRIMARY KEY"
        elif con.foreign_key is not None:
            fk = con.foreign_key
            if fk.parent_columns and len(fk.parent_columns) != len(fk.columns):
                return ("number of columns in foreign key does not match the number of "
                        "columns in the referenced table")
            for name in fk.columns:
                if name.lower() not in by_name:
                    return f'unknown column "{name}" in foreign key definition'
    return None


def _column_reference(node: d.CreateTable) -> str | None:
    for col in node.columns:
        ref = col.references
        if ref is not None and len(ref.parent_columns) > 1:
            return (f"foreign key on {col.name} should reference only one column of table "
                    f"{ref.parent}")
    return None


def _autoincrement(node: d.CreateTable) -> str | None:
    table_pks = _table_primary_keys(node)
    autoincrement = [c for c in node.columns if c.autoincrement]
    autoincrement += [c for k in table_pks if k.autoincrement for c in node.columns
                      if c.name.lower() == (k.columns[0] or "").lower()]
    if not autoincrement:
        return None
    col = autoincrement[0]
    single = (len(table_pks) == 0 or len(table_pks[0].columns) == 1)
    if col.type.upper() != "INTEGER" or col.pk_desc or not single:
        return "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY"
    if node.without_rowid:
        return "AUTOINCREMENT not allowed on WITHOUT ROWID tables"
    return None


def _conflicting_on_conflict(node: d.CreateTable) -> str | None:
    """Keys are the same index (and must agree on ON CONFLICT) when their columns and
    collations are the same."""
    by_col = {c.name.lower(): c for c in node.columns}

    def collation(name: str, given: str | None) -> str:
        own = by_col.get(name.lower())
        return (given or (own.collate if own else None) or "BINARY").upper()

    conflicts: dict[tuple[tuple[str, str], ...], str] = {}
    key_clauses: list[tuple[tuple[tuple[str, str], ...], str]] = [
        (((c.name.lower(), collation(c.name, None)),), action) for c in node.columns
        for _kind, action in c.key_conflicts]
    for k in node.constraints:
        if k.kind in ("PRIMARY KEY", "UNIQUE"):
            colls = k.collates or (None,) * len(k.columns)
            key_clauses.append((tuple(((n or "").lower(), collation(n or "", g))
                                      for n, g in zip(k.columns, colls, strict=False)),
                                k.conflict))
    for cols, action in key_clauses:
        if action and conflicts.setdefault(cols, action) != action:
            return "conflicting ON CONFLICT clauses specified"
    return None


def _without_rowid_key(node: d.CreateTable) -> str | None:
    if node.without_rowid and not any(c.primary_key for c in node.columns) and not (
            _table_primary_keys(node)):
        return f"PRIMARY KEY missing on table {node.name}"
    return None


def _strict_types(node: d.CreateTable) -> str | None:
    if not node.strict:
        return None
    for col in node.columns:
        if not col.type:
            return f"missing datatype for {node.name}.{col.name}"
        if col.type.upper() not in _STRICT_TYPES:
            return f'unknown datatype for {node.name}.{col.name}: "{col.type}"'
    return None


def create_table_error(node: d.CreateTable) -> str | None:
    """The error SQLite raises for a CREATE TABLE its grammar accepts, as far as the
    statement alone tells (sqlite 3.40's messages); None when it creates the table.

    The checks of ``CREATE_TABLE_CHECKS`` run in SQLite's order; the first error wins.
    Unknown collations, non-constant DEFAULT expressions and CHECK/generated
    expressions the resolver cannot read are not checked.
    """
    for check in CREATE_TABLE_CHECKS:
        error = check(node)
        if error is not None:
            return error
    return None


def _expression_error(node: d.CreateTable) -> str | None:
    """A CHECK or generated column naming a column the table lacks ("no such column")."""
    texts = [t for c in node.columns for t in c.checks]
    texts += [k.expr for k in node.constraints if k.kind == "CHECK" and k.expr]
    texts += [c.generated_expr for c in node.columns if c.generated_expr]
    return _first_expression_error(node.name, [c.name for c in node.columns], texts)


# What SQLite refuses in a CREATE TABLE, in the order it finds it.
CREATE_TABLE_CHECKS: tuple[Callable[[d.CreateTable], str | None], ...] = (
    _column_count_or_duplicate, _more_than_one_primary_key, _generated_column,
    _table_constraint, _column_reference, _autoincrement, _conflicting_on_conflict,
    _without_rowid_key, _strict_types, _expression_error,
)


def _first_expression_error(table: str, columns: list[str], texts: list[str]) -> str | None:
    """The first "no such column" among CHECK / generated expressions of ``table``."""
    if not texts:
        return None
    from migrate_lint import resolve

    for text in texts:
        try:
            error = resolve.table_expression_error(table, columns, text)
        except resolve.Unreadable:
            continue  # not ours to judge: SQLite's own reader decides at run time
        if error:
            return error
    return None


def _pk_takes_over_unique(node: d.CreateTable, keys: list[UniqueKey]) -> list[UniqueKey]:
    """A PRIMARY KEY on the columns of an earlier UNIQUE key makes no index of its own:
    SQLite gives the UNIQUE one the primary key's origin ('pk'). Not for a rowid alias,
    which needs no index."""
    pk = next((k for k in keys if k.primary), None)
    if pk is None:
        return keys
    by_name = {c.name.lower(): c for c in node.columns}
    if len(pk.columns) == 1 and not pk.column_desc and not node.without_rowid:
        col = by_name.get((pk.columns[0] or "").lower())
        if col is not None and col.type.upper() == "INTEGER":
            return keys
    wanted = pk.signature()
    out = list(keys)
    for j, key in enumerate(keys):
        if key is pk:
            break
        if key.signature() == wanted:
            out[j] = replace(key, primary=True)
            break
    return out


def _create_table(schema: Schema, node: d.CreateTable, stmt: Statement, origin: Origin
                  ) -> tuple[Schema, str | None]:
    if schema.table(node.name) is not None or schema.has(node.name):
        if node.if_not_exists:
            return schema, None
        return schema, f"table {node.name} already exists"
    if node.as_select is not None:
        return _create_table_as(schema, node, node.as_select, stmt, origin)
    error = create_table_error(node)
    if error is not None:
        return schema, error
    return schema.with_table(_table_of(node, stmt, origin)), None


def _create_table_as(schema: Schema, node: d.CreateTable, select: str, stmt: Statement,
                     origin: Origin) -> tuple[Schema, str | None]:
    """CREATE TABLE ... AS SELECT: no constraints, keys or defaults, only names and
    affinity types."""
    from migrate_lint.ctas import ctas_columns

    made = ctas_columns(schema, node.name, select)
    if made is not None and len(made.columns) > MAX_COLUMNS:
        return schema, "too many columns in result set"
    if made is not None:
        cols = tuple(Column(n, t, origin) for n, t in made.columns)
        return schema.with_table(Table(node.name, cols, origin, made.sql,
                                       temporary=node.temporary)), None
    star = select_star_source(select)
    source = schema.table(star) if star else None
    if source is None:
        table = Table(node.name, (), origin, stmt.text, temporary=node.temporary,
                      incomplete=f"{stmt.span}: columns of CREATE TABLE ... AS SELECT "
                      "are not modelled")
    else:
        cols = tuple(Column(c.name, ctas_type(c.type), origin)
                     for c in source.columns if not c.hidden)
        if len(cols) > MAX_COLUMNS:
            return schema, "too many columns in result set"
        table = Table(node.name, cols, origin, stmt.text, temporary=node.temporary)
    return schema.with_table(table), None


_BINARY: tuple[str | None, ...] = (None,)  # one tuple for the keys of most tables


def _collations(col: d.ColumnDef) -> tuple[str | None, ...]:
    return _BINARY if col.collate is None else (col.collate,)


def _table_of(node: d.CreateTable, stmt: Statement, origin: Origin) -> Table:
    """The model of a CREATE TABLE that SQLite accepts: columns, keys (with each primary
    key column's position), CHECKs and foreign keys, in declaration order."""
    pk_positions: dict[str, int] = {}
    keys: list[UniqueKey] = []
    for col in node.columns:
        if col.primary_key:
            pk_positions[col.name.lower()] = 1
            keys.append(UniqueKey((col.name,), True, column_desc=col.pk_desc,
                                  collations=_collations(col)))
        if col.unique:
            keys.append(UniqueKey((col.name,), False, collations=_collations(col)))
    fks: list[d.ForeignKeyDef] = []
    checks: list[str] = []
    autoincrement = any(c.autoincrement for c in node.columns)
    for con in node.constraints:
        if con.kind in ("PRIMARY KEY", "UNIQUE"):
            keys.append(_constraint_key(node, con, pk_positions))
            autoincrement = autoincrement or (con.kind == "PRIMARY KEY" and con.autoincrement)
        elif con.kind == "CHECK" and con.expr is not None:
            checks.append(con.expr)
        elif con.foreign_key is not None:
            fks.append(replace(con.foreign_key, offset=con.span.start))
    keys = _pk_takes_over_unique(node, keys)
    columns = tuple(_column(c, origin, pk_positions.get(c.name.lower(), 0)) for c in node.columns)
    if any(c.more_references for c in node.columns):
        # a column with several REFERENCES: the model's column holds one, so every
        # foreign key of the table is kept with the table's, in declaration order
        column_fks = [fk for c in node.columns if c.references is not None
                      for fk in (c.references, *c.more_references)]
        fks = column_fks + fks
        columns = tuple(replace(c, references=None) for c in columns)
    return Table(
        node.name, columns, origin, stmt.text, tuple(keys), tuple(fks), tuple(checks),
        node.without_rowid, node.strict, autoincrement, node.temporary,
    )


def _constraint_key(node: d.CreateTable, con: d.TableConstraintDef,
                    pk_positions: dict[str, int]) -> UniqueKey:
    """The key of a PRIMARY KEY or UNIQUE table constraint; a PRIMARY KEY also numbers
    its columns in ``pk_positions`` (a column's pk is its first place)."""
    # a column named twice in a key: a UNIQUE index keeps it twice, and so does a
    # rowid table's PRIMARY KEY; WITHOUT ROWID keeps it once and numbers the key
    # without it
    named = [n for n in con.columns if n is not None]
    names = tuple(named)
    not_alias = False
    if con.kind == "PRIMARY KEY":
        deduped = _distinct_key_terms(node, con)
        if node.without_rowid:
            names = deduped
        # PRIMARY KEY (a, a) is a two-term key: never a rowid alias
        not_alias = len(deduped) < len(named) or con.not_rowid_alias
        for pos, name in enumerate(names, 1):
            pk_positions.setdefault(name.lower(), pos)
    by_col = {c.name.lower(): c for c in node.columns}
    given = dict(zip([n.lower() for n in con.columns if n is not None],
                     [k for n, k in zip(con.columns, con.collates or (None,) *
                                        len(con.columns), strict=False)
                      if n is not None], strict=False))
    collations = tuple(given.get(n.lower()) or (
        by_col[n.lower()].collate if n.lower() in by_col else None) for n in names)
    return UniqueKey(names, con.kind == "PRIMARY KEY", column_desc=not_alias,
                     offset=con.span.start, collations=collations)


def _distinct_key_terms(node: d.CreateTable, con: d.TableConstraintDef) -> tuple[str, ...]:
    """The columns of a key, without a term that repeats an earlier one with the same
    column and collation."""
    by_name = {c.name.lower(): c for c in node.columns}
    seen: set[tuple[str, str]] = set()
    kept: list[str] = []
    collates = con.collates or (None,) * len(con.columns)
    for n, coll in zip(con.columns, collates, strict=False):
        if n is None:
            continue
        own = by_name.get(n.lower())
        term = (n.lower(), (coll or (own.collate if own else None) or "BINARY").upper())
        if term not in seen:
            seen.add(term)
            kept.append(n)
    return tuple(kept)


def _create_virtual(schema: Schema, node: d.CreateVirtualTable, stmt: Statement,
                    origin: Origin) -> tuple[Schema, str | None]:
    if schema.has(node.name):
        return schema, None if node.if_not_exists else f"table {node.name} already exists"
    module = node.module.lower()
    incomplete: str | None = None
    columns: list[Column] = []
    if module in ("fts5", "fts4", "fts3", "rtree", "rtree_i32"):
        for arg in node.args:
            if "=" in arg:
                continue  # fts options such as tokenize=porter
            name = arg.split()[0].strip("`\"[]")
            columns.append(Column(name, "", origin))
        if module == "fts5":
            columns += [Column(node.name, "", origin, hidden=True),
                        Column("rank", "", origin, hidden=True)]
        elif module in ("fts4", "fts3"):
            incomplete = f"{stmt.span}: hidden columns of {module} tables are not modelled"
    else:
        incomplete = f"{stmt.span}: virtual table module {node.module} is not modelled"
    table = Table(node.name, tuple(columns), origin, stmt.text, virtual_module=module,
                  incomplete=incomplete)
    return schema.with_table(table), None


def _drop(schema: Schema, node: d.Drop, stmt: Statement, origin: Origin
          ) -> tuple[Schema, str | None]:
    what = node.what
    found = {
        "TABLE": schema.table(node.name),
        "INDEX": schema.index(node.name),
        "VIEW": schema.views.get(node.name.lower()),
        "TRIGGER": schema.triggers.get(node.name.lower()),
    }[what]
    if found is None:
        return schema, None if node.if_exists else f"no such {what.lower()}: {node.name}"
    if what == "TABLE":
        return schema.without_table(node.name), None
    if what == "INDEX":
        return schema.without_index(node.name), None
    if what == "VIEW":
        return schema.without_view(node.name), None
    return schema.without_trigger(node.name), None


def _create_index(schema: Schema, node: d.CreateIndex, stmt: Statement, origin: Origin
                  ) -> tuple[Schema, str | None]:
    if schema.has(node.name):
        if node.if_not_exists:
            return schema, None
        return schema, f"index {node.name} already exists"
    table = schema.table(node.table)
    if table is None:
        return schema, f"no such table: main.{node.table}"
    for key in node.columns:
        if key.name is not None and table.column(key.name) is None and not table.incomplete:
            return schema, f"no such column: {key.name}"
    index = Index(node.name, table.name, node.unique, node.columns, node.where, stmt.text, origin)
    return schema.with_index(index), None


def _create_view(schema: Schema, node: d.CreateView, stmt: Statement, origin: Origin
                 ) -> tuple[Schema, str | None]:
    if schema.has(node.name):
        return schema, None if node.if_not_exists else f"view {node.name} already exists"
    view = View(node.name, stmt.text, origin, node.select, node.temporary)
    return schema.with_view(view), None


def _create_trigger(schema: Schema, node: d.CreateTrigger, stmt: Statement, origin: Origin
                    ) -> tuple[Schema, str | None]:
    if schema.triggers.get(node.name.lower()) is not None:
        return schema, None if node.if_not_exists else f"trigger {node.name} already exists"
    if schema.table(node.table) is None and schema.views.get(node.table.lower()) is None:
        return schema, f"no such table: main.{node.table}"
    trigger = Trigger(node.name, node.table, stmt.text, origin, node.new_old_columns,
                      node.body_words, node.temporary)
    return schema.with_trigger(trigger), None


def _add_column(schema: Schema, node: d.AddColumn, stmt: Statement, origin: Origin
                ) -> tuple[Schema, str | None]:
    table = schema.table(node.table)
    if table is None:
        return schema, f"no such table: {node.table}"
    col = node.column
    if len(table.columns) >= MAX_COLUMNS and table.virtual_module is None:
        # SQLite adds the column to a copy it names sqlite_altertab_<table>
        return schema, f"too many columns on sqlite_altertab_{table.name}"
    if table.column(col.name) is not None:
        return schema, f"duplicate column name: {col.name}"
    if col.primary_key:
        return schema, "Cannot add a PRIMARY KEY column"
    if col.unique:
        return schema, "Cannot add a UNIQUE column"
    texts = [*col.checks, *([col.generated_expr] if col.generated_expr else [])]
    # only a CHECK or generated expression needs the column list (most ADDs have none)
    error = _first_expression_error(
        table.name, [*(c.name for c in table.columns), col.name], texts) if texts else None
    if error:
        return schema, f"error in table {table.name} after add column: {error}"
    return schema.with_table(table.with_column(_column(col, origin), origin)), None


def _table_column(schema: Schema, table_name: str, column: str) -> tuple[Table, Column] | str:
    """The table and column an ALTER TABLE ... DROP or RENAME COLUMN names, or SQLite's
    error when either is missing."""
    table = schema.table(table_name)
    if table is None:
        return f"no such table: {table_name}"
    col = table.column(column)
    if col is None:
        return f"no such column: \"{column}\""
    return table, col


def _drop_column(schema: Schema, node: d.DropColumn, stmt: Statement, origin: Origin
                 ) -> tuple[Schema, str | None]:
    found = _table_column(schema, node.table, node.column)
    if isinstance(found, str):
        return schema, found
    table, col = found
    error = drop_column_blocker(schema, table, col.name)
    if error:
        return schema, error
    low = col.name.lower()
    new = replace(table, columns=tuple(c for c in table.columns if c.name.lower() != low),
                  changed=origin)
    return schema.with_table(new), None


@value_class
class DropBlocker:
    """Why ``ALTER TABLE t DROP COLUMN c`` fails, and which object makes it fail.

    ``certain`` is False when the tool could not read a view or trigger that names
    the column: the drop is then treated as refused, and ``message`` says why.
    """

    message: str
    kind: str = "table"  # table / index / view / trigger
    name: str = ""
    origin: Origin | None = None
    certain: bool = True


def drop_column_blocker(schema: Schema, table: Table, column: str) -> str | None:
    """Why SQLite refuses ``ALTER TABLE table DROP COLUMN column``, if it does.

    The message is SQLite's own (sqlite 3.40), e.g. ``error in view v after drop
    column: no such column: c``; see :func:`drop_column_check`.
    """
    found = drop_column_check(schema, table, column)
    return found.message if found is not None else None


def drop_column_check(schema: Schema, table: Table, column: str) -> DropBlocker | None:
    """What makes SQLite refuse ``ALTER TABLE table DROP COLUMN column``, if anything.

    SQLite refuses PRIMARY KEY and column-UNIQUE columns and the last column, then
    drops the column from the table's SQL, reparses the table and its indexes and
    re-resolves every view and trigger; the first object that no longer resolves
    fails the drop (see :mod:`migrate_lint.resolve`). Objects that did not resolve
    before the drop either (SQLite refuses those too, "error in view v: ...") are not
    reported: the model keeps view and trigger texts as written, and after a rename
    they may be stale.
    """
    from migrate_lint import resolve as r

    col = table.column(column)
    if col is None:
        return None
    if col.pk:
        return DropBlocker(f"cannot drop PRIMARY KEY column: \"{col.name}\"", name=table.name)
    if col.unique:
        return DropBlocker(f"cannot drop UNIQUE column: \"{col.name}\"", name=table.name)
    if len(table.columns) <= 1:
        return DropBlocker(f"cannot drop column \"{col.name}\": no other columns exist",
                           name=table.name)
    low = col.name.lower()
    before_cols = [c.name for c in table.columns]
    after_cols = [c.name for c in table.columns if c.name.lower() != low]
    broken = {e for e in r.table_errors(table, schema, before_cols) if e[2]}
    for kind, name, error in r.table_errors(table, schema, after_cols):
        if error and (kind, name, error) not in broken:
            index = schema.index(name) if kind == "index" else None
            return DropBlocker(f"error in {kind} {name} after drop column: {error}", kind, name,
                               index.origin if index else table.last_change)
    new = replace(table, columns=tuple(c for c in table.columns if c.name.lower() != low))
    before = r.Resolver(schema)
    after = r.Resolver(schema.with_table(new))
    for obj in r.objects_in_order(schema):
        if not r.mentions(obj.sql, col.name):
            continue  # only an object naming c can stop resolving (see resolve)
        kind = "view" if isinstance(obj, View) else "trigger"
        check = r.view_error if isinstance(obj, View) else r.trigger_error
        try:
            error = check(after, obj)  # type: ignore[arg-type]
            if error is None or check(before, obj) is not None:  # type: ignore[arg-type]
                continue
        except r.Unreadable as err:
            return DropBlocker(
                f"the tool could not read {kind} {obj.name} ({err}), which names "
                f"{col.name}; SQLite refuses the drop if it still resolves {col.name} to "
                f"{table.name}.{col.name}", kind, obj.name, obj.origin, certain=False)
        return DropBlocker(f"error in {kind} {obj.name} after drop column: {error}", kind,
                           obj.name, obj.origin)
    return None


def _rename_column(schema: Schema, node: d.RenameColumn, stmt: Statement, origin: Origin
                   ) -> tuple[Schema, str | None]:
    found = _table_column(schema, node.table, node.old)
    if isinstance(found, str):
        return schema, found
    table, _col = found
    old = node.old.lower()
    taken = table.column(node.new)
    # `RENAME COLUMN bodyText TO bodytext` changes only the case: SQLite accepts it
    if taken is not None and taken.name.lower() != old:
        # SQLite's words (3.40): it renames in the table's SQL, then reparses it
        return schema, f"error in table {table.name} after rename: duplicate column name: " \
                       f"{node.new}"
    low_table = table.name.lower()

    def ren(name: str | None) -> str | None:
        return node.new if name is not None and name.lower() == old else name

    def ren_fk(fk: d.ForeignKeyDef, child: bool) -> d.ForeignKeyDef:
        # SQLite renames the column in this table's keys and in every key pointing here
        cols = tuple(ren(c) or c for c in fk.columns) if child else fk.columns
        pcols = tuple(ren(c) or c for c in fk.parent_columns) \
            if fk.parent.lower() == low_table else fk.parent_columns
        if cols == fk.columns and pcols == fk.parent_columns:
            return fk  # most keys do not name the column: no copy
        return replace(fk, columns=cols, parent_columns=pcols)

    changed: dict[str, Table | None] = {}
    # the table and the tables whose keys point at it (the schema keeps that map), not
    # every table: a rename costs its neighbours, not the schema's size
    for key in sorted({low_table, *schema.referrers.get(low_table, ())}):
        other = schema.tables.get(key)
        if other is None:
            continue
        is_self = key == low_table
        columns = []
        for c in other.columns:
            if is_self and c.name.lower() == old:
                c = replace(c, name=node.new, changed=origin)
            if c.references is not None:
                fk = ren_fk(c.references, is_self)
                if fk is not c.references:
                    c = replace(c, references=fk)
            columns.append(c)
        fks = tuple(ren_fk(fk, is_self) for fk in other.foreign_keys)
        if not is_self and fks == other.foreign_keys and all(
                a is b for a, b in zip(columns, other.columns, strict=True)):
            continue  # a child whose keys name another column of the table: unchanged
        keys = other.keys
        if is_self:
            keys = tuple(replace(k, columns=tuple(ren(c) for c in k.columns)) for k in keys)
        changed[key] = replace(other, columns=tuple(columns), foreign_keys=fks, keys=keys,
                               changed=origin if is_self else other.changed)
    indexes = {
        index.name.lower(): replace(index, columns=tuple(
            replace(k, name=ren(k.name)) if k.name else k for k in index.columns))
        for index in schema.indexes_of(table.name)
        if any(k.name is not None and k.name.lower() == old for k in index.columns)
    }
    return schema.with_changes(changed, indexes), None


def _rename_table(schema: Schema, node: d.RenameTable, stmt: Statement, origin: Origin
                  ) -> tuple[Schema, str | None]:
    table = schema.table(node.table)
    if table is None:
        return schema, f"no such table: {node.table}"
    if schema.has(node.new):
        return schema, f"there is already another table or index with this name: {node.new}"
    old = table.name.lower()

    def follow(fk: d.ForeignKeyDef) -> d.ForeignKeyDef:
        # Since SQLite 3.26 children's REFERENCES follow a renamed parent.
        return replace(fk, parent=node.new) if fk.parent.lower() == old else fk

    changed: dict[str, Table | None] = {old: None}
    for key in sorted({old, *schema.referrers.get(old, ())}):  # see _rename_column
        other = schema.tables.get(key)
        if other is None:
            continue
        columns = tuple(
            replace(c, references=follow(c.references)) if c.references is not None else c
            for c in other.columns
        )
        fks = tuple(follow(fk) for fk in other.foreign_keys)
        if key == old:
            changed[node.new.lower()] = replace(other, name=node.new, columns=columns,
                                                foreign_keys=fks, changed=origin)
        else:
            changed[key] = replace(other, columns=columns, foreign_keys=fks)
    indexes = {i.name.lower(): replace(i, table=node.new) for i in schema.indexes_of(old)}
    triggers = {k: replace(t, table=node.new) for k, t in schema.triggers.items()
                if t.table.lower() == old}
    return schema.with_changes(changed, indexes, triggers), None


_Handler = Callable[[Schema, Any, Statement, Origin], tuple[Schema, str | None]]
_HANDLERS: dict[type, _Handler] = {
    d.CreateTable: _create_table,
    d.CreateVirtualTable: _create_virtual,
    d.Drop: _drop,
    d.CreateIndex: _create_index,
    d.CreateView: _create_view,
    d.CreateTrigger: _create_trigger,
    d.AddColumn: _add_column,
    d.DropColumn: _drop_column,
    d.RenameColumn: _rename_column,
    d.RenameTable: _rename_table,
}


def iter_tables(schema: Schema) -> Iterator[Table]:
    """Tables of the main schema, sorted by name."""
    return iter(sorted((t for t in schema.tables.values() if not t.temporary),
                       key=lambda t: t.name.lower()))
