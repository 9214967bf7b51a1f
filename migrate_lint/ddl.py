"""A reader for SQLite's schema statements, working on tokens.

sqlglot's SQLite dialect fails on, or silently changes, much of what real SQLite
DDL contains (``WITHOUT ROWID``, ``STRICT``, column ``ON CONFLICT``, typeless
generated columns, ``UNSIGNED BIG INT``), and it normalises declared types and
default texts that SQLite keeps as written. The schema model has to agree with
SQLite, so schema statements are read here, from tokens, following SQLite's own
grammar (https://www.sqlite.org/lang_createtable.html), and every piece keeps its
exact offsets so fixes can be spliced into the original text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from migrate_lint.span import LineIndex, Span
from migrate_lint.tokens import Tok

# Types SQLite stores in upper case when the declared type is exactly one of them
# (the STRICT type names); anything else is kept as written.
_STANDARD_TYPES = frozenset({"ANY", "BLOB", "INT", "INTEGER", "REAL", "TEXT"})
_COLUMN_CONSTRAINT_START = frozenset(
    {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
     "REFERENCES", "GENERATED", "AS"}
)
_TABLE_CONSTRAINT_START = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})
_TIME_DEFAULTS = frozenset({"CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"})


class DdlError(Exception):
    """The statement does not follow SQLite's grammar as this reader knows it."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class ForeignKeyDef:
    """A REFERENCES clause, from a column or a table constraint."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]  # empty: the parent's primary key
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    match: str = "NONE"
    deferrable: bool = False
    # offset of the clause in its CREATE TABLE: SQLite reports the first broken
    # constraint in text order (see resolve.table_errors)
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ColumnDef:
    """One column definition, with the texts SQLite reports for it."""

    name: str
    type: str
    span: Span
    name_span: Span
    notnull: bool = False
    default: str | None = None
    # "" none, "literal", "null", "time" (CURRENT_*), "expr" (parenthesised), "word"
    default_kind: str = ""
    default_span: Span | None = None  # the whole DEFAULT clause, keyword included
    notnull_span: Span | None = None
    primary_key: bool = False
    pk_desc: bool = False
    autoincrement: bool = False
    unique: bool = False
    checks: tuple[str, ...] = ()
    collate: str | None = None
    references: ForeignKeyDef | None = None
    generated: str | None = None  # "VIRTUAL" or "STORED"
    generated_expr: str | None = None


@dataclass(frozen=True, slots=True)
class TableConstraintDef:
    """A table constraint: PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY."""

    kind: str  # "PRIMARY KEY", "UNIQUE", "CHECK", "FOREIGN KEY"
    span: Span
    name: str | None = None
    columns: tuple[str | None, ...] = ()  # None for an expression key
    desc: tuple[bool, ...] = ()
    expr: str | None = None
    foreign_key: ForeignKeyDef | None = None


@dataclass(frozen=True, slots=True)
class CreateTable:
    """CREATE TABLE."""

    name: str
    temporary: bool
    if_not_exists: bool
    columns: tuple[ColumnDef, ...] = ()
    constraints: tuple[TableConstraintDef, ...] = ()
    without_rowid: bool = False
    strict: bool = False
    as_select: str | None = None
    # offsets of the column list's parentheses: where a rebuild edits the text
    body: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class IndexedColumn:
    """One key of an index: a column, or an expression."""

    name: str | None
    expr: str
    desc: bool = False
    collate: str | None = None


@dataclass(frozen=True, slots=True)
class CreateIndex:
    """CREATE INDEX."""

    name: str
    table: str
    unique: bool
    if_not_exists: bool
    columns: tuple[IndexedColumn, ...]
    where: str | None = None


@dataclass(frozen=True, slots=True)
class CreateView:
    """CREATE VIEW."""

    name: str
    temporary: bool
    if_not_exists: bool
    select: str


@dataclass(frozen=True, slots=True)
class CreateTrigger:
    """CREATE TRIGGER."""

    name: str
    table: str
    temporary: bool
    if_not_exists: bool
    timing: str  # BEFORE, AFTER, INSTEAD OF
    event: str  # INSERT, UPDATE, DELETE
    update_of: tuple[str, ...] = ()
    # identifiers after new./old. in the trigger, and every bare word of the body:
    # the drop-column rule needs both (RULES.md: a bare mention is not checked)
    new_old_columns: tuple[str, ...] = ()
    body_words: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class CreateVirtualTable:
    """CREATE VIRTUAL TABLE ... USING module(args)."""

    name: str
    if_not_exists: bool
    module: str
    args: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Drop:
    """DROP TABLE / INDEX / VIEW / TRIGGER."""

    what: str  # TABLE, INDEX, VIEW, TRIGGER
    name: str
    if_exists: bool


@dataclass(frozen=True, slots=True)
class AddColumn:
    """ALTER TABLE ... ADD [COLUMN] definition."""

    table: str
    column: ColumnDef


@dataclass(frozen=True, slots=True)
class DropColumn:
    """ALTER TABLE ... DROP [COLUMN] name."""

    table: str
    column: str
    column_span: Span


@dataclass(frozen=True, slots=True)
class RenameColumn:
    """ALTER TABLE ... RENAME [COLUMN] old TO new."""

    table: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class RenameTable:
    """ALTER TABLE ... RENAME TO new."""

    table: str
    new: str


Ddl = (
    CreateTable | CreateIndex | CreateView | CreateTrigger | CreateVirtualTable | Drop
    | AddColumn | DropColumn | RenameColumn | RenameTable
)


class _Reader:
    """A cursor over one statement's tokens."""

    def __init__(self, toks: Sequence[Tok], text: str, lines: LineIndex) -> None:
        self.toks = toks
        self.n = len(toks)
        self.text = text
        self.lines = lines
        self.i = 0

    # -- cursor (called for every token of every schema statement: kept flat) --
    def peek(self, ahead: int = 0) -> Tok | None:
        j = self.i + ahead
        return self.toks[j] if j < self.n else None

    def at(self, *words: str) -> bool:
        i = self.i
        if i >= self.n:
            return False
        tok = self.toks[i]
        return tok.kind == "word" and tok.upper in words

    def at_op(self, op: str) -> bool:
        i = self.i
        if i >= self.n:
            return False
        tok = self.toks[i]
        return tok.kind == "op" and tok.value == op

    def take(self) -> Tok:
        i = self.i
        if i >= self.n:
            end = self.toks[-1].end if self.toks else 0
            raise DdlError("statement ends too early", end)
        self.i = i + 1
        return self.toks[i]

    def accept(self, *words: str) -> bool:
        i = self.i
        if i < self.n:
            tok = self.toks[i]
            if tok.kind == "word" and tok.upper in words:
                self.i = i + 1
                return True
        return False

    def expect(self, *words: str) -> Tok:
        tok = self.peek()
        if tok is None or not tok.is_word(*words):
            where = tok.start if tok else (self.toks[-1].end if self.toks else 0)
            found = f"`{tok.value}`" if tok else "the end of the statement"
            raise DdlError(f"expected {' or '.join(words)}, found {found}", where)
        self.i += 1
        return tok

    def expect_op(self, op: str) -> Tok:
        tok = self.peek()
        if tok is None or tok.kind != "op" or tok.value != op:
            where = tok.start if tok else (self.toks[-1].end if self.toks else 0)
            found = f"`{tok.value}`" if tok else "the end of the statement"
            raise DdlError(f"expected `{op}`, found {found}", where)
        self.i += 1
        return tok

    def name(self) -> str:
        tok = self.take()
        if not tok.is_name:
            raise DdlError(f"expected a name, found `{tok.value}`", tok.start)
        return tok.value

    def qualified_name(self) -> str:
        """``[schema.]name``: the schema part is dropped (migrations target main)."""
        first = self.name()
        if self.at_op("."):
            self.i += 1
            return self.name()
        return first

    def if_not_exists(self) -> bool:
        if self.at("IF"):
            self.i += 1
            self.expect("NOT")
            self.expect("EXISTS")
            return True
        return False

    def if_exists(self) -> bool:
        if self.at("IF"):
            self.i += 1
            self.expect("EXISTS")
            return True
        return False

    def balanced(self) -> tuple[int, int]:
        """Consume ``( ... )``; return the offsets just inside the parentheses."""
        open_tok = self.expect_op("(")
        depth = 1
        while True:
            tok = self.take()
            if tok.kind == "op":
                if tok.value == "(":
                    depth += 1
                elif tok.value == ")":
                    depth -= 1
                    if depth == 0:
                        return open_tok.end, tok.start

    def split_commas(self, start: int, stop: int) -> list[list[Tok]]:
        """Split the tokens with offsets in [start, stop) at top-level commas."""
        parts: list[list[Tok]] = [[]]
        depth = 0
        for tok in self.toks:
            if tok.start < start or tok.end > stop:
                continue
            if tok.kind == "op":
                if tok.value == "(":
                    depth += 1
                elif tok.value == ")":
                    depth -= 1
                elif tok.value == "," and depth == 0:
                    parts.append([])
                    continue
            parts[-1].append(tok)
        return [p for p in parts if p]

    def rest_text(self) -> str:
        tok = self.peek()
        if tok is None:
            return ""
        return self.text[tok.start : self.toks[-1].end]

    def span(self, toks: Sequence[Tok]) -> Span:
        return self.lines.span(toks[0].start, toks[-1].end)

    def done(self) -> None:
        tok = self.peek()
        if tok is not None:
            raise DdlError(f"unexpected `{tok.value}` after the end of the statement", tok.start)


