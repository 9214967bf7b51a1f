"""The 15 checks of REBUILD.md "Proof before writing", each a named function.

`prove` copies a populated database into a sandbox, applies the fix there the way
the layout's runner would (autocommit connection, foreign keys ON), and runs every
check against states captured before and after. Each check returns a
:class:`CheckResult` with a reason; a fix with any failed check is never written.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import field

from migrate_lint import scratch
from migrate_lint.facts.literals import strip_parens
from migrate_lint.fix.model import CheckResult, ColumnTarget
from migrate_lint.fix.sqltext import parse_create, q
from migrate_lint.sandbox import Piece, Sandbox
from migrate_lint.span import LineIndex
from migrate_lint.values import value_class

Row = tuple[object, ...]

CHECK_NAMES = (
    "applies-with-foreign-keys-on",
    "row-counts-and-keys-unchanged",
    "untouched-columns-identical",
    "target-column-values",
    "column-definitions",
    "strict-and-without-rowid",
    "indexes-identical",
    "triggers-and-views",
    "foreign-keys",
    "no-cascade-elsewhere",
    "foreign-key-and-integrity-check",
    "autoincrement-counter",
    "no-leftovers",
    "insert-omitting-column",
    "reapply-and-rollback",
)


# The storage class of a value read from SQLite, as typeof() names it: the sqlite3
# module reads each class as one Python type (no converters are registered).
_STORAGE: dict[type, str] = {int: "integer", float: "real", str: "text", bytes: "blob",
                             type(None): "null"}


@value_class
class TableState:
    """What one table looks like: definitions and rows keyed by rowid or primary key.

    Each row is kept as SQLite returns it, the key's values and then one value per
    column (``columns``, as in ``xinfo``), beside the Python types of those values:
    their storage classes (1 and 1.0 are equal values of two classes). `cells` gives
    a row as (column, value, typeof) triples; building those for every row of every
    table was most of a proof's time on a history of hundreds of tables.
    """

    name: str
    sql: str
    xinfo: tuple[Row, ...]
    indexes: tuple[tuple[Row, tuple[Row, ...], str | None], ...]
    foreign_keys: tuple[Row, ...]
    strict: bool
    without_rowid: bool
    key: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[Row, tuple[type, ...]], ...]  # sorted by the repr of the key
    count: int  # how many rows the table holds (``rows`` is empty when they were not read)

    def keys(self) -> list[Row]:
        """The key of every row, in order."""
        width = len(self.key)
        return [values[:width] for values, _types in self.rows]

    def cells(self) -> Iterator[tuple[Row, tuple[tuple[str, object, str], ...]]]:
        """Every row as its key and a (column, value, typeof) triple per column."""
        width, names = len(self.key), self.columns
        for values, types in self.rows:
            yield values[:width], tuple(zip(names, values[width:],
                                            [_STORAGE.get(t, t.__name__) for t in types[width:]],
                                            strict=True))

    def same_rows(self, other: TableState) -> bool:
        """True when both hold the same rows: keys, and every column's name, value and
        storage class."""
        if len(self.rows) != len(other.rows):
            return False
        # the key columns are columns too (or the rowid, an integer): comparing the
        # key's types adds nothing
        return not self.rows or (self.columns == other.columns and self.rows == other.rows)


@value_class
class DbState:
    """Everything the checks compare, captured from one database."""

    tables: tuple[TableState, ...]
    objects: tuple[Row, ...]  # (type, name, tbl_name, sql) of sqlite_master, sorted
    temp_objects: tuple[Row, ...]
    sequence: tuple[Row, ...]
    user_version: int
    # lower-cased name -> table: the checks look up every table of the other state, and
    # a scan per lookup is quadratic in a history of thousands of tables
    by_name: dict[str, TableState] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first = {t.name.lower(): t for t in reversed(self.tables)}
        object.__setattr__(self, "by_name", first)

    def table(self, name: str) -> TableState | None:
        """The state of table ``name`` (case-insensitive)."""
        return self.by_name.get(name.lower())


def _flags(conn: sqlite3.Connection) -> dict[str, tuple[bool, bool]]:
    out = {}
    for row in conn.execute("PRAGMA main.table_list"):
        out[str(row[1]).lower()] = (bool(row[5]), bool(row[4]))
    return out


def key_columns(conn: sqlite3.Connection, table: str, without_rowid: bool) -> tuple[str, ...]:
    """The columns that identify a row: rowid, or the primary key of a WITHOUT ROWID table."""
    if not without_rowid:
        return ("rowid",)
    rows = conn.execute("SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk",
                        (table,)).fetchall()
    return tuple(str(r[0]) for r in rows)


def _ident(name: str) -> str:
    return "rowid" if name == "rowid" else q(name)


def capture(conn: sqlite3.Connection, rows_of: Collection[str] | None = None) -> DbState:
    """Read everything the checks compare.

    With ``rows_of`` (table names), the rows of the other tables are counted, not
    read: for a proof that compares only their row counts (the in-place proof).
    """
    wanted = None if rows_of is None else {t.lower() for t in rows_of}
    flags = _flags(conn)
    objects = tuple(sorted(
        tuple(r) for r in conn.execute(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM main.sqlite_master")))
    index_sql = {str(o[1]): (o[3] or None) for o in objects if o[0] == "index"}
    tables = []
    for _type, name, _tbl, sql in objects:
        if _type != "table" or str(name).lower().startswith("sqlite_"):
            continue
        name = str(name)
        strict, wr = flags.get(name.lower(), (False, False))
        xinfo = tuple(tuple(r) for r in conn.execute("SELECT * FROM pragma_table_xinfo(?)",
                                                     (name,)))
        indexes = []
        for row in conn.execute('SELECT name, "unique", origin, partial '
                                "FROM pragma_index_list(?) ORDER BY name", (name,)).fetchall():
            keys = tuple(tuple(r) for r in conn.execute("SELECT * FROM pragma_index_xinfo(?)",
                                                    (row[0],)))
            # the SQL from the listing above: a query per index scans sqlite_master again
            indexes.append((tuple(row), keys, index_sql.get(str(row[0]))))
        fks = tuple(tuple(r) for r in conn.execute(
            "SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq", (name,)))
        key = key_columns(conn, name, wr)
        names = tuple(str(r[1]) for r in xinfo)
        if wanted is not None and name.lower() not in wanted:
            count = int(conn.execute(f"SELECT count(*) FROM {q(name)}").fetchone()[0])
            tables.append(TableState(name, str(sql), xinfo, tuple(indexes), fks, strict, wr,
                                     key, names, (), count))
            continue
        select = ", ".join([*(_ident(k) for k in key), *(q(c) for c in names)])
        # one tuple of types for alike rows: most rows of a table share their classes
        kinds: dict[tuple[type, ...], tuple[type, ...]] = {}
        rows: list[tuple[Row, tuple[type, ...]]] = []
        for r in conn.execute(f"SELECT {select} FROM {q(name)}"):
            types = tuple(map(type, r))
            rows.append((r, kinds.setdefault(types, types)))
        width = len(key)
        rows.sort(key=lambda row: repr(row[0][:width]))
        tables.append(TableState(name, str(sql), xinfo, tuple(indexes), fks, strict, wr, key,
                                 names, tuple(rows), len(rows)))
    temp = tuple(tuple(r) for r in conn.execute(
        "SELECT type, name FROM temp.sqlite_master ORDER BY name"))
    seq: tuple[Row, ...] = ()
    if any(o[1] == "sqlite_sequence" for o in objects):
        seq = tuple(sorted(tuple(r) for r in conn.execute("SELECT name, seq FROM sqlite_sequence")))
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return DbState(tuple(tables), objects, temp, seq, version)


# -- the checks ----------------------------------------------------------------------


@value_class
class Proof:
    """The inputs every check sees."""

    target: ColumnTarget
    before: DbState
    after: DbState
    expected: dict[Row, object]  # key -> expected value of the target column
    added_triggers: frozenset[str]
    apply_error: str | None
    after_db: sqlite3.Connection
    foreign_keys: bool = True  # the connection the fix was applied on (the settings')
    # columns (lower-cased) other corrections applied with this one change on purpose
    beside: frozenset[str] = frozenset()


def _result(number: int, ok: bool, reason: str = "", table: str = "") -> CheckResult:
    return CheckResult(number, CHECK_NAMES[number - 1], ok, reason, table)


def check_applies(p: Proof) -> CheckResult:
    """1. The fix applies from an autocommit connection as the settings describe it."""
    if p.apply_error:
        return _result(1, False, p.apply_error, p.target.table)
    return _result(1, True, "applied as the runner applies it, foreign keys "
                   + ("on" if p.foreign_keys else "off (as the settings say)"))


_TargetCheck = Callable[[Proof, TableState, TableState], CheckResult]


def _on_target(number: int) -> Callable[[_TargetCheck], Callable[[Proof], CheckResult]]:
    """Check ``number`` reads the target table before and after (``b``, ``a``); it fails
    as "table missing" where either is gone."""
    def wrap(check: _TargetCheck) -> Callable[[Proof], CheckResult]:
        @functools.wraps(check)
        def run(p: Proof) -> CheckResult:
            b, a = p.before.table(p.target.table), p.after.table(p.target.table)
            if b is None or a is None:
                return _result(number, False, "table missing", p.target.table)
            return check(p, b, a)
        return run
    return wrap


def check_rows_and_keys(p: Proof) -> CheckResult:
    """2. Row counts of every table unchanged; primary keys and rowids unchanged."""
    for b in p.before.tables:
        a = p.after.table(b.name)
        if a is None:
            return _result(2, False, "table is gone", b.name)
        if len(a.rows) != len(b.rows):
            return _result(2, False, f"{len(b.rows)} rows before, {len(a.rows)} after", b.name)
        if a.keys() != b.keys():
            return _result(2, False, "row keys (rowid or primary key) changed", b.name)
    return _result(2, True, f"{sum(len(t.rows) for t in p.before.tables)} rows kept")


@_on_target(3)
def check_untouched_columns(p: Proof, b: TableState, a: TableState) -> CheckResult:
    """3. Every untouched column identical row by row, including typeof()."""
    low = p.target.column.lower()
    after_rows = dict(a.cells())
    for key, vals in b.cells():
        other = {c.lower(): (v, t) for c, v, t in after_rows.get(key, ())}
        for c, v, t in vals:
            if c.lower() == low or c.lower() not in other or c.lower() in p.beside:
                continue  # the target, a column the migration dropped, or another fix's
            if other.get(c.lower()) != (v, t):
                return _result(3, False, f"column `{c}` of row {key!r}: {(v, t)!r} became "
                               f"{other.get(c.lower())!r}", b.name)
    return _result(3, True, table=b.name)


@_on_target(4)
def check_target_values(p: Proof, _b: TableState, a: TableState) -> CheckResult:
    """4. The target column equals COALESCE(old, default) or the backfill expression."""
    low = p.target.column.lower()
    for key, vals in a.cells():
        got = next((v for c, v, _t in vals if c.lower() == low), None)
        want = p.expected.get(key)
        if got != want:
            return _result(4, False, f"row {key!r}: `{p.target.column}` is {got!r}, "
                           f"expected {want!r}", a.name)
    return _result(4, True, table=a.name)


def _without_parens(value: object) -> str | None:
    return None if value is None else strip_parens(str(value))


def _collations(sql: str) -> dict[str, str | None]:
    try:
        parsed = parse_create(sql)
    except Exception:  # a text our reader does not know: compare nothing rather than guess
        return {}
    return {c.name.lower(): (c.collate or "").upper() or None for c in parsed.table.columns}


@_on_target(5)
def check_column_definitions(p: Proof, b: TableState, a: TableState) -> CheckResult:
    """5. Target notnull/default as intended; all else in table_xinfo and collations unchanged."""
    low = p.target.column.lower()
    before = {str(r[1]).lower(): r for r in b.xinfo}
    after = {str(r[1]).lower(): r for r in a.xinfo}
    if [str(r[1]).lower() for r in b.xinfo] != [str(r[1]).lower() for r in a.xinfo]:
        return _result(5, False, "column order changed", a.name)
    for name, row in before.items():
        if name == low:
            got = after[name]
            if bool(got[3]) != p.target.notnull and not (a.without_rowid and got[5]):
                return _result(5, False, f"`{p.target.column}` notnull is {got[3]}", a.name)
            if _without_parens(got[4]) != _without_parens(p.target.default):
                return _result(5, False, f"`{p.target.column}` default is {got[4]!r}, "
                               f"intended {p.target.default!r}", a.name)
            if (row[2], row[5], row[6]) != (got[2], got[5], got[6]):
                return _result(5, False, f"`{p.target.column}` type/pk/hidden changed", a.name)
        elif after[name] != row:
            return _result(5, False, f"column `{row[1]}`: {row!r} became {after[name]!r}",
                           a.name)
    if _collations(b.sql) != _collations(a.sql):
        return _result(5, False, "collations changed", a.name)
    return _result(5, True, table=a.name)


@_on_target(6)
def check_flags(p: Proof, b: TableState, a: TableState) -> CheckResult:
    """6. STRICT / WITHOUT ROWID flags unchanged."""
    if (b.strict, b.without_rowid) != (a.strict, a.without_rowid):
        return _result(6, False, f"strict/without rowid {(b.strict, b.without_rowid)} became "
                       f"{(a.strict, a.without_rowid)}", a.name)
    return _result(6, True, table=a.name)


def check_indexes(p: Proof) -> CheckResult:
    """7. Every index identical in index_list / index_xinfo (partial and expression ones too)."""
    for b in p.before.tables:
        a = p.after.table(b.name)
        if a is None:
            return _result(7, False, "table is gone", b.name)
        if b.indexes != a.indexes:
            lost = {i[0][0] for i in b.indexes} - {i[0][0] for i in a.indexes}
            why = f"lost {sorted(str(n) for n in lost)}" if lost else "an index definition changed"
            return _result(7, False, why, b.name)
    n = sum(len(t.indexes) for t in p.before.tables)
    return _result(7, True, f"{n} indexes identical")


def _fire(conn: sqlite3.Connection, table: TableState, sql: str) -> str | None:
    """Make a trigger on ``table`` fire once inside a savepoint; return the error, if any."""
    upper = sql.upper()
    if not table.rows:
        return None
    key = ", ".join(_ident(k) for k in table.key)
    where = f"({key}) IN (SELECT {key} FROM {q(table.name)} LIMIT 1)"
    cols = [str(r[1]) for r in table.xinfo if r[6] == 0]
    statements = []
    if " INSERT" in upper.split(" ON ")[0]:
        col_list = ", ".join(q(c) for c in cols)
        statements = [
            f"CREATE TEMP TABLE _ml_row AS SELECT {col_list} FROM {q(table.name)} WHERE {where}",
            f"DELETE FROM {q(table.name)} WHERE {where}",
            f"INSERT INTO {q(table.name)} ({col_list}) SELECT {col_list} FROM temp._ml_row",
        ]
    elif " DELETE" in upper.split(" ON ")[0]:
        statements = [f"DELETE FROM {q(table.name)} WHERE {where}"]
    elif cols:
        statements = [f"UPDATE {q(table.name)} SET {', '.join(f'{q(c)} = {q(c)}' for c in cols)}"
                      f" WHERE {where}"]
    conn.execute("SAVEPOINT fire")
    try:
        for s in statements:
            conn.execute(s)
    except sqlite3.Error as err:
        msg = str(err)
        # A trigger that deliberately RAISEs, or a constraint on the copied row, is
        # the trigger working; a missing table or column is the trigger broken.
        if "no such" in msg:
            return msg
    finally:
        conn.execute("ROLLBACK TO fire")
        conn.execute("RELEASE fire")
    return None


def check_triggers_and_views(p: Proof) -> CheckResult:
    """8. Triggers present with identical SQL and still firing; views still queryable."""
    before = {(o[1], o[3]) for o in p.before.objects if o[0] == "trigger"}
    after = {(o[1], o[3]) for o in p.after.objects if o[0] == "trigger"
             and str(o[1]).lower() not in p.added_triggers}
    if before != after:
        missing = sorted(str(n) for n, _ in before - after)
        return _result(8, False, f"trigger SQL differs or lost: {missing}", p.target.table)
    scratch = _copy(p.after_db, foreign_keys=False)
    try:
        for o in p.after.objects:
            if o[0] == "trigger":
                table = p.after.table(str(o[2]))
                if table is not None:
                    err = _fire(scratch, table, str(o[3]))
                    if err:
                        return _result(8, False, f"trigger `{o[1]}` fails: {err}", str(o[2]))
            elif o[0] == "view":
                try:
                    scratch.execute(f"SELECT * FROM {q(str(o[1]))}").fetchall()
                except sqlite3.Error as err:
                    return _result(8, False, f"view `{o[1]}` fails: {err}", p.target.table)
    finally:
        scratch.close()
    return _result(8, True, f"{len(before)} triggers identical and firing, views queryable")


def check_foreign_keys(p: Proof) -> CheckResult:
    """9. The table's own foreign keys unchanged and children's still name it."""
    for b in p.before.tables:
        a = p.after.table(b.name)
        if a is None or a.foreign_keys != b.foreign_keys:
            return _result(9, False, "foreign_key_list changed", b.name)
    return _result(9, True)


def check_no_cascade(p: Proof) -> CheckResult:
    """10. No rows changed in any other table (no cascade fired)."""
    low = p.target.table.lower()
    for b in p.before.tables:
        if b.name.lower() == low:
            continue
        a = p.after.table(b.name)
        if a is None or not a.same_rows(b):
            return _result(10, False, "rows changed (a cascade or trigger fired)", b.name)
    return _result(10, True)


def check_integrity(p: Proof) -> CheckResult:
    """11. PRAGMA foreign_key_check empty and PRAGMA integrity_check ok."""
    fk = p.after_db.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        return _result(11, False, f"foreign_key_check: {fk[:3]!r}", str(fk[0][0]))
    ok = p.after_db.execute("PRAGMA integrity_check").fetchall()
    if ok != [("ok",)]:
        return _result(11, False, f"integrity_check: {ok[:3]!r}", p.target.table)
    return _result(11, True)


def check_autoincrement(p: Proof) -> CheckResult:
    """12. AUTOINCREMENT counter not lower than before."""
    before = {str(n).lower(): s for n, s in p.before.sequence}
    after = {str(n).lower(): s for n, s in p.after.sequence}
    for name, seq in before.items():
        got = after.get(name)
        if got is None or int(got) < int(seq):  # type: ignore[call-overload]
            return _result(12, False, f"counter {seq} became {got}", name)
    return _result(12, True)


def check_no_leftovers(p: Proof) -> CheckResult:
    """13. No leftover temporary tables; user_version unchanged; no extra tables."""
    if p.after.temp_objects:
        return _result(13, False, f"temp objects left: {p.after.temp_objects!r}")
    names_b = {t.name.lower() for t in p.before.tables}
    names_a = {t.name.lower() for t in p.after.tables}
    if names_a != names_b:
        return _result(13, False, f"tables differ: {sorted(names_a ^ names_b)}")
    if p.after.user_version != p.before.user_version:
        return _result(13, False, "user_version changed")
    return _result(13, True)


def _copy(conn: sqlite3.Connection, *, foreign_keys: bool) -> sqlite3.Connection:
    out = scratch.connect()
    conn.backup(out)
    out.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    return out


def check_insert_omitting(p: Proof) -> CheckResult:
    """14. An INSERT omitting the column succeeds and gets the default; explicit NULL rejected."""
    t = p.after.table(p.target.table)
    if t is None:
        return _result(14, False, "table missing", p.target.table)
    if not t.rows:
        return _result(14, True, "no row to base an insert on", t.name)
    low = p.target.column.lower()
    cols = [str(r[1]) for r in t.xinfo if r[6] == 0 and str(r[1]).lower() != low]
    scratch = _copy(p.after_db, foreign_keys=False)
    try:
        key = ", ".join(_ident(k) for k in t.key)
        where = f"({key}) IN (SELECT {key} FROM {q(t.name)} LIMIT 1)"
        col_list = ", ".join(q(c) for c in cols)
        scratch.execute(f"CREATE TEMP TABLE _ml_row AS SELECT {col_list} FROM {q(t.name)} "
                        f"WHERE {where}")
        scratch.execute(f"DELETE FROM {q(t.name)} WHERE {where}")
        scratch.execute("SAVEPOINT omit")
        try:
            scratch.execute(f"INSERT INTO {q(t.name)} ({col_list}) "
                            f"SELECT {col_list} FROM temp._ml_row")
        except sqlite3.Error as err:
            return _result(14, False, f"insert omitting `{p.target.column}` fails: {err}", t.name)
        if t.without_rowid:
            pk = ", ".join(q(k) for k in t.key)
            find = f"({pk}) IN (SELECT {pk} FROM temp._ml_row)"
        else:
            find = "rowid = last_insert_rowid()"
        got = scratch.execute(
            f"SELECT {q(p.target.column)} FROM {q(t.name)} WHERE {find}").fetchone()
        if p.target.assign_trigger is None:
            want = (scratch.execute(f"SELECT {p.target.default}").fetchone()[0]
                    if p.target.default is not None else None)
            if got is None or got[0] != want:
                return _result(14, False, f"omitted `{p.target.column}` got "
                               f"{None if got is None else got[0]!r}, expected {want!r}", t.name)
        elif got is None or got[0] is None:
            return _result(14, False, "the assigning trigger left the column NULL", t.name)
        scratch.execute("ROLLBACK TO omit")
        if p.target.notnull:
            try:
                scratch.execute(f"INSERT INTO {q(t.name)} ({col_list}, {q(p.target.column)}) "
                                f"SELECT {col_list}, NULL FROM temp._ml_row")
            except sqlite3.IntegrityError:
                pass
            else:
                return _result(14, False, "an explicit NULL is accepted", t.name)
        scratch.execute("RELEASE omit")
    finally:
        scratch.close()
    return _result(14, True, table=t.name)


CHECKS: tuple[Callable[[Proof], CheckResult], ...] = (
    check_applies, check_rows_and_keys, check_untouched_columns, check_target_values,
    check_column_definitions, check_flags, check_indexes, check_triggers_and_views,
    check_foreign_keys, check_no_cascade, check_integrity, check_autoincrement,
    check_no_leftovers, check_insert_omitting,
)


def pieces_of(statements: Sequence[str]) -> list[Piece]:
    """Statements as sandbox pieces (spans into their joined text)."""
    text = "\n".join(statements)
    lines = LineIndex("<fix>", text)
    out, pos = [], 0
    for s in statements:
        out.append(Piece(s, lines.span(pos, pos + max(1, len(s)))))
        pos += len(s) + 1
    return out


def _sandbox_from(conn: sqlite3.Connection, runner: str, foreign_keys: bool = True) -> Sandbox:
    box = Sandbox(runner, foreign_keys=foreign_keys)
    conn.backup(box.connection)
    box.connection.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    return box


def check_reapply_and_rollback(p: Proof, statements: Sequence[str], runner: str,
                               no_transaction: bool, before_db: sqlite3.Connection
                               ) -> CheckResult:
    """15. A second application fails cleanly or changes nothing; an injected failure rolls back."""
    with _sandbox_from(p.after_db, runner, p.foreign_keys) as box:
        error = box.apply(pieces_of(statements), no_transaction=no_transaction)
        again = capture(box.connection)
        if again != p.after:
            why = f"failed ({error.message}) but" if error else "succeeded and"
            return _result(15, False, f"second application {why} changed the database",
                           p.target.table)
    drop_at = next((i for i, s in enumerate(statements) if s.upper().startswith("DROP TABLE")),
                   len(statements) // 2)
    broken = [*statements[: drop_at + 1], "INSERT INTO _migrate_lint_no_such_table VALUES (1);",
              *statements[drop_at + 1 :]]
    with _sandbox_from(before_db, runner, p.foreign_keys) as box:
        error = box.apply(pieces_of(broken), no_transaction=no_transaction)
        if error is None:
            return _result(15, False, "an injected failure did not stop the migration",
                           p.target.table)
        if capture(box.connection) != p.before:
            return _result(15, False, "an injected failure left a half-applied database",
                           p.target.table)
    return _result(15, True, "second run harmless; injected failure rolls back")


def expected_values(conn: sqlite3.Connection, target: ColumnTarget, exists: bool,
                    captured: DbState | None = None) -> dict[Row, object]:
    """key -> the value the target column must hold after the fix; ``captured`` is
    ``conn``'s state when the caller has it already."""
    state = (captured if captured is not None else capture(conn)).table(target.table)
    if state is None:
        return {}
    key = ", ".join(_ident(k) for k in state.key)
    if exists:
        expr = q(target.column)
        if target.backfill is not None:
            expr = f"COALESCE({expr}, {target.backfill})"
    else:
        expr = target.backfill or target.default or "NULL"
    return {tuple(r[:-1]): r[-1] for r in conn.execute(
        f"SELECT {key}, {expr} FROM {q(target.table)}")}


def prove(populated: sqlite3.Connection, statements: Sequence[str], target: ColumnTarget,
          runner: str, *, no_transaction: bool, foreign_keys: bool = True
          ) -> tuple[CheckResult, ...]:
    """Apply ``statements`` to a copy of ``populated`` as ``runner`` would; run all 15 checks.

    ``foreign_keys``: the connection's setting (on unless the settings say off).
    """
    populated.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    before = capture(populated)
    expected = expected_values(populated, target, exists=True, captured=before)
    box = _sandbox_from(populated, runner, foreign_keys)
    try:
        error = box.apply(pieces_of(statements), no_transaction=no_transaction)
        after = capture(box.connection)
        added = frozenset({target.assign_trigger_name.lower()} if target.assign_trigger_name
                          else set())
        proof = Proof(target, before, after, expected, added,
                      None if error is None else f"statement {error.piece_index + 1}: "
                      f"{error.message}", box.connection, foreign_keys)
        if error is not None:
            return (check_applies(proof),)
        results = [c(proof) for c in CHECKS]
        results.append(check_reapply_and_rollback(proof, statements, runner, no_transaction,
                                                  populated))
        return tuple(results)
    finally:
        box.close()
