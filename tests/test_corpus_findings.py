"""All rules over the real corpora, compared with reviewed expectation files.

Also the known defects of ../shared/corpus/README.md: each must be reported at its
file and line. A finding on these corpora that is not in the expectation files is a
false positive until someone reviews it and can defend it to the project's
maintainers (then it goes into tests/expected/ with a justification).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import corpus_path

from migrate_lint.config import Config
from migrate_lint.engine import all_rules, run_rules
from migrate_lint.findings import Finding
from migrate_lint.pipeline import load_timeline

pytestmark = pytest.mark.corpus

EXPECTED = Path(__file__).resolve().parent / "expected"
OPENCODE = ("opencode", "migration")
KARAKEEP = ("karakeep", "packages", "db", "drizzle")
# NN002 belongs to the insert-paths work; its corpus expectations live with it.
OTHER_OWNERS = frozenset({"NN002"})


_corpus = corpus_path  # skips, saying why, where ../shared/corpus is absent


def _findings(root: Path) -> list[Finding]:
    rules = [cls for cls in all_rules() if cls.code not in OTHER_OWNERS]
    return run_rules(load_timeline(root), Config(), rules)


def _triples(root: Path, findings: list[Finding]) -> list[tuple[str, str, int]]:
    out = []
    for f in findings:
        rel = Path(f.path).resolve().relative_to(root.resolve()).as_posix()
        out.append((f.code, rel, f.span.line))
    return sorted(out)


def _expected(name: str) -> list[tuple[str, str, int]]:
    """Every reviewed finding for corpus ``name``: ``<name>.txt`` and ``<name>-*.txt``
    (one file per rule family, each finding justified where it is listed)."""
    out = []
    for path in sorted(EXPECTED.glob(f"{name}*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                code, rel, number = line.split()
                out.append((code, rel, int(number)))
    return sorted(out)


@pytest.mark.parametrize(("parts", "expected"), [(OPENCODE, "opencode"),
                                                  (KARAKEEP, "karakeep")],
                         ids=["opencode", "karakeep"])
def test_corpus_matches_reviewed_expectations(parts: tuple[str, ...], expected: str) -> None:
    root = _corpus(*parts)
    findings = _findings(root)
    assert not [f for f in findings if "internal error" in f.message]
    assert _triples(root, findings) == _expected(expected)


def _with_file(tmp_path: Path, parts: tuple[str, ...], target: str, replacement: Path) -> Path:
    root = tmp_path / "history"
    shutil.copytree(_corpus(*parts), root)
    shutil.copyfile(replacement, root / target)
    return root


def _has(findings: list[Finding], root: Path, code: str, path: str, line: int) -> bool:
    return (code, path, line) in _triples(root, findings)


@pytest.mark.parametrize(("target", "history_file"), [
    ("20260603040000_session_message_projection_order/migration.sql",
     "20260603040000_session_message_projection_order.migration.sql@ee12f110b.sql"),
    ("20260507164347_add_workspace_time/migration.sql",
     "20260507164347_add_workspace_time.migration.sql@8dd3ec10b.sql"),
], ids=["projection_order@ee12f110b", "add_workspace_time@8dd3ec10b"])
def test_readme_nn001_in_shipped_versions(target: str, history_file: str, tmp_path: Path) -> None:
    replacement = _corpus("opencode", "history") / history_file
    root = _with_file(tmp_path, OPENCODE, target, replacement)
    findings = _findings(root)
    assert _has(findings, root, "NN001", target, 1)


def test_readme_nn001_add_workspace_fields() -> None:
    root = _corpus(*OPENCODE)
    assert _has(_findings(root), root, "NN001",
                "20260303231226_add_workspace_fields/migration.sql", 1)


def test_readme_dl003_projection_order_delete() -> None:
    root = _corpus(*OPENCODE)
    assert _has(_findings(root), root, "DL003",
                "20260603040000_session_message_projection_order/migration.sql", 1)


def test_readme_nn004_karakeep_pre_fix_0061(tmp_path: Path) -> None:
    variant = _corpus("karakeep", "bug_variants") / (
        "karakeep__0061_merge_user_settings@20f4e4712f(pre-fix-#1919).sql")
    root = _with_file(tmp_path, KARAKEEP, "0061_merge_user_settings.sql", variant)
    findings = [f for f in _findings(root) if f.code == "NN004"
                and Path(f.path).name == "0061_merge_user_settings.sql"]
    # The UPDATE (line 4) fills both NOT NULL columns from a subquery: each finding
    # points at its own assignment (lines 5 and 8); the nullable timezone is fine.
    assert sorted((f.span.line, f.get("column")) for f in findings) == [
        (5, "bookmarkClickAction"), (8, "archiveDisplayBehaviour")]


def test_karakeep_fixed_0061_is_clean() -> None:
    root = _corpus(*KARAKEEP)
    assert not [f for f in _findings(root)
                if Path(f.path).name == "0061_merge_user_settings.sql"]
