"""Seed INSERTs read without a tree agree with sqlglot's tree and with SQLite."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from migrate_lint.seed import read_seed
from migrate_lint.sqlglot_api import dml, parsing, tokens

LITERALS = st.sampled_from(["1", "-2", "+3.5", "'x'", "'NULL'", "NULL", "-NULL", "(NULL)",
                            "x'00ff'", "TRUE", "CURRENT_TIMESTAMP", "''", "1e3", "((4))"])
ROWS = st.lists(st.lists(LITERALS, min_size=1, max_size=4), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(rows=ROWS, named=st.booleans(), conflict=st.sampled_from(["", "OR IGNORE ",
                                                                   "OR REPLACE "]))
def test_seed_facts_match_the_tree(rows: list[list[str]], named: bool, conflict: str) -> None:
    width = max(len(r) for r in rows)
    cols = [f"c{i}" for i in range(width)]
    head = f"INSERT {conflict}INTO t" + (f" ({', '.join(cols)})" if named else "")
    sql = head + " VALUES " + ", ".join("(" + ", ".join(r) + ")" for r in rows)
    seed = read_seed(tokens.sql_tokens(sql))
    parts = dml.insert_parts(parsing.parse_statement(sql))
    assert seed is not None and parts is not None
    assert seed.table == parts.table
    assert seed.columns == parts.columns
    assert seed.conflict == parts.conflict
    assert seed.null_positions == parts.null_positions
    assert seed.arities == tuple(dict.fromkeys(parts.rows))
    assert seed.rows == len(rows)
    # SQLite agrees on which values are NULL, row by row
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE t ({', '.join(cols)})")
    for row in rows:
        values = conn.execute("SELECT " + ", ".join(row)).fetchone()
        for i, v in enumerate(values):
            if v is None:
                assert i in seed.null_positions
    conn.close()


def test_not_seeds() -> None:
    for sql in ("INSERT INTO t SELECT * FROM u", "INSERT INTO t VALUES (abs(-1))",
                "INSERT INTO t VALUES (1) RETURNING *",
                "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING",
                "INSERT INTO t DEFAULT VALUES", "INSERT INTO t VALUES (?)"):
        assert read_seed(tokens.sql_tokens(sql)) is None, sql


def test_a_long_seed_run_is_one_statement_and_runs_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from migrate_lint.cli import cli
    from migrate_lint.parse import RUN
    from migrate_lint.pipeline import load_history

    root = tmp_path / "m"
    root.mkdir()
    (root / "0001_init.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY, a text);\n")
    rows = [f"INSERT INTO t (id, a) VALUES ({i}, 'x;{i}');" for i in range(3 * RUN)]
    (root / "0002_seed.sql").write_text("\n".join(rows) + "\nCREATE INDEX t_a ON t (a);\n")
    history = load_history(root)
    statements = history.migrations[1].up.statements
    assert [s.kind for s in statements] == ["insert", "create_index"]
    assert statements[0].seed is not None and statements[0].seed.rows == 3 * RUN
    done = CliRunner().invoke(cli, ["schema", str(root), "--verify"])
    assert done.exit_code == 0, done.output
    # SQLite itself holds every row: the sandbox ran each INSERT of the run
    conn = sqlite3.connect(":memory:")
    for name in ("0001_init.sql", "0002_seed.sql"):
        conn.executescript((root / name).read_text())
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 3 * RUN
    # a duplicate key in the middle of the run fails the migration, as in SQLite
    rows[RUN + 5] = rows[3]
    (root / "0002_seed.sql").write_text("\n".join(rows) + "\n")
    done = CliRunner().invoke(cli, ["schema", str(root), "--verify"])
    assert done.exit_code == 1 and "UNIQUE constraint failed: t.id" in done.output
