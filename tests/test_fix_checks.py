"""The proof checks that read the target table before and after (3 to 6) fail as "table
missing" where the fix left no such table, on real SQLite states."""

from __future__ import annotations

import sqlite3

from migrate_lint.fix import checks as ck
from migrate_lint.fix.model import ColumnTarget


def test_checks_on_the_target_fail_when_the_table_is_gone() -> None:
    before_db = sqlite3.connect(":memory:")
    before_db.execute("CREATE TABLE t (id integer PRIMARY KEY, c text)")
    before_db.execute("INSERT INTO t (c) VALUES ('x')")
    after_db = sqlite3.connect(":memory:")
    after_db.execute("CREATE TABLE other (id integer PRIMARY KEY)")
    target = ColumnTarget("t", "c", True, "''")
    proof = ck.Proof(target, ck.capture(before_db), ck.capture(after_db), {}, frozenset(),
                     None, after_db)
    results = [check(proof) for check in (ck.check_untouched_columns, ck.check_target_values,
                                          ck.check_column_definitions, ck.check_flags)]
    assert [(r.number, r.ok, r.reason, r.table) for r in results] == [
        (n, False, "table missing", "t") for n in (3, 4, 5, 6)]
    # the same checks pass where the table is there and unchanged
    same = ck.Proof(ColumnTarget("t", "c", False, None), ck.capture(before_db),
                    ck.capture(before_db), {(1,): "x"}, frozenset(), None, before_db)
    assert [check(same).ok for check in (ck.check_untouched_columns,
                                         ck.check_column_definitions, ck.check_flags)] == [
        True, True, True]
