"""Reading INSERT, UPDATE and DELETE trees: targets, column lists, values, sources,
conflict clauses and WHERE conditions. Rules never see sqlglot's argument keys; they
call these.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeAlias

from migrate_lint.values import value_class

from .load import exp_module
from .parsing import sql

if TYPE_CHECKING:
    from sqlglot import exp

    # for annotations inside helpers whose local `exp` (see exp_module) shadows the module
    Expr: TypeAlias = exp.Expression



def updated_columns(tree: exp.Expression) -> tuple[str, ...]:
    """Columns an UPDATE sets (``SET a = ..., b = ...``)."""
    exp = exp_module()

    out: list[str] = []
    for assignment in tree.expressions if isinstance(tree, exp.Update) else ():
        target = assignment.this if isinstance(assignment, exp.EQ) else None
        if isinstance(target, exp.Column):
            out.append(target.name)
    return tuple(out)


def update_assignments(tree: exp.Expression) -> list[tuple[str, exp.Expression]]:
    """``(column, value expression)`` pairs of an UPDATE."""
    exp = exp_module()

    pairs = []
    for assignment in tree.expressions if isinstance(tree, exp.Update) else ():
        if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
            pairs.append((assignment.this.name, assignment.expression))
    return pairs


def has_where(tree: exp.Expression) -> bool:
    """True when an UPDATE or DELETE has a WHERE clause."""
    return tree.args.get("where") is not None


@value_class
class InsertShape:
    """What an INSERT writes, as far as rules need it.

    ``columns`` is None without a column list; ``values`` holds the projections of a
    plain ``SELECT`` source (None for VALUES, compound selects or ``*``); ``sources``
    maps each FROM/JOIN alias (lower case) to its table name.
    """

    table: str
    columns: tuple[str, ...] | None
    values: tuple[exp.Expression, ...] | None
    sources: tuple[tuple[str, str], ...]
    star: bool
    select: bool


def column_reference(node: exp.Expression) -> tuple[str | None, str] | None:
    """(qualifier, name) of a projection that is a plain column reference (`t.a`, `a`,
    `"a"`), else None."""
    exp = exp_module()
    if isinstance(node, exp.Alias):
        node = node.this
    if type(node) is not exp.Column or not isinstance(node.this, exp.Identifier):
        return None
    qualifier = node.args.get("table")
    return (qualifier.name if qualifier is not None else None), node.name


def from_tables(select: exp.Expression) -> list[tuple[str, str]]:
    exp = exp_module()

    out: list[tuple[str, str]] = []
    parts: list[Expr] = []
    source = select.args.get("from_") or select.args.get("from")
    if source is not None:
        parts.append(source.this)
    parts.extend(join.this for join in select.args.get("joins") or ())
    for part in parts:
        if isinstance(part, exp.Table):
            out.append(((part.alias or part.name).lower(), part.name))
    return out


def dml_target(tree: exp.Expression) -> str | None:
    """The table an INSERT, UPDATE or DELETE writes."""
    exp = exp_module()

    if not isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        return None
    target = tree.this
    if isinstance(target, exp.Schema):
        target = target.this
    return target.name if isinstance(target, exp.Table) else None


def insert_shape(tree: exp.Expression) -> InsertShape | None:
    """The :class:`InsertShape` of an INSERT tree (None for anything else)."""
    exp = exp_module()

    if not isinstance(tree, exp.Insert):
        return None
    table = dml_target(tree)
    if table is None:
        return None
    columns: tuple[str, ...] | None = None
    if isinstance(tree.this, exp.Schema):
        columns = tuple(e.name for e in tree.this.expressions)
    source = tree.expression
    values: tuple[Expr, ...] | None = None
    sources: tuple[tuple[str, str], ...] = ()
    star = False
    is_select = isinstance(source, exp.Select)
    if isinstance(source, exp.Select):
        projections = tuple(source.expressions)
        star = any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star)
                   for p in projections)
        values = None if star else tuple(
            p.this if isinstance(p, exp.Alias) else p for p in projections
        )
        sources = tuple(from_tables(source))
    return InsertShape(table, columns, values, sources, star, is_select)


def projection_names(tree: exp.Expression) -> tuple[str | None, ...] | None:
    """The name each result column of an ``INSERT ... SELECT`` carries: its alias, or
    the column a bare column reference reads; None for any other expression. None for
    the whole when the source is not one plain SELECT without ``*``.

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> projection_names(parse_statement("INSERT INTO t SELECT a, b AS c, 1, x.d FROM x"))
    ('a', 'c', None, 'd')
    """
    exp = exp_module()

    if not isinstance(tree, exp.Insert) or not isinstance(tree.expression, exp.Select):
        return None
    out: list[str | None] = []
    for p in tree.expression.expressions:
        if isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star):
            return None
        if isinstance(p, exp.Alias):
            out.append(p.alias)
        elif isinstance(p, exp.Column):
            out.append(p.name)
        else:
            out.append(None)
    return tuple(out)


def deduplicated_on(tree: exp.Expression) -> frozenset[str] | None:
    """The key an ``INSERT ... SELECT`` keeps one row per, or None when it keeps them all.

    An empty set means every key (``INSERT OR IGNORE``/``OR REPLACE``, ``ON CONFLICT
    DO ...`` without a target); otherwise the lower-cased names of the ``ON CONFLICT
    (k)`` target, the ``GROUP BY`` columns, or the ``PARTITION BY`` of a
    ``row_number()`` filtered ``= 1``.

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> sorted(deduplicated_on(parse_statement(
    ...     "INSERT INTO t (a, b) SELECT a, b FROM u WHERE true ON CONFLICT (a, b) DO NOTHING")))
    ['a', 'b']
    >>> deduplicated_on(parse_statement("INSERT OR IGNORE INTO t SELECT * FROM u"))
    frozenset()
    >>> deduplicated_on(parse_statement("INSERT INTO t SELECT a FROM u")) is None
    True
    """
    exp = exp_module()

    if not isinstance(tree, exp.Insert):
        return None
    alternative = tree.args.get("alternative")
    if alternative is not None and str(alternative).upper() in ("IGNORE", "REPLACE"):
        return frozenset()
    conflict = tree.args.get("conflict")
    if conflict is not None:
        keys = conflict.args.get("conflict_keys") or ()
        names = [k.this if isinstance(k, exp.Ordered) else k for k in keys]
        if all(isinstance(n, (exp.Column, exp.Identifier)) for n in names):
            return frozenset(n.name.lower() for n in names)
        return None
    select = tree.expression
    if not isinstance(select, exp.Select):
        return None
    group = select.args.get("group")
    if group is not None and group.expressions and all(
            isinstance(e, exp.Column) for e in group.expressions):
        return frozenset(e.name.lower() for e in group.expressions)
    where = select.args.get("where")
    ones = where is not None and any(
        isinstance(eq.expression, exp.Literal) and eq.expression.this == "1"
        for eq in where.find_all(exp.EQ))
    for window in select.find_all(exp.Window):
        parts = window.args.get("partition_by") or []
        if ones and isinstance(window.this, exp.RowNumber) and parts and all(
                isinstance(e, exp.Column) for e in parts):
            return frozenset(e.name.lower() for e in parts)
    return None


def copies_every_row(tree: exp.Expression) -> bool:
    """True for an ``INSERT ... SELECT`` that reads every row of its one source once:
    no WHERE, GROUP BY, HAVING, DISTINCT, LIMIT, OFFSET or conflict clause.

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> copies_every_row(parse_statement("INSERT INTO n (a) SELECT a FROM t"))
    True
    >>> copies_every_row(parse_statement("INSERT INTO n (a) SELECT a FROM t WHERE a > 0"))
    False
    """
    exp = exp_module()

    if not isinstance(tree, exp.Insert) or not isinstance(tree.expression, exp.Select):
        return False
    if tree.args.get("alternative") is not None or tree.args.get("conflict") is not None:
        return False
    select = tree.expression
    if any(select.args.get(k) for k in ("where", "group", "having", "distinct", "limit",
                                          "offset", "joins")):
        return False
    return len(from_tables(select)) == 1


def update_sources(tree: exp.Expression) -> tuple[tuple[str, str], ...]:
    """Alias -> table of an UPDATE's target (and its FROM, if any)."""
    exp = exp_module()

    out: list[tuple[str, str]] = []
    if isinstance(tree, exp.Update) and isinstance(tree.this, exp.Table):
        out.append(((tree.this.alias or tree.this.name).lower(), tree.this.name))
        out.extend(from_tables(tree))
    return tuple(out)


