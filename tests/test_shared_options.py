"""`check` and `fix` read rule-code flags the same way (migrate_lint/cli/codes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from migrate_lint.cli import cli
from migrate_lint.cli.codes import rule_codes, split_codes

DEMO = str(ROOT / "migrations")


@pytest.mark.parametrize("codes", ["XX999", "NN001,XX999", "nn0011"])
def test_fix_rejects_an_unknown_select_code_as_check_does(codes: str) -> None:
    runner = CliRunner()
    check = runner.invoke(cli, ["check", DEMO, "--select", codes])
    fix = runner.invoke(cli, ["fix", DEMO, "--select", codes])
    assert check.exit_code == fix.exit_code == 2
    assert "unknown rule code" in fix.stderr
    assert fix.stderr == check.stderr
    assert "nothing to fix" not in fix.output


def test_one_reading_of_a_code_flag() -> None:
    assert split_codes(" NN001, ,DL ") == split_codes(("NN001", "DL")) == ("NN001", "DL")
    assert rule_codes(("nn001,all", "add-not-null-without-default"), "--select") == (
        "NN001", "ALL")


@pytest.mark.parametrize("table", ['select = ["XX999"]', 'severity = { XX999 = "warning" }',
                                   '[per-file-ignores]\n"0001_*" = ["XX999"]',
                                   'fail-on = "sometimes"'])
def test_fix_rejects_what_check_rejects_in_the_configuration(table: str, tmp_path: Path
                                                              ) -> None:
    config = tmp_path / ".migrate-lint.toml"
    config.write_text(table + "\n", encoding="utf-8")
    runner = CliRunner()
    check = runner.invoke(cli, ["check", DEMO, "--config", str(config)])
    fix = runner.invoke(cli, ["fix", DEMO, "--config", str(config)])
    assert check.exit_code == fix.exit_code == 2, (check.output, fix.output)
    assert fix.stderr == check.stderr
    assert str(config) in fix.stderr and fix.stderr.count("\n") == 1
