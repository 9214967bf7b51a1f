"""`migrate-lint apply`: a runner that never leaves a database between two migrations.

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction (a second applier
waits for the busy timeout, then gives up naming the lock), which also writes its
row of migrate-lint's history table, so a killed process leaves the database as it
was before or after a migration, never between. Foreign keys are off while a
migration runs, set before ``BEGIN`` (inside a transaction SQLite ignores the
pragma, which is how drizzle's rebuilds cascade), and ``foreign_key_check`` must
find no new orphan before the ``COMMIT``. A file with its own ``BEGIN``/``COMMIT``
(or a runner's opt-out marker) runs as written.

Before anything runs: the history table must match the folder (no edited or
missing applied migration), the lint gate must pass (errors in pending migrations
block unless ``force``), and the pre-flight of `migrate_lint.against` must find no
failure on a copy. Before the first change, a backup-API copy of the database is
kept beside it (the newest ``keep_backups`` of them).
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from migrate_lint import scratch
from migrate_lint.against import (
    copy_file,
    database_error,
    journal_when,
    merge_static,
    open_database,
    preflight,
    read_only_copy,
)
from migrate_lint.bookkeeping import (
    OWN_SCHEMA,
    OWN_TABLE,
    AppliedState,
    Match,
    checksum,
    match,
    migration_bytes,
    read_applied,
)
from migrate_lint.errors import MigrateLintError
from migrate_lint.findings import Finding
from migrate_lint.history import History, Migration, Statement
from migrate_lint.pipeline import load_timeline
from migrate_lint.replay import Timeline

__all__ = ["ApplyFailed", "ApplyResult", "Status", "apply", "status"]

_FK_PRAGMA = re.compile(r"^\s*PRAGMA\s+(?:main\.)?foreign_keys\s*=\s*(\w+)\s*;?\s*$", re.I)
_BACKUP = re.compile(r"\.backup-\d{8}T\d{6}\d*Z$")


class ApplyFailed(MigrateLintError):
    """A migration failed and was rolled back (the CLI exits 1, not 2).

    ``applied`` are the migrations this run applied before it (they stay applied).
    """

    def __init__(self, message: str, applied: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.applied = applied


@dataclass(frozen=True)
class ApplyResult:
    """What `apply` did: the migrations it applied, in order, and where the backup is."""

    database: str
    applied: tuple[str, ...]
    adopted_from: str | None = None  # a runner's history table taken over
    backup: str | None = None
    dry_run: bool = False
    already: int = 0  # migrations that were applied before this run


@dataclass(frozen=True)
class Status:
    """The migrations of a folder against a database's history table."""

    database: str
    table: str | None
    owner: str
    applied: tuple[str, ...]
    pending: tuple[str, ...]
    edited: tuple[str, ...]
    missing: tuple[str, ...]
    failed: tuple[str, ...]


def _labels(history: History, indexes: Sequence[int]) -> tuple[str, ...]:
    return tuple(history.migrations[i].label for i in indexes)


def _read(conn: sqlite3.Connection, database: str, history: History) -> tuple[AppliedState, Match]:
    try:
        state = read_applied(conn, history.runner)
    except sqlite3.Error as exc:
        raise database_error(database, exc) from None
    return state, match(state, history.migrations, when=journal_when(history.root))


def status(database: str, migrations: str, *, layout: str | None = None,
           runner: str | None = None) -> Status:
    """Applied, pending, edited and missing migrations of ``migrations`` on ``database``."""
    history = load_timeline(migrations, layout, runner, upto=0).history
    conn = open_database(database)
    try:
        state, found = _read(conn, database, history)
    finally:
        conn.close()
    return Status(database, state.table, state.runner, _labels(history, found.applied),
                  _labels(history, found.pending), _labels(history, found.edited),
                  tuple(r.key for r in found.missing), tuple(r.key for r in found.failed))


def _refuse_drift(database: str, history: History, state: AppliedState, found: Match) -> None:
    problems = []
    if found.edited:
        problems.append("edited since they were applied: " + ", ".join(
            _labels(history, found.edited)))
    if found.missing:
        problems.append("applied but missing from the folder: " + ", ".join(
            r.key for r in found.missing))
    if found.failed:
        problems.append("recorded as failed or dirty: " + ", ".join(r.key for r in found.failed))
    if problems:
        raise MigrateLintError(
            f"{database}: refusing to apply: migrations {'; '.join(problems)} "
            f"(history table `{state.table}`)")


def _gate(migrations: str, history: History, pending: Sequence[int], timeline: Timeline,
          layout: str | None, runner: str | None) -> list[Finding]:
    """Errors the lint finds in the pending migrations' files."""
    from migrate_lint.config import load_config
    from migrate_lint.lint import lint

    files = {os.path.realpath(s.path) for i in pending
             for s in history.migrations[i].source.up}
    # The project's configuration (select, ignore, severities) decides, as in `check`.
    config = load_config(start=migrations).merged(path=migrations, layout=layout,
                                                  runner=runner)
    result = lint([migrations], config)
    return [f for f in result.findings
            if f.severity == "error" and os.path.realpath(f.path) in files]


