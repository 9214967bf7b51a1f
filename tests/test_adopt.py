"""Adoption: each runner's history table, written by the runner's own bookkeeping SQL.

The statements below are the ones each runner executes on SQLite (read from their
sources: drizzle-orm sqlite-core dialect, pressly/goose sqlite3 dialect, sqlx-sqlite
migrate.rs, golang-migrate database/sqlite3). The schema of the applied migrations
is created by running the files themselves; migrate-lint must then read the pending
set correctly, and `apply` must take over without re-running anything.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import migrate_lint
from tests.dbhelp import invoke

STEPS = [
    "CREATE TABLE account (id integer PRIMARY KEY, name text);",
    "ALTER TABLE account ADD email text;",
    "CREATE TABLE post (id integer PRIMARY KEY, body text);",
]


def _drizzle(root: Path, conn: sqlite3.Connection) -> None:
    (root / "meta").mkdir(parents=True)
    entries = []
    for i, sql in enumerate(STEPS):
        tag = f"{i:04d}_step"
        (root / f"{tag}.sql").write_text(sql + "\n")
        entries.append({"idx": i, "version": "6", "when": 1_700_000_000_000 + i * 1000,
                        "tag": tag, "breakpoints": True})
    (root / "meta" / "_journal.json").write_text(
        json.dumps({"version": "7", "dialect": "sqlite", "entries": entries}))
    conn.execute('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (\n'
                 "\t\t\tid SERIAL PRIMARY KEY,\n\t\t\thash text NOT NULL,\n"
                 "\t\t\tcreated_at numeric\n\t\t)")
    for entry in entries[:2]:
        text = (root / f"{entry['tag']}.sql").read_text()
        conn.execute(text)
        digest = hashlib.sha256(text.encode()).hexdigest()
        conn.execute(f'INSERT INTO "__drizzle_migrations" ("hash", "created_at") '
                     f"VALUES('{digest}', '{entry['when']}')")


def _goose(root: Path, conn: sqlite3.Connection) -> None:
    root.mkdir()
    for i, sql in enumerate(STEPS, 1):
        (root / f"{i:05d}_step.sql").write_text(f"-- +goose Up\n{sql}\n\n-- +goose Down\n")
    conn.execute("CREATE TABLE goose_db_version (\n\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
                 "\t\tversion_id INTEGER NOT NULL,\n\t\tis_applied INTEGER NOT NULL,\n"
                 "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n\t)")
    conn.execute("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", (0, True))
    for version, sql in enumerate(STEPS[:2], 1):
        conn.execute(sql)
        conn.execute("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)",
                     (version, True))


def _sqlx(root: Path, conn: sqlite3.Connection) -> None:
    root.mkdir()
    for i, sql in enumerate(STEPS, 1):
        (root / f"{i}_step.sql").write_text(sql + "\n")
    conn.execute("CREATE TABLE IF NOT EXISTS _sqlx_migrations (\n"
                 "    version BIGINT PRIMARY KEY,\n    description TEXT NOT NULL,\n"
                 "    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
                 "    success BOOLEAN NOT NULL,\n    checksum BLOB NOT NULL,\n"
                 "    execution_time BIGINT NOT NULL\n)")
    for version in (1, 2):
        text = (root / f"{version}_step.sql").read_text()
        conn.execute(text)
        conn.execute("INSERT INTO _sqlx_migrations ( version, description, success, checksum, "
                     "execution_time ) VALUES ( ?1, ?2, TRUE, ?3, -1 )",
                     (version, "step", hashlib.sha384(text.encode()).digest()))


def _golang_migrate(root: Path, conn: sqlite3.Connection) -> None:
    root.mkdir()
    for i, sql in enumerate(STEPS, 1):
        (root / f"{i}_step.up.sql").write_text(sql + "\n")
        (root / f"{i}_step.down.sql").write_text("SELECT 1;\n")
    conn.executescript("CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);"
                       "\n  CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON "
                       "schema_migrations (version);")
    for version, sql in enumerate(STEPS[:2], 1):
        conn.execute(sql)
        conn.execute("BEGIN")
        conn.execute("DELETE FROM schema_migrations")
        conn.execute("INSERT INTO schema_migrations (version, dirty) VALUES (?, ?)",
                     (version, 0))
        conn.execute("COMMIT")


RUNNERS: dict[str, tuple[Callable[[Path, sqlite3.Connection], None], str]] = {
    "drizzle": (_drizzle, "__drizzle_migrations"),
    "goose": (_goose, "goose_db_version"),
    "sqlx": (_sqlx, "_sqlx_migrations"),
    "golang-migrate": (_golang_migrate, "schema_migrations"),
}


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_pending_set_is_read_and_apply_takes_over(runner: str, tmp_path: Path) -> None:
    write, table = RUNNERS[runner]
    root = tmp_path / "m"
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db, isolation_level=None)
    write(root, conn)
    conn.close()
    found = migrate_lint.preflight(str(db), str(root))
    assert found.state.table == table
    assert found.match.applied == (0, 1) and found.match.pending == (2,)
    assert found.match.edited == () and found.match.missing == ()
    assert [f.code for f in found.findings] == []  # no drift; the pending one runs clean
    code, out, _ = invoke("status", str(root), "--db", str(db), "--runner", runner)
    assert code == 0 and out.count("applied") == 2 and out.count("pending") == 1
    result = migrate_lint.apply(str(db), str(root), runner=runner, keep_backups=0)
    assert result.adopted_from == table and len(result.applied) == 1  # nothing re-run
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT version, adopted_from FROM migrate_lint_history").fetchall()
    conn.close()
    assert [r[1] for r in rows] == [table, table, None]


@pytest.mark.parametrize("runner", ["drizzle", "sqlx"])
def test_an_edited_applied_file_is_caught_by_the_runners_checksum(runner: str,
                                                                  tmp_path: Path) -> None:
    write, _table = RUNNERS[runner]
    root = tmp_path / "m"
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db, isolation_level=None)
    write(root, conn)
    conn.close()
    first = sorted(p for p in root.glob("*.sql"))[0]
    first.write_text(first.read_text() + "-- edited\n")
    found = migrate_lint.preflight(str(db), str(root))
    assert found.match.edited == (0,)
    code, _out, err = invoke("apply", str(root), "--db", str(db))
    assert code == 2 and "edited since they were applied" in err
