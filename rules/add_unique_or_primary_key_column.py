"""SQ001: ``ADD COLUMN ... UNIQUE`` or ``... PRIMARY KEY``, which SQLite always refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migrate_lint.ddl import AddColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.values import value_class

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.model import FixContext, Plan

from ._common import add_column, statement_head


@value_class
class UniqueColumnAdded(Facts):
    """``ADD column ... UNIQUE`` or ``PRIMARY KEY`` (``constraint``), refused always."""

    statement: str
    table: str
    column: str
    constraint: str  # UNIQUE or PRIMARY KEY

    def message(self) -> str:
        """SQLite refuses it on every database."""
        return (f"`{self.statement}` fails with 'Cannot add a {self.constraint} column' on "
                "every database, empty or not")

    def help(self) -> str:
        """The index instead, or a rebuild."""
        return ("add the column without the constraint, then `CREATE UNIQUE INDEX` on it; "
                "a primary key needs a table rebuild")


class AddUniqueOrPrimaryKeyColumn(Rule):
    """Adding a column declared UNIQUE or PRIMARY KEY.

    ## What it does
    Reports `ALTER TABLE t ADD COLUMN c ... UNIQUE` and `... PRIMARY KEY`.

    ## Why is this bad?
    SQLite's ADD COLUMN cannot build the index such a column needs: it fails with
    "Cannot add a UNIQUE column" or "Cannot add a PRIMARY KEY column" on every
    database, empty or not, so the migration cannot run anywhere.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY, name text);
    -- migration
    ALTER TABLE user ADD email text UNIQUE;
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY, name text);
    -- migration
    ALTER TABLE user ADD email text;
    CREATE UNIQUE INDEX user_email ON user (email);
    ```

    ## Fix safety
    The fix adds the column without the constraint and creates a UNIQUE index on it
    (PRIMARY KEY needs a rebuild): safe, the new column is NULL in every existing row
    and NULLs do not collide. Its facts (`UniqueColumnAdded`): `table`, `column`,
    `constraint` (`UNIQUE` or `PRIMARY KEY`).

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabaddcol
    """

    code = "SQ001"
    name = "add-unique-or-primary-key-column"
    severity = "error"
    kinds = frozenset({StatementKind.ALTER_TABLE})
    fix_title = "Add the column plainly and create a UNIQUE index on it"

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE."""
        node = add_column(stmt)
        if node is None or not (node.column.unique or node.column.primary_key):
            return
        col = node.column
        constraint = "PRIMARY KEY" if col.primary_key else "UNIQUE"
        yield self.report(UniqueColumnAdded(statement_head(stmt), node.table, col.name,
                                            constraint), col.span)

    def fix(self, facts: UniqueColumnAdded, ctx: FixContext) -> Plan:
        """Add the column plain, then a unique index on it (NULLs never collide); a
        PRIMARY KEY is refused: its new keys are the author's to choose."""
        from migrate_lint.fix.expect import UniqueIndexOn
        from migrate_lint.fix.inplace import add_after, drop_unique
        from migrate_lint.fix.model import Plan
        from migrate_lint.fix.sqltext import q

        table, column = facts.table, facts.column
        stmt = ctx.statement
        assert stmt is not None and isinstance(stmt.ddl, AddColumn)
        col = stmt.ddl.column
        if facts.constraint.upper() != "UNIQUE" or col.primary_key:
            return Plan(f"{self.code} on `{table}.{column}`", refused=(
                f"`{column}` would become the PRIMARY KEY of `{table}`, which already has "
                "rows keyed by their rowid: that needs a table rebuild whose new keys only "
                "the author can choose; add the column plain and rebuild the table by hand "
                "(see `migrate-lint explain SQ001`)"))
        taken = {i.name.lower() for i in ctx.final.indexes_of(table)}
        name, n = f"{table}_{column}_unique", 2
        while name.lower() in taken:
            name, n = f"{table}_{column}_unique{n}", n + 1
        create = f"CREATE UNIQUE INDEX {q(name)} ON {q(table)} ({q(col.name)})"
        return Plan(f"Add `{table}.{column}` in {ctx.migration} without UNIQUE, then create "
                    f"unique index `{name}` on it",
                    edits=(*drop_unique(stmt, ctx.text, col), add_after(stmt, ctx.text, [create])),
                    notes=(f"UNIQUE becomes index `{name}`: existing rows hold NULL there, and "
                           "NULLs never collide.",), expect=UniqueIndexOn())
