"""Insert sites and rule NN002: extraction from every language, and the checks."""

from __future__ import annotations

import doctest
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from migrate_lint.config import Config
from migrate_lint.engine import rule_by_code, run_rules
from migrate_lint.findings import Finding
from migrate_lint.inserts import NAMED, POSITIONAL, UNKNOWN, InsertSite, collect_sites
from migrate_lint.inserts.drizzle import to_camel_case, to_snake_case
from migrate_lint.pipeline import load_timeline
from migrate_lint.replay import Timeline

# Through the registry: the wheel ships the rules as migrate_lint.rules.
InsertOmitsRequiredColumn = rule_by_code("NN002")
assert InsertOmitsRequiredColumn is not None

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "apps" / "seqbug"
ADD_SEQ = "ALTER TABLE `session_message` ADD `seq` integer NOT NULL;"


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    """A private copy of the seq-bug app (tests edit it)."""
    shutil.copytree(FIXTURE, tmp_path / "app")
    return tmp_path / "app"


def nn002(migrations: Path, sites: object = ()) -> list[Finding]:
    timeline = load_timeline(migrations)
    return run_rules(timeline, Config(), [InsertOmitsRequiredColumn], inserts=tuple(sites))


def give_seq_a_default(app: Path) -> None:
    path = app / "migrations" / "20260603040000_session_message_order.sql"
    path.write_text(path.read_text().replace(ADD_SEQ, ADD_SEQ.replace("NULL;", "NULL DEFAULT 0;")))


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# -- the seed story in every language ------------------------------------------------


@pytest.mark.parametrize(("folder", "origin", "needle"), [
    ("drizzle", "drizzle", ".values("),
    ("sqlite3", "sqlite3", '"INSERT INTO session_message'),
    ("sqlalchemy", "sqlalchemy", "insert(session_message)"),
    ("sql", "sql-file", "INSERT INTO `session_message`"),
])
def test_insert_omitting_seq_is_reported(app: Path, folder: str, origin: str,
                                         needle: str) -> None:
    sites = collect_sites([str(app / folder)])
    findings = nn002(app / "migrations", sites)
    assert [(f.code, f.get("table"), f.get("column"), f.get("origin")) for f in findings] == [
        ("NN002", "session_message", "seq", origin)]
    finding = findings[0]
    source = next(p for p in (app / folder).iterdir() if needle in p.read_text())
    assert finding.span.path == str(source)
    assert finding.span.line == line_of(source, needle)
    assert "20260603040000_session_message_order" in finding.message
    assert "session_message_order.sql:2" in finding.message
    assert "NOT NULL constraint failed: session_message.seq" in finding.message


@pytest.mark.parametrize("folder", ["drizzle", "sqlite3", "sqlalchemy", "sql"])
def test_no_finding_once_seq_has_a_default(app: Path, folder: str) -> None:
    give_seq_a_default(app)
    assert nn002(app / "migrations", collect_sites([str(app / folder)])) == []


def test_no_finding_when_the_insert_supplies_seq(app: Path) -> None:
    schema = app / "drizzle" / "schema.ts"
    schema.write_text(schema.read_text().replace(
        '.notNull(),\n});', '.notNull(),\n  seq: integer("seq").notNull(),\n});'))
    session = app / "drizzle" / "session.ts"
    session.write_text(session.read_text().replace("time_created, data }",
                                                   "time_created, data, seq: 1 }"))
    store = app / "sqlite3" / "store.py"
    store.write_text(store.read_text().replace("data) \"", "data, seq) \"").replace(
        "?, ?)", "?, ?, 0)"))
    seed = app / "sql" / "seed.sql"
    seed.write_text(seed.read_text().replace("`data`)", "`data`, `seq`)").replace(
        "'{}')", "'{}', 1)"))
    alchemy = app / "sqlalchemy" / "store.py"
    alchemy.write_text(alchemy.read_text().replace("data=data)", "data=data, seq=0)"))
    sites = collect_sites([str(app)])
    assert len(sites.sites) >= 5
    assert nn002(app / "migrations", sites) == []


