"""Statement kinds: one enum (history.StatementKind), the parser's, checked at registration."""

from __future__ import annotations

from typing import ClassVar

import pytest
from conftest import ROOT

from migrate_lint import engine
from migrate_lint.history import STATEMENT_KINDS, StatementKind
from migrate_lint.parse import statement_kind
from migrate_lint.pipeline import load_history
from migrate_lint.sqlglot_api.tokens import sql_tokens

# One statement per kind: together they cover the set, so the set holds nothing the
# parser never returns, and what it returns is in the set.
EXAMPLES = {
    "create_table": "CREATE TABLE t (a INTEGER)",
    # Not a kind of its own: the DDL reader tells a virtual table apart.
    "create_virtual_table": "CREATE VIRTUAL TABLE f USING fts5(a)",
    "create_index": "CREATE UNIQUE INDEX i ON t (a)",
    "create_view": "CREATE TEMP VIEW v AS SELECT 1",
    "create_trigger": "CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; END",
    "drop_table": "DROP TABLE IF EXISTS t",
    "drop_index": "DROP INDEX i",
    "drop_view": "DROP VIEW v",
    "drop_trigger": "DROP TRIGGER g",
    "alter_table": "ALTER TABLE t ADD COLUMN b TEXT",
    "insert": "REPLACE INTO t VALUES (1)",
    "update": "WITH x AS (SELECT 1) UPDATE t SET a = 1",
    "delete": "DELETE FROM t",
    "select": "VALUES (1)",
    "pragma": "PRAGMA foreign_keys = OFF",
    "transaction": "SAVEPOINT s",
    "maintenance": "VACUUM",
    "unknown": "EXPLAIN SELECT 1",
}

# Example keys that are no kind: the kind their statement is.
ALIASES = {"create_virtual_table": "create_table"}


@pytest.mark.parametrize(("kind", "sql"), sorted(EXAMPLES.items()))
def test_the_parser_produces_each_kind(kind: str, sql: str) -> None:
    produced = statement_kind(sql_tokens(sql))
    assert type(produced) is StatementKind
    assert produced is StatementKind(ALIASES.get(kind, kind))


def test_the_set_is_what_the_parser_produces() -> None:
    assert set(EXAMPLES) - set(ALIASES) == STATEMENT_KINDS


def test_every_statement_of_the_demo_has_a_known_kind() -> None:
    history = load_history(ROOT / "migrations")
    kinds = {s.kind for m in history.migrations for s in m.up.statements}
    assert kinds and kinds <= STATEMENT_KINDS


def test_every_registered_rule_names_known_kinds() -> None:
    for cls in engine.all_rules():
        assert cls.kinds <= STATEMENT_KINDS, cls.code
        assert all(type(k) is StatementKind for k in cls.kinds), cls.code


def test_a_kind_reads_as_its_value() -> None:
    """Reports and dict lookups by string see the value, never `StatementKind.INSERT`."""
    kind = StatementKind.INSERT
    assert (str(kind), f"{kind}", f"{kind:>7}", ", ".join([kind])) == (
        "insert", "insert", " insert", "insert")
    assert {"insert": 1}[kind] == 1 and kind in frozenset({"insert"})


class _Typo(engine.Rule):
    """A rule with a typo in its kinds.

    ## What it does
    Nothing.

    ## Why is this bad?
    It is not.

    ## Example
    ```sql
    SELECT 1;
    ```

    ## Use instead
    ```sql
    SELECT 2;
    ```
    """

    code = "XX998"
    name = "typo"
    kinds: ClassVar[frozenset[str]] = frozenset({"create_tabel", "insert"})


def test_the_registry_rejects_a_kind_the_parser_never_produces() -> None:
    with pytest.raises(TypeError, match=r"kinds \['create_tabel'\] are no statement kind"):
        engine.validate_rule(_Typo, "typo")


def test_the_registry_accepts_known_kinds() -> None:
    class Fine(_Typo):
        __doc__ = _Typo.__doc__
        kinds: ClassVar[frozenset[str]] = frozenset({"create_table", "insert"})

    engine.validate_rule(Fine, "typo")
