"""One case file per rule (tests/rules/<CODE>.yaml), run by one parametrized test.

A case: ``before`` (earlier migration, optional), ``sql`` (the migration under
test, written as the next numbered file or as ``file``), optional
``sqlite_version``, optional ``settings`` (configuration keys such as
``foreign-keys`` or ``transaction``), and ``lines``: the lines of the migration under test where the
rule must report, nothing else. Codes and lines are asserted, never wording.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from migrate_lint.config import Config, config_from_table
from migrate_lint.engine import all_rules, rule_by_code, run_rules
from migrate_lint.pipeline import load_timeline
from migrate_lint.settings import Requested

CASES_DIR = Path(__file__).resolve().parent / "rules"
# Findings made from history diagnostics or suppressions: checked through lint().
VIA_LINT = frozenset({"MG000", "MG001", "MG002", "MG003", "MG006"})


def _load() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert spec["rule"] == path.stem, path
        for case in spec["cases"]:
            out.append((spec["rule"], case))
    return out


CASES = _load()


def test_every_case_file_names_a_rule_and_has_ok_and_err_cases() -> None:
    by_rule: dict[str, list[str]] = {}
    for code, case in CASES:
        assert rule_by_code(code) is not None, code
        name = case["name"]
        assert name.endswith(("_ok", "_err")), name
        assert name.endswith("_err") == bool(case["lines"]), name
        by_rule.setdefault(code, []).append(name)
    for code, names in by_rule.items():
        assert any(n.endswith("_ok") for n in names), code
        assert any(n.endswith("_err") for n in names), code


def test_every_rule_has_a_case_file() -> None:
    """One case file per rule; MG004/MG005/MG009 need git and are tested in test_since.py.

    The DB rules need a database (`check --against`): their err and ok cases are the
    Example and Use instead of each rule, run on real database files in test_against.py.
    """
    have = {p.stem for p in CASES_DIR.glob("*.yaml")}
    codes = {cls.code for cls in all_rules()}
    assert {c for c in codes if not c.startswith("DB")} - {"MG004", "MG005", "MG009"} <= have
    assert have <= codes


@pytest.mark.parametrize(("code", "case"), CASES, ids=[f"{c}-{k['name']}" for c, k in CASES])
def test_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    root.mkdir()
    number = 1
    if case.get("before"):
        (root / "0001_before.sql").write_text(case["before"], encoding="utf-8")
        number = 2
    under_test = root / case.get("file", f"{number:04d}_under_test.sql")
    under_test.write_text(case["sql"], encoding="utf-8")
    version = tuple(case.get("sqlite_version", (3, 40)))
    config = Config(path=str(root), sqlite_version=(int(version[0]), int(version[1])))
    if case.get("settings"):
        # Connection settings as a configuration file would give them.
        settings = config_from_table(case["settings"], str(tmp_path / ".migrate-lint.toml"))
        config = replace(settings, path=config.path, sqlite_version=config.sqlite_version)
    if code in VIA_LINT:
        lint_mod = pytest.importorskip("migrate_lint.lint")
        findings = list(lint_mod.lint([str(root)], config).findings)
    else:
        cls = rule_by_code(code)
        assert cls is not None
        timeline = load_timeline(root, requested=Requested.from_config(config))
        findings = run_rules(timeline, config, [cls])
    mine = [f for f in findings if f.code == code]
    assert all("internal error" not in f.message for f in findings), findings
    elsewhere = [f for f in mine if Path(f.path).name != under_test.name]
    assert not elsewhere, [(f.path, f.span.line, f.message) for f in elsewhere]
    lines = sorted(f.span.line for f in mine)
    assert lines == sorted(case["lines"]), [(f.span.line, f.message) for f in mine]
    if code not in VIA_LINT:
        # facts as data, declared in the rule's own file (rules/_*.py for a shared base);
        # the engine names the migration of a statement rule's finding
        rule_module = rule_by_code(code).__module__  # type: ignore[union-attr]
        for f in mine:
            assert f.facts is not None and f.message == f.facts.message(), f
            owner = type(f.facts).__module__
            assert owner == rule_module or owner.startswith("migrate_lint.rules._"), owner
            assert f.migration is not None, f
