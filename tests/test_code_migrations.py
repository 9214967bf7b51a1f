"""Code migrations in the SQL sequence (goose `.go` files): found, reported, and not
mistaken for "fails on every database" when a later statement needs what they made."""

from __future__ import annotations

from pathlib import Path

from conftest import corpus_path

from migrate_lint.config import Config
from migrate_lint.discover import discover
from migrate_lint.lint import lint


def _goose(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


HISTORY = {
    "00001_init.sql": "-- +goose Up\nCREATE TABLE t (id integer PRIMARY KEY, a text);\n",
    "00002_import.go": "package migrations\n",
    "00003_after.sql": (
        "-- +goose Up\n"
        "CREATE INDEX made_a ON made_by_code (a);\n"  # 2: may exist: info
        "DROP TABLE t;\n"  # 3: fine
        "DROP TABLE t;\n"  # 4: dropped by SQL after the code ran: error
    ),
    "migration.go": "package migrations\n",  # no version: package code, not a migration
    "00004_x_test.go": "package migrations\n",  # goose skips tests
}


def test_goose_discovers_go_migrations_in_version_order(tmp_path: Path) -> None:
    found = discover(_goose(tmp_path, HISTORY))
    assert found.layout == "goose"
    assert [(m.label, m.code) for m in found.migrations] == [
        ("00001_init", ""), ("00002_import", "go"), ("00003_after", "")]


def test_go_files_are_not_migrations_outside_goose(tmp_path: Path) -> None:
    _goose(tmp_path, {"0001_init.sql": "CREATE TABLE t (id integer);\n",
                      "0002_hook.go": "package migrations\n"})
    assert [m.label for m in discover(tmp_path).migrations] == ["0001_init"]


def test_a_missing_object_after_a_code_migration_is_info_naming_it(tmp_path: Path) -> None:
    root = _goose(tmp_path, HISTORY)
    findings = lint([str(root)], Config(path=str(root))).findings
    got = sorted((Path(f.path).name, f.span.line, f.code, f.severity) for f in findings
                 if f.code in ("MG007", "SQ007"))
    assert got == [("00002_import.go", 1, "MG007", "info"),
                   ("00003_after.sql", 2, "SQ007", "info"),
                   ("00003_after.sql", 4, "SQ007", "error")]
    maybe = next(f for f in findings if f.severity == "info" and f.code == "SQ007")
    assert "00002_import.go" in maybe.message
    assert [Path(r.span.path).name for r in maybe.related] == ["00002_import.go"]


def test_navidrome_reports_its_go_migrations_and_no_sq007_error() -> None:
    root = corpus_path("realworld", "navidrome", "db", "migrations")
    findings = lint([str(root)], Config(path=str(root))).findings
    assert sum(f.code == "MG007" for f in findings) == 95
    assert [f for f in findings if f.code == "SQ007" and f.severity == "error"] == []
    assert all(".go`" in f.message for f in findings if f.code == "SQ007")


def test_verify_names_the_code_migration_it_cannot_bridge(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from migrate_lint.cli import cli

    root = _goose(tmp_path, {
        "00001_init.sql": "-- +goose Up\nCREATE TABLE t (id integer PRIMARY KEY);\n",
        "00002_create_u.go": "package migrations\n",
        "00003_index_u.sql": "-- +goose Up\nCREATE INDEX u_a ON u (a);\n",
    })
    result = CliRunner().invoke(cli, ["schema", str(root), "--verify"])
    assert result.exit_code == 0, result.stderr
    assert "after each of 2 of 3 migrations" in result.stdout
    assert "00002_create_u.go" in result.stdout and "no such table: main.u" in result.stdout


def test_verify_still_fails_where_the_model_did_not_predict_the_refusal(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from migrate_lint.cli import cli

    root = _goose(tmp_path, {
        "00001_init.sql": "-- +goose Up\nCREATE TABLE t (id integer PRIMARY KEY);\n",
        "00002_code.go": "package migrations\n",
        "00003_bad.sql": "-- +goose Up\nALTER TABLE t ADD c TEXT UNIQUE;\n",
    })
    result = CliRunner().invoke(cli, ["schema", str(root), "--verify"])
    assert result.exit_code == 1
    assert "Cannot add a UNIQUE column" in result.stderr


def test_a_parent_a_code_migration_may_have_made_is_info(tmp_path: Path) -> None:
    root = _goose(tmp_path, {
        "00001_init.sql": "-- +goose Up\nCREATE TABLE t (id integer PRIMARY KEY);\n",
        "00002_create_lib.go": "package migrations\n",
        "00003_child.sql": "-- +goose Up\n"
                           "CREATE TABLE c (id integer PRIMARY KEY, l integer REFERENCES lib);\n",
        "00004_other.sql": "-- +goose Up\nDROP TABLE t;\n"
                           "CREATE TABLE d (id integer PRIMARY KEY, x integer REFERENCES t);\n",
    })
    findings = lint([str(root)], Config(path=str(root))).findings
    got = sorted((Path(f.path).name, f.severity) for f in findings if f.code == "FK001")
    # `lib` may come from the Go code; `t` was dropped by SQL after it: certain
    assert got == [("00003_child.sql", "info"), ("00004_other.sql", "error")]
