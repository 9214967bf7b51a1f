"""RB002: DROP TABLE of a parent while foreign keys may be on runs ON DELETE on children."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.claims import ChildRowsChanged
from migrate_lint.ddl import ForeignKeyDef
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Table
from migrate_lint.settings import Settings
from migrate_lint.values import value_class

from ._common import created_here, dropped_table, is_empty_here
from ._rebuild import (
    CHANGING_ACTIONS,
    data_children,
    dropped_later_unread,
    foreign_key_state,
    names,
    plural,
    pragma_is_ignored,
    restored_after,
    runner_transaction,
)

_VERBS = {"CASCADE": "deletes the rows of", "SET NULL": "sets to NULL the keys of",
          "SET DEFAULT": "resets to their default the keys of"}


@value_class(kw_only=True)
class ChildRowsChangedOnDrop(Facts):
    """``DROP TABLE table`` with foreign keys on, while ``children`` reference it.

    ``actions`` pairs each ON DELETE action that changes rows with the children that
    declare it; ``fails`` is the NO ACTION/RESTRICT reading (the DROP fails instead);
    ``copies`` the children made in this migration; ``why_on`` why foreign keys are
    on; ``remedy`` what works under this runner.
    """

    table: str
    children: tuple[str, ...]
    why_on: str
    remedy: str
    actions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    copies: tuple[str, ...] = ()
    fails: bool = False

    def message(self) -> str:
        """What the DROP does to the children's rows."""
        if self.fails:
            return (f"`DROP TABLE {self.table}` fails with 'FOREIGN KEY constraint failed' on "
                    f"every database where {names(self.children)} "
                    f"{'has' if len(self.children) == 1 else 'have'} a row referencing "
                    f"`{self.table}` (ON DELETE NO ACTION/RESTRICT), and the migration is "
                    f"rolled back; {self.why_on}")
        effects = "; ".join(f"{_VERBS[action]} {names(tables)} (ON DELETE {action})"
                            for action, tables in self.actions)
        copy_note = (f"; {names(self.copies)} was made in this migration and references "
                     f"`{self.table}` by name, so the rows just copied into it go too"
                     if self.copies else "")
        return (f"`DROP TABLE {self.table}` with foreign keys on {effects}: "
                f"{plural(len(self.children), 'child table')} changed on every database where "
                f"they hold rows referencing `{self.table}`{copy_note}; {self.why_on}")

    def help(self) -> str:
        """What turns foreign keys off for the rebuild under this runner."""
        return self.remedy


