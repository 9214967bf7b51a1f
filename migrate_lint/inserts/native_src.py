"""Insert sites in Go and Rust, read with tree-sitter grammars.

SQL sits in string literals: Go's interpreted ``"..."`` and raw `` `...` `` strings
(concatenated with ``+``: each operand that is not a literal becomes a marker, so a
static column list is still read and a dynamic one is reported unknown), and Rust's
``"..."``, ``b"..."`` and raw ``r"..."`` / ``r#"..."#`` strings (joined by
``concat!``; ``{}`` holes of ``format!`` become markers, as do Go's ``fmt.Sprintf``
verbs). A literal passed to a database call (Go ``database/sql`` and sqlx:
``Exec``, ``ExecContext``, ``Prepare``, ``Query``, ``QueryRow``, ``MustExec``,
``NamedExec``...; Rust sqlx ``query!``/``query``/``query_as``/``query_scalar``,
rusqlite ``execute``/``prepare``, diesel ``sql_query``) is read as SQL whatever it
starts with (a comment, several statements); any other literal only when it starts
like an INSERT. The SQL itself is read by :mod:`migrate_lint.inserts.sqltext`, as in
every other language. Sites point at the literal (or the whole concatenation).
diesel's typed ``insert_into(t::table).values(...)`` and ``table!`` definitions are
read here and resolved across files by :mod:`migrate_lint.inserts.diesel`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from migrate_lint.inserts.diesel import DieselInsert, DieselTable
from migrate_lint.inserts.drizzle import NO_FACTS, DrizzleFacts
from migrate_lint.inserts.gate import Branch, Gate
from migrate_lint.inserts.model import InsertSite
from migrate_lint.inserts.sqltext import MARKER, sites_in_sql
from migrate_lint.inserts.textpos import TextPositions, looks_like_insert

# Cheap gate before parsing: no INSERT/REPLACE word (or diesel's insert_into,
# replace_into, insert_or_ignore_into, table!), no insert site.
GATE = Gate.of(Branch("insert", r"\b", r"\b|_"), Branch("replace", r"\b", r"\b|_"),
               Branch("table!", r"\b"))
_DIESEL_INSERTS = {"insert_into": None, "replace_into": "replace",
                   "insert_or_ignore_into": "ignore"}

GO_CALLS = frozenset({
    "Exec", "ExecContext", "Prepare", "PrepareContext", "Query", "QueryContext",
    "QueryRow", "QueryRowContext", "MustExec", "MustExecContext", "NamedExec",
    "NamedExecContext", "NamedQuery", "NamedQueryContext", "PrepareNamed",
    "PrepareNamedContext", "Preparex", "PreparexContext", "Queryx", "QueryxContext",
    "QueryRowx", "QueryRowxContext", "Get", "GetContext", "Select", "SelectContext",
    "Raw",
})
RUST_CALLS = frozenset({
    "execute", "execute_batch", "prepare", "prepare_cached", "query", "query_row",
    "query_map", "query_as", "query_scalar", "query_with", "query_as_with",
    "query_scalar_with", "sql_query", "query_unchecked", "query_as_unchecked",
    "query_scalar_unchecked",
})
_GO_FORMAT = frozenset({"Sprintf", "Sprint", "Fprintf", "Errorf"})
_RUST_FORMAT = frozenset({"format", "format_args", "write", "writeln", "print", "println"})

_GO_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_RUST_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F_]{1,8}\}|\r?\n[ \t\r\n]*|.)", re.S)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "f": "\f",
           "v": "\v"}
_GO_VERB = re.compile(r"%%|%[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*))?[a-zA-Z]")
_RUST_HOLE = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
# ``?NNN`` (rusqlite, SQLite's numbered parameters) read as ``?`` plus padding.
_NUMBERED = re.compile(r"\?(\d+)")


def _go_escape(m: re.Match[str]) -> str:
    seq = m.group(1)
    if seq[0] in "xuU":
        return chr(int(seq[1:], 16))
    if seq[0] in "01234567" and len(seq) == 3:
        return chr(int(seq, 8))
    return _SIMPLE.get(seq, seq)


def _rust_escape(m: re.Match[str]) -> str:
    seq = m.group(1)
    if seq[0] in "\r\n":
        return ""  # line continuation: the newline and leading whitespace vanish
    if seq[0] == "x":
        return chr(int(seq[1:], 16))
    if seq[0] == "u" and len(seq) > 1:
        return chr(int(seq[2:-1].replace("_", ""), 16))
    return _SIMPLE.get(seq, seq)


@cache
def _parser(name: str) -> Any:
    import tree_sitter

    if name == "go":
        import tree_sitter_go

        grammar = tree_sitter_go.language()
    else:
        import tree_sitter_rust

        grammar = tree_sitter_rust.language()
    return tree_sitter.Parser(tree_sitter.Language(grammar))


@cache
def _query(name: str) -> Any:
    import tree_sitter

    source = ("(interpreted_string_literal) @str (raw_string_literal) @str" if name == "go"
              else """(string_literal) @str (raw_string_literal) @str
