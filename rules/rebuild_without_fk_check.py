"""RB008: foreign keys turned off for a rebuild, and never checked afterwards."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate_lint.claims import OrphansLeft
from migrate_lint.ddl import Drop, ForeignKeyDef
from migrate_lint.engine import Context, Rule
from migrate_lint.facts.inserts import shape_at, value_texts_at
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.schema import Schema, all_foreign_keys
from migrate_lint.sqlglot_api.dml import copies_every_row
from migrate_lint.values import value_class

from ._rebuild import (
    Rebuild,
    data_children,
    foreign_key_state,
    pragma_is_ignored,
    pragma_of,
    pragma_setting,
    rebuild_of_step,
)


def _temporary(schema: Schema, name: str) -> bool:
    table = schema.table(name)
    return table is not None and table.temporary


@value_class
class UncheckedRebuild(Facts):
    """Foreign keys are off for a rebuild whose last DROP is ``drop`` (on ``line``), and
    no ``PRAGMA foreign_key_check`` follows it."""

    drop: str
    line: int

    def message(self) -> str:
        """Orphans stay, unreported."""
        return (f"foreign keys are off for the rebuild (`{self.drop}` on line {self.line}) and "
                "nothing checks them afterwards: child rows left without a parent stay in "
                "every database, unreported")

    def help(self) -> str:
        """The check, and how to make it fail the migration."""
        return ("run `PRAGMA foreign_key_check` after the rebuild, before COMMIT (select "
                "`count(*) FROM pragma_foreign_key_check` into a `CHECK (n = 0)` table to "
                "make a violation fail the migration)")


class RebuildWithoutFkCheck(Rule):
    """Foreign keys turned off for a rebuild with no `PRAGMA foreign_key_check` after it.

    ## What it does
    Reports a `PRAGMA foreign_keys=OFF` that takes effect (see RB001) when a
    `DROP TABLE` that can orphan rows runs while it is in force and no `PRAGMA
    foreign_key_check` (or a query of `pragma_foreign_key_check`) follows the last
    such DROP in the same migration. A plain `DROP TABLE` of a table nothing
    references orphans nothing; nor does a rebuild whose one copy, without WHERE,
    carries every row and every column a foreign key uses unchanged into a table
    with the same foreign keys.

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
    CREATE TABLE task (id integer PRIMARY KEY, project_id integer REFERENCES project (id));
    -- migration
    PRAGMA foreign_keys=OFF;
    BEGIN;
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL);
    INSERT INTO project_new (id, name) SELECT id, name FROM project WHERE name IS NOT NULL;
    DROP TABLE project;
    ALTER TABLE project_new RENAME TO project;
    COMMIT;
    PRAGMA foreign_keys=ON;
    ```

    ## Use instead
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    CREATE TABLE task (id integer PRIMARY KEY, project_id integer REFERENCES project (id));
    -- migration
    PRAGMA foreign_keys=OFF;
    BEGIN;
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL);
    INSERT INTO project_new (id, name) SELECT id, name FROM project WHERE name IS NOT NULL;
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
    kinds = frozenset({StatementKind.PRAGMA})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one effective ``PRAGMA foreign_keys=OFF``."""
        if pragma_setting(stmt, "foreign_keys") is not False:
            return
        timeline = ctx.timeline
        if pragma_is_ignored(timeline, ctx.step_index) is not None:
            return
        end = timeline.boundaries[ctx.migration_index + 1]
        drops: list[int] = []
        for index in range(ctx.step_index + 1, end):
            node = timeline.steps[index].statement.ddl
            if (isinstance(node, Drop) and node.what == "TABLE"
                    and not _temporary(timeline.steps[index].before, node.name)
                    and foreign_key_state(timeline, index).off_step == ctx.step_index
                    and _may_orphan(ctx, index, node.name)):
                drops.append(index)  # a TEMP table is no parent: no key can break
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
        facts = UncheckedRebuild(" ".join(last.text.split()).rstrip(";"), last.span.line)
        yield self.report(facts, stmt.span, claim=OrphansLeft(), related=[
            Related("the DROP TABLE run with foreign keys off", last.span)])


def _may_orphan(ctx: Context, index: int, table: str) -> bool:
    """True when dropping ``table`` at step ``index`` can leave rows without a parent.

    A plain ``DROP TABLE`` (not part of a rebuild) of a table no other table
    references orphans nothing; nor does a rebuild whose one copy carries every row
    and, unchanged, every column a foreign key uses (the children's parent key, the
    new table's own foreign keys, which are the old table's).
    """
    rebuild = next(rebuild_of_step(ctx.timeline, index), None)
    if rebuild is None:
        return bool(data_children(ctx.timeline.steps[index].before, table))
    return not _keeps_every_key(ctx, rebuild)


# A bare column reference, maybe qualified and quoted.
_BARE = re.compile(r"""^(?:[`"\[]?\w+[`"\]]?\.)?[`"\[]?(?P<name>\w+)[`"\]]?$""")


def _fk_key(fk: ForeignKeyDef) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    return (tuple(c.lower() for c in fk.columns), fk.parent.lower(),
            tuple(c.lower() for c in fk.parent_columns))


def _keeps_every_key(ctx: Context, rebuild: Rebuild) -> bool:
    timeline = ctx.timeline
    if len(rebuild.copies) != 1:
        return False
    stmt = timeline.steps[rebuild.copies[0]].statement
    shape = shape_at(timeline, rebuild.copies[0])
    texts = value_texts_at(timeline, rebuild.copies[0])
    if (stmt.ast is None or shape is None or shape.columns is None or texts is None
            or not copies_every_row(stmt.ast)):
        return False  # rows may be left out
    copied = {}
    for column, text in zip(shape.columns, texts, strict=False):
        match = _BARE.match(text.strip())
        copied[column.lower()] = match.group("name").lower() if match else None
    old = rebuild.old
    new = timeline.steps[rebuild.end_step].after.table(rebuild.table)
    if new is None:
        return False
    old_fks = {_fk_key(fk) for fk in all_foreign_keys(old)}
    if {_fk_key(fk) for fk in all_foreign_keys(new)} != old_fks:
        return False  # a foreign key added or changed: the copied rows are not checked
    used = {c for key in old_fks for c in key[0]}
    for _, fk in data_children(rebuild.old_schema, old.name):
        parent = fk.parent_columns or old.primary_key
        if not parent:
            return False  # children of the rowid: a copy may renumber it
        used |= {c.lower() for c in parent}
    return all(copied.get(c) == c for c in used)
