"""SQ004: ALTER syntax from other databases that SQLite does not have."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.values import value_class

from ._common import statement_head

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_NAME = r"(?:`[^`]+`|\"[^\"]+\"|\[[^\]]+\]|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|\"[^\"]+\"|\[[^\]]+\]|[\w$]+))?"
_ALTER = rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}\s+"


@cache
def _forms() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """(pattern, what SQLite lacks, what to do instead): compiled when a statement the
    reader could not understand is first looked at (compiling them cost every run
    that loads the rule 3 ms)."""
    return tuple(
        (re.compile(pattern, re.I | re.S), what, instead)
        for pattern, what, instead in (
            (_ALTER + r"ALTER\s+(?:COLUMN\s+)?", "ALTER COLUMN",
             "rebuild the table with the changed column (create new, copy, drop, rename)"),
            (_ALTER + r"(?:MODIFY|CHANGE)\b", "MODIFY/CHANGE COLUMN",
             "rebuild the table with the changed column"),
            (_ALTER + r"ADD\s+CONSTRAINT\b", "ADD CONSTRAINT",
             "rebuild the table with the constraint, or use CREATE UNIQUE INDEX for UNIQUE"),
            (_ALTER + r"DROP\s+CONSTRAINT\b", "DROP CONSTRAINT", "rebuild the table without it"),
            (_ALTER + r"ADD\s+(?:PRIMARY\s+KEY|FOREIGN\s+KEY|UNIQUE\s*\(|CHECK\s*\()",
             "ADD PRIMARY KEY/FOREIGN KEY/UNIQUE/CHECK",
             "rebuild the table with the constraint, or use CREATE UNIQUE INDEX for UNIQUE"),
            (_ALTER + r"DROP\s+(?:PRIMARY\s+KEY|FOREIGN\s+KEY|INDEX)\b",
             "DROP PRIMARY KEY/FOREIGN KEY/INDEX", "rebuild the table, or use DROP INDEX"),
            (_ALTER + r"(?:ADD|DROP|RENAME)\s+(?:COLUMN\s+)?IF\s+(?:NOT\s+)?EXISTS\b",
             "IF [NOT] EXISTS in ALTER TABLE", "drop the IF [NOT] EXISTS clause"),
            (_ALTER + r"(?:ADD|DROP)\s+(?:COLUMN\s+)?\(", "several columns in one ALTER TABLE",
             "write one ALTER TABLE per column"),
            (_ALTER + r"(?:OWNER|SET|ENGINE|CONVERT)\b", "ALTER TABLE options of other databases",
             "remove the statement"),
            (r"^\s*TRUNCATE\b", "TRUNCATE", "use DELETE FROM"),
            (r"^\s*CREATE\s+OR\s+REPLACE\b", "CREATE OR REPLACE",
             "DROP ... IF EXISTS, then CREATE"),
        )
    )


@value_class
class UnsupportedSyntax(Facts):
    """A statement (on ``table``) uses ``syntax`` SQLite does not have; ``instead`` says
    what does the same in SQLite."""

    statement: str
    table: str
    syntax: str
    instead: str

    def message(self) -> str:
        """A syntax error everywhere."""
        return (f"`{self.statement}` fails with a syntax error on every database: SQLite has "
                f"no {self.syntax}")

    def help(self) -> str:
        """The SQLite way."""
        return self.instead


class UnsupportedAlter(Rule):
    """Schema syntax from other databases that SQLite does not support.

    ## What it does
    Reports statements the tool could not read because they use syntax SQLite's
    ALTER TABLE lacks: `ALTER COLUMN`, `MODIFY`, `ADD CONSTRAINT`, `DROP CONSTRAINT`,
    `ADD PRIMARY KEY`, `TRUNCATE`, `CREATE OR REPLACE VIEW` and the like. The parse
    error (MG001) for a statement this rule claims is not reported separately: see
    `claims`.

    ## Why is this bad?
    SQLite fails with a syntax error on every database, so the migration cannot run
    anywhere. SQLite's ALTER TABLE supports only RENAME TO, RENAME COLUMN, ADD COLUMN
    and DROP COLUMN; other changes need a table rebuild.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY, name text);
    -- migration
    ALTER TABLE user ALTER COLUMN name SET NOT NULL;
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY, name text);
    -- migration
    CREATE TABLE user_new (id integer PRIMARY KEY, name text NOT NULL);
    INSERT INTO user_new (id, name) SELECT id, coalesce(name, '') FROM user;
    DROP TABLE user;
    ALTER TABLE user_new RENAME TO user;
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html
    - https://www.sqlite.org/omitted.html
    """

    code = "SQ004"
    name = "unsupported-alter"
    severity = "error"
    kinds = frozenset({
        StatementKind.ALTER_TABLE,
        StatementKind.UNKNOWN,
        StatementKind.CREATE_VIEW,
        StatementKind.CREATE_TABLE,
        StatementKind.CREATE_INDEX,
        StatementKind.CREATE_TRIGGER,
    })

    @staticmethod
    def form(stmt: Statement) -> tuple[str, str] | None:
        """``(what SQLite lacks, what to do)`` when ``stmt`` uses such syntax."""
        if stmt.problem is None:
            return None
        text = _COMMENTS.sub(" ", stmt.text)
        for pattern, what, instead in _forms():
            if pattern.search(text):
                return what, instead
        return None

    @classmethod
    def claims(cls, stmt: Statement) -> bool:
        """True when this rule reports ``stmt``: the engine then drops its MG001."""
        return cls.form(stmt) is not None

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one statement the reader could not understand."""
        found = self.form(stmt)
        if found is None:
            return
        what, instead = found
        yield self.report(UnsupportedSyntax(statement_head(stmt),
                                            stmt.tables[0] if stmt.tables else "", what, instead),
                          stmt.span)
