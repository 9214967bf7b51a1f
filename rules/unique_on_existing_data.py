"""DL007: a UNIQUE index or constraint added over rows that may hold duplicates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from migrate_lint.ddl import CreateIndex, CreateTable, IndexedColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.facts.conditions import FALSE, NULL, possible_values
from migrate_lint.facts.inserts import shape_at, value_texts_at
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.replay import Timeline
from migrate_lint.schema import Column, Schema, Table
from migrate_lint.span import Span
from migrate_lint.sqlglot_api.dml import InsertShape, deduplicated_on, where_condition
from migrate_lint.sqlglot_api.parsing import parse_statement
from migrate_lint.values import value_class

from ._common import created_here, emptied_by, fails_on_data, is_new_and_empty, statement_head
from ._rebuild import rebuilds

# A column set SQLite keeps unique: its lower-cased names, the partial index's WHERE,
# and each column's collation (upper case) as (name, collation) pairs.
UniqueSet = tuple[frozenset[str], str | None, frozenset[tuple[str, str]]]


def unique_sets(schema: Schema, table: Table) -> list[UniqueSet]:
    """Every column set SQLite keeps unique in ``table`` (with the partial index's WHERE
    and the collations it compares with)."""
    out: list[UniqueSet] = []
    for key in table.keys:
        if all(c is not None for c in key.columns):
            out.append((frozenset(str(c).lower() for c in key.columns), None,
                        frozenset(key.signature())))
    for index in schema.indexes_of(table.name):
        if index.unique and all(c.name is not None for c in index.columns):
            out.append((frozenset(str(c.name).lower() for c in index.columns),
                        " ".join(index.where.split()) if index.where else None,
                        frozenset(_index_collations(table, index.columns).items())))
    return out


def _index_collations(table: Table, columns: Iterable[IndexedColumn]) -> dict[str, str]:
    """Lower-cased column name -> the collation an index compares it with: its own
    COLLATE, else the column's declared one, else BINARY."""
    out: dict[str, str] = {}
    for c in columns:
        declared = table.column(c.name) if c.name is not None else None
        name = str(c.name).lower()
        out[name] = (c.collate or (declared.collate if declared else None) or "BINARY").upper()
    return out


def _covered(columns: frozenset[str], where: str | None, existing: Iterable[UniqueSet],
             collations: dict[str, str] | None = None) -> bool:
    """True when an existing unique set already forbids the duplicates the new one would.

    ``collations``: how the new set compares each column (default BINARY). Values equal
    under BINARY are equal under any collation, so a set unique under any collation
    covers a BINARY column; a NOCASE column only one unique under NOCASE itself
    (`a` and `A` may both be there)."""
    wanted = collations or {}

    def compares_alike(kept: frozenset[tuple[str, str]]) -> bool:
        return all(wanted.get(name, "BINARY") in ("BINARY", how) for name, how in kept
                   if name in columns)

    # a unique subset makes every superset unique; a partial index only covers its rows
    return any(cols <= columns and (cond is None or cond == where) and compares_alike(kept)
               for cols, cond, kept in existing)


@value_class
class DuplicatesMayExist(Facts):
    """A UNIQUE key on ``columns`` (comma-separated) over the existing rows of ``table``:
    by the statement itself, or by the copy into the rebuilt table ``rebuilt``."""

    statement: str
    table: str
    columns: str
    rebuilt: str | None = None

    def message(self) -> str:
        """Fails where duplicates exist."""
        what = (f"the copy into `{self.rebuilt}` (UNIQUE on `{self.columns}`)" if self.rebuilt
                else f"`{self.statement}`")
        return fails_on_data(what, "UNIQUE constraint failed",
                             f"`{self.table}` holds two rows with the same `{self.columns}`")

    def help(self) -> str:
        """De-duplicate first."""
        return ("remove or merge the duplicates in the same migration first (or make the "
                "index partial), then add the UNIQUE index")


