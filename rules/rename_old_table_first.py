"""RB005: a rebuild that renames the old table away before creating the new one."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import Statement

from ._common import created_here, with_migration
from ._rebuild import legacy_alter_table_on, mentions, names, plural, rebuilds


class RenameOldTableFirst(Rule):
    """A rebuild that renames the old table away first (`ALTER TABLE t RENAME TO t_old`).

    ## What it does
    Reports `ALTER TABLE t RENAME TO t_old` followed, in the same migration, by a new
    `CREATE TABLE t`, when something follows the rename: a child table whose
    foreign key references `t`, an index or trigger of `t`, or a view or trigger
    that mentions `t`.

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
    CREATE TABLE session (id text PRIMARY KEY);
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL REFERENCES session (id));
    CREATE INDEX session_message_session_idx ON session_message (session_id);
    -- migration
    ALTER TABLE session_message RENAME TO session_message_old;
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL REFERENCES session (id), seq integer NOT NULL DEFAULT 0);
    INSERT INTO session_message (id, session_id) SELECT id, session_id FROM session_message_old;
    DROP TABLE session_message_old;
    CREATE INDEX session_message_session_idx ON session_message (session_id);
    ```

    ## Use instead
    ```sql
    CREATE TABLE session (id text PRIMARY KEY);
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL REFERENCES session (id));
    CREATE INDEX session_message_session_idx ON session_message (session_id);
    -- migration
    CREATE TABLE session_message_new (id text PRIMARY KEY, session_id text NOT NULL REFERENCES session (id), seq integer NOT NULL DEFAULT 0);
    INSERT INTO session_message_new (id, session_id) SELECT id, session_id FROM session_message;
    DROP TABLE session_message;
    ALTER TABLE session_message_new RENAME TO session_message;
    CREATE INDEX session_message_session_idx ON session_message (session_id);
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html#otheralter
    - https://www.sqlite.org/lang_altertable.html#altertabrename
    """

    code = "RB005"
    name = "rename-old-table-first"
    severity = "error"
    kinds = frozenset({"alter_table"})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one ALTER TABLE ... RENAME TO."""
        for rebuild in rebuilds(ctx.timeline, ctx.migration_index):
            if rebuild.shape != "old-first" or rebuild.rename_step != ctx.step_index:
                continue
            before = ctx.before
            name, old = rebuild.table, rebuild.temp
            legacy = legacy_alter_table_on(ctx.timeline, ctx.step_index)
            effects = []
            if not legacy:
                children = list(dict.fromkeys(
                    c.name for c, _ in before.children_of(name) if c.name.lower() != name.lower()))
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
                                 if mentions(v.select or v.sql, name))
                viewers += sorted(t.name for t in before.triggers.values()
                                  if t.table.lower() != name.lower() and mentions(t.sql, name))
                if viewers:
                    effects.append(f"{names(viewers)} now read `{old}`")
            owned = [i.name for i in before.indexes_of(name)]
            owned += [t.name for t in before.triggers_of(name)]
            if owned:
                fate = " and are dropped with it" if rebuild.drop_step is not None else ""
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
