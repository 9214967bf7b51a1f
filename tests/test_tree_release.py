"""Statements' trees let go once their migration is checked, made again the same (issue 13).

The engine lets each migration's sqlglot trees go when its statements are checked
(`parse.TreeMaker.release`); a later reader gets the tree made again from the file's
tokens. These tests check that the tree made again is the tree the file was read into
(node types, arguments, the comments the tokenizer attached from around the statement,
the nodes' positions) on awkward files, and that a tree let go is freed at once, unless
something still holds a part of it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import corpus_path
from sqlglot import exp

from migrate_lint import engine, parse
from migrate_lint.config import Config
from migrate_lint.history import History, Regrow, Statement
from migrate_lint.parse import TreeMaker
from migrate_lint.pipeline import load_history, load_timeline
from migrate_lint.sqlglot_api.parsing import compact_tree, let_go, parse_statement

AROUND = """\
-- leading comment
UPDATE a SET b = 1 /* inside */ WHERE id = 2 -- before the semicolon
;  -- after it, on its line
/* block */ DELETE FROM a WHERE id IN (SELECT id FROM a LIMIT 1) -- last on its line
;
CREATE TABLE c (id INTEGER PRIMARY KEY, v TEXT);
REPLACE INTO a (id, b) SELECT id + 10, b FROM a WHERE b <> 'if';
UPDATE OR IGNORE a SET b = 2;
UPDATE /* c */ OR REPLACE a SET b = 3; UPDATE
  a SET b = 4 WHERE b IN (SELECT v FROM c -- inner
  );
WITH x AS (SELECT 1 AS v) UPDATE a SET b = (SELECT v FROM x) WHERE id IN (SELECT v FROM x);
INSERT INTO a (id, b) SELECT id, normalize(b, 'nfc') FROM a;  -- a call sqlglot reads its way
SELECT 1 -- the end, no semicolon"""

DRIZZLE = """\
UPDATE a SET b = 1;
--> statement-breakpoint
DELETE FROM a WHERE b = 2; -- note
--> statement-breakpoint
INSERT INTO a SELECT * FROM a WHERE b = 3;"""

GOOSE = """\
-- +goose Up
UPDATE a SET b = 1; -- up
-- +goose StatementBegin
DELETE FROM a WHERE b = 2;
-- +goose StatementEnd

-- +goose Down
UPDATE a SET b = 0; -- down
"""


def _fingerprint(tree: exp.Expression) -> list[tuple[Any, ...]]:
    """Everything a reader of a tree may see: nodes, arguments, comments, positions."""
    return [(type(n), sorted(n.args), n.comments, n.meta, n.arg_key,
             type(n.parent) if n.parent is not None else None)
            for n in tree.walk()] + [tree.sql(comments=True)]


def _history(tmp_path: Path, files: dict[str, str], newline: str = "\n") -> History:
    root = tmp_path / "migrations"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_bytes(text.replace("\n", newline).encode())
    return load_history(root)


def _statements(history: History) -> Iterator[Statement]:
    for migration in history.migrations:
        for script in (migration.up, migration.down):
            yield from script.statements if script is not None else ()


@contextmanager
def _collector_off() -> Iterator[None]:
    """As `check` runs: what reference counting does not free stays."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _assert_made_again_the_same(history: History) -> int:
    maker = TreeMaker(history)
    checked = 0
    for stmt in _statements(history):
        tree = stmt.ast
        if tree is None:
            continue
        want = _fingerprint(tree)
        del tree
        maker.release(stmt)
        assert isinstance(stmt.tree, Regrow) and stmt.has_tree
        assert _fingerprint(stmt.ast) == want, stmt.text
        assert stmt.ast is stmt.ast  # made once, then kept among the recent
        checked += 1
    return checked


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_trees_are_made_again_as_the_file_was_read(tmp_path: Path, newline: str) -> None:
    history = _history(tmp_path, {"0001_around.sql": AROUND}, newline)
    assert _assert_made_again_the_same(history) == 9


