"""The sandbox against a real sqlite3: runner transactions, failures, introspection."""

from __future__ import annotations

import doctest
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

import migrate_lint.sandbox as sandbox_module
from migrate_lint.runners import RUNNERS as RUNNER_TABLE
from migrate_lint.sandbox import (
    Piece,
    Sandbox,
    _kinds_from_schema,
    _table_list,
    _virtual_table_name,
    introspect,
    schema_sql,
)
from migrate_lint.snapshot import ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo
from migrate_lint.source import RUNNERS
from migrate_lint.span import LineIndex, Span


@dataclass(frozen=True)
class P:
    """A statement as the splitter would hand it over (structurally a SqlPiece)."""

    text: str
    span: Span


def migration(*statements: str, path: str = "m.sql") -> list[P]:
    """The pieces of a file holding ``statements``, one after another on their own lines."""
    text = "\n".join(statements) + "\n"
    lines = LineIndex(path, text)
    pieces: list[P] = []
    start = 0
    for statement in statements:
        pieces.append(P(statement, lines.span(start, start + len(statement))))
        start += len(statement) + 1
    return pieces


def rows(box: Sandbox, sql: str) -> list[tuple[object, ...]]:
    return box.connection.execute(sql).fetchall()


def table_names(box: Sandbox) -> list[str]:
    return [t.name for t in box.snapshot().tables]


# -- runners -------------------------------------------------------------------------


def test_every_runner_has_a_behaviour() -> None:
    assert set(RUNNER_TABLE) == set(RUNNERS)


@pytest.mark.parametrize(
    ("runner", "unit", "foreign_keys"),
    [
        ("drizzle", "batch", 1),
        ("prisma", "none", 1),
        ("diesel", "migration", 1),
        ("sqlx", "migration", 1),
        ("goose", "migration", 0),
        ("golang-migrate", "migration", 0),
        ("dbmate", "migration", 0),
        ("generic", "migration", 0),
    ],
)
def test_runner_defaults(runner: str, unit: str, foreign_keys: int) -> None:
    with Sandbox(runner) as box:
        assert box.behaviour.transaction == unit
        assert rows(box, "PRAGMA foreign_keys") == [(foreign_keys,)]
        assert box.connection.isolation_level is None


def test_foreign_keys_override() -> None:
    with Sandbox("goose", foreign_keys=True) as box:
        assert rows(box, "PRAGMA foreign_keys") == [(1,)]
    with Sandbox("drizzle", foreign_keys=False) as box:
        assert rows(box, "PRAGMA foreign_keys") == [(0,)]


def test_unknown_runner() -> None:
    with pytest.raises(ValueError, match="liquibase"):
        Sandbox("liquibase")


def test_runner_behaviour_is_read_only() -> None:
    with pytest.raises(TypeError):
        RUNNER_TABLE["goose"] = RUNNER_TABLE["drizzle"]  # type: ignore[index]


# -- transactions --------------------------------------------------------------------

GOOD = ("CREATE TABLE a (id INTEGER PRIMARY KEY);",)
BAD = ("CREATE TABLE b (id INTEGER PRIMARY KEY);", "INSERT INTO nowhere VALUES (1);")


def test_drizzle_batch_failure_leaves_nothing_applied() -> None:
    with Sandbox("drizzle") as box:
        failed = box.apply_batch(
            [(migration(*GOOD, path="0000.sql"), False), (migration(*BAD, path="0001.sql"), False)]
        )
        assert failed is not None
        index, error = failed
        assert index == 1
        assert error.piece_index == 1
        assert error.message == "no such table: nowhere"
        assert error.span is not None and (error.span.path, error.span.line) == ("0001.sql", 2)
        assert table_names(box) == []
        assert not box.connection.in_transaction


@pytest.mark.parametrize(
    "runner", ["goose", "golang-migrate", "dbmate", "sqlx", "diesel", "generic"]
)
def test_per_migration_runner_keeps_earlier_files(runner: str) -> None:
    with Sandbox(runner) as box:
        failed = box.apply_batch([(migration(*GOOD), False), (migration(*BAD), False)])
        assert failed is not None and failed[0] == 1
        # the failing file is rolled back as a whole, including its first statement
        assert table_names(box) == ["a"]


