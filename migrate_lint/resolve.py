"""SQLite's name resolution over the schema model: what ``DROP COLUMN`` re-checks.

After ``ALTER TABLE t DROP COLUMN c`` SQLite reparses table ``t`` and its indexes and
re-resolves every view and trigger of the schema; the drop fails on the first object
where a name no longer resolves ("error in trigger x after drop column: no such
column: c"). This module repeats that resolution on the model, following SQLite's
``lookupName`` (resolve.c) and ``renameResolveTrigger`` (alter.c), checked against
sqlite 3.40:

- an unqualified name is looked up in the FROM items of its own SELECT, then in the
  enclosing ones; two FROM items with the column make it ambiguous (the right-hand
  side of ``USING``/``NATURAL`` excepted); in WHERE, GROUP BY, HAVING and ORDER BY a
  result-column alias also matches; a bare ``"name"`` that matches nothing is a string;
- ``new.x``/``old.x`` name the trigger's table (``new`` not in DELETE triggers, ``old``
  not in INSERT triggers), ``excluded.x`` the target of an upsert;
- trigger statements: an UPDATE's SET values and WHERE see its target and FROM items,
  a DELETE's WHERE its target, an INSERT's VALUES/SELECT only the trigger's
  ``new``/``old``; SET targets and INSERT column lists are not resolved at all (they
  fail when the trigger fires);
- CHECK constraints, generated columns and index expressions see only their table
  (and no double-quoted strings).

The model can be incomplete (tables it could not read, table-valued functions): a
name that could belong to such a source is *unknown*, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from migrate_lint.schema import Schema, Table, Trigger, View
from migrate_lint.sqlglot_api.parsing import ParseFailure
from migrate_lint.sqlglot_api.shapes import (
    CoreShape,
    Item,
    NameRef,
    QueryShape,
    SourceShape,
    StepShape,
    ViewShape,
    expression_names,
    trigger_step_shape,
    view_shape,
)
from migrate_lint.sqlglot_api.tokens import TokenizeError, sql_tokens
from migrate_lint.values import value_class

_ROWID = frozenset({"rowid", "oid", "_rowid_"})


class Unreadable(Exception):
    """The tool could not read an object's SQL; the message says why."""


class _Stop(Exception):
    """Resolution ended: ``error`` is SQLite's message, or None when not known."""

    def __init__(self, error: str | None) -> None:
        super().__init__(error or "unknown")
        self.error = error


# -- shapes of objects, cached per SQL text -------------------------------------------


@value_class
class TriggerShape:
    """A trigger's WHEN clause and body statements."""

    when: tuple[Item, ...]
    steps: tuple[StepShape, ...]


@lru_cache(maxsize=4096)
def trigger_shape(sql: str) -> TriggerShape:
    """Read a CREATE TRIGGER statement; raises :class:`Unreadable`.

    >>> s = trigger_shape("CREATE TRIGGER x AFTER INSERT ON t WHEN new.a > 0 BEGIN "
    ...                   "UPDATE t SET c = 1; DELETE FROM u WHERE id = new.id; END")
    >>> [n.name for n in s.when], [(st.kind, st.target) for st in s.steps]
    (['a'], [('update', 't'), ('delete', 'u')])
    """
    try:
        toks = sql_tokens(sql)
    except TokenizeError as err:
        raise Unreadable(str(err)) from None
    on = next((i for i, t in enumerate(toks) if t.is_word("ON")), None)
    begin = next((i for i, t in enumerate(toks) if t.is_word("BEGIN") and on is not None
                  and i > on), None)
    if on is None or begin is None or not toks[-1].is_word("END"):
        raise Unreadable("no ON ... BEGIN ... END")
    when: tuple[Item, ...] = ()
    when_at = next((i for i in range(on, begin) if toks[i].is_word("WHEN")), None)
    try:
        if when_at is not None:
            when = expression_names(sql[toks[when_at + 1].start : toks[begin - 1].end])
        steps: list[StepShape] = []
        start = begin + 1
        for i in range(begin + 1, len(toks)):
            tok = toks[i]
            if (tok.kind == "op" and tok.value == ";") or i == len(toks) - 1:
                if i > start:
                    steps.append(trigger_step_shape(sql[toks[start].start : toks[i - 1].end]))
                start = i + 1
    except ParseFailure as err:
        raise Unreadable(str(err)) from None
    return TriggerShape(when, tuple(steps))