def read_ddl(toks: Sequence[Tok], text: str, lines: LineIndex) -> Ddl | None:
    """Read a schema statement; None when the statement is not one.

    Raises :class:`DdlError` with the offset of the first token it cannot place.
    """
    if not toks:
        return None
    r = _Reader(toks, text, lines)
    head = toks[0].upper
    if head == "CREATE":
        r.i = 1
        temporary = r.accept("TEMP", "TEMPORARY")
        unique = r.accept("UNIQUE")
        if r.accept("TABLE"):
            return _create_table(r, temporary)
        if r.accept("INDEX"):
            return _create_index(r, unique)
        if r.accept("VIEW"):
            return _create_view(r, temporary)
        if r.accept("TRIGGER"):
            return _create_trigger(r, temporary)
        if r.accept("VIRTUAL"):
            r.expect("TABLE")
            return _create_virtual(r)
        tok = r.peek()
        raise DdlError(f"unknown CREATE `{tok.value if tok else ''}`", tok.start if tok else 0)
    if head == "DROP":
        r.i = 1
        what = r.expect("TABLE", "INDEX", "VIEW", "TRIGGER").upper
        if_exists = r.if_exists()
        name = r.qualified_name()
        r.done()
        return Drop(what, name, if_exists)
    if head == "ALTER":
        r.i = 1
        r.expect("TABLE")
        return _alter(r)
    return None