# -- backups ------------------------------------------------------------------------


def _backup(database: str, folder: str | None, keep: int) -> str:
    """Copy ``database`` (backup API) to ``<name>.backup-<UTC time>`` and prune old ones."""
    folder = folder or os.path.dirname(os.path.abspath(database))
    if not os.path.isdir(folder):
        raise MigrateLintError(f"{folder}: no such directory (backup directory)")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = os.path.join(folder, f"{os.path.basename(database)}.backup-{stamp}")
    partial = target + ".partial"
    copy_file(database, partial)
    os.replace(partial, target)  # a killed copy never looks like a backup
    prefix = os.path.basename(database) + ".backup-"
    ours = sorted(n for n in os.listdir(folder) if n.startswith(prefix) and _BACKUP.search(n))
    for old in ours[: max(0, len(ours) - keep)]:
        os.remove(os.path.join(folder, old))
    return target


# -- running one migration --------------------------------------------------------


def _split_pragmas(stmts: Sequence[Statement]) -> tuple[list[str], list[Statement], list[str]]:
    """Leading and trailing ``PRAGMA foreign_keys`` of a file, hoisted out of the transaction."""
    body = list(stmts)
    head: list[str] = []
    tail: list[str] = []
    while body and _FK_PRAGMA.match(body[0].text):
        head.append(body.pop(0).text)
    while body and _FK_PRAGMA.match(body[-1].text):
        tail.insert(0, body.pop().text)
    return head, body, tail


