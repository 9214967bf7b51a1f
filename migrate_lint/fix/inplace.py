"""In-place corrections of a failing migration, as token splices into its text.

Every function returns :class:`Splice` values: offsets into the ORIGINAL file text
and the text that replaces that range. Nothing is regenerated (sqlglot's generator
changes meaning, see SQLGLOT.md); the planner applies the splices of one file from
the end, so several corrections of one file compose.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrate_lint import ddl as d
from migrate_lint.fix.sqltext import q
from migrate_lint.history import Statement
from migrate_lint.tokens import Tok
from migrate_lint.values import value_class

BREAKPOINT = "--> statement-breakpoint"
# Words that end an expression list at parenthesis depth 0.
_CLAUSE_END = frozenset({"FROM", "WHERE", "RETURNING", "ORDER", "LIMIT", "GROUP", "HAVING",
                         "WINDOW", "UNION", "EXCEPT", "INTERSECT", "ON"})


class InPlaceError(Exception):
    """The statement has a shape the splicer does not know; the message says which."""


@value_class
class Splice:
    """Replace ``text[start:end]`` of ``path`` with ``new``."""

    path: str
    start: int
    end: int
    new: str


def apply_splices(text: str, splices: Sequence[Splice]) -> str:
    """``text`` with every splice applied (from the end, so offsets stay valid)."""
    for s in sorted(splices, key=lambda s: (s.start, s.end), reverse=True):
        text = text[: s.start] + s.new + text[s.end :]
    return text


def _removal(path: str, text: str, start: int, end: int) -> Splice:
    """Remove text[start:end] together with the blanks before it."""
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return Splice(path, start, end, "")


def separator(text: str) -> str:
    """What goes between two statements of this file (drizzle breakpoints kept)."""
    return BREAKPOINT + "\n" if BREAKPOINT in text else "\n"


def add_after(stmt: Statement, text: str, statements: Sequence[str]) -> Splice:
    """Statements inserted right after ``stmt`` (whose own ``;`` then ends the last one)."""
    sep = separator(text)
    body = "".join(f";{sep}{s.rstrip().rstrip(';')}" for s in statements)
    return Splice(stmt.path, stmt.span.end, stmt.span.end, body)


def replace_statement(stmt: Statement, text: str, statements: Sequence[str]) -> Splice:
    """``stmt`` replaced by ``statements`` (its own ``;`` ends the last one)."""
    sep = separator(text)
    body = f";{sep}".join(s.rstrip().rstrip(";") for s in statements)
    return Splice(stmt.path, stmt.span.start, stmt.span.end, body)


def wrap_coalesce(path: str, start: int, end: int, text: str, value: str) -> list[Splice]:
    """``coalesce(<text[start:end]>, value)``, spliced around the original expression."""
    del text
    return [Splice(path, start, start, "coalesce("), Splice(path, end, end, f", {value})")]


def _items(toks: Sequence[Tok], start: int, stop_words: frozenset[str],
           close: bool = False) -> tuple[list[tuple[int, int]], int]:
    """Comma-separated items from token ``start`` at depth 0: (first, last) token indexes.

    Stops at a depth-0 word of ``stop_words`` or, with ``close``, at the ``)`` that
    closes the list. Returns the items and the index of the token that stopped it.
    """
    items: list[tuple[int, int]] = []
    depth, first, i = 0, start, start
    while i < len(toks):
        t = toks[i]
        if t.kind == "op" and t.value == "(":
            depth += 1
        elif t.kind == "op" and t.value == ")":
            if depth == 0 and close:
                break
            depth -= 1
        elif depth == 0 and t.kind == "op" and t.value == ",":
            items.append((first, i - 1))
            first = i + 1
        elif depth == 0 and t.kind == "word" and t.upper in stop_words and i > first:
            break
        i += 1
    if first <= i - 1:
        items.append((first, i - 1))
    return items, i


def update_value(stmt: Statement, column: str) -> tuple[int, int]:
    """File offsets of the value assigned to ``column`` by an UPDATE's SET."""
    toks = stmt.tokens
    at = next((i for i, t in enumerate(toks) if t.is_word("SET")), None)
    if at is None:
        raise InPlaceError("no SET clause")
    items, _ = _items(toks, at + 1, _CLAUSE_END)
    for first, last in items:
        name = toks[first]
        if name.is_name and name.value.lower() == column.lower() and first + 1 <= last \
                and toks[first + 1].kind == "op" and toks[first + 1].value == "=":
            if first + 2 > last:
                break
            return toks[first + 2].start, toks[last].end
    raise InPlaceError(f"no `{column} = ...` assignment found in the SET clause")