def _create_table(r: _Reader, temporary: bool) -> CreateTable:
    if_not_exists = r.if_not_exists()
    name = r.qualified_name()
    if r.accept("AS"):
        return CreateTable(name, temporary, if_not_exists, as_select=r.rest_text())
    start, stop = r.balanced()
    columns: list[ColumnDef] = []
    constraints: list[TableConstraintDef] = []
    for part in r.split_commas(start, stop):
        first = part[0]
        is_constraint = first.kind == "word" and first.upper in _TABLE_CONSTRAINT_START
        if is_constraint:
            # SQLite's grammar lets table constraints follow each other without a comma
            constraints.extend(_table_constraint(r, p) for p in _constraint_runs(part))
        else:
            if constraints:
                raise DdlError("a column definition after a table constraint", first.start)
            columns.append(_column_def(r, part))
    without_rowid = strict = False
    while r.peek() is not None:
        if r.accept("WITHOUT"):
            r.expect("ROWID")
            without_rowid = True
        elif r.accept("STRICT"):
            strict = True
        else:
            r.expect_op(",")
    if not columns:
        raise DdlError(f"table `{name}` has no columns", start)
    return CreateTable(
        name, temporary, if_not_exists, tuple(columns), tuple(constraints), without_rowid,
        strict, body=(start - 1, stop),
    )


def _sub_reader(r: _Reader, part: Sequence[Tok]) -> _Reader:
    return _Reader(part, r.text, r.lines)


