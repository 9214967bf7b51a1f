"""Statement splitting and exact positions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import corpus_path

from migrate_lint.parse import read_sections
from migrate_lint.pipeline import load_history
from migrate_lint.source import Section
from migrate_lint.span import LineIndex
from migrate_lint.split import split_section


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
