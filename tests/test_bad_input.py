"""Bad input never ends in a traceback: one line naming the path, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli


def _make(kind: str, tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    if kind == "missing":
        return root
    root.mkdir()
    if kind == "not-utf8":
        (root / "0001_a.sql").write_bytes(b"CREATE TABLE t (name TEXT DEFAULT '\xe9');\n")
    elif kind == "binary":
        (root / "0001_a.sql").write_bytes(b"SQLite format 3\x00\x10\x00\x01\x01")
    elif kind == "unrelated":
        (root / "notes.txt").write_text("hello\n")
        (root / "logo.png").write_bytes(b"\x89PNG\r\n")
    return root


@pytest.mark.parametrize("command", ["check", "schema"])
@pytest.mark.parametrize("kind", ["missing", "empty", "not-utf8", "binary", "unrelated"])
def test_bad_input_is_one_line_naming_the_path_and_exit_2(
    command: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = _make(kind, tmp_path)
    result = CliRunner().invoke(cli, [command, str(root)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(root) in lines[0] or root.name in lines[0]
    assert "Traceback" not in result.output
