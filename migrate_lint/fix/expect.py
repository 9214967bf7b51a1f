"""What a corrected column holds after its migration ran on a populated database.

A rule's ``fix`` names one of these in its :class:`~migrate_lint.fix.model.Plan`
(``expect``); the planner checks it as check 4 of the in-place proof, on the real
SQLite database the corrected migration just ran on.
"""

from __future__ import annotations

import sqlite3

from migrate_lint.fix.model import CheckResult
from migrate_lint.fix.sqltext import q
from migrate_lint.values import value_class

NAME = "target-column-values"


def _count(conn: sqlite3.Connection, sql: str) -> int | None:
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return None


class Expect:
    """Base: what ``table.column`` holds on every existing row."""

    __slots__ = ()

    def check(self, conn: sqlite3.Connection, table: str, column: str) -> CheckResult:
        """Check 4 on the database the corrected migration ran on."""
        raise NotImplementedError


@value_class
class HoldsDefault(Expect):
    """Every existing row got the column's DEFAULT."""

    def check(self, conn: sqlite3.Connection, table: str, column: str) -> CheckResult:
        """The DEFAULT exists, and no row holds anything else."""
        row = conn.execute("SELECT dflt_value FROM pragma_table_xinfo(?) WHERE name = ?",
                           (table, column)).fetchone()
        if row is None or row[0] is None:
            return CheckResult(4, NAME, False, "the column has no default", table)
        bad = conn.execute(f"SELECT count(*) FROM {q(table)} WHERE {q(column)} IS NOT "
                           f"({row[0]})").fetchone()[0]
        return CheckResult(4, NAME, bad == 0, f"every existing row holds {row[0]}" if bad == 0
                           else f"{bad} rows do not hold the default", table)


@value_class
class NoNulls(Expect):
    """No row holds NULL; unless ``default`` (an expression) is itself NULL."""

    default: str | None = None

    def check(self, conn: sqlite3.Connection, table: str, column: str) -> CheckResult:
        """Counts the NULLs."""
        nulls = _count(conn, f"SELECT count(*) FROM {q(table)} WHERE {q(column)} IS NULL")
        if self.default is not None and _count(conn, f"SELECT ({self.default}) IS NULL") == 1:
            return CheckResult(4, NAME, True, "the default itself is NULL", table)
        ok = nulls == 0
        return CheckResult(4, NAME, ok, "no row holds NULL" if ok else f"{nulls} rows hold NULL",
                           table)


@value_class
class HoldsValue(Expect):
    """Every existing row holds ``value`` (an expression)."""

    value: str

    def check(self, conn: sqlite3.Connection, table: str, column: str) -> CheckResult:
        """Counts the rows that hold something else."""
        bad = _count(conn, f"SELECT count(*) FROM {q(table)} WHERE {q(column)} IS NOT "
                           f"({self.value})")
        return CheckResult(4, NAME, bad == 0, f"every existing row holds {self.value}"
                           if bad == 0 else f"{bad} rows do not hold {self.value}", table)


@value_class
class UniqueIndexOn(Expect):
    """A unique index on exactly the column."""

    def check(self, conn: sqlite3.Connection, table: str, column: str) -> CheckResult:
        """Reads the table's index list."""
        unique = [r for r in conn.execute(
            "SELECT name FROM pragma_index_list(?) WHERE \"unique\"", (table,)).fetchall()
            if [str(x[0]).lower() for x in conn.execute(
                "SELECT name FROM pragma_index_info(?)", (r[0],))] == [column.lower()]]
        return CheckResult(4, NAME, bool(unique), f"unique index `{unique[0][0]}` on "
                           f"`{column}`" if unique else "no unique index on the column", table)


@value_class
class StoredGenerated(Expect):
    """A STORED generated column computed from ``expression`` on every row."""

    expression: str | None

    def check(self, conn: sqlite3.Connection, table: str, column: str) -> CheckResult:
        """The column is STORED (hidden 3) and holds its expression everywhere."""
        row = conn.execute("SELECT hidden FROM pragma_table_xinfo(?) WHERE name = ? "
                           "COLLATE NOCASE", (table, column)).fetchone()
        bad = _count(conn, f"SELECT count(*) FROM {q(table)} WHERE {q(column)} IS NOT "
                           f"({self.expression})") if self.expression else 0
        ok = row is not None and row[0] == 3 and bad == 0
        return CheckResult(4, NAME, ok, "STORED generated column computed for every row"
                           if ok else "the column is missing, not STORED, or holds other "
                           "values than its expression", table)
