"""`sqlglot_api.parsing.sql` renders from one cached generator and skips the copy of
leaves; it must render what sqlglot's own ``tree.sql(dialect="sqlite")`` renders, and
leave the tree as it was (the trees are shared by every rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_lint.sqlglot_api.parsing import parse_statement, sql

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
STATEMENTS = [
    'INSERT INTO t (a, b, c, d) SELECT "x"."y", 1, NULL, `w` FROM x WHERE x.k = \'v\'',
    "INSERT INTO t SELECT *, TRUE, -(1), CAST(a AS TEXT), 'it''s' || b FROM u JOIN v ON u.i = v.i",
    "WITH c AS (SELECT a FROM u) INSERT INTO t (a) SELECT a FROM c",
    "UPDATE t SET a = (WITH q AS (SELECT 1 AS z) SELECT z FROM q), b = CASE WHEN c THEN 1 END",
    "DELETE FROM t WHERE id IN (SELECT id FROM t GROUP BY k HAVING count(*) > 1)",
    "INSERT INTO t (a) SELECT a FROM (SELECT a, row_number() OVER (PARTITION BY a) AS n FROM u)"
    " WHERE n = 1 ON CONFLICT (a) DO NOTHING",
]


def _corpus_statements() -> list[str]:
    """The INSERT ... SELECT, UPDATE and DELETE statements of the corpus, when present."""
    if not CORPUS.is_dir():
        return []
    out = []
    for path in sorted(CORPUS.rglob("*.sql")):
        for part in path.read_text(errors="replace").split(";"):
            text = part.strip()
            head = text.split(None, 1)[0].upper() if text else ""
            if head in ("UPDATE", "DELETE") or (head == "INSERT" and "SELECT" in text.upper()):
                out.append(text)
    return out


def _check(text: str) -> int:
    try:
        tree = parse_statement(text)
    except Exception:  # a piece cut at a `;` inside a trigger or string: not a statement
        return 0
    whole = tree.sql(dialect="sqlite")
    count = 0
    for node in tree.walk():
        assert sql(node) == node.sql(dialect="sqlite"), text
        count += 1
    assert tree.sql(dialect="sqlite") == whole, f"rendering changed the tree of {text}"
    return count


@pytest.mark.parametrize("text", STATEMENTS)
def test_every_node_renders_as_sqlglot_does_and_stays(text: str) -> None:
    assert _check(text) > 5


def test_corpus_nodes_render_as_sqlglot_does() -> None:
    statements = _corpus_statements()
    if not statements:
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    assert sum(_check(text) for text in statements) > 1000
