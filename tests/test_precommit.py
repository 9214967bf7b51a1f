"""The pre-commit hook, run by the real `pre-commit` in a temporary git repository.

The hook repository is a git copy of this project's current working tree (the
package, the rules and `.pre-commit-hooks.yaml`), so the test checks what is on disk
now rather than the last commit. pre-commit installs it into its own virtualenv from
the package index; ``PRE_COMMIT_HOME`` points into the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parent.parent
COPIED = ("pyproject.toml", "migrate_lint", "rules", ".pre-commit-hooks.yaml", "README.md",
          "LICENSE")


def _pre_commit() -> list[str] | None:
    """How to run pre-commit here, or None when it is not installed."""
    try:
        done = subprocess.run([sys.executable, "-m", "pre_commit", "--version"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is not None and done.returncode == 0:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


def _git(cwd: Path, *args: str, env: dict[str, str], check: bool = True
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=check, timeout=900)


def _init(repo: Path, env: dict[str, str]) -> None:
    _git(repo, "init", "-q", env=env)
    for key, value in (("user.name", "Test"), ("user.email", "test@example.com"),
                       ("commit.gpgsign", "false")):
        _git(repo, "config", key, value, env=env)


def _hook_repo(where: Path, env: dict[str, str]) -> str:
    """A git repository holding the project's working tree; returns its commit."""
    where.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, where / name)
    if not (where / "README.md").exists():  # pyproject names it as the long description
        (where / "README.md").write_text("# migrate-lint\n")
    _init(where, env)
    _git(where, "add", "-A", env=env)
    _git(where, "commit", "-q", "-m", "hook repository", env=env)
    return _git(where, "rev-parse", "HEAD", env=env).stdout.strip()


def test_hook_refuses_a_breaking_migration(tmp_path: Path) -> None:
    pre_commit = _pre_commit()
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_CONFIG_NOSYSTEM="1",
               GIT_CONFIG_GLOBAL=os.devnull, NO_COLOR="1", PRE_COMMIT_COLOR="never")
    env.pop("GITHUB_ACTIONS", None)
    rev = _hook_repo(tmp_path / "hook", env)

    work = tmp_path / "work"
    work.mkdir()
    _init(work, env)
    (work / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {tmp_path / 'hook'}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: migrate-lint\n"
    )
    subprocess.run([*pre_commit, "install"], cwd=work, env=env, check=True,
                   capture_output=True, text=True, timeout=300)
    migrations = work / "migrations"
    migrations.mkdir()
    (migrations / "0001_create_t.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY);\n")
    _git(work, "add", "-A", env=env)
    first = _git(work, "commit", "-m", "create t", env=env, check=False)
    assert first.returncode == 0, first.stdout + first.stderr

    bad = migrations / "0002_add_c.sql"
    bad.write_text("ALTER TABLE t ADD c integer NOT NULL;\n")
    _git(work, "add", "-A", env=env)
    refused = _git(work, "commit", "-m", "add c", env=env, check=False)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "NN001" in refused.stdout + refused.stderr

    bad.write_text("ALTER TABLE t ADD c integer NOT NULL DEFAULT 0;\n")
    _git(work, "add", "-A", env=env)
    accepted = _git(work, "commit", "-m", "add c with a default", env=env, check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def _readme_snippet() -> str:
    """The README's pre-commit configuration, as a user would copy it."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## pre-commit"):]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match is not None, "the README's pre-commit section has no yaml block"
    return match.group(1)


def _journal(tags: list[str]) -> str:
    entries = [{"idx": i, "version": "6", "when": 1700000000000 + i, "tag": tag,
                "breakpoints": True} for i, tag in enumerate(tags)]
    return json.dumps({"version": "7", "dialect": "sqlite", "entries": entries}, indent=2)


def test_readme_snippet_in_a_drizzle_project(tmp_path: Path) -> None:
    """The README's snippet verbatim, but for the repository URL and the commit it pins:
    a migration committed with its meta/_journal.json change passes, a bad one does not."""
    pre_commit = _pre_commit()
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_CONFIG_NOSYSTEM="1",
               GIT_CONFIG_GLOBAL=os.devnull, NO_COLOR="1", PRE_COMMIT_COLOR="never")
    env.pop("GITHUB_ACTIONS", None)
    rev = _hook_repo(tmp_path / "hook", env)
    snippet = _readme_snippet()
    assert "files: ^migrations/" in snippet
    config = re.sub(r"(repo: )\S+", lambda m: m.group(1) + str(tmp_path / "hook"), snippet)
    config = re.sub(r"(rev: )\S+", lambda m: m.group(1) + rev, config)
    assert config.count(rev) == 1 and str(tmp_path / "hook") in config

    work = tmp_path / "work"
    work.mkdir()
    _init(work, env)
    (work / ".pre-commit-config.yaml").write_text(config)
    subprocess.run([*pre_commit, "install"], cwd=work, env=env, check=True,
                   capture_output=True, text=True, timeout=300)
    migrations = work / "migrations"
    (migrations / "meta").mkdir(parents=True)
    (migrations / "0000_init.sql").write_text(
        "CREATE TABLE `t` (`id` integer PRIMARY KEY);\n")
    (migrations / "meta" / "_journal.json").write_text(_journal(["0000_init"]))
    _git(work, "add", "-A", env=env)
    first = _git(work, "commit", "-m", "create t", env=env, check=False)
    assert first.returncode == 0, first.stdout + first.stderr

    bad = migrations / "0001_add_c.sql"
    bad.write_text("ALTER TABLE `t` ADD `c` integer NOT NULL;\n")
    (migrations / "meta" / "_journal.json").write_text(_journal(["0000_init", "0001_add_c"]))
    _git(work, "add", "-A", env=env)
    refused = _git(work, "commit", "-m", "add c", env=env, check=False)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "NN001" in refused.stdout + refused.stderr
    assert "_journal.json" not in refused.stdout + refused.stderr

    bad.write_text("ALTER TABLE `t` ADD `c` integer NOT NULL DEFAULT 0;\n")
    _git(work, "add", "-A", env=env)
    accepted = _git(work, "commit", "-m", "add c with a default", env=env, check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    # A commit touching only the journal (drizzle-kit rewrites it) is not blocked either.
    (migrations / "meta" / "_journal.json").write_text(
        _journal(["0000_init", "0001_add_c"]) + "\n")
    _git(work, "add", "-A", env=env)
    journal_only = _git(work, "commit", "-m", "journal", env=env, check=False)
    assert journal_only.returncode == 0, journal_only.stdout + journal_only.stderr
