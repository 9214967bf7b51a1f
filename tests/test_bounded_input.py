"""Only regular files inside the tree are read: FIFOs, devices, links out, huge files.

Every command runs in a subprocess with a timeout: a FIFO used to block `open`
forever, and a link to /dev/zero to read until memory ran out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrate_lint import bounded
from migrate_lint.errors import MigrateLintError


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migrate_lint", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n")
    return root


def test_fifo_named_like_a_migration_is_reported_not_read(tree: Path) -> None:
    os.mkfifo(tree / "0002_pipe.sql")
    done = _run("check", str(tree))
    assert done.returncode == 1, done.stderr
    assert "0002_pipe.sql: a FIFO, not a regular file; skipped" in done.stdout
    assert "MG000" in done.stdout


def test_fifo_flyway_conf_and_insert_path_never_block(tmp_path: Path) -> None:
    root = tmp_path / "flyway"
    root.mkdir()
    (root / "V1__init.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY, a text);\n")
    os.mkfifo(root / "V1__init.sql.conf")
    app = tmp_path / "app"
    app.mkdir()
    os.mkfifo(app / "writer.py")
    done = _run("check", str(root), "--insert-paths", str(app))
    assert done.returncode in (0, 1), done.stderr
    assert "V1__init.sql.conf: a FIFO" in done.stdout


def test_symlink_out_of_the_tree_is_not_followed(tree: Path, tmp_path: Path) -> None:
    secret = tmp_path / ".env"
    secret.write_text("AWS_SECRET=hunter2\n")
    (tree / "0002_x.sql").symlink_to(Path("..") / ".env")
    done = _run("check", str(tree))
    assert "hunter2" not in done.stdout + done.stderr
    assert "0002_x.sql: a symlink to ../.env, outside the tree; not followed" in done.stdout


def test_symlink_to_dev_zero_is_not_read(tree: Path) -> None:
    (tree / "0002_zero.sql").symlink_to("/dev/zero")
    done = _run("check", str(tree))
    assert "0002_zero.sql: a symlink to /dev/zero, outside the tree" in done.stdout


def test_symlink_inside_the_tree_is_followed(tree: Path) -> None:
    shared = tree / "shared"
    shared.mkdir()
    (shared / "body.sql").write_text("CREATE TABLE u (id integer PRIMARY KEY);\n")
    (tree / "0002_u.sql").symlink_to(Path("shared") / "body.sql")
    done = _run("schema", str(tree))
    assert done.returncode == 0, done.stderr
    assert "u" in done.stdout


def test_size_cap_is_a_clear_one_line_error(tmp_path: Path) -> None:
    big = tmp_path / "big.sql"
    big.write_bytes(b"-- x\n" * 1000)
    with pytest.raises(MigrateLintError, match="larger than 0 MB"):
        bounded.read_regular(str(big), limit=100)
    assert bounded.read_regular(str(big), limit=10_000).startswith(b"-- x")


def test_fix_does_not_copy_a_link_to_the_filesystem(tree: Path) -> None:
    (tree / "0002_add.sql").write_text("ALTER TABLE t ADD c integer NOT NULL;\n")
    (tree / "rootfs").symlink_to("/")
    start = time.monotonic()
    done = _run("fix", str(tree))
    assert done.returncode == 1, done.stderr  # a dry run with planned changes
    assert "DEFAULT 0" in done.stdout
    assert time.monotonic() - start < 60


def test_sigterm_removes_the_temp_directories(tree: Path, tmp_path: Path) -> None:
    """A cancelled CI job (SIGTERM) leaves no migrate-lint-* temp directory behind.

    `check --against` keeps its copy of the database in one while the pending
    migrations run on it (seconds, with 1,500 of them); fix no longer keeps one for
    long (its corrected history is made in memory), so it is not the command here.
    """
    import sqlite3

    for n in range(2, 1502):
        (tree / f"{n:04d}_t.sql").write_text(f"CREATE TABLE t{n} (id integer PRIMARY KEY);\n")
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE unrelated (x)")
    conn.commit()
    conn.close()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.Popen([sys.executable, "-m", "migrate_lint", "check", str(tree),
                             "--against", str(db), "--no-cache"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    # wait for its own directory (Python's first tempfile call probes TMPDIR with a
    # short-lived file of its own first)
    while not list(scratch.glob("migrate-lint-*")) and proc.poll() is None and (
            time.monotonic() < deadline):
        time.sleep(0.005)
    assert list(scratch.glob("migrate-lint-*")), "check finished before it made its temp dir"
    proc.send_signal(signal.SIGTERM)  # while the temp directory exists
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert b"Traceback" not in err
    assert list(scratch.iterdir()) == []


def test_a_signal_held_back_while_the_directory_is_made_removes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM arriving while mkdtemp runs (held back) is delivered as the mask lifts:
    the directory must already be inside the block that removes it."""
    import tempfile

    from migrate_lint import tempdirs
    from migrate_lint.cli import _terminate

    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp_then_signal(*args: object, **kwargs: object) -> str:
        path = real_mkdtemp(*args, **kwargs)  # type: ignore[call-overload]
        made.append(path)
        os.kill(os.getpid(), signal.SIGTERM)  # held back until the directory is made
        return str(path)

    monkeypatch.setattr(tempdirs.tempfile, "mkdtemp", mkdtemp_then_signal)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with pytest.raises(SystemExit), tempdirs.temp_dir("migrate-lint-test-",
                                                         str(tmp_path)):
            pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert made and not os.path.exists(made[0])
