"""Insert sites from Go, Rust, Kysely and Knex, checked by NN002 against the seq-bug
history: each app still inserts messages without `seq`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migrate_lint.config import Config
from migrate_lint.engine import rule_by_code, run_rules
from migrate_lint.findings import Finding
from migrate_lint.inserts import NAMED, UNKNOWN, collect_sites
from migrate_lint.inserts.builders import CamelCaseOptions, kysely_snake_case
from migrate_lint.inserts.files import language_of, walk
from migrate_lint.pipeline import load_timeline

InsertOmitsRequiredColumn = rule_by_code("NN002")
assert InsertOmitsRequiredColumn is not None

APPS = Path(__file__).resolve().parent / "fixtures" / "apps"
MIGRATIONS = APPS / "seqbug" / "migrations"
ADD_SEQ = "ALTER TABLE `session_message` ADD `seq` integer NOT NULL;"

# folder, app sub-folder, file, origin, the text on the line the finding points at,
# and the edit that makes the insert supply `seq`.
CASES = [
    ("go", "app", "store.go", "go", '"INSERT INTO session_message "',
     [("data) \"", "data, seq) \""), (":data)\"", ":data, :seq)\"")]),
    ("rust", "src", "store.rs", "rust", '"INSERT INTO session_message',
     [("data) VALUES", "data, seq) VALUES"), ("?5)", "?5, ?6)")]),
    ("kysely", "src", "message.ts", "kysely", ".values(",
     [("data })", "data, seq: 0 })")]),
    ("knex", "src", "message.js", "knex", ".insert({",
     [("    data,\n", "    data,\n    seq: 0,\n")]),
]
IDS = [c[0] for c in CASES]


def nn002(sites: object, migrations: Path = MIGRATIONS) -> list[Finding]:
    timeline = load_timeline(migrations)
    return run_rules(timeline, Config(), [InsertOmitsRequiredColumn], inserts=tuple(sites))


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture()
def apps(tmp_path: Path) -> Path:
    """A private copy of the fixture apps and the seq-bug history (tests edit them)."""
    for name in (*IDS, "seqbug"):
        shutil.copytree(APPS / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(("folder", "sub", "name", "origin", "needle", "edits"), CASES, ids=IDS)
def test_insert_omitting_seq_is_reported(folder: str, sub: str, name: str, origin: str,
                                         needle: str, edits: list[tuple[str, str]]) -> None:
    source = APPS / folder / sub / name
    sites = collect_sites([str(APPS / folder / sub)])
    assert sites.skipped == ()
    findings = nn002(sites)
    assert [(f.code, f.get("table"), f.get("column"), f.get("origin")) for f in findings] == [
        ("NN002", "session_message", "seq", origin)]
    finding = findings[0]
    assert finding.span.path == str(source)
    assert finding.span.line == line_of(source, needle)
    # the column points at the literal / the builder call, not the start of the line
    line = source.read_text().splitlines()[finding.span.line - 1]
    assert line[finding.span.col - 1:].startswith(needle.lstrip())
    assert "20260603040000_session_message_order" in finding.message
    assert "NOT NULL constraint failed: session_message.seq" in finding.message


@pytest.mark.parametrize(("folder", "sub", "name", "origin", "needle", "edits"), CASES, ids=IDS)
def test_fixed_insert_is_not_reported(apps: Path, folder: str, sub: str, name: str, origin: str,
                                      needle: str, edits: list[tuple[str, str]]) -> None:
    source = apps / folder / sub / name
    text = source.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    source.write_text(text)
    sites = collect_sites([str(apps / folder / sub)])
    message = [s for s in sites.sites if s.table == "session_message"]
    assert [s.origin for s in message] == [origin]
    assert "seq" in message[0].columns
    assert nn002(sites, apps / "seqbug" / "migrations") == []


@pytest.mark.parametrize("folder", IDS)
def test_no_finding_once_seq_has_a_default(apps: Path, folder: str) -> None:
    path = apps / "seqbug" / "migrations" / "20260603040000_session_message_order.sql"
    path.write_text(path.read_text().replace(ADD_SEQ, ADD_SEQ.replace("NULL;", "NULL DEFAULT 0;")))
    sub = next(c[1] for c in CASES if c[0] == folder)
    assert nn002(collect_sites([str(apps / folder / sub)]), path.parent) == []


@pytest.mark.parametrize("folder", IDS)
def test_file_with_syntax_error_is_listed_with_reason(folder: str) -> None:
    broken = APPS / folder / "broken"
    sites = collect_sites([str(broken)])  # never raises
    [skipped] = sites.skipped
    assert skipped.path.startswith(str(broken))
    assert "syntax error" in skipped.reason


def test_whole_fixture_tree_reads_every_language() -> None:
    sites = collect_sites([str(APPS / name) for name in IDS])
    origins = {s.origin for s in sites}
    assert origins == {"go", "rust", "kysely", "knex", "diesel"}
    assert sorted(Path(s.path).suffix for s in sites.skipped) == [".go", ".js", ".rs", ".ts"]


# -- Go -----------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_go_literals_concatenation_and_calls(tmp_path: Path) -> None:
    path = write(tmp_path, "a.go", '''package a

func f(db *sql.DB, t string, x int) {
	db.Exec("INSERT INTO \\"t\\" (a, b)\\nVALUES (?, ?)", 1, 2)
	db.Exec("-- seed\\nINSERT INTO t (c) VALUES (1)")
	q := "INSERT INTO t (d, e" + ", f) VALUES (" + strconv.Itoa(x) + ", ?, ?)"
	r := "INSERT INTO " + t + " (a) VALUES (?)"
	s := fmt.Sprintf("INSERT INTO %s (a) VALUES (%d)", t, x)
	u := fmt.Sprintf("INSERT INTO t (g) VALUES (%d)", x)
	p := "Insert into the list"
}
''')
    sites = collect_sites([str(path)])
    known = [(s.span.line, s.span.col, s.columns) for s in sites.sites]
    assert known == [(4, 10, ("a", "b")), (5, 10, ("c",)), (6, 7, ("d", "e", "f")),
                     (9, 19, ("g",))]
    assert all(s.origin == "go" and s.shape == NAMED for s in sites.sites)
    assert [(s.span.line, s.shape) for s in sites.unknown] == [(7, UNKNOWN), (8, UNKNOWN)]


def test_go_raw_string_in_query_call_and_vendor_excluded(tmp_path: Path) -> None:
    write(tmp_path, "app/a.go", "package a\n\nfunc f() {\n\ttx.QueryRow(`\n  INSERT OR IGNORE INTO t "
          "(a) VALUES (?) RETURNING id`, 1)\n}\n")
    write(tmp_path, "app/vendor/x/x.go", 'package x\nvar q = "INSERT INTO v (a) VALUES (1)"\n')
    write(tmp_path, "app/target/x.rs", 'fn f() { let q = "INSERT INTO v (a) VALUES (1)"; }\n')
    sites = collect_sites([str(tmp_path / "app")])
    assert [(s.table, s.conflict, s.span.line, s.span.col) for s in sites] == [
        ("t", "ignore", 4, 14)]
    assert sites.files == 1


# -- Rust ---------------------------------------------------------------------------------


def test_rust_strings_raw_strings_macros(tmp_path: Path) -> None:
    path = write(tmp_path, "a.rs", '''fn f() {
    sqlx::query_as!(Row, "INSERT INTO t (a) VALUES ($1) RETURNING *", a);
    let s = sqlx::query_scalar::<_, i64>(r##"INSERT INTO "t" (b) VALUES ("#x")"##);
    let q = concat!("INSERT INTO t (c", ", d) VALUES (?, ?)");
    diesel::sql_query("INSERT INTO t (e) VALUES (?)").execute(conn);
    let f = format!("INSERT INTO {} (a) VALUES (?)", table);
    let g = format!("INSERT INTO t (h) VALUES ({})", v);
    conn.execute_batch("CREATE TABLE x (a); INSERT INTO t (i) VALUES (1);");
    let u = "INSERT INTO t (j) \\
             VALUES ('\\u{e9}')";
    let b = b"INSERT INTO t (k) VALUES (1)";
}
''')
    sites = collect_sites([str(path)])
    assert [(s.span.line, s.columns) for s in sites.sites] == [
        (2, ("a",)), (3, ("b",)), (4, ("c", "d")), (5, ("e",)), (7, ("h",)), (8, ("i",)),
        (9, ("j",)), (11, ("k",))]
    assert [s.span.col for s in sites.sites][:4] == [26, 42, 13, 23]
    assert [(s.span.line, s.table) for s in sites.unknown] == [(6, "?")]
    assert {s.origin for s in sites} == {"rust"}


# -- Kysely and Knex ----------------------------------------------------------------------


def test_kysely_shapes(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ts", '''export async function f(row: Row) {
  await db.insertInto("t").values([{ a: 1 }, { a: 2, b: null }]).execute();
  await db.insertInto("t").values({ ...row }).execute();
  await db.insertInto("t").values(row).execute();
  await db.insertInto("t").values({ [key]: 1 }).execute();
  await db.insertInto("t").defaultValues().execute();
  await db.insertInto("t").values({ c: 1, d: undefined }).orIgnore().execute();
  await db.replaceInto("main.t as x").values({ camelCase: 1 }).execute();
  await db.insertInto("t").columns(["a", "b"]).expression(db.selectFrom("u").select(["a", "b"]));
}
''')
    sites = collect_sites([str(path)])
    assert [(s.span.line, s.columns, s.nulls, s.conflict, s.source) for s in sites.sites] == [
        (2, ("a", "b"), ("b",), None, "values"),
        (6, (), (), None, "default_values"),
        (7, ("c",), (), "ignore", "values"),
        (8, ("camelCase",), (), "replace", "values"),
        (9, ("a", "b"), (), None, "select"),
    ]
    assert [s.span.line for s in sites.unknown] == [3, 4, 5]
    assert all(s.origin == "kysely" for s in sites)
    assert all(s.note for s in sites.unknown)


def test_kysely_camel_case_plugin_from_another_file(tmp_path: Path) -> None:
    write(tmp_path, "src/q.ts", 'await db.insertInto("t").values({ createdAt: 1, userID: 2 });\n')
    assert collect_sites([str(tmp_path)]).sites[0].columns == ("createdAt", "userID")
    write(tmp_path, "src/db.ts", "export const db = new Kysely({ plugins: [new CamelCasePlugin()] });\n")
    assert collect_sites([str(tmp_path)]).sites[0].columns == ("created_at", "user_id")


def test_kysely_snake_case_matches_kysely() -> None:
    assert kysely_snake_case("createdAt") == "created_at"
    assert kysely_snake_case("userID") == "user_id"
    assert kysely_snake_case("already_snake") == "already_snake"
    assert kysely_snake_case("Foo") == "foo"
    assert kysely_snake_case("line2Total", CamelCaseOptions(underscore_before_digits=True)) == \
        "line_2_total"
    assert kysely_snake_case("fooBAR", CamelCaseOptions(
        underscore_between_uppercase_letters=True)) == "foo_b_a_r"
    assert kysely_snake_case("fooBar", CamelCaseOptions(upper_case=True)) == "FOO_BAR"


def test_knex_shapes(tmp_path: Path) -> None:
    path = write(tmp_path, "a.js", '''async function f(rows) {
  await knex("t").insert([{ a: 1 }, { b: 2 }]);
  await knex.insert({ c: 1 }).into("u");
  await trx.table("v").insert({ d: 1 }).onConflict("d").merge();
  await knex("w").insert({ e: 1 }).onConflict("e").ignore();
  await knex("x").insert(rows);
  await knex("y").insert({ ...rows[0] });
  await db.insert(Table).values({ a: 1 });
  el.insert({ nothing: 1 });
}
''')
    sites = collect_sites([str(path)])
    assert [(s.table, s.columns, s.nulls, s.conflict) for s in sites.sites] == [
        ("t", ("a", "b"), ("a", "b"), None),
        ("u", ("c",), (), None),
        ("v", ("d",), (), "upsert"),
        ("w", ("e",), (), "ignore"),
    ]
    assert [(s.table, s.origin) for s in sites.unknown] == [
        ("x", "knex"), ("y", "knex"), ("Table", "drizzle")]
    assert [(s.span.line, s.span.col) for s in sites.sites][:2] == [(2, 18), (3, 13)]


def test_languages_and_default_excludes() -> None:
    assert language_of("main.go") == "go"
    assert language_of("src/lib.rs") == "rust"
    assert next(iter(walk([str(APPS / "go" / "app")]))).language == "go"


# -- diesel's typed inserts ---------------------------------------------------------------


def test_diesel_insert_omitting_seq_is_reported(apps: Path) -> None:
    folder = apps / "rust" / "diesel"
    source = folder / "store.rs"
    sites = collect_sites([str(folder)])
    [site] = sites.sites
    assert (site.origin, site.table) == ("diesel", "session_message")
    assert site.columns == ("id", "session_id", "type", "time_created", "data")  # sql_name
    findings = nn002(sites, apps / "seqbug" / "migrations")
    assert [(f.get("column"), f.span.path, f.span.line, f.span.col) for f in findings] == [
        ("seq", str(source), line_of(source, "insert_into("), 5)]
    source.write_text(source.read_text().replace(
        '.eq("{}"),', '.eq("{}"),\n            session_message::seq.eq(0),'))
    (folder / "schema.rs").write_text((folder / "schema.rs").read_text().replace(
        "data -> Text,", "data -> Text,\n        seq -> Integer,"))
    assert nn002(collect_sites([str(folder)]), apps / "seqbug" / "migrations") == []


def test_diesel_shapes(tmp_path: Path) -> None:
    write(tmp_path, "schema.rs", "diesel::table! {\n    #[sql_name = \"msgs\"]\n    m (id) "
          "{\n        id -> Integer,\n        #[sql_name = \"type\"]\n        kind -> Text,\n    }\n}\n")
    write(tmp_path, "store.rs", '''fn f(conn: &mut SqliteConnection) {
    insert_or_ignore_into(m).values(&new_row).execute(conn);
    diesel::insert_into(crate::schema::other::table).default_values().execute(conn);
    diesel::replace_into(m::table).values(kind.eq("x")).execute(conn);
    insert_into(m::table).values((m::id.eq(1), m::kind.eq("y"))).on_conflict(m::id).do_nothing();
}
''')
    sites = collect_sites([str(tmp_path)])
    assert [(s.span.line, s.table, s.columns, s.conflict, s.source) for s in sites.sites] == [
        (3, "other", (), None, "default_values"),
        (4, "msgs", ("type",), "replace", "values"),
        (5, "msgs", ("id", "type"), "upsert", "values"),
    ]
    assert [(s.span.line, s.table, s.conflict) for s in sites.unknown] == [(2, "msgs", "ignore")]
    assert all(s.origin == "diesel" for s in sites)
