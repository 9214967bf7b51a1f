"""The one way migrate-lint opens SQLite: a scratch database that migration SQL cannot escape.

Migration files are untrusted input (they arrive in pull requests, and CI runs
``schema --verify`` and ``fix`` on them). SQL reaches files outside the database
through ``ATTACH DATABASE 'app.db'`` (relative to the current directory),
``VACUUM INTO 'x.db'`` and ``load_extension()``, and steers temp files with
``PRAGMA temp_store_directory``. Every connection that runs migration SQL, or
SQL built from it, is opened by `connect`, whose authorizer refuses all of them:

- ATTACH (and ``VACUUM INTO``, which SQLite authorizes as an ATTACH of its target)
  of anything but a new in-memory database;
- ``load_extension``;
- the pragmas that move SQLite's files (``temp_store_directory``,
  ``data_store_directory``).

Temp storage is in memory, so the connection never writes a file of its own
either. A refused statement fails with SQLite's "not authorized"; `refusal`
says what was refused and why, for the finding that reports it.

    >>> conn = connect()
    >>> try:
    ...     conn.execute("ATTACH DATABASE 'app.db' AS prod")
    ... except sqlite3.DatabaseError as exc:
    ...     print(exc, "/", refusal(conn))
    not authorized / ATTACH of the file 'app.db' (migration SQL may only attach in-memory databases)
    >>> conn.execute("ATTACH DATABASE ':memory:' AS aux") is not None
    True
"""

from __future__ import annotations

import sqlite3
from types import FrameType
from typing import Any

__all__ = [
    "GuardedConnection",
    "connect",
    "connect_readonly",
    "connect_target",
    "copy_database",
    "forget_refusal",
    "in_callback",
    "refusal",
]

# Filenames that open a new, private, in-memory database: nothing on disk.
_IN_MEMORY = frozenset({"", ":memory:"})
# Pragmas that choose where SQLite writes files.
_FILE_PRAGMAS = frozenset({"temp_store_directory", "data_store_directory"})
# SQL functions that reach the file system.
_FILE_FUNCTIONS = frozenset({"load_extension"})
# The actions `_refused` may refuse: the authorizer answers every other one at once.
_WATCHED = frozenset({sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_PRAGMA})
_OK = sqlite3.SQLITE_OK


class _Guard:
    """The authorizer of one connection, remembering what it refused last.

    A separate object, not a method of the connection: the connection holds the
    guard, and the guard does not hold the connection (no reference cycle).
    """

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: str | None = None

    def __call__(
        self, action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None
    ) -> int:
        if action not in _WATCHED:  # most of the dozen SQLite asks about per statement
            return _OK
        why = _refused(action, arg1, arg2)
        if why is None:
            return _OK
        self.last = why
        return sqlite3.SQLITE_DENY


class GuardedConnection(sqlite3.Connection):
    """A connection opened by `connect`: its authorizer keeps migration SQL inside."""

    guard: _Guard


def _refused(action: int, arg1: str | None, arg2: str | None) -> str | None:
    """Why ``action`` is refused, or None when it is allowed."""
    if action == sqlite3.SQLITE_ATTACH and (arg1 is None or arg1 not in _IN_MEMORY):
        # arg1 is None when the filename is an expression, not a literal: unknowable.
        target = "a computed file name" if arg1 is None else f"the file {arg1!r}"
        return f"ATTACH of {target} (migration SQL may only attach in-memory databases)"
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _FILE_FUNCTIONS:
        return f"{arg2}() (migration SQL may not load code into the linter)"
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _FILE_PRAGMAS:
        return f"PRAGMA {arg1} (migration SQL may not choose where SQLite writes files)"
    return None


# The code SQLite calls back into while it prepares a statement.
_CALLBACKS = frozenset({_Guard.__call__.__code__, _refused.__code__})


def in_callback(frame: FrameType | None) -> bool:
    """True when ``frame`` (a signal handler's) runs inside the authorizer, which SQLite
    calls while it prepares a statement: an exception raised there never reaches the
    caller, since sqlite3 turns a callback's exception into "not authorized"."""
    for _ in range(3):  # the handler may run in a function the authorizer calls
        if frame is None:
            return False
        if frame.f_code in _CALLBACKS:
            return True
        frame = frame.f_back
    return False


def connect(path: str = ":memory:", *, autocommit: bool = True, **kwargs: Any) -> GuardedConnection:
    """Open a guarded scratch connection (``isolation_level=None`` when ``autocommit``).

    ``path`` is migrate-lint's own choice (":memory:" or a file it made in its own
    scratch directory), never one taken from migration text.
    """
    if autocommit:
        kwargs.setdefault("isolation_level", None)
    conn = sqlite3.connect(path, factory=GuardedConnection, **kwargs)
    assert isinstance(conn, GuardedConnection)
    conn.guard = _Guard()
    conn.set_authorizer(conn.guard)
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def refusal(conn: sqlite3.Connection) -> str | None:
    """What the authorizer of ``conn`` last refused, or None (also for unguarded connections)."""
    guard = getattr(conn, "guard", None)
    return guard.last if isinstance(guard, _Guard) else None


def forget_refusal(conn: sqlite3.Connection) -> None:
    """Clear `refusal` before running the next statement."""
    guard = getattr(conn, "guard", None)
    if isinstance(guard, _Guard):
        guard.last = None


# -- the user's own database files --------------------------------------------------
#
# `check --against` and `apply` open a database the user named. It is opened here too,
# so it gets the same authorizer (the migrations applied to it are as untrusted as in
# the sandbox), and by URI so that read-only really is read-only.


def _file_uri(path: str, mode: str) -> str:
    from pathlib import Path

    return f"{Path(path).resolve().as_uri()}?mode={mode}"


def connect_readonly(path: str, *, timeout: float = 5.0) -> GuardedConnection:
    """Open the user's database ``path`` read-only (``mode=ro``): it can never be written.

    SQLite reads committed pages from a ``-wal`` file beside it, so a copy taken
    through this connection holds what the application last committed.
    """
    conn = sqlite3.connect(_file_uri(path, "ro"), uri=True, timeout=timeout,
                           isolation_level=None, factory=GuardedConnection)
    assert isinstance(conn, GuardedConnection)
    conn.guard = _Guard()
    conn.set_authorizer(conn.guard)
    return conn


def connect_target(path: str, *, timeout: float = 5.0) -> GuardedConnection:
    """Open the user's database ``path`` read-write for `migrate-lint apply` to migrate.

    ``mode=rw``: a missing file is an error, never a new empty database. Autocommit:
    every transaction is the applier's own ``BEGIN IMMEDIATE``. ``timeout`` is the
    busy timeout a second applier waits for the first one's lock.
    """
    conn = sqlite3.connect(_file_uri(path, "rw"), uri=True, timeout=timeout,
                           isolation_level=None, factory=GuardedConnection)
    assert isinstance(conn, GuardedConnection)
    conn.guard = _Guard()
    conn.set_authorizer(conn.guard)
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def copy_database(source: sqlite3.Connection, dest_path: str, *, pages: int = 1024) -> None:
    """Copy the database open on ``source`` into the new file ``dest_path`` (backup API).

    The copy goes ``pages`` pages at a time, so memory stays flat whatever the size.
    """
    dest = connect(dest_path)
    try:
        source.backup(dest, pages=pages)
    finally:
        dest.close()
