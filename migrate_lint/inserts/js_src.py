"""Insert sites in TypeScript and JavaScript, read with tree-sitter grammars.

SQL in string literals and template literals (an interpolation becomes a marker, so
a dynamic table or column list is reported unknown, never guessed), and drizzle's
``sqliteTable`` definitions and ``.insert(T).values(...)`` calls (resolved across
files by :mod:`migrate_lint.inserts.drizzle`).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from migrate_lint.inserts.builders import BuilderInsert, CamelCaseOptions
from migrate_lint.inserts.drizzle import (
    APP_DEFAULTS,
    NO_FACTS,
    DrizzleColumn,
    DrizzleFacts,
    DrizzleInsert,
    DrizzleTable,
)
from migrate_lint.inserts.gate import SEPARATOR, Branch, Gate
from migrate_lint.inserts.model import InsertSite
from migrate_lint.inserts.sqltext import MARKER, sites_in_sql
from migrate_lint.inserts.textpos import TextPositions, looks_like_insert

# Cheap gate before parsing (the parser does the reading): INSERT/REPLACE followed by
# INTO (only separators between), an ``.insert(`` call, or anything drizzle
# (definitions, casing). Kysely's ``insertInto``/``replaceInto`` match the first branch
# (``Into``); a file that only configures Kysely's CamelCasePlugin is let through by
# its exact name.
_INTO = rf"(?:\b{SEPARATOR}*(?:or{SEPARATOR}+\w+{SEPARATOR}+)?|)into\b"
GATE = Gate.of(Branch("insert", r"\b", _INTO), Branch("replace", r"\b", _INTO),
               Branch("insert", r"(?<=\.)", r"\s*\("), Branch("sqliteTable"), Branch("drizzle"),
               Branch("CamelCasePlugin", cased=True))
_ESCAPE = re.compile(r"\\(\r\n|.)", re.S)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\n": "", "\r\n": "", "b": "\b",
            "f": "\f", "v": "\v"}

_QUERY = """
(string) @str
(template_string) @tpl
(call_expression
  function: (identifier) @fn (#eq? @fn "sqliteTable")
  arguments: (arguments) @args) @table
(call_expression
  function: (member_expression
    object: (call_expression
      function: (member_expression property: (property_identifier) @ins (#eq? @ins "insert"))
      arguments: (arguments) @target)
    property: (property_identifier) @vals (#eq? @vals "values"))
  arguments: (arguments) @values) @insert
(pair key: (property_identifier) @key (#eq? @key "casing") value: (string) @casing)
(variable_declarator name: (identifier) @objname value: (object) @obj)
(call_expression
  function: (member_expression
    property: (property_identifier) @bm (#any-of? @bm "insertInto" "replaceInto" "insert"))
  arguments: (arguments) @bargs) @builder
(new_expression constructor: (identifier) @plugin (#eq? @plugin "CamelCasePlugin")) @camel
"""
_KYSELY_CONFLICT = {"onConflict": "upsert", "orIgnore": "ignore", "orReplace": "replace"}
_CAMEL_OPTIONS = {"upperCase": "upper_case", "underscoreBeforeDigits": "underscore_before_digits",
                  "underscoreBetweenUppercaseLetters": "underscore_between_uppercase_letters"}
_KNEX_TABLE_METHODS = frozenset({"table", "into", "from"})


@cache
def _language(name: str) -> Any:
    import tree_sitter

    if name == "javascript":
        import tree_sitter_javascript

        return tree_sitter.Language(tree_sitter_javascript.language())
    import tree_sitter_typescript

    grammar = (tree_sitter_typescript.language_tsx() if name == "tsx"
               else tree_sitter_typescript.language_typescript())
    return tree_sitter.Language(grammar)


@cache
def _parser(name: str) -> Any:
    import tree_sitter

    return tree_sitter.Parser(_language(name))


@cache
def _query(name: str) -> Any:
    import tree_sitter

    return tree_sitter.Query(_language(name), _QUERY)


def _unescape(body: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


class JsSource:
    """Extraction state for one TS/JS file."""

    def __init__(self, path: str, text: str, language: str, revision: str | None) -> None:
        self.path = path
        self.text = text
        self.language = language
        self.revision = revision
        self.data = text.encode("utf-8")
        self.pos = TextPositions(path, text)
        self.origin = "javascript" if language == "javascript" else "typescript"

    def node_text(self, node: Any) -> str:
        """The source text of a node."""
        return self.data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")

    def span_of(self, start_byte: int, end_byte: int) -> Any:
        """The character span of a byte range."""
        return self.pos.span(self.pos.char_offset(start_byte), self.pos.char_offset(end_byte))

    def string_value(self, node: Any) -> str | None:
        """The value of a ``string`` node; ``None`` for anything else."""
        if node is None or node.type != "string":
            return None
        return _unescape(self.node_text(node)[1:-1])

    def extract(self) -> tuple[list[InsertSite], DrizzleFacts, bool]:
        """SQL sites, drizzle facts, and whether the parser met syntax errors."""
        tree = _parser(self.language).parse(self.data)
        import tree_sitter

        matches = tree_sitter.QueryCursor(_query(self.language)).matches(tree.root_node)
        sites: list[InsertSite] = []
        tables: list[DrizzleTable] = []
        inserts: list[DrizzleInsert] = []
        objects: list[tuple[str, tuple[DrizzleColumn, ...], bool]] = []
        casing: list[str] = []
        builders: list[BuilderInsert] = []
        camel: list[CamelCaseOptions] = []
        for _, caps in matches:
            if "str" in caps:
                node = caps["str"][0]
                value = self.string_value(node)
                if value is not None and looks_like_insert(value):
                    sites.extend(self._sql(node, value))
            elif "tpl" in caps:
                node = caps["tpl"][0]
                value = self._template(node)
                if looks_like_insert(value):
                    sites.extend(self._sql(node, value))
            elif "table" in caps:
                table = self._table(caps["table"][0], caps["args"][0])
                if table is not None:
                    tables.append(table)
            elif "insert" in caps:
                inserts.append(self._insert(caps["insert"][0], caps["target"][0],
                                            caps["vals"][0], caps["values"][0]))
            elif "casing" in caps:
                value = self.string_value(caps["casing"][0])
                if value:
                    casing.append(value)
            elif "builder" in caps:
                found = self._builder_insert(caps["builder"][0], self.node_text(caps["bm"][0]),
                                             caps["bargs"][0])
                if found is not None:
                    builders.append(found)
            elif "camel" in caps:
                camel.append(self._camel(caps["camel"][0]))
            elif "obj" in caps:
                cols, complete, _ = self._columns(caps["obj"][0])
                if cols:
                    objects.append((self.node_text(caps["objname"][0]), cols, complete))
        facts = DrizzleFacts(tuple(tables), tuple(inserts), tuple(objects), tuple(casing),
                             tuple(builders), tuple(camel))
        return sites, facts, tree.root_node.has_error

    def _sql(self, node: Any, value: str) -> list[InsertSite]:
        return sites_in_sql(value, self.path, self.origin,
                            span=self.span_of(node.start_byte, node.end_byte),
                            revision=self.revision, marker=MARKER)

    def _template(self, node: Any) -> str:
        """A template literal's text with each ``${...}`` replaced by a marker."""
        parts: list[str] = []
        pos = node.start_byte + 1
        for i, child in enumerate(node.named_children):
            if child.type == "template_substitution":
                parts.append(_unescape(self.data[pos:child.start_byte].decode("utf-8", "replace")))
                parts.append(f"{MARKER}{i}")
                pos = child.end_byte
        parts.append(_unescape(self.data[pos:node.end_byte - 1].decode("utf-8", "replace")))
        return "".join(parts)

    # -- drizzle -------------------------------------------------------------------
    def _table(self, call: Any, args: Any) -> DrizzleTable | None:
        named = args.named_children
        if len(named) < 2:
            return None
        name = self.string_value(named[0])
        parent = call.parent
        if name is None or parent is None or parent.type != "variable_declarator":
            return None
        binding = parent.child_by_field_name("name")
        if binding is None or binding.type != "identifier":
            return None
        body = named[1]
        if body.type == "arrow_function":  # sqliteTable("t", (t) => ({ ... }))
            body = body.child_by_field_name("body")
            while body is not None and body.type == "parenthesized_expression":
                body = body.named_children[0] if body.named_children else None
        if body is None or body.type != "object":
            return DrizzleTable(self.node_text(binding), name, (), self.path, complete=False)
        columns, complete, spreads = self._columns(body)
        return DrizzleTable(self.node_text(binding), name, columns, self.path, spreads, complete)

    def _columns(self, obj: Any) -> tuple[tuple[DrizzleColumn, ...], bool, tuple[str, ...]]:
        """Column builders of an object literal; whether all were read; spread names."""
        columns: list[DrizzleColumn] = []
        spreads: list[str] = []
        complete = True
        for prop in obj.named_children:
            if prop.type == "spread_element":
                inner = prop.named_children[0] if prop.named_children else None
                if inner is not None and inner.type == "identifier":
                    spreads.append(self.node_text(inner))
                else:
                    complete = False
                continue
            if prop.type != "pair":
                if prop.type != "comment":
                    complete = False
                continue
            key_node = prop.child_by_field_name("key")
            key = self._key(key_node)
            column = self._builder(prop.child_by_field_name("value"), key)
            if key is None or column is None:
                complete = False
                continue
            columns.append(column)
        return tuple(columns), complete, tuple(spreads)

    def _key(self, node: Any) -> str | None:
        if node is None:
            return None
        if node.type in ("property_identifier", "identifier", "shorthand_property_identifier"):
            return self.node_text(node)
        if node.type == "string":
            return self.string_value(node)
        return None  # computed key

    def _builder(self, node: Any, key: str | None) -> DrizzleColumn | None:
        """Read ``integer("col").notNull().$defaultFn(...)``; ``None`` if not a builder."""
        methods: list[str] = []
        while node is not None and node.type == "call_expression":
            func = node.child_by_field_name("function")
            if func is not None and func.type == "member_expression":
                inner = func.child_by_field_name("object")
                if inner is not None and inner.type == "call_expression":
                    prop = func.child_by_field_name("property")
                    methods.append(self.node_text(prop) if prop is not None else "")
                    node = inner
                    continue
            args = node.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if key is None:
                return None
            return DrizzleColumn(key, self.string_value(first),
                                 any(m in APP_DEFAULTS for m in methods),
                                 "generatedAlwaysAs" in methods)
        return None

    def _insert(self, call: Any, target: Any, vals: Any, values: Any) -> DrizzleInsert:
        tnode = target.named_children[0] if target.named_children else None
        name = ""
        if tnode is not None and tnode.type == "identifier":
            name = self.node_text(tnode)
        elif tnode is not None and tnode.type == "member_expression":
            prop = tnode.child_by_field_name("property")
            name = self.node_text(prop) if prop is not None else ""
        arg = values.named_children[0] if values.named_children else None
        rows: tuple[tuple[str, ...], ...] | None = None
        if arg is not None and arg.type == "object":
            keys = self._object_keys(arg)
            rows = (keys,) if keys is not None else None
        elif arg is not None and arg.type == "array":
            out = [self._object_keys(e) if e.type == "object" else None
                   for e in arg.named_children]
            rows = tuple(k for k in out if k is not None) if all(
                k is not None for k in out) else None
        conflict = None
        parent = call.parent
        if parent is not None and parent.type == "member_expression":
            prop = parent.child_by_field_name("property")
            if prop is not None and self.node_text(prop).startswith("onConflict"):
                conflict = "upsert"
        # The finding points at `.values(`: the line people read as "the insert"
        # (the whole call can run over many lines of row objects).
        start = vals.start_byte - 1 if self.data[vals.start_byte - 1:vals.start_byte] == b"." \
            else vals.start_byte
        span = self.span_of(start, values.start_byte + 1)
        return DrizzleInsert(name or "?", rows, span, conflict, self.revision)

    def _object_keys(self, obj: Any) -> tuple[str, ...] | None:
        keys: list[str] = []
        for prop in obj.named_children:
            if prop.type == "pair":
                key = self._key(prop.child_by_field_name("key"))
                if key is None:
                    return None
                keys.append(key)
            elif prop.type == "shorthand_property_identifier":
                keys.append(self.node_text(prop))
            elif prop.type == "comment":
                continue
            else:
                return None  # spread, method or computed: built at run time
        return tuple(keys)


    # -- Kysely and Knex -----------------------------------------------------------
    def _chain(self, call: Any) -> list[tuple[str, Any, Any]]:
        """The method calls chained after ``call``: (name, property node, arguments)."""
        out: list[tuple[str, Any, Any]] = []
        cur = call
        while True:
            member = cur.parent
            outer = member.parent if member is not None else None
            if (member is None or member.type != "member_expression" or outer is None
                    or outer.type != "call_expression"
                    or outer.child_by_field_name("function") != member):
                return out
            prop = member.child_by_field_name("property")
            args = outer.child_by_field_name("arguments")
            if prop is None or args is None:
                return out
            out.append((self.node_text(prop), prop, args))
            cur = outer

    def _method_span(self, prop: Any, args: Any) -> Any:
        """``.name(``: where a chained call is read as "the insert"."""
        start = prop.start_byte
        if self.data[start - 1:start] == b".":
            start -= 1
        return self.span_of(start, args.start_byte + 1)

    @staticmethod
    def _table_name(raw: str) -> str:
        name = raw.split(" as ")[0].split(" AS ")[0].strip()
        return name.rsplit(".", 1)[-1] if "." in name else name

    def _builder_insert(self, call: Any, method: str, args: Any) -> BuilderInsert | None:
        func = call.child_by_field_name("function")
        prop = func.child_by_field_name("property") if func is not None else None
        first = args.named_children[0] if args.named_children else None
        if method in ("insertInto", "replaceInto"):
            return self._kysely(call, method, prop, args, first)
        return self._knex(call, func, prop, args, first)

    # cc: one branch per method of a Kysely insert chain (values, columns, expression,
    #   defaultValues, the conflict clauses)
    def _kysely(self, call: Any, method: str, prop: Any, args: Any,
                first: Any) -> BuilderInsert:
        raw = self.string_value(first)
        table = self._table_name(raw) if raw is not None else "?"
        conflict = "replace" if method == "replaceInto" else None
        span = self._method_span(prop, args)
        rows: tuple[tuple[str, ...], ...] | None = None
        nulls: tuple[str, ...] = ()
        source = "values"
        note = "" if raw is not None else "table named at run time"
        columns: tuple[str, ...] | None = None
        given = False
        for name, node, margs in self._chain(call):
            if name in _KYSELY_CONFLICT:
                conflict = conflict if conflict == "replace" and name != "orIgnore" \
                    else _KYSELY_CONFLICT[name]
            elif name == "values" and not given:
                given = True
                span = self._method_span(node, margs)
                arg = margs.named_children[0] if margs.named_children else None
                rows, nulls, why = self._builder_rows(arg)
                note = note or why
            elif name == "defaultValues" and not given:
                given, rows, source = True, ((),), "default_values"
            elif name == "columns":
                arg = margs.named_children[0] if margs.named_children else None
                items = arg.named_children if arg is not None and arg.type == "array" else None
                names = [self.string_value(i) for i in items] if items is not None else [None]
                columns = tuple(n for n in names if n is not None) if all(
                    n is not None for n in names) else None
            elif name == "expression" and not given:
                given, source = True, "select"
                span = self._method_span(node, margs)
        if source == "select":
            rows = (columns,) if columns is not None else None
            note = note or ("" if columns is not None else "column list built at run time")
        elif not given:
            note = note or "values given elsewhere (the builder is stored and extended)"
        if raw is None:
            rows = None
        return BuilderInsert("kysely", table, rows, span, conflict, source, nulls,
                             self.revision, note)

    def _knex(self, call: Any, func: Any, prop: Any, args: Any,
              first: Any) -> BuilderInsert | None:
        if first is None or func is None:
            return None
        obj = func.child_by_field_name("object")
        raw: str | None = None
        if obj is not None and obj.type == "call_expression":
            callee = obj.child_by_field_name("function")
            oargs = obj.child_by_field_name("arguments")
            known = callee is not None and (callee.type == "identifier" or (
                callee.type == "member_expression"
                and self.node_text(callee.child_by_field_name("property") or callee)
                in _KNEX_TABLE_METHODS))
            if known and oargs is not None and len(oargs.named_children) == 1:
                raw = self.string_value(oargs.named_children[0])
        chain = self._chain(call)
        conflict: str | None = None
        for name, _, margs in chain:
            if name == "into" and raw is None and margs.named_children:
                raw = self.string_value(margs.named_children[0])
            elif name == "onConflict":
                conflict = "upsert"
            elif name == "ignore" and conflict == "upsert":
                conflict = "ignore"
        if raw is None:
            return None  # not a Knex insert (drizzle's db.insert(T), a DOM API...)
        rows, nulls, note = self._builder_rows(first)
        return BuilderInsert("knex", self._table_name(raw), rows, self._method_span(prop, args),
                             conflict, "values", nulls, self.revision, note)

    def _builder_rows(self, arg: Any) -> tuple[tuple[tuple[str, ...], ...] | None,
                                                tuple[str, ...], str]:
        """Keys per row object of a values argument, keys given ``null``, and why not."""
        if arg is None:
            return None, (), "no values"
        objs = [arg] if arg.type == "object" else (
            arg.named_children if arg.type == "array" else None)
        if objs is None:
            return None, (), "values built at run time"
        rows: list[tuple[str, ...]] = []
        nulls: dict[str, None] = {}
        for obj in objs:
            if obj.type == "comment":
                continue
            if obj.type != "object":
                return None, (), "a row built at run time"
            keys: list[str] = []
            for prop in obj.named_children:
                if prop.type == "shorthand_property_identifier":
                    keys.append(self.node_text(prop))
                elif prop.type == "pair":
                    key = self._key(prop.child_by_field_name("key"))
                    if key is None:
                        return None, (), "a computed key"
                    value = prop.child_by_field_name("value")
                    kind = value.type if value is not None else ""
                    if kind == "undefined" or (kind == "identifier"
                                               and self.node_text(value) == "undefined"):
                        continue  # left out by the builder
                    if kind == "null":
                        nulls[key] = None
                    keys.append(key)
                elif prop.type != "comment":
                    return None, (), "a spread or method in the values object"
            rows.append(tuple(keys))
        return tuple(rows), tuple(nulls), ""

    def _camel(self, node: Any) -> CamelCaseOptions:
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        flags: dict[str, bool] = {}
        if first is not None and first.type == "object":
            for prop in first.named_children:
                if prop.type != "pair":
                    continue
                key = self._key(prop.child_by_field_name("key"))
                value = prop.child_by_field_name("value")
                if key in _CAMEL_OPTIONS and value is not None:
                    flags[_CAMEL_OPTIONS[key]] = value.type == "true"
        return CamelCaseOptions(**flags)


def js_sites(path: str, text: str, language: str, revision: str | None = None
             ) -> tuple[list[InsertSite], DrizzleFacts, str | None]:
    """SQL sites and drizzle facts of one TS/JS file, and a note if it had syntax errors."""
    if not GATE.admits(text):
        return [], NO_FACTS, None
    sites, facts, had_errors = JsSource(path, text, language, revision).extract()
    note = ("syntax errors; read the parts the parser recovered" if had_errors else None)
    return sites, facts, note
