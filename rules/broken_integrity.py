"""DB005: after the pending migrations the database has new orphans or fails its integrity check."""

from __future__ import annotations

from migrate_lint.engine import Rule


class BrokenIntegrity(Rule):
    """After the pending migrations the database has new orphans or fails its integrity check.

    ## What it does
    Only with `check --against DB`: runs `PRAGMA foreign_key_check` before and after
    the pending migrations applied to the copy and reports the new orphans per table,
    and reports `PRAGMA integrity_check` when it is not `ok`.
    The finding comes from the pre-flight (`migrate_lint.against`); this class
    carries the rule's metadata and documentation.

    ## Why is this bad?
    A migration that runs with foreign keys off (or through a runner that never turns
    them on) can leave child rows pointing at nothing; the application's joins and
    cascades then misbehave long after the migration.

    ## Example
    ```sql
    CREATE TABLE p (id integer PRIMARY KEY);
    CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));
    INSERT INTO p VALUES (1);
    INSERT INTO c VALUES (1, 1);
    -- migration: 0002_b.sql
    PRAGMA foreign_keys = OFF;
    DELETE FROM p;
    ```

    ## Use instead
    ```sql
    CREATE TABLE p (id integer PRIMARY KEY);
    CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));
    INSERT INTO p VALUES (1);
    INSERT INTO c VALUES (1, 1);
    -- migration: 0002_b.sql
    PRAGMA foreign_keys = OFF;
    DELETE FROM c;
    DELETE FROM p;
    ```

    ## References
    - https://www.sqlite.org/pragma.html#pragma_foreign_key_check
    """

    code = "DB005"
    name = "broken-integrity"
    severity = "error"
