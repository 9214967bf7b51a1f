"""`migrate-lint fix --write` for NN003, NN004, NN005, SQ001, SQ002 and SQ003.

Each case is a small history where the rule fires: after `fix --write`, `check` no
longer reports the rule, and the fixed history applies on a real SQLite that held
rows before the bad migration.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli
from migrate_lint.sandbox import ApplyError, SqlPiece

# code -> (first migration, rows inserted after it, the migration the rule flags, extra args)
CASES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "NN003": (
        "CREATE TABLE workspace (id integer PRIMARY KEY, name text);",
        "INSERT INTO workspace (id, name) VALUES (1, 'a'), (2, NULL);",
        "CREATE TABLE new_workspace (id integer PRIMARY KEY, name text DEFAULT '' NOT NULL);\n"
        "INSERT INTO new_workspace (id, name) SELECT id, name FROM workspace;\n"
        "DROP TABLE workspace;\n"
        "ALTER TABLE new_workspace RENAME TO workspace;\n",
        (),
    ),
    # no column list: the value at the column's place is wrapped
    "NN003-positional": (
        "CREATE TABLE workspace (id integer PRIMARY KEY, name text, size integer);",
        "INSERT INTO workspace (id, name, size) VALUES (1, 'a', 3), (2, NULL, 4);",
        "CREATE TABLE new_workspace (id integer PRIMARY KEY, name text DEFAULT '' NOT NULL,"
        " size integer);\n"
        "INSERT INTO new_workspace SELECT id, name, size FROM workspace;\n"
        "DROP TABLE workspace;\n"
        "ALTER TABLE new_workspace RENAME TO workspace;\n",
        (),
    ),
    "NN003-omitted": (
        "CREATE TABLE workspace (id integer PRIMARY KEY, name text);",
        "INSERT INTO workspace (id, name) VALUES (1, 'a'), (2, NULL);",
        "CREATE TABLE new_workspace (id integer PRIMARY KEY, name text, kind text NOT NULL);\n"
        "INSERT INTO new_workspace (id, name) SELECT id, name FROM workspace;\n"
        "DROP TABLE workspace;\n"
        "ALTER TABLE new_workspace RENAME TO workspace;\n",
        ("--set", "workspace.kind='team'"),
    ),
    "NN004": (
        "CREATE TABLE user (id text PRIMARY KEY);\n"
        "CREATE TABLE userSettings (userId text PRIMARY KEY, timezone text NOT NULL);",
        "INSERT INTO user (id) VALUES ('a'), ('b');\n"
        "INSERT INTO userSettings VALUES ('a', 'Europe/Paris');",
        "ALTER TABLE user ADD timezone text DEFAULT 'UTC' NOT NULL;\n"
        "UPDATE user SET timezone = (SELECT timezone FROM userSettings "
        "WHERE userSettings.userId = user.id);\n",
        (),
    ),
    "NN005": (
        "CREATE TABLE note (id integer PRIMARY KEY, body text);",
        "INSERT INTO note (body) VALUES ('x'), ('y');",
        "ALTER TABLE note ADD created_at text DEFAULT CURRENT_TIMESTAMP;\n",
        (),
    ),
    "NN005-not-null": (
        "CREATE TABLE note (id integer PRIMARY KEY, body text);",
        "INSERT INTO note (body) VALUES ('x'), ('y');",
        "ALTER TABLE note ADD rank integer NOT NULL DEFAULT (abs(-5));\n",
        (),
    ),
    "SQ001": (
        "CREATE TABLE account (id integer PRIMARY KEY, email text);",
        "INSERT INTO account (email) VALUES ('a@x'), ('b@x');",
        "ALTER TABLE account ADD handle text UNIQUE;\n",
        (),
    ),
    "SQ002": (
        "CREATE TABLE item (id integer PRIMARY KEY, price integer NOT NULL, qty integer);\n"
        "CREATE INDEX item_price ON item (price);",
        "INSERT INTO item (price, qty) VALUES (3, 2), (5, NULL);",
        "ALTER TABLE item ADD total integer GENERATED ALWAYS AS (price * qty) STORED;\n",
        (),
    ),
    "SQ003": (
        "CREATE TABLE list (id integer PRIMARY KEY, name text);\n"
        "INSERT INTO list (id, name) VALUES (1, 'inbox');\n"
        "CREATE TABLE item (id integer PRIMARY KEY, title text);",
        "INSERT INTO item (title) VALUES ('a'), ('b');",
        "ALTER TABLE item ADD list_id integer REFERENCES list(id) DEFAULT 1;\n",
        (),
    ),
}


def _history(tmp_path: Path, case: str) -> Path:
    first, _rows, bad, _args = CASES[case]
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text(first + "\n")
    (root / "0002_change.sql").write_text(bad)
    return root


def _codes(root: Path, code: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json",
                                      "--select", code, "--no-color"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    findings = data["findings"] if isinstance(data, dict) else data
    return [f for f in findings if f["code"] == code]


def _apply_with_rows(root: Path, rows: str) -> sqlite3.Connection:
    """Apply every migration in order on a database that gets ``rows`` after the first."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    files = sorted(p for p in root.iterdir() if p.suffix == ".sql")
    for i, path in enumerate(files):
        conn.executescript("BEGIN;\n" + path.read_text() + "\nCOMMIT;")
        if i == 0:
            conn.executescript(rows)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return conn


