"""SQ008: a schema statement SQLite refuses in itself, whatever the schema and the data."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import SCHEMA_KINDS, Statement
from migrate_lint.values import value_class

from ._common import error_reported_by, statement_head

# What to do, by a part of SQLite's message; the last entry is the fallback.
_HELP = (
    ("more than one primary key", "declare the PRIMARY KEY once: on one column, or as one table constraint "
               "`PRIMARY KEY (a, b)` naming every key column"),
    ("generated columns cannot", "make the key a stored column and fill it, or key the "
                                 "table on another column"),
    ("must have at least one", "add a column that is not generated"),
    ("expressions prohibited", "key on plain columns, or make the expression a UNIQUE "
                               "index: `CREATE UNIQUE INDEX ... ON t (lower(a))`"),
    ("number of columns in foreign key", "name as many parent columns as child columns"),
    ("unknown column", "name only columns of this table in FOREIGN KEY (...)"),
    ("AUTOINCREMENT", "use AUTOINCREMENT only on `id INTEGER PRIMARY KEY` of a rowid table, "
                      "or drop it (an INTEGER PRIMARY KEY gets new ids without it)"),
    ("conflicting ON CONFLICT", "give the key one ON CONFLICT clause"),
    ("PRIMARY KEY missing", "a WITHOUT ROWID table needs a PRIMARY KEY"),
    ("missing datatype", "give every column of a STRICT table one of INT, INTEGER, REAL, "
                         "TEXT, BLOB or ANY"),
    ("unknown datatype", "give every column of a STRICT table one of INT, INTEGER, REAL, "
                         "TEXT, BLOB or ANY"),
    ("", "correct the statement: SQLite refuses it as written"),
)


@value_class
class RefusedDefinition(Facts):
    """``statement`` fails with SQLite's ``error`` whatever the schema and the data."""

    statement: str
    error: str

    def message(self) -> str:
        """SQLite's words, and that no database passes."""
        return (f"`{self.statement}` fails with '{self.error}' on every database, empty or "
                "not: SQLite refuses the definition itself")

    def help(self) -> str:
        """What to change, by the error."""
        return next(text for part, text in _HELP if part in self.error)


class InvalidDefinition(Rule):
    """A schema statement that SQLite refuses in itself, on every database.

    ## What it does
    Reports a `CREATE TABLE` (or another schema statement) whose definition SQLite
    refuses whatever the database holds, for a reason that is not a missing or
    existing object (SQ007) nor an `ALTER TABLE` form SQLite lacks (SQ001, SQ005):
    two PRIMARY KEYs, a generated column in the key, only generated columns, an
    expression in a PRIMARY KEY or UNIQUE constraint, a FOREIGN KEY whose column
    lists differ in length or name a column the table lacks, AUTOINCREMENT on
    anything but a rowid table's INTEGER PRIMARY KEY, two ON CONFLICT clauses for
    one key, a WITHOUT ROWID table without a PRIMARY KEY, and a STRICT table
    column without a type or with one STRICT does not know. Every error the replay
    records is reported by exactly one rule; this one takes what no other rule
    does. The message quotes SQLite's own.

    ## Why is this bad?
    The statement fails on every database, empty or not, with the message quoted.
    The migration cannot apply anywhere; every statement after it in the history
    runs against a schema without the table.

    ## Example
    ```sql
    CREATE TABLE account (id integer PRIMARY KEY, email text PRIMARY KEY);
    ```

    ## Use instead
    ```sql
    CREATE TABLE account (id integer PRIMARY KEY, email text NOT NULL UNIQUE);
    ```

    ## References
    - https://www.sqlite.org/lang_createtable.html
    - https://www.sqlite.org/stricttables.html
    - https://www.sqlite.org/autoinc.html
    """

    code = "SQ008"
    name = "invalid-definition"
    severity = "error"
    kinds = SCHEMA_KINDS

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """The finding for a replay error no other rule reports."""
        error = ctx.step.error
        if error is None or error_reported_by(ctx.step) != self.code:
            return
        yield self.report(RefusedDefinition(statement_head(stmt), error), stmt.span)
