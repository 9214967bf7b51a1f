"""What goes wrong when an insert site runs against a table: the facts, not the wording.

Rule NN002 turns these into findings. The SQLite behaviour each kind rests on
(checked on 3.40.1): an omitted NOT NULL column without default, or an explicit
NULL into one (``NULL``, ``(NULL)``, ``+NULL``, ``CAST(NULL AS T)``, named or by
position, from VALUES or a select list), fails with "NOT NULL constraint failed:
t.c" (OR IGNORE skips the row silently instead; OR REPLACE substitutes the column's
default when it has one); "table t has no column named c"; "cannot INSERT into
generated column "c""; without a column list "table t has N columns but M values
were supplied" (generated and hidden columns are not counted; ``SELECT *`` returns
generated columns, so they count there); with one "M values for N columns"; VALUES
rows of different lengths "all VALUES must have the same number of terms" (before
anything else, with or without a column list).
"""

from __future__ import annotations

from typing import cast

from migrate_lint.inserts.model import NAMED, POSITIONAL, InsertSite
from migrate_lint.schema import Column, Schema, Table
from migrate_lint.values import value_class

ROWID_NAMES = frozenset({"rowid", "oid", "_rowid_"})


@value_class
class Problem:
    """One way a site fails against a table.

    ``kind``: ``omits`` (required column not supplied), ``null`` (explicit NULL
    into a NOT NULL column), ``no_column``, ``generated``, ``arity`` (values per
    row differ from the columns: the table's without a column list, the list's
    with one), ``ragged`` (VALUES rows of different lengths).
    """

    kind: str
    column: Column | None = None
    name: str = ""  # the column as the site spells it (no_column)
    expected: int = 0  # arity: the table's insertable columns, or the column list's length
    got: int = 0  # arity: values per row
    widths: tuple[int, ...] = ()  # ragged: the values of each row


def required_columns(table: Table) -> tuple[Column, ...]:
    """The columns every INSERT into ``table`` must give a non-NULL value.

    Not required: generated and hidden columns, columns with a non-NULL default, and
    the rowid alias (NULL or nothing there makes SQLite pick the next rowid); required:
    NOT NULL columns and the key of a WITHOUT ROWID table. Cached on the table: one
    table is checked against many insert sites.
    """
    cached = table.derived.get("insert-required")
    if cached is None:
        # one comprehension, no call per column: a wide table changes with every ADD
        # COLUMN, so this runs for each column of each table an INSERT meets
        alias = (table.rowid_alias or "").lower()
        cached = table.derived["insert-required"] = tuple(
            col for col in table.columns
            if not (col.generated or col.hidden or col.has_default)
            and not_null(table, col)
            and col.name.lower() != alias)
    return cast("tuple[Column, ...]", cached)


def not_null(table: Table, col: Column) -> bool:
    """True when SQLite refuses NULL in ``col`` (NOT NULL, or a WITHOUT ROWID key)."""
    return col.notnull or (table.without_rowid and col.pk > 0)


def insertable(table: Table) -> list[Column]:
    """The columns a positional VALUES row fills, in order: not generated, not hidden."""
    return [c for c in table.columns if not c.generated and not c.hidden]


def insertable_count(table: Table) -> int:
    """Values a positional VALUES row must have: non-generated, non-hidden columns."""
    return len(insertable(table))


def widths(site: InsertSite, schema: Schema) -> tuple[int, ...]:
    """Values per row of ``site``, with ``SELECT *`` resolved in ``schema`` (empty: unknown)."""
    if not site.rows or site.star_source is None:
        return site.rows
    source = schema.table(site.star_source)
    if source is None or source.incomplete:
        return ()
    star = sum(1 for c in source.columns if not c.hidden)
    return tuple(n + star for n in site.rows)


def problems(site: InsertSite, table: Table, schema: Schema) -> list[Problem]:
    """Every way ``site`` fails against ``table`` (``schema`` resolves ``SELECT *``)."""
    if site.shape not in (POSITIONAL, NAMED):
        return []
    counts = widths(site, schema)
    if len(set(counts)) > 1:
        # SQLite's parser refuses it first; a column list's problems are still real.
        out = [Problem("ragged", widths=counts)]
        return out + (_column_problems(site, table) if site.shape == NAMED else [])
    if site.shape == POSITIONAL:
        expected = insertable_count(table)
        if counts and counts[0] != expected:
            return [Problem("arity", expected=expected, got=counts[0])]
        targets = insertable(table)
        nulls = [targets[i] for i in site.null_positions if i < len(targets)]
        return _null_problems(site, table, nulls)
    out = _column_problems(site, table)
    if counts and site.source != "default_values" and counts[0] != len(site.columns):
        # The count fails before any row is written: the NULLs never reach a column.
        return [*out, Problem("arity", expected=len(site.columns), got=counts[0])]
    nulls = [col for col in map(table.column, site.nulls) if col is not None]
    return out + _null_problems(site, table, nulls)


def _column_problems(site: InsertSite, table: Table) -> list[Problem]:
    """Problems of a column list: unknown, generated and omitted required columns."""
    out: list[Problem] = []
    given = {c.lower() for c in site.columns}
    for name in site.columns:
        col = table.column(name)
        if col is None:
            if name.lower() in ROWID_NAMES and not table.without_rowid:
                continue
            out.append(Problem("no_column", name=name))
        elif col.generated:
            out.append(Problem("generated", col, name=name))
    out += [Problem("omits", col) for col in required_columns(table)
            if col.name.lower() not in given]
    return out


def _null_problems(site: InsertSite, table: Table, nulls: list[Column]) -> list[Problem]:
    """Explicit NULLs that land in a column refusing NULL."""
    out: list[Problem] = []
    alias = (table.rowid_alias or "").lower()
    seen: set[str] = set()
    for col in nulls:
        if col.generated or col.hidden or col.name.lower() in (alias, *seen):
            continue
        seen.add(col.name.lower())
        if not not_null(table, col):
            continue
        if col.has_default and site.conflict == "replace":
            continue  # OR REPLACE puts the default in place of the NULL
        out.append(Problem("null", col))
    return out