def test_prisma_autocommits_each_statement() -> None:
    with Sandbox("prisma") as box:
        error = box.apply(migration(*BAD))
        assert error is not None and error.piece_index == 1
        assert table_names(box) == ["b"]


def test_batch_success_and_single_apply_under_drizzle() -> None:
    with Sandbox("drizzle") as box:
        assert box.apply_batch([(migration(*GOOD), False)]) is None
        assert box.apply(migration("CREATE TABLE c (x);")) is None
        assert table_names(box) == ["a", "c"]
        assert box.apply_batch([]) is None


def test_nested_begin_fails_inside_the_runners_transaction() -> None:
    with Sandbox("goose") as box:
        error = box.apply(migration("BEGIN;", "CREATE TABLE t (x);", "COMMIT;"))
        assert error is not None
        assert error.piece_index == 0
        assert error.message == "cannot start a transaction within a transaction"
        assert table_names(box) == []


def test_files_own_commit_ends_the_runners_transaction() -> None:
    # The runner's final COMMIT then fails, but what ran before the file's COMMIT
    # is committed: production ends in the same state (migration failed, data changed).
    with Sandbox("sqlx") as box:
        pieces = migration("CREATE TABLE t (x);", "COMMIT;", "CREATE TABLE u (x);")
        error = box.apply(pieces)
        assert error is not None
        assert error.piece_index == len(pieces) and error.span is None
        assert error.message == "cannot commit - no transaction is active"
        assert table_names(box) == ["t", "u"]
        assert not box.connection.in_transaction


def test_files_own_commit_ends_drizzles_whole_batch() -> None:
    with Sandbox("drizzle") as box:
        failed = box.apply_batch(
            [
                (migration("CREATE TABLE a (x);"), False),
                (migration("CREATE TABLE b (x);", "COMMIT;", "CREATE TABLE c (x);"), False),
                (migration("INSERT INTO nowhere VALUES (1);"), False),
            ]
        )
        assert failed is not None and failed[0] == 2
        # the file's COMMIT committed the batch so far; what followed ran in autocommit
        assert table_names(box) == ["a", "b", "c"]


def test_deferred_foreign_key_fails_the_runners_commit() -> None:
    with Sandbox("diesel") as box:
        setup = migration(
            "CREATE TABLE p (id INTEGER PRIMARY KEY);",
            "CREATE TABLE c (id INTEGER PRIMARY KEY,"
            " p_id REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);",
        )
        assert box.apply(setup) is None
        error = box.apply(migration("INSERT INTO c VALUES (1, 42);"))
        assert error is not None
        assert (error.piece_index, error.message) == (1, "FOREIGN KEY constraint failed")
        assert not box.connection.in_transaction
        assert rows(box, "SELECT count(*) FROM c") == [(0,)]


def test_no_transaction_file_with_its_own_transaction() -> None:
    with Sandbox("goose") as box:
        ok = migration("BEGIN;", "CREATE TABLE t (x);", "COMMIT;")
        assert box.apply(ok, no_transaction=True) is None
        failing = migration("BEGIN;", "CREATE TABLE u (x);", "INSERT INTO nowhere VALUES (1);")
        error = box.apply(failing, no_transaction=True)
        assert error is not None and error.piece_index == 2
        # the process would stop and close its connection: the file's transaction is gone
        assert not box.connection.in_transaction
        assert table_names(box) == ["t"]
        assert box.apply(migration("CREATE TABLE v (x);")) is None


def test_no_transaction_file_left_open_is_an_error() -> None:
    with Sandbox("dbmate") as box:
        pieces = migration("BEGIN;", "CREATE TABLE t (x);")
        error = box.apply(pieces, no_transaction=True)
        assert error is not None
        assert error.piece_index == len(pieces) and error.span is None
        assert "left open" in error.message
        assert table_names(box) == []


