"""Lines are counted one way everywhere: a break is \\r\\n, a lone \\r or \\n, as editors
and Python's parser count them. Spans, the source lines a report shows, and the
positions of insert sites in application code all agree, also for files written with
lone CRs or holding form feeds and U+2028 in strings and comments (which
``str.splitlines`` would take for breaks)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from migrate_lint.cli import cli
from migrate_lint.span import LineIndex, split_lines


def _reference(text: str, offset: int) -> tuple[int, int]:
    """(line, column) of ``offset``, counted from scratch."""
    before = text[:offset]
    breaks = list(re.finditer(r"\r\n?|\n", before))
    if breaks and breaks[-1].group() == "\r" and text[offset:offset + 1] == "\n":
        breaks.pop()  # offset is the \n of a \r\n: still the line the \r ended
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - start + 1


@given(st.text(alphabet="ab\r\n\x0c\u2028", max_size=40))
def test_line_index_and_split_lines_agree(text: str) -> None:
    index = LineIndex("t.sql", text)
    lines = split_lines(text)
    for offset, char in enumerate(text):
        line, col = index.position(offset)
        if char not in "\r\n":
            assert (line, col) == _reference(text, offset)
            assert lines[line - 1][col - 1] == char


def _check(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["check", str(root / "migrations"), "--no-cache",
                                      *args])
    assert result.exit_code == 1, result.output
    return result.output


def test_a_migration_written_with_lone_crs_is_reported_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_init.sql").write_bytes(
        b"CREATE TABLE t (id integer);\rINSERT INTO t VALUES (1);\r")
    (tmp_path / "migrations" / "0002_add.sql").write_bytes(
        # no `--` comment: SQLite ends one at \n only, so it would run to the end
        b"/* one */\rSELECT 1;\r\rALTER TABLE t ADD b integer NOT NULL;\r")
    out = _check(tmp_path)
    assert "0002_add.sql:4:19: error NN001" in out
    assert "4 | ALTER TABLE t ADD b integer NOT NULL;" in out


def test_a_form_feed_in_a_comment_does_not_shift_the_shown_line(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_init.sql").write_text(
        "CREATE TABLE t (id integer);\nINSERT INTO t VALUES (1);\n")
    (tmp_path / "migrations" / "0002_add.sql").write_text(
        "-- page\x0cbreak \u2028 here\n\nALTER TABLE t ADD b integer NOT NULL;\n")
    out = _check(tmp_path)
    assert "0002_add.sql:3:19: error NN001" in out
    assert "3 | ALTER TABLE t ADD b integer NOT NULL;" in out


def test_insert_sites_in_files_with_lone_crs(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_init.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY, a text NOT NULL);\n")
    app = tmp_path / "app"
    app.mkdir()
    python = 'import sqlite3\r\r\rdef f(db):\r    # c\r    db.execute("INSERT INTO t (id) VALUES (1)")\r'
    (app / "a.py").write_bytes(python.encode())
    (app / "c.ts").write_bytes(
        b"const x = 1;\r\r\rawait db.run(sql`INSERT INTO t (id) VALUES (1)`);\r")
    call = next(n for n in ast.walk(ast.parse(python)) if isinstance(n, ast.Call)
                and getattr(n.func, "attr", "") == "execute")
    out = _check(tmp_path, "--insert-paths", str(app))
    assert f"a.py:{call.lineno}:{call.col_offset + 12}: error NN002" in out
    assert call.lineno == 6
    assert "c.ts:4:" in out
