"""RB006: a table rebuild that does not copy a column's data, or drops the column."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.facts.inserts import parts_at
from migrate_lint.facts.tables import is_empty_at
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.replay import Timeline
from migrate_lint.sqlglot_api.dml import dml_target
from migrate_lint.values import value_class

from ._common import created_here
from ._rebuild import Rebuild, names, rebuilds


@value_class
class RebuildLosesData(Facts):
    """The rebuild of ``table`` copies no rows (``copies`` False), or leaves out
    ``missing`` (in both tables, not copied) and ``dropped`` (not in the new table, not
    read by the copy)."""

    table: str
    missing: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    copies: bool = False

    def message(self) -> str:
        """What is lost."""
        if not self.copies:
            return (f"the rebuild of `{self.table}` copies no rows from the old table: every "
                    f"row is lost on every database where `{self.table}` has rows")
        parts = []
        if self.missing:
            one = len(self.missing) == 1
            parts.append(f"{names(self.missing)} {'is' if one else 'are'} in both "
                         f"tables but not copied, so {'its' if one else 'their'} values are "
                         "replaced by the default")
        if self.dropped:
            one = len(self.dropped) == 1
            parts.append(f"{names(self.dropped)} {'is' if one else 'are'} not in the new "
                         f"table and not read by the copy, so {'its' if one else 'their'} "
                         "values are dropped")
        return (f"the rebuild of `{self.table}` loses data on every database where it has "
                "rows: " + "; ".join(parts))

    def help(self) -> str:
        """Copy every column; a deliberate drop is suppressed with its reason."""
        return ("copy every column that exists on both sides in the INSERT ... SELECT; if a "
                "column is dropped on purpose, say so with `-- migrate-lint: ignore RB006 -- "
                "<reason>`")


class RebuildDropsData(Rule):
    """A table rebuild whose copy leaves out a column, or drops it.

    ## What it does
    For every table rebuild in a migration (see RB003), compares the old table's
    columns with the new table's and with the copy (`INSERT INTO new_t (...)
    SELECT ... FROM t`). Reports a column present before and after that the copy
    does not fill (it gets its default), a column of the old table that the new one
    does not have and that neither the copy nor an earlier statement writing another
    table reads, in this migration or an earlier one (its values are dropped; read
    into another table, they moved), and a
    rebuild with no copy at all. A copy without a column list is left to RB004; an
    old table that is empty at that point (made or emptied in this migration) is not
    reported.

    ## Why is this bad?
    Nothing fails: on every database where the table has rows, the column's values
    are replaced by its default (often NULL) or dropped, and the old table that held
    them is gone by the end of the migration. A column dropped on purpose is a
    deliberate loss, like `ALTER TABLE ... DROP COLUMN`; the warning asks for that
    decision to be written down (a suppression with its reason).

    ## Example
    ```sql
    CREATE TABLE workspace (id text PRIMARY KEY, name text, branch text);
    -- migration
    CREATE TABLE workspace_new (id text PRIMARY KEY, name text NOT NULL DEFAULT '', branch text);
    INSERT INTO workspace_new (id, name) SELECT id, coalesce(name, '') FROM workspace;
    DROP TABLE workspace;
    ALTER TABLE workspace_new RENAME TO workspace;
    ```

    ## Use instead
    ```sql
    CREATE TABLE workspace (id text PRIMARY KEY, name text, branch text);
    -- migration
    CREATE TABLE workspace_new (id text PRIMARY KEY, name text NOT NULL DEFAULT '', branch text);
    INSERT INTO workspace_new (id, name, branch) SELECT id, coalesce(name, ''), branch FROM workspace;
    DROP TABLE workspace;
    ALTER TABLE workspace_new RENAME TO workspace;
    ```

    ## References
    - https://www.sqlite.org/lang_altertable.html#otheralter
    - https://www.sqlite.org/lang_insert.html
    """

    code = "RB006"
    name = "rebuild-drops-data"
    severity = "warning"
    kinds = frozenset({StatementKind.DROP_TABLE, StatementKind.ALTER_TABLE})

    # cc: each early return is a precision case found on real histories; kept in one reading order
    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for the rebuild whose old table ends at this statement."""
        timeline = ctx.timeline
        for rebuild in rebuilds(timeline, ctx.migration_index):
            if rebuild.anchor != ctx.step_index:
                continue
            old = rebuild.old
            if old.incomplete or is_empty_at(timeline, old, ctx.migration_index,
                                             rebuild.rename_step if rebuild.shape == "old-first"
                                             else ctx.step_index):
                continue
            if rebuild.shape == "new-first":
                new = timeline.steps[rebuild.rename_step].after.table(rebuild.table)
            else:
                new = timeline.steps[rebuild.end_step].after.table(rebuild.table)
            if new is None or new.incomplete:
                continue
            old_cols = [c for c in old.columns if not c.hidden and not c.generated]
            new_cols = {c.name.lower(): c for c in new.columns if not c.hidden}
            related = [created_here(old)]
            if not rebuild.copies:
                yield self.report(RebuildLosesData(rebuild.table), stmt.span, related=related)
                continue
            filled: set[str] = set()
            copies: list[Statement] = []
            for index in rebuild.copies:
                copy = timeline.steps[index].statement
                parts = parts_at(timeline, index)
                if parts is None or parts.columns is None or parts.star_source is not None:
                    filled = set()
                    break  # positional: RB004's business
                filled |= {c.lower() for c in parts.columns}
                copies.append(copy)
                related.append(Related("the copy", copy.span))
            else:
                missing = [c.name for c in old_cols if c.name.lower() in new_cols
                           and not new_cols[c.name.lower()].generated
                           and c.name.lower() not in filled]
                gone = [c.name for c in old_cols if c.name.lower() not in new_cols]
                # the words the copies read, made only when a column is gone from the
                # new table (statements keep no tokens: they are made from the text)
                read = set().union(*map(_words, copies)) if gone else set()
                dropped = [name for name in gone if name.lower() not in read
                           and not _moved(ctx, rebuild, name)]
                if missing or dropped:
                    yield self.report(RebuildLosesData(rebuild.table, tuple(missing),
                                                       tuple(dropped), copies=True),
                                      stmt.span, related=related)


def _moved(ctx: Context, rebuild: Rebuild, column: str) -> bool:
    """True when a statement before the old table is gone (in this migration or an
    earlier one) writes another table from ``column`` of the old table: data moved is
    not data lost."""
    timeline = ctx.timeline
    own = {rebuild.table.lower(), rebuild.temp.lower()}
    start = timeline.boundaries[ctx.migration_index]
    name = column.lower()
    # a quoted name may be spelled with doubled quotes in the text: no shortcut then
    plain = not any(q in name for q in ('"', "`", "]", "'"))
    for index, text in timeline.memo("rb006-writers", lambda: _writers(timeline)):
        if index >= rebuild.anchor:
            break
        if plain and name not in text:
            continue  # the common case, answered without tokens
        step = timeline.steps[index]
        into = dml_target(step.statement.ast)
        if into is None or into.lower() in own:
            continue
        # the old table's name then: old-first renames it away at rename_step
        old = rebuild.table if index < rebuild.rename_step else rebuild.old_name
        if index < start:
            was = step.before.table(old)
            if was is None or was.origin != rebuild.old.origin:
                continue  # another table of that name, since dropped
        words = _words(step.statement)
        if name in words and old.lower() in words:
            return True
    return False


def _words(stmt: Statement) -> set[str]:
    return {t.value.lower() for t in stmt.tokens if t.kind in ("word", "quoted")}


def _writers(timeline: Timeline) -> list[tuple[int, str]]:
    """The INSERT and UPDATE steps of the history and their lower-cased text, in order:
    `_moved` asks about every dropped column of every rebuild, and tokens are made again
    from a statement's text, so a text search decides first which statements to read."""
    return [(index, step.statement.text.lower()) for index, step in enumerate(timeline.steps)
            if step.statement.kind in ("insert", "update") and step.statement.has_tree]
