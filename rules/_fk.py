"""Foreign-key facts shared by FK001, FK002, FK003 and DL001: what makes SQLite refuse
writes through a key, where the key was declared, and the keys that became problems."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.ddl import AddColumn, CreateTable, ForeignKeyDef
from migrate_lint.history import History, Statement
from migrate_lint.replay import Timeline
from migrate_lint.schema import Origin, Schema, Table, all_foreign_keys
from migrate_lint.span import Span

# problem kinds: (code, what)
MISSING_TABLE = "missing-table"
MISSING_COLUMN = "missing-column"
NO_PRIMARY_KEY = "no-primary-key"
COUNT = "column-count"
NOT_UNIQUE = "not-unique"
FK001_KINDS = frozenset({MISSING_TABLE, MISSING_COLUMN})
FK002_KINDS = frozenset({NO_PRIMARY_KEY, COUNT, NOT_UNIQUE})


def fk_problem(schema: Schema, fk: ForeignKeyDef) -> tuple[str, str] | None:
    """What makes SQLite refuse writes through ``fk`` in ``schema``: (kind, detail)."""
    parent = schema.table(fk.parent)
    if parent is None:
        if fk.parent.lower() in schema.views:
            return None  # not modelled; SQLite reports it at the first write anyway
        return MISSING_TABLE, f"no table `{fk.parent}`"
    if parent.incomplete or parent.virtual_module:
        return None
    columns = fk.parent_columns or parent.primary_key
    if not columns:
        return NO_PRIMARY_KEY, f"`{parent.name}` has no PRIMARY KEY and the key names no columns"
    missing = [c for c in columns if parent.column(c) is None]
    if missing:
        return MISSING_COLUMN, f"`{parent.name}` has no column `{missing[0]}`"
    if len(columns) != len(fk.columns):
        return COUNT, (f"the key has {len(fk.columns)} column(s) and `{parent.name}`'s "
                       f"parent key {len(columns)}")
    wanted = frozenset(c.lower() for c in columns)
    if wanted == frozenset(c.lower() for c in parent.primary_key):
        return None
    for key in parent.keys:
        if all(c is not None for c in key.columns) and wanted == frozenset(
                str(c).lower() for c in key.columns):
            return None
    for index in schema.indexes_of(parent.name):
        if index.unique and index.where is None and all(
                c.name is not None for c in index.columns) and len(index.columns) == len(
                wanted) and wanted == frozenset(str(c.name).lower() for c in index.columns):
            return None
    return NOT_UNIQUE, (f"`{parent.name}({', '.join(columns)})` is neither its PRIMARY KEY nor "
                        "covered by a UNIQUE constraint or a non-partial UNIQUE index")


def fk_label(table: Table, fk: ForeignKeyDef) -> str:
    """``child(a, b) -> parent(x, y)``."""
    parent_cols = f"({', '.join(fk.parent_columns)})" if fk.parent_columns else ""
    return f"{table.name}({', '.join(fk.columns)}) REFERENCES {fk.parent}{parent_cols}"


def statement_at(history: History, origin: Origin) -> Statement | None:
    """The statement an origin points at."""
    index = history.find(origin.migration)
    if index is None:
        return None
    statements = history.migrations[index].up.statements
    return statements[origin.statement] if origin.statement < len(statements) else None


def fk_span(stmt: Statement, fk: ForeignKeyDef) -> Span:
    """The column or table constraint that declares ``fk`` in ``stmt``, else the statement."""
    cols = tuple(c.lower() for c in fk.columns)
    node = stmt.ddl
    if isinstance(node, CreateTable):
        for con in node.constraints:
            if con.foreign_key is not None and tuple(
                    c.lower() for c in con.foreign_key.columns) == cols:
                return con.span
        for col in node.columns:
            if col.references is not None and (col.name.lower(),) == cols:
                return col.span
    if isinstance(node, AddColumn):
        return node.column.span
    return stmt.span


def _key(table: Table, fk: ForeignKeyDef) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
    return (table.name.lower(), tuple(c.lower() for c in fk.columns), fk.parent.lower(),
            tuple(c.lower() for c in fk.parent_columns))


_Problem = tuple[int, Statement, Span, Table, ForeignKeyDef, str, str]


def new_fk_problems(timeline: Timeline, kinds: frozenset[str],
                    scope: frozenset[int] | None = None) -> Iterator[_Problem]:
    """Foreign-key problems of ``kinds`` present at the end of a migration and not at
    the end of the one before: (migration, statement, span, child, key, kind, detail).

    The statement is the last one of the migration that brought the problem in (the
    CREATE TABLE or ADD COLUMN that declares the key, or the change to its parent).
    FK001 and FK002 share one pass over the history (``Timeline.memo``). With a
    ``scope`` (`HistoryContext.scope`) only the problems of those migrations are
    made, and the pass starts at the first of them.
    """
    every = timeline.memo(("fk-problems", scope), lambda: list(_fk_problems(timeline, scope)))
    return (p for p in every if p[5] in kinds)


def _fk_problems(timeline: Timeline, scope: frozenset[int] | None = None
                 ) -> Iterator[_Problem]:
    """One pass over the history that looks, at the end of each migration, only at the
    child tables whose problems may have changed: those the migration touched, and those
    whose parent (table, view or its indexes) it touched. Every other table and its
    parents are the same objects as after the migration before, so its problems are too.

    With a ``scope`` the pass starts at its first migration, from the problems every
    table has in the schema before it: what the pass from the start would hold there.
    """
    # child key -> the problem keys it had at the end of the migration before
    previous: dict[str, set[tuple[object, ...]]] = {}
    # lower-cased parent name -> keys of the child tables whose foreign keys name it
    children: dict[str, set[str]] = {}
    parents_of: dict[str, frozenset[str]] = {}
    first, last = 0, len(timeline.history.migrations)
    if scope is not None:
        if not scope:
            return
        first, last = min(scope), max(scope) + 1
        _seed(timeline.after_migration(first - 1), previous, children, parents_of)
    for m_index in range(first, last):
        start, stop = timeline.boundaries[m_index], timeline.boundaries[m_index + 1]
        if start == stop:
            continue  # nothing changed: the problems are the ones before
        end = timeline.after_migration(m_index)
        touched = timeline.touched_in(m_index)
        affected = set(touched)
        for name in touched:
            affected.update(children.get(name, ()))
        present: list[tuple[str, Table]] = []
        for key in affected:
            for parent in parents_of.pop(key, ()):
                children[parent].discard(key)
            table = end.tables.get(key)
            if table is None or table.temporary or table.virtual_module:
                previous.pop(key, None)
            else:
                present.append((key, table))
        for key, table in sorted(present, key=lambda kt: kt[1].name.lower()):  # seed-free
            parents_of[key] = table.parents
            for parent in table.parents:
                children.setdefault(parent, set()).add(key)
            before = previous.get(key, set())
            current: set[tuple[object, ...]] = set()
            for fk in all_foreign_keys(table):
                problem = fk_problem(end, fk)
                if problem is None:
                    continue
                problem_key = (*_key(table, fk), problem[0])
                current.add(problem_key)
                if problem_key in before:
                    continue
                if scope is not None and m_index not in scope:
                    continue
                stmt, span = _culprit(timeline, start, stop, table, fk, problem[0])
                yield m_index, stmt, span, table, fk, problem[0], problem[1]
            if current:
                previous[key] = current
            else:
                previous.pop(key, None)


def _seed(schema: Schema, previous: dict[str, set[tuple[object, ...]]],
          children: dict[str, set[str]], parents_of: dict[str, frozenset[str]]) -> None:
    """The state `_fk_problems` holds after the migration whose end is ``schema``."""
    for key, table in schema.tables.items():
        if table.temporary or table.virtual_module:
            continue
        parents_of[key] = table.parents
        for parent in table.parents:
            children.setdefault(parent, set()).add(key)
        current: set[tuple[object, ...]] = set()
        for fk in all_foreign_keys(table):
            problem = fk_problem(schema, fk)
            if problem is not None:
                current.add((*_key(table, fk), problem[0]))
        if current:
            previous[key] = current


def _culprit(timeline: Timeline, start: int, stop: int, table: Table, fk: ForeignKeyDef,
             kind: str) -> tuple[Statement, Span]:
    """The last statement of steps [start, stop) that turned ``fk`` into a problem."""
    seen = False
    for index in range(stop - 1, start - 1, -1):
        step = timeline.steps[index]
        child = step.after.version_of(table)
        if child is None:
            if seen:
                break  # before the step that made it: no earlier step has it either
            continue
        seen = True
        after_fk = next((f for f in all_foreign_keys(child)
                         if _key(child, f)[1] == _key(table, fk)[1]), None)
        if after_fk is None:
            continue
        problem = fk_problem(step.after, after_fk)
        if problem is None or problem[0] != kind:
            continue
        old = step.before.version_of(table)
        old_fk = next((f for f in all_foreign_keys(old)
                       if _key(old, f)[1] == _key(table, fk)[1]), None) if old else None
        before = fk_problem(step.before, old_fk) if old_fk is not None else None
        if before is None or before[0] != kind:
            stmt = step.statement
            declared = old_fk is None or (isinstance(stmt.ddl, AddColumn))
            return stmt, fk_span(stmt, after_fk) if declared else stmt.span
    origin_stmt = statement_at(timeline.history, table.origin)
    stmt = origin_stmt or timeline.steps[stop - 1].statement
    return stmt, fk_span(stmt, fk)
