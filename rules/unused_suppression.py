"""MG006: a suppression comment that matched nothing or names an unknown rule."""

from __future__ import annotations

from migrate_lint.engine import Rule


class UnusedSuppression(Rule):
    """A `-- migrate-lint: ignore` comment that suppresses nothing.

    ## What it does
    Reports an inline suppression (`-- migrate-lint: ignore CODE -- reason` before a
    statement, or `ignore-file`) whose rule did not fire there, or that names a rule
    that does not exist. The findings are made when suppressions are applied
    (`migrate_lint.suppress`); this class carries the rule's metadata and
    documentation.

    ## Why is this bad?
    A stale suppression hides the next real finding of that rule on the same
    statement, and a misspelt code suppresses nothing while looking as if it did.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration
    -- migrate-lint: ignore NN001 -- has a default now
    ALTER TABLE user ADD email text NOT NULL DEFAULT '';
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE user ADD email text NOT NULL DEFAULT '';
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html
    """

    code = "MG006"
    name = "unused-suppression"
    severity = "warning"
    help = "remove the suppression, or correct the rule code it names"