@lru_cache(maxsize=4096)
def read_view(sql: str, select: str) -> ViewShape:
    """Read a CREATE VIEW statement (falling back to its SELECT); raises :class:`Unreadable`."""
    try:
        return view_shape(sql)
    except ParseFailure as first:
        try:
            return view_shape(f"CREATE VIEW v AS {select}")
        except ParseFailure:
            raise Unreadable(str(first)) from None


@lru_cache(maxsize=4096)
def _expression(text: str) -> tuple[Item, ...]:
    try:
        return expression_names(text)
    except ParseFailure as err:
        raise Unreadable(str(err)) from None


# -- scopes ----------------------------------------------------------------------------


@dataclass
class _Source:
    """A FROM item as resolution sees it."""

    key: str  # alias, else table name (lower case)
    columns: list[str]
    open: bool = False  # may have columns the model does not know
    skip: frozenset[str] = frozenset()  # right-hand USING/NATURAL columns
    rowid: bool = False


@dataclass
class _Scope:
    sources: list[_Source]
    parent: _Scope | None = None
    aliases: frozenset[str] = frozenset()
    ctes: dict[str, tuple[list[str], bool]] = field(default_factory=dict)
    pseudo: dict[str, list[str]] = field(default_factory=dict)  # new / old / excluded


def _lower(names: Iterable[str]) -> list[str]:
    return [n.lower() for n in names]


