"""What a parsed statement keeps, and what it makes again when asked (issue 13).

Statements keep no token list (PRAGMA, transaction and maintenance statements
excepted): `Statement.tokens` tokenizes the statement's text again. That is only right
if the text tokenizes alone as it did in its file, which these tests check against
the splitter's own tokens on awkward SQL. SQ006 looks at every statement and finds
the few worth tokenizing by a text search, which must find every statement the
token test would.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from migrate_lint.history import Statement
from migrate_lint.parse import read_sections
from migrate_lint.pipeline import gc_frozen, load_history
from migrate_lint.source import Section
from migrate_lint.span import LineIndex
from migrate_lint.split import split_section
from rules import requires_newer_sqlite as sq006

AWKWARD = """\
-- a comment before; with a semicolon
CREATE TABLE `a` (
  "id" INTEGER PRIMARY KEY, -- trailing; comment
  [b] TEXT DEFAULT 'it''s; fine' NOT NULL, /* block ; comment */
  c_if INTEGER REFERENCES other(id) ON DELETE CASCADE
);
CREATE TRIGGER t AFTER INSERT ON a BEGIN
  UPDATE a SET b = 'x;y' WHERE id = new.id;
  SELECT CASE WHEN new.id > 1 THEN 1 ELSE 0 END;
END;
INSERT INTO a (id, b) VALUES (1, 'one'), (2, X'00ff');
INSERT OR IGNORE INTO "a" VALUES (3, 'three', 4);
REPLACE INTO a (id, b) SELECT id + 10, b FROM a WHERE b <> 'if';
WITH x AS (SELECT 1 AS v) UPDATE a SET b = (SELECT v FROM x) WHERE id IN (SELECT v FROM x);
PRAGMA foreign_keys = OFF;
BEGIN;
SELECT unhex('00'), 1if, $if, `if`(1), "unistr"(1), x->>'$.a' FROM a ORDER BY id;
COMMIT;
CREATE INDEX IF NOT EXISTS i ON a (b COLLATE NOCASE DESC);
"""


def _read(tmp_path: Path, text: str) -> tuple[list[Statement], list[tuple[object, ...]]]:
    """The statements read from ``text`` in a file, and the splitter's token lists."""
    path = tmp_path / "0001_awkward.sql"
    path.write_text(text)
    section = Section(str(path), text, 0, len(text))
    raws = split_section(section, LineIndex(str(path), text)).statements
    script, _ = read_sections([section], {})
    return list(script.statements), [tuple(t[:5] for t in raw.tokens) for raw in raws]


def test_tokens_made_again_are_the_tokens_the_file_was_split_into(tmp_path: Path) -> None:
    statements, split = _read(tmp_path, AWKWARD)
    assert len(statements) == len(split) == 11
    kept = 0
    for stmt, want in zip(statements, split, strict=True):
        if stmt.seed is not None:
            want = want[: stmt.seed.header]  # a seed INSERT's tokens are its header's
        assert tuple(t[:5] for t in stmt.tokens) == want, stmt.text
        kept += stmt.held is not None
    assert kept == 3  # the PRAGMA, BEGIN and COMMIT keep theirs; the rest keep none


def test_a_seed_run_makes_the_header_of_its_first_insert(tmp_path: Path) -> None:
    text = "".join(f"INSERT INTO t (a, b) VALUES ({i}, 'v{i}');\n" for i in range(200))
    statements, _ = _read(tmp_path, text)
    run = statements[-1]
    assert run.seed is not None and run.seed.rows > 64  # joined into one statement
    assert [t.value for t in run.tokens] == ["INSERT", "INTO", "t", "(", "a", ",", "b", ")",
                                             "VALUES"]
    assert run.tokens[0].start == run.span.start


@pytest.mark.parametrize("version", [(3, 20), (3, 30), (3, 38), (3, 40), (3, 45)])
def test_sq006_text_search_finds_every_statement_the_token_test_finds(
        tmp_path: Path, version: tuple[int, int]) -> None:
    candidates = sq006._candidates(version)
    statements, _ = _read(tmp_path, AWKWARD)
    corpus = Path(__file__).resolve().parents[1] / "migrations"
    statements += [s for m in load_history(corpus).migrations for s in m.up.statements]
    hits = 0
    for stmt in statements:
        if not candidates.isdisjoint(t.upper for t in stmt.tokens):
            hits += 1
            assert sq006._mentions(version, stmt), (version, stmt.text)
    assert hits  # the awkward file holds candidates at every version


def test_gc_frozen_collects_cycles_made_in_the_block_and_restores_the_collector() -> None:
    class Node:
        other: object

    was = gc.isenabled()
    gc.disable()  # as the CLI runs
    try:
        freed: list[str] = []
        with gc_frozen():
            assert gc.isenabled()
            a, b = Node(), Node()
            a.other, b.other = b, a  # a cycle only the cyclic collector frees
            weakref.finalize(a, freed.append, "a")
            del a, b
            # containers made after it: the running collector's passes come by themselves
            made: list[list[int]] = [[] for _ in range(2 * gc.get_threshold()[0])]
            assert freed == ["a"]
            del made
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        if was:
            gc.enable()


def test_breakpoints_are_separators_not_kept_comments(tmp_path: Path) -> None:
    text = ("CREATE TABLE a (id INTEGER);\n--> statement-breakpoint\n"
            "-- migrate-lint: ignore NN001 -- backfilled by hand\nALTER TABLE a ADD b TEXT;\r\n"
            "--> statement-breakpoint  \r\n/* a note */ SELECT 1;\n")
    path = tmp_path / "0001_a.sql"
    path.write_text(text)
    script, _ = read_sections([Section(str(path), text, 0, len(text))], {})
    assert len(script.statements) == 3
    assert [c.text for c in script.comments] == [
        " migrate-lint: ignore NN001 -- backfilled by hand", " a note "]
