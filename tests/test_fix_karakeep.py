"""Corpus: karakeep's pre-fix 0061 (NN004) corrected in place like the upstream fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from migrate_lint.cli import cli
from migrate_lint.history import History
from migrate_lint.pipeline import load_history
from migrate_lint.sandbox import Sandbox
from migrate_lint.synth import fill

KARAKEEP = CORPUS / "karakeep"
PRE_FIX = "karakeep__0061_merge_user_settings@20f4e4712f(pre-fix-#1919).sql"

pytestmark = pytest.mark.skipif(
    not (KARAKEEP / "bug_variants" / PRE_FIX).is_file(),
    reason=f"the shared corpus is not at {CORPUS}: karakeep corpus test skipped")


def _history(tmp_path: Path) -> Path:
    root = tmp_path / "drizzle"
    shutil.copytree(KARAKEEP / "packages" / "db" / "drizzle", root)
    shutil.copyfile(KARAKEEP / "bug_variants" / PRE_FIX, root / "0061_merge_user_settings.sql")
    return root


def _nn004(root: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select",
                                      "NN004"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    findings = data["findings"] if isinstance(data, dict) else data
    return [f for f in findings if f["code"] == "NN004"]


def _in_0061(findings: list[dict[str, object]]) -> list[dict[str, object]]:
    return [f for f in findings if "0061_merge_user_settings" in json.dumps(f)]


def _apply_with_users_lacking_settings(history: History) -> str | None:
    """Apply up to 0060, leave one settings row for several users, apply the rest."""
    at = history.find("0061_merge_user_settings")
    assert at is not None
    with Sandbox(history.runner) as box:
        for m in history.migrations[:at]:
            assert box.apply(m.up.statements) is None, m.label
        fill(box.connection)
        conn = box.connection
        conn.execute("DELETE FROM userSettings WHERE rowid NOT IN "
                     "(SELECT min(rowid) FROM userSettings)")
        lacking = conn.execute("SELECT count(*) FROM user WHERE id NOT IN "
                               "(SELECT userId FROM userSettings)").fetchone()[0]
        assert lacking > 0
        for m in history.migrations[at:]:
            error = box.apply(m.up.statements)
            if error is not None:
                return f"{m.label}: {error.message}"
        rows = conn.execute("SELECT bookmarkClickAction, archiveDisplayBehaviour FROM user "
                            "WHERE bookmarkClickAction = 'open_original_link'").fetchall()
        assert len(rows) >= lacking
    return None


def test_pre_fix_0061_is_corrected_like_upstream(tmp_path: Path) -> None:
    root = _history(tmp_path)
    assert _in_0061(_nn004(root)), "NN004 does not fire on the pre-fix 0061"
    assert _apply_with_users_lacking_settings(load_history(root)) is not None
    result = CliRunner().invoke(cli, ["fix", str(root), "--write", "--select", "NN004"])
    # 0025 has an NN004 finding too (CASE without ELSE): fixed as well, so every NN004 of
    # the history is gone afterwards.
    assert result.exit_code == 0, result.output
    ready = [line for line in result.stdout.splitlines()
             if line.startswith("NN004") and "0061_merge_user_settings" in line]
    assert len(ready) == 2 and all(line.endswith("[ready]") for line in ready), result.stdout
    assert "coalesce(" in (root / "0025_aspiring_skaar.sql").read_text()
    assert _nn004(root) == []
    text = (root / "0061_merge_user_settings.sql").read_text()
    assert "`bookmarkClickAction` = coalesce((" in text
    assert "), 'open_original_link')," in text and "), 'show')," in text
    assert _in_0061(_nn004(root)) == []
    assert _apply_with_users_lacking_settings(load_history(root)) is None