class Resolver:
    """Resolves views, triggers and table expressions against one schema."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._views: dict[str, tuple[list[str], bool]] = {}
        self._busy: set[str] = set()

    # -- sources -----------------------------------------------------------------------
    def named(self, name: str, scope: _Scope | None) -> tuple[list[str], bool, bool]:
        """Columns of a table, view or CTE called ``name``: (columns, open, has rowid)."""
        low = name.lower()
        s = scope
        while s is not None:
            if low in s.ctes:
                cols, is_open = s.ctes[low]
                return cols, is_open, False
            s = s.parent
        table = self.schema.table(name)
        if table is not None:
            return (_lower(c.name for c in table.columns), table.incomplete is not None,
                    not table.without_rowid and table.virtual_module is None)
        view = self.schema.views.get(low)
        if view is not None:
            cols, is_open = self.view_columns(view)
            return cols, is_open, False
        if low.startswith("sqlite_"):
            return [], True, True
        raise _Stop(f"no such table: main.{name}")

    def view_columns(self, view: View) -> tuple[list[str], bool]:
        low = view.name.lower()
        if low in self._views:
            return self._views[low]
        if low in self._busy:
            raise _Stop(f"view {view.name} is circularly defined")
        self._busy.add(low)
        try:
            try:
                shape = read_view(view.sql, view.select)
            except Unreadable:
                raise _Stop(None) from None
            names, is_open = self.query(shape.query, None)
            if shape.columns:
                names = _lower(shape.columns)
        finally:
            self._busy.discard(low)
        self._views[low] = (names, is_open)
        return names, is_open

    def _sources(self, shapes: Sequence[SourceShape], scope: _Scope | None,
                 outer: _Scope | None) -> list[_Source]:
        out: list[_Source] = []
        for shape in shapes:
            rowid = False
            if shape.query is not None:
                cols, is_open = self.query(shape.query, outer)
                key = (shape.alias or "").lower()
            elif shape.function:
                cols, is_open = [], True
                key = (shape.alias or "").lower()
            else:
                assert shape.table is not None
                cols, is_open, rowid = self.named(shape.table, scope or outer)
                key = (shape.alias or shape.table).lower()
            skip: set[str] = set()
            if out and (shape.using or shape.natural):
                left = {c for s in out for c in s.columns}
                names = _lower(shape.using) if shape.using else [c for c in cols if c in left]
                for name in names:
                    if not (any(s.open for s in out) or is_open) and (
                            name not in left or name not in cols):
                        raise _Stop(f"cannot join using column {name} - column not present "
                                    "in both tables")
                    skip.add(name)
            out.append(_Source(key, list(cols), is_open, frozenset(skip), rowid))
        return out

    # -- queries -----------------------------------------------------------------------
    def query(self, shape: QueryShape, outer: _Scope | None) -> tuple[list[str], bool]:
        """Resolve a query; return its result column names and whether they are open."""
        ctes: dict[str, tuple[list[str], bool]] = {}
        holder = _Scope([], outer, ctes=ctes)
        for cte in shape.ctes:
            # A recursive CTE sees itself: give it the names of its first arm.
            ctes[cte.name.lower()] = (_lower(cte.columns), not cte.columns)
            cols, is_open = self.query(cte.query, holder)
            ctes[cte.name.lower()] = (_lower(cte.columns) or cols, is_open)
        names: list[str] = []
        is_open = False
        for number, core in enumerate(shape.cores):
            core_names, core_open = self.core(core, holder)
            if number == 0:
                names, is_open = core_names, core_open
        if shape.order:
            scope = _Scope([], holder, aliases=frozenset(names))
            for item in shape.order:
                if isinstance(item, NameRef) and item.qualifier is None and \
                        item.name.lower() in names:
                    continue
                if isinstance(item, NameRef):
                    continue  # compound ORDER BY terms: matched against results, not modelled
                self.item(item, scope)
        return names, is_open

    def core(self, core: CoreShape, outer: _Scope) -> tuple[list[str], bool]:
        sources = self._sources(core.sources, None, outer)
        scope = _Scope(sources, outer)
        for shape in core.sources:
            self.items(shape.args, scope)
        names: list[str] = []
        is_open = False
        aliases: set[str] = set()
        for result in core.results:
            if result.star is not None:
                picked = [s for s in sources if not result.star or s.key == result.star.lower()]
                if result.star and not picked:
                    raise _Stop(f"no such table: {result.star}")
                for s in picked:
                    names.extend(c for c in s.columns if c not in s.skip or result.star)
                    is_open = is_open or s.open
                continue
            self.items(result.items, scope)
            if result.alias:
                aliases.add(result.alias.lower())
            names.append((result.alias or result.column or result.text).lower())
        clause_scope = _Scope(sources, outer, aliases=frozenset(aliases))
        for shape in core.sources:
            self.items(shape.on, clause_scope)
        self.items(core.clauses, clause_scope)
        return names, is_open

    # -- names -------------------------------------------------------------------------
    def items(self, items: Iterable[Item], scope: _Scope) -> None:
        for item in items:
            self.item(item, scope)

    def item(self, item: Item, scope: _Scope) -> None:
        if isinstance(item, QueryShape):
            self.query(item, scope)
        else:
            self.name(item, scope)

    def name(self, ref: NameRef, scope: _Scope, dqs: bool = True) -> None:
        """Resolve one name; raise :class:`_Stop` with SQLite's error where it fails."""
        col = ref.name.lower()
        qual = ref.qualifier.lower() if ref.qualifier else None
        s: _Scope | None = scope
        while s is not None:
            count = 0
            tables = 0
            unknown = False
            match: _Source | None = None
            for source in s.sources:
                if qual is not None and source.key != qual:
                    continue
                tables += 1
                if col in source.columns:
                    if count and col in source.skip:
                        continue
                    count += 1
                    match = source
                elif source.open:
                    unknown = True
                if match is None and tables == 1:
                    match = source
            if count == 0 and qual is not None and col in s.pseudo.get(qual, ()):
                return
            if count == 1:
                return
            if count > 1:
                raise _Stop(f"ambiguous column name: {_written(ref)}")
            if unknown:
                raise _Stop(None)
            if (col in _ROWID and tables == 1 and match is not None and match.rowid):
                return
            if qual is None and col in s.aliases:
                return
            s = s.parent
        if qual is None and ref.double_quoted and dqs:
            return  # SQLite reads it as a string literal
        raise _Stop(f"no such column: {_written(ref)}")


