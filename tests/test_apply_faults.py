"""`apply` under faults: SIGKILL at random points, and two appliers at once."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import migrate_lint
from tests.rules.harness import write_history

N = 6
_FILL = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 6000) "
         "INSERT INTO t{k} SELECT x, printf('%050d', x * {k}) FROM c;")
HISTORY = "\n-- migration\n".join(
    f"CREATE TABLE t{k} (id integer PRIMARY KEY, v text);\n{_FILL.format(k=k)}\n"
    f"CREATE INDEX t{k}_v ON t{k} (v);\nINSERT INTO log VALUES ({k});\n"
    + (f"UPDATE t{k - 1} SET v = v || '{k}';\n" if k > 1 else "")
    for k in range(1, N + 1)
)
HISTORY = "CREATE TABLE log (k integer);\n-- migration\n" + HISTORY


def _state(db: Path) -> str:
    """The content of the database, without the history table's times."""
    conn = sqlite3.connect(db)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            if "migrate_lint_history" not in line:
                digest.update(line.encode())
        versions = ""
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'migrate_lint_history'"
                        ).fetchone():  # an empty history table is the state before any
            versions = ",".join(v for (v,) in conn.execute(
                "SELECT version FROM migrate_lint_history ORDER BY version"))
        return f"{versions}:{digest.hexdigest()}"
    finally:
        conn.close()


def _apply_cmd(root: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "migrate_lint", "apply", str(root), "--db", str(db),
            "--no-preflight", "--force", "--keep-backups", "0", *extra]


def _fork_apply(root: Path, db: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the child: apply, then leave without running the parent's cleanup
        code = 1
        try:
            migrate_lint.apply(str(db), str(root), force=True, run_preflight=False,
                               keep_backups=0)
            code = 0
        finally:
            os._exit(code)
    return pid


def _wait(pid: int) -> None:
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.slow
def test_sigkill_leaves_a_state_before_or_after_a_migration(tmp_path: Path) -> None:
    root = tmp_path / "m"
    write_history(HISTORY, root)
    labels = [m.label for m in migrate_lint.pipeline.load_history(root).migrations]
    base = tmp_path / "base.db"
    base.write_bytes(b"")
    # The state after each migration, each migration applied once on its own copy.
    expected = {_state(base)}
    for label in labels:
        db = tmp_path / f"at-{label}.db"
        shutil.copyfile(base, db)
        migrate_lint.apply(str(db), str(root), to=label, force=True, run_preflight=False,
                           keep_backups=0)
        expected.add(_state(db))
    assert len(expected) == len(labels) + 1
    # The applier runs in a forked child (a real process, past interpreter start-up,
    # so every kill lands inside `apply`) that the parent SIGKILLs at a random moment.
    full = tmp_path / "full.db"
    shutil.copyfile(base, full)
    started = time.perf_counter()
    _wait(_fork_apply(root, full))
    whole = time.perf_counter() - started
    assert _state(full) == _state(tmp_path / f"at-{labels[-1]}.db")
    rng = random.Random(int(os.environ.get("KILL_SEED", "11")))
    seen: set[str] = set()
    for trial in range(50):
        db = tmp_path / f"trial-{trial}.db"
        shutil.copyfile(base, db)
        child = _fork_apply(root, db)
        time.sleep(rng.uniform(0, whole))
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        conn = sqlite3.connect(db)  # opening read-write rolls back a hot journal
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], trial
        conn.close()
        state = _state(db)
        assert state in expected, f"trial {trial}: a state between two migrations"
        seen.add(state)
    assert len(seen) >= 3  # the kills did land at different points


def test_two_concurrent_applies_never_run_a_migration_twice(tmp_path: Path) -> None:
    root = tmp_path / "m"
    write_history(HISTORY, root)
    db = tmp_path / "app.db"
    db.write_bytes(b"")
    processes = [subprocess.Popen(_apply_cmd(root, db, "--busy-timeout", "30"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    codes = [p.returncode for p in processes]
    for code, (out, err) in zip(codes, outputs, strict=True):
        assert code == 0 or (code == 2 and "locked" in err), (code, out, err)
    conn = sqlite3.connect(db)
    log = [k for (k,) in conn.execute("SELECT k FROM log ORDER BY k")]
    versions = [v for (v,) in conn.execute("SELECT version FROM migrate_lint_history")]
    conn.close()
    assert log == list(range(1, N + 1))  # each migration's INSERT ran exactly once
    assert len(versions) == len(set(versions)) == N + 1
    applied = sum(out.count("applied ") for out, _err in outputs)
    assert applied == N + 1
