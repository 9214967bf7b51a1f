"""`check --against DB`: run the pending migrations on a copy of a real database.

Static rules can only say a migration *may* fail on populated databases; the
database itself decides. The pre-flight:

1. copies the database with SQLite's backup API into a temp directory, reading the
   original through a read-only connection (committed ``-wal`` pages included);
2. reads the runner's history table (`migrate_lint.bookkeeping`) and reports drift:
   applied files that changed, applied versions missing from the folder, a dirty or
   failed run, a schema that differs from the replay at the applied version;
3. applies the pending migrations to the copy as the runner would
   (`migrate_lint.sandbox`), and reports what the data made of them: the failing
   statement with counts and one sample key (`migrate_lint.evidence`), rows lost per
   table, indexes lost, new ``foreign_key_check`` orphans, ``integrity_check``;
4. deletes the copy.

Findings carry the DB codes (rules/db_*.py hold their documentation). Nothing here
prints or exits.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from migrate_lint import scratch
from migrate_lint.bookkeeping import OWN_TABLE, TABLES, AppliedState, Match, match, read_applied
from migrate_lint.errors import MigrateLintError
from migrate_lint.evidence import explain, row_count
from migrate_lint.findings import Finding
from migrate_lint.history import History, Migration, Statement
from migrate_lint.lockholders import describe_holders
from migrate_lint.pipeline import load_timeline
from migrate_lint.registry import is_selected
from migrate_lint.replay import Timeline
from migrate_lint.result import LintResult
from migrate_lint.sandbox import Sandbox, introspect
from migrate_lint.settings import Requested
from migrate_lint.snapshot import SchemaSnapshot
from migrate_lint.span import Span
from migrate_lint.tempdirs import temp_dir
from migrate_lint.verify import snapshot_difference

__all__ = [
    "DATA_DECIDED",
    "Preflight",
    "merge_preflight",
    "merge_static",
    "open_database",
    "preflight",
    "read_only_copy",
]

# Static rules whose finding the data decides: SQLite fails (or loses rows) only on
# databases holding the rows they describe.
DATA_DECIDED = frozenset({"NN001", "NN003", "NN004", "DL007", "RB002", "RB006"})
_HEADER = b"SQLite format 3\x00"
_BOOKKEEPING = frozenset(t.lower() for t in (*TABLES.values(), OWN_TABLE))

RULE_NAMES = {
    "DB001": ("pending-migration-fails", "error"),
    "DB002": ("history-drift", "error"),
    "DB003": ("failed-migration-state", "error"),
    "DB004": ("data-lost", "error"),
    "DB005": ("broken-integrity", "error"),
    "DB006": ("cleared-by-data", "info"),
}


@dataclass(frozen=True)
class Preflight:
    """What the pre-flight found on one database.

    ``ran`` are the pending migrations (indexes into the history) that applied
    cleanly, ``failed`` the one that failed and ``failed_statement`` its statement.
    ``clean`` are the statements of migrations that applied without error or loss:
    static warnings on them that the data decides are cleared.
    """

    database: str
    copy_dir: str
    state: AppliedState
    match: Match
    findings: tuple[Finding, ...]
    ran: tuple[int, ...] = ()
    failed: int | None = None
    failed_statement: Span | None = None
    clean: tuple[Span, ...] = field(default=())
    copy_seconds: float = 0.0
    run_seconds: float = 0.0
    integrity: str = ""  # `integrity_check` after the pending migrations ("ok"), if any ran


def _finding(code: str, message: str, span: Span, help_text: str = "",
             migration: str | None = None, statement: Span | None = None) -> Finding:
    name, severity = RULE_NAMES[code]
    return Finding(code, name, severity, message, span, help_text, statement=statement,
                   migration=migration)


# -- opening and copying ----------------------------------------------------------


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise MigrateLintError(f"{path}: no such database file")
    if not os.path.isfile(path):
        raise MigrateLintError(f"{path}: not a regular file (expected an SQLite database)")
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_HEADER))
    except OSError as exc:
        raise MigrateLintError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if head and head != _HEADER:
        raise MigrateLintError(f"{path}: not an SQLite database (no SQLite header)")


def database_error(path: str, exc: sqlite3.Error) -> MigrateLintError:
    """One line naming ``path`` for an SQLite error met while opening or reading it."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        holders = describe_holders(path)
        who = f"another process, {holders}" if holders else "another process"
        return MigrateLintError(f"{path}: locked by {who}: {text}; retry when it has finished")
    if "not a database" in text:
        return MigrateLintError(f"{path}: not an SQLite database ({text})")
    if "readonly" in text or "read-only" in text:
        return MigrateLintError(f"{path}: read-only ({text}); migrate-lint needs to write it")
    return MigrateLintError(f"{path}: cannot open the database: {text}")


