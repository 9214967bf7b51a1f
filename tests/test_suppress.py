"""Inline suppressions: which statement a directive covers, file scope, MG006."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_lint.findings import Finding
from migrate_lint.history import History
from migrate_lint.pipeline import load_history
from migrate_lint.suppress import Outcome, apply, collect, parse_directive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" migrate-lint: ignore NN001 -- reason", ("ignore", ("NN001",), "reason")),
        (" migrate-lint: ignore NN001, DL002", ("ignore", ("NN001", "DL002"), "")),
        ("migrate-lint:ignore-file nn001 -- r -- s", ("ignore-file", ("nn001",), "r -- s")),
        (" migrate-lint: ignore", ("ignore", (), "")),
        (" migrate-lint: ignore NN001 ", ("ignore", ("NN001",), "")),
        (" just a comment", None),
        (" migrate-lint is great", None),
    ],
)
def test_parse_directive(text: str, expected: object) -> None:
    assert parse_directive(text) == expected


def _history(tmp_path: Path, files: dict[str, str]) -> History:
    root = tmp_path / "migrations"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    return load_history(str(root))


def _finding(code: str, path: str, history: History, line: int) -> Finding:
    """A finding spanning the statement that starts on ``line`` of ``path``."""
    for migration in history.migrations:
        for stmt in migration.up.statements:
            if stmt.path == path and stmt.span.line == line:
                return Finding(code, code.lower(), "error", "m", stmt.span, statement=stmt.span)
    raise AssertionError(f"no statement on line {line}")


KNOWN = {"NN001", "DL001", "MG006"}


def _apply(findings: list[Finding], history: History) -> Outcome:
    return apply(findings, history, resolve=lambda c: c.upper() if c.upper() in KNOWN else None,
                 active=lambda c: True)


def test_statement_suppression_with_comments_between(tmp_path: Path) -> None:
    history = _history(tmp_path, {"0001_a.sql": (
        "CREATE TABLE t (id integer);\n"
        "-- migrate-lint: ignore NN001 -- empty everywhere\n"
        "-- unrelated note\n"
        "\n"
        "ALTER TABLE t ADD c integer NOT NULL;\n"
        "ALTER TABLE t ADD d integer NOT NULL;\n")})
    path = history.migrations[0].path
    covered = _finding("NN001", path, history, 5)
    other = _finding("NN001", path, history, 6)
    outcome = _apply([covered, other], history)
    assert outcome.kept == (other,)
    assert outcome.suppressed == (covered,)
    assert outcome.unused == ()
    sups, malformed = collect(history)
    assert [s.span.line for s in sups] == [2] and sups[0].reason == "empty everywhere"
    assert not malformed


def test_file_suppression_and_several_codes(tmp_path: Path) -> None:
    history = _history(tmp_path, {"0001_a.sql": (
        "CREATE TABLE t (id integer);\n"
        "DROP TABLE t;\n"
        "-- migrate-lint: ignore-file DL001, NN001 -- scratch table\n")})
    path = history.migrations[0].path
    drop = _finding("DL001", path, history, 2)
    outcome = _apply([drop], history)
    assert outcome.kept == ()
    # NN001 matched nothing in the file: reported on the directive's line
    assert [(f.code, f.span.line) for f in outcome.unused] == [("MG006", 3)]
    assert "NN001" in outcome.unused[0].message


def test_unknown_code_and_wrong_statement(tmp_path: Path) -> None:
    history = _history(tmp_path, {"0001_a.sql": (
        "-- migrate-lint: ignore XX123\n"
        "CREATE TABLE t (id integer);\n"
        "-- migrate-lint: ignore NN001\n"
        "CREATE TABLE u (id integer);\n"
        "ALTER TABLE t ADD c integer NOT NULL;\n")})
    path = history.migrations[0].path
    finding = _finding("NN001", path, history, 5)
    outcome = _apply([finding], history)
    assert outcome.kept == (finding,)
    assert sorted((f.code, f.span.line) for f in outcome.unused) == [("MG006", 1), ("MG006", 3)]
    assert any("XX123" in f.message for f in outcome.unused)


def test_inactive_rule_is_not_reported_unused(tmp_path: Path) -> None:
    history = _history(tmp_path, {"0001_a.sql": (
        "-- migrate-lint: ignore NN001\nCREATE TABLE t (id integer);\n")})
    outcome = apply([], history, resolve=lambda c: c, active=lambda c: c != "NN001")
    assert outcome.unused == ()


def test_trailing_and_missing_codes(tmp_path: Path) -> None:
    history = _history(tmp_path, {"0001_a.sql": (
        "CREATE TABLE t (id integer);\n"
        "ALTER TABLE t ADD c integer NOT NULL; -- migrate-lint: ignore NN001\n"
        "-- migrate-lint: ignore\n"
        "CREATE TABLE u (id integer);\n")})
    path = history.migrations[0].path
    finding = _finding("NN001", path, history, 2)
    outcome = _apply([finding], history)
    assert outcome.kept == ()
    assert [(f.code, f.span.line) for f in outcome.unused] == [("MG006", 3)]


def test_check_file_reads_the_directives_its_findings_can_meet(tmp_path: Path) -> None:
    """`check FILE` reads the directives of the file's migrations only (a directive
    covers findings in its own file): the findings, the suppressed count and the
    unused-suppression findings are those the whole run has in that file, from the
    cache too (where the old migrations' comments are read on demand)."""
    from migrate_lint.config import Config
    from migrate_lint.lint import lint
    from migrate_lint.lintcache import CacheChoice

    root = tmp_path / "migrations"
    root.mkdir()
    files = {
        "0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n"
                         "CREATE TABLE u (id integer PRIMARY KEY);\n"
                         "CREATE TABLE w (id integer PRIMARY KEY);\n",
        "0002_add.sql": "-- migrate-lint: ignore-file DL001 -- old tables go\n"
                        "-- migrate-lint: ignore NN001 -- empty table\n"
                        "ALTER TABLE t ADD a integer NOT NULL;\nDROP TABLE u;\n",
        "0003_more.sql": "ALTER TABLE t ADD c integer NOT NULL;\n"
                         "-- migrate-lint: ignore NN001, XX999\nCREATE TABLE x (id integer);\n"
                         "-- migrate-lint: ignore DL001\nDROP TABLE w;\n",
        "0004_last.sql": "DROP TABLE t;\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    config = Config(path=str(root))
    whole = lint([str(root)], config)
    assert whole.suppressed == 3 and any(f.code == "MG006" for f in whole.findings)
    choice = CacheChoice(str(tmp_path / "cache"))
    lint([str(root)], config, cache=choice)  # keeps a checkpoint to resume from
    for name in files:
        path = str(root / name)
        expected = [f for f in whole.findings if f.path == path]
        for cache in (None, choice):
            alone = lint([path], config, cache=cache)
            assert list(alone.findings) == expected, (name, cache)
            silenced = lint([str(root)], config).suppressed - lint(
                [str(root / n) for n in files if n != name], config).suppressed
            assert alone.suppressed == silenced, (name, cache)
