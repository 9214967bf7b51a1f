"""The opencode story: a populated database meets `ADD seq integer NOT NULL`.

A database is built from the opencode history up to the migration before
20260603040000 and filled with rows; then the original migration is checked against
it, applied (refused, then forced and rolled back), fixed, and applied for real.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

import migrate_lint
from migrate_lint.pipeline import load_history
from migrate_lint.synth import fill
from tests.dbhelp import dump, invoke
from tests.test_fix_opencode import ORDER, _copy

pytestmark = pytest.mark.corpus


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        tables = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _indexes(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    finally:
        conn.close()


def _populated(tmp_path: Path) -> tuple[Path, Path]:
    root = _copy(tmp_path)
    history = load_history(root)
    index = history.find(ORDER)
    assert index is not None
    db = tmp_path / "opencode.db"
    db.write_bytes(b"")
    migrate_lint.apply(str(db), str(root), to=history.migrations[index - 1].label, force=True,
                       run_preflight=False, keep_backups=0)
    conn = sqlite3.connect(db)
    applied = [r for (r,) in conn.execute("SELECT version FROM migrate_lint_history")]
    counts = fill(conn)
    # fill() writes every table, the history table too: keep only the real history
    conn.execute("DELETE FROM migrate_lint_history WHERE version NOT IN "
                 f"({', '.join('?' for _ in applied)})", applied)
    conn.commit()
    conn.close()
    assert counts["session_message"] > 0
    return root, db


def test_opencode_story(tmp_path: Path) -> None:
    root, db = _populated(tmp_path)
    rows = _counts(db)["session_message"]

    # 1. check --against names the failure with the row count
    code, out, _err = invoke("check", str(root), "--against", str(db))
    assert code == 1
    assert (f"`ALTER TABLE session_message ADD seq integer NOT NULL` fails on `{db}`: Cannot "
            f"add a NOT NULL column with default value NULL: the table holds {rows:,} row"
            ) in out

    # 2. apply refuses on the lint gate ...
    before = dump(db)
    code, _out, err = invoke("apply", str(root), "--db", str(db))
    assert code == 2 and "refusing to apply" in err and ORDER in err
    assert dump(db) == before
    # ... and with --force fails that migration cleanly, the content unchanged
    code, _out, err = invoke("apply", str(root), "--db", str(db), "--force")
    assert code == 1 and f"{ORDER} failed; it was rolled back" in err
    assert "Cannot add a NOT NULL column" in err
    assert dump(db) == before

    # 3. after `fix --write`, apply succeeds and keeps every row and index
    code, out, _ = invoke("fix", str(root), "--write")
    assert code in (0, 1), out
    assert "DEFAULT 0" in (root / ORDER / "migration.sql").read_text()
    counts, indexes = _counts(db), _indexes(db)
    # fix edits two applied migrations in place (and adds migrations that carry the
    # change to databases that ran them): migrate-lint's runner notices and refuses ...
    code, out, err = invoke("apply", str(root), "--db", str(db))
    assert code == 2 and "edited since they were applied: 20260303231226" in err
    # ... until told to accept them. The lint gate still blocks on the upstream
    # history's deliberate `DELETE FROM` (DL003) in a later migration: --force.
    code, out, err = invoke("apply", str(root), "--db", str(db), "--accept-edited")
    assert code == 2 and "DL003" in err
    code, out, err = invoke("apply", str(root), "--db", str(db), "--accept-edited", "--force",
                            "--to", ORDER)
    assert code == 0, err
    assert out.splitlines()[-1] == f"applied {ORDER}"
    counts["migrate_lint_history"] += 1
    assert _counts(db) == counts  # every row kept
    order_sql = (root / ORDER / "migration.sql").read_text()
    dropped = set(re.findall(r"DROP INDEX (?:IF EXISTS )?`?(\w+)", order_sql))
    assert indexes - dropped <= _indexes(db)  # every index kept, but those it drops itself
    # and the rest of the history (the fix's new migrations too) applies on top
    code, out, err = invoke("apply", str(root), "--db", str(db), "--force")
    assert code == 0, err
    assert "fix_session_message_seq" in out or "fix_workspace_type" in out
