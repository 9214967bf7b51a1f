"""What goes wrong when an insert site runs against a table: the facts, not the wording.

Rule NN002 turns these into findings. The SQLite behaviour each kind rests on
(checked on 3.40): an omitted NOT NULL column without default, or an explicit NULL
into one, fails with "NOT NULL constraint failed: t.c" (OR IGNORE skips the row
silently instead; OR REPLACE substitutes the column's default when it has one);
"table t has no column named c"; "cannot INSERT into generated column "c"";
"table t has N columns but M values were supplied" (generated and hidden columns
are not counted; ``SELECT *`` returns generated columns, so they count there).
"""

from __future__ import annotations

from dataclasses import dataclass

from migrate_lint.inserts.model import NAMED, POSITIONAL, InsertSite
from migrate_lint.schema import Column, Schema, Table

ROWID_NAMES = frozenset({"rowid", "oid", "_rowid_"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a site fails against a table.

    ``kind``: ``omits`` (required column not supplied), ``null`` (explicit NULL
    into a NOT NULL column), ``no_column``, ``generated``, ``arity``.
    """

    kind: str
    column: Column | None = None
    name: str = ""  # the column as the site spells it (no_column)
    expected: int = 0  # arity: the table's column count
    got: int = 0  # arity: values per row


def required(table: Table, col: Column) -> bool:
    """True when an insert must give ``col`` a non-NULL value."""
    if col.generated or col.hidden or col.has_default:
        return False
    if not (col.notnull or (table.without_rowid and col.pk > 0)):
        return False
    alias = table.rowid_alias
    # NULL or nothing into the rowid alias: SQLite picks the next rowid
    return alias is None or col.name.lower() != alias.lower()


def insertable_count(table: Table) -> int:
    """Values a positional VALUES row must have: non-generated, non-hidden columns."""
    return sum(1 for c in table.columns if not c.generated and not c.hidden)


def problems(site: InsertSite, table: Table, schema: Schema) -> list[Problem]:
    """Every way ``site`` fails against ``table`` (``schema`` resolves ``SELECT *``)."""
    if site.shape == POSITIONAL:
        got = site.arity
        if got is None and site.star_source is not None:
            source = schema.table(site.star_source)
            if source is not None and not source.incomplete:
                got = sum(1 for c in source.columns if not c.hidden)
        expected = insertable_count(table)
        if got is not None and got != expected:
            return [Problem("arity", expected=expected, got=got)]
        return []
    if site.shape != NAMED:
        return []
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
    for col in table.columns:
        if required(table, col) and col.name.lower() not in given:
            out.append(Problem("omits", col))
    alias = (table.rowid_alias or "").lower()
    for name in site.nulls:
        col = table.column(name)
        if col is None or col.generated or col.hidden or col.name.lower() == alias:
            continue
        if not (col.notnull or (table.without_rowid and col.pk > 0)):
            continue
        if col.has_default and site.conflict == "replace":
            continue  # OR REPLACE puts the default in place of the NULL
        out.append(Problem("null", col))
    return out
