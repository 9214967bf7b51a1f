"""What a database has applied: the history tables runners keep, read and matched to files.

Each runner records applied migrations its own way (RUNNERS.md): drizzle a hash and
the journal time, goose and dbmate versions, golang-migrate one version and a dirty
flag, sqlx and Prisma checksums and a success flag, Flyway a CRC32. `read_applied`
reads whichever table the database holds (migrate-lint's own first), and `match`
lines its rows up with the migrations of a folder: applied, pending, edited (the
runner stored a checksum and the file no longer has it), missing from the folder,
and failed (dirty, or a run that never finished).

    >>> from migrate_lint import scratch
    >>> conn = scratch.connect()
    >>> _ = conn.execute("CREATE TABLE schema_migrations (version bigint, dirty boolean)")
    >>> _ = conn.execute("INSERT INTO schema_migrations VALUES (2, 0)")
    >>> state = read_applied(conn, "golang-migrate")
    >>> state.table, [(row.key, row.ok) for row in state.rows]
    ('schema_migrations', [('2', True)])
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from migrate_lint import bounded
from migrate_lint.history import Migration
from migrate_lint.runners import RUNNERS
from migrate_lint.span import split_lines
from migrate_lint.values import value_class

__all__ = [
    "OWN_TABLE",
    "TABLES",
    "Applied",
    "AppliedState",
    "Match",
    "checksum",
    "match",
    "read_applied",
]

# migrate-lint's own history table (`migrate-lint apply`).
OWN_TABLE = "migrate_lint_history"
OWN_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {OWN_TABLE} ("
    "version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, "
    "applied_at text NOT NULL, duration_ms integer NOT NULL, adopted_from text)"
)

# Runner -> the table it keeps (dbmate and golang-migrate share a name), as
# runners.RUNNERS says; read in this order when the runner is not known.
TABLES = {name: table for name in ("drizzle", "goose", "sqlx", "golang-migrate", "dbmate",
                                   "diesel", "prisma", "flyway")
          if (table := RUNNERS[name].history_table) is not None}


@value_class
class Applied:
    """One migration as a history table records it.

    ``key`` is what the runner identifies it by (a version, a folder name, or for
    drizzle the journal time in milliseconds); ``checksum`` is in the runner's own
    algorithm (hex, or Flyway's signed CRC32 as decimal) when it stores one; ``ok``
    is False for a dirty or failed run.
    """

    key: str
    checksum: str | None = None
    ok: bool = True


@dataclass(frozen=True)
class AppliedState:
    """The history table found in a database (``table`` None: none) and its rows."""

    runner: str  # whose table: a runner name, or "migrate-lint"
    table: str | None
    rows: tuple[Applied, ...]


@dataclass(frozen=True)
class Match:
    """A folder's migrations (by index in history order) against a database's rows."""

    applied: tuple[int, ...]
    pending: tuple[int, ...]
    edited: tuple[int, ...]
    missing: tuple[Applied, ...]  # rows whose migration is not in the folder
    failed: tuple[Applied, ...]  # dirty or unfinished runs
    # pending migrations the runner will never run (drizzle: older than the newest applied)
    skipped: tuple[int, ...] = ()

    @property
    def last_applied(self) -> int | None:
        """Index of the last applied migration when the applied ones are a prefix."""
        if self.applied != tuple(range(len(self.applied))):
            return None
        return len(self.applied) - 1 if self.applied else None


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1].lower() for row in conn.execute(f'PRAGMA main.table_info("{table}")')}


def _exists(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
        (table,),
    ).fetchone()
    return row is not None


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "t"}
    return bool(value)


def _rows(conn: sqlite3.Connection, runner: str, table: str) -> tuple[Applied, ...]:
    """The rows of ``runner``'s table ``table``, as the runner reads them."""
    q = conn.execute
    if runner == "migrate-lint":
        return tuple(Applied(v, c) for v, c in q(f"SELECT version, checksum FROM {table}"))
    if runner == "drizzle":
        cols = _columns(conn, table)
        key = "name" if "name" in cols else "created_at"
        return tuple(Applied(_text(k), h) for k, h in q(f"SELECT {key}, hash FROM {table}"))
    if runner == "goose":
        # goose inserts a row per up (and, before v3, one with is_applied = 0 per down):
        # the latest row of each version says whether it is applied. Version 0 is goose's own.
        latest: dict[int, bool] = {}
        for version, applied in q(f"SELECT version_id, is_applied FROM {table} ORDER BY id"):
            latest[int(version)] = _truthy(applied)
        return tuple(Applied(str(v)) for v, on in latest.items() if on and v != 0)
    if runner == "sqlx":
        return tuple(Applied(str(v), _text(c), _truthy(ok))
                     for v, c, ok in q(f"SELECT version, checksum, success FROM {table}"))
    if runner == "golang-migrate":
        return tuple(Applied(str(v), None, not _truthy(d))
                     for v, d in q(f"SELECT version, dirty FROM {table}"))
    if runner in ("dbmate", "diesel"):
        return tuple(Applied(_text(v)) for (v,) in q(f"SELECT version FROM {table}"))
    if runner == "prisma":
        return tuple(
            Applied(name, c, finished is not None)
            for name, c, finished in q(
                f"SELECT migration_name, checksum, finished_at FROM {table} "
                "WHERE rolled_back_at IS NULL"
            )
        )
    if runner == "flyway":
        return tuple(
            Applied(_text(v), None if c is None else _text(c), _truthy(ok))
            for v, c, ok in q(f"SELECT version, checksum, success FROM {table} "
                              "WHERE version IS NOT NULL ORDER BY installed_rank")
        )
    return ()


def read_applied(conn: sqlite3.Connection, runner: str) -> AppliedState:
    """The history table of ``conn``: migrate-lint's own, else ``runner``'s, else any known one.

    Raises ``sqlite3.Error`` when a table exists but does not have its runner's columns.
    """
    candidates = [("migrate-lint", OWN_TABLE)]
    if runner in TABLES:
        candidates.append((runner, TABLES[runner]))
    candidates += [(r, t) for r, t in TABLES.items() if r != runner]
    for owner, table in candidates:
        if not _exists(conn, table):
            continue
        if table == "schema_migrations":
            # golang-migrate's has a dirty flag; dbmate's only versions.
            owner = "golang-migrate" if "dirty" in _columns(conn, table) else "dbmate"
        return AppliedState(owner, table, _rows(conn, owner, table))
    return AppliedState(runner, None, ())


# -- checksums, each as its runner computes it --------------------------------------


def migration_bytes(migration: Migration) -> bytes:
    """The bytes of the file(s) holding a migration's up direction."""
    paths = dict.fromkeys(section.path for section in migration.source.up)
    return b"".join(bounded.read_regular(path) for path in paths)


def _flyway_crc(data: bytes) -> str:
    """Flyway's checksum: CRC32 over the lines without their line endings, signed."""
    text = data.decode("utf-8")
    text = text.removeprefix("\ufeff")
    crc = 0
    # Flyway reads lines with Java's BufferedReader.readLine: \n, \r and \r\n end one,
    # a form feed or U+2028 does not (str.splitlines would break there too)
    for line in split_lines(text):
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return str(crc - (1 << 32) if crc >= 1 << 31 else crc)


_CHECKSUMS: dict[str, Callable[[bytes], str]] = {
    "migrate-lint": lambda data: hashlib.sha256(data).hexdigest(),
    "drizzle": lambda data: hashlib.sha256(data).hexdigest(),
    "prisma": lambda data: hashlib.sha256(data).hexdigest(),
    "sqlx": lambda data: hashlib.sha384(data).hexdigest(),
    "flyway": _flyway_crc,
}


def checksum(runner: str, data: bytes) -> str | None:
    """``data``'s checksum as ``runner`` stores it, or None for runners that keep none."""
    compute = _CHECKSUMS.get(runner)
    return compute(data) if compute is not None else None


# -- matching rows to files ---------------------------------------------------------


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value).lstrip("0") or "0"


