"""Several fixes in one run: each follow-up gets its own version and all are proven."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli
from migrate_lint.pipeline import load_history
from migrate_lint.sandbox import Sandbox
from migrate_lint.synth import fill
from tests.rules.harness import write_history


@pytest.mark.parametrize("layout", ["folder", "flat"])
def test_two_not_null_adds_in_one_migration(tmp_path: Path, layout: str) -> None:
    root = tmp_path / "migrations"
    init = "CREATE TABLE a (id integer PRIMARY KEY);\nCREATE TABLE b (id integer PRIMARY KEY);\n"
    add = "ALTER TABLE a ADD x integer NOT NULL;\nALTER TABLE b ADD y text NOT NULL;\n"
    for name, text in (("20260101000000_init", init), ("20260201000000_add", add)):
        if layout == "folder":
            (root / name).mkdir(parents=True)
            (root / name / "migration.sql").write_text(text)
        else:
            root.mkdir(exist_ok=True)
            (root / f"{name}.sql").write_text(text)
    original = load_history(root)

    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    history = load_history(root)
    new = [m for m in history.migrations if "fix_" in m.label]
    assert sorted(m.label.split("_", 1)[1] for m in new) == ["fix_a_x", "fix_b_y"]
    assert len({m.version for m in history.migrations}) == len(history.migrations)
    check = CliRunner().invoke(cli, ["check", str(root)])
    assert check.exit_code == 0, check.output

    # databases that held rows before the bad migration: the fixed history applies
    with Sandbox(history.runner) as box:
        for m in history.migrations[:1]:
            assert box.apply(m.up.statements) is None
        fill(box.connection)
        for m in history.migrations[1:]:
            assert box.apply(m.up.statements) is None, m.label
        fixed_end = box.snapshot()
    # databases where the original applied on empty tables: the new migrations catch up
    with Sandbox(history.runner) as box:
        for m in original.migrations:
            assert box.apply(m.up.statements) is None
        fill(box.connection)
        for m in new:
            assert box.apply(m.up.statements) is None, m.label
        assert box.snapshot() == fixed_end


def test_one_copy_of_several_nullable_columns_is_one_finding_fixed_column_by_column(
        tmp_path: Path) -> None:
    """A rebuild that tightens two nullable columns is one NN003 warning; `fix` corrects
    each value in place, and each proof lets the other correction's column change."""
    import json
    import sqlite3

    root = tmp_path / "migrations"
    write_history(
        "-- migration: 0001_init.sql\n"
        "CREATE TABLE t (id integer PRIMARY KEY, a text, b integer);\n"
        "-- migration: 0002_tighten.sql\n"
        "CREATE TABLE t_new (id integer PRIMARY KEY, a text NOT NULL DEFAULT '',"
        " b integer NOT NULL DEFAULT 0);\n"
        "INSERT INTO t_new (id, a, b) SELECT id, a, b FROM t;\n"
        "DROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n", root)
    found = json.loads(CliRunner().invoke(
        cli, ["check", str(root), "--format", "json", "--no-cache"]).stdout)["findings"]
    assert [(f["code"], f["severity"]) for f in found] == [("NN003", "warning")]
    assert "`t.a` into `a`, `t.b` into `b`" in found[0]["message"]

    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    text = (root / "0002_tighten.sql").read_text()
    assert "coalesce(a, '')" in text and "coalesce(b, 0)" in text
    assert CliRunner().invoke(cli, ["check", str(root), "--no-cache"]).exit_code == 0
    conn = sqlite3.connect(":memory:")
    conn.executescript((root / "0001_init.sql").read_text())
    conn.execute("INSERT INTO t (a, b) VALUES (NULL, NULL), ('x', 2)")
    conn.executescript(text)
    assert conn.execute("SELECT a, b FROM t ORDER BY id").fetchall() == [("", 0), ("x", 2)]