def test_trigger_raise_rollback_ends_the_transaction_itself() -> None:
    with Sandbox("goose") as box:
        assert (
            box.apply(
                migration(
                    "CREATE TABLE t (x);",
                    "CREATE TRIGGER no_insert BEFORE INSERT ON t"
                    " BEGIN SELECT RAISE(ROLLBACK, 'refused'); END;",
                )
            )
            is None
        )
        error = box.apply(migration("CREATE TABLE u (x);", "INSERT INTO t VALUES (1);"))
        assert error is not None and error.message == "refused"
        assert table_names(box) == ["t"]


# -- PRAGMA foreign_keys inside and outside the runner's transaction ------------------

PARENT_AND_CHILDREN = (
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);",
    "CREATE TABLE child (id INTEGER PRIMARY KEY,"
    " parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE);",
    "INSERT INTO parent VALUES (1, 'one'), (2, 'two');",
    "INSERT INTO child VALUES (10, 1), (11, 2);",
)
REBUILD = (
    "CREATE TABLE __new_parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');",
    "INSERT INTO __new_parent (id, name) SELECT id, coalesce(name, '') FROM parent;",
    "DROP TABLE parent;",
    "ALTER TABLE __new_parent RENAME TO parent;",
)
# What drizzle-kit generates: the pragma is meant to keep the children's rows.
DRIZZLE_REBUILD = ("PRAGMA foreign_keys=OFF;", *REBUILD, "PRAGMA foreign_keys=ON;")
# The non-transactional shape, for runners that allow it (goose NO TRANSACTION).
OWN_TRANSACTION_REBUILD = (
    "PRAGMA foreign_keys=OFF;",
    "BEGIN;",
    *REBUILD,
    "COMMIT;",
    "PRAGMA foreign_keys=ON;",
)


def children(box: Sandbox) -> int:
    (count,) = box.connection.execute("SELECT count(*) FROM child").fetchone()
    return int(count)


def test_pragma_in_drizzle_batch_is_a_no_op_and_cascades() -> None:
    with Sandbox("drizzle") as box:
        assert box.apply(migration(*PARENT_AND_CHILDREN)) is None
        assert box.apply(migration(*DRIZZLE_REBUILD)) is None
        assert children(box) == 0  # ON DELETE CASCADE fired on DROP TABLE parent
        assert rows(box, "PRAGMA foreign_keys") == [(1,)]


def test_pragma_in_per_migration_transaction_is_a_no_op_too() -> None:
    with Sandbox("goose", foreign_keys=True) as box:
        assert box.apply(migration(*PARENT_AND_CHILDREN)) is None
        assert box.apply(migration(*DRIZZLE_REBUILD)) is None
        assert children(box) == 0


@pytest.mark.parametrize("foreign_keys", [None, True])
def test_goose_no_transaction_with_own_pragma_keeps_children(foreign_keys: bool | None) -> None:
    with Sandbox("goose", foreign_keys=foreign_keys) as box:
        assert box.apply(migration(*PARENT_AND_CHILDREN)) is None
        assert box.apply(migration(*OWN_TRANSACTION_REBUILD), no_transaction=True) is None
        assert children(box) == 2
        assert rows(box, "SELECT * FROM pragma_foreign_key_check") == []


def test_prisma_pragma_works_between_autocommitted_statements() -> None:
    with Sandbox("prisma") as box:
        assert box.apply(migration(*PARENT_AND_CHILDREN)) is None
        assert box.apply(migration(*DRIZZLE_REBUILD)) is None
        assert children(box) == 2


# -- failures on populated tables ------------------------------------------------------


