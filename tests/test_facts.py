"""The shared facts (migrate_lint/facts), each checked against SQLite itself or a replay.

Rules and the fixer ask these instead of deriving them; a wrong answer here is wrong
everywhere at once, so each is compared with what sqlite3 does.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from migrate_lint.config import Config
from migrate_lint.engine import rule_by_code, run_rules
from migrate_lint.facts import literals, nulls, tables, types
from migrate_lint.pipeline import load_timeline
from migrate_lint.replay import Timeline

DECLARED = ["INTEGER", "int", "BIGINT", "UNSIGNED BIG INT", "varchar(20)", "TEXT", "CLOB",
            "nchar(5)", "BLOB", "", "REAL", "double precision", "FLOAT", "NUMERIC",
            "decimal(10,5)", "BOOLEAN", "DATETIME", "date", "floating point", "charint",
            "STRING", "json"]


def _sqlite_affinity(declared: str) -> str:
    """The affinity SQLite gives ``declared``, observed: what it stores for '1.5' and
    for '12', and what CAST('1.5' AS declared) gives (INTEGER and NUMERIC differ only
    there)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f'CREATE TABLE t (c {declared})')
        conn.execute("INSERT INTO t VALUES ('12'), ('1.5')")
        stored = [r[0] for r in conn.execute("SELECT typeof(c) FROM t ORDER BY rowid")]
        if stored == ["text", "text"]:
            # TEXT converts nothing given as text; BLOB (none) stores it as given too
            blob = conn.execute("INSERT INTO t VALUES (12)") and conn.execute(
                "SELECT typeof(c) FROM t WHERE rowid = 3").fetchone()[0]
            return "TEXT" if blob == "text" else "BLOB"
        if stored == ["real", "real"]:
            return "REAL"
        cast = conn.execute(f"SELECT typeof(CAST('1.5' AS {declared or 'BLOB'}))").fetchone()[0]
        return "INTEGER" if cast == "integer" else "NUMERIC"
    finally:
        conn.close()


@pytest.mark.parametrize("declared", DECLARED)
def test_affinity_is_sqlites(declared: str) -> None:
    assert types.affinity(declared) == _sqlite_affinity(declared)


@pytest.mark.parametrize("declared", DECLARED)
def test_ctas_type_is_the_type_sqlite_declares(declared: str) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"CREATE TABLE s (c {declared})")
        conn.execute("CREATE TABLE t AS SELECT * FROM s")
        made = conn.execute("SELECT type FROM pragma_table_info('t')").fetchone()[0]
    finally:
        conn.close()
    assert types.ctas_type(declared) == made


@pytest.mark.parametrize("declared", DECLARED)
def test_zero_value_is_stored_with_the_columns_affinity(declared: str) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"CREATE TABLE t (c {declared} NOT NULL DEFAULT {types.zero_value(declared)})")
        conn.execute("INSERT INTO t DEFAULT VALUES")
        value, kind = conn.execute("SELECT c, typeof(c) FROM t").fetchone()
    finally:
        conn.close()
    expected = {"INTEGER": "integer", "NUMERIC": "integer", "TEXT": "text", "BLOB": "blob",
                "REAL": "real"}[types.affinity(declared)]
    assert kind == expected and not value


DEFAULTS = ["0", "-1", "(1)", "((1))", "-(1)", "(- -1)", "+'a'", "'x'", "'it''s'", "x'00'",
            "NULL", "(+NULL)", "TRUE", "1.5e3", ".5", "0x1F", "CAST(1 AS TEXT)",
            "CAST(CAST(1 AS INT) AS TEXT)", '"quoted"', "1 + 2", "'a' || 'b'", "abs(1)",
            "datetime('now')", "CURRENT_TIMESTAMP", "(SELECT 1)", "-(1 + 2)", "random()"]


def _sqlite_accepts_default_on_rows(text: str) -> bool:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute(f"ALTER TABLE t ADD c DEFAULT ({text})")
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


@pytest.mark.parametrize("text", DEFAULTS)
def test_constant_default_is_what_sqlite_accepts_on_a_populated_table(text: str) -> None:
    assert literals.is_constant_default(text) == _sqlite_accepts_default_on_rows(text)


