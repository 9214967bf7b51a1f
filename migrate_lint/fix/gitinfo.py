"""What git says about a migration file: new since a revision, or edited locally.

Real git is called (DESIGN.md: git-aware options call real git). Outside a
repository every answer is the cautious one.
"""

from __future__ import annotations

import os
import subprocess


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None


def is_repo(path: str) -> bool:
    """True when ``path`` is inside a git work tree."""
    done = _git(path, "rev-parse", "--is-inside-work-tree")
    return done is not None and done.returncode == 0 and done.stdout.strip() == "true"


def may_have_applied(path: str, since: str | None) -> bool:
    """Whether the migration at ``path`` may already have run on (empty) databases.

    With ``since``: it may have unless it did not exist at that revision. Without:
    it may have unless git does not track it (untracked or only staged as new).
    Outside a repository: assume it may have.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not is_repo(folder):
        return True
    name = os.path.basename(path)
    if since is not None:
        top = _git(folder, "rev-parse", "--show-prefix")
        prefix = top.stdout.strip() if top is not None else ""
        done = _git(folder, "cat-file", "-e", f"{since}:{prefix}{name}")
        return done is not None and done.returncode == 0
    done = _git(folder, "ls-files", "--error-unmatch", name)
    if done is None or done.returncode != 0:
        return False
    head = _git(folder, "cat-file", "-e", f"HEAD:./{name}")
    return head is not None and head.returncode == 0


def has_local_edits(path: str) -> bool:
    """True when git reports uncommitted changes to ``path`` (False outside a repository)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not is_repo(folder):
        return False
    done = _git(folder, "status", "--porcelain", "--", os.path.basename(path))
    return done is not None and bool(done.stdout.strip()) and not done.stdout.startswith("??")