def test_drizzle_sends_null_for_a_known_column_left_out(app: Path) -> None:
    """drizzle writes every column it knows: a DB default does not help then."""
    give_seq_a_default(app)
    schema = app / "drizzle" / "schema.ts"
    schema.write_text(schema.read_text().replace(
        '.notNull(),\n});', '.notNull(),\n  seq: integer("seq").notNull(),\n});'))
    findings = nn002(app / "migrations", collect_sites([str(app / "drizzle")]))
    assert [(f.get("column"), f.get("problem")) for f in findings] == [("seq", "null")]
    # ... unless the definition carries an app-side default
    schema.write_text(schema.read_text().replace('integer("seq").notNull()',
                                                 'integer("seq").notNull().$defaultFn(() => 0)'))
    assert nn002(app / "migrations", collect_sites([str(app / "drizzle")])) == []


# -- migrations themselves -------------------------------------------------------------


def write_history(root: Path, *migrations: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(migrations, 1):
        (root / f"{i:04d}_m{i}.sql").write_text(text)
    return root


def test_migration_insert_checked_against_schema_at_that_point(tmp_path: Path) -> None:
    history = write_history(
        tmp_path / "m",
        "CREATE TABLE t (id integer PRIMARY KEY, a text NOT NULL);\n"
        "INSERT INTO t (a) VALUES ('seed');\n",  # fine here: id is the rowid alias
        "ALTER TABLE t ADD b text NOT NULL DEFAULT '';\n"
        "CREATE TABLE u (id text PRIMARY KEY, x int NOT NULL, g int GENERATED ALWAYS AS (x));\n"
        "INSERT INTO u (id) VALUES ('1');\n"
        "INSERT INTO u VALUES ('1', 2, 3);\n"
        "INSERT INTO u (id, x, nope) VALUES ('1', 2, 3);\n"
        "INSERT INTO u (id, x, g) VALUES ('1', 2, 3);\n"
        "INSERT INTO u (id, x) VALUES ('1', NULL);\n"
        "INSERT OR IGNORE INTO u DEFAULT VALUES;\n"
        "INSERT INTO u SELECT * FROM t;\n",
    )
    findings = sorted(nn002(history), key=lambda f: f.span.line)
    got = [(f.span.line, f.get("problem"), f.get("column")) for f in findings]
    assert got == [
        (3, "omits", "x"),
        (4, "arity", None),
        (5, "no_column", "nope"),
        (6, "generated", "g"),
        (7, "null", "x"),
        (8, "omits", "x"),
        (9, "arity", None),  # t has three columns by now
    ]
    assert "silently dropped" in findings[-2].message
    assert all(f.migration == "0002_m2" for f in findings)


def test_rebuild_copy_select_star_arity(tmp_path: Path) -> None:
    history = write_history(
        tmp_path / "m",
        "CREATE TABLE t (id integer PRIMARY KEY, a text);\n",
        "CREATE TABLE t_new (id integer PRIMARY KEY, a text, seq int NOT NULL DEFAULT 0, z int);\n"
        "INSERT INTO t_new SELECT * FROM t;\n",
    )
    findings = nn002(history)
    assert [(f.get("problem"), f.span.line) for f in findings] == [("arity", 2)]
    assert "has 4 columns but 2 values were supplied" in findings[0].message


def test_migration_files_under_insert_paths_are_not_rechecked(tmp_path: Path) -> None:
    history = write_history(
        tmp_path / "m",
        "CREATE TABLE t (a text);\nINSERT INTO t (a) VALUES ('x');\n",
        "ALTER TABLE t ADD b text NOT NULL DEFAULT '';\n",
    )
    # the seed INSERT is fine when it runs; against the final schema it is fine too,
    # but it must never be reported twice or against the wrong schema
    assert nn002(history, collect_sites([str(history)])) == []


def test_rule_doc_examples(tmp_path: Path) -> None:
    doc = InsertOmitsRequiredColumn.doc()
    blocks = re.findall(r"```sql\n(.*?)```", doc, re.S)
    assert len(blocks) == 2
    for name, block, expected in (("example", blocks[0], 1), ("use", blocks[1], 0)):
        parts = re.split(r"^-- migration$", block, flags=re.M)
        history = write_history(tmp_path / name, *parts)
        assert len(nn002(history)) == expected, name


# -- extraction ------------------------------------------------------------------------


def sites_of(tmp_path: Path, name: str, text: str) -> tuple[InsertSite, ...]:
    path = tmp_path / name
    path.write_text(text)
    return collect_sites([str(path)]).all_sites


def test_python_literals_fstrings_and_concatenation(tmp_path: Path) -> None:
    sites = sites_of(tmp_path, "m.py", '''
import sqlite3
TABLE = "t"
def f(conn, cols, name):
    conn.execute("INSERT INTO t (a, b) "
                 "VALUES (?, ?)", (1, 2))
    conn.executemany(f"INSERT INTO t (a) VALUES ({name})", [])
    conn.execute(f"INSERT INTO {TABLE} (a) VALUES (1)")
    conn.execute(f"INSERT INTO t ({cols}) VALUES (1)")
    sql = "INSERT OR REPLACE INTO t VALUES (1, 2, 3)"
    doc = "Insert into the list the values"
''')
    got = [(s.table, s.shape, s.columns, s.arity, s.origin, s.conflict, s.span.line)
           for s in sites]
    assert got == [
        ("t", NAMED, ("a", "b"), None, "sqlite3", None, 5),
        ("t", NAMED, ("a",), None, "sqlite3", None, 7),
        ("t", POSITIONAL, (), 3, "python", "replace", 10),
        ("?", UNKNOWN, (), None, "sqlite3", None, 8),
        ("t", UNKNOWN, (), None, "sqlite3", None, 9),
    ]


def test_typescript_and_javascript_literals(tmp_path: Path) -> None:
    ts = sites_of(tmp_path, "a.ts", '''
const q1 = "INSERT INTO t (a) VALUES (?)";
const q2 = `INSERT INTO t (a, b)
  VALUES (${x}, ?)`;
const q3 = `INSERT INTO ${table} (a) VALUES (1)`;
const q4 = sql`INSERT INTO t VALUES (${a}, ${b})`;
const notSql = "insert into the cart";
''')
    assert [(s.table, s.shape, s.columns, s.span.line, s.origin) for s in ts] == [
        ("t", NAMED, ("a",), 2, "typescript"),
        ("t", NAMED, ("a", "b"), 3, "typescript"),
        ("?", UNKNOWN, (), 5, "typescript"),
        ("t", UNKNOWN, (), 6, "typescript"),
    ]
    js = sites_of(tmp_path, "b.mjs", "db.prepare('INSERT INTO t (a) VALUES (1)').run();\n")
    assert [(s.table, s.origin) for s in js] == [("t", "javascript")]


def test_drizzle_definitions_casing_defaults_and_spreads(tmp_path: Path) -> None:
    (tmp_path / "cols.ts").write_text('''
import { integer } from "drizzle-orm/sqlite-core";
export const timestamps = {
  createdAt: integer().notNull().$defaultFn(() => Date.now()),
  updatedAt: integer().notNull(),
};
''')
    (tmp_path / "schema.ts").write_text('''
import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";
export const users = sqliteTable("users", {
  id: integer().primaryKey({ autoIncrement: true }),
  displayName: text().notNull(),
  email: text("email_address").notNull().default(""),
  full: text().generatedAlwaysAs(sql`x`),
  ...timestamps,
});
export const posts = sqliteTable("posts", (t) => ({ id: t.text("id").primaryKey() }));
export const db = drizzle(client, { casing: "snake_case" });
''')
    (tmp_path / "use.ts").write_text('''
await db.insert(users).values({ displayName: "a", updatedAt: 1 });
await db.insert(users).values([{ displayName: "a" }, { displayName: "b", updatedAt: 2 }]);
await db.insert(users).values({ ...input }).onConflictDoNothing();
await db.insert(posts).values(rows);
await db.insert(unknownTable).values({ a: 1 });
''')
    sites = collect_sites([str(tmp_path)])
    by_line = {s.span.line: s for s in sites.all_sites}
    first = by_line[2]
    assert (first.table, first.origin, first.columns, first.nulls) == (
        "users", "drizzle",
        ("id", "display_name", "email_address", "created_at", "updated_at"), ("id",))
    assert by_line[3].nulls == ("id", "updated_at")
    assert (by_line[4].shape, by_line[4].nulls, by_line[4].conflict) == (NAMED, (), "upsert")
    assert by_line[5].columns == ("id",)
    assert by_line[6].shape == UNKNOWN and "unknownTable" in by_line[6].note
    assert to_snake_case("createdAtUTC") == "created_at_utc"
    assert to_camel_case("created_at") == "createdAt"


def test_drizzle_unresolved_spread_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "s.ts").write_text('''
export const t = sqliteTable("t", { id: text("id"), ...fromElsewhere });
db.insert(t).values({ id: "1" });
''')
    sites = collect_sites([str(tmp_path)])
    assert sites.sites == () and [s.table for s in sites.unknown] == ["t"]


