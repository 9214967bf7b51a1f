"""Hostile names cannot inject SQL into a written fix, nor steer where it is written.

Table and column names come from migration files, which arrive in pull requests.
A name with a newline used to end the generated ``-- `` header comment, so the
rest of the name ran as SQL when the runner applied the fix; ``..`` and ``/`` in
names became parts of the new file's path.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.cli import cli
from migrate_lint.errors import MigrateLintError
from migrate_lint.fix.layout import ensure_inside
from migrate_lint.fix.model import Options
from migrate_lint.fix.planner import plan_fixes
from migrate_lint.fix.write import write_all

NOW = 1_780_000_000_000


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _history(root: Path, table: str, column: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "20240101000000_init.sql").write_text(
        "CREATE TABLE victim (id INTEGER PRIMARY KEY);\n"
        f"CREATE TABLE {_ident(table)} (id INTEGER PRIMARY KEY, a TEXT);\n",
        encoding="utf-8",
    )
    (root / "20240102000000_add.sql").write_text(
        f"ALTER TABLE {_ident(table)} ADD {_ident(column)} integer NOT NULL;\n",
        encoding="utf-8",
    )


def _victims_after_new_migrations(root: Path, before: set[str]) -> tuple[int, list[str]]:
    """Apply the original history on an empty database, add rows, then run the files
    the fix wrote with sqlite3's own script runner (as a plain runner would)."""
    conn = sqlite3.connect(":memory:")
    for name in sorted(before):
        conn.executescript((root / name).read_text(encoding="utf-8"))
    conn.executemany("INSERT INTO victim VALUES (?)", [(1,), (2,), (3,)])
    tables_before = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))
    new = sorted(set(os.listdir(root)) - before)
    for name in new:
        conn.executescript((root / name).read_text(encoding="utf-8"))
    count = conn.execute("SELECT count(*) FROM victim").fetchone()[0]
    tables_after = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))
    conn.close()
    assert tables_after == tables_before
    return count, new


def test_newline_in_a_name_stays_inside_the_header_comment(tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    table = "t\nDELETE FROM victim; --"
    _history(root, table, "c")
    before = set(os.listdir(root))
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    assert "written-file-is-proven" in result.output
    count, new = _victims_after_new_migrations(root, before)
    assert count == 3
    assert len(new) == 1
    text = (root / new[0]).read_text(encoding="utf-8")
    header = text.split("CREATE TABLE", 1)[0]
    assert all(line.startswith("-- ") for line in header.splitlines())
    assert "\\nDELETE FROM victim" in header


@pytest.mark.parametrize(("table", "column"), [("../../escape", "c"), ("a/b", "../c"),
                                                ("..", "/etc/passwd")])
def test_names_never_become_paths(tmp_path: Path, table: str, column: str) -> None:
    root = tmp_path / "migrations"
    _history(root, table, column)
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
    new = [p for p in root.rglob("*") if "fix_" in p.name]
    assert len(new) == 1 and new[0].parent == root
    assert re.fullmatch(r"\d{14}_fix_[a-z0-9_]+\.sql", new[0].name)


def test_second_follow_up_renames_the_file_not_the_directories_above(tmp_path: Path) -> None:
    # the directory holding the history itself looks like a migration name
    root = tmp_path / "0005_proj" / "m"
    root.mkdir(parents=True)
    (root / "0001_init.sql").write_text(
        "CREATE TABLE a (id integer PRIMARY KEY);\nCREATE TABLE b (id integer PRIMARY KEY);\n")
    (root / "0002_add.sql").write_text(
        "ALTER TABLE a ADD x integer NOT NULL;\nALTER TABLE b ADD y text NOT NULL;\n")
    plans = plan_fixes(str(root), Options(now_ms=NOW))
    new = [c.path for p in plans for c in p.files if c.old_text is None]
    assert len(new) == 2
    assert all(os.path.dirname(path) == str(root) for path in new), new
    assert sorted(os.path.basename(p)[:4] for p in new) == ["0003", "0004"]


def test_a_path_resolving_outside_the_directory_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(MigrateLintError, match="outside the migrations directory"):
        ensure_inside(str(root), str(root / "link" / "0002_x.sql"))
    with pytest.raises(MigrateLintError, match="outside the migrations directory"):
        ensure_inside(str(root), str(root / ".." / "0002_x.sql"))
    ensure_inside(str(root), str(root / "0002_x.sql"))


def test_write_all_checks_every_path_before_writing_any(tmp_path: Path) -> None:
    from migrate_lint.fix.model import FileChange

    root = tmp_path / "migrations"
    root.mkdir()
    good = FileChange(str(root / "0002_ok.sql"), "SELECT 1;\n")
    bad = FileChange(str(root / ".." / "0003_bad.sql"), "SELECT 1;\n")
    with pytest.raises(MigrateLintError):
        write_all([good, bad], str(root))
    assert not (root / "0002_ok.sql").exists()
    assert not (tmp_path / "0003_bad.sql").exists()


# Pieces hostile to SQL text, comments, quoting and paths.
_PIECES = ["\n", "\r", "\r\n", '"', "`", "'", "]", "[", ";", "--", "/*", "*/", "..", "/",
           "\\", "é", "名", "\u2028", "\x0b", "SELECT", "DROP TABLE victim", "END", "BEGIN",
           " ", "x", "A"]
_NAMES = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map("".join).filter(
    lambda s: s.strip() != "" and "\x00" not in s and s.lower() != "victim"
    and not s.lower().startswith("sqlite_"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(table=_NAMES, column=_NAMES)
def test_hostile_identifiers_write_exactly_the_proven_statements(
    tmp_path_factory: pytest.TempPathFactory, table: str, column: str
) -> None:
    if column.lower() in ("id", "a"):
        return
    base = tmp_path_factory.mktemp("hostile")
    root = base / "migrations"
    _history(root, table, column)
    before = set(os.listdir(root))
    outside = sorted(p.name for p in base.iterdir())
    plans = plan_fixes(str(root), Options(now_ms=NOW))
    ready = [p for p in plans if p.ok and p.files]
    assert ready, [(p.title, p.refused, [str(c) for c in p.failed_checks]) for p in plans]
    for plan in ready:
        written = [c for c in plan.checks if c.name == "written-file-is-proven"]
        assert all(c.ok for c in written), written
    changes = {c.path: c for p in ready for c in p.files}
    write_all(list(changes.values()), str(root))
    assert sorted(p.name for p in base.iterdir()) == outside
    count, new = _victims_after_new_migrations(root, before)
    assert count == 3
    assert all(re.fullmatch(r"\d{14}_fix_[a-z0-9_]+\.sql", name) for name in new), new


@pytest.mark.parametrize(("value", "why"), [
    ("0 -- swallow the rest", "comment"),
    ("0\n; DELETE FROM victim", "more than one statement"),
    ("0\n+ 1", "line break"),
    ("1); DELETE FROM victim; SELECT (1", "more than one statement"),
])
def test_set_values_must_be_one_expression_on_one_line(tmp_path: Path, value: str,
                                                       why: str) -> None:
    root = tmp_path / "migrations"
    _history(root, "t", "c")
    before = {p: p.read_text() for p in root.iterdir()}
    result = CliRunner().invoke(cli, ["fix", str(root), "--write", "--set", f"t.c={value}"])
    assert result.exit_code == 2, result.output
    assert why in result.output
    assert {p: p.read_text() for p in root.iterdir()} == before
