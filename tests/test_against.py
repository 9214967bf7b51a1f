"""`check --against DB`: the pre-flight on a copy of a real database file."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zlib
from pathlib import Path

import pytest

import migrate_lint
from migrate_lint.engine import rule_by_code
from tests.dbhelp import build, dump, invoke
from tests.test_rules_docs import _sql

UNIQUE = """CREATE TABLE images (id integer PRIMARY KEY, path text);
-- migration
CREATE UNIQUE INDEX images_path_unique ON images (path);
"""


def _images(db: Path, paths: list[str]) -> None:
    conn = sqlite3.connect(db)
    conn.executemany("INSERT INTO images (path) VALUES (?)", [(p,) for p in paths])
    conn.commit()
    conn.close()


def test_duplicates_name_counts_and_one_sample(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", UNIQUE, db, 1)
    _images(db, ["/media/a.mp4", "/media/a.mp4", "/b", "/b", "/c", "/d", "/d", "/d"])
    before = db.read_bytes()
    code, out, err = invoke("check", str(tmp_path / "m"), "--against", str(db))
    assert code == 1
    assert "DB001" in out
    assert ("`CREATE UNIQUE INDEX images_path_unique ON images (path)` fails on "
            f"`{db}`: UNIQUE constraint failed: images.path: 3 `path` values occur more than "
            "once (first: '/d' ×3)") in out
    assert "DL007" in out and "confirmed on" in out
    assert "DB006" not in out
    assert db.read_bytes() == before  # the original is never written
    assert "pre-flight: copied" in err and "(deleted)" in err


def test_no_duplicates_clears_the_static_warning(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", UNIQUE, db, 1)
    _images(db, ["/a", "/b", "/c"])
    static = invoke("check", str(tmp_path / "m"))
    assert "DL007" in static[1] and static[0] == 1
    code, out, _err = invoke("check", str(tmp_path / "m"), "--against", str(db))
    assert code == 0, out
    assert "DB006" in out and "DL007 [unique-on-existing-data] cleared" in out
    assert "DL007 [unique" not in out.split("DB006", 1)[0]
    assert "integrity_check: ok" in _err


def test_redact_hides_values(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", UNIQUE, db, 1)
    _images(db, ["/secret", "/secret"])
    _code, out, _ = invoke("check", str(tmp_path / "m"), "--against", str(db), "--redact")
    assert "1 `path` value occurs more than once (first: <redacted> ×2)" in out
    assert "/secret" not in out


def test_not_null_add_reports_the_row_count(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    text = "CREATE TABLE m (id integer PRIMARY KEY);\n-- migration\nALTER TABLE m ADD seq integer NOT NULL;\n"
    build(tmp_path / "m", text, db, 1)
    conn = sqlite3.connect(db)
    conn.executemany("INSERT INTO m VALUES (?)", [(i,) for i in range(1204)])
    conn.commit()
    conn.close()
    _code, out, _ = invoke("check", str(tmp_path / "m"), "--against", str(db))
    assert "Cannot add a NOT NULL column with default value NULL: the table holds 1,204 rows" in out


@pytest.mark.parametrize("code", ["DB001", "DB004", "DB005", "DB006"])
@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_doc_examples_on_a_database(code: str, section: str, tmp_path: Path) -> None:
    """Each rule's Example fires on a database at the migration before the last; Use instead not."""
    cls = rule_by_code(code)
    assert cls is not None
    db = tmp_path / "app.db"
    files = build(tmp_path / "m", _sql(cls, section), db, 0)
    build(tmp_path / "m", _sql(cls, section), db, len(files) - 1)
    pre = migrate_lint.preflight(str(db), str(tmp_path / "m"))
    from migrate_lint.against import merge_static
    from migrate_lint.config import Config
    from migrate_lint.lint import lint

    static = lint([str(tmp_path / "m")], Config(path=str(tmp_path / "m"))).findings
    codes = [f.code for f in [*merge_static(static, pre), *pre.findings]]
    assert (code in codes) == (section == "Example"), codes


