"""Failures the rules used to miss, each run on real SQLite next to the linter.

The oracle is plain sqlite3: the history before the migration, a few rows as a real
database would hold them, then the migration; the linter must report where SQLite
fails (and, for confirmed claims, say what SQLite did).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import corpus_path

from migrate_lint.config import Config
from migrate_lint.findings import Finding
from migrate_lint.lint import lint


def _write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _lint(root: Path, code: str, **settings: object) -> list[Finding]:
    config = Config(path=str(root), **settings)  # type: ignore[arg-type]
    return [f for f in lint([str(root)], config).findings if f.code == code]


def _sqlite_error(files: dict[str, str], rows: str, *, fail_after: int | None = None
                  ) -> str | None:
    """SQLite's error when the last file runs after the others and ``rows``; None if it
    passes. Foreign keys off, each file in autocommit mode (as Prisma runs it)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    names = sorted(files)
    try:
        for name in names[:-1]:
            conn.executescript(files[name])
        if rows:
            conn.executescript(rows)
        conn.executescript(files[names[-1]])
    except sqlite3.Error as err:
        return str(err)
    finally:
        conn.close()
    return None


# -- a table rebuilt twice in one migration ----------------------------------------

TWICE = {
    "0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY, a text, b text);\n",
    "0002_twice.sql": (
        "CREATE TABLE t_new (id integer PRIMARY KEY, a text, b text);\n"
        "INSERT INTO t_new (id, a, b) SELECT id, a, b FROM t;\n"
        "DROP TABLE t;\n"
        "ALTER TABLE t_new RENAME TO t;\n"
        "CREATE TABLE t_new (id integer PRIMARY KEY, a text NOT NULL, b text UNIQUE);\n"
        "INSERT INTO t_new (id, a, b) SELECT id, a, b FROM t;\n"
        "DROP TABLE t;\n"
        "ALTER TABLE t_new RENAME TO t;\n"),
}


def test_second_rebuild_copy_is_checked_like_the_first(tmp_path: Path) -> None:
    # SQLite: the second copy meets the rows the first one copied.
    null = _sqlite_error(TWICE, "INSERT INTO t VALUES (1, NULL, 'x');")
    assert null is not None and "NOT NULL constraint failed: t_new.a" in null
    dup = _sqlite_error(TWICE, "INSERT INTO t VALUES (1, 'a', 'x'), (2, 'b', 'x');")
    assert dup is not None and "UNIQUE constraint failed: t_new.b" in dup
    assert _sqlite_error(TWICE, "") is None  # an empty database passes
    root = _write(tmp_path / "m", TWICE)
    assert [f.span.line for f in _lint(root, "NN003")] == [6]
    assert [f.span.line for f in _lint(root, "DL007")] == [5]


@pytest.mark.parametrize("fill", ["VALUES (1, 'x', 'y')", ""])
def test_table_filled_from_values_holds_no_old_rows(fill: str, tmp_path: Path) -> None:
    files = {
        "0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
        "0002_seed.sql": (
            "CREATE TABLE seed (id integer PRIMARY KEY, a text, b text);\n"
            + (f"INSERT INTO seed (id, a, b) {fill};\n" if fill else "")
            + "CREATE TABLE t2 (id integer PRIMARY KEY, a text NOT NULL, b text);\n"
            "INSERT INTO t2 (id, a, b) SELECT id, a, b FROM seed;\n"),
    }
    assert _sqlite_error(files, "INSERT INTO t VALUES (1);") is None
    assert _lint(_write(tmp_path / "m", files), "NN003") == []


# -- a constant copied into a UNIQUE column (Django's unique=True with a default) -----

DJANGO = {
    "0001_init.sql": "CREATE TABLE product (id integer PRIMARY KEY AUTOINCREMENT, name text);\n",
    "0002_sku.sql": (
        'CREATE TABLE "new__product" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
        '"name" text, "sku" varchar(20) NOT NULL UNIQUE);\n'
        'INSERT INTO "new__product" ("id", "name", "sku") SELECT "id", "name", {value} '
        'FROM "product";\n'
        'DROP TABLE "product";\n'
        'ALTER TABLE "new__product" RENAME TO "product";\n'),
}


@pytest.mark.parametrize("value", ["''", "0", "CURRENT_TIMESTAMP", "CAST(-1 AS text)"])
def test_constant_into_unique_fails_on_two_rows_and_says_so(value: str, tmp_path: Path
                                                            ) -> None:
    files = {**DJANGO, "0002_sku.sql": DJANGO["0002_sku.sql"].format(value=value)}
    two = _sqlite_error(files, "INSERT INTO product (name) VALUES ('a'), ('b');")
    assert two is not None and "UNIQUE constraint failed: new__product.sku" in two
    assert _sqlite_error(files, "INSERT INTO product (name) VALUES ('a');") is None
    found = _lint(_write(tmp_path / "m", files), "DL008")
    assert [(f.span.line, f.severity) for f in found] == [(2, "error")]
    # confirmed by execution: SQLite's own error is in the message
    assert "SQLite confirms" in found[0].message and two in found[0].message


def test_per_row_value_passes_and_is_not_reported(tmp_path: Path) -> None:
    files = {**DJANGO, "0002_sku.sql": DJANGO["0002_sku.sql"].format(value="'sku-' || id")}
    assert _sqlite_error(files, "INSERT INTO product (name) VALUES ('a'), ('b');") is None
    assert _lint(_write(tmp_path / "m", files), "DL008") == []


