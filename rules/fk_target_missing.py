"""FK001: a foreign key whose parent table or column does not exist."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from functools import partial

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import StatementKind
from migrate_lint.schema import Schema

from ._common import with_migration
from ._fk import FK001_KINDS, MISSING_TABLE, fk_label, new_fk_problems


def _has_table(name: str, schema: Schema) -> bool:
    return schema.table(name) is not None


class FkTargetMissing(Rule):
    """A foreign key whose parent table or parent column does not exist.

    ## What it does
    At the end of every migration, checks each foreign key of each table: its parent
    table must exist and have the parent columns it names. Reports the statement that
    declared the key, or the one that removed its parent, in the migration where the
    key became dangling.

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
                ctx.timeline, FK001_KINDS):
            error = (f"no such table: main.{fk.parent}" if kind == MISSING_TABLE
                     else f'foreign key mismatch - "{table.name}" referencing "{fk.parent}"')
            makers = ctx.timeline.code_makers(
                m_index + 1, partial(_has_table, fk.parent)) if kind == MISSING_TABLE else ()
            if makers:
                # a code migration (goose .go) may have made the parent: not certain
                name = os.path.basename(makers[0].path)
                yield with_migration(replace(self.finding(
                    span,
                    f"foreign key `{fk_label(table, fk)}` points at no table the model knows "
                    f"({detail}) unless code migration `{name}` or a later one made "
                    f"`{fk.parent}`: if none did, every insert into `{table.name}` fails "
                    f"with '{error}' with foreign keys on",
                    help=f"nothing to change if `{name}` (or a later code migration) creates "
                         f"`{fk.parent}`; suppress this with that reason",
                    statement=stmt.span,
                    migration=ctx.history.migrations[m_index].label,
                    table=table.name,
                    parent=fk.parent,
                ), severity="info"))
                continue
            yield with_migration(self.finding(
                span,
                f"foreign key `{fk_label(table, fk)}` points at nothing ({detail}): with "
                f"foreign keys on, every insert into `{table.name}` fails with '{error}' on "
                "every database this migration runs on",
                help="point the key at an existing table and its PRIMARY KEY or UNIQUE "
                     "columns, or create the parent in the same migration",
                statement=stmt.span,
                migration=ctx.history.migrations[m_index].label,
                table=table.name,
                parent=fk.parent,
            ))