# -- helpers for insert sites --------------------------------------------------------


@value_class
class InsertParts:
    """What an INSERT statement writes, read from sqlglot's tree.

    ``columns`` is ``None`` without a column list (positional). ``rows`` holds the
    number of values of each VALUES row; ``select_arity`` the number of result
    columns of an INSERT ... SELECT, not counting the ``*`` of ``star_source``, the
    table a single ``*`` (or ``alias.*``) reads; both are ``None`` when the width
    is not known statically (a ``*`` over a join, a subquery or a CTE, several
    ``*``). ``null_positions`` are the positions (from 0) given a NULL-valued
    literal (``NULL``, ``(NULL)``, ``+NULL``, ``-NULL``, ``CAST(NULL AS T)``) in
    some VALUES row or in the select list (every part of a ``UNION [ALL]``; none
    after a ``*``); ``nulls`` the named columns at those positions. ``dynamic`` is
    True when an identifier starting with the caller's marker appears in the table
    name, the column list or a positional row (text built at run time).
    """

    table: str
    columns: tuple[str, ...] | None
    source: str  # values / select / default_values
    rows: tuple[int, ...] = ()
    select_arity: int | None = None
    star_source: str | None = None
    conflict: str | None = None  # replace / ignore / abort / fail / rollback / upsert
    nulls: tuple[str, ...] = ()
    dynamic: bool = False
    null_positions: tuple[int, ...] = ()


