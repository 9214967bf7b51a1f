"""Names from migration files cannot inject terminal escapes or workflow commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

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
