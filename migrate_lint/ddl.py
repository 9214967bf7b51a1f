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

import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import field, replace
from functools import lru_cache

from migrate_lint import scratch
from migrate_lint.span import LineIndex, Span, Spanner
from migrate_lint.tokens import Tok
from migrate_lint.values import value_class

# Types SQLite stores in upper case when the declared type is exactly one of them
# (the STRICT type names); anything else is kept as written.
_STANDARD_TYPES = frozenset({"ANY", "BLOB", "INT", "INTEGER", "REAL", "TEXT"})
_COLUMN_CONSTRAINT_START = frozenset(
    {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
     "REFERENCES", "GENERATED", "AS", "DEFERRABLE"}
)
_TABLE_CONSTRAINT_START = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})
# SQLite's keywords that can never be a name (`nm` in parse.y): every other keyword
# falls back to an identifier (checked against sqlite 3.40 one keyword at a time).
_RESERVED = frozenset(
    ["ADD", "ALL", "ALTER", "AND", "AS", "AUTOINCREMENT", "BETWEEN", "CASE", "CHECK", "COLLATE", "COMMIT", "CONSTRAINT", "CREATE", "DEFAULT", "DEFERRABLE", "DELETE", "DISTINCT", "DROP", "ELSE", "ESCAPE", "EXCEPT", "EXISTS", "FOREIGN", "FROM", "GROUP", "HAVING", "IN", "INDEX", "INSERT", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN", "LIMIT", "NOT", "NOTHING", "NOTNULL", "NULL", "ON", "OR", "ORDER", "PRIMARY", "REFERENCES", "RETURNING", "SELECT", "SET", "TABLE", "THEN", "TO", "TRANSACTION", "UNION", "UNIQUE", "UPDATE", "USING", "VALUES", "WHEN", "WHERE"]
)
# ... and those that cannot be a word of a type name, a COLLATE name or a DEFAULT
# identifier (`ids`/`id`): the join keywords are names only where `nm` is.
_JOIN_KW = frozenset({"CROSS", "FULL", "INNER", "LEFT", "NATURAL", "OUTER", "RIGHT"})
_TYPE_RESERVED = _RESERVED | _JOIN_KW | {"INDEXED"}
_QUOTES = frozenset("'\"`[")
_TIME_DEFAULTS = frozenset({"CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"})


class DdlError(Exception):
    """The statement does not follow SQLite's grammar as this reader knows it."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@value_class
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


@value_class
class ColumnDef:
    """One column definition, with the texts SQLite reports for it.

    Its spans (`span`, `name_span`, `default_span`, `notnull_span`) are made when asked,
    from ``lines`` and the offsets ``at``: a long history holds a hundred thousand column
    definitions, and four spans each were a tenth of its memory.
    """

    name: str
    type: str
    lines: Spanner  # the file's line index
    start: int  # where the definition starts
    # Relative to `start`: the definition's end, the name's end, the start and end of
    # the DEFAULT clause (keyword included) and of the NOT NULL clause (-1: none). Alike
    # definitions share one tuple (`marks`).
    at: tuple[int, ...]
    notnull: bool = False
    default: str | None = None
    # "" none, "literal", "null", "time" (CURRENT_*), "expr" (parenthesised), "word"
    default_kind: str = ""
    primary_key: bool = False
    pk_desc: bool = False
    autoincrement: bool = False
    unique: bool = False
    checks: tuple[str, ...] = ()
    collate: str | None = None
    references: ForeignKeyDef | None = None
    generated: str | None = None  # "VIRTUAL" or "STORED"
    generated_expr: str | None = None
    # ("PRIMARY KEY" | "UNIQUE", ON CONFLICT action or "") for each key clause
    key_conflicts: tuple[tuple[str, str], ...] = ()
    # a second and later REFERENCES on the same column: each is a foreign key
    more_references: tuple[ForeignKeyDef, ...] = ()

    @property
    def span(self) -> Span:
        """The whole definition."""
        return self.lines.span(self.start, self.start + self.at[0])

    @property
    def name_span(self) -> Span:
        """The column's name."""
        return self.lines.span(self.start, self.start + self.at[1])

    @property
    def default_span(self) -> Span | None:
        """The whole DEFAULT clause, keyword included."""
        at, start = self.at, self.start
        return None if at[2] < 0 else self.lines.span(start + at[2], start + at[3])

    @property
    def notnull_span(self) -> Span | None:
        """The NOT NULL clause (with its ON CONFLICT, if any)."""
        at, start = self.at, self.start
        return None if at[4] < 0 else self.lines.span(start + at[4], start + at[5])


@lru_cache(maxsize=4096)
def marks(*at: int) -> tuple[int, ...]:
    """One tuple for alike `ColumnDef.at` offsets: a history's columns are much alike."""
    return at


@value_class
class TableConstraintDef:
    """A table constraint: PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY."""

    kind: str  # "PRIMARY KEY", "UNIQUE", "CHECK", "FOREIGN KEY"
    span: Span
    name: str | None = None
    columns: tuple[str | None, ...] = ()  # None for an expression key
    desc: tuple[bool, ...] = ()
    expr: str | None = None
    foreign_key: ForeignKeyDef | None = None
    autoincrement: bool = False  # PRIMARY KEY (x AUTOINCREMENT)
    exprs: tuple[str, ...] = ()  # the keys' texts (an expression key is an error)
    conflict: str = ""  # ON CONFLICT action of a key, "" when none
    collates: tuple[str | None, ...] = ()  # COLLATE of each key, None when not given
    # read from SQLite (ddl_fallback): a PRIMARY KEY with an index of its own, so never
    # the rowid alias whatever its type
    not_rowid_alias: bool = False


@value_class
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
    # why the table was read from SQLite's introspection instead of from its text
    # (see ddl_fallback), and what that reading leaves out; None when read here
    fallback: str | None = None


@value_class
class IndexedColumn:
    """One key of an index: a column, or an expression."""

    name: str | None
    expr: str
    desc: bool = False
    collate: str | None = None


@value_class
class CreateIndex:
    """CREATE INDEX."""

    name: str
    table: str
    unique: bool
    if_not_exists: bool
    columns: tuple[IndexedColumn, ...]
    where: str | None = None


@value_class
class CreateView:
    """CREATE VIEW."""

    name: str
    temporary: bool
    if_not_exists: bool
    select: str


@value_class
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


@value_class
class CreateVirtualTable:
    """CREATE VIRTUAL TABLE ... USING module(args)."""

    name: str
    if_not_exists: bool
    module: str
    args: tuple[str, ...]


@value_class
class Drop:
    """DROP TABLE / INDEX / VIEW / TRIGGER."""

    what: str  # TABLE, INDEX, VIEW, TRIGGER
    name: str
    if_exists: bool


@value_class
class AddColumn:
    """ALTER TABLE ... ADD [COLUMN] definition."""

    table: str
    column: ColumnDef


@value_class
class DropColumn:
    """ALTER TABLE ... DROP [COLUMN] name."""

    table: str
    column: str
    column_span: Span


@value_class
class RenameColumn:
    """ALTER TABLE ... RENAME [COLUMN] old TO new."""

    table: str
    old: str
    new: str


@value_class
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
        """A name (`nm`): an identifier, quoted or not, or a string; no reserved word."""
        tok = self.take()
        if not _is_nm(tok):
            raise DdlError(f"expected a name, found `{tok.value}`", tok.start)
        return tok.value

    def ids(self) -> str:
        """An identifier where SQLite's grammar says `ids` (COLLATE, type words)."""
        tok = self.take()
        if not _is_ids(tok):
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

    def split_commas(self, start: int, stop: int, strict: bool = False) -> list[list[Tok]]:
        """Split the tokens with offsets in [start, stop) at top-level commas.

        ``strict``: an empty part (``(a, , b)``, a trailing comma) is an error, as in
        SQLite's lists; otherwise empty parts are dropped.
        """
        parts: list[list[Tok]] = [[]]
        commas: list[int] = []
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
                    commas.append(tok.start)
                    continue
            parts[-1].append(tok)
        if strict:
            for j, p in enumerate(parts):
                if not p:
                    where = commas[j] if j < len(commas) else commas[-1] if commas else start
                    raise DdlError("an empty item in a list (a stray comma)", where)
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


_SYNTAX_ERRORS = ("syntax error", "incomplete input", "unrecognized token")


@lru_cache(maxsize=1)
def _scratch() -> sqlite3.Connection:
    return scratch.connect(autocommit=False, check_same_thread=False)


@lru_cache(maxsize=4096)
def _expression_syntax_error(text: str) -> str | None:
    """SQLite's syntax error for an expression, if its grammar refuses it.

    The expression is only compiled (EXPLAIN), never evaluated; names it cannot
    resolve are not syntax errors.
    """
    try:
        _scratch().execute(f"EXPLAIN SELECT 1 WHERE ({text}\n)").fetchall()
    except sqlite3.Error as err:
        message = str(err)
        if any(m in message for m in _SYNTAX_ERRORS):
            return message
    return None


def _expression(r: _Reader, start: int, stop: int) -> str:
    """The text of the expression in [start, stop), checked against SQLite's grammar."""
    text = r.text[start:stop].strip()
    error = _expression_syntax_error(text) if text else "an empty expression"
    if error is not None:
        raise DdlError(f"SQLite cannot read the expression `{text}`: {error}", start)
    return text


# the tokenizer makes words of SQL parameters (`$x`, `:x`, `@x`): never names
_PARAMETER_START = frozenset("$:@?#")


def _is_nm(tok: Tok) -> bool:
    return tok.kind in ("quoted", "string") or (
        tok.kind == "word" and tok.upper not in _RESERVED and tok.value[:1] not in _PARAMETER_START
    )


def _is_ids(tok: Tok) -> bool:
    return tok.kind in ("quoted", "string") or (
        tok.kind == "word" and tok.upper not in _TYPE_RESERVED
        and tok.value[:1] not in _PARAMETER_START
    )


def _is_id(tok: Tok) -> bool:
    """SQLite's `id`: an identifier, bare or quoted, not a string."""
    return tok.kind == "quoted" or (
        tok.kind == "word" and tok.upper not in _RESERVED and tok.upper not in _JOIN_KW
        and tok.value[:1] not in _PARAMETER_START
    )


def _take_number(c: _Reader) -> Tok | None:
    """Take a numeric literal and return its last token; None (nothing taken) if the
    next token is not one. sqlglot's tokenizer reads `0x1F` as a blob and `.5` as
    `.` then `5`: both are SQLite numbers."""
    tok = c.peek()
    if tok is None:
        return None
    if tok.kind == "number" or (tok.kind == "blob" and c.text[tok.start] == "0"):
        c.i += 1
        return tok
    nxt = c.peek(1)
    if (tok.kind == "op" and tok.value == "." and nxt is not None and nxt.kind == "number"
            and nxt.start == tok.end and nxt.value[:1].isdigit()):
        c.i += 2
        return nxt
    return None


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
    in_constraints = False
    for part in r.split_commas(start, stop, strict=True):
        first = part[0]
        is_constraint = first.kind == "word" and first.upper in _TABLE_CONSTRAINT_START
        if is_constraint:
            if not columns:
                raise DdlError("a table constraint before any column definition", first.start)
            # SQLite's grammar lets table constraints follow each other without a comma
            constraints.extend(_table_constraints(r, part))
            in_constraints = True
        else:
            if in_constraints:
                raise DdlError("a column definition after a table constraint", first.start)
            columns.append(_column_def(r, part))
    without_rowid, strict = _table_options(r)
    return CreateTable(
        name, temporary, if_not_exists, tuple(columns), tuple(constraints), without_rowid,
        strict, body=(start - 1, stop),
    )


def _table_options(r: _Reader) -> tuple[bool, bool]:
    """``[option] {, option}`` after the column list (SQLite allows a leading comma)."""
    without_rowid = strict = False
    if r.peek() is None:
        return without_rowid, strict
    expect_option = not r.at_op(",")
    while True:
        if expect_option:
            tok = r.take()
            if tok.is_word("WITHOUT"):
                opt = r.take()
                if not opt.is_word("ROWID"):
                    raise DdlError(f"unknown table option: {opt.value}", opt.start)
                without_rowid = True
            elif tok.is_word("STRICT"):
                strict = True
            else:
                raise DdlError(f"unknown table option: {tok.value}", tok.start)
        if r.peek() is None:
            return without_rowid, strict
        r.expect_op(",")
        expect_option = True


def _sub_reader(r: _Reader, part: Sequence[Tok]) -> _Reader:
    return _Reader(part, r.text, r.lines)


def _strip_generated_always(text: str) -> str:
    """Drop a trailing ``GENERATED ALWAYS`` from a declared type, as sqlite3AddColumn does."""
    if len(text) >= 16 and text[-6:].lower() == "always":
        text = text[:-6].rstrip()
        if len(text) >= 9 and text[-9:].lower() == "generated":
            text = text[:-9].rstrip()
    return text


def _type_name(r: _Reader, c: _Reader) -> str:
    """Read ``ids {ids} [( signed [, signed] )]``; return the type as SQLite stores it."""
    first = c.i
    while (tok := c.peek()) is not None and _is_ids(tok):
        c.i += 1
    if c.i == first:
        return ""
    if c.at_op("("):
        c.i += 1
        _signed_number(c)
        if c.at_op(","):
            c.i += 1
            _signed_number(c)
        c.expect_op(")")
    toks = c.toks
    raw = _strip_generated_always(r.text[toks[first].start : toks[c.i - 1].end])
    # sqlite3AddColumn: sqlite3DequoteToken drops the first and last characters when
    # the text starts with a quote and has none inside ("quoted type" -> quoted type,
    # but also `[a] INTEGER` -> `a] INTEGE`); a standard type name is then stored in
    # upper case; a text still starting with a quote keeps its first token, dequoted.
    if len(raw) >= 2 and raw[0] in _QUOTES and not any(ch in _QUOTES for ch in raw[1:-1]):
        raw = raw[1:-1]
    elif raw[:1] in _QUOTES:
        return toks[first].value
    return raw.upper() if raw.upper() in _STANDARD_TYPES else raw


def _signed_number(c: _Reader) -> None:
    if c.at_op("+") or c.at_op("-"):
        c.i += 1
    if _take_number(c) is None:
        tok = c.take()
        raise DdlError(f"expected a number in the type's size, found `{tok.value}`", tok.start)


# cc: one branch per column constraint of SQLite's grammar, as the reader follows the grammar
#   diagram
def _column_def(r: _Reader, part: Sequence[Tok]) -> ColumnDef:
    c = _sub_reader(r, part)
    name_tok = c.take()
    if not _is_nm(name_tok):
        raise DdlError(f"expected a column name, found `{name_tok.value}`", name_tok.start)
    declared = _type_name(r, c)
    attrs: dict[str, object] = {}
    checks: list[str] = []
    references: ForeignKeyDef | None = None
    key_conflicts: list[tuple[str, str]] = []
    more_references: list[ForeignKeyDef] = []
    base = part[0].start  # the name's: the clauses' offsets are relative to it
    default_at = notnull_at = _NO_CLAUSE
    while c.peek() is not None:
        clause_start = c.i
        if c.accept("CONSTRAINT"):
            c.name()
            continue
        if c.accept("PRIMARY"):
            c.expect("KEY")
            if "primary_key" in attrs:
                raise DdlError("table has more than one primary key (SQLite refuses it)",
                               part[clause_start].start)
            attrs["primary_key"] = True
            if c.accept("DESC"):
                attrs["pk_desc"] = True
            else:
                c.accept("ASC")
            key_conflicts.append(("PRIMARY KEY", _conflict_clause(c)))
            if c.accept("AUTOINCREMENT"):
                attrs["autoincrement"] = True
        elif c.accept("NOT"):
            if c.accept("DEFERRABLE"):
                _initially(c)
                if references is not None:
                    references = replace(references, deferrable=False)
                continue
            c.expect("NULL")
            attrs["notnull"] = True
            _conflict_clause(c)
            notnull_at = (part[clause_start].start - base, part[c.i - 1].end - base)
        elif c.accept("NULL"):
            _conflict_clause(c)
        elif c.accept("UNIQUE"):
            attrs["unique"] = True
            key_conflicts.append(("UNIQUE", _conflict_clause(c)))
        elif c.accept("CHECK"):
            start, stop = c.balanced()
            checks.append(_expression(r, start, stop))
        elif c.accept("DEFAULT"):
            if "generated" in attrs:
                raise DdlError("cannot use DEFAULT on a generated column (SQLite refuses it)",
                               part[clause_start].start)
            text, kind = _default_value(c)
            attrs["default"] = sys.intern(text)  # the same few defaults, column after column
            attrs["default_kind"] = kind
            default_at = (part[clause_start].start - base, part[c.i - 1].end - base)
        elif c.accept("COLLATE"):
            attrs["collate"] = c.ids()
        elif c.accept("REFERENCES"):
            if references is not None:
                more_references.append(references)
            references = _references(c, (name_tok.value,), table_level=False)
            if len(references.parent_columns) > 1:
                raise DdlError(f"foreign key on {name_tok.value} should reference only one "
                               f"column of table {references.parent} (SQLite refuses it)",
                               part[clause_start].start)
        elif c.accept("DEFERRABLE"):
            # a constraint of its own: SQLite applies it to the table's latest foreign key
            deferred = _initially(c)
            if references is not None:
                references = replace(references, deferrable=deferred)
        elif c.at("GENERATED", "AS"):
            if "generated" in attrs or "default" in attrs:
                raise DdlError(f'error in generated column "{name_tok.value}"',
                               part[clause_start].start)
            if c.accept("GENERATED"):
                c.expect("ALWAYS")
            c.expect("AS")
            start, stop = c.balanced()
            attrs["generated_expr"] = _expression(r, start, stop)
            attrs["generated"] = "VIRTUAL"
            tok = c.peek()
            if tok is not None and _is_id(tok):
                if not tok.is_word("STORED", "VIRTUAL"):
                    raise DdlError(f'error in generated column "{name_tok.value}": unknown '
                                   f"kind `{tok.value}`", tok.start)
                c.i += 1
                attrs["generated"] = tok.upper
        else:
            tok = c.take()
            raise DdlError(
                f"unexpected `{tok.value}` in the definition of column `{name_tok.value}`",
                tok.start,
            )
    return ColumnDef(
        name=name_tok.value,
        type=sys.intern(declared),  # a history holds tens of thousands of `TEXT`s
        lines=r.lines,
        start=base,
        at=marks(part[-1].end - base, name_tok.end - base, default_at[0], default_at[1],
                 notnull_at[0], notnull_at[1]),
        checks=tuple(checks),
        references=more_references[0] if more_references else references,
        more_references=(*more_references[1:], references)
        if more_references and references is not None else (),
        key_conflicts=tuple(key_conflicts),
        **attrs,  # type: ignore[arg-type]
    )


_NO_CLAUSE = (-1, -1)  # (start, end) of a clause a column definition does not have


def _conflict_clause(c: _Reader) -> str:
    """``[ON CONFLICT action]``: the action, or "" when there is none."""
    if c.at("ON") and (nxt := c.peek(1)) is not None and nxt.is_word("CONFLICT"):
        c.i += 2
        return c.expect("ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE").upper
    return ""


def _default_value(c: _Reader) -> tuple[str, str]:
    """Return the default's text as SQLite stores it, and its kind."""
    first = c.peek()
    last = _take_number(c)
    if first is not None and last is not None:
        return c.text[first.start : last.end], "literal"
    tok = c.take()
    if tok.kind == "op" and tok.value == "(":
        c.i -= 1
        start, stop = c.balanced()
        return _expression(c, start, stop), "expr"
    if tok.kind == "op" and tok.value in ("+", "-"):
        # SQLite's grammar: a sign before any literal term (`-1`, `+'a'`, `-NULL`,
        # `+CURRENT_TIME`); the text is kept as written, sign and spaces included.
        number = _take_number(c)
        if number is not None:
            return c.text[tok.start : number.end], "literal"
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
        if tok.upper in _RESERVED or tok.upper in _JOIN_KW or not _is_id(tok):
            raise DdlError(f"unexpected `{tok.value}` as a DEFAULT value", tok.start)
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


def _references(c: _Reader, columns: tuple[str, ...], table_level: bool) -> ForeignKeyDef:
    """``nm [(names)] {MATCH nm | ON INSERT|DELETE|UPDATE action}``, then for a table
    constraint one optional ``[NOT] DEFERRABLE [INITIALLY ...]``; on a column that is a
    constraint of its own (see _column_def)."""
    parent = c.name()
    parent_columns: tuple[str, ...] = ()
    if c.at_op("("):
        parent_columns = _name_list(c)
    on_delete = on_update = "NO ACTION"
    match = "NONE"
    deferrable = False
    while True:
        if c.at("ON") and not ((nxt := c.peek(1)) is not None and nxt.is_word("CONFLICT")):
            c.i += 1
            event = c.expect("DELETE", "UPDATE", "INSERT").upper
            action = _fk_action(c)
            if event == "DELETE":
                on_delete = action
            elif event == "UPDATE":
                on_update = action
        elif c.accept("MATCH"):
            match = c.name().upper()
        else:
            break
    if table_level:
        if c.at("NOT") and (nxt := c.peek(1)) is not None and nxt.is_word("DEFERRABLE"):
            c.i += 2
            _initially(c)
        elif c.accept("DEFERRABLE"):
            deferrable = _initially(c)
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


def _indexed_columns(r: _Reader, c: _Reader, autoincrement: bool = False
                     ) -> tuple[tuple[IndexedColumn, ...], bool]:
    """``( expr [COLLATE ids] [ASC|DESC], ... )``; ``autoincrement``: a PRIMARY KEY's
    list, which may end in AUTOINCREMENT. Returns the keys and whether it did."""
    start, stop = c.balanced()
    out: list[IndexedColumn] = []
    parts = r.split_commas(start, stop, strict=True)
    if not parts:
        raise DdlError("an empty column list", start)
    has_autoincrement = False
    for n, part in enumerate(parts):
        toks = list(part)
        if autoincrement and n == len(parts) - 1 and toks and toks[-1].is_word("AUTOINCREMENT"):
            has_autoincrement = True
            toks.pop()
        desc = False
        collate: str | None = None
        if (toks and toks[-1].is_word("NULLS")) or (len(toks) >= 2 and toks[-2].is_word("NULLS")):
            tok = toks[-1] if toks[-1].is_word("NULLS") else toks[-2]
            raise DdlError("unsupported use of NULLS in an index key", tok.start)
        if toks and toks[-1].is_word("ASC", "DESC"):
            desc = toks[-1].upper == "DESC"
            toks.pop()
        if len(toks) >= 2 and toks[-2].is_word("COLLATE"):
            if not _is_ids(toks[-1]):
                raise DdlError(f"expected a collation name, found `{toks[-1].value}`",
                               toks[-1].start)
            collate = toks[-1].value
            toks = toks[:-2]
        if not toks:
            raise DdlError("empty index key", part[0].start)
        expr = r.text[toks[0].start : toks[-1].end]
        only = toks[0]
        name = only.value if len(toks) == 1 and (
            only.kind in ("quoted", "string") or (only.kind == "word" and _is_nm(only))
        ) else None
        if name is None:
            _expression(r, toks[0].start, toks[-1].end)
        out.append(IndexedColumn(name, expr, desc, collate))
    return tuple(out), has_autoincrement


def _table_constraints(r: _Reader, part: Sequence[Tok]) -> list[TableConstraintDef]:
    """The table constraints of one comma-separated part (SQLite needs no comma
    between them); a bare ``CONSTRAINT name`` is allowed and names nothing."""
    c = _sub_reader(r, part)
    out: list[TableConstraintDef] = []
    while c.peek() is not None:
        first = c.i
        name: str | None = None
        if c.accept("CONSTRAINT"):
            name = c.name()
            if c.peek() is None or c.at("CONSTRAINT"):
                continue
        out.append(_table_constraint(r, c, part, first, name))
    return out


def _table_constraint(r: _Reader, c: _Reader, part: Sequence[Tok], first: int,
                      name: str | None) -> TableConstraintDef:
    if c.accept("PRIMARY", "UNIQUE"):
        kind = "UNIQUE" if part[c.i - 1].upper == "UNIQUE" else "PRIMARY KEY"
        if kind == "PRIMARY KEY":
            c.expect("KEY")
        keys, autoincrement = _indexed_columns(r, c, autoincrement=kind == "PRIMARY KEY")
        conflict = _conflict_clause(c)
        return TableConstraintDef(
            kind, r.span(part[first : c.i]), name, tuple(k.name for k in keys),
            tuple(k.desc for k in keys), autoincrement=autoincrement,
            exprs=tuple(k.expr for k in keys), conflict=conflict,
            collates=tuple(k.collate for k in keys),
        )
    if c.accept("CHECK"):
        start, stop = c.balanced()
        _conflict_clause(c)
        return TableConstraintDef("CHECK", r.span(part[first : c.i]), name,
                                  expr=_expression(r, start, stop))
    c.expect("FOREIGN")
    c.expect("KEY")
    columns = _name_list(c)
    c.expect("REFERENCES")
    fk = _references(c, columns, table_level=True)
    return TableConstraintDef("FOREIGN KEY", r.span(part[first : c.i]), name, columns,
                              foreign_key=fk)


def _create_index(r: _Reader, unique: bool) -> CreateIndex:
    if_not_exists = r.if_not_exists()
    name = r.qualified_name()
    r.expect("ON")
    table = r.name()
    columns = _indexed_columns(r, r)[0]
    where: str | None = None
    if r.accept("WHERE"):
        tok = r.peek()
        if tok is None:
            raise DdlError("WHERE without a condition", r.toks[-1].end)
        where = _expression(r, tok.start, r.toks[-1].end)
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
        if column.more_references:
            # the model's column holds one foreign key; replay's ADD COLUMN knows no more
            raise DdlError("an added column with more than one REFERENCES clause is not "
                           "modelled", part[0].start)
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