def _own_history(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "app.db"
    text = ("CREATE TABLE t (id integer PRIMARY KEY);\n-- migration\nALTER TABLE t ADD a text;\n"
            "-- migration\nALTER TABLE t ADD b text;\n")
    build(tmp_path / "m", text, db, 2)
    return tmp_path / "m", db


def test_edited_and_missing_applied_migrations_are_drift(tmp_path: Path) -> None:
    root, db = _own_history(tmp_path)
    (root / "0002_b.sql").write_text("ALTER TABLE t ADD a integer;\n")
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO migrate_lint_history VALUES ('0000', 'gone', 'x', 'now', 0, NULL)")
    conn.commit()
    conn.close()
    pre = migrate_lint.preflight(str(db), str(root))
    messages = [f.message for f in pre.findings if f.code == "DB002"]
    assert any("`0002_b` was applied" in m and "different checksum" in m for m in messages)
    assert any("records `0000` as applied" in m for m in messages)
    assert pre.ran == (2,)


def test_schema_changed_by_hand_is_drift(tmp_path: Path) -> None:
    root, db = _own_history(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE t ADD extra text")
    conn.commit()
    conn.close()
    pre = migrate_lint.preflight(str(db), str(root))
    drift = [f.message for f in pre.findings if f.code == "DB002"]
    assert drift and "differs from the replay at `0002_b`" in drift[0]


def test_dirty_golang_migrate_is_a_failed_state(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    (root / "1_a.up.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n")
    (root / "1_a.down.sql").write_text("DROP TABLE t;\n")
    (root / "2_b.up.sql").write_text("ALTER TABLE t ADD a text;\n")
    (root / "2_b.down.sql").write_text("SELECT 1;\n")
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE t (id integer PRIMARY KEY);"
                       "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);"
                       "INSERT INTO schema_migrations (version, dirty) VALUES (2, 1);")
    conn.close()
    pre = migrate_lint.preflight(str(db), str(root))
    assert [f.code for f in pre.findings] == ["DB003"]
    assert pre.ran == ()  # the runner refuses to go on; so does the pre-flight


def test_wal_pages_are_copied_and_the_original_untouched(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", UNIQUE, db, 1)
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.executemany("INSERT INTO images (path) VALUES (?)", [("/x",), ("/x",)])
    writer.commit()  # committed to the -wal file only: the main file lacks these rows
    main_bytes = db.read_bytes()
    wal = Path(str(db) + "-wal").read_bytes()
    try:
        pre = migrate_lint.preflight(str(db), str(tmp_path / "m"))
        after = db.read_bytes(), Path(str(db) + "-wal").read_bytes()
    finally:
        writer.close()  # (its checkpoint on close writes the main file: that is the writer's)
    assert any("(first: '/x' ×2)" in f.message for f in pre.findings)
    assert after == (main_bytes, wal)


def test_copy_goes_to_tmp_dir_and_is_deleted(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", UNIQUE, db, 1)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code, _out, err = invoke("check", str(tmp_path / "m"), "--against", str(db),
                             "--tmp-dir", str(scratch))
    assert code == 1 or code == 0
    assert f"to {scratch}" in err
    assert os.listdir(scratch) == []


@pytest.mark.parametrize("kind", ["missing", "not-sqlite", "directory", "empty-history"])
def test_bad_database_is_one_line_exit_2(kind: str, tmp_path: Path) -> None:
    root = tmp_path / "m"
    build(root, UNIQUE, tmp_path / "seed.db", 0)
    db = tmp_path / "app.db"
    if kind == "not-sqlite":
        db.write_text("hello, I am a text file\n" * 10)
    elif kind == "directory":
        db.mkdir()
    elif kind == "empty-history":
        db.write_bytes(b"")
    listing = sorted(os.listdir(tmp_path))
    content = db.read_bytes() if db.is_file() else None
    code, out, err = invoke("check", str(root), "--against", str(db))
    if kind == "empty-history":  # an empty file is an empty database: everything pending
        assert code == 0 and "DB006" in out, out
        return
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and str(db) in err, err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == listing
    assert (db.read_bytes() if db.is_file() else None) == content


def test_locked_database_is_one_line_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    build(tmp_path / "m", UNIQUE, db, 1)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # rollback-journal mode: not even readers get in
    try:
        from tests.dbhelp import run_cli

        done = run_cli("check", str(tmp_path / "m"), "--against", str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "locked" in done.stderr and str(db) in done.stderr


def test_own_history_checksum_is_sha256_of_the_file(tmp_path: Path) -> None:
    root, db = _own_history(tmp_path)
    conn = sqlite3.connect(db)
    stored = dict(conn.execute("SELECT version, checksum FROM migrate_lint_history"))
    conn.close()
    assert stored["0001"] == hashlib.sha256((root / "0001_a.sql").read_bytes()).hexdigest()
    assert dump(db)


def test_rows_lost_to_a_cascade_name_the_drop(tmp_path: Path) -> None:
    root = tmp_path / "m"
    text = ("CREATE TABLE groups (id integer PRIMARY KEY, name text);\n"
            "CREATE TABLE members (id integer PRIMARY KEY, "
            "group_id integer REFERENCES groups (id) ON DELETE CASCADE);\n"
            "-- migration\n"
            "CREATE TABLE __new_groups (id integer PRIMARY KEY, name text);\n"
            "INSERT INTO __new_groups SELECT id, name FROM groups;\n"
            "DROP TABLE groups;\nALTER TABLE __new_groups RENAME TO groups;\n")
    db = tmp_path / "app.db"
    build(root, text, db, 1)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO groups VALUES (1, 'g')")
    conn.executemany("INSERT INTO members VALUES (?, 1)", [(i,) for i in range(12)])
    conn.commit()
    conn.close()
    for fmt in ("text", "json", "sarif", "github", "junit"):
        code, out, _ = invoke("check", str(root), "--against", str(db), "--runner", "drizzle",
                              "--format", fmt)
        assert code == 1 and "DB004" in out, fmt
    _code, out, _ = invoke("check", str(root), "--against", str(db), "--runner", "drizzle")
    assert (f"rows lost on `{db}`: `members` 12 → 0 (ON DELETE CASCADE from "
            "`DROP TABLE groups`)") in out
    # goose's driver leaves foreign keys off: the same rebuild keeps the rows
    _code, out, _ = invoke("check", str(root), "--against", str(db), "--runner", "goose")
    assert "DB004" not in out


PRISMA = ("CREATE TABLE _prisma_migrations (id TEXT PRIMARY KEY NOT NULL, checksum TEXT NOT NULL, "
          "finished_at DATETIME, migration_name TEXT NOT NULL, logs TEXT, rolled_back_at DATETIME, "
          "started_at DATETIME NOT NULL DEFAULT current_timestamp, "
          "applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0)")


def test_prisma_checksums_and_an_unfinished_migration(tmp_path: Path) -> None:
    root = tmp_path / "prisma" / "migrations"
    sqls = ["CREATE TABLE a (id integer PRIMARY KEY);", "ALTER TABLE a ADD b text;",
            "ALTER TABLE a ADD c text;"]
    names = [f"2024010100000{i}_m{i}" for i in range(3)]
    for name, sql in zip(names, sqls, strict=True):
        (root / name).mkdir(parents=True)
        (root / name / "migration.sql").write_text(sql + "\n")
    (root / "migration_lock.toml").write_text('provider = "sqlite"\n')
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute(PRISMA)
    conn.execute(sqls[0])
    digest = hashlib.sha256((root / names[0] / "migration.sql").read_bytes()).hexdigest()
    conn.execute("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, "
                 "applied_steps_count) VALUES ('x', ?, current_timestamp, ?, 1)",
                 (digest, names[0]))
    conn.commit()
    pre = migrate_lint.preflight(str(db), str(root))
    assert pre.state.table == "_prisma_migrations"
    assert pre.match.applied == (0,) and pre.match.pending == (1, 2) and not pre.findings
    conn.execute("INSERT INTO _prisma_migrations (id, checksum, migration_name) "
                 "VALUES ('y', 'z', ?)", (names[1],))  # started, never finished
    conn.commit()
    conn.close()
    pre = migrate_lint.preflight(str(db), str(root))
    assert [f.code for f in pre.findings] == ["DB003"] and pre.ran == ()


def test_flyway_crc32_dbmate_and_diesel_versions(tmp_path: Path) -> None:
    from migrate_lint.bookkeeping import checksum

    # Flyway's CRC32 over lines without their endings, as a signed int: CRLF or LF agree
    assert checksum("flyway", b"SELECT 1;\r\nSELECT 2;\r\n") == checksum(
        "flyway", b"SELECT 1;\nSELECT 2;\n")
    # Java's readLine ends a line at \n, \r or \r\n only: a form feed or U+2028 in a
    # comment stays in its line (the CRC of the line as Flyway reads it, by hand)
    text = "-- a\x0cb \u2028 c\rSELECT 1;\n"
    lines = ["-- a\x0cb \u2028 c", "SELECT 1;"]
    crc = 0
    for line in lines:
        crc = zlib.crc32(line.encode("utf-8"), crc)
    assert checksum("flyway", text.encode("utf-8")) == str(crc - (1 << 32) if crc >= 1 << 31
                                                           else crc)
    root = tmp_path / "db" / "migrations"
    root.mkdir(parents=True)
    for version, sql in (("20240101000000", "CREATE TABLE a (id integer);"),
                         ("20240102000000", "ALTER TABLE a ADD b text;")):
        (root / f"{version}_m.sql").write_text(f"-- migrate:up\n{sql}\n\n-- migrate:down\n")
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE a (id integer)")
    conn.execute('CREATE TABLE IF NOT EXISTS "schema_migrations" '
                 "(version varchar(128) primary key)")
    conn.execute("INSERT INTO schema_migrations (version) VALUES ('20240101000000')")
    conn.commit()
    conn.close()
    pre = migrate_lint.preflight(str(db), str(root))
    assert (pre.state.runner, pre.match.applied, pre.ran) == ("dbmate", (0,), (1,))


@pytest.mark.parametrize(("new_column", "expected"), [
    ("path text NOT NULL UNIQUE", "1 `path` value occurs more than once (first: '/a' ×2)"),
    ("path text NOT NULL", "2 rows of `media` hold NULL in `path`"),
])
def test_a_rebuild_copy_is_explained_from_the_table_it_copies(new_column: str, expected: str,
                                                              tmp_path: Path) -> None:
    root = tmp_path / "m"
    text = ("CREATE TABLE media (id integer PRIMARY KEY, path text);\n-- migration\n"
            f"CREATE TABLE __new_media (id integer PRIMARY KEY, {new_column});\n"
            "INSERT INTO __new_media SELECT id, path FROM media;\n"
            "DROP TABLE media;\nALTER TABLE __new_media RENAME TO media;\n")
    db = tmp_path / "app.db"
    build(root, text, db, 1)
    rows = ["/a", "/a", "/b"] if "UNIQUE" in new_column else ["/a", None, None]
    _images_into(db, "media", rows)
    pre = migrate_lint.preflight(str(db), str(root))
    (failure,) = [f for f in pre.findings if f.code == "DB001"]
    assert failure.message.endswith(expected), failure.message
    assert failure.span.line == 2


def _images_into(db: Path, table: str, paths: list[str | None]) -> None:
    conn = sqlite3.connect(db)
    conn.executemany(f"INSERT INTO {table} (path) VALUES (?)", [(p,) for p in paths])
    conn.commit()
    conn.close()
