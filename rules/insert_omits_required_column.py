"""NN002: an INSERT that does not supply a NOT NULL column without default, or misfits the table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

from migrate_lint.engine import Context, HistoryContext, Rule
from migrate_lint.findings import Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.inserts import NAMED, InsertSite, site_from_statement
from migrate_lint.inserts.check import Problem, problems
from migrate_lint.schema import Column, Schema, Table

_DRIZZLE_NULL = (" (drizzle sends NULL for every column of its table definition that "
                 "`.values()` leaves out and that has no app-side default)")


class InsertOmitsRequiredColumn(Rule):
    """An INSERT that leaves out a NOT NULL column without a default, or does not fit the table.

    ## What it does
    Checks every insert site against the schema it runs on: INSERT statements of the
    migrations against the schema at that point of the history; `.sql` files, SQL in
    Python/TypeScript/JavaScript string literals, drizzle `.insert(T).values(...)`,
    SQLAlchemy Core `insert(t).values(...)` and `sqlite3` `execute` calls under the
    insert paths against the final schema; with `--writers-from REV`, the same paths
    as they were at `REV` (older builds still writing to upgraded databases). It
    reports a site that omits a NOT NULL column without default (not an `INTEGER
    PRIMARY KEY` rowid alias, not generated, not hidden); sets one to a NULL literal
    (`NULL`, `(NULL)`, `+NULL`, `CAST(NULL AS T)`), by name or by position, in a
    VALUES row or a select list (any part of a `UNION [ALL]`, for every row the
    SELECT yields); names a column the table does not have or a generated one; gives
    rows whose number of values differs from the column list (`VALUES (1)` for
    `(a, b)`), or without a column list from the table's columns; or gives VALUES
    rows of different lengths. The width of `INSERT ... SELECT` counts a `*` over
    one known table (generated columns included); a `*` over a join, a subquery or
    a CTE leaves it unknown, and a NULL after a `*` is not placed. Sites whose
    columns are built at run time are listed with `--verbose`, never guessed.

    ## Why is this bad?
    SQLite raises "NOT NULL constraint failed: t.c", "table t has no column named c",
    "table t has N columns but M values were supplied", "M values for N columns" or
    "all VALUES must have the same number of terms" on every database, for every
    row: the migration stops half-way, the seed never loads, or the application
    crashes on that code path (with `OR IGNORE` the rows with a NULL vanish
    silently; with `OR REPLACE` a NULL becomes the column's DEFAULT when it has one). The usual cause is a migration that makes a column NOT NULL while
    application code, or an older build still running against the same file,
    keeps inserting without it.

    ## Example
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text NOT NULL, seq integer NOT NULL);
    -- migration
    INSERT INTO session_message (id, data) VALUES ('welcome', '{}');
    ```

    ## Use instead
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text NOT NULL, seq integer NOT NULL);
    -- migration
    INSERT INTO session_message (id, data, seq) VALUES ('welcome', '{}', 0);
    ```

    ## Fix safety
    No automatic fix: supply the column at the insert site, or give the column a
    constant DEFAULT in a new migration (a table rebuild, see NN001's fix). Data:
    `table`, `column` (when one is named), `problem` (omits / null / no_column /
    generated / arity / ragged), `origin` (where the site was found), `revision`
    (`--writers-from`).

    ## References
    - https://www.sqlite.org/lang_insert.html
    - https://www.sqlite.org/lang_conflict.html
    """

    code = "NN002"
    name = "insert-omits-required-column"
    severity = "error"
    kinds = frozenset({StatementKind.INSERT})
    fix_title = "Supply the column in the insert, or give it a DEFAULT in a new migration"

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one INSERT of a migration, against the schema before it."""
        site = site_from_statement(stmt)
        if site is None or not site.known:
            return
        yield from self._findings(site, ctx.before, ctx.migration.label)

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for the insert sites of the insert paths, against the final schema."""
        history_files = {os.path.realpath(p) for p in ctx.history.texts}
        schema = ctx.timeline.final
        for site in ctx.inserts:
            if not isinstance(site, InsertSite) or not site.known:
                continue
            if site.origin == "migration" or (
                    site.revision is None and os.path.realpath(site.span.path) in history_files):
                continue  # migration files are checked step by step, against their own time
            yield from self._findings(site, schema, None)

    def _findings(self, site: InsertSite, schema: Schema, migration: str | None
                  ) -> Iterator[Finding]:
        table = schema.table(site.table)
        if table is None or table.incomplete:
            # Unknown tables are SQ007's; an incomplete model cannot tell what is required.
            return
        for problem in problems(site, table, schema):
            yield self._finding(site, table, problem, migration)

    def _finding(self, site: InsertSite, table: Table, problem: Problem,
                 migration: str | None) -> Finding:
        at = f"insert into `{table.name}` at {site.where}"
        if site.revision:
            at += f" (as of {site.revision})"
        col = problem.column
        related: list[Related] = []
        data = {"table": table.name, "problem": problem.kind, "origin": site.origin}
        if site.revision:
            data["revision"] = site.revision
        if col is not None:
            data["column"] = col.name
            made = col.origin
            related.append(Related(f"`{table.name}.{col.name}` made here ({made.migration})",
                                   made.span))
        elif problem.name:
            data["column"] = problem.name
        message = self._message(site, table, problem, col, at)
        help_text = (f"supply `{col.name}` in the insert, or give the column a constant "
                     "DEFAULT in a new migration (rebuild the table)" if col is not None
                     else "make the insert match the table's columns")
        finding = self.finding(site.span, message, help=help_text, migration=migration,
                               related=related)
        return replace(finding, data=tuple(sorted(data.items())))

    @staticmethod
    def _message(site: InsertSite, table: Table, problem: Problem, col: Column | None,
                 at: str) -> str:
        since = f"{col.origin.migration} ({col.origin.span})" if col is not None else ""
        failure = f"NOT NULL constraint failed: {table.name}.{col.name}" if col else ""
        if problem.kind in ("omits", "null") and col is not None:
            if site.revision:
                verb = "omits" if problem.kind == "omits" else "sets to NULL"
                return (f"{at} {verb} `{col.name}`: writers from {site.revision} will fail "
                        f"with {failure} after migration {since}")
            if problem.kind == "omits":
                head = f"{at} omits `{col.name}`, which is NOT NULL without a default since {since}"
            else:
                why = _DRIZZLE_NULL if site.origin == "drizzle" else ""
                head = f"{at} sets `{col.name}` to NULL{why}, but it is NOT NULL since {since}"
            if site.conflict == "ignore":
                return f"{head}: with OR IGNORE every such row is silently dropped"
            return f"{head}: it fails with '{failure}'"
        if problem.kind == "no_column":
            return (f"{at} names `{problem.name}`, which `{table.name}` does not have: it "
                    f"fails with 'table {table.name} has no column named {problem.name}'")
        if problem.kind == "generated":
            return (f"{at} gives a value to the generated column `{problem.name}`: it fails "
                    f"with 'cannot INSERT into generated column \"{problem.name}\"'")
        if problem.kind == "ragged":
            counts = ", ".join(str(n) for n in problem.widths)
            return (f"{at} gives VALUES rows of different lengths ({counts}): it fails with "
                    f"'all VALUES must have the same number of terms'")
        if site.shape == NAMED:
            return (f"{at} gives {problem.got} values per row for its {problem.expected} "
                    f"columns: it fails with '{problem.got} values for {problem.expected} "
                    f"columns'")
        changed = table.last_change
        return (f"{at} gives {problem.got} values per row but `{table.name}` has "
                f"{problem.expected} columns (as of {changed.migration}): it fails with "
                f"'table {table.name} has {problem.expected} columns but {problem.got} values "
                f"were supplied'")
