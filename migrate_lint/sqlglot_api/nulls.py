"""Whether an expression can be NULL, and which columns a WHERE keeps non-NULL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from migrate_lint.values import value_class

from .dml import conjuncts, from_tables
from .load import exp_module
from .parsing import parse_statement, sql

if TYPE_CHECKING:
    from sqlglot import exp



@value_class
class NullReason:
    """Why an expression can evaluate to NULL.

    ``kind`` is ``null`` (the NULL literal), ``subquery`` (a scalar subquery that can
    find no row), ``case`` (CASE without ELSE), ``column`` (a nullable column) or
    ``nullif``; ``text`` is the offending piece of SQL, ``column`` the column's
    ``(qualifier, name)`` for kind ``column``.
    """

    kind: str
    text: str
    column: tuple[str | None, str] | None = None


def where_not_null_columns(tree: exp.Expression) -> frozenset[str]:
    """Columns (lower case) the WHERE clause (of an INSERT's SELECT too) requires NOT NULL."""
    exp = exp_module()

    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Select):
        tree = tree.expression  # INSERT ... SELECT ... WHERE
    where = tree.args.get("where")
    if where is None:
        return frozenset()
    out: set[str] = set()
    # A comparison is NULL when its column operand is, and a WHERE keeps only the
    # rows where it is true: `x <> ''`, `x = 1`, `x IN (...)`, `x LIKE ...`, `x
    # BETWEEN ...` in the top-level AND chain pass no NULL `x`. (`IS`, `IS NOT` are
    # null-safe and do not count, except `IS NOT NULL` itself.)
    comparisons = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike,
                   exp.Glob, exp.In, exp.Between)
    for node in conjuncts(where.this):
        if (isinstance(node, exp.Not) and isinstance(node.this, exp.Is)
              and isinstance(node.this.this, exp.Column)
              and isinstance(node.this.expression, exp.Null)):
            out.add(node.this.this.name.lower())
        elif isinstance(node, comparisons):
            for side in (node.this, node.args.get("expression")):
                if isinstance(side, exp.Column) and not side.is_star:
                    out.add(side.name.lower())
    return frozenset(out)


def expression_null_reason(text: str, nullable: Callable[[str | None, str], bool]
                           ) -> NullReason | None:
    """:func:`null_reason` of an expression written as text (a generated column's);
    a text that does not parse is taken as possibly NULL.

    >>> expression_null_reason("id * 2", lambda q, c: False) is None
    True
    >>> expression_null_reason("a || 'x'", lambda q, c: c == "a").kind
    'column'
    """
    exp = exp_module()

    try:
        tree = parse_statement(f"SELECT ({text})")
    except Exception:  # not understood: assume the worst
        return NullReason("subquery", text)
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1:
        return NullReason("subquery", text)
    return null_reason(tree.expressions[0], nullable)


_NEVER_NULL_AGGREGATES = ("Count",)