def _written(ref: NameRef) -> str:
    return f"{ref.qualifier}.{ref.name}" if ref.qualifier else ref.name


# -- objects ---------------------------------------------------------------------------


def view_error(resolver: Resolver, view: View) -> str | None:
    """SQLite's error resolving ``view`` (None: it resolves or it cannot be told).

    Raises :class:`Unreadable` when the view's SQL cannot be read.
    """
    shape = read_view(view.sql, view.select)
    try:
        resolver.query(shape.query, None)
    except _Stop as stop:
        return stop.error
    return None


def trigger_error(resolver: Resolver, trigger: Trigger) -> str | None:
    """SQLite's error resolving ``trigger``, as ``renameResolveTrigger`` does it.

    Raises :class:`Unreadable` when the trigger's SQL cannot be read.
    """
    shape = trigger_shape(trigger.sql)
    schema = resolver.schema
    event = _event(trigger.sql)
    try:
        table = schema.table(trigger.table)
        if table is not None:
            columns = _lower(c.name for c in table.columns)
            if table.incomplete:
                return None
        else:
            view = schema.views.get(trigger.table.lower())
            if view is None:
                return None
            columns, is_open = resolver.view_columns(view)
            if is_open:
                return None
        pseudo: dict[str, list[str]] = {}
        if event != "DELETE":
            pseudo["new"] = columns
        if event != "INSERT":
            pseudo["old"] = columns
        base = _Scope([], None, pseudo=pseudo)
        resolver.items(shape.when, base)
        for step in shape.steps:
            _step(resolver, step, base)
    except _Stop as stop:
        return stop.error
    return None


def _event(sql: str) -> str:
    for tok in sql_tokens(sql):
        if tok.is_word("INSERT", "UPDATE", "DELETE"):
            return tok.upper
    return ""


def _step(resolver: Resolver, step: StepShape, base: _Scope) -> None:
    if step.query is not None:
        resolver.query(step.query, base)
    if step.target is None:
        return
    target = SourceShape(step.target, None)
    sources = resolver._sources((target, *step.from_), None, base)
    scope = _Scope(sources, None, pseudo=base.pseudo)
    for shape in step.from_:
        resolver.items(shape.args, scope)
        resolver.items(shape.on, scope)
    resolver.items(step.values, scope)
    resolver.items(step.where, scope)
    if step.upsert:
        excluded = dict(base.pseudo)
        excluded["excluded"] = sources[0].columns
        resolver.items(step.upsert, _Scope(sources[:1], None, pseudo=excluded))


def table_expression_error(table_name: str, columns: Sequence[str], text: str) -> str | None:
    """SQLite's error resolving a CHECK, generated column or index expression of a table.

    Raises :class:`Unreadable` when the expression cannot be read.
    """
    items = _expression(text)
    scope = _Scope([_Source(table_name.lower(), _lower(columns))])
    resolver = Resolver(Schema())
    try:
        for item in items:
            if isinstance(item, NameRef):
                resolver.name(item, scope, dqs=False)
            else:
                resolver.query(item, scope)
    except _Stop as stop:
        return stop.error
    return None


