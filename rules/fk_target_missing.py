"""FK001: a foreign key whose parent table or column does not exist."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.facts.tables import (
    made_outside,
    named_by_a_statement,
    works_on_tables_made_outside,
)
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import StatementKind
from migrate_lint.schema import Schema
from migrate_lint.values import value_class

from ._fk import FK001_KINDS, MISSING_TABLE, fk_label, new_fk_problems


def _has_table(name: str, schema: Schema) -> bool:
    return schema.table(name) is not None


@value_class
class ForeignKeyToNothing(Facts):
    """Foreign key ``key`` of ``table`` points at ``parent``, which the model does not
    have (``missing_table``) or whose columns are not a key (``detail`` says which); a
    code migration ``code_maker`` (or a later one) may have made it."""

    table: str
    parent: str
    key: str
    detail: str
    missing_table: bool = True
    code_maker: str | None = None
    # the parent is a table no migration of the history makes: made outside its files
    outside: bool = False

    def message(self) -> str:
        """Every insert into the child fails with foreign keys on."""
        error = (f"no such table: main.{self.parent}" if self.missing_table
                 else f'foreign key mismatch - "{self.table}" referencing "{self.parent}"')
        if self.outside:
            return (f"foreign key `{self.key}` points at `{self.parent}`, which no migration of "
                    "this history makes: it holds only where the application (or a baseline "
                    "outside these files) made it; on a database made by these migrations "
                    f"alone every insert into `{self.table}` fails with '{error}' with "
                    "foreign keys on")
        if self.code_maker is not None:
            return (f"foreign key `{self.key}` points at no table the model knows "
                    f"({self.detail}) unless code migration `{self.code_maker}` or a later one "
                    f"made `{self.parent}`: if none did, every insert into `{self.table}` "
                    f"fails with '{error}' with foreign keys on")
        return (f"foreign key `{self.key}` points at nothing ({self.detail}): with foreign "
                f"keys on, every insert into `{self.table}` fails with '{error}' on every "
                "database this migration runs on")

    def help(self) -> str:
        """Point it at a key, or (maybe made by code) suppress with the reason."""
        if self.outside:
            return (f"if the application makes `{self.parent}` before it migrates, nothing is "
                    "wrong: suppress this with that reason; otherwise create it in an earlier "
                    "migration")
        if self.code_maker is not None:
            return (f"nothing to change if `{self.code_maker}` (or a later code migration) "
                    f"creates `{self.parent}`; suppress this with that reason")
        return ("point the key at an existing table and its PRIMARY KEY or UNIQUE columns, "
                "or create the parent in the same migration")


class FkTargetMissing(Rule):
    """A foreign key whose parent table or parent column does not exist.

    ## What it does
    At the end of every migration, checks each foreign key of each table: its parent
    table must exist and have the parent columns it names. Reports the statement that
    declared the key, or the one that removed its parent, in the migration where the
    key became dangling. A parent the history never makes but works on (an ALTER, an
    INSERT into it), named like no table it has (not `users` beside `user`), was made
    outside its files (by the application, or a baseline): that is info.

    ## Why is this bad?
    SQLite accepts the CREATE TABLE (the parent may come later), but once the
    migration has run, with foreign keys on every insert into the child table fails
    with 'no such table: main.parent' (or 'foreign key mismatch' for a missing parent
    column), on every database, even inserts of NULL keys.

    ## Example
    ```sql
    CREATE TABLE user (id text PRIMARY KEY);
    -- migration
    CREATE TABLE bookmark (id text PRIMARY KEY, owner text REFERENCES users(id));
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id text PRIMARY KEY);
    -- migration
    CREATE TABLE bookmark (id text PRIMARY KEY, owner text REFERENCES user(id));
    ```

    ## References
    - https://www.sqlite.org/foreignkeys.html#fk_schemacommands
    """

    code = "FK001"
    name = "fk-target-missing"
    severity = "error"
    kinds = frozenset({
        StatementKind.CREATE_TABLE,
        StatementKind.ALTER_TABLE,
        StatementKind.DROP_TABLE,
    })

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for every foreign key left dangling at the end of a migration."""
        for m_index, stmt, span, table, fk, kind, detail in new_fk_problems(
                ctx.timeline, FK001_KINDS, ctx.scope):
            # a code migration (goose .go) may have made the parent: not certain (info)
            makers = ctx.timeline.code_makers(
                m_index + 1, partial(_has_table, fk.parent)) if kind == MISSING_TABLE else ()
            # a parent the history never makes but works on (an ALTER, an INSERT), named
            # like none it has: made elsewhere. A parent only foreign keys name is a slip,
            # unless the history works on other tables made elsewhere (a base schema
            # outside the folder): nothing fails until a row goes in with keys on.
            outside = not makers and kind == MISSING_TABLE and made_outside(
                ctx.timeline, ctx.timeline.after_migration(m_index), fk.parent
            ) and (named_by_a_statement(ctx.timeline, fk.parent)
                   or works_on_tables_made_outside(ctx.timeline))
            facts = ForeignKeyToNothing(
                table.name, fk.parent, fk_label(table, fk), detail,
                missing_table=kind == MISSING_TABLE,
                code_maker=os.path.basename(makers[0].path) if makers else None,
                outside=outside)
            yield self.report(facts, span, statement=stmt.span,
                              migration=ctx.history.migrations[m_index].label,
                              severity="info" if makers or outside else None)