def is_null_literal(node: exp.Expression) -> bool:
    """True for a literal whose value is NULL: ``NULL``, ``(NULL)``, ``-NULL``, ``CAST(NULL AS T)``.

    sqlglot drops a unary ``+``, so ``+NULL`` reads as ``NULL``.

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> tree = parse_statement("INSERT INTO t VALUES (NULL, (NULL), +NULL, CAST(-(NULL) AS INT), 'NULL')")
    >>> [is_null_literal(v) for v in tree.expression.expressions[0].expressions]
    [True, True, True, True, False]
    """
    exp = exp_module()

    while isinstance(node, (exp.Paren, exp.Cast, exp.Neg)) and isinstance(node.this,
                                                                          exp.Expression):
        node = node.this
    return isinstance(node, exp.Null)


def _select_list(select: exp.Expression, ctes: frozenset[str]
                 ) -> tuple[int | None, str | None, tuple[int, ...]]:
    """``(width without the star, star table, NULL positions)`` of one SELECT."""
    exp = exp_module()

    if not isinstance(select, exp.Select):
        return None, None, ()
    aliases = dict(from_tables(select))
    source = select.args.get("from_") or select.args.get("from")
    single = (isinstance(source.this, exp.Table) if source is not None else False) and not (
        select.args.get("joins"))
    width = 0
    star: str | None = None
    stars = 0
    nulls: list[int] = []
    for item in select.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column)
                                          and isinstance(item.this, exp.Star)):
            stars += 1
            qualifier = item.table.lower() if isinstance(item, exp.Column) else ""
            if qualifier:
                star = aliases.get(qualifier)
            elif single and source is not None:
                star = source.this.name
            continue
        value = item.this if isinstance(item, exp.Alias) else item
        if not stars and is_null_literal(value):
            nulls.append(width)
        width += 1
    if stars == 0:
        return width, None, tuple(nulls)
    if stars > 1 or star is None or star.lower() in ctes:
        return None, None, tuple(nulls)
    return width, star, tuple(nulls)


