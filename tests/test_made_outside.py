"""A table the history names but never makes was made outside its files (by the
application at start-up, or a baseline): SQ007 and FK001 say so as info. A table the
history makes later or made earlier, or one named like a table it has (`user` for
`users`), is still an error: SQLite fails there on every database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli
from tests.rules.harness import write_history

_OUTSIDE = """\
ALTER TABLE users ADD COLUMN nickname TEXT;
CREATE INDEX users_nick ON users (nickname);
UPDATE users SET nickname = 'x';
-- migration
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
"""


def _findings(root: Path, *args: str) -> list[dict[str, object]]:
    done = CliRunner().invoke(cli, ["check", str(root), "--format", "json", *args])
    assert done.exit_code in (0, 1), done.output
    return [f for f in json.loads(done.stdout)["findings"] if f["code"] in ("SQ007", "FK001")]


def test_a_table_the_history_never_makes_is_info(tmp_path: Path) -> None:
    write_history(_OUTSIDE, tmp_path / "m")
    found = _findings(tmp_path / "m", "--no-cache")
    assert [(f["code"], f["severity"], f["line"]) for f in found] == [
        ("SQ007", "info", 1), ("SQ007", "info", 2), ("SQ007", "info", 3), ("FK001", "info", 1)]
    assert all("which no migration of this history makes" in str(f["message"])
               or "which the history does not make before it" in str(f["message"])
               for f in found)
    # and it is so: on a database the application made `users` in, every statement runs
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")  # the application's
    conn.executescript(_OUTSIDE.replace("-- migration\n", ""))
    conn.execute("INSERT INTO users (id) VALUES (1)")
    conn.execute("INSERT INTO posts (user_id) VALUES (1)")


@pytest.mark.parametrize(("history", "codes"), [
    # a slip: `user` exists, `users` does not
    ("CREATE TABLE user (id INTEGER PRIMARY KEY);\n-- migration\n"
     "UPDATE users SET id = id;\nCREATE TABLE p (u INTEGER REFERENCES users (id));\n",
     [("SQ007", "error"), ("FK001", "error")]),
    # made later in the history: this migration runs before it exists
    ("ALTER TABLE t ADD COLUMN b TEXT;\n-- migration\nCREATE TABLE t (a TEXT);\n",
     [("SQ007", "error")]),
    # made, then dropped
    ("CREATE TABLE t (a TEXT);\n-- migration\nDROP TABLE t;\n-- migration\n"
     "INSERT INTO t (a) VALUES ('x');\n", [("SQ007", "error")]),
], ids=["named-like-one-it-has", "made-later", "dropped-earlier"])
def test_a_table_the_history_makes_or_almost_names_is_an_error(
        history: str, codes: list[tuple[str, str]], tmp_path: Path) -> None:
    write_history(history, tmp_path / "m")
    found = _findings(tmp_path / "m", "--no-cache")
    assert [(f["code"], f["severity"]) for f in found] == codes


def test_a_resumed_run_reads_it_as_a_cold_one(tmp_path: Path) -> None:
    """The new file of a pre-commit run, resumed after the cached history."""
    root = tmp_path / "m"
    files = write_history("CREATE TABLE t (a TEXT);\n-- migration\nALTER TABLE t ADD b TEXT;\n"
                          "-- migration\nUPDATE users SET a = 1;\nUPDATE t SET a = 1;\n", root)
    held = files[-1].read_text()
    files[-1].unlink()
    cache = tmp_path / "cache"
    _findings(root, "--cache-dir", str(cache))
    files[-1].write_text(held)
    cold = _findings(Path(files[-1]), "--no-cache")
    warm = _findings(Path(files[-1]), "--cache-dir", str(cache))
    assert warm == cold and [(f["code"], f["severity"]) for f in cold] == [("SQ007", "info")]


def test_a_parent_only_foreign_keys_name_is_an_error(tmp_path: Path) -> None:
    """Nothing fails until a row goes in with foreign keys on, so a released history
    is no evidence that something else made it: a slip."""
    write_history("CREATE TABLE p (id INTEGER PRIMARY KEY);\n-- migration\n"
                  "CREATE TABLE c (id INTEGER PRIMARY KEY, gone INTEGER REFERENCES gone (id));\n",
                  tmp_path / "m")
    assert [(f["code"], f["severity"]) for f in _findings(tmp_path / "m", "--no-cache")] == [
        ("FK001", "error")]


def test_the_rebuild_of_a_table_made_outside_is_info(tmp_path: Path) -> None:
    """A history that drops `t` before it first makes it (rebuilding a table the
    application made) read it as there before its first migration."""
    history = ("CREATE TABLE t_new (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT '');\n"
               "INSERT INTO t_new (id, a) SELECT id, coalesce(a, '') FROM t;\n"
               "DROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n")
    write_history(history, tmp_path / "m")
    found = _findings(tmp_path / "m", "--no-cache")
    assert [(f["code"], f["severity"], f["line"]) for f in found] == [("SQ007", "info", 3)]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)")  # the application's
    conn.executescript(history)


@pytest.mark.parametrize(("history", "errors"), [
    ("CREATE TABLE e (seq INTEGER PRIMARY KEY AUTOINCREMENT);\n"
     "INSERT INTO sqlite_sequence (name, seq) VALUES ('e', 1000);\n", 0),
    ("CREATE TABLE e (seq INTEGER PRIMARY KEY AUTOINCREMENT);\nDROP TABLE e;\n-- migration\n"
     "UPDATE sqlite_sequence SET seq = 5;\n", 0),  # it stays once made
    ("CREATE TABLE e (seq INTEGER PRIMARY KEY);\n"
     "INSERT INTO sqlite_sequence (name, seq) VALUES ('e', 1000);\n", 1),
], ids=["after-autoincrement", "after-its-table-dropped", "never-made"])
def test_sqlite_sequence_is_there_once_sqlite_made_it(history: str, errors: int,
                                                       tmp_path: Path) -> None:
    write_history(history, tmp_path / "m")
    found = _findings(tmp_path / "m", "--no-cache")
    assert len(found) == errors
    conn = sqlite3.connect(":memory:")
    if errors:
        with pytest.raises(sqlite3.OperationalError, match="no such table: sqlite_sequence"):
            conn.executescript(history.replace("-- migration\n", ""))
    else:
        conn.executescript(history.replace("-- migration\n", ""))


def test_a_history_over_a_base_schema_made_elsewhere_is_info(tmp_path: Path) -> None:
    """A history that renames away a table it never made before (its base schema is
    outside the folder) works on tables made elsewhere: the table renamed away, and a
    parent only its foreign keys name, are info (a real Python runner's history)."""
    history = ("ALTER TABLE track RENAME TO track_old;\n"
               "CREATE TABLE track (id TEXT PRIMARY KEY, album_id TEXT REFERENCES album);\n"
               "INSERT INTO track SELECT id, album_id FROM track_old;\nDROP TABLE track_old;\n")
    write_history(history, tmp_path / "m")
    found = _findings(tmp_path / "m", "--no-cache")
    assert [(f["code"], f["severity"], f["line"]) for f in found] == [
        ("SQ007", "info", 1), ("FK001", "info", 2), ("SQ007", "info", 4)]
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript("CREATE TABLE album (id TEXT PRIMARY KEY);"  # the base schema
                       "CREATE TABLE track (id TEXT PRIMARY KEY, album_id TEXT);")
    conn.executescript(history)


def test_a_rebuild_companion_is_no_slip_and_outside_indexes_are_info(tmp_path: Path) -> None:
    """`starred_folder_new` beside a missing `starred_folder` is the rebuild's new table,
    not a near name that makes `starred_folder` a slip; and in a history over a base
    schema made elsewhere, an index it drops before it makes it (or never makes) is
    that schema's (a real Python runner's history)."""
    history = ("DROP INDEX index_starred_user;\n"
               "CREATE TABLE starred_folder_new (user_id INTEGER, starred_id INTEGER);\n"
               "CREATE INDEX index_starred_user ON starred_folder_new (user_id);\n"
               "INSERT INTO starred_folder_new SELECT user_id, starred_id FROM starred_folder;\n"
               "DROP TABLE starred_folder;\n"
               "ALTER TABLE starred_folder_new RENAME TO starred_folder;\n")
    write_history(history, tmp_path / "m")
    found = _findings(tmp_path / "m", "--no-cache")
    assert [(f["code"], f["severity"], f["line"]) for f in found] == [
        ("SQ007", "info", 1), ("SQ007", "info", 5)]
    conn = sqlite3.connect(":memory:")
    conn.executescript("CREATE TABLE starred_folder (user_id INTEGER, starred_id INTEGER);"
                       "CREATE INDEX index_starred_user ON starred_folder (user_id);")
    conn.executescript(history)


def test_an_index_a_history_of_its_own_tables_never_made_is_an_error(tmp_path: Path) -> None:
    write_history("CREATE TABLE t (a TEXT);\nCREATE INDEX t_a ON t (a);\n-- migration\n"
                  "DROP INDEX t_b;\n", tmp_path / "m")
    found = _findings(tmp_path / "m", "--no-cache")
    assert [(f["code"], f["severity"]) for f in found] == [("SQ007", "error")]
