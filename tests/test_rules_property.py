"""Rules checked against SQLite itself, on random inputs.

Each property draws random SQL, writes it as a tiny flat history (``0001_base.sql``,
``0002_...``), lints it through the real pipeline (``load_timeline`` + ``run_rules``)
and applies the same history to a real SQLite (``Sandbox``, foreign keys on) whose
tables hold rows, then compares what the rules claim with what SQLite does.

Generation stays inside the domain the rules claim; every restriction is stated where
it is made, with what SQLite does outside it (all checked on sqlite 3.40.1).
"""

from __future__ import annotations

import doctest
import re
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from hypothesis import event, given, settings
from hypothesis import strategies as st

from migrate_lint.config import Config
from migrate_lint.engine import Rule, rule_by_code, run_rules
from migrate_lint.findings import Finding
from migrate_lint.pipeline import load_timeline
from migrate_lint.replay import Timeline
from migrate_lint.sandbox import Sandbox

EXAMPLES = settings(max_examples=150, deadline=None)


def _rules(*codes: str) -> list[type[Rule]]:
    found = [rule_by_code(code) for code in codes]
    assert all(found), f"rules missing: {codes}"
    return [cls for cls in found if cls is not None]


def lint(migrations: Sequence[str], codes: Sequence[str]) -> tuple[Timeline, list[Finding]]:
    """Lint ``migrations`` (one SQL text each) as a flat history, with the rules ``codes``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for number, text in enumerate(migrations, 1):
            (root / f"{number:04d}_step.sql").write_text(text + "\n", encoding="utf-8")
        timeline = load_timeline(root)
        problems = [(d.code, d.message) for d in timeline.history.diagnostics]
        assert not problems, f"the generator wrote SQL the reader does not take: {problems}"
        findings = run_rules(timeline, Config(), _rules(*codes))
    internal = [f.message for f in findings if f.message.startswith("internal error")]
    assert not internal, internal
    return timeline, findings


Seed = Callable[[sqlite3.Connection, int], None]


def apply(timeline: Timeline, seed: Seed | None = None, *,
          box: Sandbox | None = None) -> str | None:
    """Apply every migration to ``box`` (default: a fresh one, foreign keys on).

    ``seed(connection, index)`` runs after each migration but the last; every
    migration but the last must apply. Returns SQLite's error for the last one.
    """
    owned = box is None
    sandbox = box if box is not None else Sandbox("generic", foreign_keys=True)
    try:
        migrations = timeline.history.migrations
        for index, migration in enumerate(migrations):
            error = sandbox.apply(migration.up.statements)
            if index == len(migrations) - 1:
                return None if error is None else error.message
            assert error is None, f"setup migration {index + 1} failed: {error.message}"
            if seed is not None:
                seed(sandbox.connection, index)
        return None
    finally:
        if owned:
            sandbox.close()


# --- ADD COLUMN: NN001 NN005 SQ001 SQ002 SQ003 ---------------------------------------------

# sqlite3AlterFinishAddColumn, in its order: PRIMARY KEY, UNIQUE (always); then on a table
# with rows: REFERENCES with a non-NULL default (foreign keys on), NOT NULL whose DEFAULT is
# absent or the bare NULL token, a default sqlite3ValueFromExpr cannot evaluate, STORED.
ADD_CLAIMS = {
    "Cannot add a PRIMARY KEY column": "SQ001",
    "Cannot add a UNIQUE column": "SQ001",
    "Cannot add a REFERENCES column with non-NULL default value": "SQ003",
    "Cannot add a NOT NULL column with default value NULL": "NN001",
    "Cannot add a column with non-constant default": "NN005",
    "cannot add a STORED column": "SQ002",
}
ADD_RULES = ("NN001", "NN005", "SQ001", "SQ002", "SQ003")
ADD_TYPES = ["INTEGER", "TEXT", "", "REAL", "BLOB", "VARCHAR(20)", "numeric"]
DEFAULTS = {
    # Constants: sqlite3ValueFromExpr evaluates them (a sign before any constant, nested
    # signs, CAST of a constant, TRUE/FALSE, a bare word, which is a string).
    "literal": ["0", "1", "-1", "+1", "1.5", "0x10", "'x'", "''", "x'00'", "TRUE", "FALSE",
                "abc"],
    "paren": ["(0)", "(-1)", "('x')", "((1))", "(x'00')", "(TRUE)", "(CAST(1 AS TEXT))",
              "(- 1)", "(+1)", "(-(1))", "(- -1)", "(+'a')", "(-0x10)", "(1e3)",
              "(CAST(CAST(1 AS INT) AS TEXT))", "(-CAST(1 AS INT))"],
    # "Default value NULL" is only the bare NULL token, parentheses or not.
    "null": ["NULL", "(NULL)", "((NULL))"],
    # Constant expressions whose value is NULL are not that token: NOT NULL DEFAULT (+NULL)
    # succeeds on a table with rows and leaves NULL in the NOT NULL column.
    "null_valued": ["(+NULL)", "(CAST(NULL AS INTEGER))"],
    "time": ["CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"],
    "expr": ["(abs(1))", "(random())", "(1 + 2)", "('a' || 'b')", "(datetime('now'))",
             "(lower('A'))", "(CURRENT_TIMESTAMP)", "(1 COLLATE BINARY)", "(CAST(1 AS INT) + 0)",
             "(-(1) + (2))", "(-abs(1))", "(CAST(abs(1) AS TEXT))", "(-CURRENT_DATE)"],
}
# Restriction: generated expressions are deterministic, name existing columns and are never
# NULL on the seeded rows. Outside that SQLite fails for reasons no rule claims:
# "non-deterministic functions prohibited in generated columns" and "no such column" (on
# every database), and "NOT NULL constraint failed" for `AS (b) NOT NULL` when a row's b
# is NULL (on populated tables only, since 3.37).
GENERATED_EXPRS = ["a + 1", "a * 2", "abs(a)", "coalesce(b, 'x')", "'k' || a",
                   "length(coalesce(b, ''))"]
# Restriction: the CHECK holds for every default above, for NULL and for every generated
# value. A CHECK the existing rows' default violates makes ADD COLUMN fail with "CHECK
# constraint failed" on populated tables (since 3.37): no rule claims it.
CHECKS = ["CHECK (length(c) < 100)", "CHECK (c IS NOT 'forbidden')",
          "CHECK (c IS NULL OR c = c)", "CHECK (a > -1000)"]
COLUMN_NAMES = ["c", '"c"', "`c`", "[c]"]


@dataclass
class AddCase:
    """An ``ALTER TABLE t ADD COLUMN`` and the history around it."""

    type: str
    clauses: list[tuple[str, str]]  # (kind, SQL) in the order written
    keyword: str
    name: str
    same_migration: bool  # t is created by the ALTER's own migration (so it is empty)
    rows: list[tuple[int, str | None]] = field(default_factory=list)

    def column(self, kinds: frozenset[str] | None = None) -> str:
        parts = [self.name, self.type]
        parts += [sql for kind, sql in self.clauses if kinds is None or kind in kinds]
        return " ".join(p for p in parts if p)

    def has(self, kind: str) -> bool:
        return any(k == kind for k, _ in self.clauses)

    @property
    def alter(self) -> str:
        return f"ALTER TABLE t {self.keyword} {self.column()};"


BASE_P = "CREATE TABLE p (id INTEGER PRIMARY KEY);"
BASE_Q = "CREATE TABLE q (id INTEGER PRIMARY KEY, c INTEGER);"
BASE_T = "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b TEXT);"


@st.composite
def add_cases(draw: st.DrawFn) -> AddCase:
    clauses: list[tuple[str, str]] = []
    if draw(st.integers(0, 3)) == 0:
        expr = draw(st.sampled_from(GENERATED_EXPRS))
        head = draw(st.sampled_from(["GENERATED ALWAYS AS", "AS"]))
        storage = draw(st.sampled_from(["STORED", "VIRTUAL", ""]))
        clauses.append(("generated", f"{head} ({expr}) {storage}".rstrip()))
        # Restriction: no DEFAULT and no PRIMARY KEY on a generated column. SQLite refuses
        # them in any CREATE or ALTER, on every database ("cannot use DEFAULT on a generated
        # column", "generated columns cannot be part of the PRIMARY KEY"); SQ001 fires for
        # the latter, but naming ADD COLUMN's PRIMARY KEY message.
    else:
        if draw(st.integers(0, 3)) > 0:
            kind = draw(st.sampled_from(sorted(DEFAULTS)))
            clauses.append(("default", f"DEFAULT {draw(st.sampled_from(DEFAULTS[kind]))}"))
        if draw(st.integers(0, 5)) == 0:
            clauses.append(("pk", "PRIMARY KEY"))
    if draw(st.booleans()):
        clauses.append(("notnull", "NOT NULL"))
    if draw(st.integers(0, 5)) == 0:
        clauses.append(("unique", "UNIQUE"))
    if draw(st.integers(0, 2)) == 0:
        clauses.append(("references",
                        draw(st.sampled_from(["REFERENCES p(id)", "REFERENCES p"]))))
    if draw(st.integers(0, 3)) == 0:
        clauses.append(("collate", draw(st.sampled_from(["COLLATE NOCASE", "COLLATE RTRIM"]))))
    if draw(st.integers(0, 3)) == 0:
        clauses.append(("check", draw(st.sampled_from(CHECKS))))
    null_valued = {f"DEFAULT {d}" for d in DEFAULTS["null_valued"]}
    if any(sql in null_valued for _, sql in clauses) and ("notnull", "NOT NULL") in clauses:
        # Restriction: NOT NULL DEFAULT (+NULL) succeeds and leaves NULL in every existing
        # row (PRAGMA integrity_check: "NULL value in t.c"; inserts omitting c fail), no rule
        # fires; with a CHECK on the table the ADD runs a quick_check and fails with "NOT NULL
        # constraint failed", which no rule claims.
        clauses = [clause for clause in clauses if clause[0] != "check"]
    rows = draw(st.lists(st.tuples(st.integers(1, 50), st.sampled_from([None, "v", ""])),
                         min_size=1, max_size=3))
    return AddCase(
        type=draw(st.sampled_from(ADD_TYPES)),
        clauses=draw(st.permutations(clauses)),
        keyword=draw(st.sampled_from(["ADD COLUMN", "ADD"])),
        name=draw(st.sampled_from(COLUMN_NAMES)),
        same_migration=draw(st.integers(0, 5)) == 0,
        rows=rows,
    )


def _seed_rows(conn: sqlite3.Connection, rows: Sequence[tuple[int, str | None]]) -> None:
    conn.executemany("INSERT INTO p (id) VALUES (?)", [(i,) for i in range(1, 4)])
    if rows:
        conn.executemany("INSERT INTO t (a, b) VALUES (?, ?)", rows)


def _seed_t(case: AddCase) -> Seed:
    def seed(conn: sqlite3.Connection, index: int) -> None:
        _seed_rows(conn, [] if case.same_migration else case.rows)
    return seed


def _add_claim(message: str) -> str | None:
    return next((code for text, code in ADD_CLAIMS.items() if message.startswith(text)), None)


def _add_on_populated(case: AddCase, column: str) -> str | None:
    """SQLite's error for ``ADD COLUMN column`` on the populated base, foreign keys on."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executescript(BASE_P + BASE_T)
        _seed_rows(conn, case.rows)
        conn.execute(f"ALTER TABLE t ADD COLUMN {column}")
        return None
    except sqlite3.Error as err:
        return str(err)
    finally:
        conn.close()