# cc: every INSERT form sqlglot yields (VALUES, SELECT, DEFAULT VALUES, OR/ON CONFLICT, CTEs) read
#   in one place
def insert_parts(tree: exp.Expression, marker: str = "") -> InsertParts | None:
    """Read an INSERT tree; ``None`` when ``tree`` is not an INSERT into a named table.

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> p = insert_parts(parse_statement("INSERT OR IGNORE INTO t (a, b) VALUES (1, NULL)"))
    >>> (p.table, p.columns, p.rows, p.conflict, p.nulls)
    ('t', ('a', 'b'), (2,), 'ignore', ('b',))
    >>> p = insert_parts(parse_statement("INSERT INTO t SELECT *, CAST(NULL AS INT) FROM u"))
    >>> (p.select_arity, p.star_source, p.null_positions)
    (1, 'u', ())
    >>> p = insert_parts(parse_statement("INSERT INTO t VALUES (1, (NULL)), (2)"))
    >>> (p.rows, p.null_positions)
    ((2, 1), (1,))
    """
    exp = exp_module()

    if not isinstance(tree, exp.Insert):
        return None
    target = tree.this
    columns: tuple[str, ...] | None = None
    if isinstance(target, exp.Schema):
        columns = tuple(
            e.name for e in target.expressions if isinstance(e, (exp.Identifier, exp.Column))
        )
        target = target.this
    if not isinstance(target, exp.Table) or not target.name:
        return None

    def is_marked(node: Expr) -> bool:
        if not marker:
            return False
        return any(
            str(ident.this).startswith(marker) for ident in node.find_all(exp.Identifier)
        ) or (isinstance(node, exp.Identifier) and str(node.this).startswith(marker))

    def named(positions: set[int]) -> tuple[str, ...]:
        if columns is None:
            return ()
        return tuple(sorted({columns[i] for i in positions if i < len(columns)}))

    dynamic = target.name.startswith(marker) if marker else False
    if columns is not None and marker:
        dynamic = dynamic or any(c.startswith(marker) for c in columns)
    conflict: str | None = None
    alternative = tree.args.get("alternative")
    if alternative:
        conflict = str(alternative).lower()
    elif tree.args.get("conflict") is not None:
        conflict = "upsert"
    body = tree.expression
    if tree.args.get("default") or body is None:
        return InsertParts(target.name, columns, "default_values", conflict=conflict,
                           dynamic=dynamic)
    positions: set[int] = set()
    if isinstance(body, exp.Values):
        rows: list[int] = []
        for row in body.expressions:
            values = row.expressions if isinstance(row, exp.Tuple) else [row]
            rows.append(len(values))
            if columns is None and any(is_marked(v) for v in values):
                dynamic = True
            positions.update(i for i, v in enumerate(values) if is_null_literal(v))
        return InsertParts(target.name, columns, "values", tuple(rows), conflict=conflict,
                           nulls=named(positions), dynamic=dynamic,
                           null_positions=tuple(sorted(positions)))
    ctes = frozenset(
        cte.alias.lower() for node in (tree, body)
        for cte in (node.args.get("with_") or node.args.get("with") or exp.With()).expressions
    )
    # A compound select has the width of its first part; every part of a UNION [ALL]
    # yields rows, so a NULL in any of them is inserted (INTERSECT/EXCEPT may drop it).
    parts: list[Expr] = []
    kept = True  # no INTERSECT/EXCEPT above this part
    select = body
    while isinstance(select, (exp.Union, exp.Intersect, exp.Except)):
        kept = kept and isinstance(select, exp.Union)
        if kept:
            parts.append(select.expression)
        select = select.this
    arity, star, first_nulls = _select_list(select, ctes)
    if kept:
        positions.update(first_nulls)
    for part in parts:
        positions.update(_select_list(part, ctes)[2])
    return InsertParts(target.name, columns, "select", select_arity=arity, star_source=star,
                       conflict=conflict, nulls=named(positions), dynamic=dynamic,
                       null_positions=tuple(sorted(positions)))


# DL003 (delete-all-rows) asks whether a DELETE's WHERE is always true; its reading of
# the WHERE clause lives here with the other data-statement helpers it owns.


@value_class
class Condition:
    """A WHERE clause as SQLite's three-valued logic combines it.

    ``op`` is ``and``, ``or``, ``not`` (``parts`` are the operands) or ``leaf``: a
    condition with no AND/OR/NOT on top. A leaf's ``text`` is its SQL when it names
    no column (SQLite can evaluate it alone), ``None`` when it names one.
    """

    op: str
    parts: tuple[Condition, ...] = ()
    text: str | None = None


def where_condition(tree: exp.Expression) -> Condition | None:
    """The WHERE clause of an UPDATE or DELETE as a :class:`Condition` (None without one).

    >>> from migrate_lint.sqlglot_api.parsing import parse_statement
    >>> c = where_condition(parse_statement("DELETE FROM t WHERE NOT (1 = 1 OR a > 0)"))
    >>> c.op, c.parts[0].op, [p.text for p in c.parts[0].parts]
    ('not', 'or', ['1 = 1', None])
    """
    exp = exp_module()

    where = tree.args.get("where")
    if where is None:
        return None

    def read(node: Expr) -> Condition:
        if isinstance(node, exp.Paren) and isinstance(node.this, exp.Expression):
            return read(node.this)
        if isinstance(node, (exp.And, exp.Or)):
            op = "and" if isinstance(node, exp.And) else "or"
            return Condition(op, (read(node.this), read(node.expression)))
        if isinstance(node, exp.Not) and isinstance(node.this, exp.Expression):
            return Condition("not", (read(node.this),))
        if next(node.find_all(exp.Column), None) is not None:
            return Condition("leaf")
        return Condition("leaf", text=sql(node))

    return read(where.this)


def conjuncts(node: Expr) -> Iterator[Expr]:
    """The terms of a WHERE's top-level AND chain, parentheses looked through."""
    exp = exp_module()
    stack = [node]
    while stack:
        term = stack.pop()
        if isinstance(term, exp.And):
            stack.extend((term.this, term.expression))
        elif isinstance(term, exp.Paren):
            stack.append(term.this)
        else:
            yield term
