"""What a copy (INSERT ... SELECT) puts into each column, for the rules about copies
that collide on a unique key (rules/_copies.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrate_lint.values import value_class

from .dml import conjuncts, is_null_literal
from .load import exp_module
from .parsing import sql

if TYPE_CHECKING:
    from sqlglot import exp



@value_class
class CopyValue:
    """One value of an INSERT ... SELECT's select list.

    ``constant`` is the SQL of a value that is the same on every row (a literal, a
    sign or CAST around one, CURRENT_TIMESTAMP: SQLite reads the clock once per
    statement), None otherwise; ``null`` is True for a NULL literal; ``column`` the
    ``(qualifier, name)`` of a plain column reference, else None.
    """

    sql: str
    constant: str | None
    null: bool
    column: tuple[str | None, str] | None


_SAME_EVERY_ROW = ("CurrentTimestamp", "CurrentDate", "CurrentTime")


def copy_value(node: exp.Expression, text: str | None = None) -> CopyValue:
    """What one projection of a copy puts into its column.

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> tree = parse_statement("INSERT INTO t (a, b, c, d) SELECT 'x', -(1), NULL, u.e FROM u")
    >>> [(v.constant, v.null, v.column) for v in map(copy_value, tree.expression.expressions)]
    [("'x'", False, None), ('-(1)', False, None), (None, True, None), (None, False, ('u', 'e'))]
    """
    exp = exp_module()

    if text is None:  # the caller may hold it already rendered (facts.inserts)
        text = sql(node)
    if is_null_literal(node):
        return CopyValue(text, None, True, None)
    inner = node.this if isinstance(node, exp.Alias) else node
    if isinstance(inner, exp.Column) and isinstance(inner.this, exp.Identifier):
        return CopyValue(text, None, False, (inner.table or None, inner.name))
    while isinstance(inner, (exp.Paren, exp.Cast, exp.Neg)) and isinstance(
            inner.this, exp.Expression):
        inner = inner.this
    same = isinstance(inner, (exp.Literal, exp.Boolean)) or type(inner).__name__ in (
        _SAME_EVERY_ROW)
    return CopyValue(text, text if same else None, False, None)


def select_at_most_one_row(tree: exp.Expression) -> bool:
    """True when an INSERT's SELECT yields at most one row whatever the data: no FROM,
    an aggregate without GROUP BY, ``LIMIT 0``/``LIMIT 1``, or DISTINCT over values
    that are the same on every row.

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> [select_at_most_one_row(parse_statement(s)) for s in (
    ...     "INSERT INTO t (a) SELECT 'x' FROM u",
    ...     "INSERT INTO t (a) SELECT max(b) FROM u",
    ...     "INSERT INTO t (a) SELECT DISTINCT 'x' FROM u",
    ...     "INSERT INTO t (a) SELECT 'x' FROM u LIMIT 1",
    ...     "INSERT INTO t (a) SELECT count(*) FROM u GROUP BY b")]
    [False, True, True, True, False]
    """
    exp = exp_module()

    select = tree.expression if isinstance(tree, exp.Insert) else tree
    if not isinstance(select, exp.Select):
        return False
    if (select.args.get("from_") or select.args.get("from")) is None:
        return True
    limit = select.args.get("limit")
    if limit is not None:
        count = limit.expression if isinstance(limit, exp.Limit) else None
        if isinstance(count, exp.Literal) and count.name in ("0", "1"):
            return True
    if select.args.get("group") is None and any(
            item.find(exp.AggFunc) is not None for item in select.expressions):
        return True
    if select.args.get("distinct") is not None:
        return all(copy_value(v).constant is not None or copy_value(v).null
                   for v in select.expressions)
    return False


def select_where(tree: exp.Expression) -> str | None:
    """The WHERE of an INSERT's SELECT (or of the statement itself), as SQL."""
    exp = exp_module()

    select = tree.expression if isinstance(tree, exp.Insert) else tree
    where = select.args.get("where") if isinstance(select, exp.Expression) else None
    return sql(where.this) if where is not None else None


def where_pinned_columns(tree: exp.Expression) -> frozenset[str]:
    """Columns (lower case) the WHERE (of an INSERT's SELECT too) fixes to one
    non-NULL constant: ``c = 'x'`` or ``'x' = c`` in its top-level AND.

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> sorted(where_pinned_columns(parse_statement(
    ...     "INSERT INTO t (a) SELECT b FROM u WHERE u.k = 'x' AND 2 = n AND m > 1")))
    ['k', 'n']
    """
    exp = exp_module()

    select = tree.expression if isinstance(tree, exp.Insert) else tree
    where = select.args.get("where") if isinstance(select, exp.Expression) else None
    if where is None:
        return frozenset()
    out: set[str] = set()
    for node in conjuncts(where.this):
        if isinstance(node, exp.EQ):
            for col, other in ((node.this, node.expression), (node.expression, node.this)):
                if isinstance(col, exp.Column) and isinstance(col.this, exp.Identifier) and (
                        copy_value(other).constant is not None):
                    out.add(col.name.lower())
    return frozenset(out)
