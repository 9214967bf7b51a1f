"""SQLite is the judge of RB002: a cascade is reported only when running it deletes rows.

The oracle in these tests is plain sqlite3, driven as each runner drives it (one
transaction around drizzle's batch, the file's own statements as written), on a
database filled with the prover's synthetic rows.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.cli import cli
from migrate_lint.synth import fill
from tests.rules.harness import write_history

INIT = (
    "CREATE TABLE parent (id integer PRIMARY KEY, name text);\n--> statement-breakpoint\n"
    "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent(id) "
    "ON DELETE {action});\n"
)
REBUILD = (
    "PRAGMA foreign_keys=OFF;--> statement-breakpoint\n"
    "CREATE TABLE __new_parent (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');"
    "--> statement-breakpoint\n"
    "INSERT INTO __new_parent (id, name) SELECT id, coalesce(name, '') FROM parent;"
    "--> statement-breakpoint\n"
    "DROP TABLE parent;--> statement-breakpoint\n"
    "ALTER TABLE __new_parent RENAME TO parent;--> statement-breakpoint\n"
    "PRAGMA foreign_keys=ON;\n"
)
ESCAPE = "COMMIT TRANSACTION;--> statement-breakpoint\n" + REBUILD.replace(
    "PRAGMA foreign_keys=OFF;--> statement-breakpoint\n",
    "PRAGMA foreign_keys=OFF;--> statement-breakpoint\nBEGIN TRANSACTION;"
    "--> statement-breakpoint\n").replace(
    "PRAGMA foreign_keys=ON;\n", "COMMIT TRANSACTION;--> statement-breakpoint\n"
    "PRAGMA foreign_keys=ON;--> statement-breakpoint\nBEGIN TRANSACTION;\n")


def _drizzle(root: Path, action: str, second: str) -> None:
    root.mkdir(parents=True)
    (root / "0000_init.sql").write_text(INIT.format(action=action))
    (root / "0001_rebuild.sql").write_text(second)
    (root / "meta").mkdir()
    entries = [{"idx": i, "version": "6", "when": 1735689600000 + i, "tag": tag,
                "breakpoints": True} for i, tag in enumerate(["0000_init", "0001_rebuild"])]
    (root / "meta" / "_journal.json").write_text(json.dumps(
        {"version": "7", "dialect": "sqlite", "entries": entries}))


def _children_after_drizzle(root: Path) -> tuple[int, int]:
    """(child rows before, after) the second migration, run as drizzle runs a batch:
    better-sqlite3 with foreign keys on, BEGIN before and COMMIT after the file."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    for name in ("0000_init.sql",):
        conn.execute("BEGIN")
        for stmt in (root / name).read_text().split("--> statement-breakpoint"):
            conn.execute(stmt)
        conn.execute("COMMIT")
    fill(conn)
    before = conn.execute("SELECT count(*) FROM child").fetchone()[0]
    conn.execute("BEGIN")
    for stmt in (root / "0001_rebuild.sql").read_text().split("--> statement-breakpoint"):
        if stmt.strip():
            conn.execute(stmt)
    if conn.in_transaction:
        conn.execute("COMMIT")
    after = conn.execute("SELECT count(*) FROM child").fetchone()[0]
    conn.close()
    return before, after


def _rb002(root: Path) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select", "RB002"])
    return [f for f in json.loads(result.stdout)["findings"] if f["code"] == "RB002"]


def test_cascade_inside_drizzles_transaction_is_confirmed(tmp_path: Path) -> None:
    root = tmp_path / "m"
    _drizzle(root, "CASCADE", REBUILD)
    before, after = _children_after_drizzle(root)
    assert after < before  # the oracle: the pragma is a no-op, the cascade deletes
    found = _rb002(root)
    assert len(found) == 1
    assert f"SQLite confirms on synthetic rows: {before - after} of {before} rows of `child` " \
           "deleted" in found[0]["message"]


