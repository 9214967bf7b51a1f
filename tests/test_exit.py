"""The console entry point ends the process itself (``os._exit``, after flushing and
running atexit handlers), skipping the interpreter's teardown: nothing written may be
lost on the way, and the exit status must be what click decided."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = "import atexit, sys; from migrate_lint.cli import main\n"


def _run(code: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)


def _history(root: Path, files: int) -> Path:
    """Migrations that each add a NOT NULL column without a default: a finding a file."""
    folder = root / "migrations"
    folder.mkdir()
    (folder / "0000_base.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    for n in range(1, files):
        (folder / f"{n:04d}_add.sql").write_text(f"ALTER TABLE t ADD c{n} INTEGER NOT NULL;\n")
    return folder


def test_a_long_report_reaches_a_pipe_whole_with_the_status_and_atexit(tmp_path: Path) -> None:
    folder = _history(tmp_path, 400)
    code = MAIN + "atexit.register(lambda: print('atexit ran', file=sys.stderr))\nmain()\n"
    done = _run(code, "check", str(folder), "--format", "json", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert len([f for f in findings if f["code"] == "NN001"]) == 399
    assert done.stderr.strip().endswith("atexit ran")


def test_clean_and_bad_input_statuses(tmp_path: Path) -> None:
    folder = _history(tmp_path, 1)
    clean = _run(MAIN + "main()\n", "check", str(folder), "--no-cache", cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert "All checks passed" in clean.stdout
    missing = _run(MAIN + "main()\n", "check", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert missing.returncode == 2
    assert "nowhere" in missing.stderr and "Traceback" not in missing.stderr


def test_exit_with_a_message_prints_it_and_fails() -> None:
    done = _run("from migrate_lint.cli import _exit_now\n"
                "print('before', end='')\n"
                "_exit_now('stopped: why')\n")
    assert done.returncode == 1
    assert done.stdout == "before"  # buffered output is flushed before the process ends
    assert done.stderr.strip() == "stopped: why"