def test_add_not_null_column_without_default() -> None:
    add = migration("ALTER TABLE t ADD COLUMN y TEXT NOT NULL;", path="0002_add.sql")
    with Sandbox() as box:
        assert box.apply(migration("CREATE TABLE t (x);")) is None
        assert box.apply(add) is None  # empty table: passes in development

    with Sandbox() as box:
        assert box.apply(migration("CREATE TABLE t (x);", "INSERT INTO t VALUES (1);")) is None
        error = box.apply(add)
        assert error is not None
        assert error.message == "Cannot add a NOT NULL column with default value NULL"
        assert error.piece_index == 0 and error.unknown_function is None
        assert error.span == add[0].span
        assert [c.name for c in box.snapshot().tables[0].columns] == ["x"]


def test_statement_is_run_to_the_last_row() -> None:
    # The malformed JSON sits in the second row: only stepping to the end finds it.
    with Sandbox() as box:
        setup = migration("CREATE TABLE t (j TEXT);", """INSERT INTO t VALUES ('{}'), ('{');""")
        assert box.apply(setup) is None
        error = box.apply(migration("SELECT json(j) FROM t;"))
        assert error is not None and error.message == "malformed JSON"


def test_several_statements_in_one_piece_run_as_one_exec() -> None:
    # A goose block handed over whole: the Go drivers run every statement in it.
    with Sandbox("goose") as box:
        assert box.apply(migration("CREATE TABLE t (x); CREATE TABLE u (x);")) is None
        assert table_names(box) == ["t", "u"]


def test_an_error_inside_one_piece_names_the_statement_and_stops_there() -> None:
    text = "CREATE TABLE t (x);\n-- why\nALTER TABLE t ADD y INT UNIQUE;\nCREATE TABLE u (x);"
    with Sandbox("goose") as box:
        error = box.apply(migration(text))
        assert error is not None and error.piece_index == 0 and error.span is not None
        assert error.message == "Cannot add a UNIQUE column"
        assert (error.span.line, error.span.col) == (3, 1)
        assert text[error.span.start : error.span.end] == "ALTER TABLE t ADD y INT UNIQUE;"
        assert table_names(box) == []  # the runner's transaction is rolled back


# -- application functions ----------------------------------------------------------


def test_registered_function_stand_in() -> None:
    statements = (
        "CREATE TABLE t (x TEXT, slug TEXT GENERATED ALWAYS AS (slugify(x)) VIRTUAL,"
        " CHECK (is_valid(x) IS NULL));",
        "CREATE INDEX t_slug ON t (slugify(x));",
        "INSERT INTO t (x) VALUES ('Hello World');",
    )
    with Sandbox(functions=["slugify", "is_valid"]) as box:
        assert box.apply(migration(*statements)) is None
        assert rows(box, "SELECT slug FROM t") == [(None,)]


def test_unregistered_function_is_named() -> None:
    with Sandbox(functions=["slugify"]) as box:
        error = box.apply(
            migration("CREATE TABLE t (x);", "CREATE INDEX t_x ON t (uuid7(x));", path="0003.sql")
        )
        assert error is not None
        assert error.unknown_function == "uuid7"
        assert error.message == "no such function: uuid7"
        assert error.span is not None and (error.span.path, error.span.line) == ("0003.sql", 2)


def test_builtin_function_is_not_replaced_by_a_stand_in() -> None:
    with Sandbox(functions=["lower", "LOWER"]) as box:
        assert rows(box, "SELECT lower('ABC')") == [("abc",)]


# -- virtual tables whose module is missing -----------------------------------------


def test_missing_module_marks_table_unavailable() -> None:
    statements = (
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);",
        "CREATE VIRTUAL TABLE vec_docs USING vec0(embedding float[4]);",
        "INSERT INTO vec_docs (rowid, embedding) VALUES (1, '[1,2,3,4]');",
        "CREATE TRIGGER docs_vec AFTER DELETE ON Vec_Docs BEGIN SELECT 1; END;",
        "CREATE TABLE after_it (x);",
    )
    with Sandbox("drizzle") as box:
        assert box.apply(migration(*statements)) is None
        assert box.unavailable_tables == frozenset({"vec_docs"})
        assert table_names(box) == ["after_it", "docs"]
        skipped = box.skipped
        assert [s.piece_index for s in skipped] == [1, 2, 3]
        assert [s.message for s in skipped] == [
            "no such module: vec0",
            "no such table: vec_docs",
            "no such table: main.Vec_Docs",
        ]
        assert {s.table for s in skipped} == {"vec_docs"}
        # a table that is simply missing is still an error
        error = box.apply(migration("INSERT INTO vec_other VALUES (1);"))
        assert error is not None and error.message == "no such table: vec_other"


