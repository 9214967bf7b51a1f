"""Insert sites in Python source, read with the standard library's ``ast``.

Three kinds: SQL in string literals (plain, implicitly concatenated, f-strings whose
table and column list are static), the same literals passed to ``sqlite3``'s
``execute``/``executemany``/``executescript`` (origin ``sqlite3``), and SQLAlchemy
Core ``insert(table).values(...)`` where ``table`` is a ``Table("name", metadata,
Column("c", ...))`` defined in the same file.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Sequence

from migrate_lint.inserts.gate import SEPARATOR, Branch, Gate
from migrate_lint.inserts.model import NAMED, UNKNOWN, InsertSite
from migrate_lint.inserts.sqltext import MARKER, sites_in_sql
from migrate_lint.inserts.textpos import TextPositions, looks_like_insert
from migrate_lint.span import Span
from migrate_lint.values import value_class

# Cheap gate before parsing (the parser does the reading): a file holds a site only if
# it has INSERT/REPLACE followed by INTO (only separators, such as the quotes and line
# breaks of implicit concatenation, between), or an ``insert(`` call, or a ``Table(``
# definition.
_INTO = rf"\b{SEPARATOR}*(?:or{SEPARATOR}+\w+{SEPARATOR}+)?into\b"
GATE = Gate.of(Branch("insert", r"\b", _INTO), Branch("replace", r"\b", _INTO),
               Branch("insert", r"\b", r"\s*\("), Branch("Table", r"\b", r"\s*\("))
_EXECUTE = frozenset({"execute", "executemany", "executescript"})
_SQLITE_MODULES = re.compile(r"^\s*(?:import|from)\s+(?:sqlite3|aiosqlite|pysqlite3)\b", re.M)
# Line breaks as Python's tokenizer counts them (a lone CR is one), for ast line numbers.
_BREAK = re.compile(r"\r\n?|\n")


@value_class
class SaTable:
    """A SQLAlchemy ``Table`` definition: its name and columns sent on every insert."""

    name: str
    columns: tuple[str, ...]
    app_defaults: tuple[str, ...]  # Column(default=...) / onupdate=: SQLAlchemy sends them
    complete: bool  # every Column(...) had a literal name


def _func_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class PythonSource:
    """Extraction state for one Python file (positions, literal origins, tables)."""

    def __init__(self, path: str, text: str, revision: str | None) -> None:
        self.path = path
        self.text = text
        self.revision = revision
        self.pos = TextPositions(path, text)

    def span_of(self, node: ast.expr) -> Span:
        """The character span of an AST node."""
        start = self.pos.offset(node.lineno, node.col_offset)
        end_line = node.end_lineno or node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return self.pos.span(start, self.pos.offset(end_line, end_col))

    def sites(self, tree: ast.Module, hit_lines: Sequence[int]) -> list[InsertSite]:
        """Every insert site of the module's statements on ``hit_lines`` (sorted)."""
        # the expression begins with ``^``, so re tries it at every position: ask it only
        # of files that name sqlite at all
        uses_sqlite = "sqlite" in self.text and _SQLITE_MODULES.search(self.text) is not None
        nodes = _walk(tree, hit_lines)
        executed: set[int] = set()  # ids of literals passed to execute*()
        inside_fstring: set[int] = set()
        tables: dict[str, SaTable] = {}
        for node in nodes:
            if isinstance(node, ast.JoinedStr):
                inside_fstring.update(id(v) for v in node.values)
            elif isinstance(node, ast.Call):
                if _func_name(node.func) in _EXECUTE and isinstance(node.func, ast.Attribute) \
                        and node.args:
                    executed.add(id(node.args[0]))
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                table = _sa_table(node.value)
                if table is not None:
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        tables[target.id] = table
        out: list[InsertSite] = []
        handled_inserts: set[int] = set()
        for node in nodes:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in inside_fstring or not looks_like_insert(node.value):
                    continue
                out.extend(self._sql(node, node.value, id(node) in executed and uses_sqlite))
            elif isinstance(node, ast.JoinedStr):
                text = self._fstring_text(node)
                if text is not None and looks_like_insert(text):
                    out.extend(self._sql(node, text, id(node) in executed and uses_sqlite))
            elif isinstance(node, ast.Call):
                site = self._sqlalchemy(node, tables, handled_inserts)
                if site is not None:
                    out.append(site)
        return out

    def _fstring_text(self, node: ast.JoinedStr) -> str | None:
        parts: list[str] = []
        for i, value in enumerate(node.values):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append(f"{MARKER}{i}")
        return "".join(parts)

    def _sql(self, node: ast.expr, text: str, sqlite3: bool) -> list[InsertSite]:
        origin = "sqlite3" if sqlite3 else "python"
        return sites_in_sql(text, self.path, origin, span=self.span_of(node),
                            revision=self.revision, marker=MARKER)

    # -- SQLAlchemy Core ------------------------------------------------------------
    def _sqlalchemy(self, node: ast.Call, tables: dict[str, SaTable],
                    handled: set[int]) -> InsertSite | None:
        """``insert(t).values(...)``, ``t.insert().values(...)``, ``conn.execute(insert(t), rows)``."""
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "values":
            target = _insert_target(func.value)
            if target is None:
                return None
            handled.add(id(func.value))
            return self._sa_site(node, target, tables, _values_keys(node))
        if isinstance(func, ast.Attribute) and func.attr in ("execute", "executemany") \
                and node.args:
            target = _insert_target(node.args[0])
            if target is None or id(node.args[0]) in handled:
                return None
            handled.add(id(node.args[0]))
            keys: tuple[str, ...] | None
            if len(node.args) == 1 and not node.keywords:
                keys = ()  # SQLAlchemy emits INSERT ... DEFAULT VALUES
            else:
                keys = _rows_keys(node.args[1]) if len(node.args) > 1 else None
            return self._sa_site(node, target, tables, keys)
        return None

    def _sa_site(self, node: ast.Call, target: str, tables: dict[str, SaTable],
                 keys: tuple[str, ...] | None) -> InsertSite:
        span = self.span_of(node)
        table = tables.get(target)
        if table is None:
            return InsertSite(target, UNKNOWN, span, "sqlalchemy", revision=self.revision,
                              note=f"`{target}` is not a Table(...) defined in this file")
        if keys is None:
            return InsertSite(table.name, UNKNOWN, span, "sqlalchemy", revision=self.revision,
                              note="values are built at run time")
        given = tuple(dict.fromkeys((*keys, *table.app_defaults)))
        return InsertSite(table.name, NAMED, span, "sqlalchemy", columns=given,
                          revision=self.revision)