def test_stepping_out_of_the_transaction_is_not_reported(tmp_path: Path) -> None:
    root = tmp_path / "m"
    _drizzle(root, "CASCADE", ESCAPE)
    before, after = _children_after_drizzle(root)
    assert after == before  # the oracle: outside the transaction the pragma works
    assert _rb002(root) == []


def test_children_restored_in_the_same_migration_are_not_reported(tmp_path: Path) -> None:
    root = tmp_path / "m"
    restore = ("CREATE TABLE child_backup AS SELECT * FROM child;--> statement-breakpoint\n"
               + REBUILD + "--> statement-breakpoint\n"
               "INSERT OR REPLACE INTO child SELECT * FROM child_backup;--> statement-breakpoint\n"
               "DROP TABLE child_backup;\n")
    _drizzle(root, "CASCADE", restore)
    before, after = _children_after_drizzle(root)
    assert after == before
    assert _rb002(root) == []


ACTIONS = st.sampled_from(["CASCADE", "SET NULL", "NO ACTION", "RESTRICT"])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(action=ACTIONS, escape=st.booleans())
def test_every_confirmed_cascade_is_what_sqlite_does(
        tmp_path_factory: object, action: str, escape: bool) -> None:
    """For random actions and transaction shapes: a confirmed RB002 claims exactly the
    rows SQLite deletes or nulls; when SQLite changes no child row, no RB002 says so."""
    import pytest

    assert isinstance(tmp_path_factory, pytest.TempPathFactory)
    root = tmp_path_factory.mktemp("confirm") / "m"
    _drizzle(root, action, ESCAPE if escape else REBUILD)
    found = _rb002(root)
    confirmed = [f for f in found if "SQLite confirms" in f["message"]]
    try:
        before, after = _children_after_drizzle(root)
        failed = False
    except sqlite3.IntegrityError:
        failed = True
        before = after = 0
    if failed:
        assert confirmed and "FOREIGN KEY constraint failed" in confirmed[0]["message"]
        return
    conn_changed = after < before
    nulled = action == "SET NULL" and not escape
    if conn_changed:
        assert confirmed and f"{before - after} of {before} rows of `child` deleted" \
            in confirmed[0]["message"]
    elif nulled:
        assert confirmed and "nulled or reset" in confirmed[0]["message"]
    else:
        assert confirmed == []


PRISMA_INIT = ("CREATE TABLE parent (id integer PRIMARY KEY, name text);\n"
               "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer "
               "REFERENCES parent(id) ON DELETE CASCADE);\n")
PRISMA_REBUILD = ("PRAGMA foreign_keys=OFF;\n"
                  "CREATE TABLE new_parent (id integer PRIMARY KEY, name text);\n"
                  "INSERT INTO new_parent (id, name) SELECT id, name FROM parent{where};\n"
                  "DROP TABLE parent;\n"
                  "ALTER TABLE new_parent RENAME TO parent;\n"
                  "PRAGMA foreign_keys=ON;\n")


def _prisma(root: Path, where: str) -> None:
    for name, text in (("20240101000000_init", PRISMA_INIT),
                       ("20240102000000_rebuild", PRISMA_REBUILD.format(where=where))):
        (root / name).mkdir(parents=True)
        (root / name / "migration.sql").write_text(text)
    (root / "migration_lock.toml").write_text('provider = "sqlite"\n')


def _orphans_after(root: Path) -> int:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")  # Prisma's engine; statements autocommit
    conn.executescript((root / "20240101000000_init" / "migration.sql").read_text())
    fill(conn)
    conn.executescript((root / "20240102000000_rebuild" / "migration.sql").read_text())
    n = len(conn.execute("PRAGMA foreign_key_check").fetchall())
    conn.close()
    return n


def _rb008(root: Path) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select", "RB008"])
    return [f for f in json.loads(result.stdout)["findings"] if f["code"] == "RB008"]


def test_rebuild_that_keeps_every_key_is_not_reported(tmp_path: Path) -> None:
    root = tmp_path / "m"
    _prisma(root, "")
    assert _orphans_after(root) == 0
    assert _rb008(root) == []