# What each rule looks at: the column with only these clauses fails with the rule's
# message on a populated table exactly when the rule fires (UNIQUE/PRIMARY KEY aside:
# SQLite stops at them first, and so does the model, which the other rules skip).
ADD_REDUCTIONS = {
    "NN001": frozenset({"notnull", "default", "generated"}),
    "NN005": frozenset({"default", "generated"}),
    "SQ002": frozenset({"generated"}),
    "SQ003": frozenset({"references", "default", "generated"}),
}


@EXAMPLES
@given(case=add_cases())
def test_add_column_fails_on_sqlite_iff_a_rule_fires(case: AddCase) -> None:
    if case.same_migration:
        history = [BASE_P, f"{BASE_T}\n{case.alter}"]
    else:
        history = [f"{BASE_P}\n{BASE_T}", case.alter]
    timeline, findings = lint(history, ADD_RULES)
    assert all(f.severity == "error" for f in findings)
    fired = {f.code for f in findings}
    error = apply(timeline, _seed_t(case))
    event(f"SQLite: {(error and _add_claim(error)) or error or 'applies'}")

    # SQLite fails iff a rule fires, and for the reason a fired rule names.
    if error is None:
        assert not fired, f"{case.alter} applies on a populated table, yet {fired} fire"
    else:
        code = _add_claim(error)
        assert code is not None, f"SQLite fails for a reason no rule claims: {error!r}"
        assert code in fired, f"{case.alter} fails with {error!r}; fired: {fired or 'none'}"

    # Every rule that fires is right on its own, and none that should is silent.
    if case.has("unique") or case.has("pk"):
        assert fired == {"SQ001"}
    elif case.same_migration:
        assert not fired  # t is created in the same migration: empty everywhere
    else:
        for code, kinds in ADD_REDUCTIONS.items():
            column = case.column(kinds)
            alone = _add_on_populated(case, column)
            claimed = alone is not None and _add_claim(alone) == code
            assert (code in fired) == claimed, (
                f"{code} {'fires' if code in fired else 'is silent'} on {case.alter}, but "
                f"`ADD COLUMN {column}` on a populated table gives {alone!r}")

    # On an EMPTY table only SQ001's statements fail: NN001, NN005, SQ002 and SQ003 ones
    # pass there, which is why they ship.
    empty_error = apply(timeline)
    if "SQ001" in fired:
        assert empty_error is not None and _add_claim(empty_error) == "SQ001", empty_error
    else:
        assert empty_error is None, f"{case.alter} fails on an empty table: {empty_error}"


