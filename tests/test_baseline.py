"""Baselines and per-file-ignores: accept old findings without editing released files.

Real histories in temporary directories (karakeep's drizzle history copied there, and
small ones written here), run through the real CLI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import corpus_path

from migrate_lint.cli import cli

ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": "1", "GITHUB_WORKSPACE": None}


def run(*args: str) -> Result:
    return CliRunner(env=ENV).invoke(cli, list(args))


def _karakeep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source = corpus_path("karakeep", "packages", "db", "drizzle")
    root = tmp_path / "packages" / "db" / "drizzle"
    shutil.copytree(source, root)
    monkeypatch.chdir(tmp_path)
    return root


def _small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY, a text);\nCREATE TABLE u (id integer);\n")
    (root / "0002_drop.sql").write_text("DROP TABLE u;\nALTER TABLE t ADD b int NOT NULL;\n")
    monkeypatch.chdir(tmp_path)
    return root


@pytest.mark.corpus
def test_karakeep_baseline_then_check_is_clean_and_survives_a_line_shift(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _karakeep(tmp_path, monkeypatch)
    before = run("check", str(root), "--format", "json")
    assert before.exit_code == 1
    total = json.loads(before.stdout)["summary"]["total"]
    assert total > 0

    written = run("baseline", str(root))
    assert written.exit_code == 0, written.output
    data = json.loads((tmp_path / ".migrate-lint-baseline.json").read_text())
    assert len(data["findings"]) == total
    (tmp_path / ".migrate-lint.toml").write_text(
        'path = "packages/db/drizzle"\nbaseline = ".migrate-lint-baseline.json"\n')
    clean = run("check", "--format", "json")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout)["summary"]["baselined"] == total

    # Lines move in every file that has a finding: nothing reappears, nothing is stale.
    for rel in {entry["path"] for entry in data["findings"]}:
        path = tmp_path / rel
        path.write_text("-- reviewed\n\n\n" + path.read_text())
    shifted = run("check")
    assert shifted.exit_code == 0, shifted.output
    assert "no longer match" not in shifted.stderr

    # A new finding still fails, and it is the only one reported.
    last = sorted(root.glob("*.sql"))[-1]
    last.write_text(last.read_text() + "\n--> statement-breakpoint\n"
                    "ALTER TABLE `bookmarks` ADD `seq` integer NOT NULL;\n")
    new = run("check", "--format", "json")
    assert new.exit_code == 1
    found = json.loads(new.stdout)["findings"]
    assert [(f["code"], Path(f["path"]).name) for f in found] == [("NN001", last.name)]


def test_editing_a_baselined_statement_reports_it_again_and_the_entry_as_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _small(tmp_path, monkeypatch)
    assert run("baseline", str(root), "-o", "base.json").exit_code == 0
    assert run("check", str(root), "--baseline", "base.json").exit_code == 0
    (root / "0002_drop.sql").write_text("DROP TABLE u;\nALTER TABLE t ADD c int NOT NULL;\n")
    again = run("check", str(root), "--baseline", "base.json")
    assert again.exit_code == 1
    assert "NN001" in again.stdout and "DL001" not in again.stdout
    assert "1 baseline entry no longer matches" in again.stderr
    assert "stale: NN001 migrations/0002_drop.sql" in again.stderr


def test_duplicate_findings_need_one_entry_each(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = _small(tmp_path, monkeypatch)
    assert run("baseline", str(root), "-o", "base.json").exit_code == 0
    # A second, identical statement in another migration is another finding.
    (root / "0003_more.sql").write_text("ALTER TABLE t ADD b2 int NOT NULL;\n")
    assert run("check", str(root), "--baseline", "base.json").exit_code == 1


def test_pre_commit_style_runs_do_not_call_other_files_entries_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _small(tmp_path, monkeypatch)
    (root / "0003_ok.sql").write_text("ALTER TABLE t ADD d text;\n")
    assert run("baseline", str(root), "-o", "base.json").exit_code == 0
    one = run("check", str(root / "0003_ok.sql"), "--baseline", "base.json")
    assert one.exit_code == 0, one.output
    assert "no longer match" not in one.stderr


def test_bad_baseline_files_are_one_line_errors(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = _small(tmp_path, monkeypatch)
    missing = run("check", str(root), "--baseline", "nope.json")
    assert missing.exit_code == 2
    assert "nope.json: no such baseline file" in missing.stderr
    (tmp_path / "bad.json").write_text("{not json")
    bad = run("check", str(root), "--baseline", "bad.json")
    assert bad.exit_code == 2 and "bad.json: baseline is not valid JSON" in bad.stderr
    assert "Traceback" not in bad.output


def test_per_file_ignores_by_migration_glob(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = _small(tmp_path, monkeypatch)
    (tmp_path / ".migrate-lint.toml").write_text(
        '[per-file-ignores]\n"0002_*" = ["DL"]\n"migrations/0009_*.sql" = ["NN001"]\n')
    result = run("check", str(root), "--format", "json")
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert codes == ["NN001"]
    (tmp_path / ".migrate-lint.toml").write_text(
        '[per-file-ignores]\n"migrations/0002_drop.sql" = ["NN001", "DL001"]\n')
    assert run("check", str(root)).exit_code == 0
    (tmp_path / ".migrate-lint.toml").write_text('[per-file-ignores]\n"0002_*" = ["XX999"]\n')
    unknown = run("check", str(root))
    assert unknown.exit_code == 2 and "unknown rule code `XX999`" in unknown.stderr
