"""NN004 lets an unfiltered subquery pass when the migration has just put a row in its
table: a real SQLite, on rows hypothesis draws for both tables, never fails such an
UPDATE with "NOT NULL constraint failed"."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.engine import rule_by_code
from tests.rules.harness import run

_BEFORE = ("CREATE TABLE orgs (id integer PRIMARY KEY, name text);\n"
           "CREATE TABLE users (id integer PRIMARY KEY, org_id integer NOT NULL DEFAULT 0);\n")
_SEEDS = st.sampled_from([
    "INSERT INTO orgs (id, name) VALUES (1, 'default');",
    "INSERT INTO orgs (id, name) VALUES (1, 'default') ON CONFLICT DO NOTHING;",
    "INSERT OR REPLACE INTO orgs (id, name) VALUES (1, 'default');",
    "INSERT OR IGNORE INTO orgs (id, name) VALUES (1, 'default');",
    "INSERT INTO orgs (name) VALUES ('a'), ('b');",
    "",
])
_BETWEEN = st.sampled_from(["", "DELETE FROM orgs WHERE name = 'default';",
                            "DELETE FROM orgs;", "UPDATE orgs SET name = 'x';"])
_VALUES = st.sampled_from(["(SELECT id FROM orgs)", "(SELECT id FROM orgs LIMIT 1)",
                           "(SELECT id FROM orgs ORDER BY id DESC LIMIT 2)",
                           "(SELECT max(id) FROM orgs)", "(SELECT id FROM orgs LIMIT 0)"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=_SEEDS, between=_BETWEEN, value=_VALUES,
       orgs=st.lists(st.sampled_from(["default", "x", None]), max_size=3),
       users=st.integers(min_value=0, max_value=3))
def test_an_unreported_backfill_never_fails_on_rows(seed: str, between: str, value: str,
                                                   orgs: list[str | None], users: int) -> None:
    migration = f"{seed}\n{between}\nUPDATE users SET org_id = {value};\n"
    rule = rule_by_code("NN004")
    assert rule is not None
    with tempfile.TemporaryDirectory() as tmp:
        findings = run(f"{_BEFORE}-- migration\n{migration}", Path(tmp) / "m", [rule])
    if findings:
        return
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(_BEFORE)
    conn.executemany("INSERT INTO orgs (name) VALUES (?)", [(o,) for o in orgs])
    conn.executemany("INSERT INTO users (org_id) VALUES (0)", [()] * users)
    try:
        conn.executescript(migration)
    except sqlite3.IntegrityError as err:  # a taken key fails the INSERT: not NN004's
        assert "NOT NULL" not in str(err), (migration, orgs, users)