class CascadeOnRebuild(Rule):
    """`DROP TABLE` of a table that children reference, while foreign keys may be on.

    ## What it does
    Reports `DROP TABLE t` (typically the middle of a table rebuild) when another
    table, or the rebuilt copy of `t` itself, references `t` with `ON DELETE
    CASCADE`, `SET NULL` or `SET DEFAULT`, and no `PRAGMA foreign_keys=OFF` that
    takes effect (see RB001) precedes it in the migration. Children that are empty
    at that point (created in this migration and not filled yet, or emptied by a
    `DELETE` without WHERE) and children whose rows the migration puts back from a
    `CREATE TABLE backup AS SELECT * FROM child` snapshot are not reported.

    Children with `NO ACTION` / `RESTRICT` make the DROP fail instead; they are
    reported (as a warning) only under runners whose driver turns foreign keys on by
    default (drizzle/better-sqlite3, sqlx, diesel, Prisma) or whose settings say
    `foreign-keys = on`, where the failure is
    certain on every database with a referencing child row. Under Go drivers and
    plain SQLite foreign keys are off unless the application enables them, and a
    schema with `NO ACTION` keys says nothing about whether it does; an `ON DELETE
    CASCADE` does (it only makes sense with foreign keys on), so those are reported
    under every runner, unless the settings say the connection has foreign keys off
    (`foreign-keys = off`).

    ## Why is this bad?
    With foreign keys on, `DROP TABLE t` first deletes every row of `t` as `DELETE
    FROM t` would, running the children's ON DELETE actions: `CASCADE` deletes the
    child rows, `SET NULL` / `SET DEFAULT` overwrite their keys, silently, on every
    database where they have rows (a development database often has none). A
    drizzle-kit rebuild of a self-referencing table is the sharpest case: the new
    copy references `t` by name, so dropping `t` deletes the rows just copied.
    `NO ACTION` / `RESTRICT` children make the DROP fail with "FOREIGN KEY
    constraint failed" (even when deferred: the violation is counted and COMMIT
    fails). Neither `PRAGMA defer_foreign_keys` nor `legacy_alter_table` prevents it.

    ## Example
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    CREATE TABLE workspace (id integer PRIMARY KEY, project_id integer REFERENCES project (id) ON DELETE CASCADE);
    -- migration
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
    INSERT INTO project_new (id, name) SELECT id, coalesce(name, '') FROM project;
    DROP TABLE project;
    ALTER TABLE project_new RENAME TO project;
    ```

    ## Use instead
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    CREATE TABLE workspace (id integer PRIMARY KEY, project_id integer REFERENCES project (id) ON DELETE CASCADE);
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
    Before it is reported, the migration runs on a copy of the replayed database
    filled with synthetic rows (children for every foreign key), with the runner's
    transactions and foreign key setting. The finding says how many child rows that
    DROP deleted or nulled (read right before and after it: an earlier DROP of the
    same parent may have changed them already), or that the DROP itself failed; when
    it changes no child row for good (the file stepped out of the runner's
    transaction, or restored the rows), it is dropped.

    ## References
    - https://www.sqlite.org/lang_droptable.html
    - https://www.sqlite.org/foreignkeys.html#fk_actions
    - https://www.sqlite.org/lang_altertable.html#otheralter
    """

    code = "RB002"
    name = "cascade-on-rebuild"
    severity = "error"
    kinds = frozenset({StatementKind.DROP_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one DROP TABLE."""
        parent = dropped_table(stmt, ctx)
        if parent is None:
            return
        state = foreign_key_state(ctx.timeline, ctx.step_index)
        if not state.may_be_on:
            return
        changing: list[tuple[Table, ForeignKeyDef]] = []
        failing: list[tuple[Table, ForeignKeyDef]] = []
        for child, fk in data_children(ctx.before, parent.name):
            if child.temporary or is_empty_here(ctx, child):
                continue
            moot = restored_after(ctx.timeline, child.name, ctx.migration_index,
                                  ctx.step_index) is not None or dropped_later_unread(
                ctx.timeline, child.name, ctx.migration_index, ctx.step_index)
            if moot and not any(a.upper() in CHANGING_ACTIONS
                                for _, a in _grandchildren(ctx, child)):
                continue
            (changing if fk.on_delete.upper() in CHANGING_ACTIONS else failing).append((child, fk))
        settings = ctx.timeline.history.settings
        why = self._why_on(ctx, state.ignored, settings)
        related = [created_here(parent)]
        if state.ignored:
            related.append(Related("`PRAGMA foreign_keys=OFF` that does nothing",
                                   ctx.timeline.steps[state.ignored[0]].statement.span))
        if changing:
            actions = tuple(
                (action, tuple(_unique([c.name for c, fk in changing
                                        if fk.on_delete.upper() == action])))
                for action in _VERBS)
            children = tuple(_unique([c.name for c, _ in changing]))
            copies = tuple(c for c in children if ctx.timeline.created_in(
                ctx.before.table(c) or parent, ctx.migration_index))
            facts = ChildRowsChangedOnDrop(
                table=parent.name, children=children, why_on=why, remedy=_help(settings, ctx),
                actions=tuple(a for a in actions if a[1]), copies=copies)
            yield self.report(facts, stmt.span, related=related,
                              claim=ChildRowsChanged(parent.name, children))
        if failing and settings.foreign_keys:
            children = tuple(_unique([c.name for c, _ in failing]))
            facts = ChildRowsChangedOnDrop(table=parent.name, children=children, why_on=why,
                                           remedy=_help(settings, ctx), fails=True)
            yield self.report(facts, stmt.span, related=related, severity="warning",
                              claim=ChildRowsChanged(parent.name, children, fails=True))

    @staticmethod
    def _why_on(ctx: Context, ignored: tuple[int, ...], settings: Settings) -> str:
        if ignored:
            reason = pragma_is_ignored(ctx.timeline, ignored[0]) or ""
            return (f"the `PRAGMA foreign_keys=OFF` on line "
                    f"{ctx.timeline.steps[ignored[0]].statement.span.line} does nothing "
                    f"({reason})")
        if settings.foreign_keys and settings.foreign_keys_from.kind != "default":
            return f"foreign keys are on (`foreign-keys = on`, {settings.foreign_keys_from})"
        if settings.foreign_keys:
            return f"foreign keys are on by default with {settings.runner.driver}"
        return ("no `PRAGMA foreign_keys=OFF` precedes it, and the ON DELETE actions declared "
                "here only make sense with foreign keys on")


def _grandchildren(ctx: Context, child: Table) -> list[tuple[str, str]]:
    return [(g.name, fk.on_delete) for g, fk in data_children(ctx.before, child.name)]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _help(settings: Settings, ctx: Context) -> str:
    if runner_transaction(ctx.timeline, ctx.migration_index) is None:
        return ("run `PRAGMA foreign_keys=OFF` before the rebuild, outside any transaction, "
                "then `PRAGMA foreign_key_check` and `PRAGMA foreign_keys=ON` after it")
    if settings.runner.opt_out is None:
        return (f"the pragma cannot work inside {settings.runner.name}'s transaction: "
                "rebuild the table in a "
                "shape that keeps foreign keys satisfied (change the children first, or "
                "snapshot and restore their rows), or turn foreign keys off on the connection "
                "around migrate() (drizzle + libsql does) and run `PRAGMA foreign_key_check`")
    return ("opt this migration out of the runner's transaction and run "
            "`PRAGMA foreign_keys=OFF` before your own BEGIN, `PRAGMA foreign_key_check` "
            "before COMMIT, `PRAGMA foreign_keys=ON` after it")
