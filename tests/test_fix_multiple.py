"""Several fixes in one run: each follow-up gets its own version and all are proven."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli
from migrate_lint.pipeline import load_history
from migrate_lint.sandbox import Sandbox
from migrate_lint.synth import fill


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