def _orphans(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM pragma_foreign_key_check").fetchone()[0])


def _head(stmt: Statement) -> str:
    text = " ".join(stmt.text.split()).rstrip(";").replace("`", "")
    return text if len(text) <= 90 else text[:87] + "..."


def _run(conn: scratch.GuardedConnection, migration: Migration, database: str,
         owner: str) -> bool:
    """Apply one migration and its history row; False when another applier already did.

    Raises `ApplyFailed` (after rolling back) naming the statement that failed.
    """
    head, body, tail = _split_pragmas(migration.up.statements)
    own_tx = migration.source.no_transaction or any(s.kind == "transaction" for s in body)
    conn.execute("PRAGMA foreign_keys = OFF")  # outside any transaction: SQLite honours it
    for text in head:
        conn.execute(text)
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = conn.execute(f"SELECT 1 FROM {OWN_TABLE} WHERE version = ?",
                            (migration.version,)).fetchone()
        if done is not None:
            conn.execute("ROLLBACK")
            return False
        orphans = _orphans(conn)
        if own_tx:
            # The file manages its own transactions: it runs as written, unwrapped.
            conn.execute("COMMIT")
        for stmt in body:
            scratch.forget_refusal(conn)
            try:
                conn.execute(stmt.text).fetchall()
            except (sqlite3.Error, sqlite3.Warning, ValueError) as exc:
                why = scratch.refusal(conn) or str(exc)
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                kept = " (the file runs its own transactions: what it committed stays)" \
                    if own_tx else "; it was rolled back"
                raise ApplyFailed(
                    f"{stmt.span}: {migration.label} failed{kept}: `{_head(stmt)}`: {why}"
                ) from None
        if own_tx:
            conn.execute("BEGIN IMMEDIATE")
        new = _orphans(conn) - orphans
        if new > 0:
            conn.execute("ROLLBACK")
            raise ApplyFailed(
                f"{migration.path}: {migration.label} failed; it was rolled back: "
                f"foreign_key_check finds {new} new orphan row(s)")
        conn.execute(
            f"INSERT INTO {OWN_TABLE} (version, name, checksum, applied_at, duration_ms) "
            "VALUES (?, ?, ?, ?, ?)",
            (migration.version, migration.label,
             checksum("migrate-lint", migration_bytes(migration)),
             datetime.now(timezone.utc).isoformat(timespec="seconds"),
             int((time.perf_counter() - started) * 1000)))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    for text in tail:
        conn.execute(text)
    return True


def _accept(database: str, history: History, edited: Sequence[int], state: AppliedState,
            busy_timeout: float) -> None:
    """Record the current checksums of ``edited`` in migrate-lint's table."""
    if state.runner != "migrate-lint":
        return  # adoption records the files as they are now
    try:
        conn = scratch.connect_target(database, timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise database_error(database, exc) from None
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            f"UPDATE {OWN_TABLE} SET checksum = ? WHERE version = ?",
            [(checksum("migrate-lint", migration_bytes(m)), m.version)
             for m in (history.migrations[i] for i in edited)])
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise database_error(database, exc) from None
    finally:
        conn.close()


def _adopt(conn: sqlite3.Connection, history: History, state: AppliedState,
           found: Match) -> str | None:
    """Create migrate-lint's table; copy the applied set of a runner's table into it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        exists = conn.execute("SELECT 1 FROM main.sqlite_master WHERE name = ?",
                              (OWN_TABLE,)).fetchone()
        adopted = None
        if exists is None:
            conn.execute(OWN_SCHEMA)
            if state.table is not None and state.runner != "migrate-lint":
                adopted = state.table
                now = datetime.now(timezone.utc).isoformat(timespec="seconds")
                conn.executemany(
                    f"INSERT INTO {OWN_TABLE} VALUES (?, ?, ?, ?, 0, ?)",
                    [(m.version, m.label, checksum("migrate-lint", migration_bytes(m)), now,
                      state.table) for m in (history.migrations[i] for i in found.applied)])
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return adopted


def apply(
    database: str,
    migrations: str,
    *,
    to: str | None = None,
    force: bool = False,
    run_preflight: bool = True,
    dry_run: bool = False,
    backup_dir: str | None = None,
    keep_backups: int = 5,
    busy_timeout: float = 5.0,
    layout: str | None = None,
    runner: str | None = None,
    accept_edited: bool = False,
) -> ApplyResult:
    """Apply the pending migrations of ``migrations`` to ``database`` (up to version ``to``).

    Raises `MigrateLintError` for a database or folder that cannot be used, a refused
    start (edited or missing applied migrations, lint errors or a failing pre-flight
    without ``force``), and `ApplyFailed` when a migration fails (rolled back).
    ``accept_edited`` records the current checksum of edited applied migrations
    instead of refusing (as ``flyway repair`` does): for an edit that a new migration
    carries to databases that ran the old text, as `migrate-lint fix` writes them.
    """
    timeline = load_timeline(migrations, layout, runner)
    history = timeline.history
    probe = open_database(database, timeout=busy_timeout)
    try:
        state, found = _read(probe, database, history)
    finally:
        probe.close()
    if accept_edited and found.edited and not dry_run:
        _accept(database, history, found.edited, state, busy_timeout)
        found = Match(found.applied, found.pending, (), found.missing, found.failed,
                      found.skipped)
    _refuse_drift(database, history, state, found)
    pending = list(found.pending)
    if to is not None:
        stop = history.find(to)
        if stop is None:
            raise MigrateLintError(f"{migrations}: no migration `{to}` (--to)")
        pending = [i for i in pending if i <= stop]
    if not pending:
        return ApplyResult(database, (), already=len(found.applied), dry_run=dry_run)
    if not force:
        errors = _gate(migrations, history, pending, timeline, layout, runner)
        if errors:
            first = errors[0]
            raise MigrateLintError(
                f"{first.span}: refusing to apply: {len(errors)} lint error(s) in pending "
                f"migrations, first {first.code} [{first.name}] (fix them, or --force)")
    if run_preflight and not force:
        pre = preflight(database, migrations, timeline=timeline)
        blocking = [f for f in merge_static(pre.findings, pre) if f.severity == "error"]
        if blocking:
            first = blocking[0]
            raise MigrateLintError(
                f"{first.span}: refusing to apply: the pre-flight on a copy fails: "
                f"{first.code} {first.message} (--force to apply anyway)")
    if dry_run:
        with read_only_copy(database) as (copy, _seconds):
            applied, adopted, _ = _apply_all(copy, history, state, found, pending,
                                             busy_timeout, None)
        return ApplyResult(database, applied, adopted, None, True, len(found.applied))
    # No write bit is read-only even for root, who os.access always lets through.
    if not os.stat(database).st_mode & 0o222 or not os.access(database, os.W_OK) or not os.access(
            os.path.dirname(os.path.abspath(database)), os.W_OK):
        raise MigrateLintError(f"{database}: read-only (no permission to write it or its "
                               "directory, where SQLite keeps its journal)")
    keep = (backup_dir, keep_backups) if keep_backups > 0 else None
    applied, adopted, backup = _apply_all(database, history, state, found, pending,
                                          busy_timeout, keep)
    return ApplyResult(database, applied, adopted, backup, False, len(found.applied))


def _apply_all(path: str, history: History, state: AppliedState, found: Match,
               pending: Sequence[int], busy_timeout: float,
               backup: tuple[str | None, int] | None,
               ) -> tuple[tuple[str, ...], str | None, str | None]:
    try:
        conn = scratch.connect_target(path, timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise database_error(path, exc) from None
    applied: list[str] = []
    kept: str | None = None
    try:
        try:
            # Take the write lock before the backup: a locked database gets nothing
            # written beside it, and the backup is what the first migration starts from.
            conn.execute("BEGIN IMMEDIATE")
            try:
                if backup is not None:
                    kept = _backup(path, backup[0], backup[1])
            finally:
                conn.execute("ROLLBACK")
            adopted = _adopt(conn, history, state, found)
            for index in pending:
                migration = history.migrations[index]
                try:
                    if _run(conn, migration, path, state.runner):
                        applied.append(migration.label)
                except ApplyFailed as failed:
                    raise ApplyFailed(str(failed), tuple(applied)) from None
        except sqlite3.Error as exc:
            raise database_error(path, exc) from None
    finally:
        conn.close()
    return tuple(applied), adopted, kept
