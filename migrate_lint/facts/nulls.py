"""Nullability over the schema: can a column hold NULL, can an expression yield it.

Why an expression can be NULL is read from its tree (``null_reason`` in
``migrate_lint.sqlglot_api.nulls``, where sqlglot is known); which columns can
hold NULL is answered here, from the schema, for every rule alike.
"""

from __future__ import annotations

from migrate_lint.schema import Column, Table
from migrate_lint.sqlglot_api.nulls import NullReason, expression_null_reason


def column_may_be_null(table: Table, col: Column) -> bool:
    """True when ``col`` of ``table`` can hold NULL on some row.

    NOT NULL and PRIMARY KEY columns cannot; a generated column can only where its
    expression can, over the other columns of its table (a generated column read by
    it is taken as nullable unless NOT NULL: one level is read, not a chain).
    """
    if col.generated and col.generated_expr:
        return not col.notnull and generated_null_reason(table, col) is not None
    return not col.notnull and not col.pk


def generated_null_reason(table: Table, col: Column) -> NullReason | None:
    """Why the generated column ``col`` can be NULL, or None where it cannot."""
    assert col.generated_expr is not None
    return expression_null_reason(col.generated_expr, lambda _q, name: _own(table, name))


def _own(table: Table, name: str) -> bool:
    col = table.column(name)
    if col is None or col.generated:
        return col is None or not col.notnull  # unknown, or nested: assume it can
    return not col.notnull and not col.pk
