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


# -- definitions SQLite refuses in themselves: every replay error reaches one finding ------

# Each statement fails on SQLite after BASE2; the rule that reports it (exactly one).
BASE2 = "CREATE TABLE t (a integer, b integer UNIQUE, c integer);\nCREATE INDEX t_c ON t (c);\n"
DEFINITIONS = {
    "two-column-keys": ("CREATE TABLE x (id integer PRIMARY KEY, b text PRIMARY KEY);", "SQ008"),
    "column-and-table-key": ("CREATE TABLE x (id integer PRIMARY KEY, b text, PRIMARY KEY (b));",
                             "SQ008"),
    "generated-key-column": (
        "CREATE TABLE x (id integer, g integer GENERATED ALWAYS AS (1) PRIMARY KEY);", "SQ008"),
    "generated-key-table": ("CREATE TABLE x (id integer, g integer AS (1), PRIMARY KEY (g));",
                            "SQ008"),
    "only-generated": ("CREATE TABLE x (g integer AS (1));", "SQ008"),
    "expression-key": ("CREATE TABLE x (id integer, PRIMARY KEY (id + 1));", "SQ008"),
    "expression-unique": ("CREATE TABLE x (id text, UNIQUE (lower(id)));", "SQ008"),
    "fk-arity": ("CREATE TABLE x (id integer, k integer, FOREIGN KEY (id, k) REFERENCES t (a));",
                 "SQ008"),
    "fk-unknown-column": ("CREATE TABLE x (id integer, FOREIGN KEY (zz) REFERENCES t (a));",
                          "SQ008"),
    "autoincrement-text": ("CREATE TABLE x (id text PRIMARY KEY AUTOINCREMENT);", "SQ008"),
    "autoincrement-desc": ("CREATE TABLE x (id integer PRIMARY KEY DESC AUTOINCREMENT);", "SQ008"),
    "autoincrement-without-rowid": (
        "CREATE TABLE x (id integer PRIMARY KEY AUTOINCREMENT) WITHOUT ROWID;", "SQ008"),
    "conflict-clauses": ("CREATE TABLE x (id integer UNIQUE ON CONFLICT ROLLBACK, "
                         "UNIQUE (id) ON CONFLICT ABORT);", "SQ008"),
    "without-rowid-no-key": ("CREATE TABLE x (id integer) WITHOUT ROWID;", "SQ008"),
    "strict-no-type": ("CREATE TABLE x (id) STRICT;", "SQ008"),
    "strict-unknown-type": ("CREATE TABLE x (id varchar(5)) STRICT;", "SQ008"),
    # the rules that owned their errors before SQ008 keep them
    "duplicate-column": ("CREATE TABLE x (id integer, id text);", "SQ007"),
    "check-names-missing": ("CREATE TABLE x (id integer, CHECK (zz > 0));", "SQ007"),
    "table-exists": ("CREATE TABLE t (a integer);", "SQ007"),
    "index-on-missing": ("CREATE INDEX i ON t (zz);", "SQ007"),
    "add-check-missing": ("ALTER TABLE t ADD COLUMN z integer CHECK (zz > 0);", "SQ007"),
    "add-primary-key": ("ALTER TABLE t ADD COLUMN z integer PRIMARY KEY;", "SQ001"),
    "add-unique": ("ALTER TABLE t ADD COLUMN z integer UNIQUE;", "SQ001"),
    "drop-unique": ("ALTER TABLE t DROP COLUMN b;", "SQ005"),
    "drop-indexed": ("ALTER TABLE t DROP COLUMN c;", "SQ005"),
    "drop-missing": ("ALTER TABLE t DROP COLUMN zz;", "SQ007"),
    "rename-to-taken": ("ALTER TABLE t RENAME COLUMN a TO b;", "SQ007"),
    "fk-parent-list": ("CREATE TABLE x (id integer REFERENCES t (a, b));", "MG001"),
    "generated-default": ("CREATE TABLE x (id integer, g integer AS (id) DEFAULT 1);", "MG001"),
}
# Codes whose findings say the statement fails on every database.
REFUSAL_CODES = frozenset({"MG001", "SQ001", "SQ005", "SQ007", "SQ008"})


def _sqlite_error(setup: str, sql: str) -> str | None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(setup)
        conn.executescript(sql)
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()
    return None


