"""Rebuild fixes on tables with every feature a rebuild tends to lose: all 15 checks pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_lint.fix.model import Options
from migrate_lint.fix.planner import plan_fixes

# Each case: the schema (one goose migration) and the NOT NULL column without default
# that older writers omit (NN002), so the fix rebuilds table `t`.
CASES = {
    "strict": "CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER NOT NULL, s TEXT) STRICT;",
    "without_rowid": "CREATE TABLE t (k TEXT NOT NULL, n INT, c TEXT NOT NULL, "
                     "PRIMARY KEY (k, n)) WITHOUT ROWID;",
    "autoincrement": "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, c REAL NOT NULL);\n"
                     "INSERT INTO t (c) VALUES (1), (2), (3);\nDELETE FROM t WHERE id = 3;",
    "view_and_trigger_elsewhere": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT NOT NULL);\n"
        "CREATE TABLE other (x INTEGER);\n"
        "CREATE VIEW v AS SELECT id, c FROM t;\n"
        "-- +goose StatementBegin\n"
        "CREATE TRIGGER other_ins AFTER INSERT ON other BEGIN "
        "UPDATE t SET c = c WHERE id = new.x; END;\n"
        "-- +goose StatementEnd"),
    "self_reference": "CREATE TABLE t (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES "
                      "t(id) ON DELETE CASCADE, c BLOB NOT NULL);",
    "cascading_children": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER NOT NULL);\n"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER NOT NULL "
        "REFERENCES t(id) ON DELETE CASCADE);\n"
        "CREATE TABLE nulled (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id) "
        "ON DELETE SET NULL);"),
    "partial_index": "CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER NOT NULL, d TEXT);\n"
                     "CREATE INDEX t_partial ON t (c) WHERE d IS NULL;",
    "expression_index": "CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT NOT NULL, d TEXT);\n"
                        "CREATE INDEX t_expr ON t (lower(d), c || 'x');",
    "generated_column": "CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER NOT NULL, "
                        "g INTEGER GENERATED ALWAYS AS (id * 2) STORED, "
                        "h AS (c + 1) VIRTUAL);",
    "collate_nocase": "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE, "
                      "c TEXT NOT NULL CHECK (length(c) >= 0));\n"
                      "CREATE INDEX t_name ON t (name COLLATE NOCASE);",
    "own_trigger": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER NOT NULL);\n"
        "CREATE TABLE log (id INTEGER);\n"
        "-- +goose StatementBegin\n"
        "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.id); END;\n"
        "-- +goose StatementEnd"),
}


def _goose(tmp_path: Path, sql: str) -> Path:
    root = tmp_path / "db"
    root.mkdir()
    (root / "20260101000000_init.sql").write_text(f"-- +goose Up\n{sql}\n")
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_all_checks_pass(tmp_path: Path, case: str) -> None:
    root = _goose(tmp_path, CASES[case])
    plans = plan_fixes(str(root), Options(writers_omit=(("t", "c"),), now_ms=1767300000000))
    [plan] = [p for p in plans if p.files]
    assert plan.refused is None
    assert [c.number for c in plan.checks if c.ok][:15] == list(range(1, 16)), [
        str(c) for c in plan.failed_checks]
    assert plan.ok
    text = plan.files[0].text
    assert "-- +goose NO TRANSACTION" in text and "PRAGMA foreign_keys=OFF;" in text
    if "STRICT" in CASES[case]:
        assert ") STRICT;" in text
    if "WITHOUT ROWID" in CASES[case]:
        assert "WITHOUT ROWID" in text
    if "view" in case:
        assert "PRAGMA legacy_alter_table=ON;" in text


def test_drizzle_refuses_rebuild_of_a_referenced_table(tmp_path: Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    (root / "0000_init.sql").write_text(
        CASES["cascading_children"].replace(";\n", ";\n--> statement-breakpoint\n"))
    plans = plan_fixes(str(root), Options(writers_omit=(("t", "c"),)), runner="drizzle")
    [plan] = plans
    assert plan.refused is not None and "PRAGMA foreign_keys=OFF` before migrate()" in \
        plan.refused
    assert not plan.files
