"""FK002: a foreign key whose parent columns are not a PRIMARY KEY or UNIQUE."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import StatementKind
from migrate_lint.values import value_class

from ._fk import FK002_KINDS, fk_label, new_fk_problems


@value_class
class ForeignKeyToNonUnique(Facts):
    """Foreign key ``key`` of ``table`` references columns of ``parent`` that no PRIMARY
    KEY or UNIQUE index covers exactly (``detail`` says how)."""

    table: str
    parent: str
    key: str
    detail: str

    def message(self) -> str:
        """The first insert fails with a mismatch."""
        return (f"foreign key `{self.key}`: {self.detail}; with foreign keys on, the first "
                f"insert into `{self.table}` (and delete from `{self.parent}`) fails with "
                f"'foreign key mismatch - \"{self.table}\" referencing \"{self.parent}\"' on "
                "every database this migration runs on")

    def help(self) -> str:
        """Reference a key."""
        return ("reference the parent's PRIMARY KEY, or add a UNIQUE index on exactly the "
                "referenced columns")


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
                ctx.timeline, FK002_KINDS, ctx.scope):
            yield self.report(ForeignKeyToNonUnique(table.name, fk.parent, fk_label(table, fk),
                                                    detail),
                              span, statement=stmt.span,
                              migration=ctx.history.migrations[m_index].label)
