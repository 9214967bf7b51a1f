"""FK002: a foreign key whose parent columns are not a PRIMARY KEY or UNIQUE."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import StatementKind

from ._common import with_migration
from ._fk import FK002_KINDS, fk_label, new_fk_problems


class FkTargetNotUnique(Rule):
    """A foreign key whose parent columns are not the parent's PRIMARY KEY or UNIQUE.

    ## What it does
    At the end of every migration, checks that the parent columns of each foreign key
    are exactly the parent table's PRIMARY KEY, a UNIQUE constraint, or a UNIQUE index
    without WHERE (and that a key naming no columns points at a table with a PRIMARY
    KEY of as many columns).

    ## Why is this bad?
    SQLite accepts the schema, then with foreign keys on the first insert into the
    child table (and the first delete from the parent) fails with 'foreign key
    mismatch' on every database, empty or not.

    ## Example
    ```sql
    CREATE TABLE user (id text PRIMARY KEY, email text);
    -- migration
    CREATE TABLE invite (id text PRIMARY KEY, email text REFERENCES user(email));
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id text PRIMARY KEY, email text);
    CREATE UNIQUE INDEX user_email_unique ON user (email);
    -- migration
    CREATE TABLE invite (id text PRIMARY KEY, email text REFERENCES user(email));
    ```

    ## References
    - https://www.sqlite.org/foreignkeys.html#fk_indexes
    """

    code = "FK002"
    name = "fk-target-not-unique"
    severity = "error"
    kinds = frozenset({
        StatementKind.CREATE_TABLE,
        StatementKind.ALTER_TABLE,
        StatementKind.DROP_INDEX,
    })

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for every foreign key whose parent key is not unique."""
        for m_index, stmt, span, table, fk, _kind, detail in new_fk_problems(
                ctx.timeline, FK002_KINDS):
            yield with_migration(self.finding(
                span,
                f"foreign key `{fk_label(table, fk)}`: {detail}; with foreign keys on, the "
                f"first insert into `{table.name}` (and delete from `{fk.parent}`) fails with "
                f"'foreign key mismatch - \"{table.name}\" referencing \"{fk.parent}\"' on "
                "every database this migration runs on",
                help="reference the parent's PRIMARY KEY, or add a UNIQUE index on exactly "
                     "the referenced columns",
                statement=stmt.span,
                migration=ctx.history.migrations[m_index].label,
                table=table.name,
                parent=fk.parent,
            ))
