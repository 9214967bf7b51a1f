"""DB002: the database's history table disagrees with the migrations folder."""

from __future__ import annotations

from migrate_lint.engine import Rule


class HistoryDrift(Rule):
    """The database's history table disagrees with the migrations folder.

    ## What it does
    Only with `check --against DB`: reports an applied migration whose file changed
    since it ran (where the runner stores a checksum), an applied version no file of
    the folder matches, a pending migration the runner will never run (drizzle skips
    one older than the newest applied), and a schema that differs from the replay of
    the history up to the last applied migration.
    The finding comes from the pre-flight (`migrate_lint.against`); this class
    carries the rule's metadata and documentation.

    ## Why is this bad?
    The database was not made by the migrations as they are now: the edit never runs
    on it (sqlx and Flyway refuse to go on at all), or someone changed the schema by
    hand, and the pending migrations were written for a schema it does not have.

    ## Example
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE t ADD note text;
    ```

    ## Use instead
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE t ADD note text;
    ```

    ## References
    - https://www.sqlite.org/schematab.html
    """

    code = "DB002"
    name = "history-drift"
    severity = "error"