def _column_def(r: _Reader, part: Sequence[Tok]) -> ColumnDef:
    c = _sub_reader(r, part)
    name_tok = c.take()
    if not name_tok.is_name:
        raise DdlError(f"expected a column name, found `{name_tok.value}`", name_tok.start)
    type_toks: list[Tok] = []
    depth = 0
    while (tok := c.peek()) is not None:
        if depth == 0 and tok.kind == "word" and tok.upper in _COLUMN_CONSTRAINT_START:
            break
        if tok.kind == "op":
            if tok.value == "(":
                depth += 1
            elif tok.value == ")":
                depth -= 1
        type_toks.append(c.take())
    declared = ""
    if len(type_toks) == 1 and type_toks[0].kind == "quoted":
        declared = type_toks[0].value
    elif type_toks:
        declared = r.text[type_toks[0].start : type_toks[-1].end]
    if declared.upper() in _STANDARD_TYPES:
        declared = declared.upper()
    attrs: dict[str, object] = {}
    checks: list[str] = []
    while c.peek() is not None:
        clause_start = c.i
        if c.accept("CONSTRAINT"):
            c.name()
            continue
        if c.accept("PRIMARY"):
            c.expect("KEY")
            attrs["primary_key"] = True
            if c.accept("DESC"):
                attrs["pk_desc"] = True
            else:
                c.accept("ASC")
            _conflict_clause(c)
            if c.accept("AUTOINCREMENT"):
                attrs["autoincrement"] = True
        elif c.accept("NOT"):
            c.expect("NULL")
            attrs["notnull"] = True
            _conflict_clause(c)
            attrs["notnull_span"] = c.span(part[clause_start : c.i])
        elif c.accept("NULL"):
            _conflict_clause(c)
        elif c.accept("UNIQUE"):
            attrs["unique"] = True
            _conflict_clause(c)
        elif c.accept("CHECK"):
            start, stop = c.balanced()
            checks.append(r.text[start:stop].strip())
        elif c.accept("DEFAULT"):
            text, kind = _default_value(c)
            attrs["default"] = text
            attrs["default_kind"] = kind
            attrs["default_span"] = c.span(part[clause_start : c.i])
        elif c.accept("COLLATE"):
            attrs["collate"] = c.name()
        elif c.accept("REFERENCES"):
            attrs["references"] = _references(c, (name_tok.value,))
        elif c.at("GENERATED", "AS"):
            if c.accept("GENERATED"):
                c.expect("ALWAYS")
            c.expect("AS")
            start, stop = c.balanced()
            attrs["generated_expr"] = r.text[start:stop].strip()
            attrs["generated"] = "STORED" if c.accept("STORED") else "VIRTUAL"
            c.accept("VIRTUAL")
        else:
            tok = c.take()
            raise DdlError(
                f"unexpected `{tok.value}` in the definition of column `{name_tok.value}`",
                tok.start,
            )
    return ColumnDef(
        name=name_tok.value,
        type=declared,
        span=r.span(part),
        name_span=r.span([name_tok]),
        checks=tuple(checks),
        **attrs,  # type: ignore[arg-type]
    )


def _conflict_clause(c: _Reader) -> None:
    if c.at("ON") and (nxt := c.peek(1)) is not None and nxt.is_word("CONFLICT"):
        c.i += 2
        c.expect("ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE")


def _default_value(c: _Reader) -> tuple[str, str]:
    """Return the default's text as SQLite stores it, and its kind."""
    tok = c.take()
    if tok.kind == "op" and tok.value == "(":
        c.i -= 1
        start, stop = c.balanced()
        return c.text[start:stop].strip(), "expr"
    if tok.kind == "op" and tok.value in ("+", "-"):
        # SQLite's grammar: a sign before any literal term (`-1`, `+'a'`, `-NULL`,
        # `+CURRENT_TIME`); the text is kept as written, sign and spaces included.
        term = c.take()
        if term.kind in ("number", "string", "blob"):
            return c.text[tok.start : term.end], "literal"
        if term.is_word("NULL"):
            return c.text[tok.start : term.end], "null"
        if term.kind == "word" and term.upper in _TIME_DEFAULTS:
            return c.text[tok.start : term.end], "time"
        raise DdlError("expected a literal after the sign of a DEFAULT", term.start)
    if tok.kind in ("string", "number", "blob", "quoted"):
        return c.text[tok.start : tok.end], "literal"
    if tok.kind == "word":
        if tok.upper == "NULL":
            return c.text[tok.start : tok.end], "null"
        if tok.upper in _TIME_DEFAULTS:
            return c.text[tok.start : tok.end], "time"
        if tok.upper in ("TRUE", "FALSE"):
            return c.text[tok.start : tok.end], "literal"
        return c.text[tok.start : tok.end], "word"
    raise DdlError(f"unexpected `{tok.value}` as a DEFAULT value", tok.start)


def _name_list(c: _Reader) -> tuple[str, ...]:
    c.expect_op("(")
    names = [c.name()]
    while c.at_op(","):
        c.i += 1
        names.append(c.name())
    c.expect_op(")")
    return tuple(names)