@pytest.mark.parametrize("runner", ["goose", "prisma"])
def test_unavailable_table_fails_plainly_afterwards(runner: str) -> None:
    # Inside a transaction that already wrote, SQLite 3.40 would keep the failed
    # virtual table in memory and report other errors for it: the sandbox prevents it.
    statements = (
        "CREATE TABLE docs (id INTEGER PRIMARY KEY);",
        "CREATE VIRTUAL TABLE v USING vec0(e float[4]);",
        "CREATE TRIGGER v_ai AFTER INSERT ON v BEGIN SELECT 1; END;",
        "CREATE INDEX v_e ON v (e);",
        "DROP TABLE v;",
        "CREATE TABLE v (id INTEGER PRIMARY KEY);",
        "INSERT INTO v VALUES (1);",
    )
    with Sandbox(runner) as box:
        assert box.apply(migration(*statements)) is None
        assert [(s.piece_index, s.message) for s in box.skipped] == [
            (1, "no such module: vec0"),
            (2, "no such table: main.v"),
            (3, "no such table: main.v"),
            (4, "no such table: v"),
        ]
        assert table_names(box) == ["docs", "v"]
        assert rows(box, "SELECT id FROM v") == [(1,)]


def test_unavailable_tables_is_a_copy() -> None:
    with Sandbox() as box:
        assert box.apply(migration("CREATE VIRTUAL TABLE v USING vec0(e float[2]);")) is None
        tables = box.unavailable_tables
        assert isinstance(tables, frozenset)
        with pytest.raises(AttributeError):
            box.unavailable_tables = frozenset()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("CREATE VIRTUAL TABLE v USING vec0(x)", "v"),
        (
            '-- embeddings\ncreate /* c */ virtual table if not exists main."my ""v""" using vec0(x)',
            'my "v"',
        ),
        ("CREATE VIRTUAL TABLE `vé` USING vec0(x)", "vé"),
        ("CREATE VIRTUAL TABLE [v t] USING vec0(x)", "v t"),
        ("CREATE VIRTUAL TABLE été USING vec0(x)", "été"),
        ("CREATE TABLE v (x)", None),
    ],
)
def test_virtual_table_name(text: str, name: str | None) -> None:
    assert _virtual_table_name(text) == name


# -- introspection ------------------------------------------------------------------


def test_fts5_is_virtual_and_hides_its_shadow_tables() -> None:
    with Sandbox() as box:
        statements = (
            "CREATE VIRTUAL TABLE notes_fts USING fts5(title, body);",
            "CREATE VIRTUAL TABLE old_fts USING fts4(a, b);",
            "CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1);",
            "CREATE TABLE notes_data (x);",  # a real table that merely looks like one
            "CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT);",
            "INSERT INTO counters DEFAULT VALUES;",
            "ANALYZE;",
            "CREATE TEMP TABLE scratch (x);",
        )
        assert box.apply(migration(*statements)) is None
        snap = box.snapshot()
        assert [t.name for t in snap.tables] == [
            "boxes",
            "counters",
            "notes_data",
            "notes_fts",
            "old_fts",
        ]
        fts = snap.table("NOTES_FTS")
        assert fts is not None
        assert fts.virtual and not fts.strict and not fts.without_rowid
        assert [(c.name, c.hidden) for c in fts.columns] == [
            ("title", 0),
            ("body", 0),
            ("notes_fts", 1),
            ("rank", 1),
        ]
        assert fts.indexes == () and fts.foreign_keys == ()
        counters = snap.table("counters")
        assert counters is not None and not counters.virtual


