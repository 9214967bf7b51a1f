"""Views, trigger bodies, CHECKs and index expressions, reduced to what SQLite's name
resolution looks at (owner: ``migrate_lint.resolve``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from migrate_lint.values import value_class

from .dml import dml_target, insert_parts, update_assignments
from .load import exp_module
from .parsing import ParseFailure, is_command, parse_statement, sql

if TYPE_CHECKING:
    from sqlglot import exp

    # for annotations inside helpers whose local `exp` (see exp_module) shadows the module
    Expr: TypeAlias = exp.Expression



# -- names for drop-column resolution (owner: migrate_lint.resolve) ------------------
# sqlglot trees of views, trigger bodies, CHECKs and index expressions, reduced to what
# SQLite's name resolution looks at: the column names each scope mentions, its FROM
# items, its result columns and nested queries. ``migrate_lint.resolve`` applies
# SQLite's rules to these shapes; nothing outside this section reads them from sqlglot.


@value_class
class NameRef:
    """A column reference: ``name`` or ``qualifier.name`` (schema prefix dropped).

    ``double_quoted`` marks a bare ``"name"``: SQLite reads it as a string literal
    when no column of that name is in scope.
    """

    name: str
    qualifier: str | None = None
    double_quoted: bool = False


@value_class
class SourceShape:
    """One FROM item: a named table, view or CTE; a derived table; or a table function."""

    table: str | None
    alias: str | None
    query: QueryShape | None = None
    function: bool = False
    args: tuple[Item, ...] = ()
    using: tuple[str, ...] = ()
    natural: bool = False
    on: tuple[Item, ...] = ()


@value_class
class ResultShape:
    """One result column: ``star`` is ``""`` for ``*``, the qualifier for ``x.*``."""

    items: tuple[Item, ...] = ()
    alias: str | None = None
    column: str | None = None  # the name, when the expression is a bare column
    star: str | None = None
    text: str = ""


@value_class
class CoreShape:
    """One SELECT (or VALUES row list) of a query."""

    sources: tuple[SourceShape, ...] = ()
    results: tuple[ResultShape, ...] = ()
    clauses: tuple[Item, ...] = ()  # WHERE, GROUP BY, HAVING, ORDER BY...: aliases allowed
    values: bool = False


@value_class
class CteShape:
    """A common table expression."""

    name: str
    columns: tuple[str, ...]
    query: QueryShape


@value_class
class QueryShape:
    """A query: its CTEs, its compound arms (the first names the columns), ORDER BY."""

    cores: tuple[CoreShape, ...]
    ctes: tuple[CteShape, ...] = ()
    order: tuple[Item, ...] = ()  # ORDER BY / LIMIT of a compound query


Item = NameRef | QueryShape


@value_class
class StepShape:
    """One statement of a trigger body."""

    kind: str  # select / insert / update / delete
    target: str | None = None
    query: QueryShape | None = None  # SELECT step, or an INSERT's VALUES / SELECT
    from_: tuple[SourceShape, ...] = ()  # UPDATE ... FROM
    set_columns: tuple[str, ...] = ()
    values: tuple[Item, ...] = ()  # UPDATE SET values
    where: tuple[Item, ...] = ()
    insert_columns: tuple[str, ...] | None = None
    insert_arity: int | None = None  # values per row of a positional INSERT, when known
    upsert: tuple[Item, ...] = ()  # conflict target, DO UPDATE values and WHERE
    upsert_set_columns: tuple[str, ...] = ()


@value_class
class ViewShape:
    """A view's column list (if written) and query."""

    columns: tuple[str, ...]
    query: QueryShape


