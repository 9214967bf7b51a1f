"""`WITH ... INSERT`, `WITH ... UPDATE`, `WITH ... DELETE`, `WITH RECURSIVE`: one statement each.

The splitter used to cut such a statement before its INSERT (MG001 + MG002), and
verify then blamed SQLite for "incomplete input". Each case is checked against a real
sqlite3: the statements run there as written, the model and the sandbox agree with
it, and data rules see the table the statement writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate_lint.config import Config
from migrate_lint.lint import lint
from migrate_lint.parse import read_sections
from migrate_lint.pipeline import load_history
from migrate_lint.replay import replay
from migrate_lint.source import Section
from migrate_lint.verify import verify

BASE = ("CREATE TABLE scenes (id INTEGER PRIMARY KEY, plays INTEGER NOT NULL DEFAULT 0,"
        " created TEXT);\n"
        "CREATE TABLE views (scene_id INTEGER NOT NULL REFERENCES scenes (id), n INTEGER);\n"
        "INSERT INTO scenes (plays, created) VALUES (2, 'a'), (0, 'b'), (3, 'c');\n")

CASES = {
    # stash 55_manual_history, shortened: a recursive CTE feeding an INSERT
    "recursive-insert": (
        "WITH RECURSIVE numbers AS (\n  SELECT 1 AS n\n  UNION ALL\n"
        "  SELECT n + 1 FROM numbers WHERE n < (SELECT MAX(plays) FROM scenes)\n)\n"
        "INSERT INTO views (scene_id, n)\nSELECT scenes.id, numbers.n\nFROM scenes\n"
        "JOIN numbers\nWHERE numbers.n <= scenes.plays;\n",
        "insert", "views"),
    "insert": (
        "WITH best AS (SELECT id FROM scenes WHERE plays > 1), other AS (SELECT 1)\n"
        "INSERT INTO views (scene_id, n) SELECT id, 1 FROM best;\n",
        "insert", "views"),
    "replace": (
        "WITH best AS (SELECT id FROM scenes WHERE plays > 1)\n"
        "REPLACE INTO views (scene_id, n) SELECT id, 2 FROM best;\n",
        "insert", "views"),
    "update": (
        "WITH counted AS (SELECT scene_id, count(*) AS c FROM views GROUP BY scene_id)\n"
        "UPDATE scenes SET plays = (SELECT c FROM counted WHERE scene_id = scenes.id)\n"
        "WHERE id IN (SELECT scene_id FROM counted);\n",
        "update", "scenes"),
    "update-or-ignore": (
        "WITH ids AS (SELECT id FROM scenes)\n"
        "UPDATE OR IGNORE scenes SET created = 'x' WHERE id IN (SELECT id FROM ids);\n",
        "update", "scenes"),
    "delete": (
        "WITH unplayed AS (SELECT id FROM scenes WHERE plays = 0)\n"
        "DELETE FROM views WHERE scene_id IN (SELECT id FROM unplayed);\n",
        "delete", "views"),
}


def _sqlite(*texts: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    for text in texts:
        conn.executescript(text)
    return conn


@pytest.mark.parametrize("case", sorted(CASES))
def test_with_statement_is_read_whole_and_agrees_with_sqlite(tmp_path: Path, case: str) -> None:
    sql, kind, target = CASES[case]
    (tmp_path / "0001_base.sql").write_text(BASE)
    (tmp_path / "0002_with.sql").write_text("SELECT 1;\n" + sql + "SELECT 2;\n")
    real = _sqlite(BASE, sql)  # the oracle: SQLite runs it as one statement
    history = load_history(tmp_path)
    assert [d.code for d in history.diagnostics] == []
    statements = history.migrations[1].up.statements
    assert [s.kind for s in statements] == ["select", kind, "select"]
    statement = statements[1]
    assert statement.problem is None and statement.tables == (target,)
    assert statement.text + ";\n" == sql and sqlite3.complete_statement(statement.text + ";")
    result = verify(replay(history))
    assert result.ok, (result.failure, result.difference)
    assert real.execute(f"SELECT count(*) FROM {target}").fetchone()[0] >= 0


def _codes(root: Path) -> list[tuple[str, int]]:
    result = lint([str(root)], Config())
    return sorted((f.code, f.span.line) for f in result.findings
                  if f.span.path.endswith("0002_with.sql"))


def test_data_rules_see_the_table_a_with_statement_writes(tmp_path: Path) -> None:
    (tmp_path / "0001_base.sql").write_text(BASE)
    # every row of `views` goes: DL003 as for a plain DELETE
    (tmp_path / "0002_with.sql").write_text(
        "WITH gone AS (SELECT 1)\nDELETE FROM views;\n")
    assert ("DL003", 1) in _codes(tmp_path)
    # leaves out NOT NULL `scene_id`: NN002, and SQLite agrees on a database with rows
    sql = "WITH one AS (SELECT 1 AS n)\nINSERT INTO views (n) SELECT n FROM one;\n"
    (tmp_path / "0002_with.sql").write_text(sql)
    assert ("NN002", 1) in _codes(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match=r"NOT NULL constraint failed: views\.scene_id"):
        _sqlite(BASE, sql)
    # names a table that does not exist: SQ007, as SQLite says
    sql = "WITH one AS (SELECT 1 AS n)\nINSERT INTO nowhere (n) SELECT n FROM one;\n"
    (tmp_path / "0002_with.sql").write_text(sql)
    assert ("SQ007", 1) in _codes(tmp_path)
    with pytest.raises(sqlite3.OperationalError, match="no such table: nowhere"):
        _sqlite(BASE, sql)


def test_a_missing_semicolon_after_a_with_statement_is_still_reported(tmp_path: Path) -> None:
    (tmp_path / "0001_base.sql").write_text(
        BASE + "WITH x AS (SELECT 1 AS n)\nSELECT n FROM x\nINSERT INTO views (scene_id) VALUES (1);\n")
    history = load_history(tmp_path)
    assert [(d.code, d.span.line) for d in history.diagnostics] == [("MG002", 6)]
    with pytest.raises(sqlite3.OperationalError, match="syntax error"):
        _sqlite("WITH x AS (SELECT 1 AS n)\nSELECT n FROM x\nINSERT INTO t VALUES (1);")


_POOL = [
    "CREATE TABLE IF NOT EXISTS t (a, b)",
    "INSERT INTO t VALUES (1, 'x;y')",
    "WITH x AS (SELECT 1 AS n)\nINSERT INTO t (a) SELECT n FROM x",
    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3)\n"
    "INSERT INTO t (a) SELECT i FROM k",
    "WITH x AS (SELECT 1 AS n), y AS (SELECT n FROM x)\nUPDATE t SET b = (SELECT n FROM y)",
    "WITH x AS MATERIALIZED (SELECT 1 AS n)\nDELETE FROM t WHERE a IN (SELECT n FROM x)",
    "WITH x AS (SELECT 1 AS n)\nREPLACE INTO t (a) SELECT n FROM x",
    "WITH x AS (SELECT 1 AS n)\nSELECT n FROM x",
    "UPDATE t SET b = 2 WHERE a = 1",
]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(picked=st.lists(st.sampled_from(_POOL), min_size=1, max_size=6))
def test_statements_come_apart_where_sqlite_cuts_them(picked: list[str]) -> None:
    text = "".join(f"{s};\n" for s in picked)
    section = Section("f.sql", text, 0, len(text))
    script, diagnostics = read_sections([section], {})
    assert [d.code for d in diagnostics] == []
    # the oracle: SQLite's own statement boundaries, and SQLite runs each piece
    cut: list[str] = []
    start = 0
    for end in (i for i, c in enumerate(text) if c == ";"):
        if sqlite3.complete_statement(text[start : end + 1]):
            cut.append(text[start:end].strip())
            start = end + 1
    assert [s.text for s in script.statements] == cut
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b)")
    for statement in script.statements:
        assert statement.problem is None
        conn.execute(statement.text)
