"""Apply migrations to a real SQLite database the way a runner would, and read it back.

The replayed model is only as good as its agreement with SQLite itself. The sandbox
executes each migration's statements on a real ``sqlite3`` connection, one statement
at a time and exactly as written, inside the transaction the layout's runner would
open (see RUNNERS.md). A file's own ``BEGIN``/``COMMIT``/``PRAGMA foreign_keys``
therefore behave as they do in production: a pragma inside the runner's transaction
does nothing and a nested ``BEGIN`` fails. `introspect` renders the result as a
`SchemaSnapshot`, the same shape the replayed model produces.

    >>> from migrate_lint.span import LineIndex
    >>> text = "CREATE TABLE t(a INTEGER NOT NULL);"
    >>> piece = Piece(text, LineIndex("0001.sql", text).span(0, len(text)))
    >>> with Sandbox("goose") as box:
    ...     box.apply([piece]) is None, [c.name for c in box.snapshot().tables[0].columns]
    (True, ['a'])
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from migrate_lint import scratch
from migrate_lint.runners import RUNNERS, Runner
from migrate_lint.snapshot import (
    ColumnInfo,
    ForeignKeyInfo,
    IndexInfo,
    SchemaSnapshot,
    TableInfo,
)
from migrate_lint.span import Span
from migrate_lint.values import value_class

if TYPE_CHECKING:
    from migrate_lint.settings import Settings

__all__ = [
    "ApplyError",
    "Piece",
    "Sandbox",
    "Skipped",
    "SqlPiece",
    "introspect",
    "schema_sql",
]


class SqlPiece(Protocol):
    """One statement as the splitter produced it: its exact text and where it sits."""

    @property
    def text(self) -> str: ...

    @property
    def span(self) -> Span: ...


@value_class
class Piece:
    """The simplest `SqlPiece`: for callers that build statements by hand (fixes, tests)."""

    text: str
    span: Span


@value_class
class ApplyError:
    """Why a migration failed.

    ``piece_index`` is the statement that failed. When the runner's own closing
    ``COMMIT`` fails (a deferred foreign key, or the file already committed the
    runner's transaction) or the file leaves a transaction open, ``piece_index`` is
    ``len(pieces)`` and ``span`` is None: no statement of the file is to blame alone.
    """

    piece_index: int
    span: Span | None
    # sqlite3's own message, e.g. "Cannot add a NOT NULL column with default value NULL".
    message: str
    unknown_function: str | None = None  # "X" when the message is "no such function: X"


@value_class
class Skipped:
    """A statement that failed only because a virtual table's module is not available here."""

    piece_index: int
    span: Span
    table: str  # the unavailable virtual table
    message: str  # "no such module: vec0" for the CREATE, "no such table: t" after it


_BEGIN = re.compile(r"^\s*BEGIN\b", re.IGNORECASE)


def _opens_transaction(text: str) -> bool:
    """True for a ``BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION]`` statement."""
    return _BEGIN.match(text) is not None


_NO_SUCH_FUNCTION = re.compile(r"^no such function: (.+)$")
_NO_SUCH_MODULE = re.compile(r"^no such module: (.+)$")
_NO_SUCH_TABLE = re.compile(r"^no such table: (?:main\.)?(.+)$")

# Whitespace and comments between tokens of a statement.
_GAP = r"(?:\s|--[^\n]*(?:\n|\Z)|/\*.*?(?:\*/|\Z))"
# A quoted identifier, or a bare one (\w is Unicode-aware, as SQLite's bare names are).
_IDENT = r'(?:"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|[^\W\d][\w$]*)'
_CREATE_VIRTUAL = re.compile(
    rf"^{_GAP}*CREATE{_GAP}+VIRTUAL{_GAP}+TABLE{_GAP}+(?:IF{_GAP}+NOT{_GAP}+EXISTS{_GAP}+)?"
    rf"(?P<first>{_IDENT})(?:{_GAP}*\.{_GAP}*(?P<second>{_IDENT}))?",
    re.IGNORECASE | re.DOTALL,
)

# Why a migration left a transaction open is not something sqlite3 reports itself.
_LEFT_OPEN = (
    "transaction left open at the end of the migration (BEGIN without COMMIT); "
    "the runner's connection rolls it back"
)


class Sandbox:
    """A real SQLite database that migrations are applied to as a given runner would.

    SQL errors never raise: `apply` and `apply_batch` return them. A
    ``CREATE VIRTUAL TABLE`` whose module this SQLite lacks (``vec0`` and other
    loadable extensions) does not fail the migration: the table is recorded in
    `unavailable_tables`, and later statements failing with "no such table" for it
    are recorded in `skipped` and passed over.
    """

    def __init__(
        self,
        runner: str = "generic",
        functions: Iterable[str] = (),
        path: str = ":memory:",
        *,
        foreign_keys: bool | None = None,
        transaction: str | None = None,
    ) -> None:
        """Open ``path`` for ``runner`` (a name from `runners.RUNNERS`).

        ``functions`` names SQL functions the application registers at run time;
        each gets a stand-in that accepts any arguments and returns NULL, unless
        SQLite already has a function of that name. ``foreign_keys`` overrides the
        runner driver's default (an application that sets the pragma on open);
        ``transaction`` the runner's transaction unit (`settings.TRANSACTIONS`).
        """
        try:
            self._behaviour = RUNNERS[runner]
        except KeyError:
            known = ", ".join(RUNNERS)
            raise ValueError(f"unknown runner {runner!r}; expected one of: {known}") from None
        self._runner = runner
        self._transaction = transaction or self._behaviour.transaction
        # Autocommit (isolation_level=None): the sqlite3 module must never open
        # transactions of its own; every BEGIN/COMMIT is either the runner's or the
        # file's. A scratch connection: migration SQL cannot reach other files.
        self._conn: sqlite3.Connection = scratch.connect(path)
        fk = self._behaviour.foreign_keys if foreign_keys is None else foreign_keys
        self._foreign_keys = fk
        self._functions = tuple(functions)
        self._conn.execute(f"PRAGMA foreign_keys = {'ON' if fk else 'OFF'}")
        _register_stand_ins(self._conn, functions)
        self._unavailable: dict[str, str] = {}  # lower-cased name -> name as written
        self._skipped: list[Skipped] = []
        self._after: Callable[[int], None] | None = None  # set by apply() for its run

    def fork(self) -> Sandbox:
        """A new in-memory sandbox holding a copy of this database, with the same runner,
        transaction unit, foreign key setting and function stand-ins (backup API)."""
        other = Sandbox(self._runner, self._functions, foreign_keys=self._foreign_keys,
                        transaction=self._transaction)
        self._conn.backup(other._conn)
        other._unavailable = dict(self._unavailable)
        return other

    @classmethod
    def for_settings(
        cls, settings: Settings, path: str = ":memory:", *, foreign_keys: bool | None = None
    ) -> Sandbox:
        """A sandbox that runs migrations on the connection ``settings`` describe.

        ``foreign_keys`` overrides the settings' (the fixer's proofs turn them on
        wherever they may be on).
        """
        fk = settings.foreign_keys if foreign_keys is None else foreign_keys
        return cls(settings.runner.name, settings.function_names, path,
                   foreign_keys=fk, transaction=settings.transaction)

    @property
    def connection(self) -> sqlite3.Connection:
        """The autocommit connection (``isolation_level=None``) migrations run on."""
        return self._conn

    @property
    def runner(self) -> str:
        """The runner this sandbox imitates."""
        return self._runner

    @property
    def behaviour(self) -> Runner:
        """The description of this sandbox's runner (`runners.RUNNERS`)."""
        return self._behaviour

    @property
    def transaction(self) -> str:
        """Where this sandbox puts transactions: none, migration, batch or file."""
        return self._transaction

    @property
    def unavailable_tables(self) -> frozenset[str]:
        """Virtual tables whose module this SQLite does not have, as their CREATE names them."""
        return frozenset(self._unavailable.values())

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """Statements passed over because of an unavailable virtual table, in order."""
        return tuple(self._skipped)

    def apply(
        self, pieces: Sequence[SqlPiece], *, no_transaction: bool = False,
        after: Callable[[int], None] | None = None,
    ) -> ApplyError | None:
        """Apply one migration; return why it failed, or None.

        The statements run inside one transaction unless the runner autocommits every
        statement (Prisma) or ``no_transaction`` says the file opted out (goose
        ``NO TRANSACTION``, dbmate ``transaction:false``, diesel
        ``run_in_transaction = false``, sqlx 0.9 ``-- no-transaction``). On failure
        the open transaction is rolled back, as the runner does. ``after`` is called
        with each statement's index once it has run, inside the transaction: a reader
        of `connection` sees the database between two statements.
        """
        self._after = after
        try:
            if self._transaction in ("none", "file") or no_transaction:
                return self._run_unwrapped(pieces)
            if self._behaviour.begin_unwraps_file and any(
                    _opens_transaction(p.text) for p in pieces):
                # An unknown runner whose file runs its own BEGIN evidently does not wrap
                # it (its BEGIN would fail): run it as written, as the RB rules assume.
                return self._run_unwrapped(pieces)
            # One migration on its own: drizzle's batch and a per-migration runner agree.
            failed = self._run_wrapped([pieces])
            return failed[1] if failed else None
        finally:
            self._after = None

    def apply_batch(
        self, migrations: Sequence[tuple[Sequence[SqlPiece], bool]]
    ) -> tuple[int, ApplyError] | None:
        """Apply pending migrations ``(pieces, no_transaction)`` in order, as the runner does.

        drizzle wraps ALL of them in one transaction, so a failure in the last one
        leaves none applied (drizzle has no per-file opt-out: the flags are ignored).
        Other runners apply them one by one and stop at the first failure, keeping
        the earlier ones. Returns (index of the failing migration, error) or None.
        """
        if self._transaction == "batch":
            return self._run_wrapped([pieces for pieces, _ in migrations])
        for index, (pieces, no_transaction) in enumerate(migrations):
            error = self.apply(pieces, no_transaction=no_transaction)
            if error is not None:
                return index, error
        return None

    def snapshot(self) -> SchemaSnapshot:
        """The schema of the database as SQLite reports it now."""
        return introspect(self._conn)

    def close(self) -> None:
        """Close the connection (an in-memory database is gone afterwards)."""
        self._conn.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- running statements -------------------------------------------------------

    def _run_wrapped(
        self, migrations: Sequence[Sequence[SqlPiece]]
    ) -> tuple[int, ApplyError] | None:
        """``BEGIN``, every statement of every migration, ``COMMIT``; ROLLBACK on failure."""
        conn = self._conn
        # Cannot fail through a migration (none leaves a transaction open); a caller
        # that left one open on `connection` itself gets the sqlite3 exception.
        conn.execute("BEGIN")
        for index, pieces in enumerate(migrations):
            error = self._run_pieces(pieces)
            if error is not None:
                self._rollback()
                return index, error
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            # A deferred foreign key violation keeps the transaction open; a file that
            # ran its own COMMIT already ended it (its changes stay, as in production).
            self._rollback()
            last = len(migrations) - 1
            return last, ApplyError(len(migrations[last]) if migrations else 0, None, str(exc))
        return None

    def _run_unwrapped(self, pieces: Sequence[SqlPiece]) -> ApplyError | None:
        """Every statement autocommits unless the file opens its own transaction."""
        error = self._run_pieces(pieces)
        if error is None and self._conn.in_transaction:
            self._rollback()
            return ApplyError(len(pieces), None, _LEFT_OPEN)
        if error is not None:
            # The runner stops and its connection closes, which rolls back whatever
            # transaction the file had opened; later migrations must not run inside it.
            self._rollback()
        return error

    def _run_pieces(self, pieces: Sequence[SqlPiece]) -> ApplyError | None:
        """Execute the statements in order; the first real error stops them.

        Consecutive statements of one goose ``StatementBegin`` block (same ``block``)
        run as one unit, as do several statements handed over in one piece.
        """
        index = 0
        while index < len(pieces):
            block = getattr(pieces[index], "block", None)
            end = index + 1
            while (block is not None and end < len(pieces)
                   and getattr(pieces[end], "block", None) == block):
                end += 1
            error = self._run_unit(index, pieces[index:end])
            if error is not None:
                return error
            index = end
        return None

    def _run_unit(self, first: int, pieces: Sequence[SqlPiece]) -> ApplyError | None:
        """Run ``pieces`` as ONE multi-statement exec, as goose sends a block.

        The Go SQLite drivers prepare the first statement of the text, run it, and go
        on with the rest; the first error ends the exec (and, inside the runner's
        transaction, the migration). A piece that holds several statements is cut
        where SQLite's own tokenizer (``sqlite3_complete``) cuts it.
        """
        for at, piece in enumerate(pieces):
            seed = getattr(piece, "seed", None)
            if seed is not None and seed.bounds:
                # a run of seed INSERTs (see parse): each runs as written, in order
                for statement in seed.statements(piece.text):
                    message = _execute(self._conn, statement)
                    if message is not None and not self._skip(first + at, piece, message):
                        return _apply_error(first + at, piece.span, message)
                if self._after is not None:
                    self._after(first + at)
                continue
            message = _execute(self._conn, piece.text)
            if message == _SEVERAL:
                for offset, statement in _statements_of(piece.text + "\n;"):
                    message = _execute(self._conn, statement)
                    if message is None:
                        continue
                    span = _inner_span(piece, offset, statement)
                    inner: SqlPiece = piece if span is None else Piece(statement.strip(), span)
                    if not self._skip(first + at, inner, message):
                        return _apply_error(first + at, inner.span, message)
            elif message is not None and not self._skip(first + at, piece, message):
                return _apply_error(first + at, piece.span, message)
            if self._after is not None:
                self._after(first + at)
        return None

    def _skip(self, index: int, piece: SqlPiece, message: str) -> bool:
        """Record and pass over a failure caused only by a missing virtual table module."""
        table: str | None = None
        if _NO_SUCH_MODULE.match(message):
            table = _virtual_table_name(piece.text)
            if table is not None:
                self._unavailable[table.lower()] = table
                self._drop_phantom()
        else:
            match = _NO_SUCH_TABLE.match(message)
            if match is not None:
                table = self._unavailable.get(match.group(1).lower())
        if table is None:
            return False
        self._skipped.append(Skipped(index, piece.span, table, message))
        return True

    def _drop_phantom(self) -> None:
        """Make SQLite forget the virtual table whose CREATE just failed.

        Checked on 3.40: when the transaction has already written something, the
        failed CREATE leaves the table in the connection's in-memory schema (not in
        sqlite_schema), so later statements fail with "no such module: vec0" or
        "cannot create triggers on virtual tables", even after COMMIT, until a
        statement that reads the schema table reloads it. Such a read, done here,
        makes every later use of the table fail plainly with "no such table".
        """
        self._conn.execute("SELECT count(*) FROM main.sqlite_master WHERE 0").fetchall()

    def _rollback(self) -> None:
        # Some errors (RAISE(ROLLBACK), a file's own COMMIT) already ended the
        # transaction; a ROLLBACK then would only fail.
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")


def _stand_in(*args: object) -> None:
    """What an application-registered SQL function returns in the sandbox: NULL."""
    return None


def _builtin_functions(conn: sqlite3.Connection) -> dict[str, frozenset[int]]:
    """The SQL functions this SQLite provides: lower-cased name -> argument counts
    (-1: any). Empty if it cannot say."""
    try:
        rows = conn.execute("SELECT name, narg FROM pragma_function_list").fetchall()
    except sqlite3.Error:  # PRAGMA function_list needs 3.30
        return {}
    arities: dict[str, set[int]] = {}
    for name, narg in rows:
        arities.setdefault(str(name).lower(), set()).add(int(narg))
    return {name: frozenset(counts) for name, counts in arities.items()}


# An application function with more arguments than this is not worth a stand-in.
_MAX_STAND_IN_ARGS = 16


def _register_stand_ins(conn: sqlite3.Connection, functions: Iterable[str]) -> None:
    """Give each application function a stand-in that returns NULL.

    Overriding a built-in with a NULL stand-in would only make things less real; but
    SQLite tells functions apart by argument count, so an application function that
    shares a built-in's name (``match(x)`` beside the built-in ``match(x, y)``) gets a
    stand-in for the counts the built-in lacks.
    """
    names = tuple(functions)
    if not names:
        return  # most histories: no need to ask SQLite for its function list
    builtin = _builtin_functions(conn)
    for name in names:
        counts = builtin.get(name.lower())
        if counts is None:
            conn.create_function(name, -1, _stand_in, deterministic=True)
        elif -1 not in counts:
            for narg in range(_MAX_STAND_IN_ARGS + 1):
                if narg not in counts:
                    conn.create_function(name, narg, _stand_in, deterministic=True)


def _apply_error(index: int, span: Span | None, message: str) -> ApplyError:
    match = _NO_SUCH_FUNCTION.match(message)
    return ApplyError(index, span, message, match.group(1) if match else None)


# What sqlite3's ``execute`` says of a text holding more than one statement (it
# runs none of them then).
_SEVERAL = "You can only execute one statement at a time."


def _statements_of(text: str) -> Iterator[tuple[int, str]]:
    """The statements of ``text`` with their offsets, cut where SQLite's tokenizer cuts."""
    start = 0
    end = text.find(";")
    while end != -1:
        if sqlite3.complete_statement(text[start : end + 1]):
            yield start, text[start : end + 1]
            start = end + 1
        end = text.find(";", end + 1)
    if text[start:].strip():
        yield start, text[start:]


_LEAD = re.compile(rf"{_GAP}*", re.DOTALL)


def _lead(statement: str) -> int:
    """Length of the whitespace and comments before the statement's first token."""
    match = _LEAD.match(statement)
    return match.end() if match else 0


def _inner_span(piece: SqlPiece, offset: int, statement: str) -> Span | None:
    """The span of ``statement``, found at ``offset`` in ``piece.text``, in the file."""
    span = piece.span
    if span is None:
        return span
    begin = min(len(piece.text), max(0, offset + _lead(statement)))
    stop = min(len(piece.text), max(0, offset + len(statement.rstrip())))
    if (begin, stop) == (0, len(piece.text)):
        return span

    def position(at: int) -> tuple[int, int]:
        newlines = piece.text.count("\n", 0, at)
        if not newlines:
            return span.line, span.col + at
        return span.line + newlines, at - piece.text.rfind("\n", 0, at)

    line, col = position(begin)
    end_line, end_col = position(max(begin, stop - 1))
    return Span(span.path, span.start + begin, span.start + max(stop, begin + 1), line, col,
                end_line, end_col)


def _execute(conn: sqlite3.Connection, text: str) -> str | None:
    """Run one statement to completion; return the error message, or None.

    A statement the scratch connection's authorizer refused (ATTACH of a file,
    VACUUM INTO, load_extension) fails with a message saying what and why.
    """
    scratch.forget_refusal(conn)
    try:
        cursor = conn.execute(text)
        try:
            # Step to the end: a SELECT or PRAGMA reports errors only on the row that
            # raises them, and an unfinished statement can lock a table a later DROP needs.
            cursor.fetchall()
        finally:
            cursor.close()
    except (sqlite3.Error, sqlite3.Warning, ValueError) as exc:
        # sqlite3.Warning: two statements in one piece before Python 3.12;
        # ValueError: a NUL character in the text before Python 3.11.
        refused = scratch.refusal(conn)
        if refused is not None:
            return f"refused by migrate-lint's sandbox: {refused}; it was not run"
        return str(exc)
    return None


def _unquote(ident: str) -> str:
    if ident[0] == '"':
        return ident[1:-1].replace('""', '"')
    if ident[0] == "`":
        return ident[1:-1].replace("``", "`")
    if ident[0] == "[":
        return ident[1:-1]
    return ident


def _virtual_table_name(text: str) -> str | None:
    """The table a ``CREATE VIRTUAL TABLE [schema.]name`` statement creates, if it is one."""
    match = _CREATE_VIRTUAL.match(text)
    if match is None:
        return None
    return _unquote(match.group("second") or match.group("first"))


# -- introspection ------------------------------------------------------------------

# Tables SQLite creates alongside a virtual table, by module: fts5, fts3/4, rtree.
_SHADOW_SUFFIXES = frozenset(
    {
        "data", "idx", "content", "docsize", "config",
        "segments", "segdir", "stat",
        "node", "rowid", "parent",
    }
)  # fmt: skip


@value_class
class _Kind:
    """How ``PRAGMA table_list`` classifies a table."""

    virtual: bool
    shadow: bool
    strict: bool
    without_rowid: bool


def introspect(conn: sqlite3.Connection) -> SchemaSnapshot:
    """Read the main schema of ``conn`` into a `SchemaSnapshot`.

    Internal ``sqlite_*`` tables and the shadow tables of virtual tables are left
    out, as are virtual tables whose module this SQLite lacks (their columns cannot
    be read). Tables and indexes are sorted by name, foreign keys kept in
    declaration order.
    """
    # sqlite_master: the name every version knows (the sqlite_schema alias is 3.33+).
    objects = conn.execute("SELECT type, name, tbl_name, sql FROM main.sqlite_master").fetchall()
    kinds = _table_list(conn)
    if kinds is None:
        kinds = _kinds_from_schema(conn, objects)
    tables: list[TableInfo] = []
    for obj_type, name, _tbl, _sql in objects:
        if obj_type != "table" or name.lower().startswith("sqlite_"):
            continue
        kind = kinds.get(name.lower())
        if kind is None or kind.shadow:
            continue
        try:
            columns = _columns(conn, name)
        except sqlite3.OperationalError:
            if kind.virtual:  # "no such module": declared elsewhere, unreadable here
                continue
            raise
        tables.append(
            TableInfo(
                name=name,
                columns=columns,
                indexes=_indexes(conn, name),
                foreign_keys=_foreign_keys(conn, name),
                strict=kind.strict,
                without_rowid=kind.without_rowid,
                virtual=kind.virtual,
            )
        )
    tables.sort(key=lambda t: t.name)
    views = sorted(name for obj_type, name, _t, _s in objects if obj_type == "view")
    triggers = sorted((name, tbl) for obj_type, name, tbl, _s in objects if obj_type == "trigger")
    return SchemaSnapshot(tables=tuple(tables), views=tuple(views), triggers=tuple(triggers))


def schema_sql(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """The stored SQL of every object of the main schema, keyed by ``(type, name)``.

    Keyed by type too because a trigger may share its name with a table. Objects
    without SQL (automatic indexes) and internal ``sqlite_*`` tables are left out.
    Used to check that a fix keeps triggers and indexes verbatim.
    """
    rows = conn.execute("SELECT type, name, sql FROM main.sqlite_master WHERE sql IS NOT NULL")
    return {
        (obj_type, name): sql
        for obj_type, name, sql in rows
        if not name.lower().startswith("sqlite_")
    }


def _table_list(conn: sqlite3.Connection) -> dict[str, _Kind] | None:
    """Kinds of the tables from ``PRAGMA table_list`` (SQLite >= 3.37), by lower-cased name.

    None where the pragma does not exist: SQLite ignores unknown pragmas silently,
    while a real answer always has a row, for ``sqlite_schema`` itself.
    """
    listed = conn.execute("PRAGMA main.table_list").fetchall()
    if not listed:
        return None
    kinds: dict[str, _Kind] = {}
    # Rows are (schema, name, type, ncol, wr, strict); type is table, view, virtual or shadow.
    for _schema, name, kind, _ncol, wr, strict in listed:
        if kind == "view" or name.lower().startswith("sqlite_"):
            continue
        kinds[name.lower()] = _Kind(
            virtual=kind == "virtual",
            # 'shadow' comes from the module itself; the suffix rule adds nothing for
            # fts/rtree but keeps both code paths agreeing.
            shadow=kind == "shadow" or _looks_shadow(conn, name),
            strict=bool(strict),
            without_rowid=bool(wr),
        )
    return kinds


def _kinds_from_schema(
    conn: sqlite3.Connection, objects: Sequence[tuple[str, str, str, str | None]]
) -> dict[str, _Kind]:
    """Table kinds for SQLite before 3.37 (no ``table_list``, and no STRICT either)."""
    stored = {name.lower() for _type, name, _tbl, _sql in objects}
    kinds: dict[str, _Kind] = {}
    for obj_type, name, _tbl, sql in objects:
        if obj_type != "table" or name.lower().startswith("sqlite_"):
            continue
        virtual = (sql or "").upper().startswith("CREATE VIRTUAL TABLE")
        # A WITHOUT ROWID table IS its primary key index: index_list reports that
        # index (origin 'pk') but, unlike a rowid table's, sqlite_schema has no row for it.
        pk_indexes = [
            row[0]
            for row in conn.execute(
                "SELECT name, origin FROM pragma_index_list(?, 'main')", (name,)
            )
            if row[1] == "pk"
        ]
        without_rowid = any(index.lower() not in stored for index in pk_indexes)
        kinds[name.lower()] = _Kind(virtual, _looks_shadow(conn, name), False, without_rowid)
    return kinds


def _looks_shadow(conn: sqlite3.Connection, name: str) -> bool:
    """Whether ``name`` is ``<virtual table>_<suffix>`` of a table SQLite made for it."""
    head, sep, suffix = name.rpartition("_")
    if not sep or suffix.lower() not in _SHADOW_SUFFIXES:
        return False
    row = conn.execute(
        "SELECT"
        " (SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE),"
        " (SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?2 COLLATE NOCASE)",
        (head, name),
    ).fetchone()
    parent_sql, own_sql = row
    return (
        parent_sql is not None
        and parent_sql.upper().startswith("CREATE VIRTUAL TABLE")
        and own_sql is not None
        and own_sql.upper().startswith("CREATE TABLE")
    )


def _columns(conn: sqlite3.Connection, table: str) -> tuple[ColumnInfo, ...]:
    rows = conn.execute(
        'SELECT name, type, "notnull", dflt_value, pk, hidden'
        " FROM pragma_table_xinfo(?, 'main') ORDER BY cid",
        (table,),
    )
    return tuple(
        ColumnInfo(
            name=name, type=decl, notnull=bool(notnull), default=default, pk=pk, hidden=hidden
        )
        for name, decl, notnull, default, pk, hidden in rows
    )


def _indexes(conn: sqlite3.Connection, table: str) -> tuple[IndexInfo, ...]:
    listed = conn.execute(
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?, 'main')", (table,)
    ).fetchall()
    indexes = [
        IndexInfo(
            name=name,
            unique=bool(unique),
            origin=origin,
            partial=bool(partial),
            columns=tuple(
                column
                for (column,) in conn.execute(
                    "SELECT name FROM pragma_index_xinfo(?, 'main') WHERE key = 1 ORDER BY seqno",
                    (name,),
                )
            ),
        )
        for name, unique, origin, partial in listed
    ]
    return tuple(sorted(indexes, key=lambda i: i.name))


def _foreign_keys(conn: sqlite3.Connection, table: str) -> tuple[ForeignKeyInfo, ...]:
    rows = conn.execute(
        'SELECT id, "table", "from", "to", on_update, on_delete'
        " FROM pragma_foreign_key_list(?, 'main') ORDER BY id DESC, seq",
        (table,),
    ).fetchall()
    # SQLite numbers foreign keys last-declared first: descending id is declaration order.
    return tuple(_group_foreign_keys(rows))


def _group_foreign_keys(
    rows: Sequence[tuple[int, str, str, str | None, str, str]],
) -> Iterator[ForeignKeyInfo]:
    group: list[tuple[int, str, str, str | None, str, str]] = []
    for row in rows:
        if group and row[0] != group[0][0]:
            yield _foreign_key(group)
            group = []
        group.append(row)
    if group:
        yield _foreign_key(group)


def _foreign_key(group: Sequence[tuple[int, str, str, str | None, str, str]]) -> ForeignKeyInfo:
    _id, parent, _from, _to, on_update, on_delete = group[0]
    return ForeignKeyInfo(
        table=parent,
        from_columns=tuple(row[2] for row in group),
        to_columns=tuple(row[3] for row in group),
        on_update=on_update,
        on_delete=on_delete,
    )
