"""Output does not depend on Python's string hash seed (issue 8 section 3).

The schema's maps iterate in hash order, so any list built from them and written into
a message (child tables, triggers, views) must be sorted first. Each run is a separate
interpreter: the hash seed is fixed at start-up and cannot vary inside one process.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import corpus_path

_HISTORIES = (
    ("realworld", "stash", "pkg", "sqlite", "migrations"),  # many rebuilds with children
    ("realworld", "homarr", "packages", "db", "migrations", "sqlite"),
)


def _run(seed: str, *args: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "migrate_lint", *args], env=env,
                          capture_output=True, check=False, timeout=120)
    assert done.returncode in (0, 1), done.stderr.decode()
    return done.stdout


@pytest.mark.parametrize("parts", _HISTORIES, ids=lambda p: p[1])
def test_check_output_is_the_same_under_two_hash_seeds(parts: tuple[str, ...]) -> None:
    root = str(corpus_path(*parts))
    first = _run("1", "check", root, "--format", "json")
    assert b'"findings"' in first
    assert _run("2", "check", root, "--format", "json") == first


def test_schema_output_is_the_same_under_two_hash_seeds() -> None:
    root = str(corpus_path(*_HISTORIES[0]))
    first = _run("3", "schema", root)
    assert first.strip()
    assert _run("4", "schema", root) == first