class _Shaper:
    """Builds shapes from one parsed text (``text`` is what node offsets index)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def name(self, node: exp.Column) -> NameRef:
        exp = exp_module()

        ident = node.this
        quoted = False
        if isinstance(ident, exp.Identifier) and ident.quoted and not node.table:
            start = ident.meta.get("start")
            quoted = start is None or self.text[start : start + 1] == '"'
        return NameRef(node.name, node.table or None, quoted)

    def items(self, node: exp.Expression | None) -> tuple[Item, ...]:
        """Column references and nested queries of ``node``, in reading order."""
        exp = exp_module()

        out: list[Item] = []
        if node is None:
            return ()
        stack: list[Expr] = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, exp.Column):
                if not isinstance(cur.this, exp.Star):
                    out.append(self.name(cur))
                continue
            if isinstance(cur, (exp.Select, exp.Union, exp.Intersect, exp.Except)):
                out.append(self.query(cur))
                continue
            if isinstance(cur, exp.Anonymous) and str(cur.this).upper() == "RAISE":
                args = list(cur.expressions)[1:]  # RAISE(ABORT, msg): ABORT is no column
                stack.extend(reversed(args))
                continue
            if isinstance(cur, (exp.Collate,)):
                stack.append(cur.this)  # COLLATE nocase: the collation is no column
                continue
            children = [v for v in _child_nodes(cur)]
            stack.extend(reversed(children))
        return tuple(out)

    def query(self, node: exp.Expression) -> QueryShape:
        exp = exp_module()

        if isinstance(node, exp.Subquery):
            node = node.this
        ctes: list[CteShape] = []
        with_ = node.args.get("with_") or node.args.get("with")
        if with_ is not None:
            for cte in with_.expressions:
                alias = cte.args.get("alias")
                cols = tuple(c.name for c in alias.columns) if alias is not None else ()
                ctes.append(CteShape(cte.alias, cols, self.query(cte.this)))
        cores: list[CoreShape] = []
        order: tuple[Item, ...] = ()
        if isinstance(node, (exp.Union, exp.Intersect, exp.Except)):
            arms: list[Expr] = []
            stack = [node]
            while stack:
                cur = stack.pop()
                if isinstance(cur, (exp.Union, exp.Intersect, exp.Except)):
                    stack.extend([cur.expression, cur.this])
                else:
                    arms.append(cur)
            for arm in arms:
                inner = self.query(arm)
                cores.extend(inner.cores)
                ctes.extend(inner.ctes)
            order = self.items(node.args.get("order")) + self.items(node.args.get("limit"))
        elif isinstance(node, exp.Values):
            cores.append(self.values(node))
        elif isinstance(node, exp.Select):
            cores.append(self.core(node))
        else:
            raise ParseFailure(f"unexpected {type(node).__name__} as a query")
        return QueryShape(tuple(cores), tuple(ctes), order)

    def values(self, node: exp.Values) -> CoreShape:
        exp = exp_module()

        results: list[ResultShape] = []
        clauses: list[Item] = []
        for index, row in enumerate(node.expressions):
            vals = row.expressions if isinstance(row, exp.Tuple) else [row]
            if index == 0:
                results = [ResultShape(self.items(v), text=f"column{i + 1}")
                           for i, v in enumerate(vals)]
            else:
                for v in vals:
                    clauses.extend(self.items(v))
        return CoreShape((), tuple(results), tuple(clauses), values=True)

    def source(self, node: exp.Expression, join: exp.Expression | None = None) -> SourceShape:
        exp = exp_module()

        using: tuple[str, ...] = ()
        natural = False
        on: tuple[Item, ...] = ()
        if join is not None:
            using = tuple(i.name for i in join.args.get("using") or ())
            natural = str(join.args.get("method") or "").upper() == "NATURAL"
            on = self.items(join.args.get("on"))
        alias = node.alias or None
        if isinstance(node, exp.Table):
            inner = node.this
            if isinstance(inner, (exp.Anonymous, exp.Func)) and not isinstance(inner, exp.Identifier):
                args = tuple(x for a in _child_nodes(inner) for x in self.items(a))
                return SourceShape(None, alias, function=True, args=args, using=using,
                                   natural=natural, on=on)
            return SourceShape(node.name, alias, using=using, natural=natural, on=on)
        if isinstance(node, exp.Subquery):
            return SourceShape(None, alias, self.query(node.this), using=using,
                               natural=natural, on=on)
        raise ParseFailure(f"unexpected {type(node).__name__} in FROM")

    def sources(self, node: exp.Expression) -> tuple[SourceShape, ...]:
        out: list[SourceShape] = []
        from_ = node.args.get("from_") or node.args.get("from")
        if from_ is not None:
            out.append(self.source(from_.this))
        for join in node.args.get("joins") or ():
            out.append(self.source(join.this, join))
        return tuple(out)

    def core(self, node: exp.Select) -> CoreShape:
        exp = exp_module()

        results: list[ResultShape] = []
        for proj in node.expressions:
            if isinstance(proj, exp.Star):
                results.append(ResultShape(star=""))
                continue
            if isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star):
                results.append(ResultShape(star=proj.table))
                continue
            alias = None
            body = proj
            if isinstance(proj, exp.Alias):
                alias, body = proj.alias, proj.this
            column = body.name if isinstance(body, exp.Column) else None
            results.append(ResultShape(self.items(body), alias, column, text=sql(body)))
        clauses: list[Item] = []
        for key in ("where", "group", "having", "qualify", "order", "limit", "offset"):
            clauses.extend(self.items(node.args.get(key)))
        for window in node.args.get("windows") or ():
            clauses.extend(self.items(window))
        return CoreShape(self.sources(node), tuple(results), tuple(clauses))

    def step(self, node: exp.Expression) -> StepShape:
        exp = exp_module()

        if isinstance(node, (exp.Select, exp.Union, exp.Intersect, exp.Except)):
            return StepShape("select", query=self.query(node))
        if isinstance(node, exp.Update):
            target = dml_target(node)
            sets = update_assignments(node)
            values = tuple(x for _, v in sets for x in self.items(v))
            from_: tuple[SourceShape, ...] = ()
            source = node.args.get("from_") or node.args.get("from")
            if source is not None:
                joins = [*(source.this.args.get("joins") or ()), *(node.args.get("joins") or ())]
                from_ = (self.source(source.this), *(self.source(j.this, j) for j in joins))
            return StepShape("update", target, from_=from_, set_columns=tuple(c for c, _ in sets),
                             values=values, where=self.items(node.args.get("where")))
        if isinstance(node, exp.Delete):
            return StepShape("delete", dml_target(node), where=self.items(node.args.get("where")))
        if isinstance(node, exp.Insert):
            parts = insert_parts(node)
            if parts is None:
                raise ParseFailure("INSERT into something other than a named table")
            body = node.expression
            query = self.query(body) if body is not None and not node.args.get("default") else None
            arity: int | None = None
            if parts.columns is None:
                arity = parts.rows[0] if parts.rows and len(set(parts.rows)) == 1 else (
                    parts.select_arity)
            upsert: list[Item] = []
            upsert_cols: tuple[str, ...] = ()
            conflict = node.args.get("conflict")
            if conflict is not None:
                for key in conflict.args.get("conflict_keys") or ():
                    upsert.extend(self.items(key))
                pairs = [(a.this, a.expression) for a in conflict.expressions
                         if isinstance(a, exp.EQ)]
                upsert_cols = tuple(t.name for t, _ in pairs if isinstance(t, exp.Column))
                for _, value in pairs:
                    upsert.extend(self.items(value))
                upsert.extend(self.items(conflict.args.get("where")))
            return StepShape("insert", parts.table, query=query, insert_columns=parts.columns,
                             insert_arity=arity, upsert=tuple(upsert),
                             upsert_set_columns=upsert_cols)
        raise ParseFailure(f"sqlglot read it as {type(node).__name__}")


def _child_nodes(node: exp.Expression) -> list[exp.Expression]:
    exp = exp_module()

    out: list[Expr] = []
    for value in node.args.values():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, exp.Expression):
                out.append(v)
    return out


def _checked(tree: exp.Expression) -> exp.Expression:
    if is_command(tree):
        raise ParseFailure("sqlglot could not parse it and kept it as raw text")
    return tree


def view_shape(text: str) -> ViewShape:
    """The column list and query of a ``CREATE VIEW`` statement.

    Raises :class:`ParseFailure` when the text cannot be read.

    >>> v = view_shape("CREATE VIEW v (k) AS SELECT a AS x FROM t WHERE c > 0")
    >>> v.columns, v.query.cores[0].results[0].alias, v.query.cores[0].clauses
    (('k',), 'x', (NameRef(name='c', qualifier=None, double_quoted=False),))
    """
    exp = exp_module()

    tree = _checked(parse_statement(text))
    if not isinstance(tree, exp.Create) or tree.expression is None:
        raise ParseFailure(f"sqlglot read it as {type(tree).__name__}, not CREATE VIEW")
    columns: tuple[str, ...] = ()
    if isinstance(tree.this, exp.Schema):
        columns = tuple(e.name for e in tree.this.expressions)
    return ViewShape(columns, _Shaper(text).query(tree.expression))


def expression_names(text: str) -> tuple[Item, ...]:
    """Column references of one SQL expression (a CHECK, an index key or WHERE).

    >>> expression_names("h > t.c COLLATE nocase")
    (NameRef(name='h', qualifier=None, double_quoted=False), NameRef(name='c', qualifier='t', double_quoted=False))
    """
    exp = exp_module()

    wrapped = f"SELECT {text}"
    tree = _checked(parse_statement(wrapped))
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1:
        raise ParseFailure("not one expression")
    return _Shaper(wrapped).items(tree.expressions[0])


def trigger_step_shape(text: str) -> StepShape:
    """One statement of a trigger body.

    >>> s = trigger_step_shape("UPDATE t SET c = 1, a = b WHERE id = new.id")
    >>> s.target, s.set_columns, [n.name for n in s.values + s.where]
    ('t', ('c', 'a'), ['b', 'id', 'id'])
    """
    return _Shaper(text).step(_checked(parse_statement(text)))
