"""DB003: the history table records a migration that failed half-way."""

from __future__ import annotations

from migrate_lint.engine import Rule


class FailedMigrationState(Rule):
    """The history table records a migration that failed half-way.

    ## What it does
    Only with `check --against DB`: reports golang-migrate's `dirty` flag, a Prisma
    migration started but never finished, and a failed sqlx or Flyway run.
    The finding comes from the pre-flight (`migrate_lint.against`); this class
    carries the rule's metadata and documentation.

    ## Why is this bad?
    The runner refuses to apply anything until a person repairs the database and marks
    the migration resolved; the schema is somewhere between two versions.

    ## Example
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    ```

    ## Use instead
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    ```

    ## References
    - https://www.sqlite.org/lang_transaction.html
    """

    code = "DB003"
    name = "failed-migration-state"
    severity = "error"
