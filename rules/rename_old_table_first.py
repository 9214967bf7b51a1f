"""RB005: a rebuild that renames the old table away before creating the new one."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Schema

from ._common import created_here, with_migration
from ._rebuild import (
    index_covered,
    indexes_dropped_in,
    legacy_alter_table_on,
    mentions,
    names,
    plural,
    rebuilds,
)


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
        for rebuild in rebuilds(ctx.timeline, ctx.migration_index):
            if rebuild.shape != "old-first" or rebuild.rename_step != ctx.step_index:
                continue
            before = ctx.before
            name, old = rebuild.table, rebuild.temp
            legacy = legacy_alter_table_on(ctx.timeline, ctx.step_index)
            # Judged on the schema at the end of the migration: a migration that also
            # rebuilds every child, renames back and forth, or recreates the indexes
            # leaves nothing pointing at the old table.
            end = ctx.timeline.after_migration(ctx.migration_index)
            effects = []
            if not legacy:
                children = list(dict.fromkeys(
                    c.name for c, _ in before.children_of(name) if c.name.lower() != name.lower()
                    and _still_points_at(end, c.name, old)))
                if children:
                    dangling = (f", and once `{old}` is dropped every write to "
                                f"{'it' if len(children) == 1 else 'them'} fails with 'no "
                                f"such table: main.{old}' (with foreign keys on)"
                                if rebuild.drop_step is not None else "")
                    effects.append(
                        f"the foreign keys of {plural(len(children), 'child table')} "
                        f"{names(children)} now reference `{old}`, not the new `{name}`{dangling}")
                # sorted: the schema's maps iterate in hash-seed order
                viewers = sorted(v.name for v in before.views.values()
                                 if mentions(v.select or v.sql, name)
                                 and _still_mentions(end, v.name, old))
                viewers += sorted(t.name for t in before.triggers.values()
                                  if t.table.lower() != name.lower() and mentions(t.sql, name)
                                  and _still_mentions(end, t.name, old))
                if viewers:
                    effects.append(f"{names(viewers)} now read `{old}`")
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
            if owned:
                fate = ((" and is" if len(owned) == 1 else " and are") + " dropped with it"
                        if rebuild.drop_step is not None else "")
                effects.append(f"{names(owned)} {'moves' if len(owned) == 1 else 'move'} to "
                               f"`{old}`{fate}")
            if not effects:
                continue
            yield with_migration(self.finding(
                stmt.span,
                f"`ALTER TABLE {name} RENAME TO {old}` before creating the new `{name}`: "
                f"{'; '.join(effects)}, on every database",
                help=(f"create the new table as `{name}_new`, copy into it, `DROP TABLE "
                      f"{name}`, then `ALTER TABLE {name}_new RENAME TO {name}` and recreate "
                      "the indexes and triggers"),
                statement=stmt.span,
                migration=ctx.migration.label,
                related=[created_here(rebuild.old)],
                table=name,
            ))


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
