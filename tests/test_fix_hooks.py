"""The fix hooks a rule may define, driven by a planner that names no rule code.

NN002's rule takes ``--writers-omit`` (``fix_requests``); NN006's refuses a constant
default under a UNIQUE key and offers its alternatives (``end_state_target``), and
``--select NN006`` selects the fixes it reviews (``reviews_fixes_of``). Each on a real
goose history, proven on SQLite.
"""

from __future__ import annotations

import re
from pathlib import Path

import migrate_lint.fix.planner as planner_module
import migrate_lint.fix.requests as requests_module
from migrate_lint.fix.model import Options
from migrate_lint.fix.planner import plan_fixes

KEYED = ("CREATE TABLE t (id INTEGER PRIMARY KEY, g TEXT NOT NULL, c INTEGER NOT NULL{check});\n"
         "CREATE UNIQUE INDEX t_gc ON t (g, c);")


def _goose(tmp_path: Path, check: str = "") -> str:
    root = tmp_path / "db"
    root.mkdir()
    (root / "20260101000000_init.sql").write_text(f"-- +goose Up\n{KEYED.format(check=check)}\n")
    return str(root)


def _summary(root: str, **options: object) -> list[tuple[str, str, bool]]:
    plans = plan_fixes(root, Options(writers_omit=(("t", "c"),), now_ms=1767300000000,
                                     **options))  # type: ignore[arg-type]
    return [(p.situation.code, p.title, p.refused is None and p.ok) for p in plans]


def test_selecting_nn006_refuses_the_constant_default_and_offers_a_trigger(
        tmp_path: Path) -> None:
    root = _goose(tmp_path)
    assert _summary(root, select=frozenset({"NN006"})) == [
        ("NN006", "DEFAULT 0 for `t.c`", False),
        ("NN002", "Rebuild `t` so `c` is nullable with an assigning trigger", True)]


def test_the_nullable_alternative(tmp_path: Path) -> None:
    root = _goose(tmp_path)
    assert _summary(root, alternative="nullable") == [
        ("NN006", "DEFAULT 0 for `t.c`", False),
        ("NN002", "Rebuild `t` so `c` is nullable", True)]


def test_set_with_force_insists_on_the_constant(tmp_path: Path) -> None:
    root = _goose(tmp_path)
    assert _summary(root, sets=(("t", "c", "7"),), force=True) == [
        ("NN002", "Rebuild `t` so `c` has DEFAULT 7", True)]


def test_a_check_on_the_column_refuses_the_alternative_in_the_request_s_name(
        tmp_path: Path) -> None:
    root = _goose(tmp_path, check=" CHECK (c >= 0)")
    assert _summary(root) == [("NN006", "DEFAULT 0 for `t.c`", False),
                              ("NN002", "Make `t.c` nullable", False)]


def test_the_planner_and_its_requests_name_no_rule_code() -> None:
    code = re.compile(r"""["'][A-Z]{2}\d{3}["']""")
    for module in (planner_module, requests_module):
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        assert not code.findall(source), module.__name__
