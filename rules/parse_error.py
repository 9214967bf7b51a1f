"""MG001: a statement the tool could not understand."""

from __future__ import annotations

from migrate_lint.engine import Rule


class ParseError(Rule):
    """A statement migrate-lint could not understand.

    ## What it does
    Reports a statement that the tool's SQLite reader (schema statements) or sqlglot
    (data statements) could not read, with the reason and position. The tables it
    names become *incomplete*: rules that need them say so instead of guessing. The
    finding comes from parsing, before any rule runs; this class carries the rule's
    metadata and documentation. Statements using syntax SQLite lacks
    (`ALTER COLUMN`, `ADD CONSTRAINT`, ...) are reported as SQ004 instead.

    ## Why is this bad?
    Either SQLite will reject the statement too (a syntax error that fails the
    migration on every database), or the tool cannot follow the schema past it and
    may miss real problems later in the history.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration
    GRANT SELECT ON user TO app;
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration
    CREATE INDEX user_id ON user (id);
    ```

    ## References
    - https://www.sqlite.org/lang.html
    """

    code = "MG001"
    name = "parse-error"
    severity = "error"
    help = ("fix the statement if SQLite rejects it too; otherwise report the statement to "
            "migrate-lint and suppress this finding with a reason")