def test_trees_of_a_file_with_lone_carriage_returns(tmp_path: Path) -> None:
    # sqlglot's line comments run to a \n: block comments only here
    text = ("/* leading */\nUPDATE a SET b = 1 /* inside */\n;\n"
            "DELETE FROM a WHERE b IN (SELECT 2) /* after */\n;\nUPDATE a SET b = 3;\n")
    history = _history(tmp_path, {"0001_cr.sql": text}, "\r")
    assert _assert_made_again_the_same(history) == 3


@pytest.mark.parametrize(("name", "text", "trees"), [
    ("0000_drizzle.sql", DRIZZLE, 3),
    ("00001_goose.sql", GOOSE, 3),
])
def test_trees_of_every_layout_are_made_again(tmp_path: Path, name: str, text: str,
                                               trees: int) -> None:
    assert _assert_made_again_the_same(_history(tmp_path, {name: text})) == trees


def test_a_chunked_section_is_read_again_chunk_by_chunk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "CHUNK", 200)  # a file of ~2 KB in pieces
    text = "".join(f"UPDATE a SET b = {i} -- row {i}\n;\n/* next */ DELETE FROM a WHERE b = {i};\n"
                   for i in range(40))
    history = _history(tmp_path, {"0001_big.sql": text})
    assert _assert_made_again_the_same(history) == 80


@pytest.mark.parametrize("parts", [
    ("realworld", "navidrome", "db", "migrations"),
    ("realworld", "homarr", "packages", "db", "migrations", "sqlite"),
    ("realworld", "stash", "pkg", "sqlite", "migrations"),
    ("realworld", "pingvin-share", "backend", "prisma", "migrations"),
    ("karakeep", "packages", "db", "drizzle"),
    ("opencode", "migration"),
])
def test_the_trees_of_the_corpus_are_made_again(parts: tuple[str, ...]) -> None:
    assert _assert_made_again_the_same(load_history(corpus_path(*parts))) > 0


def _expressions() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, exp.Expression))


def test_a_tree_let_go_is_freed_at_once() -> None:
    with _collector_off():
        tree = parse_statement("UPDATE a SET b = coalesce(b, 'y') WHERE id > (SELECT 1)")
        size = len(list(tree.walk()))
        before = _expressions()
        box = [tree]
        del tree
        assert let_go(box)
        assert _expressions() == before - size


def test_a_tree_still_held_in_part_is_left_whole() -> None:
    with _collector_off():
        tree = parse_statement("UPDATE a SET b = 1 WHERE id > 2")
        where = tree.find(exp.Where)
        assert where is not None
        box = [tree]
        del tree
        assert not let_go(box)  # a memo may hold a part of a tree and walk up from it
        root = where.parent
        assert isinstance(root, exp.Update) and root.args["where"] is where
        assert all(node.parent is not None for node in root.walk() if node is not root)


def test_check_lets_each_migrations_trees_go_and_reads_them_again(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0000_a.sql").write_text(
        "CREATE TABLE a (id INTEGER PRIMARY KEY, b TEXT);\n")
    (tmp_path / "migrations" / "0001_around.sql").write_text(AROUND)
    timeline = load_timeline(tmp_path / "migrations")
    statements = [step.statement for step in timeline.steps]
    held = {id(s): _fingerprint(s.ast) for s in statements if s.ast is not None}
    assert held
    engine.run_rules(timeline, Config(), engine.all_rules())
    for stmt in statements:
        if id(stmt) in held:
            assert isinstance(stmt.tree, Regrow)
            assert _fingerprint(stmt.ast) == held[id(stmt)]


def test_statement_trees_keep_no_positions_and_sqlglot_keeps_its_own_meta(
        tmp_path: Path) -> None:
    history = _history(tmp_path, {"0001_around.sql": AROUND})
    trees = [s.ast for s in _statements(history) if s.ast is not None]
    assert trees and not any(n.meta for tree in trees for n in tree.walk())
    tree = parse_statement("UPDATE a SET b = 1 WHERE id > 2")
    literal = tree.find(exp.Literal)
    assert literal is not None and set(literal.meta) == {"line", "col", "start", "end"}
    literal.meta["flag"] = True  # a flag sqlglot set for itself
    kept = dict(literal.meta)
    compact_tree(tree)
    assert literal.meta == kept
    assert not any(n.meta for n in tree.walk() if n is not literal)
