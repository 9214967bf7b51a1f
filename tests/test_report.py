"""Reporters: the one place wording is tested (a golden text report), plus shapes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from migrate_lint.config import Config
from migrate_lint.findings import Finding, Related
from migrate_lint.report import render
from migrate_lint.report.github import annotation, escape_data, escape_property
from migrate_lint.report.sarif import sarif_dict
from migrate_lint.report.text import summary
from migrate_lint.result import LintResult, RuleInfo
from migrate_lint.span import Span

SARIF_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-2.1.0.json"
PATH = "migrations/0002_add.sql"
TEXT = ("-- add seq\n"
        "ALTER TABLE `m`\n"
        "\tADD `seq` integer NOT NULL;\n")
ORIGIN = Span("migrations/0001_init.sql", 0, 10, 1, 1, 1, 10)


def _result(*findings: Finding, fail_on: str = "warning") -> LintResult:
    rules = (RuleInfo("NN001", "add-not-null-without-default", "error",
                      "Adds a NOT NULL column without default.", "Adds...\n\n## What it does"),)
    return LintResult(tuple(findings), {PATH: TEXT}, ("migrations",), Config(fail_on=fail_on),
                      rules=rules)


def _nn001() -> Finding:
    return Finding(
        "NN001", "add-not-null-without-default", "error",
        "`ADD seq` fails on every database where `m` has rows",
        Span(PATH, 27, 53, 3, 2, 3, 27), help="add a constant DEFAULT",
        statement=Span(PATH, 11, 53, 2, 1, 3, 27), migration="0002_add",
        related=(Related("`m` created here", ORIGIN),), fix_title="Rebuild `m`",
    )


def _warning() -> Finding:
    return Finding("DL001", "drop-table", "warning", "drops `m`", Span(PATH, 11, 26, 2, 1, 2, 15))


GOLDEN = """\
migrations/0002_add.sql:2:1: warning DL001 [drop-table] drops `m`
  |
2 | ALTER TABLE `m`
  | ^^^^^^^^^^^^^^^
  |

migrations/0002_add.sql:3:2: error NN001 [add-not-null-without-default] `ADD seq` fails on every database where `m` has rows
  |
3 |     ADD `seq` integer NOT NULL;
  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^
  |
  = note: `m` created here (migrations/0001_init.sql:1:1)
  = help: add a constant DEFAULT
  = fix: Rebuild `m`

Found 2 problems (1 error, 1 warning) in 1 file.
"""


def test_text_golden() -> None:
    assert render("text", _result(_warning(), _nn001())) == GOLDEN


def test_text_color_only_when_asked() -> None:
    result = _result(_nn001())
    assert "\x1b[" not in render("text", result)
    assert "\x1b[" in render("text", result, color=True)


def test_summary_wording() -> None:
    assert summary(_result()) == "All checks passed!"
    one = _result(_nn001())
    assert summary(one) == "Found 1 problem (1 error) in 1 file."


def test_text_without_source_text() -> None:
    finding = Finding("MG000", "discovery-problem", "warning", "stray", Span("x/y", 0, 0, 1, 1, 1, 1))
    out = render("text", LintResult((finding,), {}, (), Config()))
    assert out.startswith("x/y:1:1: warning MG000 [discovery-problem] stray\n")


def test_json_shape() -> None:
    data = json.loads(render("json", _result(_nn001(), _warning())))
    assert data["version"] == 1
    assert data["tool"]["name"] == "migrate-lint"
    first = data["findings"][0]
    assert first == {
        "code": "NN001", "name": "add-not-null-without-default", "severity": "error",
        "message": "`ADD seq` fails on every database where `m` has rows",
        "help": "add a constant DEFAULT", "path": PATH, "line": 3, "column": 2,
        "end_line": 3, "end_column": 27, "migration": "0002_add",
        "related": [{"message": "`m` created here", "path": "migrations/0001_init.sql",
                     "line": 1, "column": 1, "end_line": 1, "end_column": 10}],
        "fix_title": "Rebuild `m`",
        "url": "https://github.com/migrate-lint/migrate-lint/blob/main/docs/rules/NN001.md",
        "fingerprint": None,
    }
    assert data["findings"][1]["help"] is None
    assert data["summary"] == {"total": 2, "error": 1, "warning": 1, "info": 0, "files": 1,
                               "suppressed": 0, "baselined": 0, "stale_baseline": 0,
                               "fail_on": "warning", "failed": True}


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    finding = Finding("NN001", "n", "info", "line one\nline: two, 50%",
                      Span("dir,x/a:b.sql", 0, 1, 4, 2, 5, 3))
    assert annotation(finding) == (
        "::notice file=dir%2Cx/a%3Ab.sql,line=4,col=2,endLine=5,endColumn=3,title=NN001 n"
        "::line one%0Aline: two, 50%25")


def test_github_empty_when_clean() -> None:
    assert render("github", _result()) == ""


def test_sarif_valid_with_related_and_unknown_rule() -> None:
    stray = Finding("MG000", "discovery-problem", "warning", "stray file",
                    Span("/elsewhere/x.sql", 0, 0, 1, 1, 1, 1))
    log = sarif_dict(_result(_nn001(), stray), base="/nowhere")
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()),
                        cls=jsonschema.Draft4Validator)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["NN001", "MG000"]
    first = run["results"][0]
    assert first["ruleIndex"] == 0
    assert first["relatedLocations"][0]["message"]["text"] == "`m` created here"
    assert run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"] == "file:///elsewhere/x.sql"
    assert run["results"][1]["level"] == "warning"


def test_junit_report_is_xml_with_a_failure_per_finding(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from click.testing import CliRunner

    from migrate_lint.cli import cli

    root = Path(__file__).resolve().parents[1] / "migrations"
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "junit"])
    assert result.exit_code == 1
    tree = ET.fromstring(result.stdout)
    failures = tree.findall(".//testcase/failure")
    assert len(failures) == int(tree.get("failures", "0")) >= 1
    case = tree.find(".//testcase")
    assert case is not None and case.get("name", "").startswith("NN001")
    assert case.get("line") == "3"
    clean = tmp_path / "m"
    clean.mkdir()
    (clean / "0001_a.sql").write_text("CREATE TABLE t (a int);\n")
    ok = CliRunner().invoke(cli, ["check", str(clean), "--format", "junit"])
    assert ok.exit_code == 0
    assert ET.fromstring(ok.stdout).findall(".//testcase")[0].find("failure") is None
