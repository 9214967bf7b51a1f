"""RB003: after a table rebuild, indexes, triggers or constraints of the old table are gone."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from migrate_lint.claims import IndexLost
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Index, Schema, Table
from migrate_lint.values import value_class

from ._rebuild import (
    Rebuild,
    index_covered,
    indexes_dropped_in,
    mentions,
    names,
    normalized,
    rebuilds,
)


@value_class
class ObjectsLost(Facts):
    """The rebuild of ``table`` in ``migration`` loses ``lost``: (kind, names) pairs
    such as ("index", ("t_a_idx",)), gone at the end of the migration."""

    table: str
    lost: tuple[tuple[str, tuple[str, ...]], ...]
    migration: str
    unique: bool = False  # a lost index is a unique one

    def message(self) -> str:
        """What is gone, and what that costs."""
        what = "; ".join(f"{kind} {names(items)}" for kind, items in self.lost)
        count = sum(len(items) for _, items in self.lost)
        return (f"the rebuild of `{self.table}` loses {what} of the old table: "
                f"{'it is' if count == 1 else 'they are'} gone at the end of "
                f"{self.migration} on every database (nothing fails; "
                f"{', '.join(self._costs())})")

    def _costs(self) -> list[str]:
        """What each kind of object lost stops doing."""
        items = [item for _, lost in self.lost for item in lost]
        kinds = {kind for kind, _ in self.lost}
        costs = []
        if kinds & {"index", "indexes"}:
            costs.append("lookups that used the index get slower")
        if self.unique:
            costs.append("duplicates the unique index refused are accepted")
        if kinds & {"trigger", "triggers"}:
            costs.append("its triggers no longer fire")
        if any(item.startswith("UNIQUE") for item in items):
            costs.append("duplicates the UNIQUE constraint refused are accepted")
        if any(item.startswith("CHECK") for item in items):
            costs.append("values the CHECK refused are accepted")
        return costs

    def help(self) -> str:
        """Recreate them verbatim."""
        return ("recreate each one after the final rename, from the old table's SQL "
                "(`migrate-lint schema --at` shows it), verbatim")


class RebuildLosesObjects(Rule):
    """A table rebuild that does not recreate the old table's indexes, triggers or constraints.

    ## What it does
    Finds table rebuilds in a migration (a table dropped and another renamed to its
    name, or a table renamed away and a new one created under its name) and compares
    the old table, as it was before the rebuild, with the table of that name at the
    end of the migration. Reports every index that nothing replaces (the same name,
    the same definition, or a key that serves it: an inline UNIQUE, a PRIMARY KEY or
    another index whose leading columns are the index's, unique where it was),
    trigger (by name), UNIQUE constraint (or an equivalent unique index) and CHECK
    constraint that is gone. Objects that name a column the new table no longer has
    are not reported: the column was dropped on purpose; nor is an index the
    migration drops with `DROP INDEX`; nor a unique key (constraint or unique index)
    the new table widens: a key over its columns and more, which the old table did
    not have (`UNIQUE (hash)` become `UNIQUE (hash, compression)`), lets values
    repeat on purpose; nor a CHECK the new table rewrites (a CHECK the old table did
    not have, on a column the lost one read: SQLite cannot alter a CHECK, so a
    rebuild is how a rule is tightened).

    ## Why is this bad?
    `DROP TABLE` drops the table's indexes and triggers with it, and a renamed-away
    old table takes them along. Nothing fails: queries get slower, a UNIQUE rule the
    application relies on stops being enforced (duplicates become possible), a CHECK
    no longer guards the data, and an audit or denormalisation trigger stops firing,
    on every database the migration runs on.

    ## Example
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL, seq integer);
    CREATE UNIQUE INDEX session_message_seq_idx ON session_message (session_id, seq);
    -- migration
    CREATE TABLE session_message_new (id text PRIMARY KEY, session_id text NOT NULL, seq integer NOT NULL DEFAULT 0);
    INSERT INTO session_message_new (id, session_id, seq) SELECT id, session_id, coalesce(seq, 0) FROM session_message;
    DROP TABLE session_message;
    ALTER TABLE session_message_new RENAME TO session_message;
    ```

    ## Use instead
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL, seq integer);
    CREATE UNIQUE INDEX session_message_seq_idx ON session_message (session_id, seq);
    -- migration
    CREATE TABLE session_message_new (id text PRIMARY KEY, session_id text NOT NULL, seq integer NOT NULL DEFAULT 0);
    INSERT INTO session_message_new (id, session_id, seq) SELECT id, session_id, coalesce(seq, 0) FROM session_message;
    DROP TABLE session_message;
    ALTER TABLE session_message_new RENAME TO session_message;
    CREATE UNIQUE INDEX session_message_seq_idx ON session_message (session_id, seq);
    ```

    ## Confirmation
    When the finding is about one plain index, the migration runs on synthetic rows
    first and SQLite's own index list after it decides: reported with "SQLite
    confirms" when no key on those columns (at least as unique) is left; dropped when
    one is (another name, an inline UNIQUE, a covering PRIMARY KEY).

    ## References
    - https://www.sqlite.org/lang_altertable.html#otheralter
    - https://www.sqlite.org/lang_droptable.html
    """

    code = "RB003"
    name = "rebuild-loses-objects"
    severity = "error"
    kinds = frozenset({StatementKind.DROP_TABLE, StatementKind.ALTER_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for the rebuild whose old table ends at this statement."""
        for rebuild in rebuilds(ctx.timeline, ctx.migration_index):
            if rebuild.anchor != ctx.step_index:
                continue
            end = ctx.timeline.after_migration(ctx.migration_index)
            new = end.table(rebuild.table)
            if new is None:
                continue  # dropped again later in the migration: nothing to keep
            lost = _lost(rebuild, end, new, indexes_dropped_in(ctx.timeline, ctx.migration_index))
            if not lost:
                continue
            unique = {i.name for i in rebuild.old_schema.indexes_of(rebuild.old.name)
                      if i.unique}
            facts = ObjectsLost(
                rebuild.table, tuple((kind, tuple(items)) for kind, items in lost),
                ctx.migration.label, unique=any(
                    name in unique for kind, items in lost if kind.startswith("index")
                    for name in items))
            yield self.report(facts, stmt.span, claim=_index_claim(rebuild, lost), related=[
                Related(f"`{rebuild.table}` as it was before the rebuild "
                        f"({rebuild.old.last_change.migration})", rebuild.old.last_change.span)])


