"""DL007: a UNIQUE index or constraint added over rows that may hold duplicates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from migrate_lint.ddl import CreateIndex, CreateTable
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import Statement
from migrate_lint.schema import Schema, Table
from migrate_lint.span import Span
from migrate_lint.sqlglot_api import insert_shape, sql

from ._common import created_here, emptied_by, is_new_and_empty, statement_head, with_migration
from ._rebuild import rebuilds


def unique_sets(schema: Schema, table: Table) -> list[tuple[frozenset[str], str | None]]:
    """Every column set SQLite keeps unique in ``table`` (with the partial index's WHERE)."""
    out: list[tuple[frozenset[str], str | None]] = []
    for key in table.keys:
        if all(c is not None for c in key.columns):
            out.append((frozenset(str(c).lower() for c in key.columns), None))
    for index in schema.indexes_of(table.name):
        if index.unique and all(c.name is not None for c in index.columns):
            out.append((frozenset(str(c.name).lower() for c in index.columns),
                        " ".join(index.where.split()) if index.where else None))
    return out


def _covered(columns: frozenset[str], where: str | None,
             existing: Iterable[tuple[frozenset[str], str | None]]) -> bool:
    """True when an existing unique set already forbids the duplicates the new one would."""
    # a unique subset makes every superset unique; a partial index only covers its rows
    return any(cols <= columns and (cond is None or cond == where) for cols, cond in existing)


class UniqueOnExistingData(Rule):
    """A UNIQUE index or constraint added to a table that may already hold rows.

    ## What it does
    Reports `CREATE UNIQUE INDEX` on a table that existed before the migration (and
    was not emptied earlier in it), and a UNIQUE or PRIMARY KEY constraint of a
    rebuilt table that the rows copied into it were not already held to. A table
    created in the same migration and still empty, one emptied or de-duplicated (a
    `DELETE ... GROUP BY`) earlier in it, and a unique index that re-creates one the
    table already had, are not reported.

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
    kinds = frozenset({"create_index", "create_table"})

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
        if _covered(columns, where, unique_sets(ctx.before, table)):
            return
        for source in self._predecessors(ctx, table):
            if _covered(columns, where, source):
                return  # a rebuild re-creating an index the old table had
        yield self._finding(stmt, ctx, table, ", ".join(c.name or "" for c in node.columns))

    def _predecessors(self, ctx: Context, table: Table
                      ) -> Iterator[list[tuple[frozenset[str], str | None]]]:
        """Unique sets of the tables this migration copied ``table``'s rows from."""
        if not ctx.timeline.created_in(table, ctx.migration_index):
            return
        start = ctx.timeline.boundaries[ctx.migration_index]
        for index in range(start, ctx.step_index):
            step = ctx.timeline.steps[index]
            for source in _copy_sources(step.statement, step.before, table):
                yield unique_sets(step.before, source)

    def _rebuild(self, stmt: Statement, node: CreateTable, ctx: Context) -> Iterator[Finding]:
        table = ctx.after.table(node.name)
        if table is None or table.temporary:
            return
        stop = ctx.timeline.boundaries[ctx.migration_index + 1]
        for index in range(ctx.step_index + 1, stop):
            step = ctx.timeline.steps[index]
            copy = _copy_of(step.statement, step.before, table)
            if copy is None:
                continue
            source, mapping = copy
            if source.incomplete or not ctx.timeline.holds_old_rows(
                    source, ctx.migration_index, index):
                return
            if not _takes_over(ctx, source, table, index):
                return  # a new table filled from another one, not a rebuild of it
            existing = unique_sets(step.before, source)
            for key, con_span in _keys_with_spans(node):
                mapped = [mapping(c) for c in key]
                if any(m is None or source.column(m) is None for m in mapped):
                    continue  # computed or new: not a plain copy of the old rows
                names = frozenset(str(m).lower() for m in mapped)
                if not _covered(names, None, existing):
                    yield self._finding(stmt, ctx, source, ", ".join(sorted(names)),
                                        span=con_span, rebuilt=table.name)
            return

    def _finding(self, stmt: Statement, ctx: Context, table: Table, columns: str,
                 span: Span | None = None, rebuilt: str | None = None) -> Finding:
        what = (f"the copy into `{rebuilt}` (UNIQUE on `{columns}`)" if rebuilt
                else f"`{statement_head(stmt)}`")
        return with_migration(self.finding(
            span if span is not None else stmt.span,
            f"{what} fails with 'UNIQUE constraint failed' on every database where "
            f"`{table.name}` holds two rows with the same `{columns}`; passes on an empty one",
            help="remove or merge the duplicates in the same migration first (or make the "
                 "index partial), then add the UNIQUE index",
            statement=stmt.span,
            migration=ctx.migration.label,
            related=[created_here(table)],
            table=table.name,
            columns=columns,
        ))


def _deduplicated(ctx: Context, table: Table) -> bool:
    """True when an earlier DELETE of this migration removes duplicates (``GROUP BY``)."""
    start = ctx.timeline.boundaries[ctx.migration_index]
    for write in ctx.timeline.writes_to(table.name, start, ctx.step_index):
        text = " ".join(ctx.timeline.steps[write.step].statement.text.upper().split())
        if write.kind == "delete" and "GROUP BY" in text:
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
    was = next((t for t in start.tables.values() if t.origin == source.origin), None)
    now = next((t for t in end.tables.values() if t.origin == new.origin), None)
    return was is not None and now is not None and was.name.lower() == now.name.lower()


def _keys_with_spans(node: CreateTable) -> Iterator[tuple[tuple[str, ...], Span]]:
    for col in node.columns:
        if col.unique or col.primary_key:
            yield (col.name,), col.span
    for con in node.constraints:
        if con.kind in ("UNIQUE", "PRIMARY KEY") and all(c is not None for c in con.columns):
            yield tuple(str(c) for c in con.columns), con.span


_IDENT = re.compile(r"""^(?:[`"\[]?\w+[`"\]]?\.)?[`"\[]?(?P<name>\w+)[`"\]]?$""")


def _copy_of(stmt: Statement, schema: Schema, target: Table
             ) -> tuple[Table, Callable[[str], str | None]] | None:
    """The one table ``stmt`` copies rows from into ``target``, and the column mapping
    (target column -> source column, None for a computed value)."""
    if stmt.kind != "insert" or stmt.ast is None:
        return None
    shape = insert_shape(stmt.ast)
    if shape is None or not shape.select or len(shape.sources) != 1:
        return None
    into = schema.table(shape.table)
    source = schema.table(shape.sources[0][1])
    if into is None or into.origin != target.origin or source is None or source is into:
        return None
    pairs: dict[str, str | None] | None = None
    if shape.columns is not None and shape.values is not None:
        pairs = {}
        for col, value in zip(shape.columns, shape.values, strict=False):
            match = _IDENT.match(sql(value).strip())
            pairs[col.lower()] = match.group("name") if match else None

    def mapping(column: str) -> str | None:
        return column if pairs is None else pairs.get(column.lower())

    return source, mapping


def _copy_sources(stmt: Statement, schema: Schema, target: Table) -> Iterator[Table]:
    """Tables whose rows ``stmt`` copies into ``target`` (INSERT ... SELECT ... FROM)."""
    copy = _copy_of(stmt, schema, target)
    if copy is not None:
        yield copy[0]
