"""NN002: an INSERT that does not supply a NOT NULL column without default, or misfits the table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from migrate_lint.engine import Context, HistoryContext, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.inserts import NAMED, InsertSite, site_from_statement
from migrate_lint.inserts.check import Problem, problems
from migrate_lint.schema import Schema, Table
from migrate_lint.values import value_class

from ._common import old_rows_copy

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.model import FixContext, Options, Plan, Situation

_DRIZZLE_NULL = (" (drizzle sends NULL for every column of its table definition that "
                 "`.values()` leaves out and that has no app-side default)")


@value_class(kw_only=True)
class InsertMismatch(Facts):
    """An insert into ``table`` at ``where`` (found as ``origin``, at git ``revision``
    for an older writer) that fails against it: ``problem`` is ``omits`` or ``null`` (a
    ``required`` column, NOT NULL since ``since``), ``no_column``, ``generated``,
    ``ragged`` (VALUES rows of ``widths``) or ``arity`` (``got`` values for
    ``expected`` columns; ``named``: the insert names its columns). ``ignored``: OR
    IGNORE drops such rows instead."""

    table: str
    problem: str
    origin: str
    where: str
    revision: str | None = None
    column: str | None = None
    spelled: str = ""  # the column as the insert spells it (no_column, generated)
    since: str = ""
    required: bool = False
    ignored: bool = False
    named: bool = False
    got: int = 0
    expected: int = 0
    widths: tuple[int, ...] = ()
    table_changed: str = ""

    def message(self) -> str:
        """What SQLite does with the insert."""
        at = f"insert into `{self.table}` at {self.where}"
        if self.revision:
            at += f" (as of {self.revision})"
        failure = f"NOT NULL constraint failed: {self.table}.{self.column}"
        if self.problem in ("omits", "null") and self.required:
            if self.revision:
                verb = "omits" if self.problem == "omits" else "sets to NULL"
                return (f"{at} {verb} `{self.column}`: writers from {self.revision} will fail "
                        f"with {failure} after migration {self.since}")
            if self.problem == "omits":
                head = (f"{at} omits `{self.column}`, which is NOT NULL without a default "
                        f"since {self.since}")
            else:
                why = _DRIZZLE_NULL if self.origin == "drizzle" else ""
                head = (f"{at} sets `{self.column}` to NULL{why}, but it is NOT NULL since "
                        f"{self.since}")
            if self.ignored:
                return f"{head}: with OR IGNORE every such row is silently dropped"
            return f"{head}: it fails with '{failure}'"
        if self.problem == "no_column":
            return (f"{at} names `{self.spelled}`, which `{self.table}` does not have: it "
                    f"fails with 'table {self.table} has no column named {self.spelled}'")
        if self.problem == "generated":
            return (f"{at} gives a value to the generated column `{self.spelled}`: it fails "
                    f"with 'cannot INSERT into generated column \"{self.spelled}\"'")
        if self.problem == "ragged":
            counts = ", ".join(str(n) for n in self.widths)
            return (f"{at} gives VALUES rows of different lengths ({counts}): it fails with "
                    "'all VALUES must have the same number of terms'")
        if self.named:
            return (f"{at} gives {self.got} values per row for its {self.expected} columns: "
                    f"it fails with '{self.got} values for {self.expected} columns'")
        return (f"{at} gives {self.got} values per row but `{self.table}` has "
                f"{self.expected} columns (as of {self.table_changed}): it fails with "
                f"'table {self.table} has {self.expected} columns but {self.got} values were "
                "supplied'")

    def help(self) -> str:
        """Supply the column, or match the columns."""
        if self.required:
            return (f"supply `{self.column}` in the insert, or give the column a constant "
                    "DEFAULT in a new migration (rebuild the table)")
        return "make the insert match the table's columns"


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
    columns are built at run time are listed with `--verbose`, never guessed. A
    rebuild's copy (`INSERT INTO new_t ... SELECT ... FROM t` into a table made in
    the migration, from rows older than it) that omits a required column or copies
    NULL into it is NN003's: it fails only where the old table has rows.

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
    constant DEFAULT in a new migration (a table rebuild, see NN001's fix). Its facts
    (`InsertMismatch`): `table`, `column` (when one is named), `problem` (omits / null
    / no_column / generated / arity / ragged), `origin` (where the site was found),
    `revision` (`--writers-from`).

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
        # a rebuild's copy that omits a required column or copies NULL into it fails
        # only where the old rows are: NN003 reports it, with the data it needs
        yield from self._findings(site, ctx.before, ctx.migration.label,
                                  copy=old_rows_copy(ctx) is not None)

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for the insert sites of the insert paths, against the final schema."""
        sites = [site for site in ctx.inserts if isinstance(site, InsertSite) and site.known
                 and site.origin != "migration"]
        if not sites:
            return  # nothing to resolve every history file's real path for
        history_files = {os.path.realpath(p) for p in ctx.history.texts}
        schema = ctx.timeline.final
        for site in sites:
            if site.revision is None and os.path.realpath(site.span.path) in history_files:
                continue  # migration files are checked step by step, against their own time
            yield from self._findings(site, schema, None)

    def _findings(self, site: InsertSite, schema: Schema, migration: str | None,
                  copy: bool = False) -> Iterator[Finding]:
        """``copy``: the insert is a rebuild's copy (`old_rows_copy`)."""
        table = schema.table(site.table)
        if table is None or table.incomplete:
            # Unknown tables are SQ007's; an incomplete model cannot tell what is required.
            return
        for problem in problems(site, table, schema):
            if copy and problem.kind in ("omits", "null") and problem.column is not None:
                continue
            yield self._finding(site, table, problem, migration)

    def _finding(self, site: InsertSite, table: Table, problem: Problem,
                 migration: str | None) -> Finding:
        col = problem.column
        related: list[Related] = []
        if col is not None:
            related.append(Related(f"`{table.name}.{col.name}` made here "
                                   f"({col.origin.migration})", col.origin.span))
        facts = InsertMismatch(
            table=table.name, problem=problem.kind, origin=site.origin, where=site.where,
            revision=site.revision or None,
            column=col.name if col is not None else (problem.name or None),
            spelled=problem.name,
            since=f"{col.origin.migration} ({col.origin.span})" if col is not None else "",
            required=col is not None, ignored=site.conflict == "ignore",
            named=site.shape == NAMED, got=problem.got, expected=problem.expected,
            widths=tuple(problem.widths), table_changed=table.last_change.migration)
        return self.report(facts, site.span, migration=migration, related=related)

    def fix_requests(self, options: Options) -> Iterator[Situation]:
        """``--writers-omit TABLE.COLUMN``: the user's word that older writers insert
        without the column (no rule can see those writers); each is fixed as an insert
        site outside the history that omits it."""
        from migrate_lint.fix.model import Situation

        for table, column in options.writers_omit:
            yield Situation(self.code, table, column, -1,
                            message="older writers insert without this column",
                            facts=InsertMismatch(table=table, problem="omits",
                                                 origin="--writers-omit", where="--writers-omit",
                                                 column=column, required=True))

    def fix(self, facts: InsertMismatch, ctx: FixContext) -> Plan | None:
        """For a writer outside the history (application code, an older build) that
        omits a required column: an end-state rebuild that gives the column a default.
        Migrations are corrected by the rules that fire on them, not here."""
        from migrate_lint.fix.model import EndState, Plan

        if ctx.migration or facts.problem != "omits" or facts.column is None:
            return None
        return Plan(f"{self.code} on `{facts.table}.{facts.column}`",
                    end_state=EndState(facts.table, facts.column))