# --- DROP COLUMN: SQ005 --------------------------------------------------------------------

# Each trigger: (event that fires it, text after `CREATE TRIGGER name`). SQ005 resolves
# names as SQLite does, so views and triggers may spell c where they do not mean t.c: an
# alias `AS c`, a string 'c', another table's column c (p has none: q has one).
TRIGGERS = [
    # new.c / old.c: SQLite refuses the drop.
    ("insert_t", "AFTER INSERT ON t BEGIN UPDATE p SET id = id WHERE id = new.c; END"),
    ("insert_t", "AFTER INSERT ON t WHEN new.c IS NOT NULL BEGIN SELECT 1; END"),
    ("delete_t", "AFTER DELETE ON t BEGIN UPDATE p SET id = id WHERE id = old.c; END"),
    # c as an UPDATE target or in an INSERT column list: not checked at drop time; the
    # trigger fails when it next fires.
    ("insert_t", "AFTER INSERT ON t BEGIN UPDATE t SET c = new.a WHERE id = new.id; END"),
    ("insert_p", "AFTER INSERT ON p BEGIN UPDATE t SET c = NULL WHERE 0; END"),
    ("insert_p", "AFTER INSERT ON p BEGIN INSERT INTO t (a, c) SELECT 1, 1 WHERE 0; END"),
    # c in an expression of the body, also in a trigger on another table: SQLite
    # resolves it at drop time and refuses.
    ("update_t", "AFTER UPDATE ON t BEGIN UPDATE t SET a = a WHERE c = -1; END"),
    ("insert_p", "AFTER INSERT ON p BEGIN SELECT c FROM t WHERE 0; END"),
    ("insert_p", "AFTER INSERT ON p BEGIN UPDATE t SET a = 1 WHERE c = -1; END"),
    ("insert_p", "AFTER INSERT ON p BEGIN DELETE FROM t WHERE c = -1; END"),
    ("insert_p", "AFTER INSERT ON p BEGIN UPDATE t SET a = coalesce(c, a) WHERE 0; END"),
    ("insert_q", "AFTER INSERT ON q BEGIN DELETE FROM p WHERE id IN (SELECT c FROM t) AND 0; END"),
    # c that is not t.c: another table's column, an alias, a string, new.c of q.
    ("insert_q", "AFTER INSERT ON q BEGIN UPDATE q SET c = c + 0 WHERE c < -100; END"),
    ("insert_q", "AFTER INSERT ON q BEGIN DELETE FROM q WHERE c IN (SELECT c FROM t) AND 0; END"),
    ("insert_q", "AFTER INSERT ON q BEGIN UPDATE p SET id = id WHERE id = new.c AND 0; END"),
    ("insert_p", "AFTER INSERT ON p BEGIN SELECT a AS c FROM t WHERE c < -100; END"),
    ("insert_p", "AFTER INSERT ON p BEGIN SELECT 'c' FROM t WHERE a < -100; END"),
    # Not about c.
    ("insert_t", "AFTER INSERT ON t BEGIN UPDATE p SET id = id WHERE id = new.a; END"),
    ("update_t", "AFTER UPDATE OF c ON t BEGIN SELECT 1; END"),
    ("delete_t", "BEFORE DELETE ON t BEGIN SELECT old.a; END"),
]
FIRE = {
    "insert_p": "INSERT INTO p (id) VALUES (100)",
    "insert_t": "INSERT INTO t (id, a) VALUES (100, 9)",
    "update_t": "UPDATE t SET a = a",
    "delete_t": "DELETE FROM t WHERE id = 1",
    "insert_q": "INSERT INTO q (id, c) VALUES (100, 1)",
}
INDEXES = ["(c)", "(a)", "(a, c)", "(a) WHERE c IS NOT NULL", "(a) WHERE a > 0", "(lower(c))",
           "(a + 1)", "(c COLLATE NOCASE)", "(a COLLATE NOCASE)"]