def _flyway_version(value: str) -> str:
    return ".".join(part.lstrip("0") or "0" for part in re.split(r"[._]", value))


def _timestamp_millis(version: str) -> str | None:
    """drizzle-kit v1 folders: ``YYYYMMDDHHmmss`` read as UTC milliseconds."""
    if not re.fullmatch(r"\d{14}", version):
        return None
    moment = datetime.strptime(version, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    return str(int(moment.timestamp() * 1000))


def key_of(owner: str, migration: Migration, when: dict[str, int] | None = None, *,
           by_name: bool = False) -> str:
    """How ``owner``'s table identifies ``migration`` (``by_name``: drizzle's ``name`` column)."""
    version = migration.version
    if owner == "prisma" or (owner == "drizzle" and by_name):
        return migration.label
    if owner == "drizzle":
        if when is not None and migration.label in when:
            return str(when[migration.label])
        return _timestamp_millis(version) or migration.label
    if owner == "flyway":
        return _flyway_version(version)
    if owner == "migrate-lint":
        return version
    return _digits(version)


def _row_key(owner: str, row: Applied) -> str:
    if owner in ("prisma", "migrate-lint", "drizzle"):
        return row.key
    if owner == "flyway":
        return _flyway_version(row.key)
    return _digits(row.key)


# cc: one branch per runner's bookkeeping shape (golang-migrate's single row, drizzle's times or
#   names, checksums)
def match(
    state: AppliedState,
    migrations: Sequence[Migration],
    *,
    when: dict[str, int] | None = None,
    data: Callable[[Migration], bytes] = migration_bytes,
) -> Match:
    """Line up the rows of ``state`` with ``migrations`` (history order).

    ``when`` maps drizzle journal tags to their ``when`` times (flat drizzle layout).
    """
    owner = state.runner
    # drizzle tables with a `name` column are keyed by folder name, older ones by time.
    by_name = any(not row.key.isdigit() for row in state.rows)
    keys = [key_of(owner, m, when, by_name=by_name) for m in migrations]
    rows = {_row_key(owner, row): row for row in state.rows}
    applied: list[int] = []
    edited: list[int] = []
    if owner == "golang-migrate" and rows:
        # One row: the current version; every lower one is applied.
        (current,) = list(rows.values())[-1:]
        top = int(_digits(current.key))
        applied = [i for i, k in enumerate(keys) if int(k) <= top]
        known = {keys[i] for i in applied}
        missing: tuple[Applied, ...] = () if _digits(current.key) in known else (current,)
        failed: tuple[Applied, ...] = () if current.ok else (current,)
        pending = [i for i in range(len(migrations)) if i not in set(applied)]
        return Match(tuple(applied), tuple(pending), (), missing, failed)
    for index, key in enumerate(keys):
        row = rows.get(key)
        if row is None or not row.ok:
            continue
        applied.append(index)
        if row.checksum is not None:
            expected = checksum(owner, data(migrations[index]))
            if expected is not None and expected.lower() != row.checksum.lower():
                edited.append(index)
    known_keys = set(keys)
    missing = tuple(r for k, r in rows.items() if k not in known_keys)
    failed = tuple(r for r in rows.values() if not r.ok)
    done = set(applied)
    pending = [i for i in range(len(migrations)) if i not in done]
    skipped: list[int] = []
    if owner == "drizzle" and rows and all(k.isdigit() for k in rows):
        # drizzle runs only migrations newer than the newest applied one.
        newest = max(int(k) for k in rows)
        skipped = [i for i in pending if keys[i].isdigit() and int(keys[i]) <= newest]
    return Match(tuple(applied), tuple(pending), tuple(edited), missing, failed, tuple(skipped))
