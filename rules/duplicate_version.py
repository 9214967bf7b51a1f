"""MG003: two migrations with the same version."""

from __future__ import annotations

from migrate_lint.engine import Rule


class DuplicateVersion(Rule):
    """Two migrations share a version number.

    ## What it does
    Reports migrations whose versions are equal (numerically: `2` and `0002` too).
    The finding comes from discovery, before any rule runs; this class carries the
    rule's metadata and documentation.

    ## Why is this bad?
    Runners record applied migrations by version: one of the two is skipped on
    databases that already ran the other, or the runner refuses the whole history.
    It typically happens when two branches each add "the next" migration.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration: 0002_add_email.sql
    ALTER TABLE user ADD email text;
    -- migration: 0002_add_name.sql
    ALTER TABLE user ADD name text;
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration: 0002_add_email.sql
    ALTER TABLE user ADD email text;
    -- migration: 0003_add_name.sql
    ALTER TABLE user ADD name text;
    ```

    ## References
    - https://orm.drizzle.team/docs/migrations
    """

    code = "MG003"
    name = "duplicate-version"
    severity = "error"
    help = "renumber the newer migration so that every version is unique"
