"""The reader learns whether sqlglot kept raw text (an ``exp.Command``) anywhere in a
data statement's tree from the walk that compacts the tree (`compact_tree`), not from
a second walk: it must answer as `is_command`'s own walk does, a Command below the
root included."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from migrate_lint.sqlglot_api.parsing import (
    ParseFailure,
    compact_tree,
    is_command,
    parse_statement,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
STATEMENTS = [
    "WITH c AS (VACUUM) DELETE FROM t",  # a Command below the root, after a WITH
    "WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c",
    "INSERT INTO t (a) SELECT a FROM u ON CONFLICT (a) DO UPDATE SET a = excluded.a",
    "UPDATE t SET a = (SELECT max(b) FROM u WHERE u.k = t.k) WHERE a IS NULL",
    "DELETE FROM t WHERE id IN (SELECT id FROM t GROUP BY k HAVING count(*) > 1)",
    "INSERT INTO t SELECT * FROM (SELECT 1 UNION ALL SELECT 2)",
]


def _data_statements() -> list[str]:
    out = list(STATEMENTS)
    if CORPUS.is_dir():
        for path in sorted(CORPUS.rglob("*.sql")):
            for part in path.read_text(errors="replace").split(";"):
                text = part.strip()
                head = text.split(None, 1)[0].upper() if text else ""
                if head in ("INSERT", "UPDATE", "DELETE", "WITH", "REPLACE"):
                    out.append(text)
    return out


def test_the_compacting_walk_answers_as_the_command_walk() -> None:
    logging.disable(logging.WARNING)  # sqlglot warns of each fallback it makes
    try:
        seen = nested = 0
        for text in _data_statements():
            try:
                tree = parse_statement(text)
            except ParseFailure:
                continue  # a piece cut at a `;` inside a trigger or a string
            full = is_command(tree)
            assert compact_tree(tree) == full, text
            seen += 1
            nested += full and type(tree).__name__ != "Command"
    finally:
        logging.disable(logging.NOTSET)
    assert nested >= 1 and seen >= len(STATEMENTS)
    if not CORPUS.is_dir():
        pytest.skip(f"only the built-in statements: the shared corpus is not at {CORPUS}")
