"""CONTRIBUTING.md's worked example runs as written: a new fixable rule is one file
and its case file.

The rule file and the case file are taken from the document's code blocks, the rule
is loaded as `migrate_lint.rules.default_violates_check` and registered beside the
shipped rules, and then nothing else is touched: its cases pass through the shared
case runner, its docstring's Example fires and Use instead does not, `rules` lists it
as fixable, and `fix --set` writes a correction that SQLite proves and `check` accepts.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from migrate_lint import engine, registry
from migrate_lint.cli import cli
from migrate_lint.engine import Rule, is_fixable, validate_rule
from tests import test_rules_cases
from tests.rules.harness import run

DOC = ROOT / "CONTRIBUTING.md"
STEM = "default_violates_check"


def _block(language: str) -> str:
    """The document's one code block in ``language`` (fenced with three backticks or
    more: the rule's docstring holds fences of its own)."""
    blocks = re.findall(rf"^(`{{3,}}){language}\n(.*?)^\1$", DOC.read_text(encoding="utf-8"),
                        re.S | re.M)
    assert len(blocks) == 1, f"CONTRIBUTING.md needs one {language} block"
    return str(blocks[0][1])


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> type[Rule]:
    """The example rule, registered beside the shipped ones for this test."""
    engine.all_rules()  # the rules package is loaded (from rules/ in a checkout)
    path = tmp_path / f"{STEM}.py"
    path.write_text(_block("python"), encoding="utf-8")
    name = f"migrate_lint.rules.{STEM}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    (cls,) = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Rule)
              and v is not Rule and v.__module__ == name]
    validate_rule(cls, STEM)  # what registration checks: code, name, doc sections, fix_title
    shipped = engine.all_rules()
    assert cls.code not in {c.code for c in shipped}, "the example's code is taken: renumber it"
    monkeypatch.setattr(engine, "all_rules", lambda: (*shipped, cls))
    # the catalogue does not list it: runs load the rules from the registry
    monkeypatch.setattr(registry, "catalogue_is_whole", lambda: False)
    return cls


def _cases() -> list[dict[str, Any]]:
    spec = yaml.safe_load(_block("yaml"))
    return list(spec["cases"])


def test_cases_pass_through_the_shared_runner(example: type[Rule], tmp_path: Path) -> None:
    spec = yaml.safe_load(_block("yaml"))
    assert spec["rule"] == example.code
    names = [case["name"] for case in _cases()]
    assert any(n.endswith("_ok") for n in names) and any(n.endswith("_err") for n in names)
    for case in _cases():
        where = tmp_path / case["name"]
        where.mkdir()
        test_rules_cases.test_case(example.code, case, where)


@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_doc_example_fires_and_use_instead_does_not(example: type[Rule], section: str,
                                                    tmp_path: Path) -> None:
    doc = example.doc()
    start = doc.index(f"## {section}")
    (sql,) = re.findall(r"```sql\n(.*?)```", doc[start:doc.find("\n## ", start + 1)], re.S)
    codes = [f.code for f in run(sql, tmp_path / "migrations", [example])]
    assert (example.code in codes) == (section == "Example"), codes


def test_the_catalogue_lists_it_as_fixable(example: type[Rule], tmp_path: Path) -> None:
    """`rules` and `explain` read migrate_lint/data/rules.json, regenerated from the rule
    classes: the new rule is in it, fixable because it defines fix."""
    assert is_fixable(example)
    catalogue = tmp_path / "rules.json"
    result = CliRunner().invoke(cli, ["rules", "--write-catalogue", str(catalogue)])
    assert result.exit_code == 0, result.output
    listed = {r["code"]: r for r in json.loads(catalogue.read_text())["rules"]}
    assert listed[example.code]["fixable"] is True


def _history(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_item.sql").write_text("CREATE TABLE item (id integer PRIMARY KEY);\n")
    (root / "0002_qty.sql").write_text(
        "ALTER TABLE item ADD qty integer NOT NULL DEFAULT 0 CHECK (qty > 0);\n")
    return root


def test_fix_writes_the_correction_proven_and_check_accepts_it(example: type[Rule],
                                                               tmp_path: Path) -> None:
    root = _history(tmp_path)
    refused = CliRunner().invoke(cli, ["fix", str(root)])
    assert f"{example.code} `item.qty`: refused" in refused.stdout, refused.output
    before = CliRunner().invoke(cli, ["check", str(root), "--select", example.code])
    assert before.exit_code == 1 and example.code in before.stdout, before.output
    result = CliRunner().invoke(cli, ["fix", str(root), "--write", "--set", "item.qty=1"])
    assert result.exit_code == 0, result.output
    assert "[FAIL]" not in result.stdout and "[pass] 17. lint-clean" in result.stdout
    assert "DEFAULT 1 CHECK (qty > 0);" in (root / "0002_qty.sql").read_text()
    # databases where the original applied (on an empty table) get the follow-up rebuild
    (follow_up,) = [p for p in root.iterdir() if p.name.endswith("_fix_item_qty.sql")]
    assert "DEFAULT 1" in follow_up.read_text()
    after = CliRunner().invoke(cli, ["check", str(root), "--select", example.code])
    assert after.exit_code == 0, after.output