(macro_invocation macro: [(identifier) (scoped_identifier)] @mname
  (#match? @mname "(^|::)table$")) @table
(call_expression function: [(identifier) (scoped_identifier)] @fname
  (#match? @fname "(^|::)(insert_into|replace_into|insert_or_ignore_into)$")
  arguments: (arguments) @args) @insert""")
    return tree_sitter.Query(_parser(name).language, source)


class NativeSource:
    """Extraction state for one Go or Rust file."""

    def __init__(self, path: str, text: str, language: str, revision: str | None) -> None:
        self.path = path
        self.language = language
        self.revision = revision
        self.data = text.encode("utf-8")
        self.pos = TextPositions(path, text)

    def node_text(self, node: Any) -> str:
        """The source text of a node."""
        return self.data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")

    def literal(self, node: Any) -> str | None:
        """The value of a string literal node; ``None`` for anything else."""
        text = self.node_text(node)
        if self.language == "go":
            if node.type == "raw_string_literal":
                return text[1:-1].replace("\r", "")
            if node.type == "interpreted_string_literal":
                return _GO_ESCAPE.sub(_go_escape, text[1:-1])
            return None
        if node.type == "raw_string_literal":
            body = text[text.index("r") + 1:]
            hashes = len(body) - len(body.lstrip("#"))
            return body[hashes + 1:len(body) - hashes - 1]
        if node.type == "string_literal":
            body = text[text.index('"') + 1:-1]
            return _RUST_ESCAPE.sub(_rust_escape, body)
        return None

    def extract(self) -> tuple[list[InsertSite], DrizzleFacts, bool]:
        """Insert sites, diesel facts, and whether the parser met syntax errors."""
        import tree_sitter

        tree = _parser(self.language).parse(self.data)
        captures = tree_sitter.QueryCursor(_query(self.language)).captures(tree.root_node)
        sites: list[InsertSite] = []
        done: set[tuple[int, int]] = set()
        for node in sorted(captures.get("str", []), key=lambda n: n.start_byte):
            expr, value = self._expression(node)
            key = (expr.start_byte, expr.end_byte)
            if key in done or value is None:
                continue
            done.add(key)
            if self._in_call(expr) or looks_like_insert(value):
                sites.extend(self._sql(expr, value))
        tables = [t for t in (self._diesel_table(n) for n in captures.get("table", []))
                  if t is not None]
        inserts = [self._diesel_insert(n) for n in captures.get("insert", [])]
        facts = DrizzleFacts(diesel_tables=tuple(tables), diesel_inserts=tuple(inserts))
        return sites, facts, tree.root_node.has_error

    # -- what a literal belongs to ----------------------------------------------------
    def _expression(self, node: Any) -> tuple[Any, str | None]:
        """The expression whose value is the SQL (the literal, or the whole
        concatenation / ``concat!`` it is part of), and that value with markers."""
        if self.language == "go":
            top = node
            while (top.parent is not None and top.parent.type == "binary_expression"
                   and self._operator(top.parent) == "+"):
                top = top.parent
            value = self._flatten_go(top) if top is not node else self.literal(node)
            if value is not None and self._format_call(top, _GO_FORMAT):
                value = _GO_VERB.sub(lambda m: "%" if m.group() == "%%" else f"{MARKER}v",
                                     value)
            return top, value
        parent = node.parent
        macro = parent.parent if parent is not None and parent.type == "token_tree" else None
        name = self._macro_name(macro) if macro is not None else ""
        if macro is not None and name == "concat":
            parts = []
            for i, child in enumerate(parent.named_children):
                part = self.literal(child)
                parts.append(part if part is not None else f"{MARKER}{i}")
            return macro, "".join(parts)
        value = self.literal(node)
        if value is not None and name in _RUST_FORMAT:
            value = _RUST_HOLE.sub(lambda m: m.group()[0] if m.group() in ("{{", "}}")
                                   else f"{MARKER}h", value)
        return node, value

    def _operator(self, node: Any) -> str:
        op = node.child_by_field_name("operator")
        return self.node_text(op) if op is not None else ""

    def _flatten_go(self, node: Any) -> str:
        parts: list[str] = []
        stack = [node]
        while stack:
            cur = stack.pop()
            while cur.type == "parenthesized_expression" and cur.named_child_count == 1:
                cur = cur.named_children[0]
            if cur.type == "binary_expression" and self._operator(cur) == "+":
                right = cur.child_by_field_name("right")
                left = cur.child_by_field_name("left")
                stack.extend(n for n in (right, left) if n is not None)
                continue
            value = self.literal(cur)
            parts.append(value if value is not None else f"{MARKER}{len(parts)}")
        return "".join(parts)

    def _macro_name(self, macro: Any) -> str:
        if macro is None or macro.type != "macro_invocation":
            return ""
        name = macro.child_by_field_name("macro")
        if name is None:
            return ""
        if name.type == "scoped_identifier":
            name = name.child_by_field_name("name")
        return self.node_text(name) if name is not None else ""

    def _callee(self, args: Any) -> str:
        """The called name of the call whose argument list is ``args``."""
        call = args.parent
        if call is None or call.type != "call_expression":
            return ""
        func = call.child_by_field_name("function")
        while func is not None and func.type in ("generic_function", "parenthesized_expression"):
            func = func.child_by_field_name("function") or (
                func.named_children[0] if func.named_children else None)
        if func is None:
            return ""
        if func.type in ("selector_expression", "field_expression"):
            field = func.child_by_field_name("field")
            return self.node_text(field) if field is not None else ""
        if func.type == "scoped_identifier":
            name = func.child_by_field_name("name")
            return self.node_text(name) if name is not None else ""
        if func.type == "identifier":
            return self.node_text(func)
        return ""

    def _format_call(self, expr: Any, names: frozenset[str]) -> bool:
        parent = expr.parent
        return (parent is not None and parent.type == "argument_list"
                and self._callee(parent) in names)

    def _in_call(self, expr: Any) -> bool:
        """True when ``expr`` is an argument of a database call."""
        parent = expr.parent
        if parent is None:
            return False
        if self.language == "go":
            return parent.type == "argument_list" and self._callee(parent) in GO_CALLS
        if parent.type == "arguments":
            return self._callee(parent) in RUST_CALLS
        if parent.type == "token_tree":
            return self._macro_name(parent.parent) in ("query", "query_as", "query_scalar",
                                                       "query_unchecked",
                                                       "query_as_unchecked",
                                                       "query_scalar_unchecked")
        return False

    # -- diesel ----------------------------------------------------------------------
    def _sql_name(self, attr: Any) -> str | None:
        """The name of a ``[sql_name = "..."]`` attribute token tree."""
        named = attr.named_children
        if (len(named) == 2 and named[0].type == "identifier"
                and self.node_text(named[0]) == "sql_name"):
            return self.literal(named[1])
        return None

    def _diesel_table(self, macro: Any) -> DieselTable | None:
        body = next((c for c in macro.named_children if c.type == "token_tree"), None)
        if body is None:
            return None
        items = body.children
        for i, item in enumerate(items):
            if (item.type == "token_tree" and self.node_text(item).startswith("(")
                    and i + 1 < len(items) and i > 0 and items[i - 1].type == "identifier"
                    and items[i + 1].type == "token_tree"):
                module = self.node_text(items[i - 1])
                name = module
                for prev in reversed(items[:i - 1]):
                    if prev.type == "token_tree" and self.node_text(prev).startswith("["):
                        name = self._sql_name(prev) or name
                        break
                    if prev.type not in ("#", "identifier", "."):
                        break
                return DieselTable(module, name, self._diesel_columns(items[i + 1]), self.path)
        return None

    def _diesel_columns(self, tree: Any) -> tuple[tuple[str, str], ...]:
        columns: list[tuple[str, str]] = []
        pending: str | None = None
        items = tree.children
        for i, item in enumerate(items):
            if item.type == "token_tree" and self.node_text(item).startswith("["):
                pending = self._sql_name(item) or pending
            elif (item.type == "identifier" and i + 1 < len(items)
                  and items[i + 1].type == "->"):
                rust = self.node_text(item)
                columns.append((rust, pending or rust))
                pending = None
        return tuple(columns)

    def _path_names(self, node: Any) -> list[str]:
        """``a::b::c`` as ``["a", "b", "c"]``; ``[]`` for anything but a path."""
        if node.type == "identifier":
            return [self.node_text(node)]
        if node.type == "scoped_identifier":
            path = node.child_by_field_name("path")
            name = node.child_by_field_name("name")
            head = self._path_names(path) if path is not None else []
            return [*head, self.node_text(name)] if name is not None else []
        return []

    def _diesel_insert(self, call: Any) -> DieselInsert:
        func = call.child_by_field_name("function")
        kind = self._path_names(func)[-1] if func is not None else "insert_into"
        conflict = _DIESEL_INSERTS.get(kind)
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        path = self._path_names(first) if first is not None else []
        if path and path[-1] == "table" and len(path) > 1:
            path = path[:-1]
        target = path[-1] if path else "?"
        columns: tuple[str, ...] | None = None
        source, note = "values", "" if path else "table chosen at run time"
        span = self.pos.span(self.pos.char_offset(call.start_byte),
                             self.pos.char_offset(args.end_byte if args is not None
                                                  else call.end_byte))
        cur = call
        given = False
        while True:
            field = cur.parent
            outer = field.parent if field is not None else None
            if (field is None or field.type != "field_expression" or outer is None
                    or outer.type != "call_expression"
                    or outer.child_by_field_name("function") != field):
                break
            method_node = field.child_by_field_name("field")
            method = self.node_text(method_node) if method_node is not None else ""
            margs = outer.child_by_field_name("arguments")
            if method == "values" and not given and margs is not None:
                given = True
                arg = margs.named_children[0] if margs.named_children else None
                columns = self._diesel_values(arg)
            elif method == "default_values" and not given:
                given, columns, source = True, (), "default_values"
            elif method.startswith("on_conflict"):
                conflict = "upsert" if conflict is None else conflict
            cur = outer
        if not given:
            note = note or "values given elsewhere"
        if not path:
            columns = None
        return DieselInsert(target, columns, span, conflict, source, self.revision, note)

    def _diesel_values(self, arg: Any) -> tuple[str, ...] | None:
        """The Rust column names of ``(t::a.eq(x), b.eq(y))`` or ``a.eq(x)``."""
        if arg is None:
            return None
        items = arg.named_children if arg.type == "tuple_expression" else [arg]
        names: list[str] = []
        for item in items:
            if item.type != "call_expression":
                return None
            func = item.child_by_field_name("function")
            if func is None or func.type != "field_expression":
                return None
            method = func.child_by_field_name("field")
            column = func.child_by_field_name("value")
            if method is None or self.node_text(method) != "eq" or column is None:
                return None
            path = self._path_names(column)
            if not path:
                return None
            names.append(path[-1])
        return tuple(names)

    def _sql(self, expr: Any, value: str) -> list[InsertSite]:
        value = _NUMBERED.sub(lambda m: "?" + " " * len(m.group(1)), value)
        span = self.pos.span(self.pos.char_offset(expr.start_byte),
                             self.pos.char_offset(expr.end_byte))
        return sites_in_sql(value, self.path, self.language, span=span,
                            revision=self.revision, marker=MARKER)


def native_sites(path: str, text: str, language: str, revision: str | None = None
                 ) -> tuple[list[InsertSite], DrizzleFacts, str | None]:
    """Insert sites of one Go (``go``) or Rust (``rust``) file, its diesel facts, and a
    note if it had syntax errors (the parts the parser recovered are still read)."""
    if not GATE.admits(text):
        return [], NO_FACTS, None
    sites, facts, had_errors = NativeSource(path, text, language, revision).extract()
    return sites, facts, ("syntax errors; read the parts the parser recovered"
                          if had_errors else None)
