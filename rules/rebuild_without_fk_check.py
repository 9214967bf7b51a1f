"""RB008: foreign keys turned off for a rebuild, and never checked afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from migrate_lint.claims import OrphansLeft
from migrate_lint.ddl import Drop
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding, Related
from migrate_lint.history import Statement

from ._common import with_migration
from ._rebuild import (
    data_children,
    foreign_key_state,
    pragma_is_ignored,
    pragma_of,
    rebuild_of_step,
)


class RebuildWithoutFkCheck(Rule):
    """Foreign keys turned off for a rebuild with no `PRAGMA foreign_key_check` after it.

    ## What it does
    Reports a `PRAGMA foreign_keys=OFF` that takes effect (see RB001) when a
    `DROP TABLE` of a rebuild, or of a table other tables reference, runs while it is
    in force and no `PRAGMA foreign_key_check` (or a query of
    `pragma_foreign_key_check`) follows the last such DROP in the same migration. A
    plain `DROP TABLE` of a table nothing references orphans nothing.

    ## Why is this bad?
    With foreign keys off SQLite checks nothing: a rebuild that changes a key, drops
    a referenced column or loses parent rows leaves child rows pointing at nothing,
    and turning foreign keys back on does not report them. The damage shows up later,
    as "FOREIGN KEY constraint failed" on an unrelated update of a child row, or as
    missing data in joins. sqlite.org's procedure ends with `PRAGMA
    foreign_key_check`. Note that it returns rows rather than raising: a guard that
    fails the migration selects `count(*) FROM pragma_foreign_key_check` into a
    `CHECK (n = 0)` table.

    ## Example
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    -- migration
    PRAGMA foreign_keys=OFF;
    BEGIN;
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
    INSERT INTO project_new (id, name) SELECT id, coalesce(name, '') FROM project;
    DROP TABLE project;
    ALTER TABLE project_new RENAME TO project;
    COMMIT;
    PRAGMA foreign_keys=ON;
    ```

    ## Use instead
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    -- migration
    PRAGMA foreign_keys=OFF;
    BEGIN;
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
    INSERT INTO project_new (id, name) SELECT id, coalesce(name, '') FROM project;
    DROP TABLE project;
    ALTER TABLE project_new RENAME TO project;
    PRAGMA foreign_key_check;
    COMMIT;
    PRAGMA foreign_keys=ON;
    ```

    ## Confirmation
    Reported only when running the migration on synthetic rows (every child row
    pointing at a parent) leaves rows that `PRAGMA foreign_key_check` reports: a
    rebuild that keeps every key is not flagged, since nothing is left to check.

    ## References
    - https://www.sqlite.org/lang_altertable.html#otheralter
    - https://www.sqlite.org/pragma.html#pragma_foreign_key_check
    """

    code = "RB008"
    name = "rebuild-without-fk-check"
    severity = "warning"
    kinds = frozenset({"pragma"})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one effective ``PRAGMA foreign_keys=OFF``."""
        pragma = pragma_of(stmt)
        if pragma is None or pragma.name != "foreign_keys" or pragma.on is not False:
            return
        timeline = ctx.timeline
        if pragma_is_ignored(timeline, ctx.step_index) is not None:
            return
        end = timeline.boundaries[ctx.migration_index + 1]
        drops: list[int] = []
        for index in range(ctx.step_index + 1, end):
            node = timeline.steps[index].statement.ddl
            if (isinstance(node, Drop) and node.what == "TABLE"
                    and foreign_key_state(timeline, index).off_step == ctx.step_index
                    and _may_orphan(ctx, index, node.name)):
                drops.append(index)
        if not drops:
            return
        for index in range(drops[-1] + 1, end):
            later = timeline.steps[index].statement
            check = pragma_of(later)
            if check is not None and check.name == "foreign_key_check":
                return
            if later.kind != "pragma" and "pragma_foreign_key_check" in later.text.lower():
                return
        last = timeline.steps[drops[-1]].statement
        yield replace(with_migration(self.finding(
            stmt.span,
            f"foreign keys are off for the rebuild (`{' '.join(last.text.split()).rstrip(';')}` "
            f"on line {last.span.line}) and nothing checks them afterwards: child rows left "
            f"without a parent stay in every database, unreported",
            help=("run `PRAGMA foreign_key_check` after the rebuild, before COMMIT (select "
                  "`count(*) FROM pragma_foreign_key_check` into a `CHECK (n = 0)` table to "
                  "make a violation fail the migration)"),
            statement=stmt.span,
            migration=ctx.migration.label,
            related=[Related("the DROP TABLE run with foreign keys off", last.span)],
        )), claim=OrphansLeft())


def _may_orphan(ctx: Context, index: int, table: str) -> bool:
    """True when dropping ``table`` at step ``index`` can leave rows without a parent.

    A plain ``DROP TABLE`` (not part of a rebuild) of a table no other table
    references orphans nothing; a rebuild may, through the new table's keys.
    """
    if any(True for _ in rebuild_of_step(ctx.timeline, index)):
        return True
    return bool(data_children(ctx.timeline.steps[index].before, table))