RICH_SCHEMA = (
    "CREATE TABLE org (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE) STRICT;",
    "CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;",
    "CREATE TABLE member (org_id INTEGER, user_id INTEGER, role TEXT DEFAULT 'user',"
    " PRIMARY KEY (org_id, user_id)) WITHOUT ROWID, STRICT;",
    "CREATE TABLE grant_ (id INTEGER PRIMARY KEY,"
    " org_id INTEGER REFERENCES org ON DELETE SET NULL,"
    " user_id INTEGER,"
    " owner_org INTEGER,"
    " price REAL NOT NULL DEFAULT 0.5,"
    " price_cents INTEGER GENERATED ALWAYS AS (CAST(price * 100 AS INTEGER)) STORED,"
    " label TEXT AS (upper(role)) VIRTUAL,"
    " role TEXT,"
    " FOREIGN KEY (owner_org, user_id) REFERENCES member (org_id, user_id)"
    " ON DELETE CASCADE ON UPDATE RESTRICT,"
    " UNIQUE (user_id, role));",
    "CREATE INDEX grant_active ON grant_ (user_id) WHERE role IS NOT NULL;",
    "CREATE UNIQUE INDEX grant_expr ON grant_ (lower(role), org_id DESC);",
    "CREATE VIEW org_codes AS SELECT code FROM org;",
    "CREATE VIEW a_view AS SELECT 1;",
    "CREATE TRIGGER grant_touch AFTER UPDATE ON grant_ BEGIN SELECT 1; END;",
    "CREATE TRIGGER org_touch AFTER UPDATE ON org BEGIN SELECT 1; END;",
)


def test_rich_schema_snapshot() -> None:
    with Sandbox("sqlx") as box:
        assert box.apply(migration(*RICH_SCHEMA)) is None
        snap = box.snapshot()
    assert [t.name for t in snap.tables] == ["grant_", "kv", "member", "org"]
    assert snap.views == ("a_view", "org_codes")
    assert snap.triggers == (("grant_touch", "grant_"), ("org_touch", "org"))

    org = snap.table("org")
    assert org is not None and org.strict and not org.without_rowid and not org.virtual
    assert org.indexes == (IndexInfo("sqlite_autoindex_org_1", True, "u", False, ("code",)),)
    assert org.columns[0] == ColumnInfo("id", "INTEGER", False, None, 1, 0)

    kv = snap.table("kv")
    assert kv is not None and kv.without_rowid and not kv.strict
    assert kv.indexes == (IndexInfo("sqlite_autoindex_kv_1", True, "pk", False, ("k",)),)

    member = snap.table("member")
    assert member is not None and member.without_rowid and member.strict
    assert [(c.name, c.pk, c.default) for c in member.columns] == [
        ("org_id", 1, None),
        ("user_id", 2, None),
        ("role", 0, "'user'"),
    ]

    grant = snap.table("grant_")
    assert grant == TableInfo(
        name="grant_",
        columns=(
            ColumnInfo("id", "INTEGER", False, None, 1, 0),
            ColumnInfo("org_id", "INTEGER", False, None, 0, 0),
            ColumnInfo("user_id", "INTEGER", False, None, 0, 0),
            ColumnInfo("owner_org", "INTEGER", False, None, 0, 0),
            ColumnInfo("price", "REAL", True, "0.5", 0, 0),
            ColumnInfo("price_cents", "INTEGER", False, None, 0, 3),
            ColumnInfo("label", "TEXT", False, None, 0, 2),
            ColumnInfo("role", "TEXT", False, None, 0, 0),
        ),
        indexes=(
            IndexInfo("grant_active", False, "c", True, ("user_id",)),
            IndexInfo("grant_expr", True, "c", False, (None, "org_id")),
            IndexInfo("sqlite_autoindex_grant__1", True, "u", False, ("user_id", "role")),
        ),
        # declaration order (SQLite numbers them the other way round)
        foreign_keys=(
            ForeignKeyInfo("org", ("org_id",), (None,), "NO ACTION", "SET NULL"),
            ForeignKeyInfo(
                "member", ("owner_org", "user_id"), ("org_id", "user_id"), "RESTRICT", "CASCADE"
            ),
        ),
        strict=False,
        without_rowid=False,
        virtual=False,
    )


