"""`migrate-lint schema --verify`: it must say when the model and SQLite part ways.

Agreement on correct histories is checked elsewhere (test_agreement, test_replay_property);
here the point is that the comparison can fail: a model that misses one object, or a
migration SQLite refuses, is reported at the migration where it happens, with exit 1.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_replay_property import histories

from migrate_lint.cli import cli
from migrate_lint.pipeline import load_history
from migrate_lint.replay import Timeline, replay
from migrate_lint.verify import verify


def _write(root: Path, migrations: list[list[str]]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for number, statements in enumerate(migrations, 1):
        (root / f"{number:04d}_step.sql").write_text(";\n".join(statements) + ";\n")


def _model_of_a_against(model: Path, applied: Path) -> Timeline:
    """The replayed model of ``model`` set to be checked against the history in ``applied``."""
    timeline = replay(load_history(model))
    timeline.history = load_history(applied)
    return timeline


BASE = [["CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)"],
        ["ALTER TABLE t ADD COLUMN b INTEGER"],
        ["CREATE INDEX t_b ON t (b)"]]


def test_agreement_is_reported_with_the_number_of_migrations(tmp_path: Path) -> None:
    _write(tmp_path, BASE)
    result = CliRunner().invoke(cli, ["schema", str(tmp_path), "--verify"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "the model agrees with SQLite after each of 3 migrations"


def test_a_migration_sqlite_refuses_is_named_with_its_statement(tmp_path: Path) -> None:
    _write(tmp_path, [*BASE[:2], ["CREATE INDEX t_a ON t (a)", "ALTER TABLE t ADD c TEXT UNIQUE"]])
    result = CliRunner().invoke(cli, ["schema", str(tmp_path), "--verify"])
    assert result.exit_code == 1
    assert "SQLite refused migration 0003_step: " in result.stderr
    assert "0003_step.sql:2:1: Cannot add a UNIQUE column" in result.stderr
    assert result.stdout == ""


def test_a_model_missing_a_column_is_reported_at_that_migration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "model", BASE)
    _write(tmp_path / "real", [BASE[0], [*BASE[1], "ALTER TABLE t ADD COLUMN ghost TEXT"], BASE[2]])
    tampered = _model_of_a_against(tmp_path / "model", tmp_path / "real")
    monkeypatch.setattr("migrate_lint.cli.schema_cmd.replay", lambda history, upto: tampered)
    result = CliRunner().invoke(cli, ["schema", str(tmp_path / "real"), "--verify"])
    assert result.exit_code == 1
    assert "the model and SQLite disagree after 0002_step" in result.stderr
    assert "t.columns" in result.stderr and "ghost" in result.stderr


def test_verify_with_at_checks_the_migrations_up_to_that_version(tmp_path: Path) -> None:
    _write(tmp_path, [*BASE, ["ALTER TABLE t ADD d TEXT UNIQUE"]])  # 0004 fails on SQLite
    result = CliRunner().invoke(cli, ["schema", str(tmp_path), "--verify", "--at", "0002"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "the model agrees with SQLite after each of 2 migrations"


@st.composite
def extra_objects(draw: st.DrawFn, tables: dict[str, str]) -> tuple[str, str]:
    """One more schema object on ``tables`` (name -> a column): its statement and name."""
    if not tables:  # every table was dropped by then
        return "CREATE TABLE zz_extra (id INTEGER PRIMARY KEY)", "zz_extra"
    table = draw(st.sampled_from(sorted(tables)))
    column = tables[table]
    return draw(st.sampled_from([
        f"ALTER TABLE {table} ADD COLUMN zz_extra INTEGER",
        f"CREATE INDEX zz_extra ON {table} ({column})",
        f"CREATE VIEW zz_extra AS SELECT {column} FROM {table}",
        f"CREATE TRIGGER zz_extra AFTER INSERT ON {table} BEGIN SELECT 1; END",
        "CREATE TABLE zz_extra (id INTEGER PRIMARY KEY)",
    ])), "zz_extra"


def _tables_after(migrations: list[list[str]], upto: int) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), migrations[: upto + 1])
        final = replay(load_history(Path(tmp))).final
        return {t.name: t.columns[0].name for t in final.tables.values()}


@settings(max_examples=60, deadline=None)
@given(migrations=histories(), data=st.data())
def test_one_object_the_model_lacks_is_found_after_its_migration(
        migrations: list[list[str]], data: st.DataObject) -> None:
    """Random histories agree; one extra object on the SQLite side is caught where it is made."""
    index = data.draw(st.integers(0, len(migrations) - 1))
    statement, name = data.draw(extra_objects(_tables_after(migrations, index)))
    real = [list(m) for m in migrations]
    real[index].append(statement)
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp) / "model", migrations)
        _write(Path(tmp) / "real", real)
        assert verify(replay(load_history(Path(tmp) / "model"))).ok
        result = verify(_model_of_a_against(Path(tmp) / "model", Path(tmp) / "real"))
    assert not result.failure, (statement, result.failure)
    assert result.label == f"{index + 1:04d}_step", (statement, result)
    assert result.migrations == index + 1
    assert name in result.difference, result.difference
