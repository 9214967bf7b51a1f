"""Names from migration files cannot inject terminal escapes or workflow commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate_lint.cli import cli

ESC = "\x1b"
HOSTILE = f"t{ESC}[2J{ESC}]0;owned\x07\n::error file=x::forged"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    root.mkdir()
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    (root / "0001_init.sql").write_text(f"CREATE TABLE {quoted} (id integer PRIMARY KEY);\n")
    (root / "0002_add.sql").write_text(f"ALTER TABLE {quoted} ADD c integer NOT NULL;\n")
    return root


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_no_control_character_reaches_the_output(root: Path, fmt: str) -> None:
    result = CliRunner().invoke(cli, ["check", str(root), "--format", fmt, "--no-color"]
                                if fmt == "text" else ["check", str(root), "--format", fmt])
    assert result.exit_code == 1, result.output
    assert "NN001" in result.stdout
    assert ESC not in result.stdout and "\x07" not in result.stdout
    # every line of GitHub output is one workflow command of ours; none is forged
    if fmt == "github":
        lines = result.stdout.splitlines()
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
        assert not any(line.startswith("::error file=x::") for line in lines)
    else:
        assert "\\x1b[2J" in result.stdout


def test_one_escaper_for_reports_and_generated_comments() -> None:
    """The reporters' `visible` and the fixer's comment filter are the same function."""
    from migrate_lint import escape, report
    from migrate_lint.fix import sqltext

    assert report.visible is escape.visible
    name = "t\n\r\x0b\x0c\x85\u2028\u2029" + ESC + "[31m\x00\U0001f600\U000e0001"
    assert sqltext.comment_text(name) == escape.visible(name)


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_nothing_escaped_can_end_a_comment(name: str) -> None:
    """After `-- ` the escaped text is one line SQLite reads as comment to its end:
    the statement after it is the only one that runs."""
    import sqlite3

    from migrate_lint.escape import visible

    shown = visible(name)
    assert shown.isprintable()
    assert len(f"-- {shown}".splitlines()) == 1
    conn = sqlite3.connect(":memory:")
    try:
        rows = conn.execute(f"-- {shown}\nSELECT 1").fetchall()
        assert rows == [(1,)]
        assert sqlite3.complete_statement(f"SELECT 1; -- {shown}\n")
    finally:
        conn.close()