def test_fallback_without_table_list_agrees() -> None:
    with Sandbox() as box:
        extra = (
            "CREATE VIRTUAL TABLE notes_fts USING fts5(body);",
            "CREATE TABLE pk_rowid (a TEXT, b TEXT, PRIMARY KEY (a, b));",
        )
        # no STRICT before 3.37: compare on a schema without it
        loose = (s.replace(") STRICT;", ");").replace(", STRICT;", ";") for s in RICH_SCHEMA)
        assert box.apply(migration(*loose, *extra)) is None
        conn = box.connection
        objects = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        listed = _table_list(conn)
        assert listed is not None and listed["notes_fts_idx"].shadow
        assert listed["kv"].without_rowid and not listed["pk_rowid"].without_rowid
        assert _kinds_from_schema(conn, objects) == listed


def test_introspect_skips_virtual_table_of_missing_module(tmp_path: Path) -> None:
    # A database made where vec0 was loaded: its columns cannot be read here.
    path = str(tmp_path / "app.db")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE a (x)")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "INSERT INTO sqlite_master VALUES"
        " ('table', 'v', 'v', 0, 'CREATE VIRTUAL TABLE v USING vec0(e float[4])')"
    )
    conn.close()
    with Sandbox(path=path) as box:
        assert table_names(box) == ["a"]


def test_schema_sql() -> None:
    with Sandbox() as box:
        statements = (
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT UNIQUE);",
            "CREATE INDEX t_x ON t (x)  WHERE x IS NOT NULL;",
            "CREATE TRIGGER t AFTER INSERT ON t BEGIN SELECT 1; END;",
            "CREATE VIEW v AS SELECT x FROM t;",
        )
        assert box.apply(migration(*statements)) is None
        assert schema_sql(box.connection) == {
            ("table", "t"): statements[0].rstrip(";"),
            ("index", "t_x"): statements[1].rstrip(";"),
            ("trigger", "t"): statements[2].rstrip(";"),
            ("view", "v"): statements[3].rstrip(";"),
        }


def test_introspect_empty_and_plain_connection() -> None:
    conn = sqlite3.connect(":memory:")
    try:
        snap = introspect(conn)
        assert (snap.tables, snap.views, snap.triggers) == ((), (), ())
    finally:
        conn.close()


def test_close() -> None:
    box = Sandbox()
    with box:
        pass
    with pytest.raises(sqlite3.ProgrammingError):
        box.connection.execute("SELECT 1")


def test_module_doctest() -> None:
    result = doctest.testmod(sandbox_module)
    assert result.attempted > 0 and result.failed == 0


def test_generic_runner_runs_a_file_with_its_own_transaction_as_written() -> None:
    """PRAGMA foreign_keys=OFF before the file's own BEGIN takes effect: no cascade."""
    setup = [Piece(t, None) for t in (
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT REFERENCES p(id) ON DELETE CASCADE)",
        "INSERT INTO p VALUES (1)", "INSERT INTO c VALUES (1, 1)")]
    rebuild = [Piece(t, None) for t in (
        "PRAGMA foreign_keys=OFF", "BEGIN", "CREATE TABLE p2 (id INTEGER PRIMARY KEY)",
        "INSERT INTO p2 (id) SELECT id FROM p", "DROP TABLE p", "ALTER TABLE p2 RENAME TO p",
        "COMMIT", "PRAGMA foreign_keys=ON")]
    with Sandbox("generic", foreign_keys=True) as box:
        assert box.apply(setup) is None
        assert box.apply(rebuild) is None
        assert box.connection.execute("SELECT count(*) FROM c").fetchone()[0] == 1
    with Sandbox("goose", foreign_keys=True) as box:  # goose wraps: the file's BEGIN fails
        assert box.apply(setup) is None
        error = box.apply(rebuild)
        assert error is not None and "within a transaction" in error.message