# -- two copies from different tables into one unique key (stash 32_files, #2941) ----

FILES = {
    "0001_init.sql": (
        "CREATE TABLE images (id integer PRIMARY KEY, path text NOT NULL UNIQUE);\n"
        "CREATE TABLE scenes (id integer PRIMARY KEY, path text NOT NULL UNIQUE);\n"),
    "0002_files.sql": (
        "CREATE TABLE files (id integer PRIMARY KEY, parent_folder_id integer NOT NULL,"
        " basename text NOT NULL);\n"
        "CREATE UNIQUE INDEX files_folder_basename ON files (parent_folder_id, basename);\n"
        "INSERT INTO files (basename, parent_folder_id) SELECT path, 1 FROM images;\n"
        "INSERT INTO files (basename, parent_folder_id) SELECT path, 1 FROM scenes{guard};\n"),
}


def test_two_sources_collide_only_on_shared_paths(tmp_path: Path) -> None:
    files = {**FILES, "0002_files.sql": FILES["0002_files.sql"].format(guard="")}
    both = _sqlite_error(files, "INSERT INTO images (path) VALUES ('/a.gif'), ('/b.jpg');"
                                "INSERT INTO scenes (path) VALUES ('/a.gif');")
    assert both is not None and "UNIQUE constraint failed: files.parent_folder_id, " \
        "files.basename" in both
    apart = _sqlite_error(files, "INSERT INTO images (path) VALUES ('/b.jpg');"
                                 "INSERT INTO scenes (path) VALUES ('/a.mp4');")
    assert apart is None  # only the data decides: a static warning
    found = _lint(_write(tmp_path / "m", files), "DL009")
    assert [(f.span.line, f.severity) for f in found] == [(4, "warning")]
    assert "`images`" in found[0].message and "`scenes`" in found[0].message
    assert "`images.path` equals `scenes.path`" in found[0].message


def test_on_conflict_do_nothing_passes_and_is_not_reported(tmp_path: Path) -> None:
    guard = " WHERE true ON CONFLICT DO NOTHING"
    files = {**FILES, "0002_files.sql": FILES["0002_files.sql"].format(guard=guard)}
    assert _sqlite_error(files, "INSERT INTO images (path) VALUES ('/a.gif');"
                                "INSERT INTO scenes (path) VALUES ('/a.gif');") is None
    assert _lint(_write(tmp_path / "m", files), "DL009") == []


@pytest.mark.corpus
def test_stash_32_files_known_defect_is_reported() -> None:
    """SOURCE.md: #2941, a path that is both an image and a scene."""
    root = corpus_path("realworld", "stash", "pkg", "sqlite", "migrations")
    found = [f for f in _lint(root, "DL009") if Path(f.path).name == "32_files.up.sql"]
    scenes = [f for f in found if f.span.line == 426]
    assert scenes and "`images.path` equals `scenes.path`" in scenes[0].message


# -- a migration without a transaction that its retry cannot get through -------------

ROLES = {
    "0001_init.sql": "-- +goose Up\nCREATE TABLE user (id integer PRIMARY KEY, name text);\n",
    "0002_roles.sql": (
        "-- +goose Up\n-- +goose NO TRANSACTION\n"
        "CREATE TABLE IF NOT EXISTS role (user_id integer PRIMARY KEY, name text NOT NULL);\n"
        "INSERT INTO role (user_id, name) SELECT id, 'member' FROM user{guard};\n"
        "CREATE UNIQUE INDEX IF NOT EXISTS user_name ON user (name);\n"),
}


def _retry_error(files: dict[str, str]) -> str | None:
    """goose without a transaction: the first try fails at the unique index (two users
    share a name), the rows of its INSERT stay; the retry runs the file again."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.executescript(files["0001_init.sql"])
        conn.executescript("INSERT INTO user (name) VALUES ('ann'), ('ann');")
        with pytest.raises(sqlite3.IntegrityError, match=r"UNIQUE constraint failed: user\.name"):
            conn.executescript(files["0002_roles.sql"])
        conn.execute("UPDATE user SET name = 'bob' WHERE id = 2")  # the user repairs data
        try:
            conn.executescript(files["0002_roles.sql"])
        except sqlite3.Error as err:
            return str(err)
        return None
    finally:
        conn.close()


def test_retry_after_partial_failure_hits_the_first_try(tmp_path: Path) -> None:
    files = {**ROLES, "0002_roles.sql": ROLES["0002_roles.sql"].format(guard="")}
    error = _retry_error(files)
    assert error is not None and "UNIQUE constraint failed: role.user_id" in error
    found = _lint(_write(tmp_path / "m", files), "MG008")
    assert [(f.span.line, f.severity) for f in found] == [(4, "warning")]
    assert "SQLite confirms" in found[0].message and "role.user_id" in found[0].message
    assert "NO TRANSACTION" in found[0].message


def test_guarded_retry_passes_and_is_not_reported(tmp_path: Path) -> None:
    guard = " WHERE true ON CONFLICT DO NOTHING"
    files = {**ROLES, "0002_roles.sql": ROLES["0002_roles.sql"].format(guard=guard)}
    assert _retry_error(files) is None
    assert _lint(_write(tmp_path / "m", files), "MG008") == []