@pytest.mark.parametrize("case", sorted(CASES))
def test_fix_write_then_check_is_clean_and_applies_on_rows(tmp_path: Path, case: str) -> None:
    code = case.split("-")[0]
    root = _history(tmp_path, case)
    _first, rows, _bad, args = CASES[case]
    assert _codes(root, code), f"{code} does not fire on the case"
    original = (root / "0002_change.sql").read_text()
    dry = CliRunner().invoke(cli, ["fix", str(root), "--select", code, *args])
    assert dry.exit_code == 1, dry.output  # changes are planned (ruff --diff, Django --check)
    assert (root / "0002_change.sql").read_text() == original  # a dry run writes nothing
    assert "--- edit" in dry.stdout and "\n+" in dry.stdout  # the diff is shown
    result = CliRunner().invoke(cli, ["fix", str(root), "--write", "--select", code, *args])
    assert result.exit_code == 0, result.output
    assert "[ready]" in result.stdout and "refused" not in result.stdout, result.stdout
    assert "FAIL" not in result.stdout, result.stdout
    assert (root / "0002_change.sql").read_text() != original
    assert _codes(root, code) == []
    conn = _apply_with_rows(root, rows)
    conn.close()


def test_nn004_wraps_the_subquery_with_the_default(tmp_path: Path) -> None:
    root = _history(tmp_path, "NN004")
    assert CliRunner().invoke(cli, ["fix", str(root), "--write"]).exit_code == 0
    text = (root / "0002_change.sql").read_text()
    assert "SET timezone = coalesce((SELECT timezone FROM userSettings WHERE " \
           "userSettings.userId = user.id), 'UTC');" in text
    conn = _apply_with_rows(root, CASES["NN004"][1])
    assert conn.execute("SELECT id, timezone FROM user ORDER BY id").fetchall() == [
        ("a", "Europe/Paris"), ("b", "UTC")]


def test_nn005_follow_up_restores_the_default(tmp_path: Path) -> None:
    root = _history(tmp_path, "NN005")
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    text = (root / "0002_change.sql").read_text()
    assert "ADD created_at text;" in text
    assert "UPDATE `note` SET `created_at` = CURRENT_TIMESTAMP;" in text
    [follow_up] = [p for p in root.iterdir() if "fix_note_created_at" in p.name]
    assert "[pass] 15. reapply-and-rollback" in result.stdout
    conn = _apply_with_rows(root, CASES["NN005"][1])
    assert conn.execute("SELECT count(*) FROM note WHERE created_at IS NULL").fetchone() == (0,)
    conn.execute("INSERT INTO note (body) VALUES ('z')")
    assert conn.execute("SELECT created_at IS NOT NULL FROM note WHERE body = 'z'"
                        ).fetchone() == (1,)
    assert follow_up.read_text()


def test_sq001_primary_key_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text("CREATE TABLE t (a text);\n")
    (root / "0002_pk.sql").write_text("ALTER TABLE t ADD id integer PRIMARY KEY;\n")
    before = (root / "0002_pk.sql").read_text()
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 1, result.output  # a refused plan leaves work to do
    assert "SQ001" in result.stdout and "refused" in result.stdout
    assert (root / "0002_pk.sql").read_text() == before


def test_select_limits_the_findings(tmp_path: Path) -> None:
    root = _history(tmp_path, "SQ001")
    result = CliRunner().invoke(cli, ["fix", str(root), "--select", "NN004"])
    assert result.exit_code == 0 and "nothing to fix" in result.stdout


def test_the_diff_is_coloured_on_a_terminal_and_plain_elsewhere(tmp_path: Path) -> None:
    """Removed lines red and added lines green where colour is on (FORCE_COLOR stands
    for a terminal); no escape codes under NO_COLOR, --no-color, or in a pipe."""
    case = sorted(CASES)[0]
    root = _history(tmp_path, case)
    args = ["fix", str(root), "--select", case.split("-")[0], *CASES[case][3]]
    colored = CliRunner().invoke(cli, args, env={"FORCE_COLOR": "1"}, color=True)
    assert "--- edit" in colored.stdout, colored.output
    diff = colored.stdout.split("--- edit", 1)[1]
    assert "\x1b[32m+" in diff and "\x1b[1m+++ " in diff, diff  # added lines green
    for env, extra in (({"FORCE_COLOR": "1", "NO_COLOR": "1"}, []),
                       ({"FORCE_COLOR": "1"}, ["--no-color"]), ({}, [])):
        plain = CliRunner().invoke(cli, args + extra, env=env, color=True)
        assert "--- edit" in plain.stdout and "\x1b[" not in plain.stdout, (env, extra)


def test_the_migrations_before_a_rebuilt_add_are_applied_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQ002's fix builds its rebuild on a database right before the ADD, and the in-place
    proof starts from the same migrations: SQLite applies them once for both (on a long
    history each application took seconds)."""
    from migrate_lint.fix.model import Options
    from migrate_lint.fix.planner import plan_fixes
    from migrate_lint.sandbox import Sandbox

    root = _history(tmp_path, "SQ002")
    first = CASES["SQ002"][0].split(";")[0]
    applied: list[str] = []
    real_apply = Sandbox.apply

    def apply(self: Sandbox, pieces: Sequence[SqlPiece], **kwargs: Any) -> ApplyError | None:
        applied.extend(p.text for p in pieces[:1])
        return real_apply(self, pieces, **kwargs)

    monkeypatch.setattr(Sandbox, "apply", apply)
    plans = plan_fixes(str(root), Options(select=frozenset({"SQ002"})))
    assert plans and all(p.ok for p in plans), plans
    assert [text for text in applied if text.startswith(first)] == [first]