def _index_claim(rebuild: Rebuild, lost: list[tuple[str, list[str]]]) -> IndexLost | None:
    """The claim SQLite can check when the finding is about one plain index alone:
    after the migration the table has no key on its columns (at least as unique)."""
    if len(lost) != 1 or not lost[0][0].startswith("index") or len(lost[0][1]) != 1:
        return None
    name = lost[0][1][0]
    index = next((i for i in rebuild.old_schema.indexes_of(rebuild.old.name)
                  if i.name == name), None)
    if index is None or index.where or any(c.name is None or c.desc for c in index.columns):
        return None
    columns = tuple(str(c.name) for c in index.columns)
    return IndexLost(rebuild.table, columns, index.unique, index.name)


def _columns_of(table: Table) -> set[str]:
    return {c.name.lower() for c in table.columns}


@value_class
class _Compared:
    """The old table before a rebuild and the new one at the end of its migration."""

    rebuild: Rebuild
    end: Schema
    new: Table
    dropped: frozenset[str]  # lower-cased names the migration drops itself
    new_cols: set[str]
    gone_cols: set[str]
    end_indexes: tuple[Index, ...]

    def names_dropped_column(self, text: str) -> bool:
        return any(mentions(text, c) for c in self.gone_cols)

    def widened(self, columns: frozenset[str]) -> bool:
        """True when the new table has a unique key over these columns and more that the
        old table did not have: the migration widened the key on purpose (a UNIQUE (hash)
        become UNIQUE (hash, compression)), which no rebuild writes by oversight."""
        old = _unique_sets(self.rebuild.old, self.rebuild.old_schema.indexes_of(
            self.rebuild.old.name))
        return any(columns < key and key not in old
                   for key in _unique_sets(self.new, self.end_indexes))


