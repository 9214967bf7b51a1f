"""DL008: a copy writes the same value on every row into a UNIQUE key."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.claims import StatementFails
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.values import value_class

from ._common import copied_value_span, created_here, incomplete_note
from ._copies import copy_at, unique_keys, written_value
from ._rebuild import names


@value_class(kw_only=True)
class ConstantCopiedIntoKey(Facts):
    """``INSERT INTO table ... SELECT`` writes the same ``values`` into the unique key
    ``columns`` on every row, from ``source_table`` (one of ``sources``; ``filtered``:
    the SELECT has a WHERE)."""

    table: str
    columns: tuple[str, ...]
    values: tuple[str, ...]
    source_table: str
    sources: tuple[str, ...]
    filtered: bool = False
    incomplete: str | None = None

    def message(self) -> str:
        """Fails at the second row."""
        what = (f"`{self.columns[0]}`, which is UNIQUE" if len(self.columns) == 1
                else f"({', '.join(f'`{w}`' for w in self.columns)}), a UNIQUE key")
        rows = (f"two rows of `{self.source_table}` meet its WHERE" if self.filtered
                else f"`{self.source_table}` has two rows" if len(self.sources) == 1
                else f"the SELECT over {names(self.sources)} yields two rows")
        return (f"the copy into `{self.table}` writes the same value ({', '.join(self.values)}) "
                f"into {what}, on every row: it fails with '{self.error()}' on every database where "
                f"{rows}; passes with one row or none"
                + incomplete_note(self.source_table, self.incomplete))

    def error(self) -> str:
        """SQLite's whole message: the claim SQLite must bear out names this key."""
        return "UNIQUE constraint failed: " + ", ".join(f"{self.table}.{w}"
                                                        for w in self.columns)

    def help(self) -> str:
        """A value per row, or the index after the fill."""
        return ("copy a value that differs per row (derive it from the row's key, as "
                "`'sku-' || id`), or add the column without UNIQUE, fill it, then create the "
                "unique index")


class ConstantCopiedIntoUnique(Rule):
    """A copy writes one constant into every row of a UNIQUE column.

    ## What it does
    Reports `INSERT INTO t (...) SELECT ... FROM s` where every column of a UNIQUE or
    PRIMARY KEY of `t` receives the same value on every row: a literal in the select
    list (`''`, `0`, `CURRENT_TIMESTAMP`), or the constant DEFAULT of a column the
    copy omits, while `s` holds rows from before the migration. This is the rebuild
    Django writes for a new field with `unique=True` and a `default`. Copies that
    yield at most one row (an aggregate, `LIMIT 1`, no FROM) and copies with `OR
    IGNORE`, `OR REPLACE` or `ON CONFLICT` are not reported.

    ## Why is this bad?
    The second row copied repeats the key: SQLite stops the statement with 'UNIQUE
    constraint failed' on every database where `s` has two rows, and the migration
    fails. A fresh database, or one with a single row, passes, so it ships.

    ## Example
    ```sql
    CREATE TABLE product (id integer PRIMARY KEY AUTOINCREMENT, name text NOT NULL);
    -- migration
    CREATE TABLE new__product (id integer PRIMARY KEY AUTOINCREMENT, name text NOT NULL, sku text NOT NULL UNIQUE);
    INSERT INTO new__product (id, name, sku) SELECT id, name, '' FROM product;
    DROP TABLE product;
    ALTER TABLE new__product RENAME TO product;
    ```

    ## Use instead
    ```sql
    CREATE TABLE product (id integer PRIMARY KEY AUTOINCREMENT, name text NOT NULL);
    -- migration
    CREATE TABLE new__product (id integer PRIMARY KEY AUTOINCREMENT, name text NOT NULL, sku text NOT NULL UNIQUE);
    INSERT INTO new__product (id, name, sku) SELECT id, name, 'sku-' || id FROM product;
    DROP TABLE product;
    ALTER TABLE new__product RENAME TO product;
    ```

    ## Confirmation
    Before it is reported, the migration runs on a copy of the replayed database
    filled with synthetic rows (four per table), under the runner's settings: the
    finding carries SQLite's own error. When the copy does not fail there (a WHERE
    that no synthetic row meets, a trigger), it is kept as a warning that says so:
    two rows that reach the copy still collide.

    ## References
    - https://www.sqlite.org/lang_createtable.html#unique_constraints
    - https://docs.djangoproject.com/en/stable/howto/writing-migrations/#migrations-that-add-unique-fields
    """

    code = "DL008"
    name = "constant-copied-into-unique"
    severity = "error"
    kinds = frozenset({StatementKind.INSERT})
    unconfirmed = "warn"

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one INSERT ... SELECT."""
        copy = copy_at(ctx.timeline, ctx.step_index)
        if copy is None or copy.one_row or not copy.fails_on_duplicates:
            return
        old = [s for s in copy.sources if not s.temporary and ctx.timeline.holds_old_rows(
            s, ctx.migration_index, ctx.step_index)]
        if not old:
            return  # nothing but rows this migration wrote itself, visible in the file
        target = copy.target
        for key in unique_keys(ctx.before, target):
            values = [written_value(copy, c) for c in key]
            if any(v is None or v.constant is None for v in values):
                continue
            cols = [target.column(c) for c in key]
            written = [c.name if c is not None else k for c, k in zip(cols, key, strict=True)]
            related = [created_here(old[0])]
            first = cols[0]
            if first is not None:
                related.insert(0, Related(f"`{target.name}.{first.name}` declared here",
                                          first.origin.span))
            facts = ConstantCopiedIntoKey(
                table=target.name, columns=tuple(written),
                values=tuple(v.constant for v in values
                             if v is not None and v.constant is not None),
                source_table=old[0].name, sources=tuple(s.name for s in copy.sources),
                filtered=bool(copy.where), incomplete=old[0].incomplete)
            yield self.report(
                facts, copied_value_span(stmt, written[0]) if written[0].lower() in copy.values
                else stmt.span, related=related, claim=StatementFails(facts.error()))
            return  # one key is enough: the copy fails at its second row
