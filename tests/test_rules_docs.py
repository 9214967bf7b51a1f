"""Every rule's documentation: sections present, Example fires it, Use instead does not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrate_lint.config import Config
from migrate_lint.engine import DOC_SECTIONS, Rule, all_rules, is_fixable
from tests.rules.harness import run, write_history

# Rules whose findings come from history diagnostics (discovery, splitting, parsing)
# or from applying suppressions, not from Rule.check.
DIAGNOSTIC_CODES = frozenset({"MG000", "MG001", "MG002", "MG003"})
SUPPRESSION_CODES = frozenset({"MG006"})
# The rule catalogue of RULES.md that is implemented: each must be registered.
OURS = ("NN001", "NN002", "NN003", "NN004", "NN005", "NN006",
        "SQ001", "SQ002", "SQ003", "SQ004", "SQ005", "SQ006", "SQ007",
        "RB001", "RB002", "RB003", "RB004", "RB005", "RB006", "RB007", "RB008",
        "DL001", "DL002", "DL003", "DL004", "DL005", "DL006", "DL007",
        "FK001", "FK002", "FK003",
        "MG000", "MG001", "MG002", "MG003", "MG004", "MG005", "MG006")
# Rules that only fire with `--since REV` (git): their examples are run in test_since.py.
NEEDS_GIT = frozenset({"MG004", "MG005", "MG009"})
# Rules that only fire with `check --against DB`: their examples run in test_against.py
# (DB002 and DB003 need a history table that disagrees with the folder: tested there too).
NEEDS_DB = frozenset({"DB001", "DB002", "DB003", "DB004", "DB005", "DB006"})
_FENCE = re.compile(r"```sql\n(.*?)```", re.S)


def _section(cls: type[Rule], title: str) -> str:
    doc = cls.doc()
    start = doc.index(f"## {title}")
    nxt = doc.find("\n## ", start + 1)
    return doc[start: nxt if nxt != -1 else len(doc)]


def _sql(cls: type[Rule], title: str) -> str:
    blocks = _FENCE.findall(_section(cls, title))
    assert len(blocks) == 1, f"{cls.code}: `## {title}` needs exactly one ```sql block"
    return str(blocks[0])


RULES = all_rules()


def test_our_rules_are_registered() -> None:
    codes = {cls.code for cls in RULES}
    assert set(OURS) <= codes


def test_codes_and_names_are_unique() -> None:
    codes = [cls.code for cls in RULES]
    names = [cls.name for cls in RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))


@pytest.mark.parametrize("cls", RULES, ids=lambda c: c.code)
def test_doc_sections(cls: type[Rule]) -> None:
    doc = cls.doc()
    positions = [doc.find(f"## {s}") for s in DOC_SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert cls.summary()
    if cls.code in OURS:
        assert "https://www.sqlite.org/" in _section(cls, "References") or cls.code.startswith(
            "MG"), f"{cls.code}: References should link sqlite.org"
        assert (cls.fix_title is not None) == is_fixable(cls), cls.code
        assert cls.kinds or cls.code.startswith("MG"), cls.code


def _codes_from_lint(root: Path) -> list[str]:
    lint_mod = pytest.importorskip("migrate_lint.lint")
    result = lint_mod.lint([str(root)], Config(path=str(root)))
    return [f.code for f in result.findings]


@pytest.mark.parametrize("cls", [c for c in RULES if c.code not in NEEDS_GIT | NEEDS_DB],
                         ids=lambda c: c.code)
@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_doc_examples(cls: type[Rule], section: str, tmp_path: Path) -> None:
    text = _sql(cls, section)
    fires = section == "Example"
    if cls.code in DIAGNOSTIC_CODES or cls.code in SUPPRESSION_CODES:
        root = tmp_path / "migrations"
        write_history(text, root)
        codes = _codes_from_lint(root)
    else:
        codes = [f.code for f in run(text, tmp_path / "migrations", [cls])]
        assert not any("internal error" in c for c in codes)
    assert (cls.code in codes) == fires, f"{cls.code} {section}: {codes}"
