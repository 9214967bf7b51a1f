"""SQLite's column limit (SQLITE_MAX_COLUMN, 2,000 by default), checked against sqlite3.

Past it SQLite refuses CREATE TABLE and ADD COLUMN on every database; `check` used to
say "All checks passed!". Replay predicts the refusal with SQLite's own message and
SQ007 reports it. Growing one table column by column stays cheap: its versions share
their name lookup.
"""

from __future__ import annotations

import json
import sqlite3
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli
from migrate_lint.pipeline import load_timeline
from migrate_lint.replay import MAX_COLUMNS


def _create(name: str, count: int, duplicate_at: int | None = None) -> str:
    cols = [f"c{i} integer" for i in range(count)]
    if duplicate_at is not None:
        cols[duplicate_at] = "c0 integer"
    return f"CREATE TABLE {name} ({', '.join(cols)});\n"


def _adds(table: str, start: int, count: int) -> str:
    return "".join(f"ALTER TABLE {table} ADD COLUMN x{i} integer;\n"
                   for i in range(start, start + count))


CASES = {
    # name: (migration 1, migration 2)
    "create-at-limit": ("", _create("w", MAX_COLUMNS)),
    "create-past-limit": ("", _create("w", MAX_COLUMNS + 1)),
    "create-past-limit-duplicate-last": ("", _create("w", MAX_COLUMNS + 1, MAX_COLUMNS)),
    "create-past-limit-duplicate-early": ("", _create("w", MAX_COLUMNS + 1, 5)),
    "add-to-limit": (_create("w", 1), _adds("w", 0, MAX_COLUMNS - 1)),
    "add-past-limit": (_create("w", 1), _adds("w", 0, MAX_COLUMNS)),
    "add-to-full-table": (_create("w", MAX_COLUMNS), _adds("w", 0, 1)),
    "ctas-of-full-table": (_create("w", MAX_COLUMNS), "CREATE TABLE v AS SELECT * FROM w;\n"),
}


def _sqlite_error(script: str) -> str | None:
    """The first error sqlite3 raises running ``script`` statement by statement."""
    conn = sqlite3.connect(":memory:")
    try:
        for stmt in script.split(";\n"):
            if stmt.strip():
                conn.execute(stmt)
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()
    return None


def _write(tmp_path: Path, first: str, second: str) -> Path:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_base.sql").write_text(first or "CREATE TABLE base (id integer);\n")
    (root / "0002_case.sql").write_text(second)
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_reports_the_column_limit_as_sqlite_does(tmp_path: Path, case: str) -> None:
    first, second = CASES[case]
    expected = _sqlite_error(first + second)
    root = _write(tmp_path, first, second)
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
    findings = json.loads(result.stdout)["findings"]
    limits = [f for f in findings if f["code"] == "SQ007"]
    if expected is None:
        assert limits == [], limits
        return
    assert len(limits) == 1, findings
    assert f"fails with '{expected}' on every database" in limits[0]["message"], (
        expected, limits[0]["message"])
    assert result.exit_code == 1


def test_adds_past_the_limit_each_fail_and_leave_the_table_at_the_limit(
        tmp_path: Path) -> None:
    root = _write(tmp_path, _create("w", 1), _adds("w", 0, MAX_COLUMNS + 10))
    timeline = load_timeline(str(root))
    errors = [s.error for s in timeline.steps if s.error is not None]
    assert errors == ["too many columns on sqlite_altertab_w"] * 11
    table = timeline.final.table("w")
    assert table is not None and len(table.columns) == MAX_COLUMNS


def test_versions_of_a_growing_table_share_their_name_lookup(tmp_path: Path) -> None:
    root = _write(tmp_path, _create("w", 1), _adds("w", 0, 50))
    timeline = load_timeline(str(root))
    tables = [s.after.table("w") for s in timeline.steps[1:]]
    assert all(t is not None for t in tables)
    for before, after in pairwise(tables):
        assert before is not None and after is not None
        assert after.column(after.columns[-1].name) is after.columns[-1]
        assert before.column(after.columns[-1].name) is None
    last = tables[-1]
    assert last is not None and last.column("C0") is last.columns[0]