def _unique_sets(table: Table, indexes: tuple[Index, ...]) -> set[frozenset[str]]:
    """The column sets ``table`` is unique on: its keys and its unique plain indexes."""
    sets = {frozenset(c.lower() for c in k.columns if c) for k in table.keys}
    sets |= {frozenset(c.name.lower() for c in i.columns if c.name)
             for i in indexes if i.unique and not i.where and all(c.name for c in i.columns)}
    return sets


def _lost_indexes(cmp: _Compared) -> tuple[str, list[str]] | None:
    old, before = cmp.rebuild.old, cmp.rebuild.old_schema
    indexes = []
    for index in before.indexes_of(old.name):
        if any(cmp.names_dropped_column(c.expr) for c in index.columns) or (
                index.where and cmp.names_dropped_column(index.where)):
            continue
        if index.name.lower() in cmp.dropped or index_covered(cmp.new, cmp.end_indexes, index):
            continue
        if index.unique and not index.where and all(c.name for c in index.columns) and \
                cmp.widened(frozenset(str(c.name).lower() for c in index.columns)):
            continue
        indexes.append(index.name)
    return ("index" if len(indexes) == 1 else "indexes", indexes) if indexes else None


def _lost_triggers(cmp: _Compared) -> tuple[str, list[str]] | None:
    old, before = cmp.rebuild.old, cmp.rebuild.old_schema
    end_triggers = {t.name.lower() for t in cmp.end.triggers_of(cmp.new.name)}
    triggers = [t.name for t in before.triggers_of(old.name) if t.name.lower() not in end_triggers
                and not any(c.lower() in cmp.gone_cols for c in t.new_old_columns)]
    return ("trigger" if len(triggers) == 1 else "triggers", triggers) if triggers else None


def _lost_uniques(cmp: _Compared) -> tuple[str, list[str]] | None:
    unique_sets = _unique_sets(cmp.new, cmp.end_indexes)
    uniques = []
    for key in cmp.rebuild.old.keys:
        if key.primary or None in key.columns:
            continue
        cols = frozenset(c.lower() for c in key.columns if c)
        # a unique key over the same or fewer of its columns still forbids its duplicates
        if cols - cmp.new_cols or any(u and u <= cols for u in unique_sets) or \
                cmp.widened(cols):
            continue
        uniques.append("UNIQUE (" + ", ".join(c for c in key.columns if c) + ")")
    return ("constraint" if len(uniques) == 1 else "constraints", uniques) if uniques else None


def _lost_checks(cmp: _Compared) -> tuple[str, list[str]] | None:
    old, new = cmp.rebuild.old, cmp.new
    all_new = [*new.checks, *(c for col in new.columns for c in col.checks)]
    new_checks = {normalized(c) for c in all_new}
    old_checks = list(old.checks)
    old_checks += [c for col in old.columns if col.name.lower() in cmp.new_cols
                   for c in col.checks]
    kept = {normalized(c) for c in old_checks}
    # a CHECK of the new table that the old one did not have, on a column a lost one
    # read, replaces it (a rule tightened or widened on purpose: SQLite cannot alter one)
    rewritten = [_checked_columns(c, cmp.new_cols) for c in all_new if normalized(c) not in kept]
    checks = [f"CHECK ({' '.join(check.split())})" for check in old_checks
              if normalized(check) not in new_checks and not cmp.names_dropped_column(check)
              and not any(cols & _checked_columns(check, cmp.new_cols) for cols in rewritten)]
    return ("constraint" if len(checks) == 1 else "constraints", checks) if checks else None


def _checked_columns(check: str, columns: set[str]) -> set[str]:
    """The columns (of ``columns``, lower-cased) a CHECK expression reads."""
    return {c for c in columns if mentions(check, c)}


# What a rebuild can lose, in the order the finding names it.
_LOSSES: tuple[Callable[[_Compared], tuple[str, list[str]] | None], ...] = (
    _lost_indexes, _lost_triggers, _lost_uniques, _lost_checks,
)


def _lost(rebuild: Rebuild, end: Schema, new: Table, dropped: frozenset[str]
          ) -> list[tuple[str, list[str]]]:
    new_cols = _columns_of(new)
    cmp = _Compared(rebuild, end, new, dropped, new_cols, _columns_of(rebuild.old) - new_cols,
                    end.indexes_of(new.name))
    return [lost for loss in _LOSSES if (lost := loss(cmp)) is not None]