# every text a DEFAULT clause may hold (SQLite refuses a subquery and a double-quoted
# name in parentheses in CREATE TABLE too)
@pytest.mark.parametrize("text", [t for t in DEFAULTS if t not in ("(SELECT 1)", '"quoted"')])
def test_default_clause_value_is_valid_after_default(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        # a text that may not follow DEFAULT as written is a syntax error here
        conn.execute(f"CREATE TABLE t (c DEFAULT {literals.default_clause_value(text)})")
        conn.execute("INSERT INTO t DEFAULT VALUES")
        got = conn.execute("SELECT c FROM t").fetchone()[0]
        if literals.is_constant_default(text):
            assert got == conn.execute(f"SELECT {text}").fetchone()[0]
    finally:
        conn.close()


def _timeline(tmp_path: Path, before: str, sql: str) -> Timeline:
    root = tmp_path / "migrations"
    root.mkdir(parents=True)
    (root / "0001_before.sql").write_text(before)
    (root / "0002_under_test.sql").write_text(sql)
    return load_timeline(root)


def _table_is_empty_in_sqlite(before: str, sql: str, upto: int, table: str) -> bool:
    """Apply ``before`` to a database holding a row in ``table``, then the first
    ``upto`` statements of ``sql``: does the table hold a row?"""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(before)
        conn.execute(f"INSERT INTO {table} DEFAULT VALUES")
        for stmt in [s for s in sql.split(";") if s.strip()][:upto]:
            conn.execute(stmt)
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    finally:
        conn.close()


EMPTYING = [
    "DELETE FROM t",
    "DELETE FROM t WHERE 1",  # NN001 read this as emptied, RB002 did not (issue 10)
    "DELETE FROM t WHERE 1 = 1 OR id > 0",
    "DELETE FROM t WHERE id > 0",  # keeps rows where id is NULL or <= 0: not emptied
    "DELETE FROM t WHERE 0",
]


@pytest.mark.parametrize("delete", EMPTYING)
@pytest.mark.parametrize("refill", [False, True])
def test_is_empty_at_agrees_with_sqlite(tmp_path: Path, delete: str, refill: bool) -> None:
    before = "CREATE TABLE t (id INTEGER, a TEXT);"
    sql = f"{delete};\n" + ("INSERT INTO t (id) VALUES (1);\n" if refill else "") + \
        "SELECT 1;\n"
    timeline = _timeline(tmp_path, before, sql)
    last = len(timeline.steps) - 1
    table = timeline.steps[last].before.table("t")
    assert table is not None
    empty = tables.is_empty_at(timeline, table, 1, last)
    # a row inserted before the DELETE with id NULL survives `WHERE id > 0`
    conn_before = before + "INSERT INTO t (id) VALUES (NULL);"
    assert empty == _table_is_empty_in_sqlite(conn_before, sql, last - 0, "t")
    # the users' rows are gone either way once an always-true DELETE ran
    gone = tables.emptied_by(timeline, "t", 1, last) is not None
    assert gone == _table_is_empty_in_sqlite(conn_before, delete, 1, "t")


def _findings(tmp_path: Path, code: str, before: str, sql: str) -> list[str]:
    timeline = _timeline(tmp_path, before, sql)
    cls = rule_by_code(code)
    assert cls is not None
    return [f.message for f in run_rules(timeline, Config(path=str(tmp_path)), [cls])
            if f.code == code]


def test_rb002_and_nn001_agree_after_delete_where_1(tmp_path: Path) -> None:
    """The bug of issue 10: after `DELETE FROM c WHERE 1`, NN001 read the table as
    emptied while RB002 reported a cascade into its rows."""
    before = ("CREATE TABLE p (id integer PRIMARY KEY, a text);\n"
              "CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id) "
              "ON DELETE CASCADE);\n")
    sql = ("DELETE FROM c WHERE 1;\n"
           "ALTER TABLE c ADD seq integer NOT NULL;\n"
           "CREATE TABLE p_new (id integer PRIMARY KEY, a text NOT NULL DEFAULT '');\n"
           "INSERT INTO p_new (id, a) SELECT id, coalesce(a, '') FROM p;\n"
           "DROP TABLE p;\n"
           "ALTER TABLE p_new RENAME TO p;\n")
    nn001 = _findings(tmp_path / "a", "NN001", before, sql)
    assert len(nn001) == 1 and "passes only because `c` was emptied above" in nn001[0]
    assert _findings(tmp_path / "b", "RB002", before, sql) == []


def test_nn001_after_a_refill_says_it_fails(tmp_path: Path) -> None:
    """Emptied, then refilled by the migration itself: the ADD fails on every database,
    it does not "pass only because the table was emptied"."""
    before = "CREATE TABLE t (id integer PRIMARY KEY);\n"
    sql = ("DELETE FROM t;\n"
           "INSERT INTO t (id) VALUES (1);\n"
           "ALTER TABLE t ADD c text NOT NULL;\n")
    found = _findings(tmp_path, "NN001", before, sql)
    assert len(found) == 1
    assert "fails with 'Cannot add a NOT NULL column with default value NULL'" in found[0]


NULLABILITY = (
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT NOT NULL, "
    "g AS (id * 2), h AS (a || 'x'), k AS (b || 'x'), n INTEGER NOT NULL AS (1) STORED, "
    "gg AS (g + 1));"
)


def test_column_may_be_null_agrees_with_sqlite(tmp_path: Path) -> None:
    """A row with NULL wherever SQLite takes one: the columns that hold NULL are the
    ones the fact calls nullable (a generated column over a generated one is taken as
    nullable unless NOT NULL: one level is read)."""
    timeline = _timeline(tmp_path, NULLABILITY, "SELECT 1;\n")
    table = timeline.final.table("t")
    assert table is not None
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(NULLABILITY)
        conn.execute("INSERT INTO t (id, a, b) VALUES (NULL, NULL, 'v')")
        row = conn.execute("SELECT id, a, b, g, h, k, n, gg FROM t").fetchone()
    finally:
        conn.close()
    names = ["id", "a", "b", "g", "h", "k", "n", "gg"]
    held_null = {name for name, value in zip(names, row, strict=True) if value is None}
    columns = {c.name: c for c in table.columns}
    said = {n for n in names if nulls.column_may_be_null(table, columns[n])}
    assert said - {"gg"} == held_null  # gg: nested generated column, assumed nullable
    assert "gg" in said


def test_nn004_reads_a_generated_column_over_a_rowid_as_never_null(tmp_path: Path) -> None:
    before = ("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, g AS (id * 2), "
              "h AS (a || 'x'));\n")
    sql = ("ALTER TABLE t ADD c integer NOT NULL DEFAULT 0;\n"
           "UPDATE t SET c = g;\n"
           "UPDATE t SET c = h;\n")
    found = _findings(tmp_path, "NN004", before, sql)
    assert len(found) == 1 and "`h`" in found[0], found
