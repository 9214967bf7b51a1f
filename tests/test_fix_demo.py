"""Acceptance: `migrate-lint fix migrations/ --write` on a copy of the bundled demo."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from migrate_lint.cli import cli
from migrate_lint.config import Config
from migrate_lint.lint import lint
from migrate_lint.pipeline import load_history
from migrate_lint.sandbox import Sandbox
from migrate_lint.synth import fill

DEMO = Path(__file__).resolve().parents[1] / "migrations"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "migrations"
    shutil.copytree(DEMO, target)
    return target


def test_dry_run_prints_plan_and_writes_nothing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = sorted(p.name for p in root.iterdir())
    result = CliRunner().invoke(cli, ["fix", str(root)])
    assert result.exit_code == 1, result.output  # changes planned, not written
    assert "ADD `seq` integer NOT NULL DEFAULT 0" in result.stdout
    assert "--- new" in result.stdout and "fix_session_message_seq.sql" in result.stdout
    assert "[pass] 15. reapply-and-rollback" in result.stdout
    assert sorted(p.name for p in root.iterdir()) == before


def test_write_corrects_migration_and_adds_follow_up(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    original = load_history(root)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    bad = root / "20260603040000_session_message_order.sql"
    assert "ADD `seq` integer NOT NULL DEFAULT 0;" in bad.read_text()
    new = sorted(root.glob("*_fix_session_message_seq.sql"))
    assert len(new) == 1 and len(new[0].name.split("_")[0]) == 14
    assert "\nBEGIN" not in new[0].read_text()  # drizzle wraps the batch itself
    assert "--> statement-breakpoint" in new[0].read_text()

    # The NN001 rule no longer fires for that table.
    findings = lint([str(root)], Config(path=str(root), select=("NN001",))).findings
    assert not [f for f in findings if f.get("table") == "session_message"]
    check = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
    if check.exit_code in (0, 1) and "NN001" in check.stdout:
        assert "session_message" not in check.stdout.split("NN001", 1)[1][:400]

    fixed = load_history(root)
    # (a) a database that held rows before the bad migration
    with Sandbox(fixed.runner) as box:
        for m in fixed.migrations[:2]:
            assert box.apply(m.up.statements) is None
        fill(box.connection)
        for m in fixed.migrations[2:]:
            assert box.apply(m.up.statements) is None, m.label
        rows_a = box.connection.execute("SELECT count(*), min(seq) FROM session_message").fetchone()
        assert rows_a[0] > 0 and rows_a[1] == 0
        schema_a = box.snapshot()
    # (b) a database where the original bad migration applied to an empty table
    with Sandbox(fixed.runner) as box:
        for m in original.migrations:
            assert box.apply(m.up.statements) is None
        fill(box.connection)
        assert box.apply(fixed.migrations[-1].up.statements) is None
        schema_b = box.snapshot()
        conn: sqlite3.Connection = box.connection
        conn.execute("INSERT INTO session_message (id, session_id, type, time_created, data) "
                     "SELECT 'new', id, 't', 1, '{}' FROM session LIMIT 1")
        assert conn.execute("SELECT seq FROM session_message WHERE id = 'new'").fetchone() == (0,)
    assert schema_a == schema_b


def test_second_run_finds_nothing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    assert CliRunner().invoke(cli, ["fix", str(root), "--write"]).exit_code == 0
    again = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert again.exit_code == 0 and "nothing to fix" in again.stdout
