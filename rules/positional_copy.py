"""RB004: the copy of a table rebuild maps columns by position (``SELECT *``, no column list)."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.facts.inserts import parts_at, shape_at
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.sqlglot_api.dml import projection_names
from migrate_lint.values import value_class

from ._common import statement_head
from ._rebuild import column_names, rebuilds, snapshot_source


@value_class
class CopiedByPosition(Facts):
    """An INSERT copies ``source`` into ``table`` by column position (``star``: with
    ``SELECT *``, else without a column list); ``consequence`` says what that does to
    the databases this history built, and to others."""

    statement: str
    table: str
    source: str
    star: bool
    consequence: str

    def message(self) -> str:
        """Where the values land."""
        how = "`SELECT *`" if self.star else "no column list"
        return (f"`{self.statement}` copies `{self.source}` into `{self.table}` by column "
                f"position ({how}): {self.consequence}")

    def help(self) -> str:
        """Name the columns."""
        return "name the columns on both sides: `INSERT INTO new_t (a, b, c) SELECT a, b, c FROM t`"


class PositionalCopy(Rule):
    """The copy of a table rebuild depends on column order.

    ## What it does
    Reports an `INSERT INTO t SELECT * FROM u`, or an `INSERT ... SELECT` without a
    column list, that copies rows between two tables where one of them is part of a
    table rebuild in this migration (the rebuilt copy, the old table, or a table
    created in this migration). A restore from a snapshot of the same table taken
    earlier in the migration (`CREATE TEMP TABLE b AS SELECT * FROM t; ... INSERT
    INTO t SELECT * FROM b`) is not reported: both sides then have the same columns
    in the same order on every database. Nor is an explicit select list copied into
    a table this migration creates: its `CREATE TABLE` fixes the target's order and
    the list names the source's columns, so the copy is the same on every database;
    it is reported only when a value named after one column of the target lands in
    another.

    When the replayed column orders agree (the copy is right on every database this
    history built), the finding is info: advice for databases created another way.

    ## Why is this bad?
    SQLite matches the values of `SELECT *` to the target columns by position. The
    order of an old table's columns depends on its history: `ADD COLUMN` appends,
    so a database upgraded through the migrations and one created from a schema
    dump (or `drizzle-kit push`, `prisma db push`) can order them differently. When
    the counts match, nothing fails: values land in the wrong columns (a `seq` in
    `time_updated`) on some databases and not on others; when they differ the copy
    fails with "table t has N columns but M values were supplied".

    ## Example
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text NOT NULL);
    ALTER TABLE session_message ADD seq integer;
    -- migration
    CREATE TABLE session_message_new (id text PRIMARY KEY, seq integer NOT NULL DEFAULT 0, data text NOT NULL);
    INSERT INTO session_message_new SELECT * FROM session_message;
    DROP TABLE session_message;
    ALTER TABLE session_message_new RENAME TO session_message;
    ```

    ## Use instead
    ```sql
    CREATE TABLE session_message (id text PRIMARY KEY, data text NOT NULL);
    ALTER TABLE session_message ADD seq integer;
    -- migration
    CREATE TABLE session_message_new (id text PRIMARY KEY, seq integer NOT NULL DEFAULT 0, data text NOT NULL);
    INSERT INTO session_message_new (id, seq, data) SELECT id, coalesce(seq, 0), data FROM session_message;
    DROP TABLE session_message;
    ALTER TABLE session_message_new RENAME TO session_message;
    ```

    ## References
    - https://www.sqlite.org/lang_insert.html
    - https://www.sqlite.org/lang_altertable.html#otheralter
    """

    code = "RB004"
    name = "positional-copy"
    severity = "error"
    kinds = frozenset({StatementKind.INSERT})

    # cc: each early return is a precision case found on real histories; kept in one reading order
    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one INSERT."""
        if stmt.ast is None or ctx.step.error is not None:
            return
        parts = parts_at(ctx.timeline, ctx.step_index)
        shape = shape_at(ctx.timeline, ctx.step_index)
        if parts is None or shape is None or parts.source != "select":
            return
        sources = [name for _, name in shape.sources]
        if len(sources) != 1:
            return
        source_name = sources[0]
        star = parts.star_source is not None or shape.star
        if parts.columns is not None and not star:
            return
        if source_name.lower() == parts.table.lower():
            return
        target = ctx.before.table(parts.table)
        source = ctx.before.table(source_name)
        if target is None or source is None:
            return
        m = ctx.migration_index
        involved = {r.new_name.lower() for r in rebuilds(ctx.timeline, m)}
        involved |= {r.old_name.lower() for r in rebuilds(ctx.timeline, m)}
        in_rebuild = (target.name.lower() in involved or source.name.lower() in involved
                      or ctx.timeline.created_in(target, m))
        if not in_rebuild:
            return
        origin = snapshot_source(ctx.timeline, source.name, m, ctx.step_index)
        if (origin is not None and origin.lower() == target.name.lower()
                and column_names(source) == column_names(target)):
            return  # a restore of the same table's own snapshot
        target_cols = column_names(target)
        source_cols = column_names(source)
        names = projection_names(stmt.ast) if not star and ctx.timeline.created_in(target, m) else None
        if names is not None and len(names) == len(target_cols):
            # The CREATE in this migration fixes the target's order, the select list
            # the source's: only a name landing under another name is a mistake.
            # A value named after one target column landing in another is a slip;
            # `position` into `y_offset`, where no `position` column exists, is a
            # mapping written on purpose.
            shifted = [f"`{n}` into `{t}`" for n, t in zip(names, target_cols, strict=True)
                       if n is not None and n.lower() != t and n.lower() in target_cols]
            if not shifted:
                return
            consequence = (f"with the column order its `CREATE TABLE` fixes it puts "
                           f"{', '.join(shifted[:4])}{' ...' if len(shifted) > 4 else ''} "
                           "on every database")
        elif star and parts.columns is None and len(target_cols) == len(source_cols) and (
                target_cols != source_cols):
            shifted = [f"`{s}` into `{t}`" for s, t in zip(source_cols, target_cols, strict=True) if s != t]
            consequence = (f"with the column order replayed here it already puts "
                           f"{', '.join(shifted[:4])}{' ...' if len(shifted) > 4 else ''}")
        elif star and len(target_cols) != len(source_cols) and parts.columns is None:
            consequence = (f"with the column order replayed here it fails: `{target.name}` "
                           f"has {len(target_cols)} columns and `{source.name}` "
                           f"{len(source_cols)}")
        else:
            consequence = ("the copy is right on every database this history built (the "
                           "column orders agree), but on one whose columns are ordered "
                           "differently (created by `drizzle-kit push`, `prisma db push` or "
                           "from a hand-written schema) values would land in the wrong "
                           "columns without an error")
        # Orders that agree as replayed: nothing goes wrong on databases the migrations
        # built, so it is advice (info), not a defect; a shifted or short copy is an error.
        level = "info" if consequence.startswith("the copy is right") else self.severity
        facts = CopiedByPosition(statement_head(stmt), target.name, source.name, star,
                               consequence)
        yield self.report(facts, stmt.span, severity=level)