def table_errors(table: Table, schema: Schema, columns: Sequence[str]
                 ) -> Iterable[tuple[str, str, str | None]]:
    """(kind, name, error) for ``table`` and its indexes if it had ``columns``.

    In the order SQLite meets them when it reparses the schema: the table's keys and
    foreign keys, its CHECKs, generated columns, then its indexes.
    """
    present = {c.lower() for c in columns}
    # UNIQUE and FOREIGN KEY clauses fail while the CREATE TABLE is parsed: in text order
    clauses: list[tuple[int, str]] = []
    for key in table.keys:
        if not key.primary:  # PRIMARY KEY columns are refused before (see replay)
            clauses += [(key.offset, f"no such column: {name}") for name in key.columns
                        if name is not None and name.lower() not in present][:1]
    for fk in table.foreign_keys:
        clauses += [(fk.offset, f'unknown column "{name}" in foreign key definition')
                    for name in fk.columns if name.lower() not in present][:1]
    for _, error in sorted(clauses, key=lambda c: c[0]):
        yield "table", table.name, error
    texts = [check for col in table.columns if col.name.lower() in present
             for check in col.checks]
    texts += list(table.checks)
    texts += [col.generated_expr for col in table.columns
              if col.generated_expr and col.name.lower() in present]
    for text in texts:
        yield "table", table.name, _readable(table_expression_error, table.name, columns, text)
    for index in sorted(schema.indexes_of(table.name), key=lambda i: _order(i.origin)):
        for indexed in index.columns:
            yield "index", index.name, _readable(table_expression_error, table.name, columns,
                                                 indexed.expr)
        if index.where:
            yield "index", index.name, _readable(table_expression_error, table.name, columns,
                                                 index.where)


def _readable(check: Callable[[str, Sequence[str], str], str | None], table: str,
              columns: Sequence[str], text: str) -> str | None:
    try:
        return check(table, columns, text)
    except Unreadable:
        return None


def _order(origin: object) -> tuple[str, int]:
    return (getattr(origin, "migration", ""), getattr(origin, "statement", 0))


def objects_in_order(schema: Schema) -> list[View | Trigger]:
    """Views and triggers in the order SQLite checks them (main, then temp; by creation)."""
    objs: list[View | Trigger] = [*schema.views.values(), *schema.triggers.values()]
    return sorted(objs, key=lambda o: (o.temporary, _order(o.origin)))


def mentions(sql: str, name: str) -> bool:
    """True when ``name`` appears as a word or quoted name in ``sql``."""
    words = _words(sql)
    return name.lower() in words if words is not None else name.lower() in sql.lower()


@lru_cache(maxsize=4096)
def _words(sql: str) -> frozenset[str] | None:
    try:
        return frozenset(t.value.lower() for t in sql_tokens(sql) if t.kind in ("word", "quoted"))
    except TokenizeError:
        return None


def broken_triggers(schema: Schema, table: Table, column: str) -> list[tuple[Trigger, str]]:
    """Triggers that still write ``table.column`` by name and fail when they next fire.

    SQLite does not resolve UPDATE SET targets, upsert SET targets or INSERT column
    lists when it drops a column; the trigger fails at run time instead. A positional
    INSERT into ``table`` with one value per column fails too: one value too many.
    Unreadable triggers are left to :func:`migrate_lint.replay.drop_column_check`.
    """
    low = column.lower()
    dropped = table.column(column)
    insertable = [c for c in table.columns if not c.generated and not c.hidden]
    out: list[tuple[Trigger, str]] = []
    for trigger in sorted(schema.triggers.values(), key=lambda t: (t.temporary, _order(t.origin))):
        if not mentions(trigger.sql, table.name):
            continue
        try:
            shape = trigger_shape(trigger.sql)
        except Unreadable:
            continue
        for step in shape.steps:
            if step.target is None or step.target.lower() != table.name.lower():
                continue
            failure: str | None = None
            if low in _lower(step.set_columns) or low in _lower(step.upsert_set_columns):
                failure = f"no such column: {column}"
            elif step.insert_columns is not None and low in _lower(step.insert_columns):
                failure = f"table {table.name} has no column named {column}"
            elif (step.kind == "insert" and step.insert_columns is None
                  and step.insert_arity == len(insertable) and dropped is not None
                  and not dropped.generated):
                failure = (f"table {table.name} has {len(insertable) - 1} columns but "
                           f"{len(insertable)} values were supplied")
            if failure is not None:
                out.append((trigger, failure))
                break
    return out