def _first_line(stmt: ast.stmt) -> int:
    """A statement's first line: its decorators come before ``lineno``."""
    decorators = getattr(stmt, "decorator_list", None)
    return min((d.lineno for d in decorators), default=stmt.lineno) if decorators \
        else stmt.lineno


def _walk(tree: ast.Module, hit_lines: Sequence[int]) -> list[ast.AST]:
    """The nodes of ``tree`` in ``ast.walk``'s order, less the statements on no hit line.

    A site's own text passes the gate (the SQL keyword, ``insert(``, ``Table(``), and
    what decides it (the ``execute`` call around a literal, the f-string it is part of)
    is in the same statement: the others, most of a file, are not walked.
    """
    # Breadth first, as ast.walk: a node is listed when queued, and the list is the
    # queue. ast.iter_child_nodes inlined (two generators per node were most of it).
    out: list[ast.AST] = [tree]
    lines = len(hit_lines)
    for node in out:  # grows while read
        for name in node._fields:
            value = getattr(node, name, None)
            for child in value if isinstance(value, list) else (value,):
                if not isinstance(child, ast.AST):
                    continue
                if isinstance(child, ast.stmt):
                    at = bisect_left(hit_lines, _first_line(child))
                    if at == lines or hit_lines[at] > (child.end_lineno or child.lineno):
                        continue
                out.append(child)
    return out


def _insert_target(node: ast.expr) -> str | None:
    """The table variable of ``insert(t)`` / ``sa.insert(t)`` / ``t.insert()``."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if _func_name(func) == "insert" and node.args and isinstance(node.args[0], ast.Name) \
            and not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                     and func.value.id not in ("sa", "sqlalchemy", "expression")):
        return node.args[0].id
    if isinstance(func, ast.Attribute) and func.attr == "insert" and not node.args \
            and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def _dict_keys(node: ast.expr) -> tuple[str, ...] | None:
    if not isinstance(node, ast.Dict):
        return None
    keys: list[str] = []
    for key in node.keys:
        name = _str(key)
        if name is None:
            return None  # **spread or a computed key
        keys.append(name)
    return tuple(keys)


def _rows_keys(node: ast.expr) -> tuple[str, ...] | None:
    """Keys of a dict literal or a list/tuple of dict literals (union over rows)."""
    if isinstance(node, ast.Dict):
        return _dict_keys(node)
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        keys: dict[str, None] = {}
        for elt in node.elts:
            row = _dict_keys(elt)
            if row is None:
                return None
            keys.update(dict.fromkeys(row))
        return tuple(keys)
    return None


def _values_keys(node: ast.Call) -> tuple[str, ...] | None:
    """Keys given to ``.values(...)``; ``None`` when they are built at run time."""
    if node.args and node.keywords:
        return None
    if node.keywords:
        if any(k.arg is None for k in node.keywords):
            return None  # **kwargs
        return tuple(k.arg for k in node.keywords if k.arg is not None)
    if len(node.args) == 1:
        return _rows_keys(node.args[0])
    return None


def _sa_table(node: ast.expr) -> SaTable | None:
    """Read ``Table("name", metadata, Column("c", ...), ...)``."""
    if not isinstance(node, ast.Call) or _func_name(node.func) != "Table" or not node.args:
        return None
    name = _str(node.args[0])
    if name is None:
        return None
    columns: list[str] = []
    defaults: list[str] = []
    complete = True
    for arg in node.args[1:]:
        if not isinstance(arg, ast.Call) or _func_name(arg.func) != "Column":
            if isinstance(arg, ast.Starred):
                complete = False
            continue
        col = _str(arg.args[0]) if arg.args else None
        if col is None:
            complete = False
            continue
        columns.append(col)
        if any(k.arg in ("default", "onupdate") for k in arg.keywords):
            defaults.append(col)
    return SaTable(name, tuple(columns), tuple(defaults), complete)


def python_sites(path: str, text: str, revision: str | None = None
                 ) -> tuple[list[InsertSite], str | None]:
    """Insert sites of one Python file, and why it could not be read, if it could not."""
    hits = GATE.starts(text)
    if not hits:
        return [], None
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as err:
        return [], f"invalid Python syntax (line {err.lineno}: {err.msg})"
    except (ValueError, RecursionError, MemoryError) as err:
        return [], f"cannot parse Python ({type(err).__name__}: {err})"
    if "\r" in text:
        hit_lines = sorted({len(_BREAK.findall(text, 0, at)) + 1 for at in hits})
    else:
        hit_lines = sorted({text.count("\n", 0, at) + 1 for at in hits})
    return PythonSource(path, text, revision).sites(tree, hit_lines), None
