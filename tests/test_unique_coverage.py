"""DL007 stays silent only where SQLite cannot fail: a UNIQUE index the linter lets
pass is made, in a real SQLite, on rows that every unique index the table had when the
migration began let in (hypothesis draws the indexes, their collations and the rows).

Covers the collation order (a set unique under any collation covers a BINARY column; a
NOCASE or RTRIM column only a set unique under that same collation) and an index
dropped and made again in one migration (a rename, as prisma and drizzle write it).
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.engine import rule_by_code
from tests.rules.harness import run

_COLLATIONS = st.sampled_from(["", " COLLATE NOCASE", " COLLATE RTRIM", " COLLATE BINARY"])
_KEYS = st.lists(st.tuples(st.sampled_from(["a", "b"]), _COLLATIONS), min_size=1, max_size=2,
                 unique_by=lambda term: term[0])
_VALUES = st.sampled_from(["x", "X", "x ", "y", None])
_ROWS = st.lists(st.tuples(_VALUES, _VALUES), max_size=8)


def _index(name: str, key: list[tuple[str, str]]) -> str:
    return f"CREATE UNIQUE INDEX {name} ON t ({', '.join(c + k for c, k in key)});"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(declared=_COLLATIONS, old=_KEYS, new=_KEYS, drop_old=st.booleans(), rows=_ROWS)
def test_an_unreported_unique_index_is_made_on_rows_the_old_one_let_in(
        declared: str, old: list[tuple[str, str]], new: list[tuple[str, str]],
        drop_old: bool, rows: list[tuple[str | None, str | None]]) -> None:
    before = f"CREATE TABLE t (id integer PRIMARY KEY, a text{declared}, b text);\n" + _index(
        "t_old", old)
    migration = ("DROP INDEX t_old;\n" if drop_old else "") + _index("t_new", new)
    rule = rule_by_code("DL007")
    assert rule is not None
    with tempfile.TemporaryDirectory() as tmp:
        findings = run(f"{before}\n-- migration\n{migration}\n", Path(tmp) / "m", [rule])
    if findings:
        return  # a warning may be about rows these are not
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(before)
    conn.executemany("INSERT OR IGNORE INTO t (a, b) VALUES (?, ?)", rows)
    conn.executescript(migration)  # raises if SQLite refuses what the linter let pass


def test_a_renamed_unique_index_is_not_reported(tmp_path: Path) -> None:
    rule = rule_by_code("DL007")
    assert rule is not None
    history = ('CREATE TABLE "User" ("id" TEXT PRIMARY KEY, "email" TEXT NOT NULL);\n'
               'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n-- migration\n'
               'DROP INDEX "User_email_key";\n'
               'CREATE UNIQUE INDEX "User_email_unique" ON "User"("email");\n')
    assert run(history, tmp_path / "a", [rule]) == []
    # rows written between the drop and the new index may repeat: reported
    written = history.replace('DROP INDEX "User_email_key";\n', 'DROP INDEX "User_email_key";\n'
                              "INSERT INTO \"User\" SELECT id || 'b', email FROM \"User\";\n")
    assert [f.span.line for f in run(written, tmp_path / "b", [rule])] == [3]


def test_a_nocase_index_over_a_binary_unique_column_is_reported(tmp_path: Path) -> None:
    rule = rule_by_code("DL007")
    assert rule is not None
    history = ("CREATE TABLE t (id integer PRIMARY KEY, email text UNIQUE);\n-- migration\n"
               "CREATE UNIQUE INDEX t_email ON t (email COLLATE NOCASE);\n")
    found = run(history, tmp_path / "m", [rule])
    assert [f.span.line for f in found] == [1]
    assert "`email COLLATE NOCASE`" in found[0].message
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id integer PRIMARY KEY, email text UNIQUE)")
    conn.execute("INSERT INTO t (email) VALUES ('a@x'), ('A@x')")  # the old key lets both in
    try:
        conn.execute("CREATE UNIQUE INDEX t_email ON t (email COLLATE NOCASE)")
    except sqlite3.IntegrityError as err:
        assert "UNIQUE constraint failed" in str(err)
    else:
        raise AssertionError("SQLite made the NOCASE index over case-different duplicates")


def test_a_column_a_rebuild_leaves_to_its_default_decides_in_sqlite() -> None:
    """DL007's two cases in tests/rules/DL007.yaml, on rows: a rebuild's copy that
    leaves the new column NULL lets a UNIQUE index on it in; a constant default makes
    every row collide."""
    import sqlite3

    import pytest

    def rebuild(column: str) -> None:
        conn = sqlite3.connect(":memory:")
        conn.executescript("CREATE TABLE s (id text NOT NULL PRIMARY KEY);"
                           "INSERT INTO s VALUES ('a'), ('b');"
                           f"CREATE TABLE new_s (id text NOT NULL PRIMARY KEY, {column});"
                           "INSERT INTO new_s (id) SELECT id FROM s; DROP TABLE s;"
                           "ALTER TABLE new_s RENAME TO s;")
        conn.execute(f"CREATE UNIQUE INDEX s_key ON s ({column.split()[0]})")

    rebuild("cfg_id text")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed"):
        rebuild("kind text NOT NULL DEFAULT 'a'")
