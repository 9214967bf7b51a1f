"""goose `-- +goose StatementBegin` ... `StatementEnd` blocks holding several statements.

goose sends a block to the driver as one Exec and the Go SQLite drivers run every
statement in it. The oracle here is a Go-free imitation of that: a small reading of
the file the way goose's parser reads it, then ONE ``executescript`` per block (and per
plain statement) on a real sqlite3. The linter's replayed model and its sandbox (what
``schema --verify`` runs) must agree with it, and every statement inside a block must
be read on its own, with its exact position.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from conftest import corpus_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.pipeline import load_history
from migrate_lint.replay import replay
from migrate_lint.sandbox import Sandbox, introspect
from migrate_lint.verify import snapshot_difference, verify

_ANNOTATION = re.compile(r"^\s*--\s*\+goose\s+(\w+)", re.I)


def goose_units(text: str) -> list[str]:
    """The texts goose execs for the Up part of ``text``: a block whole, else a
    statement ending at a line that ends with ``;`` (goose's sqlparser)."""
    units: list[str] = []
    buffer: list[str] = []
    up = in_block = False
    for line in text.splitlines(keepends=True):
        match = _ANNOTATION.match(line)
        command = match.group(1).lower() if match else ""
        if command in ("up", "down"):
            up = command == "up"
            continue
        if not up:
            continue
        if command == "statementbegin":
            in_block = True
            continue
        if command == "statementend":
            units.append("".join(buffer))
            buffer, in_block = [], False
            continue
        buffer.append(line)
        if not in_block and line.rstrip().endswith(";"):
            units.append("".join(buffer))
            buffer = []
    if "".join(buffer).strip():
        units.append("".join(buffer))
    return [u for u in units if u.strip()]


def imitate(files: list[str]) -> tuple[sqlite3.Connection, tuple[int, str] | None]:
    """Run each file's units with one ``executescript`` each; the first failure stops."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for number, text in enumerate(files):
        for unit in goose_units(text):
            try:
                conn.executescript(unit)
            except sqlite3.Error as err:
                return conn, (number, str(err))
    return conn, None


def _write(root: Path, files: list[str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for number, text in enumerate(files, 1):
        (root / f"{number:05d}_step.sql").write_text(text)


def check_against_imitation(root: Path, files: list[str]) -> None:
    """The model, the sandbox and the executescript imitation end in the same place."""
    _write(root, files)
    history = load_history(root)
    assert history.runner == "goose"
    assert [d.code for d in history.diagnostics if d.code in ("MG001", "MG002")] == []
    timeline = replay(history)
    real, failure = imitate(files)
    result = verify(timeline)
    if failure is None:
        assert result.ok, (result.failure, result.difference)
        model = timeline.after_migration(len(files) - 1).snapshot()
        assert snapshot_difference(model, introspect(real)) == ""
    else:
        number, message = failure
        assert result.failure.endswith(message) and result.migrations == number, (
            result, failure)


BLOCKS = [
    # several statements in one block, one of them a trigger whose body holds `;`
    "-- +goose Up\n-- +goose StatementBegin\n"
    "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE INDEX artist_name ON artist (name);\n"
    "CREATE TABLE log (msg TEXT);\n"
    "CREATE TRIGGER artist_log AFTER INSERT ON artist BEGIN\n"
    "  INSERT INTO log VALUES ('new; artist');\n"
    "  UPDATE log SET msg = CASE WHEN msg IS NULL THEN '' ELSE msg END;\n"
    "END;\n"
    "INSERT INTO artist (name) VALUES ('a');\n"
    "-- +goose StatementEnd\n\n"
    "-- +goose Down\n-- +goose StatementBegin\nDROP TABLE artist;\n-- +goose StatementEnd\n",
    # a block holding one ALTER TABLE ... ADD COLUMN, with its `;`
    "-- +goose Up\n-- +goose StatementBegin\n"
    "ALTER TABLE artist ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';\n"
    "-- +goose StatementEnd\n",
    # a rebuild in one block, the last statement without `;`, then a plain statement
    "-- +goose Up\n-- +goose StatementBegin\n"
    "CREATE TABLE artist_tmp (id INTEGER PRIMARY KEY, name TEXT NOT NULL, sort_name TEXT);\n"
    "INSERT INTO artist_tmp SELECT id, name, sort_name FROM artist;\n"
    "DROP TABLE artist;\n"
    "ALTER TABLE artist_tmp RENAME TO artist\n"
    "-- +goose StatementEnd\n"
    "CREATE INDEX artist_sort ON artist (sort_name);\n",
]


def test_blocks_agree_with_one_executescript_per_block(tmp_path: Path) -> None:
    check_against_imitation(tmp_path, BLOCKS)


def test_every_statement_in_a_block_has_its_own_exact_span(tmp_path: Path) -> None:
    _write(tmp_path, BLOCKS)
    history = load_history(tmp_path)
    first, second, third = history.migrations
    assert [s.kind for s in first.up.statements] == [
        "create_table", "create_index", "create_table", "create_trigger", "insert"]
    assert [s.kind for s in third.up.statements] == [
        "create_table", "insert", "drop_table", "alter_table", "create_index"]
    for migration in history.migrations:
        text = history.texts[migration.path]
        for statement in migration.up.statements:
            assert text[statement.span.start : statement.span.end] == statement.text
            assert statement.problem is None
            assert sqlite3.complete_statement(statement.text + ";")
    trigger = first.up.statements[3]
    assert (trigger.span.line, trigger.span.end_line) == (6, 9)
    # the blocks are known as blocks; the statement after the third block is not in one
    assert len({s.block for s in first.up.statements}) == 1
    assert third.up.statements[0].block is not None and third.up.statements[-1].block is None
    assert second.up.statements[0].block is not None


def test_a_failing_statement_fails_its_block_where_sqlite_fails_it(tmp_path: Path) -> None:
    bad = ("-- +goose Up\n-- +goose StatementBegin\n"
           "ALTER TABLE artist ADD COLUMN a TEXT;\n"
           "ALTER TABLE artist ADD COLUMN b TEXT UNIQUE;\n"
           "ALTER TABLE artist ADD COLUMN c TEXT;\n"
           "-- +goose StatementEnd\n")
    check_against_imitation(tmp_path, [BLOCKS[0], bad])
    result = verify(replay(load_history(tmp_path)))
    assert result.failure == (f"{tmp_path / '00002_step.sql'}:4:1: Cannot add a UNIQUE column")
    # the block failed as one: its first statement's column is not left behind
    with Sandbox("goose") as box:
        history = load_history(tmp_path)
        assert box.apply(history.migrations[0].up.statements) is None
        assert box.apply(history.migrations[1].up.statements) is not None
        assert [c.name for c in box.snapshot().tables[0].columns] == ["id", "name"]


def test_a_missing_semicolon_inside_a_block_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, ["-- +goose Up\n-- +goose StatementBegin\n"
                      "CREATE TABLE a (x)\nCREATE TABLE b (y);\n-- +goose StatementEnd\n"])
    history = load_history(tmp_path)
    assert [d.code for d in history.diagnostics] == ["MG002"]
    _conn, failure = imitate([history.texts[history.migrations[0].path]])
    assert failure is not None  # SQLite refuses the block too


# Statements that are valid after the fixed base table, any number of them per block.
_BASE = "-- +goose Up\nCREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
_STATEMENTS = [
    "CREATE TABLE u{n} (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id))",
    "ALTER TABLE t ADD COLUMN c{n} INTEGER NOT NULL DEFAULT {n}",
    "CREATE INDEX t_a{n} ON t (a)",
    "INSERT INTO t (a) VALUES ('x;{n}')",
    "CREATE TRIGGER tr{n} AFTER UPDATE ON t BEGIN\n  UPDATE t SET a = a WHERE id = -{n};\nEND",
    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3)\n"
    "INSERT INTO t (a) SELECT 'k' || i FROM k",
    "CREATE VIEW v{n} AS SELECT a FROM t",
    "ALTER TABLE t RENAME COLUMN a TO a{n}",  # fails later statements naming `a`: fine
]


@st.composite
def goose_files(draw: st.DrawFn) -> list[str]:
    files = [_BASE]
    serial = 0
    for _ in range(draw(st.integers(1, 3))):
        parts = ["-- +goose Up\n"]
        for _ in range(draw(st.integers(1, 3))):
            picked = draw(st.lists(st.sampled_from(_STATEMENTS), min_size=1, max_size=4))
            body = []
            for template in picked:
                serial += 1
                body.append(template.format(n=serial))
            last = "" if draw(st.booleans()) else ";"
            # goose itself cuts a trigger outside a block at its inner `;`
            if draw(st.booleans()) or any("TRIGGER" in b for b in body):
                parts.append("-- +goose StatementBegin\n" + ";\n".join(body) + last
                             + "\n-- +goose StatementEnd\n")
            else:
                parts.append("".join(f"{b};\n" for b in body))
        files.append("".join(parts))
    return files


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=goose_files())
def test_random_blocks_agree_with_the_imitation(
        files: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    check_against_imitation(tmp_path_factory.mktemp("goose"), files)


def _sqlite_statements(unit: str) -> list[str]:
    """``unit``'s statements where SQLite's tokenizer ends them, without the gaps."""
    out: list[str] = []
    start = 0
    for end in (i for i, c in enumerate(unit) if c == ";"):
        if sqlite3.complete_statement(unit[start : end + 1]):
            out.append(unit[start:end])
            start = end + 1
    out.append(unit[start:])
    kept = []
    for chunk in out:
        body = re.sub(r"^(?:\s|--[^\n]*\n?|/\*.*?\*/)*", "", chunk, flags=re.S).rstrip()
        if body:
            kept.append(body)
    return kept


def test_navidrome_blocks_split_where_sqlite_splits_them() -> None:
    # navidrome's tables come from Go migrations, so its files cannot run alone;
    # but each of its goose units must come apart exactly where SQLite cuts it.
    root = corpus_path("realworld", "navidrome", "db", "migrations")
    history = load_history(root)
    assert [d for d in history.diagnostics if d.code in ("MG001", "MG002")] == []
    blocks = 0
    for migration in history.migrations:
        text = history.texts.get(migration.path)
        if text is None:
            continue  # a Go migration
        expected = [s for unit in goose_units(text) for s in _sqlite_statements(unit)]
        assert [s.text for s in migration.up.statements] == expected, migration.label
        blocks += len({s.block for s in migration.up.statements if s.block is not None})
    assert blocks >= 12  # the StatementBegin blocks of navidrome's Up parts