VIEWS = ["SELECT c FROM t", "SELECT a FROM t", "SELECT * FROM t", "SELECT a FROM t WHERE c > 0",
         "SELECT x.c FROM t AS x", "SELECT a FROM t ORDER BY c", "SELECT id FROM p",
         "SELECT t.a, p.id FROM t JOIN p ON p.id = t.a",
         # c that is not t.c: an alias, a string, q's column, a double-quoted string
         "SELECT a AS c FROM t", "SELECT a AS c FROM t WHERE c > 0", "SELECT 'c' FROM t",
         "SELECT c FROM q", "SELECT t.a, q.c FROM t JOIN q ON q.id = t.id",
         "SELECT (SELECT c FROM t) FROM q", "SELECT a, \"c\" FROM t",
         # c that is t.c, reached through a subquery, a CTE or a USING join
         "SELECT id FROM q WHERE EXISTS (SELECT 1 FROM t WHERE c = q.id)",
         "WITH w AS (SELECT c FROM t) SELECT * FROM w", "SELECT 1 FROM t JOIN q USING (c)"]


T = TypeVar("T")


@dataclass
class DropCase:
    """A table t with things that may name its column c, and ``ALTER TABLE t DROP c``."""

    base: str
    objects: list[str]
    triggers: dict[str, str]  # trigger name -> event
    drop: str
    rows: int


def _some(draw: st.DrawFn, pool: Sequence[T], max_size: int, one_in: int) -> list[T]:
    """Usually nothing (``one_in``: 1 in how many draws gives some), then 1..max_size."""
    if one_in == 0 or draw(st.integers(1, one_in)) > 1:
        return []
    return draw(st.lists(st.sampled_from(pool), unique=True, min_size=1, max_size=max_size))


