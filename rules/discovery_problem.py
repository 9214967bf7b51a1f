"""MG000: a file or folder the migration runner would skip or reject."""

from __future__ import annotations

from migrate_lint.engine import Rule


class DiscoveryProblem(Rule):
    """A file or folder in the migrations directory that the runner skips or rejects.

    ## What it does
    Reports what discovery found odd: a `.sql` file without a version prefix, a loose
    file among migration folders, a folder without its `migration.sql`/`up.sql`, a
    goose file without `-- +goose Up`, a dbmate file without `-- migrate:up`, and the
    like. The finding comes from discovery, before any rule runs; this class carries
    the rule's metadata and documentation.

    ## Why is this bad?
    The runner silently skips such a file (its changes never reach any database) or
    refuses to run the whole history; either way what the author tested is not what
    users get.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration: add_email.sql
    ALTER TABLE user ADD email text;
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY);
    -- migration: 0002_add_email.sql
    ALTER TABLE user ADD email text;
    ```

    ## References
    - https://orm.drizzle.team/docs/migrations
    - https://pressly.github.io/goose/documentation/annotations/
    """

    code = "MG000"
    name = "discovery-problem"
    severity = "warning"
    help = "rename or move the file so the runner picks it up, or delete it"