@value_class
class CopyShape:
    """Where the parts of ``INSERT INTO t (cols) SELECT exprs FROM ...`` are."""

    columns: tuple[str, ...]
    close_paren: int  # offset of the ")" ending the column list
    values: tuple[tuple[int, int], ...]  # offsets of each select expression


def _select_items(toks: Sequence[Tok], select: int) -> list[tuple[int, int]]:
    """The items of the select list whose SELECT is token ``select`` (after a DISTINCT
    or ALL): (first, last) token indexes."""
    start = select + 1
    if start < len(toks) and toks[start].is_word("DISTINCT", "ALL"):
        start += 1
    return _items(toks, start, _CLAUSE_END)[0]


def copy_shape(stmt: Statement) -> CopyShape:
    """Read the column list and select list of an INSERT ... SELECT, by tokens."""
    toks = stmt.tokens
    into = next((i for i, t in enumerate(toks) if t.is_word("INTO")), None)
    if into is None:
        raise InPlaceError("no INTO")
    open_at = next((i for i in range(into, len(toks)) if toks[i].kind == "op"
                    and toks[i].value == "("), None)
    if open_at is None:
        raise InPlaceError("no column list")
    cols, close_at = _items(toks, open_at + 1, frozenset(), close=True)
    if close_at >= len(toks) or close_at + 1 >= len(toks) or not toks[close_at + 1].is_word(
            "SELECT"):
        raise InPlaceError("not INSERT INTO t (...) SELECT ...")
    values = _select_items(toks, close_at + 1)
    names = tuple(toks[a].value for a, b in cols if a == b)
    if len(names) != len(cols):
        raise InPlaceError("the column list holds something other than names")
    return CopyShape(names, toks[close_at].start,
                     tuple((toks[a].start, toks[b].end) for a, b in values))


def copy_value(stmt: Statement, text: str, column: str, value: str) -> list[Splice]:
    """NN003: the copy's value for ``column`` wrapped in coalesce, or the column added."""
    shape = copy_shape(stmt)
    if len(shape.columns) != len(shape.values):
        raise InPlaceError("column list and select list differ in length")
    low = column.lower()
    for name, (start, end) in zip(shape.columns, shape.values, strict=True):
        if name.lower() == low:
            return wrap_coalesce(stmt.path, start, end, text, value)
    last_end = shape.values[-1][1]
    return [Splice(stmt.path, shape.close_paren, shape.close_paren, f", {q(column)}"),
            Splice(stmt.path, last_end, last_end, f", {value}")]


def copy_value_at(stmt: Statement, position: int, value: str) -> list[Splice]:
    """NN003, a copy without a column list (``INSERT INTO t SELECT ...``): its
    ``position``-th value (from 0) wrapped in coalesce."""
    toks = stmt.tokens
    into = next((i for i, t in enumerate(toks) if t.is_word("INTO")), None)
    select = next((i for i in range(into, len(toks)) if toks[i].is_word("SELECT")),
                  None) if into is not None else None
    if select is None or into is None or any(
            t.kind == "op" and t.value == "(" for t in toks[into:select]):
        raise InPlaceError("not INSERT INTO t SELECT ...")
    values = _select_items(toks, select)
    if not 0 <= position < len(values):
        raise InPlaceError("the select list is shorter than the table")
    first, last = values[position]
    return wrap_coalesce(stmt.path, toks[first].start, toks[last].end, "", value)


def drop_default(stmt: Statement, text: str, col: d.ColumnDef) -> Splice:
    """The column definition's DEFAULT clause removed."""
    assert col.default_span is not None
    return _removal(stmt.path, text, col.default_span.start, col.default_span.end)


def replace_default(stmt: Statement, col: d.ColumnDef, value: str) -> Splice:
    """The column definition's DEFAULT clause replaced by ``DEFAULT value``."""
    assert col.default_span is not None
    return Splice(stmt.path, col.default_span.start, col.default_span.end, f"DEFAULT {value}")


def drop_unique(stmt: Statement, text: str, col: d.ColumnDef) -> list[Splice]:
    """The column's UNIQUE constraint (with its CONSTRAINT name and ON CONFLICT) removed."""
    toks = [t for t in stmt.tokens if col.span.start <= t.start and t.end <= col.span.end]
    out = []
    for i, t in enumerate(toks):
        if not t.is_word("UNIQUE"):
            continue
        first, last = i, i
        if i >= 2 and toks[i - 2].is_word("CONSTRAINT"):
            first = i - 2
        if i + 3 < len(toks) + 1 and i + 2 < len(toks) and toks[i + 1].is_word("ON") \
                and toks[i + 2].is_word("CONFLICT"):
            last = min(i + 3, len(toks) - 1)
        out.append(_removal(stmt.path, text, toks[first].start, toks[last].end))
    if not out:
        raise InPlaceError("no UNIQUE keyword in the column definition")
    return out
