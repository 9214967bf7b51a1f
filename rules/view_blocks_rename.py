"""RB007: a view or trigger naming the rebuilt table makes the final RENAME fail."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.values import value_class

from ._rebuild import legacy_alter_table_on, mentions, renamed_at


@value_class
class RenameBlocked(Facts):
    """``ALTER TABLE temp RENAME TO table`` while ``blockers`` ((kind, name) of views and
    triggers) still name the dropped ``table``."""

    table: str
    temp: str
    blockers: tuple[tuple[str, str], ...]

    def message(self) -> str:
        """The rename re-checks them and fails."""
        kind, first = self.blockers[0]
        others = f" (and {len(self.blockers) - 1} more)" if len(self.blockers) > 1 else ""
        return (f"`ALTER TABLE {self.temp} RENAME TO {self.table}` fails with 'error in {kind} "
                f"{first}: no such table: main.{self.table}'{others} on every database: the "
                f"{kind} still names the dropped `{self.table}`, and the rename re-checks "
                "every view and trigger")

    def help(self) -> str:
        """legacy_alter_table, or drop and recreate them."""
        return ("put `PRAGMA legacy_alter_table=ON` before the rename and "
                "`PRAGMA legacy_alter_table=OFF` after it, or drop the views and triggers "
                "before the rebuild and recreate them after")


class ViewBlocksRename(Rule):
    """A view or trigger mentions a rebuilt table, and the final rename runs without `legacy_alter_table`.

    ## What it does
    Reports the final `ALTER TABLE new_t RENAME TO t` of a rebuild when, at that
    point, a view, or a trigger on another table, mentions `t` and `PRAGMA
    legacy_alter_table=ON` is not in force (the pragma works inside a transaction,
    unlike `foreign_keys`).

    ## Why is this bad?
    After `DROP TABLE t` the view or trigger refers to a table that does not exist.
    `ALTER TABLE ... RENAME` re-checks every view and trigger of the schema (SQLite
    3.26 and later), so the rename fails with "error in view v: no such table:
    main.t" (or "error in trigger ..."), on every database, and the migration is
    rolled back. With `PRAGMA legacy_alter_table=ON` around the rename, SQLite
    renames without that check and the view reads the new `t`.

    ## Example
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    CREATE VIEW project_names AS SELECT name FROM project;
    -- migration
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
    INSERT INTO project_new (id, name) SELECT id, coalesce(name, '') FROM project;
    DROP TABLE project;
    ALTER TABLE project_new RENAME TO project;
    ```

    ## Use instead
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    CREATE VIEW project_names AS SELECT name FROM project;
    -- migration
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
    INSERT INTO project_new (id, name) SELECT id, coalesce(name, '') FROM project;
    DROP TABLE project;
    PRAGMA legacy_alter_table=ON;
    ALTER TABLE project_new RENAME TO project;
    PRAGMA legacy_alter_table=OFF;
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html#altertabrename
    - https://www.sqlite.org/pragma.html#pragma_legacy_alter_table
    """

    code = "RB007"
    name = "view-blocks-rename"
    severity = "error"
    kinds = frozenset({StatementKind.ALTER_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for the final RENAME of a rebuild."""
        for rebuild in renamed_at(ctx.timeline, ctx.migration_index, ctx.step_index,
                                  "new-first"):
            if legacy_alter_table_on(ctx.timeline, ctx.step_index):
                continue
            name = rebuild.table
            before = ctx.before
            # sorted: the schema's maps iterate in hash-seed order
            views = sorted(before.views.values(), key=lambda v: v.name.lower())
            triggers = sorted(before.triggers.values(), key=lambda t: t.name.lower())
            blockers = [("view", v.name, v.origin.span) for v in views
                        if not v.temporary and mentions(v.select or v.sql, name)]
            blockers += [("trigger", t.name, t.origin.span) for t in triggers
                         if not t.temporary and t.table.lower() != rebuild.temp.lower()
                         and mentions(t.sql, name)]
            if not blockers:
                continue
            facts = RenameBlocked(name, rebuild.temp, tuple((k, n) for k, n, _ in blockers))
            yield self.report(facts, stmt.span, related=[
                Related(f"{k} `{n}` defined here", span) for k, n, span in blockers])
