"""NN006: a constant DEFAULT on a column of a UNIQUE index or constraint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from migrate_lint.ddl import CreateIndex, CreateTable
from migrate_lint.engine import Context, Rule
from migrate_lint.facts.keys import unique_keys_with
from migrate_lint.facts.types import affinity, zero_value
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Column, Schema, Table
from migrate_lint.values import value_class

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.model import Options, TargetChoice


@value_class
class ConstantDefaultInKey(Facts):
    """``table.column`` defaults to the constant ``default`` and is part of ``key`` (its
    description), with the ``others`` columns of that key."""

    table: str
    column: str
    default: str
    key: str
    others: tuple[str, ...] = ()

    def message(self) -> str:
        """The second row without the column collides."""
        scope = (f" with the same {', '.join(f'`{o}`' for o in self.others)}" if self.others
                 else "")
        return (f"`{self.table}.{self.column}` defaults to {self.default} and is part of "
                f"{self.key}: the second row{scope} inserted without `{self.column}` (by any "
                "writer that does not know the column, such as an older build) fails with "
                "'UNIQUE constraint failed'")

    def help(self) -> str:
        """A real value in every writer, or out of the key."""
        return (f"give `{self.column}` a real value in every writer and drop the constant "
                "default, or leave it out of the unique key")


class ConstantDefaultUnderUnique(Rule):
    """A column with a constant DEFAULT is part of a UNIQUE index or constraint.

    ## What it does
    Reports a `CREATE UNIQUE INDEX`, or a `CREATE TABLE` with a `UNIQUE` or `PRIMARY
    KEY` constraint, whose key includes a column with a constant DEFAULT (`DEFAULT 0`,
    `DEFAULT ''`), when the column is new in this migration to a table that existed
    before it (judged under the name the table ends the migration with). Partial
    indexes whose WHERE names the column are not reported, nor a brand-new table
    (no older writer can exist) or a column the table already had (its writers know
    it).

    ## Why is this bad?
    A writer that does not set the column (typically an older build of the
    application, unaware of it) stores the default. The first such row succeeds;
    the second one that agrees on the other key columns fails with "UNIQUE constraint
    failed". The default was probably added only to make an `ADD COLUMN ... NOT NULL`
    pass, and hides that the column needs a real value.

    ## Example
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL);
    -- migration
    ALTER TABLE session_message ADD seq integer NOT NULL DEFAULT 0;
    CREATE UNIQUE INDEX session_message_seq ON session_message (session_id, seq);
    ```

    ## Use instead
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL);
    -- migration
    ALTER TABLE session_message ADD seq integer;
    CREATE UNIQUE INDEX session_message_seq ON session_message (session_id, seq);
    ```

    ## References
    - https://www.sqlite.org/lang_createindex.html#unique_indexes
    - https://www.sqlite.org/lang_createtable.html#dfltval
    """

    code = "NN006"
    name = "constant-default-under-unique"
    severity = "warning"
    kinds = frozenset({StatementKind.CREATE_TABLE, StatementKind.CREATE_INDEX})

    # Selecting NN006 for `fix` selects the fixes whose end states it reviews: the
    # constant default is chosen while fixing NN002 (older writers omit the column).
    reviews_fixes_of = frozenset({"NN002"})

    # cc: two statement kinds (CREATE TABLE, CREATE UNIQUE INDEX) and the key shapes of each
    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one CREATE TABLE or CREATE UNIQUE INDEX."""
        node = stmt.ddl
        if ctx.step.error is not None:
            return
        keys: list[tuple[Table, tuple[str | None, ...], str]] = []
        if isinstance(node, CreateIndex) and node.unique:
            table = ctx.after.table(node.table)
            if table is None:
                return
            where = (node.where or "").lower()
            names = tuple(k.name for k in node.columns
                          if not (k.name and k.name.lower() in where))
            keys.append((table, names, f"unique index `{node.name}`"))
        elif isinstance(node, CreateTable) and node.as_select is None:
            table = ctx.after.table(node.name)
            if table is None:
                return
            for key in table.keys:
                if key.primary and table.rowid_alias is not None:
                    continue
                label = "PRIMARY KEY" if key.primary else "UNIQUE constraint"
                keys.append((table, key.columns, f"{label} ({', '.join(c or '?' for c in key.columns)})"))
        seen: set[str] = set()
        for table, names, label in keys:
            for name in names:
                col = table.column(name) if name else None
                if col is None or not _constant_default(col) or col.name.lower() in seen:
                    continue
                if not _new_to_existing_writers(ctx, table, col):
                    continue
                seen.add(col.name.lower())
                others = tuple(n for n in names if n and n.lower() != col.name.lower())
                facts = ConstantDefaultInKey(table.name, col.name, col.default or "", label,
                                             others)
                yield self.report(facts, stmt.span, related=[Related(
                    f"`{table.name}.{col.name}` gets its default here", col.last_change.span)])


    def end_state_target(self, final: Schema, table: Table, col: Column, options: Options
                             ) -> TargetChoice | None:
        """NN006's say over an end-state rebuild that would give ``table.col`` a constant
        DEFAULT (``final`` is the history's last schema): where the column is part of a
        UNIQUE key, the constant default is refused in NN006's name (the second row
        inserted without the column collides) and the ``--alternative`` is offered
        instead: the column nullable, or a trigger that assigns the next value per key.
        None where no UNIQUE key covers the column, or ``--set`` with ``--force`` insists.
        """
        from migrate_lint.fix.model import ColumnTarget, Plan, TargetChoice
        from migrate_lint.fix.sqltext import q

        unique = unique_keys_with(final, table.name, col.name)
        given = options.set_for(table.name, col.name)
        if not unique or (given is not None and options.force):
            return None
        name, cols, plain = unique[0]
        value = given if given is not None else zero_value(col.type)
        veto = Plan(f"DEFAULT {value} for `{table.name}.{col.name}`", refused=(
            f"`{col.name}` is part of {name} ({', '.join(cols)}): with a constant "
            f"DEFAULT {value} the second row inserted without `{col.name}` "
            f"{'in the same ' + cols[0] if len(cols) > 1 else ''} collides. "
            "Options: make the column nullable (--alternative nullable), a "
            "trigger that assigns the next value (--alternative trigger), or "
            f"insist with --set {table.name}.{col.name}=EXPR --force"))
        nullable = f"Make `{table.name}.{col.name}` nullable"
        if col.pk:
            return TargetChoice(None, (veto,), (Plan(nullable, refused=(
                f"`{col.name}` is part of the PRIMARY KEY of `{table.name}` and cannot become "
                "nullable; writers must supply it")),))
        word = re.compile(rf"(?<![\w$]){re.escape(col.name)}(?![\w$])", re.I)
        if any(word.search(c) for c in (*col.checks, *table.checks)):
            return TargetChoice(None, (veto,), (Plan(nullable, refused=(
                f"a CHECK constraint of `{table.name}` names `{col.name}` and may reject NULL; "
                f"give a per-row value with --set {table.name}.{col.name}=EXPR --force")),))
        group = [c for c in cols if c.lower() != col.name.lower()]
        # "next value" only means something for integers (a STRICT BLOB/TEXT column
        # would reject max()+1): other types get the nullable alternative.
        if options.alternative == "trigger" and plain and affinity(col.type) == "INTEGER":
            trig = f"{table.name}_{col.name}_assign"
            where = " AND ".join(f"{q(g)} IS NEW.{q(g)}" for g in group) or "1"
            match = ("rowid = NEW.rowid" if not table.without_rowid else " AND ".join(
                f"{q(k)} = NEW.{q(k)}" for k in table.primary_key))
            sql = (f"CREATE TRIGGER {q(trig)} AFTER INSERT ON {q(table.name)}\n"
                   f"FOR EACH ROW WHEN NEW.{q(col.name)} IS NULL\nBEGIN\n"
                   f"  UPDATE {q(table.name)} SET {q(col.name)} = (SELECT "
                   f"coalesce(max({q(col.name)}) + 1, 0) FROM {q(table.name)} WHERE "
                   f"{where}) WHERE {match};\nEND")
            return TargetChoice(
                ColumnTarget(table.name, col.name, False, None, assign_trigger=sql,
                             assign_trigger_name=trig), (veto,),
                notes=(f"`{col.name}` becomes nullable and trigger `{trig}` assigns the next "
                       f"value per ({', '.join(group) or 'table'}) when an insert omits it, so "
                       "older writers keep working and UNIQUE holds.",))
        return TargetChoice(ColumnTarget(table.name, col.name, False, None), (veto,), notes=(
            f"`{col.name}` becomes nullable: rows inserted without it hold NULL, which {name} "
            "allows any number of times.",))

def _new_to_existing_writers(ctx: Context, table: Table, col: Column) -> bool:
    """True when writers older than this migration know ``table`` but not ``col``.

    The table is judged under the name it ends the migration with (a rebuild's
    ``new_t`` becomes ``t``): a brand-new table has no older writer, and a column the
    table already had is one its writers know.
    """
    timeline, m = ctx.timeline, ctx.migration_index
    end = timeline.after_migration(m)
    final = end.version_of(table) or table
    was = timeline.steps[timeline.boundaries[m]].before.table(final.name)
    return was is not None and was.column(col.name) is None


def _constant_default(col: Column) -> bool:
    return col.has_default and col.default_kind in ("literal", "word") and not col.generated