def _references(c: _Reader, columns: tuple[str, ...]) -> ForeignKeyDef:
    parent = c.qualified_name()
    parent_columns: tuple[str, ...] = ()
    if c.at_op("("):
        parent_columns = _name_list(c)
    on_delete = on_update = "NO ACTION"
    match = "NONE"
    deferrable = False
    while True:
        if c.at("ON"):
            c.i += 1
            event = c.expect("DELETE", "UPDATE").upper
            action = _fk_action(c)
            if event == "DELETE":
                on_delete = action
            else:
                on_update = action
        elif c.accept("MATCH"):
            match = c.name().upper()
        elif c.at("NOT") and (nxt := c.peek(1)) is not None and nxt.is_word("DEFERRABLE"):
            c.i += 2
            _initially(c)
        elif c.accept("DEFERRABLE"):
            deferrable = _initially(c)
        else:
            break
    return ForeignKeyDef(columns, parent, parent_columns, on_delete, on_update, match, deferrable)


def _fk_action(c: _Reader) -> str:
    if c.accept("SET"):
        return "SET " + c.expect("NULL", "DEFAULT").upper
    if c.accept("NO"):
        c.expect("ACTION")
        return "NO ACTION"
    return c.expect("CASCADE", "RESTRICT").upper


def _initially(c: _Reader) -> bool:
    """Read ``INITIALLY DEFERRED|IMMEDIATE``; True when the check is deferred."""
    if c.accept("INITIALLY"):
        return c.expect("DEFERRED", "IMMEDIATE").upper == "DEFERRED"
    return False


def _indexed_columns(r: _Reader, c: _Reader) -> tuple[IndexedColumn, ...]:
    start, stop = c.balanced()
    out: list[IndexedColumn] = []
    for part in r.split_commas(start, stop):
        toks = list(part)
        desc = False
        collate: str | None = None
        if toks and toks[-1].is_word("ASC", "DESC"):
            desc = toks[-1].upper == "DESC"
            toks.pop()
        if len(toks) >= 2 and toks[-2].is_word("COLLATE") and toks[-1].is_name:
            collate = toks[-1].value
            toks = toks[:-2]
        if not toks:
            raise DdlError("empty index key", part[0].start)
        expr = r.text[toks[0].start : toks[-1].end]
        name = toks[0].value if len(toks) == 1 and toks[0].kind in ("word", "quoted") else None
        out.append(IndexedColumn(name, expr, desc, collate))
    return tuple(out)


def _constraint_runs(part: Sequence[Tok]) -> list[Sequence[Tok]]:
    """Split one comma-separated part into the table constraints it holds."""
    runs: list[list[Tok]] = []
    depth = 0
    for j, tok in enumerate(part):
        if tok.kind == "op":
            depth += 1 if tok.value == "(" else -1 if tok.value == ")" else 0
        starts = (
            depth == 0 and tok.kind == "word" and tok.upper in _TABLE_CONSTRAINT_START
            and not (j >= 2 and part[j - 2].is_word("CONSTRAINT"))
            and not (j >= 1 and part[j - 1].is_word("CONSTRAINT"))
        )
        if starts or not runs:
            runs.append([])
        runs[-1].append(tok)
    return list(runs)


def _table_constraint(r: _Reader, part: Sequence[Tok]) -> TableConstraintDef:
    c = _sub_reader(r, part)
    name: str | None = None
    if c.accept("CONSTRAINT"):
        name = c.name()
    span = r.span(part)
    if c.accept("PRIMARY", "UNIQUE"):
        kind = "UNIQUE" if part[c.i - 1].upper == "UNIQUE" else "PRIMARY KEY"
        if kind == "PRIMARY KEY":
            c.expect("KEY")
        keys = _indexed_columns(r, c)
        _conflict_clause(c)
        if kind == "PRIMARY KEY":
            c.accept("AUTOINCREMENT")
        c.done()
        return TableConstraintDef(
            kind, span, name, tuple(k.name for k in keys), tuple(k.desc for k in keys)
        )
    if c.accept("CHECK"):
        start, stop = c.balanced()
        c.done()
        return TableConstraintDef("CHECK", span, name, expr=r.text[start:stop].strip())
    c.expect("FOREIGN")
    c.expect("KEY")
    columns = _name_list(c)
    c.expect("REFERENCES")
    fk = _references(c, columns)
    c.done()
    return TableConstraintDef("FOREIGN KEY", span, name, columns, foreign_key=fk)


