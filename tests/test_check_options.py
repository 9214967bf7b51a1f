"""`check`'s ruff-style conveniences and report formats, on real histories in temp dirs.

--statistics, --exit-zero, --output-file, --root, the gitlab and markdown formats,
SARIF's helpUri / partialFingerprints / %SRCROOT%, nearest-configuration discovery,
and a misspelled --insert-paths.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from migrate_lint.cli import cli

SARIF_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-2.1.0.json"
ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": "1", "GITHUB_WORKSPACE": None,
       "CI_PROJECT_DIR": None}


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner(env={**ENV, **(env or {})}).invoke(cli, list(args))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A monorepo: migrations under packages/db/drizzle, the run starts at the root."""
    root = tmp_path / "packages" / "db" / "drizzle"
    root.mkdir(parents=True)
    (root / "0000_init.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY, a text);\n--> statement-breakpoint\n"
        "CREATE TABLE u (id integer);\n")
    (root / "0001_more.sql").write_text(
        "DROP TABLE u;\n--> statement-breakpoint\nALTER TABLE t ADD `b` int NOT NULL;\n"
        "--> statement-breakpoint\nALTER TABLE t ADD `c` int NOT NULL;\n")
    monkeypatch.chdir(tmp_path)
    return root


def test_statistics_counts_per_rule(repo: Path) -> None:
    text = run("check", str(repo), "--statistics")
    assert text.exit_code == 1
    lines = text.stdout.splitlines()
    assert lines[0].split()[:3] == ["2", "NN001", "[add-not-null-without-default]"]
    assert lines[1].split() == ["1", "DL001", "[drop-table]", "warning"]
    data = json.loads(run("check", str(repo), "--statistics", "--format", "json").stdout)
    assert data[0] == {"code": "NN001", "name": "add-not-null-without-default",
                       "severity": "error", "count": 2}
    bad = run("check", str(repo), "--statistics", "--format", "sarif")
    assert bad.exit_code == 2


def test_exit_zero_and_output_file(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run("check", str(repo), "--exit-zero", "--format", "json", "--output-file",
                 str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text())["summary"]["total"] == 3
    unwritable = run("check", str(repo), "-o", str(tmp_path / "no" / "such" / "dir.txt"))
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.stderr


def test_text_names_the_severity_of_every_finding(repo: Path) -> None:
    out = run("check", "packages/db/drizzle").stdout
    heads = [line for line in out.splitlines() if line.startswith("packages/")]
    assert [h.split(": ")[1].split()[0] for h in heads] == ["warning", "error", "error"]


def test_gitlab_code_quality(repo: Path) -> None:
    issues = json.loads(run("check", str(repo), "--format", "gitlab").stdout)
    assert [i["check_name"] for i in issues] == ["DL001", "NN001", "NN001"]
    assert {i["severity"] for i in issues} == {"major", "minor"}
    assert len({i["fingerprint"] for i in issues}) == 3
    assert issues[1]["location"] == {"path": "packages/db/drizzle/0001_more.sql",
                                     "lines": {"begin": 3, "end": 3}}


def test_markdown_has_a_table_and_code_frames(repo: Path) -> None:
    md = run("check", str(repo), "--format", "markdown").stdout
    assert md.startswith("## migrate-lint\n")
    assert "| 🔴 | error | [NN001](https://github.com/migrate-lint/migrate-lint/blob/main/" \
           "docs/rules/NN001.md) `add-not-null-without-default` |" in md
    assert "```text\n  |\n3 | ALTER TABLE t ADD `b` int NOT NULL;\n" in md
    assert "**help:**" in md
    clean = tmp_clean = repo.parent / "clean"
    clean.mkdir()
    (tmp_clean / "0001_x.sql").write_text("CREATE TABLE x (id integer);\n")
    assert "All checks passed" in run("check", str(clean), "--format", "markdown").stdout


def test_root_makes_annotations_land_on_the_repository(repo: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.parent)  # run from packages/db, as a monorepo job would
    plain = run("check", "drizzle", "--format", "github").stdout
    assert "file=drizzle/0001_more.sql" in plain
    rooted = run("check", "drizzle", "--format", "github", "--root", str(tmp_path)).stdout
    assert "file=packages/db/drizzle/0001_more.sql" in rooted
    # Inside GitHub Actions the workspace is the root without being asked.
    auto = run("check", "drizzle", env={"GITHUB_ACTIONS": "true",
                                        "GITHUB_WORKSPACE": str(tmp_path)}).stdout
    assert auto.startswith("::warning file=packages/db/drizzle/0001_more.sql,")


def test_sarif_is_srcroot_relative_with_help_uri_and_fingerprints(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.parent)
    log = json.loads(run("check", "drizzle", "--format", "sarif", "--root",
                         str(tmp_path)).stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()),
                        cls=jsonschema.Draft4Validator)
    sarif_run = log["runs"][0]
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    location = sarif_run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "packages/db/drizzle/0001_more.sql", "uriBaseId": "%SRCROOT%"}
    prints = [r["partialFingerprints"]["migrateLint/v1"] for r in sarif_run["results"]]
    assert len(set(prints)) == 3
    rules = {r["id"]: r for r in sarif_run["tool"]["driver"]["rules"]}
    assert rules["NN001"]["helpUri"].endswith("/docs/rules/NN001.md")
    # The fingerprints do not move with the lines.
    file = repo / "0001_more.sql"
    file.write_text("-- a comment\n\n" + file.read_text())
    again = json.loads(run("check", "drizzle", "--format", "sarif").stdout)
    assert [r["partialFingerprints"]["migrateLint/v1"]
            for r in again["runs"][0]["results"]] == prints


