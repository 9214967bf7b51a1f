"""Copies (``INSERT ... SELECT``) and the unique keys they write: what DL008/DL009 share.

Not a rule (discovery skips ``_`` modules). Everything here reads the timeline and
keeps no state between calls.
"""

from __future__ import annotations

from migrate_lint.facts.inserts import parts_at, shape_at, value_texts_at
from migrate_lint.facts.literals import is_constant_default
from migrate_lint.replay import Timeline
from migrate_lint.schema import Schema, Table
from migrate_lint.sqlglot_api.copies import (
    CopyValue,
    copy_value,
    select_at_most_one_row,
    select_where,
    where_pinned_columns,
)
from migrate_lint.values import value_class

from ._rebuild import column_names

# Conflict clauses under which a duplicate key does not fail the statement: OR IGNORE
# and ON CONFLICT DO NOTHING skip the row, OR REPLACE and DO UPDATE overwrite one.
SURVIVES_DUPLICATES = frozenset({"ignore", "replace", "upsert"})


@value_class
class Copy:
    """One ``INSERT INTO target (...) SELECT ... FROM sources`` at ``step``.

    ``values`` maps each target column the select list fills (lower case) to its
    value; columns the copy omits are absent. ``sources`` are the tables of FROM and
    JOIN as they are at the copy; ``where`` the SELECT's WHERE; ``one_row`` True when
    the SELECT yields at most one row whatever the data.
    """

    step: int
    target: Table
    values: dict[str, CopyValue]
    sources: tuple[Table, ...]
    conflict: str | None
    where: str | None
    one_row: bool

    @property
    def fails_on_duplicates(self) -> bool:
        """Whether a duplicate key fails the statement (no OR IGNORE/REPLACE, no upsert)."""
        return self.conflict not in SURVIVES_DUPLICATES


def copy_at(timeline: Timeline, step_index: int) -> Copy | None:
    """The copy at ``step_index``, when it is an ``INSERT ... SELECT`` the model follows
    (memoised on the timeline: DL007 and its neighbours ask for the same copies)."""
    return timeline.memo(("copy", step_index), lambda: _copy_at(timeline, step_index))


def _copy_at(timeline: Timeline, step_index: int) -> Copy | None:
    step = timeline.steps[step_index]
    stmt = step.statement
    if stmt.kind != "insert" or stmt.ast is None or step.error is not None:
        return None
    shape = shape_at(timeline, step_index)
    parts = parts_at(timeline, step_index)
    if shape is None or parts is None or not shape.select or shape.values is None:
        return None
    target = step.before.table(shape.table)
    if target is None or target.incomplete or target.virtual_module:
        return None
    columns = shape.columns if shape.columns is not None else column_names(target)
    if len(columns) != len(shape.values):
        return None  # arity mismatch: NN002 reports it
    sources = []
    for _, name in shape.sources:
        table = step.before.table(name)
        if table is None or table.incomplete:
            return None
        sources.append(table)
    texts = value_texts_at(timeline, step_index) or ()
    values = {c.lower(): copy_value(v, t)
              for c, v, t in zip(columns, shape.values, texts, strict=True)}
    one_row = select_at_most_one_row(stmt.ast)
    if not one_row and len(sources) == 1:
        # WHERE key = 'x' over a unique key of the one source: one row at most
        pinned = where_pinned_columns(stmt.ast)
        one_row = any(set(key) <= pinned for key in unique_keys(step.before, sources[0]))
    return Copy(step_index, target, values, tuple(sources), parts.conflict,
                select_where(stmt.ast), one_row)


def unique_keys(schema: Schema, table: Table) -> list[tuple[str, ...]]:
    """Every column list SQLite keeps unique in ``table`` on all rows (partial unique
    indexes left out: their WHERE decides which rows count), lower case, without
    repeats, in declaration order."""
    out: list[tuple[str, ...]] = []
    for key in table.keys:
        if all(c is not None for c in key.columns):
            out.append(tuple(str(c).lower() for c in key.columns))
    if table.primary_key:
        out.append(tuple(c.lower() for c in table.primary_key))
    for index in schema.indexes_of(table.name):
        if index.unique and index.where is None and all(c.name is not None
                                                        for c in index.columns):
            out.append(tuple(str(c.name).lower() for c in index.columns))
    return list(dict.fromkeys(out))


def written_value(copy: Copy, column: str) -> CopyValue | None:
    """What the copy writes into ``column``: its select-list value, or for an omitted
    column its constant DEFAULT (None: a NULL, a new rowid, or a value per row)."""
    value = copy.values.get(column.lower())
    if value is not None:
        return value
    col = copy.target.column(column)
    if col is None or col.name == copy.target.rowid_alias or not col.has_default:
        return None
    text = col.default or ""
    if col.default_kind == "expr" and not is_constant_default(text):
        return None  # (random()) or the like: a value per row
    return CopyValue(text, text, False, None)


def unique_key_written(timeline: Timeline, step_index: int) -> tuple[str, ...] | None:
    """A unique key of the INSERT's target that every row it writes fills with a value
    that can repeat (not NULL, not a new rowid), when the INSERT fails on a duplicate
    (no OR IGNORE/REPLACE, no upsert); None otherwise. For ``INSERT ... SELECT`` and
    ``INSERT ... VALUES`` (seed inserts, read without a tree, too)."""
    step = timeline.steps[step_index]
    stmt = step.statement
    if stmt.kind != "insert" or step.error is not None:
        return None
    if stmt.seed is not None:
        seed = stmt.seed
        table, columns, conflict, source = seed.table, seed.columns, seed.conflict, "values"
        null_positions: tuple[int, ...] = seed.null_positions
    elif stmt.has_tree:  # `ast` would make a released tree again; parts_at asks its memo
        parts = parts_at(timeline, step_index)
        if parts is None:
            return None
        table, columns, conflict, source = parts.table, parts.columns, parts.conflict, parts.source
        null_positions = parts.null_positions
    else:
        return None
    if conflict in SURVIVES_DUPLICATES:
        return None
    target = step.before.table(table)
    if target is None or target.incomplete or target.virtual_module:
        return None
    copy = copy_at(timeline, step_index) if source == "select" else None
    named = columns if columns is not None else column_names(target)
    given = {c.lower() for c in named}
    nulls = {named[i].lower() for i in null_positions if i < len(named)}
    for key in unique_keys(step.before, target):
        if copy is not None:
            values = [written_value(copy, c) for c in key]
            if all(v is not None and not v.null for v in values):
                return key
        elif source == "values" and all(_filled(target, c, given, nulls) for c in key):
            return key
    return None


def _filled(target: Table, column: str, given: set[str], nulls: set[str]) -> bool:
    if column in given:
        return column not in nulls
    col = target.column(column)
    if col is None or col.name == target.rowid_alias or not col.has_default:
        return False
    return col.default_kind != "expr" or is_constant_default(col.default or "")
