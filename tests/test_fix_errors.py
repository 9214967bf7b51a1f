"""Bad input gives one clear line, writes nothing and exits 2; writes are atomic."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli
from migrate_lint.errors import MigrateLintError
from migrate_lint.fix.model import FileChange
from migrate_lint.fix.write import write_all
from tests.rules.harness import write_history

DEMO = Path(__file__).resolve().parents[1] / "migrations"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    shutil.copytree(DEMO, root)
    return root


def _snapshot(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(root.iterdir())}


@pytest.mark.parametrize("value, needle", [
    ("nosuch.seq=0", "no table `nosuch`"),
    ("session_message.nosuch=0", "has no column `nosuch`"),
    ("session_message.seq=1 +* 2", "not a valid SQLite expression"),
    ("session_message.seq", "expected TABLE.COLUMN=SQL-EXPR"),
])
def test_bad_set(tmp_path: Path, value: str, needle: str) -> None:
    root = _copy(tmp_path)
    before = _snapshot(root)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write", "--set", value])
    assert result.exit_code == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _snapshot(root) == before


@pytest.mark.parametrize("value, written", [
    ("(1)", "DEFAULT (1);"),  # refused before: the fixer's constant test was one token
    ("-(1)", "DEFAULT (-(1));"),  # not a literal DEFAULT may be followed by: parenthesised
    ("CAST(2 AS INTEGER)", "DEFAULT (CAST(2 AS INTEGER));"),
    ("7", "DEFAULT 7;"),
])
def test_set_takes_every_constant_sqlite_and_the_rule_accept(tmp_path: Path, value: str,
                                                             written: str) -> None:
    root = _copy(tmp_path)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write", "--set",
                                      f"session_message.seq={value}"])
    assert result.exit_code == 0, result.output
    bad = root / "20260603040000_session_message_order.sql"
    assert f"ADD `seq` integer NOT NULL {written}" in bad.read_text()
    again = CliRunner().invoke(cli, ["check", str(root), "--select", "NN001"])
    assert again.exit_code == 0, again.output


def test_set_refuses_a_default_sqlite_cannot_compute_once(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = _snapshot(root)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write", "--set",
                                      "session_message.seq=(1 + 2)"])
    assert result.exit_code == 1, result.output
    assert "ADD COLUMN needs a constant default" in result.stdout
    assert _snapshot(root) == before


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "HOME": str(cwd),
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
                        "PATH": "/usr/bin:/bin"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_uncommitted_edit_of_the_file_to_fix(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "init")
    bad = root / "20260603040000_session_message_order.sql"
    bad.write_text(bad.read_text() + "\n-- local edit\n")
    before = _snapshot(root)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 2
    assert "uncommitted changes" in result.stderr
    assert _snapshot(root) == before


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_untracked_migration_needs_no_follow_up(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    bad = root / "20260603040000_session_message_order.sql"
    text = bad.read_text()
    bad.unlink()
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "init")
    bad.write_text(text)  # new, never committed: it cannot have applied anywhere yet
    result = CliRunner().invoke(cli, ["fix", str(root)])
    assert result.exit_code == 1, result.output  # a dry run with a planned change
    assert "DEFAULT 0" in result.stdout and "--- new" not in result.stdout


def test_new_file_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "x.sql"
    path.write_text("keep")
    with pytest.raises(MigrateLintError, match="already exists"):
        write_all([FileChange(str(path), "new")], str(tmp_path))
    assert path.read_text() == "keep"
    assert [p.name for p in tmp_path.iterdir()] == ["x.sql"]  # no temp file left


def test_edit_refuses_when_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "x.sql"
    path.write_text("changed")
    with pytest.raises(MigrateLintError, match="changed since"):
        write_all([FileChange(str(path), "new", old_text="old")], str(tmp_path))
    write_all([FileChange(str(path), "new", old_text="changed")], str(tmp_path))
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["x.sql"]  # no temp, lock or manifest


def test_insert_paths_feed_nn002(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    app = tmp_path / "app"
    app.mkdir()
    (app / "writer.py").write_text(
        'db.execute("INSERT INTO session_message (id, session_id, type, time_created, data) '
        'VALUES (?, ?, ?, ?, ?)")\n')
    result = CliRunner().invoke(cli, ["fix", str(root), "--insert-paths", str(app)])
    assert result.exit_code == 1, result.output  # a dry run with planned changes
    assert "(NN001, NN002) for `session_message.seq`" in result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_since_decides_whether_a_follow_up_is_needed(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    bad = root / "20260603040000_session_message_order.sql"
    text = bad.read_text()
    bad.unlink()
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    _git(tmp_path, "tag", "base")
    bad.write_text(text)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "add bad migration")
    new_since_base = CliRunner().invoke(cli, ["fix", str(root), "--since", "base"])
    assert new_since_base.exit_code == 1 and "--- new" not in new_since_base.stdout
    shipped = CliRunner().invoke(cli, ["fix", str(root), "--since", "HEAD"])
    assert shipped.exit_code == 1 and "--- new" in shipped.stdout
    missing = CliRunner().invoke(cli, ["fix", str(root), "--since", "no-such-rev"])
    assert missing.exit_code == 2 and "--since: 'no-such-rev' is not a commit" in missing.output


@pytest.mark.parametrize("later", ["ALTER TABLE t DROP COLUMN c;\n", "DROP TABLE t;\n"])
def test_column_dropped_later_needs_no_follow_up(tmp_path: Path, later: str) -> None:
    """The fixed column (or its table) is dropped later in the history: the in-place
    correction is planned, no end-state rebuild, no crash."""
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_a.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n")
    (root / "0002_b.sql").write_text("ALTER TABLE t ADD c integer NOT NULL;\n")
    (root / "0003_c.sql").write_text(later)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    assert "DEFAULT 0" in (root / "0002_b.sql").read_text()
    assert not [p for p in root.iterdir() if "fix_" in p.name]


def test_fix_write_then_check_since_passes_on_the_demo(tmp_path: Path) -> None:
    """The README's CI command after `fix --write`: the in-place correction carries
    fix's marker, so MG005 reports it as information, not an error."""
    root = _copy(tmp_path)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "released")
    assert CliRunner().invoke(cli, ["fix", str(root), "--write"]).exit_code == 0
    result = CliRunner().invoke(cli, ["check", str(root), "--since", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "info MG005" in result.output and "corrected in place" in result.output
    # a hand edit of a released file is still an error
    bad = root / "20260603040000_session_message_order.sql"
    bad.write_text(bad.read_text().replace("DEFAULT 0", "DEFAULT 1").replace(
        "-- migrate-lint: fixed", "-- edited"))
    result = CliRunner().invoke(cli, ["check", str(root), "--since", "HEAD"])
    assert result.exit_code == 1 and "error MG005" in result.output


def test_set_suggestion_names_a_key_the_validator_accepts(tmp_path: Path) -> None:
    """A copy reads `section.width`, which a later migration drops: fix suggests
    `--set section.width=EXPR`, and that key is accepted (it used to be rejected as
    'no column' because only the final schema was consulted)."""
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_a.sql").write_text(
        "CREATE TABLE section (id integer PRIMARY KEY, width integer);\n")
    (root / "0002_b.sql").write_text(
        "CREATE TABLE section_layout (id integer PRIMARY KEY, width integer NOT NULL);\n"
        "INSERT INTO section_layout (id, width) SELECT id, width FROM section;\n")
    (root / "0003_c.sql").write_text("ALTER TABLE section DROP COLUMN width;\n")
    first = CliRunner().invoke(cli, ["fix", str(root)])
    assert "--set section.width=EXPR" in first.output, first.output
    second = CliRunner().invoke(cli, ["fix", str(root), "--set", "section.width=1"])
    assert second.exit_code != 2, second.output
    assert "coalesce" in second.output.lower()
    typo = CliRunner().invoke(cli, ["fix", str(root), "--set", "sektion.width=1"])
    assert typo.exit_code == 2 and "no table `sektion`" in typo.output


def test_a_not_null_reference_gets_no_invented_key(tmp_path: Path) -> None:
    """`ADD owner integer NOT NULL REFERENCES user(id)`: a DEFAULT 0 is no key of `user`,
    and SQLite refuses any non-NULL default on such an ADD with foreign keys on; fix
    says what to do instead and writes nothing (no follow-up rebuild either)."""
    import sqlite3

    root = tmp_path / "m"
    write_history("-- migration: 0001_init.sql\n"
                  "CREATE TABLE user (id integer PRIMARY KEY);\n"
                  "CREATE TABLE session (id integer PRIMARY KEY, token text);\n"
                  "-- migration: 0002_owner.sql\n"
                  "ALTER TABLE session ADD owner integer NOT NULL REFERENCES user(id);\n", root)
    before = _snapshot(root)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert "refused: `owner` references `user`" in result.output, result.output
    assert "DEFAULT 0" not in result.output
    assert _snapshot(root) == before
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript((root / "0001_init.sql").read_text())
    conn.execute("INSERT INTO session (token) VALUES ('t')")
    with pytest.raises(sqlite3.OperationalError, match="non-NULL default"):
        conn.execute("ALTER TABLE session ADD owner integer NOT NULL DEFAULT 0 REFERENCES user(id)")
