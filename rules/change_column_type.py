"""DL006: a rebuild that changes a column's type affinity."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate_lint.ddl import CreateTable
from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.facts.inserts import shape_at, value_texts_at
from migrate_lint.facts.types import affinity
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import StatementKind
from migrate_lint.schema import Table
from migrate_lint.values import value_class


def _kind(declared: str) -> str:
    """Affinities that store values differently (INTEGER and NUMERIC differ only in CAST)."""
    found = affinity(declared)
    return "NUMERIC" if found == "INTEGER" else found


_CONVERSIONS = {
    ("TEXT", "NUMERIC"): "text that looks like a number becomes a number ('007' -> 7)",
    ("TEXT", "REAL"): "text that looks like a number becomes a REAL ('007' -> 7.0)",
    ("NUMERIC", "TEXT"): "numbers become text (42 -> '42'), so comparisons with numbers and "
                         "ORDER BY change",
    ("REAL", "TEXT"): "numbers become text (1.5 -> '1.5'), so comparisons with numbers and "
                      "ORDER BY change",
    ("REAL", "NUMERIC"): "whole REAL values become integers (2.0 -> 2)",
    ("NUMERIC", "REAL"): "integers become REAL (2 -> 2.0)",
    # a column of no affinity (BLOB, or no type) holds every value as it was given
    ("BLOB", "TEXT"): "numbers stored in it become text (42 -> '42'); text and blobs "
                      "stay as they are",
    ("BLOB", "NUMERIC"): "text that looks like a number becomes a number ('007' -> 7); "
                         "blobs stay as they are",
    ("BLOB", "REAL"): "text that looks like a number becomes a REAL ('007' -> 7.0); "
                      "blobs stay as they are",
}



@value_class
class AffinityChanged(Facts):
    """A rebuild of ``table`` declares ``column`` ``new_type`` where it was ``old_type``,
    of another affinity."""

    table: str
    column: str
    old_type: str
    new_type: str
    rowid: bool = False  # the new column is the table's INTEGER PRIMARY KEY (rowid alias)

    def message(self) -> str:
        """What the copy converts."""
        if self.rowid:
            return (f"rebuilding `{self.table}` makes `{self.column}` its INTEGER PRIMARY KEY "
                    f"(the rowid) where it was `{self.old_type or '(no type)'}` "
                    f"({affinity(self.old_type)} affinity): the copy fails with 'datatype "
                    "mismatch' on every database holding a value that is not an integer "
                    "there ('abc', 1.5; '007' becomes 7); older builds read back integers")
        change = _CONVERSIONS[_kind(self.old_type), _kind(self.new_type)]
        return (f"rebuilding `{self.table}` changes `{self.column}` from "
                f"`{self.old_type or '(no type)'}` ({affinity(self.old_type)} affinity) to "
                f"`{self.new_type or '(no type)'}` ({affinity(self.new_type)} affinity): on "
                f"every database with rows the copy converts the values the new affinity "
                f"changes ({change}); "
                "older builds read back another type")

    def help(self) -> str:
        """Keep the type, or convert explicitly."""
        return ("keep the declared type, or add a new column with the new type and convert "
                "the values explicitly where they can be")


class ChangeColumnType(Rule):
    """A table rebuild that changes the type affinity of a copied column.

    ## What it does
    Compares each column of a table rebuilt in a migration (a new table that takes
    the old one's name and is filled in the migration) with the same column before
    the migration, and reports it when the declared types have different SQLite
    affinities (INTEGER and NUMERIC count as one: they store values alike). A new
    BLOB-affinity column converts nothing, a copy that converts the value
    explicitly (`CAST`, `CASE`, `strftime(...)` or another function) says the
    change is intended, and a copy that fills the column from elsewhere (new keys
    from a mapping table, another column) converts no old value: none is reported.

    ## Why is this bad?
    The copy converts every existing value to the new affinity on every database
    with rows: text that looks like a number becomes a number ('007' becomes 7),
    numbers become text, REAL becomes INTEGER. Older builds still running against
    the same file read values of another type than they wrote, and comparisons,
    ORDER BY and equality on the column change meaning.

    ## Example
    ```sql
    CREATE TABLE account (id text PRIMARY KEY, zip text);
    -- migration
    CREATE TABLE __new_account (id text PRIMARY KEY, zip integer);
    INSERT INTO __new_account (id, zip) SELECT id, zip FROM account;
    DROP TABLE account;
    ALTER TABLE __new_account RENAME TO account;
    ```

    ## Use instead
    ```sql
    CREATE TABLE account (id text PRIMARY KEY, zip text);
    -- migration
    ALTER TABLE account ADD zip_number integer;
    UPDATE account SET zip_number = CAST(zip AS integer) WHERE zip GLOB '[0-9]*';
    ```

    ## References
    - https://www.sqlite.org/datatype3.html#type_affinity
    """

    code = "DL006"
    name = "change-column-type"
    severity = "warning"
    kinds = frozenset({StatementKind.CREATE_TABLE})

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for every rebuilt table of every migration.

        A table made in a migration sits under a name that migration touched, so only
        those names are looked at: the cost follows the history, not migrations x tables.
        """
        timeline = ctx.timeline
        for m_index, migration in enumerate(ctx.history.migrations):
            start, stop = timeline.boundaries[m_index], timeline.boundaries[m_index + 1]
            if start == stop or not ctx.wants(m_index):
                continue
            before = timeline.steps[start].before
            end = timeline.steps[stop - 1].after
            made = (end.tables.get(key) for key in timeline.touched_in(m_index))
            for new in sorted((t for t in made if t is not None),
                              key=lambda t: t.name.lower()):  # seed-free
                old = before.table(new.name)
                if (old is None or new.origin.migration != migration.label
                        or old.origin == new.origin or old.incomplete or new.incomplete
                        or old.virtual_module or new.virtual_module
                        or timeline.is_empty_new(new, m_index, stop)):
                    continue
                yield from self._compare(ctx, old, new, migration.label)

    def _compare(self, ctx: HistoryContext, old: Table, new: Table, label: str
                 ) -> Iterator[Finding]:
        stmt = ctx.history.migrations[ctx.history.find(label) or 0].up.statements[
            new.origin.statement]
        defs = {c.name.lower(): c for c in stmt.ddl.columns} if isinstance(
            stmt.ddl, CreateTable) else {}
        for col in new.columns:
            was = old.column(col.name)
            if was is None or col.generated or was.generated:
                continue
            a, b = _kind(was.type), _kind(col.type)
            if a == b or b == "BLOB":
                continue  # a BLOB-affinity column stores every value as it is given
            if _explicit_conversion(ctx, new, col.name, label, old.name):
                continue  # CAST, CASE or a function written in the copy: intended; or the
                # copy fills the column from elsewhere (new keys from a mapping table)
            where = defs.get(col.name.lower())
            yield self.report(
                AffinityChanged(new.name, col.name, was.type, col.type,
                                rowid=new.rowid_alias is not None
                                and new.rowid_alias.lower() == col.name.lower()),
                where.span if where is not None else stmt.span,
                statement=stmt.span,
                migration=label,
                related=[Related(f"`{old.name}.{was.name}` declared `{was.type}` here "
                                 f"({was.last_change.migration})", was.last_change.span)],
            )


# A value that converts on purpose: CAST, CASE, or a call to a function other than
# the NULL-handling ones (which pass the value through, so the affinity converts it).
_CONVERTS = re.compile(r"\bCAST\s*\(|\bCASE\b|\b(?!(?:COALESCE|IFNULL|NULLIF)\b)\w+\s*\(", re.I)


def _reads_old_value(text: str, column: str, sources: tuple[tuple[str, str], ...],
                     old: str) -> bool:
    """True unless ``text`` (a copied value) is a plain column that is not ``column``
    of the old table ``old`` (``m.id`` from a mapping table, or another column)."""
    parts = [p.strip().strip('`"[]') for p in text.split(".")]
    if len(parts) > 2 or not all(re.fullmatch(r"\w+", p) for p in parts):
        return True  # an expression: its affinity is the conversion rule's to judge
    if parts[-1].lower() != column.lower():
        return False
    if len(parts) == 1:
        return True
    tables = {alias.lower(): name.lower() for alias, name in sources}
    return tables.get(parts[0].lower(), parts[0].lower()) == old.lower()


def _explicit_conversion(ctx: HistoryContext, new: Table, column: str, label: str,
                         old: str) -> bool:
    """True when every copy into ``new`` in migration ``label`` fills ``column`` with
    an explicit conversion, or with something else than the old table ``old``'s own
    value of it (and at least one copy does)."""
    timeline = ctx.timeline
    index = ctx.history.find(label)
    if index is None:
        return False
    found = False
    for at in range(timeline.boundaries[index], timeline.boundaries[index + 1]):
        step = timeline.steps[at]
        if step.statement.kind != "insert":
            continue
        # read once per step for every rule (and the tree may be let go by now)
        shape = shape_at(timeline, at)
        target = step.before.table(shape.table) if shape is not None else None
        texts = value_texts_at(timeline, at)
        if shape is None or target is None or target.origin != new.origin or texts is None:
            continue
        names = shape.columns if shape.columns is not None else tuple(
            c.name for c in target.columns if not c.hidden and not c.generated)
        given = {n.lower(): t for n, t in zip(names, texts, strict=False)}
        text = given.get(column.lower())
        if text is None:
            continue
        if _reads_old_value(text, column, shape.sources, old) and not _CONVERTS.search(text):
            return False
        found = True
    return found
