"""What SQLite's parser refuses on every database is an error, checked against sqlite3.

View bodies, trigger bodies, a trigger without END and nesting past SQLite's parser
stack used to pass `check` although every database refuses them.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli

BASE = "CREATE TABLE t (a integer);\n"
DEEP = "(" * 120 + "1" + ")" * 120

CASES = {
    "view-syntax": ("CREATE VIEW v AS SELECT a FROM t WHERE;\n", True),
    "trigger-body-syntax": (
        "CREATE TRIGGER r AFTER INSERT ON t BEGIN UPDATE t SET a = WHERE 1; END;\n", True),
    "trigger-without-end": ("CREATE TRIGGER r AFTER INSERT ON t BEGIN UPDATE t SET a = 1;\n",
                            True),
    "parser-stack": (f"CREATE VIEW w AS SELECT {DEEP} AS x;\n", True),
    "deep-default": (f"CREATE TABLE d (x integer DEFAULT {DEEP});\n", True),
    "valid-view": ("CREATE VIEW v AS SELECT a FROM t WHERE a > 0;\n", False),
    "valid-trigger": ("CREATE TRIGGER r AFTER INSERT ON t BEGIN\n"
                      "  UPDATE t SET a = CASE WHEN new.a > 0 THEN 1 ELSE 0 END WHERE rowid = "
                      "new.rowid;\nEND;\n", False),
    "instead-of-trigger": ("CREATE VIEW v AS SELECT a FROM t;\nCREATE TRIGGER r INSTEAD OF "
                           "INSERT ON v BEGIN INSERT INTO t (a) VALUES (new.a); END;\n", False),
    "nested-but-fine": (f"CREATE VIEW w AS SELECT {'(' * 40}1{')' * 40} AS x;\n", False),
}


def _sqlite_refuses(sql: str) -> bool:
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(BASE + sql)
    except sqlite3.Error:
        return True
    finally:
        conn.close()
    return False


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_reports_what_sqlite_refuses(tmp_path: Path, case: str) -> None:
    sql, refused = CASES[case]
    assert _sqlite_refuses(sql) is refused  # the oracle agrees with the case
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_base.sql").write_text(BASE)
    (root / "0002_case.sql").write_text(sql)
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
    findings = json.loads(result.stdout)["findings"]
    errors = [f for f in findings if f["code"] == "MG001" and f["path"].endswith("0002_case.sql")]
    if refused:
        assert errors and "SQLite refuses it on every database" in errors[0]["message"], findings
        assert result.exit_code == 1
    else:
        assert errors == [], errors
