"""`apply`, `status`, `new` and the Python API on real database files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

import migrate_lint
from migrate_lint.applier import ApplyFailed
from migrate_lint.errors import MigrateLintError
from migrate_lint.testing import migrated_db  # noqa: F401 (the fixture under test)
from tests.dbhelp import build, dump, invoke, run_cli
from tests.rules.harness import write_history

HISTORY = """CREATE TABLE account (id integer PRIMARY KEY, name text NOT NULL);
-- migration
CREATE TABLE post (id integer PRIMARY KEY, account_id integer REFERENCES account (id) ON DELETE CASCADE, body text);
CREATE INDEX post_account ON post (account_id);
-- migration
ALTER TABLE account ADD email text;
"""


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_apply_to_head_then_nothing_pending(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", HISTORY, db, 0)
    code, out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db))
    assert code == 0, err
    assert out.count("applied ") == 3 and "backup: " in out
    assert [r[0] for r in _rows(db, "SELECT version FROM migrate_lint_history ORDER BY 1")] == [
        "0001", "0002", "0003"]
    code, out, _ = invoke("apply", str(tmp_path / "m"), "--db", str(db))
    assert code == 0 and "up to date (3 applied)" in out
    code, out, _ = invoke("status", str(tmp_path / "m"), "--db", str(db))
    assert code == 0 and out.count("applied ") == 3 and "pending" not in out


def test_to_version_and_status_lists_pending(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", HISTORY, db, 0)
    assert invoke("apply", str(tmp_path / "m"), "--db", str(db), "--to", "0002_b")[0] == 0
    code, out, _ = invoke("status", str(tmp_path / "m"), "--db", str(db))
    assert code == 0
    assert out.splitlines()[1:] == ["applied 0001_a", "applied 0002_b", "pending 0003_c"]


def test_refuses_edited_and_missing_applied_migrations(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    files = build(tmp_path / "m", HISTORY, db, 2)
    files[0].write_text(files[0].read_text() + "-- edited\n")
    before = dump(db)
    code, _out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db))
    assert code == 2 and "edited since they were applied: 0001_a" in err
    assert err.count("\n") == 1
    assert invoke("status", str(tmp_path / "m"), "--db", str(db))[1].startswith(
        "history table: `migrate_lint_history`")
    files[0].write_text(files[0].read_text().replace("-- edited\n", ""))
    files[1].unlink()
    code, _out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db))
    assert code == 2 and "applied but missing from the folder: 0002" in err
    assert dump(db) == before


def test_lint_gate_blocks_errors_unless_forced(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    text = HISTORY + "-- migration\nALTER TABLE account ADD age integer NOT NULL;\n"
    build(tmp_path / "m", text, db, 3)
    code, _out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db))
    assert code == 2 and "refusing to apply: 1 lint error(s)" in err and "NN001" in err
    # On an empty table SQLite accepts it: --force applies it
    code, out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db), "--force")
    assert code == 0 and "applied 0004_d" in out, err


def test_failure_rolls_back_and_names_the_statement(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    text = HISTORY + ("-- migration\nALTER TABLE account ADD note text;\n"
                      "CREATE UNIQUE INDEX account_name ON account (name);\n")
    build(tmp_path / "m", text, db, 3)
    conn = sqlite3.connect(db)
    conn.executemany("INSERT INTO account (name) VALUES (?)", [("ann",), ("ann",)])
    conn.commit()
    conn.close()
    before = dump(db)
    code, _out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db))
    assert code == 2 and "pre-flight" in err and "DB001" in err and "'ann' ×2" in err
    code, _out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db), "--force")
    assert code == 1
    assert "0004_d.sql:2:1: 0004_d failed; it was rolled back" in err
    assert "UNIQUE constraint failed: account.name" in err
    assert dump(db) == before  # the ADD before it was rolled back too


def test_foreign_keys_are_off_outside_the_transaction(tmp_path: Path) -> None:
    """A rebuild of a parent keeps the children that ON DELETE CASCADE would delete."""
    db = tmp_path / "app.db"
    text = HISTORY + ("-- migration\nCREATE TABLE account_new (id integer PRIMARY KEY, "
                      "name text NOT NULL, email text, age integer);\n"
                      "INSERT INTO account_new (id, name, email) SELECT id, name, email FROM account;\n"
                      "DROP TABLE account;\nALTER TABLE account_new RENAME TO account;\n")
    build(tmp_path / "m", text, db, 3)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO account (id, name) VALUES (1, 'a')")
    conn.executemany("INSERT INTO post (account_id) VALUES (?)", [(1,), (1,)])
    conn.commit()
    conn.close()
    code, _out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db), "--force")
    assert code == 0, err
    assert _rows(db, "SELECT count(*) FROM post") == [(2,)]


def test_new_orphans_fail_the_migration(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", HISTORY + "-- migration\nDELETE FROM account;\n", db, 3)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO account (id, name) VALUES (1, 'a')")
    conn.execute("INSERT INTO post (account_id) VALUES (1)")
    conn.commit()
    conn.close()
    before = dump(db)
    code, _out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db), "--force")
    assert code == 1 and "foreign_key_check finds 1 new orphan row(s)" in err
    assert dump(db) == before


def test_dry_run_leaves_the_database_alone(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", HISTORY, db, 1)
    before = db.read_bytes()
    code, out, _ = invoke("apply", str(tmp_path / "m"), "--db", str(db), "--dry-run")
    assert code == 0 and "would apply 0002_b" in out and "would apply 0003_c" in out
    assert db.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["app.db", "m"]


def test_backups_keep_the_last_n(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    root = tmp_path / "m"
    write_history(HISTORY, root)
    db.write_bytes(b"")
    backups = tmp_path / "backups"
    backups.mkdir()
    for label in ("0001_a", "0002_b", "0003_c"):
        result = migrate_lint.apply(str(db), str(root), to=label, backup_dir=str(backups),
                                    keep_backups=2)
        assert result.applied == (label,) and result.backup is not None
    kept = sorted(os.listdir(backups))
    assert len(kept) == 2
    # the newest backup is the database before the last migration
    newest = backups / kept[-1]
    assert [r[1] for r in _rows(newest, "PRAGMA table_info(account)")] == ["id", "name"]


def test_python_api_raises_apply_failed(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", "CREATE TABLE t (a);\n-- migration\nINSERT INTO nowhere VALUES (1);\n",
          db, 0)
    with pytest.raises(ApplyFailed) as caught:
        migrate_lint.apply(str(db), str(tmp_path / "m"), force=True)
    assert caught.value.applied == ("0001_a",)
    assert "no such table: nowhere" in str(caught.value)


def test_fixture_gives_a_database_at_a_version(migrated_db, tmp_path: Path) -> None:  # noqa: F811
    root = tmp_path / "m"
    write_history(HISTORY, root)
    head = migrated_db(root)
    middle = migrated_db(root, to="0002_b")
    assert [r[1] for r in _rows(head, "PRAGMA table_info(account)")] == ["id", "name", "email"]
    assert [r[1] for r in _rows(middle, "PRAGMA table_info(account)")] == ["id", "name"]


@pytest.mark.parametrize(("layout", "files", "expected"), [
    ("flat", ["0001_a.sql"], ["0002_add_tags.sql"]),
    ("goose", ["00001_a.sql"], ["00002_add_tags.sql"]),
    ("folder", ["20240101000000_a/migration.sql"], ["20260102030405_add_tags/migration.sql"]),
    ("updown", ["1_a.up.sql", "1_a.down.sql"], ["2_add_tags.up.sql", "2_add_tags.down.sql"]),
])
def test_new_follows_the_layout(layout: str, files: list[str], expected: list[str],
                                tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from migrate_lint.scaffold import new_migration

    root = tmp_path / "m"
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "-- +goose Up\nCREATE TABLE t (a);\n" if layout == "goose" else "CREATE TABLE t (a);\n"
        path.write_text(body)
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    written = new_migration(str(root), "add_tags", now=now)
    assert sorted(os.path.relpath(p, root) for p in written) == sorted(expected)
    if layout == "goose":
        assert Path(written[0]).read_text().startswith("-- +goose Up")


def test_new_in_an_empty_folder_and_bad_names(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    code, out, _ = invoke("new", "init", "--dir", str(root))
    assert code == 0 and out.strip().endswith("_init.sql")
    code, _out, err = invoke("new", "../escape", "--dir", str(root))
    assert code == 2 and "letters, digits" in err


@pytest.mark.parametrize("kind", ["missing", "not-sqlite", "read-only"])
def test_bad_target_is_one_line_exit_2_and_nothing_written(kind: str, tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", HISTORY, tmp_path / "seed.db", 0)
    (tmp_path / "seed.db").unlink()
    if kind == "not-sqlite":
        db.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    elif kind == "read-only":
        build(tmp_path / "m", HISTORY, db, 1)
        db.chmod(stat.S_IRUSR | stat.S_IRGRP)
    listing = sorted(os.listdir(tmp_path))
    content = db.read_bytes() if db.exists() else None
    done = run_cli("apply", str(tmp_path / "m"), "--db", str(db))
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and str(db) in done.stderr, done.stderr
    assert sorted(os.listdir(tmp_path)) == listing
    assert (db.read_bytes() if db.exists() else None) == content


def test_locked_target_reports_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", HISTORY, db, 1)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO account (name) VALUES ('held')")
    try:
        done = run_cli("apply", str(tmp_path / "m"), "--db", str(db), "--busy-timeout", "0.2",
                       "--no-preflight")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "locked by another process" in done.stderr
    if Path("/proc/locks").exists():  # Linux names the holder: this test's process
        assert f"pid {os.getpid()} (" in done.stderr, done.stderr
    assert sorted(os.listdir(tmp_path)) == ["app.db", "m"]  # no backup either
    assert _rows(db, "SELECT count(*) FROM migrate_lint_history") == [(1,)]


def test_unknown_version_is_an_input_error(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", HISTORY, db, 0)
    with pytest.raises(MigrateLintError, match="no migration `9999`"):
        migrate_lint.apply(str(db), str(tmp_path / "m"), to="9999")


def test_accept_edited_records_the_new_checksum(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    files = build(tmp_path / "m", HISTORY, db, 2)
    files[0].write_text(files[0].read_text() + "-- a comment added after it ran\n")
    assert invoke("apply", str(tmp_path / "m"), "--db", str(db))[0] == 2
    code, out, err = invoke("apply", str(tmp_path / "m"), "--db", str(db), "--accept-edited")
    assert code == 0 and "applied 0003_c" in out, err
    assert invoke("status", str(tmp_path / "m"), "--db", str(db))[0] == 0


def test_the_package_docstring_examples_run() -> None:
    import doctest

    assert doctest.testmod(migrate_lint).failed == 0
