"""``ALTER TABLE t DROP COLUMN c``: the model's decision and message against SQLite's.

Every case runs on a real SQLite (the expected outcome is what SQLite does, never
written here) and through the replay (``Step.error`` of the drop), which must agree:
both refuse with the same message, or both drop the column.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest

from migrate_lint.config import Config
from migrate_lint.engine import rule_by_code, run_rules
from migrate_lint.pipeline import load_timeline
from migrate_lint.replay import Timeline

T = "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, c INTEGER, h INTEGER);\n"
U = "CREATE TABLE u (id INTEGER, c INTEGER, b INTEGER);\n"
T3 = "CREATE TABLE t3 (x INTEGER, c INTEGER);\n"
BASE = T + U + T3


def trig(body: str, on: str = "t3", event: str = "INSERT") -> str:
    return f"CREATE TRIGGER x AFTER {event} ON {on} BEGIN {body}; END;"


CASES: dict[str, str] = {
    # the column itself
    "plain": BASE,
    "primary_key": "CREATE TABLE t (id INTEGER, a INTEGER, c INTEGER PRIMARY KEY);",
    "composite_primary_key": "CREATE TABLE t (id, a, c, PRIMARY KEY (a, c));",
    "column_unique": "CREATE TABLE t (id, a, c UNIQUE);",
    "table_unique_single": "CREATE TABLE t (id, a, c, UNIQUE (c));",
    "table_unique_pair": "CREATE TABLE t (id, a, c, UNIQUE (a, c));",
    "last_column": "CREATE TABLE t (c INTEGER);",
    "own_check": "CREATE TABLE t (id, a, c CHECK (c > a));",
    "own_references": "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (id, a, c REFERENCES p(id));",
    # the table
    "other_column_check": "CREATE TABLE t (id, a, c, h INTEGER CHECK (h > c));",
    "other_column_check_a": "CREATE TABLE t (id, a, c, h INTEGER CHECK (h > a));",
    "table_check": "CREATE TABLE t (id, a, c, CHECK (c > 0));",
    "table_check_qualified": "CREATE TABLE t (id, a, c, CHECK (t.c > 0));",
    "table_check_double_quoted": 'CREATE TABLE t (id, a, c, CHECK ("c" > 0));',
    "table_check_string": "CREATE TABLE t (id, a, c, CHECK (a <> 'c'));",
    "generated": "CREATE TABLE t (id, a, c, g AS (c + 1));",
    "generated_other": "CREATE TABLE t (id, a, c, g AS (a + 1) STORED);",
    "foreign_key_child": "CREATE TABLE p (id INTEGER PRIMARY KEY); "
                         "CREATE TABLE t (id, a, c, FOREIGN KEY (c) REFERENCES p(id));",
    "foreign_key_and_check": "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t "
                             "(id, a, c, CHECK (c > 0), FOREIGN KEY (c) REFERENCES p(id));",
    # indexes
    "index": "CREATE TABLE t (id, a, c); CREATE INDEX i ON t (c);",
    "unique_index": "CREATE TABLE t (id, a, c); CREATE UNIQUE INDEX i ON t (c);",
    "index_pair": "CREATE TABLE t (id, a, c); CREATE INDEX i ON t (a, c);",
    "index_expression": "CREATE TABLE t (id, a, c); CREATE INDEX i ON t (lower(c));",
    "index_collate": "CREATE TABLE t (id, a, c); CREATE INDEX i ON t (c COLLATE NOCASE);",
    "partial_index": "CREATE TABLE t (id, a, c); CREATE INDEX i ON t (a) WHERE c > 0;",
    "partial_index_other": "CREATE TABLE t (id, a, c); CREATE INDEX i ON t (a) WHERE a > 0;",
    "index_then_view": "CREATE TABLE t (id, a, c); CREATE VIEW v AS SELECT c FROM t; "
                       "CREATE INDEX i ON t (c);",
    # views
    "view_column": BASE + "CREATE VIEW v AS SELECT c FROM t;",
    "view_where": BASE + "CREATE VIEW v AS SELECT a FROM t WHERE c > 0;",
    "view_order_collate": BASE + "CREATE VIEW v AS SELECT a FROM t ORDER BY c COLLATE nocase;",
    "view_alias": BASE + "CREATE VIEW v AS SELECT a AS c FROM t;",
    "view_alias_where": BASE + "CREATE VIEW v AS SELECT a AS c FROM t WHERE c > 0;",
    "view_alias_group_having": BASE + "CREATE VIEW v AS SELECT a AS c FROM t GROUP BY c HAVING c > 1;",
    "view_literal": BASE + "CREATE VIEW v AS SELECT 'c' FROM t;",
    "view_double_quoted": BASE + 'CREATE VIEW v AS SELECT "c" FROM t;',
    "view_bracket": BASE + "CREATE VIEW v AS SELECT [c] FROM t;",
    "view_backtick": BASE + "CREATE VIEW v AS SELECT `c` FROM t;",
    "view_function_alias": BASE + "CREATE VIEW v AS SELECT count(a) AS c FROM t;",
    "view_other_table": BASE + "CREATE VIEW v AS SELECT c FROM u;",
    "view_other_table_join": BASE + "CREATE VIEW v AS SELECT u.c FROM t JOIN u ON u.id = t.id;",
    "view_qualified_alias": BASE + "CREATE VIEW v AS SELECT x.c FROM t AS x;",
    "view_star": BASE + "CREATE VIEW v AS SELECT * FROM t;",
    "view_table_star": BASE + "CREATE VIEW v AS SELECT t.* FROM t;",
    "view_over_star_view": BASE + "CREATE VIEW v1 AS SELECT * FROM t; "
                           "CREATE VIEW v2 AS SELECT c FROM v1;",
    "view_column_list": BASE + "CREATE VIEW v1 (k, m) AS SELECT a, c FROM t;",
    "view_over_column_list": BASE + "CREATE VIEW v1 (k, m) AS SELECT a, h FROM t; "
                             "CREATE VIEW v2 AS SELECT k, m FROM v1;",
    "view_cte": BASE + "CREATE VIEW v AS WITH w AS (SELECT c FROM t) SELECT * FROM w;",
    "view_cte_columns": BASE + "CREATE VIEW v AS WITH w (k) AS (SELECT a FROM t) SELECT k FROM w;",
    "view_compound": BASE + "CREATE VIEW v AS SELECT a FROM t UNION SELECT c FROM t;",
    "view_compound_order": BASE + "CREATE VIEW v AS SELECT a AS c FROM t UNION SELECT x FROM t3 ORDER BY c;",
    "view_using": BASE + "CREATE VIEW v AS SELECT c FROM t JOIN u USING (c);",
    "view_using_reversed": BASE + "CREATE VIEW v AS SELECT 1 FROM u JOIN t USING (c);",
    "view_natural": BASE + "CREATE VIEW v AS SELECT 1 FROM t NATURAL JOIN t3;",
    "view_correlated_outer_has_c": BASE + "CREATE VIEW v AS SELECT (SELECT c FROM t) FROM u;",
    "view_correlated_qualified": BASE + "CREATE VIEW v AS SELECT (SELECT c FROM u WHERE u.id = t.c) FROM t;",
    "view_correlated_inner_has_c": BASE + "CREATE VIEW v AS SELECT (SELECT c FROM t3 WHERE t3.x = t.a) FROM t;",
    "view_exists": BASE + "CREATE VIEW v AS SELECT id FROM u WHERE EXISTS (SELECT 1 FROM t WHERE c = u.id);",
    "view_json_each": BASE + "CREATE VIEW v AS SELECT value FROM t, json_each(t.c);",
    "view_json_each_other": BASE + "CREATE VIEW v AS SELECT j.value FROM t, json_each(t.a) AS j;",
    "view_count_star": BASE + "CREATE VIEW v AS SELECT count(*) FROM t;",
    "view_then_trigger": BASE + "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT new.c; END; "
                         "CREATE VIEW v AS SELECT c FROM t;",
    # triggers on t
    "new_c": BASE + trig("SELECT new.c", "t"),
    "old_c": BASE + trig("SELECT old.c", "t", "DELETE"),
    "new_c_double_quoted": BASE + trig('SELECT new."c"', "t"),
    "when_new_c": BASE + "CREATE TRIGGER x AFTER INSERT ON t WHEN new.c > 0 BEGIN SELECT 1; END;",
    "update_of_c": BASE + "CREATE TRIGGER x AFTER UPDATE OF c ON t BEGIN SELECT 1; END;",
    "set_target_same_table": BASE + trig("UPDATE t SET c = new.a WHERE id = new.id", "t"),
    "set_value": BASE + trig("UPDATE t SET a = c", "t"),
    "where_same_table": BASE + trig("UPDATE t SET a = a WHERE c = -1", "t", "UPDATE"),
    "temp_trigger": BASE + "CREATE TEMP TRIGGER x AFTER INSERT ON t BEGIN SELECT new.c; END;",
    # triggers on other tables
    "other_where": BASE + trig("UPDATE t SET a = 1 WHERE c = 1"),
    "other_delete_where": BASE + trig("DELETE FROM t WHERE c = 1"),
    "other_set_target": BASE + trig("UPDATE t SET c = 1"),
    "other_insert_list": BASE + trig("INSERT INTO t (c) VALUES (1)"),
    "other_insert_select": BASE + trig("INSERT INTO u (id) SELECT c FROM t"),
    "other_own_set": BASE + trig("UPDATE t3 SET c = 1"),
    "other_own_where": BASE + trig("UPDATE t3 SET x = 1 WHERE c = 1"),
    "other_new_c": BASE + trig("UPDATE t SET a = new.c"),
    "other_subquery_outer_has_c": BASE + trig("DELETE FROM t3 WHERE x IN (SELECT c FROM t)"),
    "other_subquery": BASE + trig("DELETE FROM u WHERE b IN (SELECT c FROM t)"),
    "other_set_subquery": BASE + trig("UPDATE t3 SET x = (SELECT c FROM t)"),
    "other_where_inner_other": BASE + trig("UPDATE t SET a = 1 WHERE c = (SELECT c FROM u)"),
    "other_update_from": BASE + trig("UPDATE u SET b = t.c FROM t"),
    "other_update_from_other": BASE + trig("UPDATE u SET b = t.a FROM t"),
    "other_select": BASE + trig("SELECT c FROM t WHERE 0"),
    "other_select_alias_where": BASE + trig("SELECT a AS c FROM t WHERE c > 0"),
    "other_raise": BASE + trig("SELECT RAISE(ABORT, 'c') FROM t WHERE a > 0"),
    "other_case": BASE + trig("UPDATE t SET a = CASE WHEN c > 0 THEN 1 ELSE 2 END"),
    "upsert_excluded": BASE + "CREATE UNIQUE INDEX ui ON t (a);\n"
                       + trig("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET h = excluded.c"),
    "upsert_set_target": BASE + "CREATE UNIQUE INDEX ui ON t (a);\n"
                         + trig("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET c = 1"),
    "upsert_value": BASE + "CREATE UNIQUE INDEX ui ON t (a);\n"
                    + trig("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET h = c"),
    "upsert_where": BASE + "CREATE UNIQUE INDEX ui ON t (a);\n"
                    + trig("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET h = 1 WHERE c > 0"),
    "insert_positional": BASE + trig("INSERT INTO t VALUES (1, 2, 3, 4)"),
    "trigger_on_star_view": BASE + "CREATE VIEW v AS SELECT * FROM t; "
                            "CREATE TRIGGER x INSTEAD OF INSERT ON v BEGIN SELECT new.c; END;",
    # a column named like a rowid alias
    "rowid_named": "CREATE TABLE t (id, a, c); CREATE VIEW v AS SELECT rowid FROM t;",
    # renamed objects: SQLite rewrote the view, the model keeps the old text
    "stale_after_rename": "CREATE TABLE t (id, a, c, q); CREATE VIEW v AS SELECT a FROM t; "
                          "ALTER TABLE t RENAME COLUMN a TO b;",
}


def sqlite_says(setup: str, drop: str) -> str | None:
    con = sqlite3.connect(":memory:")
    try:
        con.executescript(setup)
        con.execute(drop)
    except sqlite3.Error as err:
        return str(err)
    finally:
        con.close()
    return None


def timeline_of(*migrations: str) -> Timeline:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for number, text in enumerate(migrations, 1):
            (root / f"{number:04d}_step.sql").write_text(text + "\n", encoding="utf-8")
        return load_timeline(root)


DROP = "ALTER TABLE t DROP COLUMN c;"


@pytest.mark.parametrize("name", sorted(CASES))
def test_replay_refuses_the_drop_iff_sqlite_does(name: str) -> None:
    setup = CASES[name]
    expected = sqlite_says(setup, DROP)
    timeline = timeline_of(setup, DROP)
    assert not [d.message for d in timeline.history.diagnostics if d.code != "MG000"]
    assert all(s.error is None for s in timeline.steps[:-1])
    assert timeline.steps[-1].error == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_sq005_blocker_iff_sqlite_refuses(name: str) -> None:
    setup = CASES[name]
    expected = sqlite_says(setup, DROP)
    timeline = timeline_of(setup, DROP)
    rule = rule_by_code("SQ005")
    assert rule is not None
    findings = run_rules(timeline, Config(), [rule])
    blockers = [f.get("blocker") for f in findings if f.get("blocker")]
    assert blockers == ([expected] if expected else [])


FUTURE = {
    # trigger body -> the statement that fires it
    "UPDATE t SET c = 1": "INSERT INTO t3 VALUES (1, 1)",
    "INSERT INTO t (a, c) VALUES (1, 1)": "INSERT INTO t3 VALUES (1, 1)",
    "INSERT INTO t VALUES (NULL, 2, 3, 4)": "INSERT INTO t3 VALUES (1, 1)",
    "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET c = 1":
        "INSERT INTO t3 VALUES (1, 1)",
    "UPDATE t3 SET c = 1": "INSERT INTO t3 VALUES (1, 1)",
    "INSERT INTO u (id, c) VALUES (1, 1)": "INSERT INTO t3 VALUES (1, 1)",
}


@pytest.mark.parametrize("body", sorted(FUTURE))
def test_sq005_names_a_trigger_iff_it_fails_when_fired(body: str) -> None:
    setup = BASE + "CREATE UNIQUE INDEX ui ON t (a);\n" + trig(body)
    con = sqlite3.connect(":memory:")
    con.executescript(setup)
    con.execute(DROP)
    try:
        con.execute(FUTURE[body])
        fired: str | None = None
    except sqlite3.Error as err:
        fired = str(err)
    con.close()
    rule = rule_by_code("SQ005")
    assert rule is not None
    findings = run_rules(timeline_of(setup, DROP), Config(), [rule])
    assert not [f for f in findings if f.get("blocker")]
    failures = [f.get("failure") for f in findings if f.get("trigger") == "x"]
    assert failures == ([fired] if fired else [])


def test_unreadable_trigger_naming_the_column_blocks_with_a_tool_message() -> None:
    setup = BASE + "CREATE TRIGGER x AFTER INSERT ON t3 BEGIN UPDATE t SET a = c; END;"
    timeline = timeline_of(setup, DROP)
    from migrate_lint import resolve

    resolve.trigger_shape.cache_clear()
    original = resolve.trigger_step_shape

    def broken(text: str) -> object:
        raise resolve.ParseFailure("sqlglot could not parse it")

    resolve.trigger_step_shape = broken  # type: ignore[assignment]
    try:
        from migrate_lint.replay import drop_column_check

        schema = timeline.steps[-1].before
        table = schema.table("t")
        assert table is not None
        found = drop_column_check(schema, table, "c")
        assert found is not None and not found.certain and found.name == "x"
        assert "could not read trigger x" in found.message
        assert drop_column_check(schema, table, "h") is None  # x does not name h
    finally:
        resolve.trigger_step_shape = original  # type: ignore[assignment]
        resolve.trigger_shape.cache_clear()
