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


def _db(c_value: object, other_value: object) -> sqlite3.Connection:
    # columns without a declared type keep each value's storage class as inserted
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id integer PRIMARY KEY, c, d)")
    db.execute("INSERT INTO t (c, d) VALUES (?, x'00'), (NULL, 'text')", (c_value,))
    db.execute("CREATE TABLE other (id integer PRIMARY KEY, v)")
    db.execute("INSERT INTO other (v) VALUES (?)", (other_value,))
    return db


def test_captured_rows_tell_storage_classes_apart() -> None:
    """1 and 1.0 are equal values of two storage classes: a change from one to the
    other is a change of the row, in every check that compares rows."""
    ints, reals = ck.capture(_db(1, 1)), ck.capture(_db(1.0, 1))
    assert ints != reals and ints == ck.capture(_db(1, 1))
    # the cells carry what SQLite's typeof() says of each value
    db = _db(1, 1)
    typeof = db.execute("SELECT rowid, typeof(id), typeof(c), typeof(d) FROM t").fetchall()
    cells = dict(ints.table("t").cells())  # type: ignore[union-attr]
    assert [(key[0], *(kind for _name, _value, kind in cells[key]))
            for key in sorted(cells)] == typeof
    target = ColumnTarget("t", "d", True, None)
    changed = ck.check_untouched_columns(ck.Proof(target, ints, reals, {}, frozenset(), None,
                                                  db))
    assert not changed.ok and "(1, 'integer') became (1.0, 'real')" in changed.reason
    # another table's value changing class is a cascade as much as a new value is
    moved = ck.capture(_db(1, 1.0))
    cascade = ck.check_no_cascade(ck.Proof(target, ints, moved, {}, frozenset(), None, db))
    assert (cascade.ok, cascade.table) == (False, "other")
    assert ck.check_no_cascade(ck.Proof(target, ints, ints, {}, frozenset(), None, db)).ok
    assert ck.check_rows_and_keys(ck.Proof(target, ints, reals, {}, frozenset(), None, db)).ok


def test_in_place_proof_counts_the_rows_of_other_tables() -> None:
    """The in-place proof reads the rows of its own tables and counts the others' (check
    2 compares only counts there): a row lost from another table still fails it."""
    from migrate_lint.fix.planner import _row_counts

    db = _db(1, 1)
    full, light = ck.capture(db), ck.capture(db, rows_of=("T",))
    assert light.table("t") == full.table("t")
    other = light.table("other")
    assert other is not None and (other.rows, other.count) == ((), 1)
    assert [t.count for t in full.tables] == [len(t.rows) for t in full.tables] == [1, 2]
    assert _row_counts(light, light).reason == "3 rows kept"
    db.execute("DELETE FROM other")
    lost = _row_counts(light, ck.capture(db, rows_of=("t",)))
    assert (lost.ok, lost.reason, lost.table) == (False, "1 rows before, 0 after", "other")