# cc: one branch per expression kind that can yield NULL (CASE, COALESCE, NULLIF, IIF, joins,
#   aggregates, subqueries)
def null_reason(
    node: exp.Expression, nullable: Callable[[str | None, str], bool],
    guards: frozenset[str] = frozenset(), aggregates: bool = False,
) -> NullReason | None:
    """Why ``node`` can be NULL, or None where it cannot (as far as can be told).

    ``nullable(qualifier, column)`` says whether a column reference can be NULL.
    Functions other than COALESCE/IFNULL/NULLIF/IIF are assumed not to yield NULL:
    the question is asked to find real risks, not every theoretical one.

    A scalar subquery finds a row when ``guards`` holds its ``subquery_key`` (an
    ``EXISTS`` of the same subquery guards the statement), or when it aggregates
    without GROUP BY, HAVING or LIMIT (such a query always yields one row); its value
    is then the projection's, where ``count()`` is never NULL and other aggregates
    (``max``, ``sum``, ...) are NULL over no row (``aggregates``).

    >>> from migrate_lint.sqlglot_api.dml import update_assignments
    >>> tree = parse_statement("UPDATE t SET a = coalesce((SELECT x FROM u), 0), b = (SELECT x FROM u)")
    >>> [null_reason(v, lambda q, c: False) is None for _, v in update_assignments(tree)]
    [True, False]
    """
    exp = exp_module()

    if isinstance(node, exp.Null):
        return NullReason("null", "NULL")
    if isinstance(node, (exp.Paren, exp.Cast, exp.Neg)) and isinstance(node.this, exp.Expression):
        return null_reason(node.this, nullable, guards, aggregates)
    if isinstance(node, exp.Subquery):
        inner = node.this
        if isinstance(inner, exp.Select) and len(inner.expressions) == 1:
            only = inner.expressions[0]
            only = only.this if isinstance(only, exp.Alias) else only
            if type(only).__name__ in _NEVER_NULL_AGGREGATES:
                return None
            one_row = (only.find(exp.AggFunc) is not None and not any(
                inner.args.get(k) for k in ("group", "having", "limit", "offset")))
            if one_row or subquery_key(inner) in guards:
                return null_reason(only, nullable, frozenset(), one_row)
        return NullReason("subquery", sql(node))
    if aggregates and isinstance(node, exp.AggFunc):
        return None if type(node).__name__ in _NEVER_NULL_AGGREGATES else NullReason(
            "subquery", sql(node))
    if isinstance(node, exp.Coalesce):
        reason: NullReason | None = None
        for arg in (node.this, *node.expressions):
            reason = null_reason(arg, nullable, guards, aggregates)
            if reason is None:
                return None
        return reason
    if isinstance(node, exp.Case):
        for branch in node.args.get("ifs") or ():
            found = null_reason(branch.args["true"], nullable, guards, aggregates)
            if found is not None:
                return found
        default = node.args.get("default")
        if default is None:
            return NullReason("case", sql(node))
        return null_reason(default, nullable, guards, aggregates)
    if isinstance(node, exp.If):
        for key in ("true", "false"):
            value = node.args.get(key)
            if value is None:
                return NullReason("case", sql(node))
            found = null_reason(value, nullable, guards, aggregates)
            if found is not None:
                return found
        return None
    if isinstance(node, exp.Nullif):
        return NullReason("nullif", sql(node))
    if isinstance(node, exp.Column) and not node.is_star:
        qualifier = node.table or None
        if nullable(qualifier, node.name):
            return NullReason("column", sql(node), (qualifier, node.name))
        return None
    if isinstance(node, (exp.DPipe, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
        return (null_reason(node.this, nullable, guards, aggregates)
                or null_reason(node.expression, nullable, guards, aggregates))
    return None


def subquery_key(select: exp.Expression) -> str:
    """A SELECT's FROM, joins and WHERE as text: two subqueries with the same key find
    the same rows, whatever they project."""
    exp = exp_module()

    if not isinstance(select, exp.Select):
        return sql(select)
    rest = select.copy()
    rest.set("expressions", [exp.Literal.number(1)])
    return sql(rest)


def exists_guards(tree: exp.Expression) -> frozenset[str]:
    """``subquery_key`` of every ``EXISTS (subquery)`` in the top-level AND chain of a
    statement's WHERE: the rows it changes are those where that subquery finds a row.

    >>> from migrate_lint.sqlglot_api.dml import update_assignments
    >>> t = parse_statement("UPDATE t SET a = (SELECT x FROM u WHERE u.id = t.id) "
    ...                     "WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)")
    >>> [null_reason(v, lambda q, c: False, exists_guards(t)) for _, v in update_assignments(t)]
    [None]
    """
    exp = exp_module()

    where = tree.args.get("where")
    if where is None:
        return frozenset()
    out: set[str] = set()
    for node in conjuncts(where.this):
        if isinstance(node, exp.Exists):
            out.add(subquery_key(node.this))
    return frozenset(out)


def unfiltered_subqueries(tree: exp.Expression) -> tuple[tuple[str, str], ...]:
    """``(subquery_key, table)`` of every scalar subquery of ``tree`` that reads one
    table with no WHERE, join, GROUP BY, HAVING or OFFSET, and no LIMIT below 1: it
    finds a row wherever that table holds one.

    >>> t = parse_statement("UPDATE t SET a = (SELECT id FROM u ORDER BY id LIMIT 1), "
    ...                     "b = (SELECT id FROM u WHERE u.x = t.x), c = (SELECT 1 FROM u LIMIT 0)")
    >>> [table for _, table in unfiltered_subqueries(t)]
    ['u']
    """
    exp = exp_module()

    out: list[tuple[str, str]] = []
    for node in tree.find_all(exp.Subquery):
        inner = node.this
        if not isinstance(inner, exp.Select) or any(
                inner.args.get(k) for k in ("where", "joins", "group", "having", "offset")):
            continue
        tables = from_tables(inner)  # no joins here: the FROM's one table, if it is one
        if len(tables) != 1 or not tables[0][1]:
            continue
        limit = inner.args.get("limit")
        if limit is not None:
            count = limit.expression if isinstance(limit, exp.Limit) else None
            if not isinstance(count, exp.Literal) or not count.is_int or int(count.name) < 1:
                continue
        out.append((subquery_key(inner), tables[0][1]))
    return tuple(out)