def test_sqlalchemy_forms(tmp_path: Path) -> None:
    sites = sites_of(tmp_path, "core.py", '''
import sqlalchemy as sa
from sqlalchemy import insert
t = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("a", sa.Text), sa.Column("b", sa.Text, default="x"))
def f(conn, row):
    conn.execute(insert(t).values({"a": 1}))
    conn.execute(t.insert().values(a=1))
    conn.execute(sa.insert(t), [{"a": 1}, {"a": 2}])
    conn.execute(insert(t).values(**row))
    conn.execute(insert(other).values(a=1))
''')
    got = [(s.table, s.shape, s.columns, s.span.line) for s in sites]
    assert got == [
        ("t", NAMED, ("a", "b"), 7),
        ("t", NAMED, ("a", "b"), 8),
        ("t", NAMED, ("a", "b"), 9),
        ("t", UNKNOWN, (), 10),
        ("other", UNKNOWN, (), 11),
    ]


def test_sql_files_and_positions(tmp_path: Path) -> None:
    sites = sites_of(tmp_path, "queries.sql", '''-- name: CreateUser :one
INSERT INTO users (id, name) VALUES (?, ?) RETURNING *;

-- name: Upsert :exec
INSERT INTO users (id, name) VALUES (@id, @name)
ON CONFLICT (id) DO UPDATE SET name = excluded.name;
REPLACE INTO users VALUES (1, 'x');
''')
    assert [(s.span.line, s.span.col, s.shape, s.conflict, s.origin) for s in sites] == [
        (2, 1, NAMED, None, "sql-file"), (5, 1, NAMED, "upsert", "sql-file"),
        (7, 1, POSITIONAL, "replace", "sql-file")]