@st.composite
def drop_cases(draw: st.DrawFn) -> DropCase:
    # A third of the cases only have triggers: otherwise a blocker elsewhere hides them.
    mixed = draw(st.integers(0, 2)) > 0
    pk = "id" if not mixed or draw(st.integers(0, 5)) else draw(
        st.sampled_from(["c", "table_c", "table_ac"]))
    # INTEGER-like affinity only: the seeded c = 1 must find its parent p(1) when c
    # REFERENCES p (as REAL 1.0 or TEXT '1' it does not).
    c_type = draw(st.sampled_from(["INTEGER", "", "int", "NUMERIC"]))
    c_pool = ["UNIQUE", "NOT NULL", "DEFAULT 0", "CHECK (c > -1000)", "REFERENCES p(id)",
              "COLLATE NOCASE"]
    c_parts = _some(draw, c_pool[1:] if not mixed else c_pool, 3, 3)
    if pk == "c":
        c_parts.append("PRIMARY KEY")
    columns = ["id INTEGER PRIMARY KEY" if pk == "id" else "id INTEGER",
               "a INTEGER" + draw(st.sampled_from(["", " REFERENCES p(id)", " NOT NULL"])),
               " ".join(["c", c_type, *draw(st.permutations(c_parts))]).replace("  ", " ")]
    if mixed and draw(st.integers(0, 4)) == 0:
        expr = draw(st.sampled_from(["c + 1", "a + 1", "coalesce(c, a)"]))
        columns.append(f"g INTEGER GENERATED ALWAYS AS ({expr}) "
                       f"{draw(st.sampled_from(['VIRTUAL', 'STORED']))}")
    if mixed and draw(st.integers(0, 4)) == 0:
        # A column CHECK of another column that names c.
        columns.append(f"h INTEGER CHECK ({draw(st.sampled_from(['h > c', 'h > a']))})")
    table_pool = ["CHECK (c > -1000)", "CHECK (a > -1000)", "FOREIGN KEY (c) REFERENCES p(id)",
                  "FOREIGN KEY (a) REFERENCES p(id)", "UNIQUE (a, c)", "UNIQUE (a)"]
    constraints = _some(draw, table_pool, 2, 4 if mixed else 0)
    if pk == "table_c":
        constraints.append("PRIMARY KEY (c)")
    elif pk == "table_ac":
        constraints.append("PRIMARY KEY (a, c)")
    body = ",\n  ".join([*draw(st.permutations(columns[:3])), *columns[3:], *constraints])
    base = f"{BASE_P}\n{BASE_Q}\nCREATE TABLE t (\n  {body}\n);"

    objects: list[str] = []
    for number, index in enumerate(_some(draw, INDEXES, 2, 4 if mixed else 0), 1):
        unique = "UNIQUE " if draw(st.integers(0, 3)) == 0 and "WHERE" not in index else ""
        objects.append(f"CREATE {unique}INDEX i{number} ON t {index};")
    for number, select in enumerate(_some(draw, VIEWS, 2, 4 if mixed else 0), 1):
        objects.append(f"CREATE VIEW v{number} AS {select};")
    triggers: dict[str, str] = {}
    for number, (fired_by, text) in enumerate(_some(draw, TRIGGERS, 2, 2 if mixed else 1), 1):
        triggers[f"tr{number}"] = fired_by
        objects.append(f"CREATE TRIGGER tr{number} {text};")
    drop = draw(st.sampled_from(["ALTER TABLE t DROP COLUMN c;", "ALTER TABLE t DROP c;",
                                 'ALTER TABLE t DROP COLUMN "c";']))
    return DropCase(base, objects, triggers, drop, draw(st.integers(1, 3)))


def _fire(conn: sqlite3.Connection, statement: str) -> str | None:
    try:
        conn.execute(statement)
        return None
    except sqlite3.Error as err:
        return str(err)


def _names_c(message: str | None) -> bool:
    """True for the errors of a statement naming the dropped column c."""
    return message is not None and (
        message == "no such column: c" or message.endswith("has no column named c"))


