"""DB001: a pending migration fails on the database given to `check --against`."""

from __future__ import annotations

from migrate_lint.engine import Rule


class PendingMigrationFails(Rule):
    """A pending migration fails on the database given to `check --against`.

    ## What it does
    Only with `check --against DB`: applies the migrations the database has not applied
    yet to a copy of it, as the runner would, and reports the statement that fails with
    what the data holds: how many keys are duplicated and the commonest one, how many
    rows a NOT NULL column meets, how many NULLs a copy would insert.
    The finding comes from the pre-flight (`migrate_lint.against`); this class
    carries the rule's metadata and documentation.

    ## Why is this bad?
    The static rules can only say a statement *may* fail on populated databases; this
    database has the rows, so it fails for sure when the runner reaches it, and the
    runner stops there (drizzle rolls back every pending migration with it).

    ## Example
    ```sql
    CREATE TABLE images (id integer PRIMARY KEY, path text);
    INSERT INTO images (path) VALUES ('/media/a.mp4'), ('/media/a.mp4');
    -- migration
    CREATE UNIQUE INDEX images_path_unique ON images (path);
    ```

    ## Use instead
    ```sql
    CREATE TABLE images (id integer PRIMARY KEY, path text);
    INSERT INTO images (path) VALUES ('/media/a.mp4'), ('/media/a.mp4');
    -- migration
    DELETE FROM images WHERE id NOT IN (SELECT min(id) FROM images GROUP BY path);
    CREATE UNIQUE INDEX images_path_unique ON images (path);
    ```

    ## References
    - https://www.sqlite.org/lang_createindex.html
    """

    code = "DB001"
    name = "pending-migration-fails"
    severity = "error"
