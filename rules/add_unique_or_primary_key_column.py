"""SQ001: ``ADD COLUMN ... UNIQUE`` or ``... PRIMARY KEY``, which SQLite always refuses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind

from ._common import add_column, statement_head


@dataclass(frozen=True, slots=True)
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
    and NULLs do not collide. Data for the planner: `table`, `column`, `migration`,
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
