"""Whatever a migration holds, `check`, `schema` and `fix` answer without a traceback.

Histories are built from fragments of real SQLite migrations shuffled together with
junk (unbalanced parentheses and quotes, stray keywords, non-ASCII), so most are
invalid in ways a parser meets in the wild.
"""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.cli import cli

FRAGMENTS = [
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT '', b INT)",
    "CREATE TABLE u (id TEXT PRIMARY KEY, t_id INT REFERENCES t(id) ON DELETE CASCADE)",
    "CREATE TABLE w (k TEXT, v ANY, PRIMARY KEY (k)) WITHOUT ROWID, STRICT",
    "ALTER TABLE t ADD c INTEGER NOT NULL", "ALTER TABLE t ADD COLUMN d TEXT DEFAULT (lower('X'))",
    "ALTER TABLE t DROP COLUMN b", "ALTER TABLE t RENAME COLUMN a TO a2", "ALTER TABLE u RENAME TO u2",
    "ALTER TABLE t ALTER COLUMN a TYPE int", "ALTER TABLE t ADD CONSTRAINT x UNIQUE (a)",
    "CREATE INDEX i ON t (a) WHERE a IS NOT NULL", "CREATE UNIQUE INDEX j ON t (lower(a))",
    "DROP INDEX IF EXISTS i", "DROP TABLE IF EXISTS u", "DROP TABLE t",
    "CREATE VIEW v AS SELECT id, a FROM t", "DROP VIEW v",
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 1 WHERE id = new.id; END",
    "INSERT INTO t (id, a) VALUES (1, 'x'), (2, NULL)", "INSERT INTO t VALUES (1)",
    "INSERT INTO t SELECT * FROM u", "REPLACE INTO t (id) VALUES (3)",
    "UPDATE t SET a = (SELECT a FROM u WHERE u.id = t.id)", "UPDATE OR IGNORE t SET b = 2",
    "DELETE FROM t", "DELETE FROM t WHERE 1", "PRAGMA foreign_keys=OFF", "BEGIN", "COMMIT",
    "SAVEPOINT s", "RELEASE s", "VACUUM", "CREATE VIRTUAL TABLE f USING fts5(a, b)",
    "CREATE VIRTUAL TABLE vv USING vec0(e float[4])", "WITH x AS (SELECT 1) SELECT * FROM x",
    "CREATE TEMP TABLE bk AS SELECT * FROM t", "-- migrate-lint: ignore NN001 -- why",
    "-- migrate-lint: ignore-file XX999", "--> statement-breakpoint", "-- +goose Up",
    "-- +goose StatementBegin", "-- +goose StatementEnd", "-- migrate:up", "-- migrate:down",
]
JUNK = ["(", ")", "'", '"', "`", "[", ";", ",", "END", "CASE", "BEGIN", "NOT", "NULL",
        "SELECT", "é", "\u0000"[:0] + "\\", "/*", "*/", "\r\n", "\n"]


@st.composite
def migration_text(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(JUNK)),
                          min_size=1, max_size=12))
    seps = draw(st.lists(st.sampled_from([";\n", "\n", " ", ";"]), min_size=len(parts),
                         max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps, strict=True))


@settings(max_examples=int(os.environ.get("ROBUSTNESS_EXAMPLES", "120")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(texts=st.lists(migration_text(), min_size=1, max_size=4))
def test_no_traceback_whatever_the_migrations_hold(texts: list[str], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    root: Path = tmp_path_factory.mktemp("fuzz") / "migrations"
    root.mkdir()
    for number, text in enumerate(texts, 1):
        (root / f"{number:04d}_m.sql").write_text(text, encoding="utf-8")
    runner = CliRunner()
    for args in (["check", str(root), "--format", "json"], ["schema", str(root)],
                 ["schema", str(root), "--verify"], ["fix", str(root)]):
        result = runner.invoke(cli, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args, result.exception, texts)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "internal error" not in result.output, (args, result.output, texts)
        assert "Traceback" not in result.output