class UniqueOnExistingData(Rule):
    """A UNIQUE index or constraint added to a table that may already hold rows.

    ## What it does
    Reports `CREATE UNIQUE INDEX` on a table that existed before the migration (and
    was not emptied earlier in it), and a UNIQUE or PRIMARY KEY constraint of a
    rebuilt table that the rows copied into it were not already held to. A table
    created in the same migration and still empty, one emptied or de-duplicated (a
    `DELETE ... GROUP BY`, or one over `row_number() OVER (PARTITION BY ...)`) earlier in it, and a unique index that re-creates one the
    table already had (also one dropped earlier in the same migration, with nothing
    written since: an index renamed), are not reported. A key compared under another
    collation is another key: `email` unique does not keep `email COLLATE NOCASE`
    unique (`a@x` and `A@x`). Nor are rows that cannot repeat: a column
    added in this migration (by ADD COLUMN, or in a rebuilt table whose copy leaves it
    out) holds NULL (NULLs never collide) or a default the partial index's WHERE
    excludes; a copy that keeps one row per key (`ON CONFLICT DO
    NOTHING`, `INSERT OR IGNORE/REPLACE`, `GROUP BY` the key, `row_number() OVER
    (PARTITION BY key) = 1`); a value built from an already unique key between
    constant strings (`'user-' || id`).

    ## Why is this bad?
    SQLite builds the index from the rows already there: on every database where two
    rows share the key, the migration fails with 'UNIQUE constraint failed' (and the
    rebuild copy fails the same way). It passes on a fresh database and on developers'
    ones, which is why it ships.

    ## Example
    ```sql
    CREATE TABLE tag (id text PRIMARY KEY, user_id text, name text);
    -- migration
    CREATE UNIQUE INDEX tag_user_name ON tag (user_id, name);
    ```

    ## Use instead
    ```sql
    CREATE TABLE tag (id text PRIMARY KEY, user_id text, name text);
    -- migration
    DELETE FROM tag WHERE rowid NOT IN (SELECT min(rowid) FROM tag GROUP BY user_id, name);
    CREATE UNIQUE INDEX tag_user_name ON tag (user_id, name);
    ```

    ## References
    - https://www.sqlite.org/lang_createindex.html#unique_indexes
    """

    code = "DL007"
    name = "unique-on-existing-data"
    severity = "warning"
    kinds = frozenset({StatementKind.CREATE_INDEX, StatementKind.CREATE_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one CREATE UNIQUE INDEX, or one CREATE TABLE filled by a copy."""
        if ctx.step.error:
            return
        if isinstance(stmt.ddl, CreateIndex):
            yield from self._index(stmt, stmt.ddl, ctx)
        elif isinstance(stmt.ddl, CreateTable):
            yield from self._rebuild(stmt, stmt.ddl, ctx)

    def _index(self, stmt: Statement, node: CreateIndex, ctx: Context) -> Iterator[Finding]:
        if not node.unique or any(c.name is None for c in node.columns):
            return
        table = ctx.before.table(node.table)
        if table is None or table.temporary or is_new_and_empty(ctx, table):
            return
        if emptied_by(ctx, table) is not None or _deduplicated(ctx, table):
            return
        columns = frozenset(str(c.name).lower() for c in node.columns)
        where = " ".join(node.where.split()) if node.where else None
        collations = _index_collations(table, node.columns)
        if _covered(columns, where, unique_sets(ctx.before, table), collations):
            return
        if _unique_at_start(ctx, table, columns, where, collations):
            return  # an index dropped and made again (a rename, as prisma and drizzle write it)
        if _fresh_rows_never_collide(ctx, table, columns, where):
            return
        if _copied_unique(ctx, table, columns, where):
            return  # a rebuild re-creating an index the old table had, or a de-duplicating copy
        # a column compared under another collation than BINARY says so: NOCASE
        # duplicates ('a@x', 'A@x') are not what "the same value" reads as
        named = [f"{c.name}" if collations[str(c.name).lower()] == "BINARY"
                 else f"{c.name} COLLATE {collations[str(c.name).lower()]}" for c in node.columns]
        yield self._finding(stmt, ctx, table, ", ".join(named))

    def _rebuild(self, stmt: Statement, node: CreateTable, ctx: Context) -> Iterator[Finding]:
        table = ctx.after.table(node.name)
        if table is None or table.temporary:
            return
        stop = ctx.timeline.boundaries[ctx.migration_index + 1]
        for index in range(ctx.step_index + 1, stop):
            step = ctx.timeline.steps[index]
            copy = _copy_of(ctx.timeline, index, table)
            if copy is None:
                continue
            source, mapping = copy
            if source.incomplete or not ctx.timeline.holds_old_rows(
                    source, ctx.migration_index, index):
                return
            if not _takes_over(ctx, source, table, index):
                return  # a new table filled from another one, not a rebuild of it
            existing = unique_sets(step.before, source)
            dedup = deduplicated_on(step.statement.ast) if step.statement.ast is not None else None
            for key, con_span in _keys_with_spans(node):
                mapped = [mapping(c) for c in key]
                if any(m is None or source.column(m) is None for m in mapped):
                    continue  # computed or new: not a plain copy of the old rows
                names = frozenset(str(m).lower() for m in mapped)
                if _keeps_one_per(dedup, frozenset(c.lower() for c in key), names):
                    continue  # the copy itself drops or merges the duplicates
                if not _covered(names, None, existing):
                    yield self._finding(stmt, ctx, source, ", ".join(sorted(names)),
                                        span=con_span, rebuilt=table.name)
            return

    def _finding(self, stmt: Statement, ctx: Context, table: Table, columns: str,
                 span: Span | None = None, rebuilt: str | None = None) -> Finding:
        facts = DuplicatesMayExist(statement_head(stmt), table.name, columns, rebuilt)
        return self.report(facts, span if span is not None else stmt.span,
                           related=[created_here(table)])


def _keeps_one_per(dedup: frozenset[str] | None, key: frozenset[str],
                   source_key: frozenset[str]) -> bool:
    """True when a copy that de-duplicates on ``dedup`` (see ``deduplicated_on``)
    leaves at most one row per ``key`` (target names) / ``source_key`` (source names)."""
    return dedup is not None and (not dedup or dedup <= key or dedup <= source_key)


def _added_here(ctx: Context, table: Table, column: Column) -> bool:
    """True when ``column`` was added to the pre-existing ``table`` by this migration and
    nothing wrote it since: every row holds its default."""
    m = ctx.migration_index
    if column.origin.migration != ctx.migration.label or ctx.timeline.created_in(table, m):
        return False
    start = ctx.timeline.boundaries[m]
    return not any(w.kind == "insert" or (w.kind == "update" and column.name.lower() in (
        c.lower() for c in w.columns)) for w in ctx.timeline.writes_to(table.name, start,
                                                                       ctx.step_index))


def _unwritten_since_made(ctx: Context, table: Table, column: Column) -> bool:
    """True when ``table`` was made in this migration (a rebuild's new table, under any
    of the names it had since) and no write since gave ``column`` a value: every row
    holds its default (a copy that leaves the new column out)."""
    m = ctx.migration_index
    if not ctx.timeline.created_in(table, m):
        return False
    start = ctx.timeline.boundaries[m]
    names = {table.name.lower()}
    for step in ctx.timeline.steps[start:ctx.step_index]:
        names.update(n for n in step.touched if (t := step.after.table(n)) is not None
                     and t.origin == table.origin)
    col = column.name.lower()
    for name in names:
        for w in ctx.timeline.writes_to(name, start, ctx.step_index):
            if w.kind == "insert":
                shape = shape_at(ctx.timeline, w.step)  # (its Write knows no columns)
                named = shape.columns if shape is not None else None
                if named is None or col in (c.lower() for c in named):
                    return False  # positional, unknown, or it fills the column
            elif col in (c.lower() for c in w.columns):
                return False
    return True


def _fresh_rows_never_collide(ctx: Context, table: Table, columns: frozenset[str],
                              where: str | None) -> bool:
    """True when the indexed rows cannot repeat because of columns added just now.

    A column added in this migration (by ADD COLUMN, or in a rebuilt table no write has
    filled) holds its default in every row: NULL, and NULLs never collide in a UNIQUE
    index; or a constant that the partial index's WHERE excludes (SQLite evaluates the
    WHERE with the defaults put in).
    """
    fresh = [c for c in (table.column(n) for n in columns) if c is not None
             and (_added_here(ctx, table, c) or _unwritten_since_made(ctx, table, c))]
    if any(c.default is None or c.default_kind == "null" for c in fresh):
        return True
    if where is None or not fresh:
        return False
    text = where
    for col in fresh:
        assert col.default is not None
        text = re.sub(rf"""(?<![\w$])[`"\[]?{re.escape(col.name)}[`"\]]?(?![\w$])""",
                      f"({col.default})", text, flags=re.I)
    try:
        cond = where_condition(parse_statement(f"DELETE FROM _mlint WHERE {text}"))
    except Exception:  # the substituted text does not parse: cannot tell
        return False
    return cond is not None and possible_values(cond) <= {FALSE, NULL}


def _copied_unique(ctx: Context, table: Table, columns: frozenset[str], where: str | None
                   ) -> bool:
    """True when ``table`` was made in this migration and a copy filled it with rows
    already unique on ``columns``: the source kept them unique (at the copy, or at the
    start of the migration when it dropped that index before copying), the copy
    de-duplicates on them, or it builds them injectively from a unique key
    (``'user-' || id``)."""
    m = ctx.migration_index
    if not ctx.timeline.created_in(table, m):
        return False
    start = ctx.timeline.boundaries[m]
    first = ctx.timeline.steps[start].before
    for index in range(start, ctx.step_index):
        step = ctx.timeline.steps[index]
        if _copies_unknown_table(ctx.timeline, index, table):
            return True  # rows of a table the history does not show (a code migration made it)
        copy = _copy_of(ctx.timeline, index, table)
        if copy is None:
            continue
        source, mapping = copy
        mapped = {c: mapping(c) for c in columns}
        names = frozenset(str(v).lower() for v in mapped.values() if v is not None)
        dedup = deduplicated_on(step.statement.ast) if step.statement.ast is not None else None
        if _keeps_one_per(dedup, columns, names):
            return True
        was = first.version_of(source)
        existing = unique_sets(step.before, source)
        if was is not None:
            existing += unique_sets(first, was)
        if _covered(names, where, existing):
            return True
    return False


def _copies_unknown_table(timeline: Timeline, index: int, target: Table) -> bool:
    """True when the statement at ``index`` copies into ``target`` from a table the
    replayed schema lacks."""
    step = timeline.steps[index]
    if step.statement.kind != "insert":
        return False
    shape = shape_at(timeline, index)
    if shape is None or not shape.select or not shape.sources:
        return False
    schema = step.before
    into = schema.table(shape.table)
    return (into is not None and into.origin == target.origin
            and any(schema.table(name) is None for _, name in shape.sources))


def _unique_at_start(ctx: Context, table: Table, columns: frozenset[str], where: str | None,
                     collations: dict[str, str]) -> bool:
    """True when ``table`` was held unique on ``columns`` when the migration began and no
    statement of it since wrote rows that could repeat (an INSERT, or an UPDATE of one
    of the columns): its rows are the ones the dropped index kept unique."""
    start = ctx.timeline.boundaries[ctx.migration_index]
    first = ctx.timeline.steps[start].before
    was = first.version_of(table)
    if was is None or was.name.lower() != table.name.lower():
        return False  # renamed since: writes under the old name would go unseen
    if not _covered(columns, where, unique_sets(first, was), collations):
        return False
    return not any(w.kind == "insert" or (w.kind == "update" and any(
        c.lower() in columns for c in w.columns)) for w in ctx.timeline.writes_to(
            table.name, start, ctx.step_index))


def _deduplicated(ctx: Context, table: Table) -> bool:
    """True when an earlier DELETE of this migration removes duplicates (``GROUP BY``,
    or a window over the key: `row_number() OVER (PARTITION BY ...) > 1`)."""
    start = ctx.timeline.boundaries[ctx.migration_index]
    for write in ctx.timeline.writes_to(table.name, start, ctx.step_index):
        text = " ".join(ctx.timeline.steps[write.step].statement.text.upper().split())
        if write.kind == "delete" and ("GROUP BY" in text or "PARTITION BY" in text):
            return True
    return False


def _takes_over(ctx: Context, source: Table, new: Table, copy_step: int) -> bool:
    """True when ``new`` ends the migration under the name ``source`` had at its start,
    or when the copy at ``copy_step`` is part of a rebuild of ``source`` (a table
    rebuilt earlier in the same migration, whose name at the start was another's)."""
    timeline = ctx.timeline
    if any(copy_step in r.copies and r.old.origin == source.origin
           for r in rebuilds(timeline, ctx.migration_index)):
        return True
    start = timeline.steps[timeline.boundaries[ctx.migration_index]].before
    end = timeline.after_migration(ctx.migration_index)
    was = start.version_of(source)
    now = end.version_of(new)
    return was is not None and now is not None and was.name.lower() == now.name.lower()


def _keys_with_spans(node: CreateTable) -> Iterator[tuple[tuple[str, ...], Span]]:
    for col in node.columns:
        if col.unique or col.primary_key:
            yield (col.name,), col.span
    for con in node.constraints:
        if con.kind in ("UNIQUE", "PRIMARY KEY") and all(c is not None for c in con.columns):
            yield tuple(str(c) for c in con.columns), con.span


_IDENT = re.compile(r"""^(?:[`"\[]?\w+[`"\]]?\.)?[`"\[]?(?P<name>\w+)[`"\]]?$""")
# A column between constant strings, joined by ||: one value per value of the column.
_INJECTIVE = re.compile(r"""^(?:'[^']*'\s*\|\|\s*)*(?P<ref>(?:[`"\[]?\w+[`"\]]?\.)?[`"\[]?\w+[`"\]]?)"""
                        r"""(?:\s*\|\|\s*'[^']*')*$""")


def _copy_of(timeline: Timeline, index: int, target: Table
             ) -> tuple[Table, Callable[[str], str | None]] | None:
    """The one table the statement at ``index`` copies rows from into ``target``, and the
    column mapping (target column -> source column, None for a computed value)."""
    step = timeline.steps[index]
    if step.statement.kind != "insert":
        return None
    shape = shape_at(timeline, index)
    if shape is None or not shape.select or len(shape.sources) != 1:
        return None
    into = step.before.table(shape.table)
    source = step.before.table(shape.sources[0][1])
    if into is None or into.origin != target.origin or source is None or source is into:
        return None
    # read once per copy: every CREATE TABLE of the migration asks about its copies
    texts = value_texts_at(timeline, index)
    pairs = timeline.memo(("unique-copy-pairs", index), lambda: _pairs(shape, texts))

    def mapping(column: str) -> str | None:
        return column if pairs is None else pairs.get(column.lower())

    return source, mapping


def _pairs(shape: InsertShape, texts: tuple[str, ...] | None) -> dict[str, str | None] | None:
    """Target column -> the source column it copies (None: computed); None: no column
    list. ``texts`` are the values as SQL (facts.inserts.value_texts_at)."""
    if shape.columns is None or texts is None:
        return None
    pairs: dict[str, str | None] = {}
    for col, text in zip(shape.columns, texts, strict=False):
        text = text.strip()
        injective = _INJECTIVE.match(text)
        match = _IDENT.match(injective.group("ref") if injective else text)
        pairs[col.lower()] = match.group("name") if match else None
    return pairs
