"""SQ007: a statement that names a missing object, or creates one that exists."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import KW_ONLY

from migrate_lint.engine import Context, Rule
from migrate_lint.facts.inserts import shape_at, value_texts_at
from migrate_lint.facts.tables import (
    index_made_outside,
    made_outside,
    missing_object,
    sqlite_made,
)
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.replay import MAX_COLUMNS
from migrate_lint.runners import made_by_runner
from migrate_lint.schema import Schema, Table
from migrate_lint.span import Span
from migrate_lint.sqlglot_api.dml import column_reference, dml_target, updated_columns
from migrate_lint.values import value_class

from ._common import LIMIT_ERRORS, error_reported_by, statement_head
from ._rebuild import column_names

_ROWID = frozenset({"rowid", "oid", "_rowid_"})


_NO_COLUMN_NAMED = re.compile(r"^table (\S+) has no column named (.+)$")


def _presence(error: str, stmt: Statement, table: str | None
              ) -> Callable[[Schema], bool] | None:
    """A test for "the object ``error`` misses is in this schema", when it names one."""
    named = _NO_COLUMN_NAMED.match(error)
    if named is not None:
        table, kind, name = named.group(1), "column", named.group(2)
    else:
        missing = missing_object(error)  # what a code migration may have made unseen
        if missing is None:
            return None
        kind, name = missing
    low = name.lower()
    if kind == "table":
        return lambda s: s.table(name) is not None or low in s.views
    if kind == "index":
        return lambda s: s.index(name) is not None
    if kind == "view":
        return lambda s: low in s.views
    if kind == "trigger":
        return lambda s: low in s.triggers
    owner = table or (stmt.tables[0] if stmt.tables else None)
    if owner is None:
        return None

    def has_column(s: Schema) -> bool:
        found = s.table(owner)
        return found is not None and found.column(name) is not None
    return has_column


def _missing(kind: str, error: str) -> str | None:
    """The ``kind`` ("table", "index") a "no such ..." error names; None otherwise."""
    missing = missing_object(error)
    return missing[1] if missing is not None and missing[0] == kind else None


@value_class
class MissingObject(Facts):
    """A statement fails with ``error`` as the replayed schema says (on ``table``,
    ``column``), before migration ``version`` ran; ``over_limit``: the error is SQLite's
    column limit; ``code_migration`` (file ``code_file``, ``more_code`` after it) may
    have made the object unseen."""

    statement: str
    error: str
    version: str
    _: KW_ONLY
    table: str | None = None
    column: str | None = None
    over_limit: bool = False
    code_migration: str | None = None
    code_file: str = ""
    more_code: int = 0
    # the missing table, which no migration of the history makes and no table it has
    # is named like: made outside these files (the application, a baseline)
    outside: str | None = None
    # a double-quoted name in a copy's select list that is no column of its sources:
    # SQLite reads it as a string (its legacy double-quoted strings) into ``column``
    as_string: str | None = None

    def message(self) -> str:
        """Where it fails, and how sure that is."""
        if self.as_string is not None:
            return (f"`{self.statement}` reads \"{self.as_string}\", which names no column of "
                    f"the tables it selects from: SQLite takes a double-quoted name it cannot "
                    f"resolve for the string '{self.as_string}', so the copy writes that text "
                    f"into `{self.table}.{self.column}` for every row, on every database")
        if self.outside is not None:
            return (f"`{self.statement}` names `{self.outside}`, which the history does not "
                    "make before it: it runs only where the application (or a baseline outside "
                    f"these files) made it, and fails with '{self.error}' on a database made "
                    "by these migrations alone")
        if self.over_limit:
            return (f"`{self.statement}` fails with '{self.error}' on every database: SQLite "
                    f"allows at most {MAX_COLUMNS:,} columns in a table or result set "
                    "(SQLITE_MAX_COLUMN) and the replayed table would have more")
        if self.code_migration is not None:
            more = f" or one of the {self.more_code} after it" if self.more_code else ""
            return (f"`{self.statement}` fails with '{self.error}' unless code migration "
                    f"`{self.code_file}`{more} made it: the replayed schema cannot see what "
                    "code migrations do")
        return (f"`{self.statement}` fails with '{self.error}' on every database: the replayed "
                "schema at this point says so")

    def help(self) -> str:
        """Check the name against the schema of that moment."""
        if self.as_string is not None:
            return ("name a column the source has (its old name, if it was renamed), or "
                    "write the value meant in single quotes")
        if self.outside is not None:
            return (f"if the application makes `{self.outside}` before it migrates, nothing is "
                    "wrong: suppress this with that reason; otherwise create it in an earlier "
                    "migration")
        if self.over_limit:
            return ("split the columns over several tables (one-to-one on the key), or store "
                    "rarely used values in a JSON column")
        if self.code_migration is not None:
            return (f"if `{self.code_file}` (or a later code migration) makes it, nothing is "
                    "wrong: suppress this with that reason; otherwise check the name against "
                    f"`migrate-lint schema --at {self.version}`")
        return ("check the name against the schema at this point (`migrate-lint schema "
                f"--at {self.version}`), or add IF [NOT] EXISTS where that is meant")


class UnknownObject(Rule):
    """A statement refers to a table, column or index that does not exist at that point.

    ## What it does
    Replays the history and reports a statement that SQLite would reject whatever the
    data: it names a table, column, index, view or trigger that does not exist at
    that point (dropped or renamed earlier, never created, misspelt), or creates one
    that already exists without `IF NOT EXISTS`, or gives a table more columns than
    SQLite allows (2,000, its default `SQLITE_MAX_COLUMN`). INSERT, UPDATE and DELETE
    are checked for their target table and the columns they write, and an INSERT ...
    SELECT from tables for the columns its select list reads: a name none of them has
    fails ('no such column'), and a double-quoted one named like the column it fills
    is worse: SQLite takes a double-quoted name it cannot resolve for a string, and
    writes that text into every row. Tables the tool
    could not follow (after a statement it did not understand) are not reported, nor is
    the runner's own history table (`goose_db_version`, `schema_migrations`, ...; any
    runner's where the runner is unknown), which exists before the first migration. A
    table the history never makes, named like none it has (not `users` beside `user`),
    was made outside its files (by the application, or a baseline): that is info.

    ## Why is this bad?
    SQLite fails with "no such table", "no such column" or "... already exists" on
    every database and the migration cannot run; when it was written against a
    database in another state (a hand-made table, an edited earlier migration) it
    passes only there.

    ## Example
    ```sql
    CREATE TABLE account (id integer PRIMARY KEY, name text);
    -- migration
    CREATE INDEX account_email ON account (email);
    ```

    ## Use instead
    ```sql
    CREATE TABLE account (id integer PRIMARY KEY, name text);
    -- migration
    CREATE INDEX account_name ON account (name);
    ```

    ## References
    - https://www.sqlite.org/lang_createtable.html
    - https://www.sqlite.org/lang_createindex.html
    """

    code = "SQ007"
    name = "unknown-object"
    severity = "error"
    kinds = frozenset({
        StatementKind.CREATE_TABLE,
        StatementKind.CREATE_INDEX,
        StatementKind.CREATE_VIEW,
        StatementKind.CREATE_TRIGGER,
        StatementKind.DROP_TABLE,
        StatementKind.DROP_INDEX,
        StatementKind.DROP_VIEW,
        StatementKind.DROP_TRIGGER,
        StatementKind.ALTER_TABLE,
        StatementKind.INSERT,
        StatementKind.UPDATE,
        StatementKind.DELETE,
    })

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one statement."""
        error = ctx.step.error
        if error is not None:
            # the other replay errors are other rules' (`error_reported_by`)
            missing = _missing("table", error)
            if error_reported_by(ctx.step) != "SQ007" or (
                    missing is not None and self._runner_made(ctx, missing)):
                return
            if error.startswith(LIMIT_ERRORS):
                yield self._limit_finding(stmt, ctx, error)
            else:
                yield self._finding(stmt, ctx, error)
            return
        if (stmt.ast is None and stmt.seed is None) or stmt.kind not in (
                "insert", "update", "delete"):
            return
        target = (stmt.seed.table if stmt.seed is not None else dml_target(stmt.ast)) or (
            stmt.tables[0] if stmt.tables else None)
        if target is None or self._unfollowed(ctx, target):
            return
        table = ctx.before.table(target)
        if table is None:
            if ctx.before.views.get(target.lower()) is None and not self._runner_made(
                    ctx, target) and not sqlite_made(ctx.timeline, target, ctx.step_index):
                yield self._finding(stmt, ctx, f"no such table: {target}", table=target)
            return
        if table.incomplete or table.virtual_module:
            return
        if stmt.seed is not None:
            written = stmt.seed.columns or ()
        elif stmt.kind == "update":
            written = updated_columns(stmt.ast)
        else:
            shape = shape_at(ctx.timeline, ctx.step_index)
            written = shape.columns or () if shape is not None else ()
        for name in written:
            if name.lower() not in _ROWID and table.column(name) is None:
                text = (f"no such column: {name}" if stmt.kind == "update"
                        else f"table {table.name} has no column named {name}")
                yield self._finding(stmt, ctx, text, table=table.name, column=name)
        if stmt.kind == "insert":
            yield from self._selected(stmt, ctx, table)

    def _selected(self, stmt: Statement, ctx: Context, table: Table) -> Iterator[Finding]:
        """The select list of an INSERT ... SELECT read against its sources: a name that
        is no column of them fails ('no such column', on every database), or, double-
        quoted and named like the column it fills, is read as a string."""
        shape = shape_at(ctx.timeline, ctx.step_index)
        texts = value_texts_at(ctx.timeline, ctx.step_index)
        if shape is None or not shape.select or shape.values is None or texts is None:
            return
        sources: dict[str, Table] = {}
        for alias, name in shape.sources:
            source = ctx.before.table(name)
            if source is None or source.incomplete or source.virtual_module:
                return  # a subquery, a CTE, a view: what it yields is not read here
            sources[alias.lower()] = source
        # without a column list: the columns SQLite fills, as declared (for the message)
        filled = shape.columns if shape.columns is not None else tuple(
            col.name for c in column_names(table) if (col := table.column(c)) is not None)
        for column, value, text in zip(filled, shape.values, texts, strict=False):
            ref = column_reference(value)
            if ref is None or ref[1].lower() in _ROWID:
                continue
            qualifier, name = ref
            where = [sources[qualifier.lower()]] if qualifier is not None and \
                qualifier.lower() in sources else list(sources.values())
            if qualifier is not None and qualifier.lower() not in sources:
                continue  # a table named by its own name, or an outer query's: not read
            if any(t.column(name) is not None for t in where):
                continue
            if text.lstrip().startswith('"'):
                if name.lower() != column.lower() and table.column(name) is None:
                    continue  # "text" meant as a string, as some write strings
                facts = MissingObject(statement_head(stmt), "", ctx.migration.version,
                                      table=table.name, column=column, as_string=name)
                yield self.report(facts, stmt.span)
            else:
                yield self._finding(stmt, ctx, f"no such column: {text.strip()}",
                                    table=table.name, column=column)

    @staticmethod
    def _runner_made(ctx: Context, table: str) -> bool:
        """True when ``table`` is the runner's own history table, which the runner makes
        before the first migration runs (a migration that reads or cleans it)."""
        return made_by_runner(ctx.timeline.history.settings.runner, table)

    @staticmethod
    def _unfollowed(ctx: Context, name: str) -> bool:
        """True when an earlier statement the tool did not understand names ``name``."""
        first = ctx.timeline.first_unfollowed(name)
        return first is not None and first < ctx.step_index

    def _limit_finding(self, stmt: Statement, ctx: Context, error: str) -> Finding:
        """A table past SQLite's column limit: no code migration can make that pass."""
        return self.report(MissingObject(statement_head(stmt), error, ctx.migration.version,
                                         over_limit=True), stmt.span)

    def _finding(self, stmt: Statement, ctx: Context, error: str, *, table: str | None = None,
                 column: str | None = None) -> Finding:
        present = _presence(error, stmt, table)
        makers = (ctx.timeline.code_makers(ctx.migration_index, present)
                  if present is not None else ())
        if not makers:
            missing = _missing("table", error)
            outside = missing if missing is not None and made_outside(
                ctx.timeline, ctx.before, missing) else None
            index = _missing("index", error)
            if index is not None and index_made_outside(ctx.timeline, index):
                outside = index
            return self.report(MissingObject(statement_head(stmt), error, ctx.migration.version,
                                             table=table, column=column, outside=outside),
                               stmt.span, severity="info" if outside is not None else None)
        # Info (the tool cannot tell): a code migration ran since the model last had it.
        first = makers[0]
        facts = MissingObject(statement_head(stmt), error, ctx.migration.version, table=table,
                              column=column, code_migration=first.label,
                              code_file=os.path.basename(first.path), more_code=len(makers) - 1)
        return self.report(facts, stmt.span, severity="info", related=[
            Related(f"code migration {first.label}, which the tool cannot read",
                    Span.file_start(first.path))])