def test_rebuild_that_orphans_children_is_confirmed(tmp_path: Path) -> None:
    root = tmp_path / "m"
    _prisma(root, " WHERE id > 2")
    orphans = _orphans_after(root)
    assert orphans > 0
    found = _rb008(root)
    assert len(found) == 1
    assert f"foreign_key_check reports {orphans} row" in found[0]["message"]


def test_orphans_are_counted_by_row_not_by_number(tmp_path: Path) -> None:
    """The rows of `c` named a dropped table (`old_p`: the old table renamed away
    first); the rebuild points them at `p` again, with a key no row of `p` has. As many
    rows are reported before as after, but none of them the same: confirmed (it was
    dropped as 'every key still has its parent'; found by the property test)."""
    root = tmp_path / "m"
    root.mkdir()
    (root / "0001_init.sql").write_text(
        "CREATE TABLE p (id integer PRIMARY KEY, name text);\n"
        "CREATE TABLE c (id integer PRIMARY KEY, p_id integer NOT NULL REFERENCES p (id));\n")
    (root / "0002_rebuild_p.sql").write_text(
        "ALTER TABLE p RENAME TO old_p;\n"
        "CREATE TABLE p (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');\n"
        "INSERT INTO p (id, name) SELECT id, coalesce(name, '') FROM old_p;\n"
        "DROP TABLE old_p;\n")
    rebuild = (
        "PRAGMA foreign_keys=OFF;\n"
        "CREATE TABLE c_new (id integer PRIMARY KEY, p_id integer NOT NULL REFERENCES p (id));\n"
        "INSERT INTO c_new (id, p_id) SELECT id, 0 FROM c;\n"
        "DROP TABLE c;\nALTER TABLE c_new RENAME TO c;\nPRAGMA foreign_keys=ON;\n")
    (root / "0003_rebuild_c.sql").write_text(rebuild)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    for name in ("0001_init.sql", "0002_rebuild_p.sql"):
        conn.executescript((root / name).read_text())
    fill(conn)
    before = conn.execute("PRAGMA foreign_key_check").fetchall()
    conn.executescript(rebuild)
    after = conn.execute("PRAGMA foreign_key_check").fetchall()
    assert len(before) == len(after) > 0 and not set(before) & set(after)
    assert {parent for _, _, parent, _ in after} == {"p"}
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select",
                                      "RB008", "--runner", "prisma", "--foreign-keys", "off"])
    found = json.loads(result.stdout)["findings"]
    assert len(found) == 1, result.output
    assert f"foreign_key_check reports {len(after)} rows without a parent" in found[0]["message"]


def _rb001(root: Path) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select", "RB001"])
    return [f for f in json.loads(result.stdout)["findings"] if f["code"] == "RB001"]


def test_ignored_pragma_is_reported_where_it_changes_the_outcome(tmp_path: Path) -> None:
    root = tmp_path / "m"
    _drizzle(root, "CASCADE", REBUILD)
    found = _rb001(root)
    assert len(found) == 1 and "with foreign keys on `child` ends with" in found[0]["message"]


def test_ignored_pragma_no_foreign_key_notices_is_not_reported(tmp_path: Path) -> None:
    """drizzle-kit writes the pragma around every rebuild; a table nothing references
    rebuilds the same with foreign keys on or off, which SQLite shows."""
    root = tmp_path / "m"
    _drizzle(root, "CASCADE", REBUILD.replace("parent", "lonely").replace(
        "__new_lonely", "__new_lonely"))
    (root / "0000_init.sql").write_text(
        INIT.format(action="CASCADE") + "--> statement-breakpoint\n"
        "CREATE TABLE lonely (id integer PRIMARY KEY, name text);\n")
    assert _rb001(root) == []