def test_unicode_positions(tmp_path: Path) -> None:
    sites = sites_of(tmp_path, "u.ts", 'const é = "ñ"; const q = "INSERT INTO t (a) VALUES (1)";\n')
    assert [(s.span.line, s.span.col) for s in sites] == [(1, 26)]
    py = sites_of(tmp_path, "u.py", 'x = "ñé"; q = "INSERT INTO t (a) VALUES (1)"\n')
    assert [(s.span.line, s.span.col) for s in py] == [(1, 15)]


def test_default_and_custom_excludes(tmp_path: Path) -> None:
    for folder in ("node_modules/pkg", "dist", ".venv/lib", "src/generated", "src"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "q.ts").write_text('const q = "INSERT INTO t (a) VALUES (1)";\n')
    sites = collect_sites([str(tmp_path)], ["generated"])
    assert [Path(s.span.path).parent.name for s in sites.sites] == ["src"]


def test_collection_iterates_all_sites(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("INSERT INTO t (a) VALUES (1);\n")
    (tmp_path / "b.ts").write_text("const q = `INSERT INTO ${t} (a) VALUES (1)`;\n")
    collection = collect_sites([str(tmp_path)])
    assert len(collection) == 2 and len(tuple(collection)) == 2
    assert collection.files == 2
    assert "columns unknown" in collection.unknown[0].describe()


def test_unknown_sites_are_never_checked(tmp_path: Path) -> None:
    history = write_history(tmp_path / "m", "CREATE TABLE t (a text NOT NULL, b text NOT NULL);\n")
    (tmp_path / "app.ts").write_text("const q = `INSERT INTO t (${cols}) VALUES (1)`;\n")
    sites = collect_sites([str(tmp_path / "app.ts")])
    assert len(sites.unknown) == 1
    assert nn002(history, sites) == []


def _timeline(tmp_path: Path) -> Timeline:
    return load_timeline(write_history(tmp_path / "m", "CREATE TABLE t (a text);\n"))


# -- value counts and NULLs, checked against SQLite itself -----------------------------

VALUE_SCHEMA = (
    "CREATE TABLE t (id integer PRIMARY KEY, a text NOT NULL, b text, "
    "g int GENERATED ALWAYS AS (1));\n"
    "CREATE TABLE d (id integer PRIMARY KEY, a text NOT NULL DEFAULT 'x');\n"
    "CREATE TABLE w (k text PRIMARY KEY, v text) WITHOUT ROWID;\n"
    "CREATE TABLE s (x, y, z GENERATED ALWAYS AS (x));\n"
    "INSERT INTO s (x, y) VALUES (1, 2);\n"
)


@pytest.mark.parametrize(("statement", "kinds"), [
    # a column list and the values of each row
    ("INSERT INTO t (a, b) VALUES (1)", ["arity"]),
    ("INSERT INTO t (a, b) VALUES (1, 2, 3)", ["arity"]),
    ("INSERT INTO t (a, b) VALUES (1, 2), (3)", ["ragged"]),
    ("INSERT INTO t (b) VALUES (1), (2, 3)", ["ragged", "omits"]),
    ("INSERT INTO t VALUES (1, 'x', 2), (2, 'y')", ["ragged"]),
    ("INSERT INTO t (a, b) SELECT 1", ["arity"]),
    ("INSERT INTO t (a) SELECT * FROM s", ["arity"]),  # generated z counts in SELECT *
    ("INSERT INTO t (a, b, id) SELECT * FROM s", []),
    ("INSERT INTO t (a, b) SELECT s.x, s.y FROM s", []),
    ("INSERT INTO t (b, a) SELECT x.*, 1 FROM s AS x", ["arity"]),
    ("INSERT INTO t SELECT * FROM s", []),
    ("INSERT INTO t SELECT *, 1 FROM s", ["arity"]),
    ("INSERT INTO t (a, b) SELECT 1, 2 UNION ALL SELECT 3, 4", []),
    ("INSERT INTO t (a, b) VALUES (1, 2), (3, 4)", []),
    # explicit NULLs, by name and by position
    ("INSERT INTO t VALUES (1, NULL, 'x')", ["null"]),
    ("INSERT INTO t VALUES (NULL, 'x', NULL)", []),  # rowid alias and a nullable column
    ("INSERT INTO t VALUES (1, 'x', 'y'), (2, (NULL), 'z')", ["null"]),
    ("INSERT INTO t SELECT 1, CAST(NULL AS TEXT), 'x'", ["null"]),
    ("INSERT INTO t SELECT 1, 'x', 'y' UNION ALL SELECT 2, +NULL, 'z'", ["null"]),
    ("INSERT INTO t SELECT 1, 'x', 'y' EXCEPT SELECT 2, NULL, 'z'", []),
    ("INSERT INTO t SELECT NULL, * FROM s", ["arity"]),
    ("INSERT INTO t (a) VALUES (-NULL)", ["null"]),
    ("INSERT INTO t (a, b) SELECT NULL AS a, 1", ["null"]),
    ("INSERT INTO t (a) VALUES ('NULL')", []),
    ("INSERT INTO t (a, b) VALUES (NULL)", ["arity"]),  # the count fails first
    ("INSERT INTO w VALUES (NULL, 1)", ["null"]),  # a WITHOUT ROWID key refuses NULL
    ("INSERT OR REPLACE INTO d VALUES (1, NULL)", []),  # the default replaces the NULL
    ("INSERT OR REPLACE INTO t VALUES (1, NULL, 'x')", ["null"]),  # no default: it fails
])
def test_value_counts_and_nulls_agree_with_sqlite(tmp_path: Path, statement: str,
                                                  kinds: list[str]) -> None:
    history = write_history(tmp_path / "m", VALUE_SCHEMA, statement + ";\n")
    findings = nn002(history)
    assert sorted(str(f.get("problem")) for f in findings) == sorted(kinds)
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(VALUE_SCHEMA)
        try:
            conn.execute(statement)
            error = None
        except sqlite3.Error as err:
            error = str(err)
    finally:
        conn.close()
    assert (error is not None) == bool(kinds), (statement, error, findings)


def test_or_ignore_null_rows_are_reported_as_dropped(tmp_path: Path) -> None:
    history = write_history(tmp_path / "m", VALUE_SCHEMA,
                            "INSERT OR IGNORE INTO t VALUES (1, 'x', 'y'), (2, NULL, 'z');\n")
    findings = nn002(history)
    assert [(f.get("problem"), f.get("column")) for f in findings] == [("null", "a")]
    assert "silently dropped" in findings[0].message


def test_value_count_messages_quote_sqlite(tmp_path: Path) -> None:
    history = write_history(tmp_path / "m", VALUE_SCHEMA,
                            "INSERT INTO t (a, b) VALUES (1);\n"
                            "INSERT INTO t (a, b) VALUES (1, 2), (3);\n"
                            "INSERT INTO t (a) SELECT * FROM s;\n")
    messages = [f.message for f in sorted(nn002(history), key=lambda f: f.span.line)]
    assert "'1 values for 2 columns'" in messages[0]
    assert "(2, 1)" in messages[1] and "'all VALUES must have the same number of terms'" in (
        messages[1])
    assert "'3 values for 1 columns'" in messages[2]


def test_sites_carry_rows_and_null_positions(tmp_path: Path) -> None:
    sites = sites_of(tmp_path, "q.sql", "\n".join([
        "INSERT INTO t (a, b) VALUES (1, NULL), (2);",
        "INSERT INTO t VALUES (NULL, 1), (CAST(NULL AS INT), 2);",
        "INSERT INTO t SELECT *, 1 FROM s;",
        "INSERT INTO t SELECT * FROM a JOIN b;",
        "INSERT INTO t (a) SELECT NULL UNION ALL SELECT 1;",
        "",
    ]))
    got = [(s.shape, s.rows, s.null_positions, s.nulls, s.star_source, s.arity) for s in sites]
    assert got == [
        (NAMED, (2, 1), (1,), ("b",), None, None),
        (POSITIONAL, (2, 2), (0,), (), None, 2),
        (POSITIONAL, (1,), (), (), "s", None),
        (POSITIONAL, (), (), (), None, None),
        (NAMED, (1,), (0,), ("a",), None, None),
    ]
    assert "columns (a, b), 2/1 values" in sites[0].describe()
    assert "`s`.* + 1 positional values" in sites[2].describe()


def test_insert_helper_doctests() -> None:
    from migrate_lint.sqlglot_api import dml

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for helper in (dml.insert_parts, dml.is_null_literal, dml.where_condition):
        for test in finder.find(helper, globs=vars(dml).copy()):
            runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert runner.summarize(verbose=False).attempted >= 5