@EXAMPLES
@given(case=drop_cases())
def test_drop_column_fails_on_sqlite_iff_sq005_fires(case: DropCase) -> None:
    history = [case.base, "\n".join(case.objects) or "SELECT 1;", case.drop]
    timeline, findings = lint(history, ["SQ005"])
    blockers = [f for f in findings if f.get("blocker")]
    flagged = {f.get("trigger") for f in findings if f.get("trigger")}

    def seed(conn: sqlite3.Connection, index: int) -> None:
        if index == 0:  # rows before the triggers exist: seeding fires none
            conn.executemany("INSERT INTO p (id) VALUES (?)", [(i,) for i in range(1, 11)])
            conn.executemany("INSERT INTO t (id, a, c) VALUES (?, ?, ?)",
                             [(i, i, i) for i in range(1, case.rows + 1)])

    with Sandbox("generic", foreign_keys=True) as box:
        error = apply(timeline, seed, box=box)
        event(f"SQLite {'refuses' if error else 'drops'}; SQ005: "
              f"{'blocker' if blockers else 'trigger' if flagged else 'silent'}")
        if error is not None:
            # SQLite refuses the drop: SQ005 says so, with SQLite's message.
            assert [b.get("blocker") for b in blockers] == [error], (
                f"SQLite refuses {case.drop}: {error!r}; SQ005: {[f.message for f in findings]}")
            return
        assert not blockers, f"SQ005 says {blockers[0].get('blocker')!r}; SQLite drops c"
        # The drop succeeded: a trigger SQ005 names fails the next time it fires, and no
        # trigger it does not name does.
        failing = {fired_by for fired_by, statement in FIRE.items()
                   if _names_c(_fire(box.connection, statement))}
        for name, fired_by in case.triggers.items():
            if name in flagged:
                assert fired_by in failing, f"SQ005 says {name} breaks; firing it works"
        for fired_by in failing:
            assert any(case.triggers[n] == fired_by for n in flagged), (
                f"{fired_by} fails with no such column c after the drop; SQ005 named "
                f"{flagged or 'no trigger'}")


# --- DELETE that empties a table: DL003 ----------------------------------------------------

# t's rows make every column condition below true on some row and false or NULL on another,
# so a WHERE is true on every row exactly when it is true whatever its column condition is.
T_ROWS = [(1, None), (2, -1), (3, 0), (4, 5), (5, 20)]
T2_IDS = [1, 2]
DELETE_BASE = ("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);\n"
               "CREATE TABLE t2 (id INTEGER PRIMARY KEY);")
# Conditions naming no column, true, false and NULL (TRUE, x'01', '1abc': SQLite's casts).
CONSTANT_CONDITIONS = ["1", "TRUE", "1 = 1", "'a' = 'a'", "NOT 0", "2 > 1", "'1abc'", "-1",
                       "0", "FALSE", "1 = 2", "'a' = 'b'", "'abc'", "x'01'", "0.0",
                       "NULL", "1 > NULL", "NULL = NULL", "abs(-1) = 1", "CAST('1' AS INT)"]
COLUMN_CONDITIONS = ["id = 1", "a IS NULL", "a > 0", "a", "a = a", "a BETWEEN 1 AND 10",
                     "id IN (SELECT id FROM t2)"]
# Whole WHEREs as written in the wild (operator precedence without parentheses).
WRITTEN_WHERES = ["1", "TRUE", "1 = 1", "'a' = 'a'", "1 OR a", "a OR 1", "a > 0 OR 1 = 1",
                  "1 AND a > 0", "NOT 0 AND 1", "0 OR a IS NULL", "NOT a IS NULL OR 1",
                  "id = 1", "a IS NULL", "a > 0 AND 1"]


@st.composite
def where_conditions(draw: st.DrawFn) -> str:
    """A condition of constants and at most one column condition, under AND/OR/NOT.

    Restriction: one column condition, written once. A column condition never true (or
    never false) on the rows, or several of them, can make a WHERE true on every row
    (`id = id`, `a IS NULL OR NOT a IS NULL`): SQLite deletes every row, DL003 is silent
    (it decides truth only from the parts that name no column). Non-deterministic
    functions are left out too: `WHERE random() > -1` empties t, DL003 stays silent.
    """
    column = [draw(st.booleans())]

    def condition(depth: int) -> str:
        kind = draw(st.sampled_from(["leaf", "leaf", "and", "or", "not"] if depth < 2
                                    else ["leaf"]))
        if kind == "leaf":
            if column[0] and draw(st.booleans()):
                column[0] = False
                return draw(st.sampled_from(COLUMN_CONDITIONS))
            return draw(st.sampled_from(CONSTANT_CONDITIONS))
        if kind == "not":
            return f"NOT ({condition(depth + 1)})"
        return f"({condition(depth + 1)}) {kind.upper()} ({condition(depth + 1)})"

    return condition(0)


