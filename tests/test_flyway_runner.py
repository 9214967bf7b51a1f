"""The flyway runner: one transaction per migration unless `<file>.conf` opts out, or the
file holds a statement Flyway runs outside transactions (`PRAGMA foreign_keys`)."""

from __future__ import annotations

from pathlib import Path

from migrate_lint.config import Config
from migrate_lint.engine import rule_by_code, run_rules
from migrate_lint.pipeline import load_timeline
from migrate_lint.runners import RUNNERS
from migrate_lint.sandbox import Sandbox

REBUILD = """PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TABLE new_parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO new_parent (id, name) SELECT id, coalesce(name, '') FROM parent;
DROP TABLE parent;
ALTER TABLE new_parent RENAME TO parent;
COMMIT;
PRAGMA foreign_keys=ON;
"""
WRAPPED = REBUILD.replace("BEGIN;\n", "").replace("COMMIT;\n", "")


def _history(root: Path, second: str, conf: str | None) -> None:
    (root / "V1__init.sql").write_text(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);\n"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, "
        "parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE);\n")
    (root / "V1_1__rebuild_parent.sql").write_text(second)
    if conf is not None:
        (root / "V1_1__rebuild_parent.sql.conf").write_text(conf)


def _rb001(root: Path) -> list[str]:
    rule = rule_by_code("RB001")
    assert rule is not None
    return [f.message for f in run_rules(load_timeline(root), Config(), [rule])]


def test_flyway_behaviour_is_per_migration_with_foreign_keys_off() -> None:
    behaviour = RUNNERS["flyway"]
    assert (behaviour.transaction, behaviour.foreign_keys) == ("migration", False)


def test_a_flyway_migration_with_the_pragma_runs_outside_a_transaction(
        tmp_path: Path) -> None:
    """Flyway's SQLite parser holds `PRAGMA foreign_keys` unable to run in a transaction
    (SQLiteParser.detectCanExecuteInTransaction), so the file runs without Flyway's
    (with `mixed` allowed; without it Flyway refuses the file before running it): the
    pragma works, and RB001 has nothing to say."""
    _history(tmp_path, WRAPPED, None)
    assert _rb001(tmp_path) == []
    assert load_timeline(tmp_path).history.migrations[1].source.no_transaction


def test_conf_opt_out_lets_the_pragma_work(tmp_path: Path) -> None:
    _history(tmp_path, REBUILD, "executeInTransaction=false\n")
    assert _rb001(tmp_path) == []
    timeline = load_timeline(tmp_path)
    second = timeline.history.migrations[1]
    assert second.source.no_transaction
    with Sandbox("flyway", foreign_keys=True) as box:
        assert box.apply(timeline.history.migrations[0].up.statements) is None
        box.connection.execute("INSERT INTO parent VALUES (1, 'a')")
        box.connection.execute("INSERT INTO child VALUES (1, 1)")
        assert box.apply(second.up.statements, no_transaction=True) is None
        assert box.connection.execute("SELECT count(*) FROM child").fetchone()[0] == 1


def test_own_begin_without_opt_out_fails_under_flyway(tmp_path: Path) -> None:
    _history(tmp_path, "\n".join(line for line in REBUILD.splitlines()
                                 if not line.startswith("PRAGMA")) + "\n", None)
    timeline = load_timeline(tmp_path)
    with Sandbox("flyway") as box:
        assert box.apply(timeline.history.migrations[0].up.statements) is None
        error = box.apply(timeline.history.migrations[1].up.statements)
        assert error is not None and "within a transaction" in error.message


def test_a_statement_with_a_flyway_placeholder_is_not_checked(tmp_path: Path) -> None:
    """Flyway replaces `${name}` placeholders before SQLite reads the file (on by
    default): the text as written is not what runs, so what the reader cannot read
    there is information; the rest of the history is checked as before."""
    import json

    from click.testing import CliRunner

    from migrate_lint.cli import cli

    (tmp_path / "V1__init.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    (tmp_path / "V2__flag.sql").write_text(
        "ALTER TABLE t ADD COLUMN flag boolean NOT NULL DEFAULT ${my-flag};\n")
    (tmp_path / "V3__later.sql").write_text("ALTER TABLE t ADD COLUMN n int NOT NULL;\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json", "--no-cache"])
    found = {f["code"]: f for f in json.loads(result.stdout)["findings"]}
    assert found["MG001"]["severity"] == "info"
    assert found["MG001"]["message"].startswith(
        "Flyway replaces the `${...}` placeholders of this statement before SQLite reads it")
    assert found["NN001"]["severity"] == "error"
