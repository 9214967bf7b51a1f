"""Statement splitting and exact positions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import corpus_path
from hypothesis import given
from hypothesis import strategies as st

from migrate_lint.parse import read_sections
from migrate_lint.pipeline import load_history
from migrate_lint.source import Section
from migrate_lint.span import LineIndex
from migrate_lint.split import split_section
from migrate_lint.tokens import unclosed


def _split(text: str) -> tuple[list[str], list[str]]:
    result = split_section(Section("f.sql", text, 0, len(text)), LineIndex("f.sql", text))
    return [text[s.start : s.end] for s in result.statements], [d.code for d in result.diagnostics]


def test_trigger_body_stays_whole_with_inner_case_end() -> None:
    text = (
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "  UPDATE a SET x = CASE WHEN 1 THEN 2 END;\n"
        "  DELETE FROM b;\nEND;\nSELECT 1;"
    )
    statements, codes = _split(text)
    assert len(statements) == 2 and statements[0].endswith("END") and codes == []
    assert sqlite3.complete_statement(statements[0] + ";")


def test_strings_comments_and_quoted_identifiers_hide_semicolons() -> None:
    text = "INSERT INTO \"a;b\" VALUES ('x;y'); -- c;d\n/* e;f */ SELECT `g;h`;"
    statements, _ = _split(text)
    assert statements == ["INSERT INTO \"a;b\" VALUES ('x;y')", "SELECT `g;h`"]


def test_drizzle_breakpoint_separates_even_without_semicolon() -> None:
    text = "CREATE TABLE a (x)\n--> statement-breakpoint\nCREATE TABLE b (y);--> statement-breakpoint\n"
    statements, codes = _split(text)
    assert statements == ["CREATE TABLE a (x)", "CREATE TABLE b (y)"] and codes == []


def test_goose_statement_block_keeps_inner_semicolons() -> None:
    text = (
        "-- +goose StatementBegin\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "  SELECT 1;\nEND;\n-- +goose StatementEnd\nSELECT 2;"
    )
    statements, _ = _split(text)
    assert len(statements) == 2 and statements[1] == "SELECT 2"


def test_missing_semicolon_is_detected_and_split() -> None:
    text = "CREATE TABLE a (x)\nCREATE INDEX i ON a (x);"
    statements, codes = _split(text)
    assert codes == ["MG002"] and statements == ["CREATE TABLE a (x)", "CREATE INDEX i ON a (x)"]


def test_on_delete_and_do_update_are_not_statement_starts() -> None:
    text = (
        "CREATE TABLE a (x REFERENCES b(id)\nON DELETE CASCADE);\n"
        "INSERT INTO a VALUES (1) ON CONFLICT (x) DO\nUPDATE SET x = 2;"
    )
    _, codes = _split(text)
    assert codes == []


def test_crlf_positions() -> None:
    text = "SELECT 1;\r\nCREATE TABLE t (\r\n  a INT\r\n);\r\n"
    result = split_section(Section("f.sql", text, 0, len(text)), LineIndex("f.sql", text))
    second = result.statements[1]
    script, _ = read_sections([Section("f.sql", text, 0, len(text))], {})
    span = script.statements[1].span
    assert (span.line, span.col, span.end_line, span.end_col) == (2, 1, 4, 1)
    assert text[span.start : span.end] == text[second.start : second.end]


def test_unterminated_string_is_a_diagnostic_not_a_crash() -> None:
    script, diagnostics = read_sections([Section("f.sql", "SELECT 'oops;", 0, 13)], {})
    assert [d.code for d in diagnostics] == ["MG001"] and script.statements == ()


def test_unparseable_statement_is_kept_with_its_position() -> None:
    text = "CREATE TABLE t (a);\nFROB the table;\nALTER TABLE t ALTER COLUMN a TYPE int;"
    script, diagnostics = read_sections([Section("f.sql", text, 0, len(text))], {})
    assert len(script.statements) == 3
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [("MG001", 2), ("MG001", 3)]
    assert script.statements[1].problem and script.statements[2].problem


@pytest.mark.parametrize("layout_dir", [("opencode", "migration"),
                                        ("karakeep", "packages", "db", "drizzle")])
def test_every_corpus_span_maps_back_to_its_text(layout_dir: tuple[str, ...]) -> None:
    root = corpus_path(*layout_dir)
    history = load_history(root)
    count = 0
    for migration in history.migrations:
        for stmt in migration.up.statements:
            text = Path(stmt.span.path).read_bytes().decode("utf-8")
            assert text[stmt.span.start : stmt.span.end] == stmt.text
            lines = text.splitlines(keepends=True)
            assert lines[stmt.span.line - 1][stmt.span.col - 1 :].startswith(stmt.text.splitlines()[0])
            assert sqlite3.complete_statement(stmt.text + ";")
            count += 1
    assert count > 100


# --- a string, quoted name or comment left open, as SQLite reads it --------------------

_CONTENT = st.text(alphabet="ab ;'\"`[]*/-\n", max_size=8)
_TERM = st.one_of(
    st.integers(0, 99).map(str),
    _CONTENT.map(lambda s: "'" + s.replace("'", "''") + "'"),
    _CONTENT.map(lambda s: '"' + s.replace('"', '""') + '"'),
    _CONTENT.map(lambda s: "`" + s.replace("`", "``") + "`"),
    _CONTENT.map(lambda s: "[" + s.replace("]", "") + "]"),
)
_GAP = st.sampled_from([" ", "\n", " /* c; 'x */ ", " -- it's; [x\n"])
_OPENER = st.sampled_from(["'", '"', "`", "[", "/*"])
_LEFT_OPEN = st.text(alphabet="ab ;-\n", max_size=8)  # closes nothing it follows


@given(st.lists(st.tuples(_GAP, _TERM), min_size=1, max_size=5),
       st.one_of(st.none(), st.tuples(_OPENER, _LEFT_OPEN)))
def test_what_unclosed_finds_left_open_is_what_sqlite_cannot_read(
        terms: list[tuple[str, str]], tail: tuple[str, str] | None) -> None:
    """SQLite, reading the text, stops with 'unrecognized token' exactly where `unclosed`
    finds a string or quoted name left open; a comment left open runs to the end."""
    text = "SELECT 1" + "".join(f",{gap}{term}" for gap, term in terms)
    if tail is not None:
        text += f", {tail[0]}{tail[1]}"
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(text)
        error = ""
    except sqlite3.Error as err:
        error = str(err)
    finally:
        conn.close()
    found = unclosed(text)
    assert (found is not None and found.what != "comment") == (
        "unrecognized token" in error), (text, found, error)


def test_a_comment_left_open_runs_to_the_end_as_in_sqlite() -> None:
    """SQLite runs what comes before a block comment that is never closed; so does the
    splitter, which keeps the comment."""
    text = "CREATE TABLE t (a);\nINSERT INTO t VALUES (1);\n/* the end; DROP TABLE t;"
    statements, codes = _split(text)
    assert statements == ["CREATE TABLE t (a)", "INSERT INTO t VALUES (1)"] and codes == []
    conn = sqlite3.connect(":memory:")
    conn.executescript(text)
    assert conn.execute("SELECT a FROM t").fetchall() == [(1,)]


def test_a_string_left_open_is_reported_where_it_opens() -> None:
    text = "CREATE TABLE t (a);\nINSERT INTO t VALUES ('it;s);\n"
    result = split_section(Section("f.sql", text, 0, len(text)), LineIndex("f.sql", text))
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "MG001"
    assert (diagnostic.span.line, diagnostic.span.col) == (2, 23)
    assert "string that starts here is never closed" in diagnostic.message
    with pytest.raises(sqlite3.OperationalError, match="unrecognized token"):
        sqlite3.connect(":memory:").executescript(text)