def _create_index(r: _Reader, unique: bool) -> CreateIndex:
    if_not_exists = r.if_not_exists()
    name = r.qualified_name()
    r.expect("ON")
    table = r.name()
    columns = _indexed_columns(r, r)
    where: str | None = None
    if r.accept("WHERE"):
        where = r.rest_text()
        r.i = len(r.toks)
    r.done()
    return CreateIndex(name, table, unique, if_not_exists, columns, where)


def _create_view(r: _Reader, temporary: bool) -> CreateView:
    if_not_exists = r.if_not_exists()
    name = r.qualified_name()
    if r.at_op("("):
        r.balanced()
    r.expect("AS")
    return CreateView(name, temporary, if_not_exists, r.rest_text())


def _create_trigger(r: _Reader, temporary: bool) -> CreateTrigger:
    if_not_exists = r.if_not_exists()
    name = r.qualified_name()
    timing = "BEFORE"
    if r.accept("BEFORE", "AFTER"):
        timing = r.toks[r.i - 1].upper
    elif r.accept("INSTEAD"):
        r.expect("OF")
        timing = "INSTEAD OF"
    event = r.expect("INSERT", "UPDATE", "DELETE").upper
    update_of: tuple[str, ...] = ()
    if event == "UPDATE" and r.accept("OF"):
        names = [r.name()]
        while r.at_op(","):
            r.i += 1
            names.append(r.name())
        update_of = tuple(names)
    r.expect("ON")
    table = r.qualified_name()
    new_old: list[str] = []
    words: set[str] = set()
    toks = r.toks
    for j in range(r.i, len(toks)):
        tok = toks[j]
        if tok.kind in ("word", "quoted"):
            words.add(tok.value.lower())
            if (
                tok.upper in ("NEW", "OLD")
                and j + 2 < len(toks)
                and toks[j + 1].value == "."
                and toks[j + 2].is_name
            ):
                new_old.append(toks[j + 2].value)
    if not any(t.is_word("BEGIN") for t in toks[r.i :]):
        raise DdlError("trigger has no BEGIN ... END body", toks[-1].start)
    return CreateTrigger(
        name, table, temporary, if_not_exists, timing, event, update_of, tuple(new_old),
        frozenset(words),
    )


def _create_virtual(r: _Reader) -> CreateVirtualTable:
    if_not_exists = r.if_not_exists()
    name = r.qualified_name()
    r.expect("USING")
    module = r.name()
    args: list[str] = []
    if r.at_op("("):
        start, stop = r.balanced()
        args = [r.text[p[0].start : p[-1].end] for p in r.split_commas(start, stop)]
    r.done()
    return CreateVirtualTable(name, if_not_exists, module, tuple(args))


def _alter(r: _Reader) -> Ddl:
    table = r.qualified_name()
    if r.accept("RENAME"):
        if r.accept("TO"):
            new = r.name()
            r.done()
            return RenameTable(table, new)
        r.accept("COLUMN")
        old = r.name()
        r.expect("TO")
        new = r.name()
        r.done()
        return RenameColumn(table, old, new)
    if r.accept("ADD"):
        r.accept("COLUMN")
        part = r.toks[r.i :]
        if not part:
            raise DdlError("ADD without a column definition", r.toks[-1].end)
        first = part[0]
        if first.kind == "word" and first.upper in ("CONSTRAINT", "PRIMARY", "FOREIGN", "CHECK"):
            raise DdlError(
                "SQLite cannot add a constraint with ALTER TABLE; rebuild the table",
                first.start,
            )
        column = _column_def(r, part)
        r.i = len(r.toks)
        return AddColumn(table, column)
    if r.accept("DROP"):
        if r.at("CONSTRAINT"):
            tok = r.take()
            raise DdlError(
                "SQLite cannot drop a constraint with ALTER TABLE; rebuild the table", tok.start
            )
        r.accept("COLUMN")
        tok = r.take()
        if not tok.is_name:
            raise DdlError(f"expected a column name, found `{tok.value}`", tok.start)
        r.done()
        return DropColumn(table, tok.value, r.span([tok]))
    nxt = r.peek()
    raise DdlError(
        f"SQLite's ALTER TABLE cannot `{nxt.value if nxt else ''}`: it supports only "
        "RENAME TO, RENAME COLUMN, ADD COLUMN and DROP COLUMN",
        nxt.start if nxt else 0,
    )
