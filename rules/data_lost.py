"""DB004: a pending migration deletes rows or indexes on the database given to `check --against`."""

from __future__ import annotations

from migrate_lint.engine import Rule


class DataLost(Rule):
    """A pending migration deletes rows or indexes on the database given to `check --against`.

    ## What it does
    Only with `check --against DB`: counts the rows of every table before and after
    each pending migration applied to the copy, and reports tables that lost rows (and
    the `DROP TABLE` whose ON DELETE CASCADE deleted them), and named indexes that
    disappeared without a `DROP INDEX`.
    The finding comes from the pre-flight (`migrate_lint.against`); this class
    carries the rule's metadata and documentation.

    ## Why is this bad?
    A rebuild with foreign keys on deletes every child row through ON DELETE CASCADE,
    and a rebuilt table has none of its old indexes; nothing fails, the data is simply
    gone on users' databases.

    ## Example
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY, a text);
    CREATE INDEX t_a ON t (a);
    INSERT INTO t (a) VALUES ('x');
    -- migration
    CREATE TABLE t_new (id integer PRIMARY KEY, a text, b text);
    INSERT INTO t_new (id, a) SELECT id, a FROM t;
    DROP TABLE t;
    ALTER TABLE t_new RENAME TO t;
    ```

    ## Use instead
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY, a text);
    CREATE INDEX t_a ON t (a);
    INSERT INTO t (a) VALUES ('x');
    -- migration
    CREATE TABLE t_new (id integer PRIMARY KEY, a text, b text);
    INSERT INTO t_new (id, a) SELECT id, a FROM t;
    DROP TABLE t;
    ALTER TABLE t_new RENAME TO t;
    CREATE INDEX t_a ON t (a);
    ```

    ## References
    - https://www.sqlite.org/foreignkeys.html
    """

    code = "DB004"
    name = "data-lost"
    severity = "error"
