"""`migrate-lint check`, `rules` and `explain` end to end, through click's CliRunner.

Most tests run against two small stand-in rules (so they test the plumbing, not the
rule set, which has its own tests); ``test_demo_history`` runs the real rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from migrate_lint import engine, registry
from migrate_lint.cli import cli
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import Statement, StatementKind

PROJECT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-2.1.0.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CLEAN_ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "FORCE_COLOR": None}


class StandInNotNull(Rule):
    """Adds a NOT NULL column without a default.

    ## What it does
    Stand-in for NN001 in these tests.

    ## Why is this bad?
    It fails on populated tables.

    ## Example
    ```sql
    ALTER TABLE t ADD c integer NOT NULL;
    ```

    ## Use instead
    ```sql
    ALTER TABLE t ADD c integer NOT NULL DEFAULT 0;
    ```
    """

    code = "NN001"
    name = "add-not-null-without-default"
    severity = "error"
    kinds = frozenset({StatementKind.ALTER_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterable[Finding]:
        text = stmt.text.upper()
        if " ADD " in text and "NOT NULL" in text and "DEFAULT" not in text:
            yield self.finding(stmt.span, "adds a NOT NULL column without default",
                               help="add a DEFAULT", migration=ctx.migration.label)


class StandInDropTable(Rule):
    """Drops a table.

    ## What it does
    Stand-in for DL001 in these tests.

    ## Why is this bad?
    Data is lost.

    ## Example
    ```sql
    DROP TABLE t;
    ```

    ## Use instead
    Keep it.
    """

    code = "DL001"
    name = "drop-table"
    severity = "warning"
    kinds = frozenset({StatementKind.DROP_TABLE})

    def check(self, stmt: Statement, ctx: Context) -> Iterable[Finding]:
        yield self.finding(stmt.span, "drops a table", help="keep it")


@pytest.fixture
def stand_in_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the rule registry with the two stand-ins (which the rule catalogue does
    not list: runs load the rules from the registry, not by the catalogue)."""
    monkeypatch.setattr(engine, "all_rules", lambda: (StandInDropTable, StandInNotNull))
    monkeypatch.setattr(registry, "catalogue_is_whole", lambda: False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory (the current directory) with a three-migration history."""
    monkeypatch.chdir(tmp_path)
    mig = tmp_path / "migrations"
    mig.mkdir()
    (mig / "0001_create.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE TABLE u (id integer);\n")
    (mig / "0002_add.sql").write_text(
        "-- add a column\nALTER TABLE t ADD c integer NOT NULL;\n")
    (mig / "0003_drop.sql").write_text("DROP TABLE u;\n")
    return tmp_path


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    """Invoke the CLI with a clean environment (plus ``env``)."""
    return CliRunner().invoke(cli, list(args), env={**CLEAN_ENV, **(env or {})},
                              catch_exceptions=False)


def codes_at(result: Result) -> list[tuple[str, str, int, int]]:
    data = json.loads(result.stdout)
    return [(f["code"], f["path"], f["line"], f["column"]) for f in data["findings"]]


# --- the real rule set -----------------------------------------------------------------


def test_demo_history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    result = run("check", "--format", "json", "migrations")
    assert result.exit_code == 1, result.stderr
    found = codes_at(result)
    assert ("NN001", "migrations/20260603040000_session_message_order.sql", 3) in [
        f[:3] for f in found]


def test_demo_history_default_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    result = run("check")
    assert result.exit_code == 1
    assert "NN001" in result.stdout
    assert result.stderr == ""


# --- formats -------------------------------------------------------------------------------


@pytest.mark.usefixtures("stand_in_rules")
def test_json_round_trip(project: Path) -> None:
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert codes_at(result) == [("NN001", "migrations/0002_add.sql", 2, 1),
                                ("DL001", "migrations/0003_drop.sql", 1, 1)]
    first = data["findings"][0]
    assert set(first) == {"code", "name", "severity", "message", "help", "path", "line",
                          "column", "end_line", "end_column", "migration", "related",
                          "fix_title", "url", "fingerprint"}
    assert first["url"].endswith("/docs/rules/NN001.md")
    assert len(first["fingerprint"]) == 32
    assert first["migration"] == "0002_add"
    assert first["end_line"] == 2 and first["end_column"] == 36
    assert data["summary"]["error"] == 1 and data["summary"]["warning"] == 1
    assert data["summary"]["total"] == 2 and data["summary"]["files"] == 2


@pytest.mark.usefixtures("stand_in_rules")
def test_text_output(project: Path) -> None:
    result = run("check")
    assert result.exit_code == 1
    out = result.stdout
    assert "migrations/0002_add.sql:2:1: error NN001 [add-not-null-without-default]" in out
    assert "ALTER TABLE t ADD c integer NOT NULL;" in out
    assert "^" in out and "help: add a DEFAULT" in out
    assert out.rstrip().endswith("Found 2 problems (1 error, 1 warning) in 2 files.")
    assert not ANSI.search(out)


@pytest.mark.usefixtures("stand_in_rules")
def test_color_only_when_allowed(project: Path) -> None:
    assert ANSI.search(run("check", env={"FORCE_COLOR": "1"}).stdout)
    assert not ANSI.search(run("check", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout)
    assert not ANSI.search(run("check", "--no-color", env={"FORCE_COLOR": "1"}).stdout)


@pytest.mark.usefixtures("stand_in_rules")
def test_github_annotations(project: Path) -> None:
    result = run("check", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=migrations/0002_add.sql,line=2,col=1,endLine=2,endColumn=36,"
        "title=NN001 add-not-null-without-default::")
    assert lines[1].startswith("::warning file=migrations/0003_drop.sql,line=1,col=1,")


@pytest.mark.usefixtures("stand_in_rules")
def test_github_format_is_automatic_in_actions(project: Path) -> None:
    result = run("check", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=migrations/0002_add.sql,line=2,col=1")
    explicit = run("check", "--format", "json", env={"GITHUB_ACTIONS": "true"})
    json.loads(explicit.stdout)


@pytest.mark.usefixtures("stand_in_rules")
def test_sarif_validates(project: Path) -> None:
    result = run("check", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validate(log, schema, cls=jsonschema.Draft4Validator)
    run_ = log["runs"][0]
    assert {r["id"] for r in run_["tool"]["driver"]["rules"]} >= {"NN001", "DL001", "MG006"}
    res = run_["results"][0]
    assert res["ruleId"] == "NN001" and res["level"] == "error"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "migrations/0002_add.sql"
    assert loc["region"] == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 37}


# --- selection, severity, exit codes ------------------------------------------------------


@pytest.mark.usefixtures("stand_in_rules")
def test_select_and_ignore(project: Path) -> None:
    assert [c[0] for c in codes_at(run("check", "--format", "json", "--select", "NN"))] == [
        "NN001"]
    assert [c[0] for c in codes_at(run("check", "--format", "json", "--ignore", "nn001"))] == [
        "DL001"]
    both = run("check", "--format", "json", "--select", "NN001,DL", "--ignore", "DL001")
    assert [c[0] for c in codes_at(both)] == ["NN001"]


@pytest.mark.usefixtures("stand_in_rules")
def test_fail_on(project: Path) -> None:
    assert run("check", "--ignore", "NN001").exit_code == 1  # a warning, default fail-on
    assert run("check", "--ignore", "NN001", "--fail-on", "error").exit_code == 0
    clean = run("check", "--select", "MG")
    assert clean.exit_code == 0 and "All checks passed!" in clean.stdout


@pytest.mark.usefixtures("stand_in_rules")
def test_severity_override_from_config(project: Path) -> None:
    (project / ".migrate-lint.toml").write_text(
        'fail-on = "error"\n[severity]\nNN001 = "warning"\n')
    result = run("check", "--format", "json")
    assert result.exit_code == 0
    assert [f["severity"] for f in json.loads(result.stdout)["findings"]] == ["warning"] * 2


@pytest.mark.usefixtures("stand_in_rules")
def test_unknown_select_code(project: Path) -> None:
    result = run("check", "--select", "NN001,ZZ999")
    assert result.exit_code == 2
    assert "ZZ999" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.usefixtures("stand_in_rules")
def test_unknown_code_in_config(project: Path) -> None:
    (project / ".migrate-lint.toml").write_text('ignore = ["NN01"]\n')
    result = run("check")
    assert result.exit_code == 2
    assert "NN01`" in result.stderr and ".migrate-lint.toml" in result.stderr


@pytest.mark.usefixtures("stand_in_rules")
def test_typo_config_key(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.migrate-lint]\nfail_on = "error"\n')
    result = run("check")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "fail_on" in lines[0] and "fail-on" in lines[0] and "pyproject.toml" in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("check", "nowhere")
    assert result.exit_code == 2
    assert "nowhere" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert run("check").exit_code == 2  # default migrations/ is missing too


@pytest.mark.usefixtures("stand_in_rules")
def test_file_outside_any_history(project: Path) -> None:
    (project / "queries").mkdir()
    stray = project / "queries" / "report.sql"
    stray.write_text("SELECT 1;\n")
    result = run("check", "queries/report.sql")
    assert result.exit_code == 2
    assert "queries/report.sql" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- files, as pre-commit passes them ----------------------------------------------------------


@pytest.mark.usefixtures("stand_in_rules")
def test_given_files_restrict_findings(project: Path) -> None:
    only_drop = run("check", "--format", "json", "migrations/0003_drop.sql")
    assert codes_at(only_drop) == [("DL001", "migrations/0003_drop.sql", 1, 1)]
    clean = run("check", "migrations/0001_create.sql")
    assert clean.exit_code == 0


@pytest.mark.usefixtures("stand_in_rules")
def test_files_from_several_histories(project: Path) -> None:
    other = project / "db" / "migrations"
    for name in ("0001_init", "0002_more"):
        (other / name).mkdir(parents=True)
    (other / "0001_init" / "migration.sql").write_text("CREATE TABLE a (id integer);\n")
    (other / "0002_more" / "migration.sql").write_text(
        "ALTER TABLE a ADD b text NOT NULL;\n")
    result = run("check", "--format", "json", "db/migrations/0002_more/migration.sql",
                 "migrations/0002_add.sql")
    assert codes_at(result) == [
        ("NN001", "db/migrations/0002_more/migration.sql", 1, 1),
        ("NN001", "migrations/0002_add.sql", 2, 1),
    ]


@pytest.mark.usefixtures("stand_in_rules")
def test_parse_problem_becomes_finding(project: Path) -> None:
    (project / "migrations" / "0004_bad.sql").write_text("FROBNICATE t;\n")
    result = run("check", "--format", "json", "migrations/0004_bad.sql")
    assert codes_at(result) == [("MG001", "migrations/0004_bad.sql", 1, 1)]
    assert json.loads(result.stdout)["findings"][0]["severity"] == "error"


@pytest.mark.usefixtures("stand_in_rules")
def test_suppression_and_unused_suppression(project: Path) -> None:
    (project / "migrations" / "0002_add.sql").write_text(
        "-- migrate-lint: ignore NN001 -- the table is empty in production\n"
        "-- another comment\n"
        "ALTER TABLE t ADD c integer NOT NULL;\n"
        "-- migrate-lint: ignore DL001 -- nothing to drop here\n"
        "CREATE INDEX t_c ON t (c);\n")
    result = run("check", "--format", "json", "migrations/0002_add.sql")
    assert codes_at(result) == [("MG006", "migrations/0002_add.sql", 4, 1)]
    assert json.loads(result.stdout)["summary"]["suppressed"] == 1


@pytest.mark.usefixtures("stand_in_rules")
def test_insert_path_files_are_accepted(project: Path) -> None:
    (project / "sql").mkdir()
    (project / "sql" / "seed.sql").write_text("INSERT INTO t (id) VALUES (1);\n")
    result = run("check", "--insert-paths", "sql", "sql/seed.sql")
    assert result.exit_code == 0, result.stderr


# --- rules and explain ------------------------------------------------------------------------


# `rules` and `explain` read the rule catalogue (migrate_lint.rulebook), not the registry
# the stand-ins replace: they run on the real rules.
def test_rules_listing() -> None:
    text = run("rules")
    assert text.exit_code == 0
    assert re.search(r"^NN001\s+add-not-null-without-default\s+error\s+Adding a NOT NULL",
                     text.stdout, re.M)
    listed = json.loads(run("rules", "--format", "json").stdout)
    assert [r["code"] for r in listed] == sorted(r["code"] for r in listed)
    assert {"code", "name", "severity", "summary"} <= set(listed[0])


def test_explain() -> None:
    by_code = run("explain", "NN001")
    assert by_code.exit_code == 0 and "## What it does" in by_code.stdout
    assert run("explain", "add-not-null-without-default").stdout == by_code.stdout
    unknown = run("explain", "NN01")
    assert unknown.exit_code == 2 and "NN001" in unknown.stderr


def test_unsupported_alter_is_reported_once_not_also_as_parse_error(tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_a.sql").write_text("CREATE TABLE t (a int);\n")
    (root / "0002_b.sql").write_text("ALTER TABLE t ALTER COLUMN a TYPE text;\n"
                                     "FROB t;\n")
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
    found = [(f["code"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("SQ004", 1), ("MG001", 2)]


def test_writers_from_without_insert_paths_is_a_usage_error() -> None:
    root = Path(__file__).resolve().parents[1] / "migrations"
    result = CliRunner().invoke(cli, ["check", str(root), "--writers-from", "HEAD"])
    assert result.exit_code == 2 and "--insert-paths" in result.stderr