def _check_json(root: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("case", sorted(DEFINITIONS))
def test_every_refused_definition_is_one_error_finding(tmp_path: Path, case: str) -> None:
    sql, code = DEFINITIONS[case]
    error = _sqlite_error(BASE2, sql)
    assert error is not None, f"SQLite accepts {sql}"  # the oracle: it does fail
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_base.sql").write_text(BASE2)
    (root / "0002_case.sql").write_text("-- the case\n" + sql + "\n")
    exit_code, findings = _check_json(root)
    refusals = [f for f in findings if f["code"] in REFUSAL_CODES
                and str(f["path"]).endswith("0002_case.sql")]
    assert exit_code == 1
    assert [(f["code"], f["line"], f["severity"]) for f in refusals] == [(code, 2, "error")], (
        error, findings)
    if code in ("SQ007", "SQ008"):
        assert f"'{error}'" in str(refusals[0]["message"])  # SQLite's own words, quoted


def test_every_replay_error_has_a_finding_at_its_statement(tmp_path: Path) -> None:
    """The whole set in one history: each step the replay marks as failing carries a
    refusal finding at its statement, and the replay's message is SQLite's."""
    from migrate_lint.pipeline import load_timeline

    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_base.sql").write_text(BASE2)
    for number, case in enumerate(sorted(DEFINITIONS), 2):
        (root / f"{number:04d}_{case.replace('-', '_')}.sql").write_text(DEFINITIONS[case][0])
    timeline = load_timeline(root)
    failing = [s for s in timeline.steps if s.error is not None]
    assert len(failing) == len([c for c in DEFINITIONS.values() if c[1] != "MG001"])
    _, findings = _check_json(root)
    at = {(Path(str(f["path"])).name, f["line"]) for f in findings
          if f["code"] in REFUSAL_CODES and f["severity"] == "error"}
    for step in failing:
        assert (Path(step.statement.path).name, step.statement.span.line) in at, step.error
        text = step.statement.text
        assert _sqlite_error(BASE2, text) == step.error, text


# -- transactions: what SQLite refuses where the runner runs the file ------------------

TX_BASE = "CREATE TABLE t (a integer);\n"
# runner, file text, line of the MG010 finding (None: SQLite and the runner accept it)
TRANSACTIONS = {
    "begin-begin": ("prisma", "BEGIN;\nINSERT INTO t VALUES (1);\nBEGIN;\nCOMMIT;\n", 3),
    "begin-in-runner-tx": ("sqlx", "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\n", 1),
    "commit-nothing-open": ("prisma", "INSERT INTO t VALUES (1);\nCOMMIT;\n", 2),
    "rollback-nothing-open": ("prisma", "INSERT INTO t VALUES (1);\nROLLBACK;\n", 2),
    "commit-twice": ("prisma", "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\nCOMMIT;\n", 4),
    "runner-commit-fails": ("sqlx", "INSERT INTO t VALUES (1);\nCOMMIT;\n", 2),
    "runner-commit-after-rollback": ("sqlx", "INSERT INTO t VALUES (1);\nROLLBACK;\n", 2),
    "left-open": ("prisma", "BEGIN;\nINSERT INTO t VALUES (1);\n", 1),
    "savepoint-unknown": ("prisma", "SAVEPOINT a;\nINSERT INTO t VALUES (1);\nRELEASE b;\n", 3),
    "rollback-to-released": ("prisma", "SAVEPOINT a;\nRELEASE a;\nROLLBACK TO a;\n", 3),
    "begin-in-savepoint": ("prisma", "SAVEPOINT a;\nBEGIN;\nRELEASE a;\n", 2),
    "savepoint-commits": ("prisma", "SAVEPOINT a;\nINSERT INTO t VALUES (1);\nRELEASE a;\n"
                          "COMMIT;\n", 4),
    "own-transaction": ("prisma", "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\n", None),
    "savepoints": ("sqlx", "SAVEPOINT a;\nINSERT INTO t VALUES (1);\nSAVEPOINT b;\n"
                   "ROLLBACK TO a;\nRELEASE a;\n", None),
    "homarr-step-out": ("drizzle", "COMMIT;\nPRAGMA foreign_keys=OFF;\nBEGIN;\n"
                        "INSERT INTO t VALUES (1);\nCOMMIT;\nPRAGMA foreign_keys=ON;\nBEGIN;\n",
                        None),
    "no-transaction-statements": ("sqlx", "INSERT INTO t VALUES (1);\n", None),
}
WRAPPED = {"prisma": False, "sqlx": True, "drizzle": True}


def _run_as_runner(runner: str, text: str) -> str | None:
    """SQLite's verdict on ``text`` run as ``runner`` runs one migration: BEGIN first
    and COMMIT after when it wraps the file, else statement by statement, with a
    transaction left open counted as a failure (the connection rolls it back)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.executescript(TX_BASE)
        if WRAPPED[runner]:
            conn.execute("BEGIN")
        for statement in (s.strip() for s in text.split(";")):
            if statement:
                conn.execute(statement)
        if WRAPPED[runner]:
            conn.execute("COMMIT")
        elif conn.in_transaction:
            return "transaction left open"
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()
    return None


@pytest.mark.parametrize("case", sorted(TRANSACTIONS))
def test_transaction_statements_sqlite_refuses(tmp_path: Path, case: str) -> None:
    runner, text, line = TRANSACTIONS[case]
    refused = _run_as_runner(runner, text)
    assert (refused is not None) == (line is not None), refused  # the oracle agrees
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_base.sql").write_text(TX_BASE)
    (root / "0002_case.sql").write_text(text)
    exit_code, findings = _check_json(root, "--runner", runner)
    mine = [(f["line"], f["severity"]) for f in findings if f["code"] == "MG010"]
    assert mine == ([] if line is None else [(line, "error")]), (refused, findings)
    if line is not None:
        assert exit_code == 1
        message = next(str(f["message"]) for f in findings if f["code"] == "MG010")
        assert refused in message or refused == "transaction left open", message