def test_a_lost_index_is_confirmed_by_sqlites_index_list(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    (root / "0001_init.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY, a text);\nCREATE INDEX t_a ON t (a);\n")
    (root / "0002_rebuild.sql").write_text(
        "CREATE TABLE t_new (id integer PRIMARY KEY, a text, b text);\n"
        "INSERT INTO t_new (id, a) SELECT id, a FROM t;\nDROP TABLE t;\n"
        "ALTER TABLE t_new RENAME TO t;\n")
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select",
                                      "RB003"])
    found = json.loads(result.stdout)["findings"]
    assert len(found) == 1
    assert "SQLite confirms: after the migration `t` has no key on (a)" in found[0]["message"]
    conn = sqlite3.connect(":memory:")
    for name in ("0001_init.sql", "0002_rebuild.sql"):
        conn.executescript((root / name).read_text())
    assert conn.execute("SELECT count(*) FROM pragma_index_list('t')").fetchone()[0] == 0


def test_a_child_of_a_dropped_parent_is_filled_and_judged(tmp_path: Path) -> None:
    """A DROP TABLE of a parent leaves its children referencing nothing; the filler gives
    them rows without keys instead of failing, so the next migration's claims are judged
    (found by tests/test_confirm_property.py: it was an internal error)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id))")
    assert fill(conn) == {"c": 4}
    assert conn.execute("SELECT count(*) FROM c WHERE p_id IS NULL").fetchone()[0] == 4
    root = tmp_path / "m"
    root.mkdir()
    (root / "0001_init.sql").write_text(
        "CREATE TABLE p (id integer PRIMARY KEY);\n"
        "CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id), a text);\n"
        "CREATE INDEX c_a ON c (a);\n")
    (root / "0002_drop.sql").write_text("DROP TABLE p;\n")
    (root / "0003_rebuild.sql").write_text(
        "CREATE TABLE c_new (id integer PRIMARY KEY, p_id integer, a text);\n"
        "INSERT INTO c_new (id, p_id, a) SELECT id, p_id, a FROM c;\nDROP TABLE c;\n"
        "ALTER TABLE c_new RENAME TO c;\n")
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select",
                                      "RB003", "--runner", "prisma"])
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["findings"]
    assert len(found) == 1
    assert "SQLite confirms: after the migration `c` has no key on (a)" in found[0]["message"]


def test_a_copy_that_fails_for_another_reason_first_is_not_judged(tmp_path: Path) -> None:
    """SQLite reports one constraint per failing row, the first it checks: NOT NULL on
    the omitted `note` hides both the NOT NULL on the nullable `name` and the UNIQUE on
    `code`. Neither of those findings is confirmed with `note`'s error, nor said to
    show "no failure" (found by tests/test_confirm_property.py)."""
    root = tmp_path / "m"
    root.mkdir()
    (root / "0001_init.sql").write_text(
        "CREATE TABLE p (id integer PRIMARY KEY, name text, note text);\n")
    (root / "0002_rebuild.sql").write_text(
        "CREATE TABLE new_p (id integer PRIMARY KEY, name text NOT NULL, note text NOT NULL,"
        " code text NOT NULL UNIQUE);\n"
        "INSERT INTO new_p (id, name, code) SELECT id, name, '' FROM p;\n"
        "DROP TABLE p;\nALTER TABLE new_p RENAME TO p;\n")
    conn = sqlite3.connect(":memory:")
    conn.executescript((root / "0001_init.sql").read_text())
    fill(conn)
    try:
        conn.executescript((root / "0002_rebuild.sql").read_text())
    except sqlite3.IntegrityError as exc:
        error = str(exc)
    assert error == "NOT NULL constraint failed: new_p.note"  # the oracle
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select",
                                      "NN003,DL008"])
    found = {(f["code"], f["severity"]): f["message"]
             for f in json.loads(result.stdout)["findings"]}
    omitted, nullable = found[("NN003", "error")], found[("NN003", "warning")]
    assert "omits `note`" in omitted and "`p.name` into `name`" in nullable
    assert omitted.endswith(f"[SQLite confirms on synthetic rows: '{error}']")
    dl008 = next(m for (code, _s), m in found.items() if code == "DL008")
    for message in (nullable, dl008):
        assert "confirm" not in message, message


def _sqlx_history(root: Path, init: str, migration: str) -> list[dict[str, str]]:
    root.mkdir()
    (root / "0001_init.sql").write_text(init)
    (root / "0002_change.sql").write_text(migration)
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--select",
                                      "RB002", "--runner", "sqlx"])
    return [f for f in json.loads(result.stdout)["findings"] if f["code"] == "RB002"]


def test_a_cascade_is_confirmed_at_the_drop_that_runs_it(tmp_path: Path) -> None:
    """A parent rebuilt twice in one migration under foreign keys on: the first DROP
    nulls the child's keys, the second finds nothing left to change. Each DROP is judged
    by what it did, not by what the whole migration did (found by
    tests/test_confirm_property.py: both were confirmed with the first one's rows)."""
    rebuild = ("CREATE TABLE new_p (id integer PRIMARY KEY, a text);\n"
               "INSERT INTO new_p (id, a) SELECT id, a FROM p;\nDROP TABLE p;\n"
               "ALTER TABLE new_p RENAME TO p;\n")
    init = ("CREATE TABLE p (id integer PRIMARY KEY, a text);\n"
            "CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id) "
            "ON DELETE SET NULL);\n")
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")  # sqlx
    conn.executescript(init)
    fill(conn)
    keyed = "SELECT count(*) FROM c WHERE p_id IS NOT NULL"
    before = conn.execute(keyed).fetchone()[0]
    conn.executescript(rebuild)
    assert conn.execute(keyed).fetchone()[0] == 0 < before  # the first DROP nulls them
    found = _sqlx_history(tmp_path / "m", init, rebuild + rebuild)
    assert [f["line"] for f in found] == [3]
    assert found[0]["message"].endswith(
        f"[SQLite confirms on synthetic rows: the keys of {before} of {before} rows of `c` "
        "nulled or reset]")


def test_a_drop_is_not_confirmed_to_fail_by_another_statements_key(tmp_path: Path) -> None:
    """The migration fails with 'FOREIGN KEY constraint failed' at an INSERT before the
    DROP ever runs: that does not confirm that the DROP fails (found by
    tests/test_confirm_property.py)."""
    found = _sqlx_history(
        tmp_path / "m",
        "CREATE TABLE p (id integer PRIMARY KEY);\n"
        "CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id) "
        "ON DELETE RESTRICT);\n",
        "INSERT INTO c (id, p_id) VALUES (100, 999);\nDROP TABLE p;\n")
    assert len(found) == 1 and "fails with 'FOREIGN KEY constraint failed'" in \
        found[0]["message"]
    assert "SQLite confirms" not in found[0]["message"]


def test_a_claim_past_a_migration_where_sqlite_stops_says_why(
        tmp_path: Path) -> None:
    """SQLite cannot run a claim past a migration that fails on the database the
    history makes (here the file's own BEGIN inside sqlx's transaction), which is no
    evidence either way. The finding keeps its severity (an early failure must not hide
    later errors) and says where SQLite stopped, instead of standing unexplained in one
    history and being refuted in the next."""
    root = tmp_path / "m"
    write_history("-- migration: 0001_init.sql\n"
                  "CREATE TABLE p (id integer PRIMARY KEY, name text);\n"
                  "-- migration: 0003_rebuild.sql\n"
                  "CREATE TABLE new_p (id integer PRIMARY KEY, name text NOT NULL);\n"
                  "INSERT INTO new_p (id, name) SELECT id, name FROM p;\n"
                  "DROP TABLE p;\nALTER TABLE new_p RENAME TO p;\n", root)

    def nn003() -> dict[str, str]:
        result = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--no-cache",
                                          "--runner", "sqlx"])
        return next(f for f in json.loads(result.stdout)["findings"] if f["code"] == "NN003")

    reached = nn003()
    assert reached["severity"] == "warning" and "[SQLite confirms" in reached["message"]
    (root / "0002_own_begin.sql").write_text("BEGIN;\nCREATE TABLE q (id integer);\nCOMMIT;\n")
    stopped = nn003()
    assert stopped["severity"] == "warning"
    assert stopped["message"].endswith(
        "[not run: SQLite stops at the earlier migration 0002_own_begin, which "
        "fails with 'cannot start a transaction within a transaction']")
