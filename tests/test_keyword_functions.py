"""Application functions whose names sqlglot knows as its own (`normalize`, `split`, `match`).

sqlglot parses ``normalize(name, 'nfc')`` with its own NORMALIZE grammar and fails,
so the statement was MG001 even when ``--sql-function normalize`` declared it. To
SQLite it is a plain call of whatever the application registered. The oracle is a
real sqlite3 with a real implementation of the function registered.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.pipeline import load_history
from migrate_lint.replay import replay
from migrate_lint.sandbox import Sandbox, introspect
from migrate_lint.sqlglot_api import dml, parsing
from migrate_lint.verify import snapshot_difference, verify

MIGRATION = """\
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n TEXT);
INSERT INTO t (name) VALUES ('Cafe\u0301');
UPDATE t SET n = normalize(name, 'nfc') WHERE match(name);
CREATE INDEX t_n ON t (normalize(name, 'nfkd'));
CREATE VIEW v AS SELECT normalize(name, 'nfc') AS k, split(name) AS s FROM t;
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  UPDATE t SET n = normalize(NEW.name, 'nfc') WHERE id = NEW.id;
END;
ALTER TABLE t ADD COLUMN g TEXT GENERATED ALWAYS AS (normalize(name, 'nfc')) VIRTUAL;
CREATE TABLE u (a TEXT CHECK (position(a) >= 0));
WITH w AS (SELECT normalize(name, 'nfc') AS k FROM t)
INSERT INTO u (a) SELECT k FROM w WHERE filter(k);
"""

FUNCTIONS = ("normalize", "match", "split", "position", "filter")


def _app(conn: sqlite3.Connection) -> None:
    """What the application registers: real implementations."""
    conn.create_function("normalize", 2, lambda s, form: unicodedata.normalize(form.upper(), s),
                         deterministic=True)
    conn.create_function("match", 1, lambda s: 1, deterministic=True)
    conn.create_function("split", 1, lambda s: s, deterministic=True)
    conn.create_function("position", 1, lambda s: 0, deterministic=True)
    conn.create_function("filter", 1, lambda s: 1, deterministic=True)


def test_declared_keyword_functions_parse_and_verify(tmp_path: Path) -> None:
    (tmp_path / "0001_fn.sql").write_text(MIGRATION)
    history = load_history(tmp_path)
    assert [(d.code, d.message) for d in history.diagnostics] == []
    statements = history.migrations[0].up.statements
    update = statements[2]
    assert update.kind == "update" and update.tables == ("t",) and update.problem is None
    assert "normalize(name, 'nfc')" in parsing.sql(update.ast).lower()
    insert = statements[-1]
    assert insert.kind == "insert" and insert.tables == ("u",)
    timeline = replay(history)
    # the sandbox's stand-ins (verify) and the application's real functions agree
    assert verify(timeline, FUNCTIONS).ok
    real = sqlite3.connect(":memory:")
    _app(real)
    real.executescript(MIGRATION)
    model = timeline.after_migration(0).snapshot()
    assert snapshot_difference(model, introspect(real)) == ""
    assert real.execute("SELECT n FROM t").fetchone()[0] == "Caf\u00e9"


def test_undeclared_function_is_named_by_verify(tmp_path: Path) -> None:
    (tmp_path / "0001_fn.sql").write_text(MIGRATION)
    result = verify(replay(load_history(tmp_path)))
    assert result.unknown_function == "normalize"


def test_a_stand_in_beside_a_builtin_of_the_same_name() -> None:
    # SQLite has match(x, y); the application's match(x) must still run, the
    # built-in keep its own arity.
    with Sandbox("goose", ("match", "printf")) as box:
        conn = box.connection
        assert conn.execute("SELECT match('a')").fetchone() == (None,)
        with pytest.raises(sqlite3.OperationalError, match="unable to use function MATCH"):
            conn.execute("SELECT match('a', 'b')").fetchone()
        assert conn.execute("SELECT printf('%d', 7)").fetchone() == ("7",)


# Names sqlglot reads with its own grammar; any of them may be an application's.
_NAMES = sorted(n.lower() for n in parsing._special_names() if n.isidentifier())


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(_NAMES), args=st.sampled_from(["a", "a, 'x'", "a, 1, b", ""]),
       form=st.sampled_from([
           "UPDATE t SET b = {call} WHERE {call} IS NULL",
           "INSERT INTO t (a) SELECT {call} FROM t",
           "DELETE FROM t WHERE {call} = 1",
       ]))
def test_what_sqlite_runs_with_the_function_registered_parses(name: str, args: str,
                                                              form: str) -> None:
    sql = form.format(call=f"{name}({args})")
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b)")
    conn.create_function(name, -1, lambda *a: None)
    try:
        conn.execute(sql)
    except sqlite3.Error:
        return  # a keyword SQLite itself does not take as a function name here
    tree = parsing.parse_statement(sql)
    assert not parsing.is_command(tree)
    assert dml.dml_target(tree) == "t"


def test_a_broken_call_is_mg001_naming_nothing_it_renamed(tmp_path: Path) -> None:
    (tmp_path / "0001_fn.sql").write_text(
        "CREATE TABLE t (a);\nUPDATE t SET a = normalize(a, 'nfc' WHERE split(a);\n")
    history = load_history(tmp_path)
    assert [(d.code, d.span.line) for d in history.diagnostics] == [("MG001", 2)]
    assert all("\x00" not in d.message for d in history.diagnostics)
    with pytest.raises(sqlite3.OperationalError, match="syntax error"):
        sqlite3.connect(":memory:").executescript(history.texts[history.migrations[0].path])
