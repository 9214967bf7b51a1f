"""RB005: a rebuild that renames the old table away before creating the new one."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Schema
from migrate_lint.values import value_class

from ._common import created_here
from ._rebuild import (
    index_covered,
    indexes_dropped_in,
    legacy_alter_table_on,
    mentions,
    names,
    plural,
    renamed_at,
)


@value_class
class OldTableRenamedFirst(Facts):
    """``ALTER TABLE table RENAME TO old`` before the new ``table`` exists: foreign keys
    of ``children`` and the ``viewers`` (views, triggers) follow it to ``old``, and the
    indexes and triggers it ``owned`` move with it (``dropped``: ``old`` is dropped
    later in the migration)."""

    table: str
    old: str
    children: tuple[str, ...] = ()
    viewers: tuple[str, ...] = ()
    owned: tuple[str, ...] = ()
    dropped: bool = False

    def message(self) -> str:
        """What now points at the old table, and what goes with it."""
        effects = []
        if self.children:
            many = len(self.children) > 1
            dangling = (f", and once `{self.old}` is dropped every write to "
                        f"{'them' if many else 'it'} fails with 'no such table: "
                        f"main.{self.old}' (with foreign keys on)" if self.dropped else "")
            effects.append(
                f"the foreign keys of {plural(len(self.children), 'child table')} "
                f"{names(self.children)} now reference `{self.old}`, not the new "
                f"`{self.table}`{dangling}")
        if self.viewers:
            effects.append(f"{names(self.viewers)} now read `{self.old}`")
        if self.owned:
            one = len(self.owned) == 1
            fate = ((" and is" if one else " and are") + " dropped with it"
                    if self.dropped else "")
            effects.append(f"{names(self.owned)} {'moves' if one else 'move'} to "
                           f"`{self.old}`{fate}")
        return (f"`ALTER TABLE {self.table} RENAME TO {self.old}` before creating the new "
                f"`{self.table}`: {'; '.join(effects)}, on every database")

    def help(self) -> str:
        """The order that keeps everything pointing at the new table."""
        return (f"create the new table as `{self.table}_new`, copy into it, `DROP TABLE "
                f"{self.table}`, then `ALTER TABLE {self.table}_new RENAME TO {self.table}` and "
                "recreate the indexes and triggers")


class RenameOldTableFirst(Rule):
    """A rebuild that renames the old table away first (`ALTER TABLE t RENAME TO t_old`).

    ## What it does
    Reports `ALTER TABLE t RENAME TO t_old` followed, in the same migration, by a new
    `CREATE TABLE t`, when something followed the rename and the migration leaves it
    that way: a child table whose foreign key still references `t_old`, an index or
    trigger of `t` that went with it and is not recreated (nor dropped on purpose,
    nor over a column the new table leaves out), or a view or trigger that still
    mentions `t_old`. A migration that also rebuilds every child, or repairs the
    references with a second rename, is judged on where they end up.

    ## Why is this bad?
    Since SQLite 3.26 (unless `PRAGMA legacy_alter_table=ON`), renaming a table
    rewrites every foreign key, view and trigger that refers to it: children now
    reference `t_old`, not the new `t`. Once `t_old` is dropped, their foreign keys
    point at a missing table and every insert or update of a child fails with
    "no such table: main.t_old" (with foreign keys on). The old table's indexes and
    triggers are renamed with it and vanish when it is dropped. sqlite.org warns
    against exactly this order; create the new table under a temporary name, copy,
    drop the old one and rename the new one instead.

    ## Example
    ```sql
    CREATE TABLE session (id text PRIMARY KEY, title text);
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL REFERENCES session (id));
    -- migration
    ALTER TABLE session RENAME TO session_old;
    CREATE TABLE session (id text PRIMARY KEY, title text NOT NULL DEFAULT '');
    INSERT INTO session (id, title) SELECT id, coalesce(title, '') FROM session_old;
    DROP TABLE session_old;
    ```

    ## Use instead
    ```sql
    CREATE TABLE session (id text PRIMARY KEY, title text);
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL REFERENCES session (id));
    -- migration
    CREATE TABLE session_new (id text PRIMARY KEY, title text NOT NULL DEFAULT '');
    INSERT INTO session_new (id, title) SELECT id, coalesce(title, '') FROM session;
    DROP TABLE session;
    ALTER TABLE session_new RENAME TO session;
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html#otheralter
    - https://www.sqlite.org/lang_altertable.html#altertabrename
    """

    code = "RB005"
    name = "rename-old-table-first"
    severity = "error"
    kinds = frozenset({StatementKind.ALTER_TABLE})

    # cc: each early return is a precision case found on real histories; kept in one reading order
    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE ... RENAME TO."""
        for rebuild in renamed_at(ctx.timeline, ctx.migration_index, ctx.step_index,
                                  "old-first"):
            before = ctx.before
            name, old = rebuild.table, rebuild.temp
            legacy = legacy_alter_table_on(ctx.timeline, ctx.step_index)
            # Judged on the schema at the end of the migration: a migration that also
            # rebuilds every child, renames back and forth, or recreates the indexes
            # leaves nothing pointing at the old table.
            end = ctx.timeline.after_migration(ctx.migration_index)
            children: list[str] = []
            viewers: list[str] = []
            if not legacy:
                children = list(dict.fromkeys(
                    c.name for c, _ in before.children_of(name) if c.name.lower() != name.lower()
                    and _still_points_at(end, c.name, old)))
                # sorted: the schema's maps iterate in hash-seed order
                viewers = sorted(v.name for v in before.views.values()
                                 if mentions(v.select or v.sql, name)
                                 and _still_mentions(end, v.name, old))
                viewers += sorted(t.name for t in before.triggers.values()
                                  if t.table.lower() != name.lower() and mentions(t.sql, name)
                                  and _still_mentions(end, t.name, old))
            new = end.table(name)
            new_indexes = end.indexes_of(name) if new is not None else ()
            dropped = indexes_dropped_in(ctx.timeline, ctx.migration_index)
            kept = {c.name.lower() for c in new.columns} if new is not None else set()
            # an index dropped on purpose, or over a column the new table left out, is
            # meant to go
            owned = [i.name for i in before.indexes_of(name)
                     if i.name.lower() not in dropped
                     and all(c.name is None or c.name.lower() in kept for c in i.columns)
                     and (new is None or not index_covered(new, new_indexes, i))]
            remade = {t.name.lower() for t in end.triggers_of(name)}
            owned += [t.name for t in before.triggers_of(name) if t.name.lower() not in remade]
            if not (children or viewers or owned):
                continue
            facts = OldTableRenamedFirst(name, old, tuple(children), tuple(viewers),
                                         tuple(owned), rebuild.drop_step is not None)
            yield self.report(facts, stmt.span, related=[created_here(rebuild.old)])


def _still_points_at(end: Schema, child: str, old: str) -> bool:
    """True when ``child``, as the migration leaves it, still references ``old``."""
    table = end.table(child)
    return table is not None and old.lower() in table.parents


def _still_mentions(end: Schema, name: str, old: str) -> bool:
    """True when view or trigger ``name``, as the migration leaves it, mentions ``old``."""
    view = next((v for v in end.views.values() if v.name.lower() == name.lower()), None)
    if view is not None:
        return mentions(view.select or view.sql, old)
    return any(t.name.lower() == name.lower() and mentions(t.sql, old)
               for t in end.triggers.values())