def open_database(path: str, *, timeout: float = 5.0) -> scratch.GuardedConnection:
    """The user's database, read-only, checked to be SQLite (MigrateLintError otherwise)."""
    _check_file(path)
    try:
        conn = scratch.connect_readonly(path, timeout=timeout)
        conn.execute("SELECT count(*) FROM main.sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise database_error(path, exc) from None
    return conn


@contextmanager
def read_only_copy(path: str, tmp_dir: str | None = None) -> Iterator[tuple[str, float]]:
    """A backup-API copy of ``path`` in a new temp directory: ``(copy path, seconds)``.

    The directory is deleted on exit, whatever happened.
    """
    if tmp_dir is not None and not os.path.isdir(tmp_dir):
        raise MigrateLintError(f"{tmp_dir}: no such directory (--tmp-dir)")
    with temp_dir("migrate-lint-preflight-", tmp_dir) as folder:
        copy = os.path.join(folder, "copy.db")
        started = time.perf_counter()
        copy_file(path, copy)
        yield copy, time.perf_counter() - started


def copy_file(path: str, dest: str) -> None:
    """Copy the user's database ``path`` into the new file ``dest`` (backup API), its
    errors said as :func:`database_error` says them."""
    source = open_database(path)
    try:
        scratch.copy_database(source, dest)
    except sqlite3.Error as exc:
        raise database_error(path, exc) from None
    finally:
        source.close()


# -- what the database holds ------------------------------------------------------


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [name for (name,) in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    out: dict[str, int] = {}
    for table in _tables(conn):
        count = row_count(conn, table)
        if count is not None:
            out[table] = count
    return out


def _indexes(conn: sqlite3.Connection) -> dict[str, str]:
    """Named indexes (those with SQL, not automatic ones) -> their table."""
    return {name: table for name, table in conn.execute(
        "SELECT name, tbl_name FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}


def _orphans(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    try:
        for table, _rowid, parent, _fk in conn.execute("PRAGMA main.foreign_key_check"):
            out[(table, parent)] = out.get((table, parent), 0) + 1
    except sqlite3.Error:
        pass  # a table whose module is missing: nothing to check there
    return out


def _without(snapshot: SchemaSnapshot, names: set[str]) -> SchemaSnapshot:
    return SchemaSnapshot(tuple(t for t in snapshot.tables if t.name.lower() not in names),
                          snapshot.views, snapshot.triggers)


def journal_when(root: str) -> dict[str, int] | None:
    """drizzle's flat layout: journal tag -> ``when`` (what drizzle stores as created_at)."""
    path = os.path.join(root, "meta", "_journal.json")
    try:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle).get("entries", [])
    except (OSError, ValueError, AttributeError):
        return None
    return {str(e["tag"]): int(e["when"]) for e in entries
            if isinstance(e, dict) and "tag" in e and isinstance(e.get("when"), int)}


# -- drift ------------------------------------------------------------------------


_REFUSES = {
    "sqlx": "sqlx refuses to migrate while an applied checksum differs",
    "flyway": "Flyway's validate fails until `flyway repair`",
    "prisma": "`prisma migrate dev` asks to reset the database",
}


def _drift(db: str, history: History, state: AppliedState, found: Match) -> list[Finding]:
    out: list[Finding] = []
    runner = state.runner
    for index in found.edited:
        m = history.migrations[index]
        consequence = _REFUSES.get(runner, "the edit never runs on this database")
        out.append(_finding(
            "DB002", f"`{m.label}` was applied to `{db}` with a different checksum: the file "
            f"was edited after it ran ({consequence})", Span.file_start(m.path),
            "restore the applied text and put the change in a new migration", m.label))
    for row in found.missing:
        out.append(_finding(
            "DB002", f"`{state.table}` records `{row.key}` as applied, but no migration of "
            f"the folder matches it", Span.file_start(db),
            "restore the migration file, or check that this is the database of this history"))
    for index in found.skipped:
        m = history.migrations[index]
        out.append(_finding(
            "DB002", f"`{m.label}` is pending on `{db}` but older than its newest applied "
            "migration: drizzle never runs it", Span.file_start(m.path),
            "give it a version newer than every applied migration", m.label))
    for row in found.failed:
        out.append(_finding(
            "DB003", f"`{state.table}` marks `{row.key}` as failed or dirty: its last run "
            "stopped half-way and the runner refuses to continue", Span.file_start(db),
            "repair the database by hand, then mark the migration resolved with the runner "
            "(`migrate force`, `prisma migrate resolve`, `flyway repair`)"))
    return out


def _schema_drift(db: str, conn: sqlite3.Connection, timeline: Timeline, sandbox: Sandbox,
                  found: Match) -> list[Finding]:
    last = found.last_applied
    if last is None or found.failed:  # half-applied: DB003 says so; no schema to compare
        return []
    model = timeline.after_migration(last)
    skip = {t.name.lower() for t in model.tables.values() if t.incomplete}
    skip |= {n.lower() for n in sandbox.unavailable_tables} | _BOOKKEEPING
    real = introspect(conn)
    # Tables the folder never made (the application's own) are not drift of the history.
    known = {t.name.lower() for t in model.snapshot().tables}
    skip |= {t.name.lower() for t in real.tables if t.name.lower() not in known}
    difference = snapshot_difference(_without(model.snapshot(), skip), _without(real, skip))
    if not difference:
        return []
    m = timeline.history.migrations[last]
    first = difference.splitlines()[0].rstrip(":")
    return [_finding(
        "DB002", f"the schema of `{db}` differs from the replay at `{m.label}` (its last "
        f"applied migration): {first}", Span.file_start(db),
        "find the change made outside the migrations and add it as a migration", m.label)]


# -- running the pending migrations -----------------------------------------------


def _head(stmt: Statement, limit: int = 90) -> str:
    text = " ".join(stmt.text.split()).rstrip(";").replace("`", "")
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _state_before(conn: sqlite3.Connection, statements: Sequence[Statement], upto: int,
                  message: str, redact: bool) -> str | None:
    """Explain ``message`` in the state just before statement ``upto`` (rolled back after)."""
    conn.execute("BEGIN")
    try:
        for stmt in statements[:upto]:
            if stmt.kind == "transaction":
                continue
            try:
                conn.execute(stmt.text).fetchall()
            except (sqlite3.Error, sqlite3.Warning, ValueError):
                continue
        return explain(conn, message, statements[upto].tables, redact=redact)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def _losses(db: str, m: Migration, conn: sqlite3.Connection, before: dict[str, int],
            after: dict[str, int], indexes_before: dict[str, str],
            indexes_after: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    stmts = m.up.statements
    dropped = {t.lower(): s for s in stmts if s.kind == "drop_table" for t in s.tables}
    # Rows a DELETE or UPDATE of the migration removes itself are meant (DL003 judges those).
    meant = {t.lower() for s in stmts if s.kind in ("delete", "update") for t in s.tables}
    for table, count in sorted(before.items()):
        now = after.get(table)
        if now is None or now >= count or table.lower() in _BOOKKEEPING | meant:
            continue
        cause, span = "", Span.file_start(m.path)
        for row in conn.execute("SELECT \"table\", on_delete FROM pragma_foreign_key_list(?)",
                                (table,)):
            parent, action = str(row[0]), str(row[1]).upper()
            stmt = dropped.get(parent.lower())
            if stmt is not None and action == "CASCADE":
                cause, span = f" (ON DELETE CASCADE from `DROP TABLE {parent}`)", stmt.span
                break
        out.append(_finding(
            "DB004", f"rows lost on `{db}`: `{table}` {count:,} → {now:,}{cause}", span,
            "turn foreign keys off around the rebuild (outside the transaction) or copy the "
            "rows back; run `migrate-lint fix`", m.label))
    explicit = {name.lower() for s in stmts if s.kind == "drop_index"
                for name in re.findall(r"[\w$]+", s.text.split(None, 2)[-1])}
    lost = sorted(name for name, table in indexes_before.items()
                  if name not in indexes_after and name.lower() not in explicit
                  and table in {t for t in indexes_after.values()} | set(after))
    if lost:
        names = ", ".join(f"`{n}`" for n in lost)
        out.append(_finding(
            "DB004", f"indexes lost on `{db}`: {names} (the migration removed them without "
            "DROP INDEX; a table rebuild drops its indexes)", Span.file_start(m.path),
            "re-create the indexes after the rebuild", m.label))
    return out


def _integrity(db: str, conn: sqlite3.Connection, where: Span, label: str,
               orphans_before: dict[tuple[str, str], int]) -> tuple[list[Finding], str]:
    out: list[Finding] = []
    for (table, parent), count in sorted(_orphans(conn).items()):
        new = count - orphans_before.get((table, parent), 0)
        if new > 0:
            out.append(_finding(
                "DB005", f"`foreign_key_check` on `{db}`: {new:,} orphan"
                f"{'s' if new != 1 else ''} in `{table}` (referencing `{parent}`) after the "
                "pending migrations", where,
                "delete or repair the orphaned rows in the migration, before it commits", label))
    rows = [str(r[0]) for r in conn.execute("PRAGMA main.integrity_check(5)")]
    if rows != ["ok"]:
        out.append(_finding(
            "DB005", f"`integrity_check` on `{db}` after the pending migrations: "
            + "; ".join(rows), where, "", label))
    return out, "; ".join(rows)


def preflight(
    database: str,
    migrations: str,
    *,
    layout: str | None = None,
    runner: str | None = None,
    tmp_dir: str | None = None,
    redact: bool = False,
    timeline: Timeline | None = None,
    requested: Requested | None = None,
) -> Preflight:
    """Run the pending migrations of ``migrations`` on a copy of ``database``.

    The original is only ever opened read-only; the copy lives in a new directory
    under ``tmp_dir`` (default: the system's) and is deleted before returning.
    ``requested`` carries the connection settings asked for by flags and config.
    Raises :class:`MigrateLintError` when the database cannot be read.
    """
    if timeline is None:
        timeline = load_timeline(migrations, layout, runner, requested=requested)
    history = timeline.history
    # The connection the runner gives migrations (foreign keys, transactions, the
    # application's functions), as `check` resolved it (`migrate_lint.settings`).
    settings = history.settings
    started = time.perf_counter()
    with read_only_copy(database, tmp_dir) as (copy, copy_seconds):
        copy_dir = os.path.dirname(copy)
        with Sandbox(settings.runner.name, settings.function_names, path=copy,
                     foreign_keys=settings.foreign_keys,
                     transaction=settings.transaction) as box:
            conn = box.connection
            # Sorting an index of a large table must not happen in memory.
            conn.execute("PRAGMA temp_store = FILE")
            try:
                state = read_applied(conn, history.runner)
            except sqlite3.Error as exc:
                raise MigrateLintError(f"{database}: history table unreadable: {exc}") from None
            found = match(state, history.migrations, when=journal_when(history.root))
            findings = _drift(database, history, state, found)
            findings += _schema_drift(database, conn, timeline, box, found)
            ran, failed, failed_span, clean, more, integrity = _run_pending(
                database, box, history, found, redact)
            findings += more
    return Preflight(database, copy_dir, state, found, tuple(findings), tuple(ran), failed,
                     failed_span, tuple(clean), copy_seconds,
                     time.perf_counter() - started - copy_seconds, integrity)


def _run_pending(db: str, box: Sandbox, history: History, found: Match, redact: bool
                 ) -> tuple[list[int], int | None, Span | None, list[Span], list[Finding], str]:
    conn = box.connection
    findings: list[Finding] = []
    ran: list[int] = []
    clean: list[Span] = []
    if found.failed:
        return ran, None, None, clean, findings, ""  # the runner refuses to go on (DB003)
    todo = [i for i in found.pending if i not in set(found.skipped)]
    if not todo:
        return ran, None, None, clean, findings, ""
    orphans_before = _orphans(conn)
    failed: int | None = None
    failed_span: Span | None = None
    for number, index in enumerate(todo):
        m = history.migrations[index]
        stmts = m.up.statements
        before, idx_before = _counts(conn), _indexes(conn)
        error = box.apply(stmts, no_transaction=m.source.no_transaction)
        if error is not None:
            failed = index
            wrapped = box.transaction in ("migration", "batch") and not m.source.no_transaction
            at = error.piece_index
            if at < len(stmts):
                stmt = stmts[at]
                failed_span = stmt.span
                facts = (_state_before(conn, stmts, at, error.message, redact) if wrapped
                         else explain(conn, error.message, stmt.tables, redact=redact))
                what = f"`{_head(stmt)}` fails on `{db}`: {error.message}"
                span = stmt.span
            else:
                facts, span = None, Span.file_start(m.path)
                what = f"`{m.label}` fails on `{db}` when it commits: {error.message}"
            if facts:
                what += f": {facts}"
            if box.transaction == "batch" and number:
                what += (f" (drizzle runs the {len(todo)} pending migrations in one "
                         "transaction: none of them is applied)")
            findings.append(_finding(
                "DB001", what, span, "make the migration handle these rows (de-duplicate, "
                "backfill, or give a default) before the statement; `migrate-lint fix` "
                "writes some of these", m.label, statement=span))
            break
        after, idx_after = _counts(conn), _indexes(conn)
        lost = _losses(db, m, conn, before, after, idx_before, idx_after)
        findings += lost
        ran.append(index)
        if not lost:
            clean += [s.span for s in stmts]
    integrity = ""
    if ran:
        last = history.migrations[ran[-1]]
        checked, integrity = _integrity(db, conn, Span.file_start(last.path), last.label,
                                        orphans_before)
        findings += checked
    return ran, failed, failed_span, clean, findings, integrity


def merge_static(findings: Sequence[Finding], pre: Preflight, *, clear: bool = True
                 ) -> list[Finding]:
    """Static findings with what the pre-flight decided.

    A data-decided finding on a statement that ran cleanly becomes a DB006 "cleared"
    note; one on the statement that failed becomes an error confirmed by the data.
    """
    out: list[Finding] = []

    def inside(f: Finding, span: Span) -> bool:
        return f.path == span.path and span.start <= f.span.start < max(span.end, span.start + 1)

    for f in findings:
        if f.code in DATA_DECIDED and pre.failed_statement is not None and inside(
                f, pre.failed_statement):
            out.append(replace(f, severity="error",
                               message=f"{f.message} (confirmed on `{pre.database}`)"))
        elif f.code in DATA_DECIDED and any(inside(f, s) for s in pre.clean):
            if clear:
                out.append(_finding(
                    "DB006", f"{f.code} [{f.name}] cleared by the data of `{pre.database}`: "
                    "the statement ran on a copy without error or lost rows", f.span,
                    "other databases may still hold rows that make it fail", f.migration,
                    f.statement))
        else:
            out.append(f)
    return out


def merge_preflight(result: LintResult, pre: Preflight) -> LintResult:
    """A lint result with the pre-flight's findings, selection and severities applied."""
    config = result.config

    def chosen(f: Finding) -> bool:
        return is_selected(f.code, config.select, config.ignore)

    merged = merge_static(result.findings, pre, clear=True)
    merged += [f for f in pre.findings]
    kept = []
    for f in merged:
        if f.code in RULE_NAMES and not chosen(f):
            continue
        level = config.severity_of(f.code)
        kept.append(f if level is None or level == f.severity else replace(f, severity=level))
    kept.sort(key=Finding.sort_key)
    return replace(result, findings=tuple(kept))
