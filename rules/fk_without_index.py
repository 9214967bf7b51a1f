"""FK003: a foreign key whose child columns no index leads with."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.ddl import ForeignKeyDef
from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import StatementKind
from migrate_lint.schema import Schema, Table, all_foreign_keys
from migrate_lint.values import value_class

from ._fk import fk_label, fk_span, statement_at


def _indexed(schema: Schema, table: Table, fk: ForeignKeyDef) -> bool:
    """True when some index of ``table`` starts with the key's columns (in any order)."""
    wanted = frozenset(c.lower() for c in fk.columns)
    n = len(wanted)
    leads: list[tuple[str | None, ...]] = [k.columns for k in table.keys]
    leads += [tuple(c.name for c in i.columns) for i in schema.indexes_of(table.name)
              if i.where is None]
    for cols in leads:
        head = cols[:n]
        if len(head) == n and all(c is not None for c in head) and frozenset(
                str(c).lower() for c in head) == wanted:
            return True
    return False


@value_class
class UnindexedForeignKey(Facts):
    """Foreign key ``key`` of ``table`` on ``columns``, which no index of ``table``
    starts with."""

    table: str
    parent: str
    key: str
    columns: tuple[str, ...]

    def message(self) -> str:
        """Each delete from the parent scans the child."""
        return (f"no index of `{self.table}` starts with `{', '.join(self.columns)}` "
                f"(foreign key `{self.key}`): with foreign keys on, each delete from "
                f"`{self.parent}` scans all of `{self.table}` on every database")

    def help(self) -> str:
        """The index."""
        return f"add `CREATE INDEX ... ON {self.table} ({', '.join(self.columns)})`"


class FkWithoutIndex(Rule):
    """A foreign key whose child columns are not the leading columns of any index.

    ## What it does
    In the schema at the end of the history, reports each foreign key whose child
    columns are not the first columns of an index of the child table (a PRIMARY KEY,
    a UNIQUE constraint or a CREATE INDEX without WHERE), at the statement that
    declared the key.

    ## Why is this bad?
    With foreign keys on, every DELETE of a parent row (and every UPDATE of its key)
    makes SQLite look for child rows: without such an index it scans the whole child
    table each time, so deleting many parents, or cascading, gets slower as the child
    table grows on users' databases. Nothing fails: the default severity is info.

    ## Example
    ```sql
    CREATE TABLE session (id text PRIMARY KEY);
    -- migration
    CREATE TABLE message (id text PRIMARY KEY, session_id text REFERENCES session(id));
    ```

    ## Use instead
    ```sql
    CREATE TABLE session (id text PRIMARY KEY);
    -- migration
    CREATE TABLE message (id text PRIMARY KEY, session_id text REFERENCES session(id));
    CREATE INDEX message_session_idx ON message (session_id);
    ```

    ## References
    - https://www.sqlite.org/foreignkeys.html#fk_indexes
    """

    code = "FK003"
    name = "fk-without-index"
    severity = "info"
    kinds = frozenset({StatementKind.CREATE_TABLE, StatementKind.ALTER_TABLE})

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for every unindexed foreign key of the final schema."""
        final = ctx.timeline.final
        for table in sorted(final.tables.values(), key=lambda t: t.name.lower()):
            if table.temporary or table.virtual_module or table.incomplete:
                continue
            for fk in all_foreign_keys(table):
                if final.table(fk.parent) is None or _indexed(final, table, fk):
                    continue
                origin = table.origin
                if len(fk.columns) == 1:
                    col = table.column(fk.columns[0])
                    if col is not None and col.references is fk:
                        origin = col.origin
                if not ctx.wants(ctx.history.find(origin.migration)):
                    continue  # reported in a migration the run does not report on
                stmt = statement_at(ctx.history, origin)
                if stmt is None:
                    continue
                facts = UnindexedForeignKey(table.name, fk.parent, fk_label(table, fk),
                                            tuple(fk.columns))
                yield self.report(facts, fk_span(stmt, fk), statement=stmt.span,
                                  migration=origin.migration)
