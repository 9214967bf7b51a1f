"""DB006: a static warning that the data of the database given to `check --against` clears."""

from __future__ import annotations

from migrate_lint.engine import Rule


class ClearedByData(Rule):
    """A static warning that the data of the database given to `check --against` clears.

    ## What it does
    Only with `check --against DB`: a finding of a rule whose outcome depends on the
    rows (DL007, NN001, NN003, NN004, RB002, RB006) on a statement that ran on the copy
    without error and without losing rows is replaced by this note.
    The finding comes from the pre-flight (`migrate_lint.against`); this class
    carries the rule's metadata and documentation.

    ## Why is this bad?
    It is not bad: it says the static warning does not apply to this database, so the
    output shows which warnings the data decided. Other databases may still hold rows
    that make the statement fail.

    ## Example
    ```sql
    CREATE TABLE images (id integer PRIMARY KEY, path text);
    INSERT INTO images (path) VALUES ('/media/a.mp4'), ('/media/b.mp4');
    -- migration
    CREATE UNIQUE INDEX images_path_unique ON images (path);
    ```

    ## Use instead
    ```sql
    CREATE TABLE images (id integer PRIMARY KEY, path text);
    INSERT INTO images (path) VALUES ('/media/a.mp4'), ('/media/a.mp4');
    -- migration
    CREATE UNIQUE INDEX images_path_unique ON images (path);
    ```

    ## References
    - https://www.sqlite.org/lang_createindex.html
    """

    code = "DB006"
    name = "cleared-by-data"
    severity = "info"