def test_nearest_configuration_applies_from_the_repository_root(repo: Path,
                                                                tmp_path: Path) -> None:
    (tmp_path / ".migrate-lint.toml").write_text('ignore = ["FK"]\n')
    (repo.parent / ".migrate-lint.toml").write_text('ignore = ["DL001"]\n')
    # pre-commit passes files from the repository root; the package's file applies.
    file = run("check", "packages/db/drizzle/0001_more.sql", "--format", "json")
    assert [f["code"] for f in json.loads(file.stdout)["findings"]] == ["NN001", "NN001"]
    folder = run("check", "packages/db/drizzle", "--format", "json")
    assert [f["code"] for f in json.loads(folder.stdout)["findings"]] == ["NN001", "NN001"]
    # Two histories, two configurations, one report.
    other = tmp_path / "other"
    other.mkdir()
    (other / "0001_x.sql").write_text("CREATE TABLE v (id integer);\n")
    (other / "0002_y.sql").write_text("DROP TABLE v;\n")
    both = run("check", "packages/db/drizzle", "other", "--format", "json")
    assert [f["code"] for f in json.loads(both.stdout)["findings"]] == [
        "DL001", "NN001", "NN001"]
    assert json.loads(both.stdout)["findings"][0]["path"] == "other/0002_y.sql"


def test_a_misspelled_insert_path_is_an_error(repo: Path, tmp_path: Path) -> None:
    result = run("check", str(repo), "--insert-paths", "scr")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: --insert-paths: scr: no such file or directory"]
    (tmp_path / ".migrate-lint.toml").write_text('insert-paths = ["nowhere"]\n')
    configured = run("check", str(repo))
    assert configured.exit_code == 2
    assert ".migrate-lint.toml: insert-paths: nowhere: no such file" in configured.stderr


def test_a_non_sql_file_outside_any_history_is_skipped_not_an_error(repo: Path) -> None:
    meta = repo / "meta"
    meta.mkdir()
    (meta / "_journal.json").write_text('{"version": "7", "dialect": "sqlite", "entries": []}')
    only = run("check", "packages/db/drizzle/meta/_journal.json", "--verbose")
    assert only.exit_code == 0, only.output
    assert "_journal.json: not an SQL migration file; skipped" in only.stderr
    both = run("check", "packages/db/drizzle/meta/_journal.json",
               "packages/db/drizzle/0001_more.sql")
    assert both.exit_code == 1 and "NN001" in both.stdout
    stray = run("check", "nowhere.sql")
    assert stray.exit_code == 2


def test_two_configurations_each_keep_their_fail_on(repo: Path, tmp_path: Path) -> None:
    (repo.parent / ".migrate-lint.toml").write_text('ignore = ["NN"]\nfail-on = "error"\n')
    other = tmp_path / "other"
    other.mkdir()
    (other / "0001_x.sql").write_text("CREATE TABLE v (id integer);\n")
    (other / "0002_y.sql").write_text("DROP TABLE v;\n")
    # packages/db: only a warning, under fail-on = error; other/: a warning under the
    # default fail-on = warning. The run fails because of other/ alone.
    both = run("check", "packages/db/drizzle", "other", "--format", "json")
    assert both.exit_code == 1
    assert json.loads(both.stdout)["summary"]["failed"] is True
    alone = run("check", "packages/db/drizzle")
    assert alone.exit_code == 0, alone.output

