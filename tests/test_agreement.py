"""The replayed model must agree with SQLite itself after every migration."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, corpus_path

from migrate_lint.pipeline import load_history
from migrate_lint.replay import replay
from migrate_lint.verify import verify


def assert_agrees_after_every_migration(root: Path) -> int:
    """Replay ``root`` and apply it to SQLite; compare after each migration."""
    timeline = replay(load_history(root))
    result = verify(timeline)
    assert not result.failure, f"{result.label} failed on SQLite: {result.failure}"
    assert not result.difference, f"after {result.label}:\n{result.difference}"
    assert result.migrations == result.total
    return result.total


def test_opencode_agrees_after_each_of_33_migrations() -> None:
    assert assert_agrees_after_every_migration(corpus_path("opencode", "migration")) == 33


def test_karakeep_agrees_after_each_of_94_migrations() -> None:
    root = corpus_path("karakeep", "packages", "db", "drizzle")
    assert assert_agrees_after_every_migration(root) == 94


@pytest.mark.parametrize(
    "layout",
    ["dbmate", "diesel", "drizzle", "flat", "flyway", "folder", "goose", "prisma", "updown"],
)
def test_each_layout_fixture_agrees(layout: str) -> None:
    assert assert_agrees_after_every_migration(FIXTURES / "layouts" / layout) >= 2


def test_constructs_fixture_agrees() -> None:
    """STRICT, WITHOUT ROWID, AUTOINCREMENT, generated, COLLATE, CHECK, FK actions,
    partial and expression indexes, triggers, views, FTS5, renames, drop column,
    temp tables, CREATE ... AS SELECT and a drizzle-style rebuild."""
    assert assert_agrees_after_every_migration(FIXTURES / "constructs") == 4


def test_no_statement_of_the_constructs_is_misunderstood() -> None:
    history = load_history(FIXTURES / "constructs")
    assert [d for d in history.diagnostics if d.code != "MG000"] == []
    final = replay(history).final
    assert all(t.incomplete is None for t in final.tables.values())


def test_schema_verify_command_reports_agreement_and_unknown_functions(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from migrate_lint.cli import cli

    ok = CliRunner().invoke(cli, ["schema", str(FIXTURES / "constructs"), "--verify"])
    assert ok.exit_code == 0 and "after each of 4 migrations" in ok.stdout
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE t (id TEXT DEFAULT (app_uuid()));\n"
                                          "INSERT INTO t DEFAULT VALUES;\n")
    bad = CliRunner().invoke(cli, ["schema", str(tmp_path), "--verify"])
    assert bad.exit_code == 1 and "app_uuid" in bad.stderr and "0001_a.sql:2" in bad.stderr
    good = CliRunner().invoke(cli, ["schema", str(tmp_path), "--verify",
                                    "--sql-function", "app_uuid"])
    assert good.exit_code == 0, good.stderr


def _history(root: Path, migrations: list[str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for number, sql in enumerate(migrations, 1):
        (root / f"{number:04d}_step.sql").write_text(sql)
    return root


def test_a_rename_that_changes_only_the_case_is_modelled(tmp_path: Path) -> None:
    """SQLite accepts `RENAME COLUMN bodyText TO bodytext` and rewrites the index too."""
    root = _history(tmp_path, [
        "CREATE TABLE note (id integer PRIMARY KEY, bodyText text, other text);\n"
        "CREATE INDEX note_body ON note (bodyText);\n",
        "ALTER TABLE note RENAME COLUMN bodyText TO bodytext;\n",
        "ALTER TABLE note RENAME COLUMN other TO BodyText;\n",  # now a real duplicate
    ])
    timeline = replay(load_history(root))
    assert [s.error for s in timeline.steps[2:]] == [
        None, "error in table note after rename: duplicate column name: BodyText"]
    note = timeline.after_migration(1).table("note")
    assert note is not None and [c.name for c in note.columns] == ["id", "bodytext", "other"]
    result = verify(replay(load_history(root), upto=2))
    assert result.ok, result.difference or result.failure


def test_create_table_as_select_is_modelled_as_sqlite_makes_it(tmp_path: Path) -> None:
    """Names from the result columns (`a:1` for a repeat), types from affinity, and no
    constraint, key or default; verify compares it (it no longer skips the table)."""
    import sqlite3

    root = _history(tmp_path, [
        "CREATE TABLE t (id integer PRIMARY KEY, a varchar(10) NOT NULL DEFAULT 'x',\n"
        "  b boolean UNIQUE, c, d real, g datetime);\n"
        "CREATE VIEW v AS SELECT a, b + 1 AS bb FROM t;\n",
        "CREATE TABLE x AS SELECT id, a, b + 1, CAST(d AS text), 'lit', a, * FROM t;\n"
        "CREATE TABLE y AS SELECT * FROM v;\n"
        "CREATE TABLE z AS SELECT count(*) AS n, max(g) FROM t GROUP BY c;\n",
    ])
    timeline = replay(load_history(root))
    final = timeline.final
    db = sqlite3.connect(":memory:")
    for path in sorted(root.glob("*.sql")):
        db.executescript(path.read_text())
    for name in ("x", "y", "z"):
        table = final.table(name)
        assert table is not None and table.incomplete is None
        real = [(r[1], r[2], bool(r[3]), r[4], r[5])
                for r in db.execute(f"PRAGMA table_xinfo({name})")]
        assert [(c.name, c.type, c.notnull, c.default, c.pk) for c in table.columns] == real
        assert table.keys == () and table.foreign_keys == ()
    x = final.table("x")
    assert x is not None and [c.name for c in x.columns][:7] == [
        "id", "a", "b + 1", "CAST(d AS text)", "'lit'", "a:1", "id:1"]
    result = verify(timeline)
    assert result.ok, result.difference or result.failure


def test_create_table_as_select_with_an_app_function_stays_incomplete(tmp_path: Path) -> None:
    root = _history(tmp_path, ["CREATE TABLE t (a text);\n"
                               "CREATE TABLE x AS SELECT app_slug(a) AS s FROM t;\n"])
    table = replay(load_history(root)).final.table("x")
    assert table is not None and table.incomplete is not None
