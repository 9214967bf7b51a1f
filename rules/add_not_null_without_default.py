"""NN001: ``ADD COLUMN ... NOT NULL`` without a DEFAULT on a table that already exists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migrate_lint.ddl import AddColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.facts.keys import unique_keys_with
from migrate_lint.facts.literals import is_constant_default
from migrate_lint.findings import Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.span import Span
from migrate_lint.values import value_class

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.model import FixContext, Plan

from ._common import (
    FailsWhenPopulated,
    accepted,
    constant_default,
    created_here,
    incomplete_note,
    is_null_default,
    left_empty_by,
    populated_target,
    statement_head,
)


@value_class(kw_only=True)
class NotNullAddedWithoutDefault(FailsWhenPopulated):
    """``ADD column ... NOT NULL`` without a default on ``table``, which may hold rows.

    ``emptied_by`` is the DELETE that left the table empty just before (the ADD then
    passes, at the cost of the rows); ``type`` the column's declared type.
    """

    column: str
    type: str
    emptied_by: Span | None = None
    error: str = "Cannot add a NOT NULL column with default value NULL"

    def message(self) -> str:
        """What SQLite does: fails where the table has rows, or passes on emptied rows."""
        if self.emptied_by is None:
            return FailsWhenPopulated.message(self)
        return (f"`{self.statement}` passes only because `{self.table}` was emptied above "
                f"(every row is lost), and `{self.column}` still has no default: every "
                "writer that does not set it, such as an older build still running, fails "
                f"with 'NOT NULL constraint failed: {self.table}.{self.column}'"
                + incomplete_note(self.table, self.incomplete))

    def help(self) -> str:
        """The two ways out, and that `fix` writes the second."""
        return ("add a constant DEFAULT, or add it nullable, backfill it, and rebuild the "
                "table; `migrate-lint fix` writes that rebuild")


class AddNotNullWithoutDefault(Rule):
    """Adding a NOT NULL column without a DEFAULT to a table that already exists.

    ## What it does
    Reports `ALTER TABLE t ADD COLUMN c ... NOT NULL` where `c` has no DEFAULT (or
    `DEFAULT NULL`) and `t` existed before this migration, or was filled earlier in
    it (for example by the copy of a rebuild).

    ## Why is this bad?
    SQLite refuses it with "Cannot add a NOT NULL column with default value NULL" on
    every database where the table holds a row, and accepts it on an empty one: the
    migration passes on a fresh development database and fails on users' databases.
    Emptying the table first (`DELETE FROM t`) makes it pass, at the cost of the data,
    and every writer that does not set the column (an older build of the
    application still running against the same file) then fails with
    "NOT NULL constraint failed".

    ## Example
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text);
    -- migration
    ALTER TABLE session_message ADD seq integer NOT NULL;
    ```

    ## Use instead
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text);
    -- migration
    ALTER TABLE session_message ADD seq integer NOT NULL DEFAULT 0;
    ```

    ## Fix safety
    `migrate-lint fix` gives the column a constant DEFAULT in the failing migration
    itself (it never applied on a populated database, and the runner retries it) and,
    where the original may already have applied on empty databases, adds a rebuild
    that gives those the same default. The default is the type's zero value unless
    `--set` names one; under a UNIQUE index it refuses (NN006). Safe when that value is
    right for existing rows, which only the author can tell. Its facts
    (`NotNullAddedWithoutDefault`): `table`, `column`, `type` (declared type),
    `emptied_by` (span of a `DELETE FROM` that emptied the table first, when there is
    one).

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabaddcol
    """

    code = "NN001"
    name = "add-not-null-without-default"
    severity = "error"
    kinds = frozenset({StatementKind.ALTER_TABLE})
    fix_title = "Give the column a constant DEFAULT, and rebuild where the migration already applied"

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE."""
        node = accepted(stmt, ctx, AddColumn)
        if node is None:
            return
        col = node.column
        if not col.notnull or not is_null_default(col) or col.generated:
            return
        table = populated_target(ctx, node)
        if table is None:
            return
        emptied = left_empty_by(ctx, table)
        facts = NotNullAddedWithoutDefault(
            statement=statement_head(stmt), table=table.name, column=col.name, type=col.type,
            incomplete=table.incomplete,
            emptied_by=emptied.statement.span if emptied is not None else None)
        related = [created_here(table)]
        if emptied is not None:
            related.append(Related(f"`{table.name}` emptied here", emptied.statement.span))
        yield self.report(facts, col.span, related=related)

    def fix(self, facts: NotNullAddedWithoutDefault, ctx: FixContext) -> Plan:
        """A constant DEFAULT in the failing ADD (the type's zero value, or ``--set``),
        and a follow-up rebuild wherever the original may have applied."""
        from migrate_lint.fix.expect import HoldsDefault
        from migrate_lint.fix.inplace import Splice
        from migrate_lint.fix.model import EndState, Plan

        table, column = facts.table, facts.column
        end = EndState(table, column, always=True)
        given = ctx.given(table, column)
        stmt = ctx.statement
        assert stmt is not None and isinstance(stmt.ddl, AddColumn)
        parent = stmt.ddl.column.references
        if parent is not None:
            # a zero is no parent key, and SQLite refuses any non-NULL default on an
            # ADD ... REFERENCES with foreign keys on (SQ003)
            return Plan(f"Give `{table}.{column}` a value", refused=(
                f"`{column}` references `{parent.parent}`: SQLite refuses a non-NULL "
                "default on `ADD COLUMN ... REFERENCES` of a table with rows with foreign "
                "keys on, and no key of "
                f"`{parent.parent}` can be invented; add the column without NOT NULL, set "
                "it with an UPDATE to a key every database holds, and rebuild the table to "
                "make it NOT NULL"))
        if given is not None and not is_constant_default(given):
            return Plan(f"Give `{table}.{column}` a default", end_state=end, refused=(
                f"--set {table}.{column}={given}: ADD COLUMN needs a constant default; "
                "give a constant, or backfill with an UPDATE after the ADD"))
        value = constant_default(given, facts.type)
        why = "the constant given with --set" if given is not None else (
            f"the zero value of `{facts.type or 'untyped'}` affinity")
        notes = [f"Default {value}: {why}."]
        later = unique_keys_with(ctx.final, table, column)
        if later:
            notes.append(f"NN006: `{column}` is part of UNIQUE {later[0].name} "
                         f"({', '.join(later[0].columns)}) later in the history; DEFAULT "
                         f"{value} only fills the rows that exist when this migration runs")
        end_of_column = stmt.ddl.column.span.end
        return Plan(f"Add `DEFAULT {value}` to `{table}.{column}` in {ctx.migration}",
                    edits=(Splice(stmt.path, end_of_column, end_of_column, f" DEFAULT {value}"),),
                    notes=tuple(notes), expect=HoldsDefault(), end_state=end)
