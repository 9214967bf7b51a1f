"""Helpers for tests that need real database files: build, dump, run the CLI."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import migrate_lint
from migrate_lint.cli import cli
from migrate_lint.pipeline import load_history
from tests.rules.harness import write_history


def build(root: Path, text: str, db: Path, upto: int) -> list[Path]:
    """Write the history ``text`` under ``root`` and apply its first ``upto`` migrations to ``db``."""
    files = write_history(text, root)
    db.write_bytes(b"")
    if upto:
        label = load_history(root).migrations[upto - 1].label
        migrate_lint.apply(str(db), str(root), to=label, force=True, run_preflight=False,
                           keep_backups=0)
    return files


def dump(db: Path) -> list[str]:
    """The database's content as SQL, for byte-for-byte comparisons of content."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m migrate_lint`` in a real subprocess."""
    return subprocess.run([sys.executable, "-m", "migrate_lint", *args], capture_output=True,
                          text=True, timeout=timeout, check=False)