def _empties_t(delete: str) -> bool:
    """True when ``delete`` removes every row of t (seeded with ``T_ROWS``) on SQLite."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.executescript(DELETE_BASE)
        conn.executemany("INSERT INTO t (id, a) VALUES (?, ?)", T_ROWS)
        conn.executemany("INSERT INTO t2 (id) VALUES (?)", [(i,) for i in T2_IDS])
        conn.execute(delete)
        return bool(conn.execute("SELECT count(*) = 0 FROM t").fetchone()[0])
    finally:
        conn.close()


def test_dl003_evaluates_only_what_sqlite_evaluates_deterministically() -> None:
    import migrate_lint.facts.conditions as dl003

    assert doctest.testmod(dl003).failed == 0
    assert [dl003.constant_value(t) for t in ("1", "'a' = 'a'", "0", "NULL")] == [
        "true", "true", "false", "null"]
    # Refused by SQLite as a generated column's expression, or not SQL at all: not known,
    # never an error. (With Python >= 3.11 huge strings and blobs are refused as well.)
    refused = ["1 +", "x", "?", "random() > -1", "date('now') > 0", "(SELECT 1)",
               "1) THEN 1 END, (1", "nosuchfunction(1)"]
    if hasattr(sqlite3.Connection, "setlimit"):
        refused.append("length(hex(zeroblob(100000000)))")
    assert [dl003.constant_value(t) for t in refused] == [None] * len(refused)


@EXAMPLES
@given(
    deletes=st.lists(
        st.tuples(st.sampled_from(["t", "u"]), st.sampled_from(["t", '"t"', "T", "main.t"]),
                  st.one_of(st.none(), st.sampled_from(WRITTEN_WHERES), where_conditions())),
        min_size=1, max_size=4),
    new_first=st.booleans(),
)
def test_delete_all_rows_fires_iff_sqlite_empties_a_table_that_existed(
        deletes: list[tuple[str, str, str | None]], new_first: bool) -> None:
    # t and t2 exist before the migration; u is created by it (DL003 is silent on u).
    statements = ["CREATE TABLE u (id INTEGER PRIMARY KEY, a INTEGER);"] if new_first else []
    expected: list[int] = []
    for table, spelling, where in deletes:
        name = spelling if table == "t" else spelling.replace("t", "u").replace("T", "U")
        if table == "u" and not new_first:
            statements.append("CREATE TABLE IF NOT EXISTS u (id INTEGER PRIMARY KEY, a INTEGER);")
        text = f"DELETE FROM {name}" + (f" WHERE {where}" if where else "") + ";"
        if table == "t" and _empties_t(text):
            expected.append(len(statements) + 1)  # its line in the file
        statements.append(text)
    timeline, findings = lint([DELETE_BASE, "\n".join(statements)], ["DL003"])
    event(f"{len(expected)} table(s) emptied")
    event("constant WHERE" if any(w and w in CONSTANT_CONDITIONS for _, _, w in deletes)
          else "other WHERE")
    assert sorted(f.span.line for f in findings) == expected, (
        f"{statements}: SQLite empties t at lines {expected}; DL003 fires at "
        f"{sorted(f.span.line for f in findings)}")
    assert apply(timeline) is None  # the generator writes SQL SQLite takes


# --- INSERT in a migration: NN002 ----------------------------------------------------------

# What SQLite raises for an insert that does not fit its table, all claimed by NN002.
INSERT_CLAIMS = ("NOT NULL constraint failed: ", "has no column named ",
                 "values were supplied", "cannot INSERT into generated column ",
                 "all VALUES must have the same number of terms")
INSERT_CLAIM_PATTERN = re.compile(r"^\d+ values for \d+ columns$")
PK_VARIANTS = {
    "rowid_alias": ("id INTEGER PRIMARY KEY", ""),
    "text_pk": ("id TEXT PRIMARY KEY", ""),  # may be NULL in a rowid table
    "text_pk_not_null": ("id TEXT PRIMARY KEY NOT NULL", ""),
    "without_rowid": ("id TEXT PRIMARY KEY", " WITHOUT ROWID"),
    "no_pk": ("id INTEGER", ""),
}
COLUMN_KINDS = {
    "nullable": "TEXT",
    "not_null": "TEXT NOT NULL",
    "not_null_default": "INTEGER NOT NULL DEFAULT 0",
    "default": "TEXT DEFAULT 'x'",
    "generated": "INTEGER GENERATED ALWAYS AS (1 + 1) VIRTUAL",
    "generated_stored": "INTEGER NOT NULL GENERATED ALWAYS AS (2) STORED",
}
# Spellings of a NULL value: all fail the same way in a NOT NULL column.
NULLS = ["NULL", "(NULL)", "CAST(NULL AS INT)", "+NULL", "-NULL"]
# Tables an INSERT ... SELECT * reads: one row each, no NULL in it; s3's `*` includes its
# generated column.
SOURCES = {
    "s1": ("CREATE TABLE s1 (x INTEGER NOT NULL);", [(201,)]),
    "s2": ("CREATE TABLE s2 (x INTEGER, y INTEGER);", [(202, 203)]),
    "s3": ("CREATE TABLE s3 (x INTEGER, y INTEGER, "
           "g INTEGER GENERATED ALWAYS AS (x + y) VIRTUAL);", [(204, 205)]),
}


@dataclass
class InsertCase:
    create: str
    insert: str
    rows: int  # rows the insert supplies


def _seed_sources(conn: sqlite3.Connection, index: int) -> None:
    for name, (_create, rows) in SOURCES.items():
        marks = ", ".join("?" for _ in rows[0])
        conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)


@st.composite
def insert_cases(draw: st.DrawFn) -> InsertCase:
    pk_def, options = PK_VARIANTS[draw(st.sampled_from(sorted(PK_VARIANTS)))]
    kinds = draw(st.lists(st.sampled_from(sorted(COLUMN_KINDS)), min_size=1, max_size=4))
    names = [f"c{i}" for i in range(1, len(kinds) + 1)]
    defs = [pk_def, *(f"{n} {COLUMN_KINDS[k]}" for n, k in zip(names, kinds, strict=True))]
    create = "\n".join([f"CREATE TABLE t (\n  {', '.join(defs)}\n){options};",
                        *(create for create, _ in SOURCES.values())])
    insertable = 1 + sum(1 for k in kinds if not k.startswith("generated"))
    conflict = draw(st.sampled_from(["", " OR IGNORE", " OR REPLACE", " OR ABORT"]))
    head = "REPLACE" if conflict == " OR REPLACE" and draw(st.booleans()) else f"INSERT{conflict}"
    shape = draw(st.sampled_from(["values", "values", "select", "positional_values",
                                  "positional_values", "positional_select", "default_values"]))
    if shape == "default_values":
        return InsertCase(create, f"{head} INTO t DEFAULT VALUES;", 1)
    counter = iter(range(1, 1000))

    def value() -> str:
        number = str(next(counter))
        return draw(st.sampled_from([*NULLS, number, number, number, number]))

    def width(wanted: int) -> int:
        # Usually right; one more or one fewer ("1 values for 2 columns", "table t has 3
        # columns but 2 values were supplied"); rows drawn apart may differ ("all VALUES
        # must have the same number of terms").
        return max(1, wanted + draw(st.sampled_from([0, 0, 0, 0, -1, 1])))

    if shape.startswith("positional"):
        into = f"{head} INTO t"
        wanted = insertable
    else:
        pool = ["id", *names, "zz", "rowid", "ID", '"c1"']
        columns = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5,
                                unique_by=lambda n: n.strip('"').lower()))
        into = f"{head} INTO t ({', '.join(columns)})"
        wanted = len(columns)
    if shape.endswith("values"):
        same = draw(st.booleans())
        first = width(wanted)
        count = draw(st.integers(1, 2))
        rows = [", ".join(value() for _ in range(first if same or i == 0 else width(wanted)))
                for i in range(count)]
        return InsertCase(create, f"{into} VALUES {', '.join(f'({r})' for r in rows)};", count)
    form = draw(st.sampled_from(["list", "list", "union", "star", "star_extra"]))
    if form in ("star", "star_extra"):
        # Restriction: a value after the `*` is never NULL. NN002 places a NULL by its
        # position and does not count a `*` for that (`SELECT *, NULL FROM s1` into a NOT
        # NULL column fails with no finding); NULLs before the `*` are placed.
        source = draw(st.sampled_from(sorted(SOURCES)))
        if form == "star":
            return InsertCase(create, f"{into} SELECT * FROM {source};", 1)
        if draw(st.booleans()):
            return InsertCase(create, f"{into} SELECT {value()}, * FROM {source};", 1)
        return InsertCase(create, f"{into} SELECT *, {next(counter)} FROM {source};", 1)
    # Restriction: the SELECT yields rows (no FROM, no WHERE) and both sides of a UNION ALL
    # have the same width. NN002 reports a NULL into a NOT NULL column whatever the SELECT
    # yields (`SELECT NULL WHERE 0` inserts nothing); different widths fail with "SELECTs to
    # the left and right of UNION ALL do not have the same number of result columns", which
    # NN002 does not claim.
    count = width(wanted)
    parts = [", ".join(value() for _ in range(count))
             for _ in range(2 if form == "union" else 1)]
    return InsertCase(create, f"{into} SELECT {' UNION ALL SELECT '.join(parts)};", len(parts))


@EXAMPLES
@given(case=insert_cases())
def test_insert_fires_nn002_iff_sqlite_rejects_or_drops_its_rows(case: InsertCase) -> None:
    timeline, findings = lint([case.create, case.insert], ["NN002"])
    with Sandbox("generic", foreign_keys=True) as box:
        error = apply(timeline, _seed_sources, box=box)
        stored = box.connection.execute("SELECT count(*) FROM t").fetchone()[0]
    claimed = error is not None and (any(text in error for text in INSERT_CLAIMS)
                                     or bool(INSERT_CLAIM_PATTERN.match(error)))
    assert error is None or claimed, f"SQLite fails for a reason no rule claims: {error!r}"
    # OR IGNORE turns a NOT NULL failure into a row silently not stored.
    dropped = error is None and stored < case.rows
    event("rejected" if error else "rows dropped" if dropped else "applies")
    if error:
        event(f"SQLite: {re.sub(r'[0-9]+', 'N', error.split(':')[0])}")
    assert bool(findings) == (claimed or dropped), (
        f"{case.insert} -> {error or f'{stored}/{case.rows} rows stored'}; "
        f"NN002: {[f.message for f in findings] or 'silent'}")
