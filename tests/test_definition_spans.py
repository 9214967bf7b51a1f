"""A column definition's spans, made when asked from its file's line index (issue 13).

`ddl.ColumnDef` keeps offsets, not four spans: the spans it makes must be where its
parts are written, on awkward definitions and on every definition of the corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import corpus_path

from migrate_lint.ddl import AddColumn, ColumnDef, CreateTable
from migrate_lint.history import History
from migrate_lint.pipeline import load_history
from migrate_lint.span import LineIndex, Span

AWKWARD = """\
CREATE TABLE "a" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  [b]   TEXT   DEFAULT 'it''s'   NOT NULL ON CONFLICT REPLACE,
  c TEXT NOT NULL DEFAULT (lower('X')) CHECK (c <> ''),
  `d` INTEGER CHECK (d > 0) DEFAULT -1
    NOT
    NULL,
  e TEXT NOT NULL COLLATE NOCASE,
  f
);
ALTER TABLE a ADD COLUMN g TEXT DEFAULT CURRENT_TIMESTAMP NOT NULL;
"""


def _definitions(history: History) -> list[tuple[ColumnDef, str]]:
    out = []
    for migration in history.migrations:
        for stmt in migration.up.statements:
            if isinstance(stmt.ddl, CreateTable):
                out += [(c, history.texts[stmt.path]) for c in stmt.ddl.columns]
            elif isinstance(stmt.ddl, AddColumn):
                out.append((stmt.ddl.column, history.texts[stmt.path]))
    return out


def _check(col: ColumnDef, text: str) -> None:
    lines = LineIndex(col.span.path, text)

    def where(span: Span) -> str:
        assert span == lines.span(span.start, span.end)  # lines and columns as for any span
        return text[span.start : span.end]

    assert not any(isinstance(getattr(col, f), Span) for f in ColumnDef.__dataclass_fields__)
    whole = where(col.span)
    assert where(col.name_span).strip('"`[]') == col.name
    assert whole.startswith(where(col.name_span))
    if col.default_span is not None:
        clause = where(col.default_span)
        assert re.match(r"DEFAULT\s", clause, re.I) and clause in whole
        assert col.default is not None and clause.endswith(col.default.strip()[-1])
    if col.notnull_span is not None:
        clause = where(col.notnull_span)
        assert re.fullmatch(r"NOT\s+NULL(\s+ON\s+CONFLICT\s+\w+)?", clause, re.I)
        assert col.notnull and clause in whole


def test_spans_of_awkward_definitions(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "0001_a.sql").write_text(AWKWARD)
    found = _definitions(load_history(tmp_path / "m"))
    assert [c.name for c, _ in found] == ["id", "b", "c", "d", "e", "f", "g"]
    for col, text in found:
        _check(col, text)
    spans = {c.name: c for c, _ in found}
    assert spans["f"].default_span is None and spans["f"].notnull_span is None
    assert spans["d"].notnull_span is not None and spans["d"].notnull_span.end_line == 7
    assert spans["id"].span.line == 2 and spans["id"].span.col == 3


@pytest.mark.parametrize("parts", [
    ("realworld", "navidrome", "db", "migrations"),
    ("realworld", "stash", "pkg", "sqlite", "migrations"),
    ("karakeep", "packages", "db", "drizzle"),
    ("opencode", "migration"),
])
def test_spans_of_every_definition_of_the_corpus(parts: tuple[str, ...]) -> None:
    found = _definitions(load_history(corpus_path(*parts)))
    assert found
    for col, text in found:
        _check(col, text)
