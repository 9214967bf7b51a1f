"""MG002: two statements merged by a missing ``;`` or statement breakpoint."""

from __future__ import annotations

from migrate_lint.engine import Rule


class MissingSeparator(Rule):
    """Two statements run together because a `;` (or drizzle breakpoint) is missing.

    ## What it does
    Reports a line that starts a new statement (`CREATE`, `ALTER`, `INSERT`, ...)
    while the previous statement has no terminating `;`. The finding comes from the
    statement splitter, before any rule runs; this class carries the rule's metadata
    and documentation.

    ## Why is this bad?
    The runner sends both as one statement: SQLite fails with a syntax error on every
    database, or, worse, runs only the first one (drivers that execute one statement
    per call ignore the rest), so part of the migration silently never happens.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE user ADD email text
    CREATE INDEX user_email ON user (email);
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE user ADD email text;
    CREATE INDEX user_email ON user (email);
    ```

    ## References
    - https://www.sqlite.org/lang.html
    - https://orm.drizzle.team/docs/kit-custom-migrations
    """

    code = "MG002"
    name = "missing-separator"
    severity = "error"
    help = "end the previous statement with `;` (and `--> statement-breakpoint` for drizzle)"
