"""`is_command` given the statement's text answers most data statements from the root
(sqlglot nests a Command only in a statement parsed inside another, which needs a
WITH or a second INSERT); it must answer as the full walk of the tree does."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from migrate_lint.sqlglot_api.parsing import ParseFailure, is_command, parse_statement

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


def test_the_root_answer_is_the_walk_answer() -> None:
    logging.disable(logging.WARNING)  # sqlglot warns of each fallback it makes
    try:
        seen = nested = 0
        for text in _data_statements():
            try:
                tree = parse_statement(text)
            except ParseFailure:
                continue  # a piece cut at a `;` inside a trigger or a string
            full = is_command(tree)
            assert is_command(tree, text) == full, text
            seen += 1
            nested += full and type(tree).__name__ != "Command"
    finally:
        logging.disable(logging.NOTSET)
    assert nested >= 1 and seen >= len(STATEMENTS)
    if not CORPUS.is_dir():
        pytest.skip(f"only the built-in statements: the shared corpus is not at {CORPUS}")
