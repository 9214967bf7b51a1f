"""Read discovered migrations into statements: split, classify, read DDL, parse DML.

Schema statements are read by :mod:`migrate_lint.ddl` (it agrees with SQLite where
sqlglot does not); data statements are parsed by sqlglot. Anything not understood
becomes an MG001 diagnostic with its position; nothing is dropped.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from migrate_lint import ddl_fallback, grammar
from migrate_lint.ddl import (
    AddColumn,
    CreateIndex,
    CreateTable,
    CreateTrigger,
    CreateVirtualTable,
    Ddl,
    DdlError,
    Drop,
    DropColumn,
    RenameColumn,
    RenameTable,
    read_ddl,
)
from migrate_lint.diagnostics import Diagnostic
from migrate_lint.history import (
    History,
    Migration,
    Regrow,
    Script,
    Statement,
    StatementKind,
    release_tree,
)
from migrate_lint.seed import read_seed
from migrate_lint.source import Discovery, MigrationSource, Section
from migrate_lint.span import LineIndex
from migrate_lint.split import Comment, RawStatement, SplitResult, split_section
from migrate_lint.sqlglot_api.dml import dml_target
from migrate_lint.sqlglot_api.parsing import (
    ParseFailure,
    compact_tree,
    let_go,
    parse_statement,
    parse_token_slice,
    parse_tokens,
    shape_problem,
)
from migrate_lint.sqlglot_api.tokens import TokenizeError, tokenize
from migrate_lint.tokens import Tok

if TYPE_CHECKING:
    from sqlglot import exp

_TRANSACTION = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_MAINTENANCE = frozenset({"VACUUM", "ANALYZE", "REINDEX", "ATTACH", "DETACH"})
_DML = {"INSERT": StatementKind.INSERT, "REPLACE": StatementKind.INSERT,
        "UPDATE": StatementKind.UPDATE, "DELETE": StatementKind.DELETE,
        "SELECT": StatementKind.SELECT, "VALUES": StatementKind.SELECT}
# CREATE VIRTUAL TABLE is a create_table: the DDL reader tells them apart.
_CREATE = (("TABLE", StatementKind.CREATE_TABLE), ("INDEX", StatementKind.CREATE_INDEX),
           ("VIEW", StatementKind.CREATE_VIEW), ("TRIGGER", StatementKind.CREATE_TRIGGER))
_DROP = {"TABLE": StatementKind.DROP_TABLE, "INDEX": StatementKind.DROP_INDEX,
         "VIEW": StatementKind.DROP_VIEW, "TRIGGER": StatementKind.DROP_TRIGGER}


def statement_kind(toks: Sequence[Tok]) -> StatementKind:
    """Classify a statement by its leading keywords."""
    head = toks[0].upper if toks and toks[0].kind == "word" else ""
    if head == "CREATE":
        words = [t.upper for t in toks[1:4]]
        for word, kind in _CREATE:
            if word in words:
                return kind
        return StatementKind.UNKNOWN
    if head == "DROP" and len(toks) > 1:
        return _DROP.get(toks[1].upper, StatementKind.UNKNOWN)
    if head == "ALTER":
        return StatementKind.ALTER_TABLE
    if head in _DML:
        return _DML[head]
    if head == "WITH":
        body = _with_body(toks)
        return _DML[toks[body].upper] if body else StatementKind.SELECT
    if head == "PRAGMA":
        return StatementKind.PRAGMA
    if head in _TRANSACTION:
        return StatementKind.TRANSACTION
    if head in _MAINTENANCE:
        return StatementKind.MAINTENANCE
    return StatementKind.UNKNOWN


def _shared_words(toks: tuple[Tok, ...]) -> tuple[Tok, ...]:
    """``toks`` with one string for each alike word: a history holds thousands of
    `PRAGMA foreign_keys = OFF`, and the tokens of these statements are kept."""
    intern = sys.intern
    return tuple(Tok(kind, intern(value), start, end, intern(upper), src)
                 for kind, value, start, end, upper, src in toks)


def _with_body(toks: Sequence[Tok]) -> int:
    """Index of the statement keyword a leading WITH clause leads into (0 if none)."""
    depth = 0
    for i, tok in enumerate(toks[1:], 1):
        if tok.kind == "op":
            depth += 1 if tok.value == "(" else -1 if tok.value == ")" else 0
        elif depth == 0 and tok.upper in _DML:
            return i
    return 0


def _named_tables(toks: Sequence[Tok], kind: str) -> tuple[str, ...]:
    """Best-effort names of the tables a statement touches, from tokens alone."""
    after = {"insert": ("INTO",), "update": ("UPDATE",), "delete": ("FROM",),
             "alter_table": ("TABLE",), "create_index": ("ON",), "create_trigger": ("ON",),
             "create_table": ("TABLE", "EXISTS"), "drop_table": ("TABLE", "EXISTS")}.get(kind, ())
    names: list[str] = []
    for i, tok in enumerate(toks[:-1]):
        if tok.kind == "word" and tok.upper in after:
            nxt = toks[i + 1]
            if nxt.is_word("OR", "IF"):
                continue
            if nxt.is_name:
                if i + 3 < len(toks) and toks[i + 2].value == "." and toks[i + 3].is_name:
                    nxt = toks[i + 3]
                names.append(nxt.value)
    return tuple(dict.fromkeys(names))


def _ddl_tables(ddl: Ddl | None) -> tuple[str, ...]:
    """The table a schema statement acts on, from its reading."""
    if isinstance(ddl, (CreateTable, CreateVirtualTable)) or (
        isinstance(ddl, Drop) and ddl.what == "TABLE"
    ):
        return (ddl.name,)
    if isinstance(ddl, (AddColumn, DropColumn, RenameColumn, RenameTable, CreateIndex,
                        CreateTrigger)):
        return (ddl.table,)
    return ()


# Where `_dml_text_for_sqlglot` may rewrite a statement: elsewhere it needs no tokens.
_MAY_REWRITE = re.compile(r"(?:WITH|REPLACE)\b|UPDATE\s*(?:OR\b|--|/\*)", re.IGNORECASE)


def _dml_text_for_sqlglot(text: str, tokens: Callable[[], Sequence[Tok]]) -> str:
    """Rewrite the SQLite forms sqlglot does not know into equivalent ones it does;
    ``text`` itself where there is none. ``tokens`` gives the statement's tokens, asked
    only where the text may hold such a form (a released statement makes them again).

    The form may follow a WITH clause (``WITH x AS (...) REPLACE INTO t ...``).
    """
    if not _MAY_REWRITE.match(text):
        return text
    toks = tokens()
    at = _with_body(toks) if toks[0].is_word("WITH") else 0
    base = toks[0].start
    head = text[: toks[at].start - base]
    if toks[at].is_word("REPLACE"):
        # REPLACE INTO t ... is INSERT OR REPLACE INTO t ... (sqlglot makes a Command)
        return head + "INSERT OR " + text[toks[at].start - base :]
    if toks[at].is_word("UPDATE") and len(toks) > at + 3 and toks[at + 1].is_word("OR"):
        # UPDATE OR IGNORE t ...: the conflict clause does not change what is written
        return head + "UPDATE " + text[toks[at + 3].start - base :]
    return text


def read_statement(raw: RawStatement, index: int, text: str, lines: LineIndex,
                   path: str, split: SplitResult | None = None
                   ) -> tuple[Statement, Diagnostic | None]:
    """Understand one raw statement; return it and its MG001 diagnostic, if any.

    ``split`` (the section's split result) lets sqlglot parse from the tokens already
    made; without it the statement text is tokenized again.
    """
    toks = raw.tokens
    body = text[raw.start : raw.end]
    span = lines.span(raw.start, raw.end)
    kind = statement_kind(toks)

    def failed(reason: str, offset: int) -> tuple[Statement, Diagnostic]:
        where = lines.span(offset, offset + 1)
        tables = _named_tables(toks, kind)
        stmt = Statement(index, body, span, kind, problem=reason, tables=tables, block=raw.block)
        return stmt, Diagnostic("MG001", reason, path, where, tables)

    if kind == "unknown":
        return failed(f"`{toks[0].value}` is not a statement this tool knows", raw.start)
    if grammar.needs_check(kind, body):
        refused = grammar.refusal(kind, body)
        if refused is not None:
            return failed(f"SQLite refuses it on every database: {refused}", raw.start)
    if kind in ("pragma", "transaction", "maintenance"):
        # Short, few, and read again and again (connection settings, transaction
        # rules): these keep their tokens; the others make them again when asked.
        return Statement(index, body, span, kind, held=_shared_words(toks), block=raw.block), None
    if kind.startswith(("create_", "drop_", "alter_")):
        try:
            ddl = read_ddl(toks, text, lines)
        except DdlError as err:
            if kind != "create_table" or not ddl_fallback.is_candidate(toks):
                return failed(str(err), err.offset)
            # DESIGN.md's fallback: SQLite itself, on a scratch database, tells
            # whether the table exists after this statement and what it is like
            table, rejected = ddl_fallback.sqlite_reading(body, span, str(err), toks)
            if table is None:
                because = f"SQLite rejects it too: {rejected}" if rejected else (
                    "SQLite made no table of it")
                return failed(f"{err}; {because}", err.offset)
            return Statement(index, body, span, kind, ddl=table, tables=(table.name,),
                             block=raw.block), None
        return Statement(index, body, span, kind, ddl=ddl, tables=_ddl_tables(ddl),
                         block=raw.block), None
    facts = read_seed(toks) if kind == "insert" else None
    if facts is not None:
        # A data-seeding INSERT: SQLite checks its grammar, the facts are kept, no tree.
        refused = grammar.syntax_error(body)
        if refused is not None:
            return failed(f"SQLite refuses it on every database: {refused}", raw.start)
        return Statement(index, body, span, kind, tables=(facts.table,), block=raw.block,
                         seed=facts), None
    source = _dml_text_for_sqlglot(body, lambda: toks)
    try:
        if source is body and split is not None and split.source and toks[0].src >= 0:
            tree = parse_token_slice(split.source, toks[0], toks[-1],
                                                 split.source_text)
        else:
            tree = parse_statement(source)
    except ParseFailure as err:
        return failed(f"sqlglot cannot parse it: {err}", raw.start)
    except TokenizeError as err:
        return failed(f"cannot read SQL: {err}", raw.start)
    # the statement has its span; its tree is kept long. The same walk finds a Command.
    shape = shape_problem(kind, tree, compact_tree(tree))
    if shape:
        return failed(shape, raw.start)
    target = dml_target(tree)
    tables = (target,) if target else _named_tables(toks, kind)
    return Statement(index, body, span, kind, tree=tree, tables=tables, block=raw.block), None


def read_sections(sections: Sequence[Section], texts: dict[str, str]
                  ) -> tuple[Script, list[Diagnostic]]:
    """Split and read every section of one direction of a migration."""
    statements: list[Statement] = []
    comments: list[Comment] = []
    diagnostics: list[Diagnostic] = []
    paths: list[str] = []
    line_indexes: dict[str, LineIndex] = {}
    for whole in sections:
        texts.setdefault(whole.path, whole.text)
        lines = line_indexes.get(whole.path)
        if lines is None:
            lines = line_indexes[whole.path] = LineIndex(whole.path, whole.text)
        if whole.path not in paths:
            paths.append(whole.path)
        runs = _Runs(statements, whole.text, lines)
        for section in _chunks(whole):
            result = split_section(section, lines)
            comments.extend(result.comments)
            diagnostics.extend(result.diagnostics)
            for raw in result.statements:
                stmt, diag = read_statement(raw, runs.next_index(), section.text, lines,
                                            section.path, result)
                if diag is None and stmt.seed is not None:
                    runs.add(stmt)
                    continue
                runs.close()
                statements.append(stmt)
                if diag is not None:
                    diagnostics.append(diag)
            del result  # a chunk's tokens go before the next chunk's are made
        runs.close()
    return Script(tuple(statements), tuple(comments), tuple(paths)), diagnostics


# Sections larger than this are split and read a chunk at a time, cut between
# complete statements, so that the tokens of a 50 MB seed file never all exist at once.
CHUNK = 1 << 20


def _chunks(section: Section) -> list[Section]:
    """``section`` cut into pieces of about `CHUNK` characters between statements.

    A cut is made only at the end of a line where the text since the last cut is a
    complete statement for SQLite's own tokenizer (strings, comments and trigger
    bodies included), and never inside a goose StatementBegin block.
    """
    size = section.end - section.start
    text = section.text
    if size <= CHUNK or "StatementBegin" in text[section.start : section.end]:
        return [section]
    out: list[Section] = []
    begin = pos = section.start
    retry = begin + CHUNK  # where a cut is next worth trying
    while pos < section.end:
        newline = text.find("\n", pos, section.end)
        stop = section.end if newline < 0 else newline + 1
        if stop >= retry and text[pos:stop].rstrip().endswith(";"):
            # one SQLite completeness test per try; after a miss (inside a string or a
            # trigger) wait a while before the next, so the cost stays linear
            if sqlite3.complete_statement(text[begin:stop]):
                out.append(Section(section.path, text, begin, stop))
                begin, retry = stop, stop + CHUNK
            else:
                retry = stop + CHUNK // 16
        pos = stop
    if begin < section.end:
        out.append(Section(section.path, text, begin, section.end))
    return out


# Consecutive alike seed INSERTs kept one by one before they become one run: small
# files keep a finding per statement; a seed file of a million INSERTs becomes a
# few statements, not a million of them.
RUN = 64


def _joins(run: Statement, stmt: Statement) -> bool:
    """Whether seed INSERT ``stmt`` may continue the seed INSERT ``run`` starts."""
    return (run.seed is not None and stmt.seed is not None and run.seed.joins(stmt.seed)
            and run.block == stmt.block and run.span.path == stmt.span.path)


class _Runs:
    """Appends seed INSERTs to ``statements``, joining alike ones into runs.

    Mutable and local to one section: the run being built keeps only its first
    statement, its extent and an array of statement bounds (linear in the run), and
    becomes one `Statement` when it ends.
    """

    def __init__(self, statements: list[Statement], text: str, lines: LineIndex) -> None:
        self.statements = statements
        self.text = text
        self.lines = lines
        self.pending: list[Statement] = []  # alike seeds not yet a run
        self.first: Statement | None = None  # the run being built
        self.end = 0
        self.rows = 0
        self.bounds: array[int] = array("q")

    def next_index(self) -> int:
        return len(self.statements) + len(self.pending) + (self.first is not None)

    def add(self, stmt: Statement) -> None:
        assert stmt.seed is not None
        if self.first is not None:
            if _joins(self.first, stmt):
                start = self.first.span.start
                self.bounds.extend((stmt.span.start - start, stmt.span.end - start))
                self.end, self.rows = stmt.span.end, self.rows + stmt.seed.rows
                return
            self.close()
        if self.pending and not _joins(self.pending[-1], stmt):
            self.close()
        self.pending.append(stmt)
        if len(self.pending) == RUN:
            first = self.first = self.pending[0]
            start = first.span.start
            self.bounds = array("q")
            for s in self.pending:
                self.bounds.extend((s.span.start - start, s.span.end - start))
            self.end = stmt.span.end
            self.rows = sum(s.seed.rows for s in self.pending if s.seed is not None)
            self.pending = []

    def close(self) -> None:
        """End the run or the pending seeds: they become statements."""
        self.statements.extend(self.pending)
        self.pending = []
        first = self.first
        if first is None or first.seed is None:
            return
        start = first.span.start
        seed = replace(first.seed, rows=self.rows, bounds=self.bounds)
        self.statements.append(replace(first, text=self.text[start : self.end],
                                       span=self.lines.span(start, self.end), seed=seed))
        self.first = None


def parse_migration(source: MigrationSource, texts: dict[str, str]
                    ) -> tuple[Migration, list[Diagnostic]]:
    """Read both directions of one migration; diagnostics are for the up direction."""
    up, diagnostics = read_sections(source.up, texts)
    down = read_sections(source.down, texts)[0] if source.down else None
    return Migration(source, up, down), diagnostics


def parse_history(discovery: Discovery) -> History:
    """Read every discovered migration into statements."""
    texts: dict[str, str] = {}
    migrations: list[Migration] = []
    diagnostics = list(discovery.diagnostics)
    for source in discovery.migrations:
        migration, diags = parse_migration(source, texts)
        migrations.append(migration)
        diagnostics.extend(diags)
    return History(discovery.root, discovery.layout, discovery.runner, tuple(migrations),
                   tuple(diagnostics), texts)


class TreeMaker(Regrow):
    """Lets go of the trees of ``history``'s statements (`release`) and makes them again
    when asked (`tree_of`).

    A tree is made again as `read_statement` made it: from sqlglot's tokens of the same
    section (or chunk of one), so that the comments the tokenizer gave its tokens from
    around the statement, and the nodes' positions, are the same. Only the statement and
    its neighbours are tokenized again, the text before them blanked (line breaks kept).
    A statement sqlglot read from rewritten text is read from that again. The last
    `RECENT` trees made are kept: a whole-history rule reads a migration's statements
    once per question.
    """

    RECENT = 64

    def __init__(self, history: History) -> None:
        self.history = history
        self._sections: dict[str, list[Section]] | None = None
        # path -> the starts and the ends of its statements, in file order
        self._bounds: dict[str, tuple[list[int], list[int]]] | None = None
        self._recent: OrderedDict[int, tuple[Statement, exp.Expression]] = OrderedDict()

    def release(self, stmt: Statement) -> None:
        """Let ``stmt``'s tree go (see `history.release_tree`), and free it now."""
        if not stmt.has_tree:
            return  # most statements: asked once each, so asked cheaply
        box = [release_tree(stmt, self)]
        if box[0] is not None:
            let_go(box)

    def tree_of(self, stmt: Statement) -> exp.Expression:
        recent = self._recent
        hit = recent.get(id(stmt))
        if hit is not None and hit[0] is stmt:
            recent.move_to_end(id(stmt))
            return hit[1]
        tree = self._make(stmt)
        recent[id(stmt)] = (stmt, tree)  # the statement kept: its id is not reused meanwhile
        if len(recent) > self.RECENT:
            recent.popitem(last=False)
        return tree

    def _make(self, stmt: Statement) -> exp.Expression:
        body = stmt.text
        source = _dml_text_for_sqlglot(body, lambda: stmt.tokens)
        chunk = self._chunk_of(stmt) if source is body else None
        if chunk is None:
            tree = parse_statement(source)
            compact_tree(tree)  # as `read_statement` does
            return tree
        base = chunk.start
        start, end = stmt.span.start, stmt.span.end
        # from the previous statement to the next one: the comments around the statement
        # go to the same tokens as in the whole chunk
        starts, ends = self._statement_bounds(stmt.span.path)
        at = bisect_right(starts, start) - 1
        low = max(base, starts[at - 1]) if at > 0 else base
        high = min(chunk.end, ends[at + 1]) if at + 1 < len(ends) else chunk.end
        before = chunk.text[base:low]
        if "\r" in before:
            low, before = base, ""  # the tokenizer's lines: counted in the text itself
        # as many characters and line breaks, and as many after the last break
        breaks, last = before.count("\n"), before.rfind("\n")
        blank = " " * (last + 1 - breaks) + "\n" * breaks + " " * (len(before) - last - 1)
        text = blank + chunk.text[low:high]
        tokens = tokenize(text)
        offsets = [t.start for t in tokens]
        # the tokens holding the statement's first and last characters
        first = bisect_right(offsets, start - base) - 1
        last = bisect_right(offsets, end - 1 - base) - 1
        tree = parse_tokens(tokens[first : last + 1], text)
        compact_tree(tree)
        return tree

    def _chunk_of(self, stmt: Statement) -> Section | None:
        """The section chunk `read_sections` split ``stmt`` from."""
        if self._sections is None:
            by_path: dict[str, list[Section]] = {}
            for migration in self.history.migrations:
                for section in (*migration.source.up, *migration.source.down):
                    by_path.setdefault(section.path, []).append(section)
            self._sections = by_path
        at = stmt.span.start
        for section in self._sections.get(stmt.span.path, ()):
            if section.start <= at < section.end:
                return next((c for c in _chunks(section) if c.start <= at < c.end), None)
        return None

    def _statement_bounds(self, path: str) -> tuple[list[int], list[int]]:
        if self._bounds is None:
            spans: dict[str, list[tuple[int, int]]] = {}
            for migration in self.history.migrations:
                for script in (migration.up, migration.down):
                    for s in script.statements if script is not None else ():
                        spans.setdefault(s.span.path, []).append((s.span.start, s.span.end))
            self._bounds = {}
            for name, bounds in spans.items():
                bounds.sort()
                self._bounds[name] = ([a for a, _ in bounds], [b for _, b in bounds])
        return self._bounds[path]
