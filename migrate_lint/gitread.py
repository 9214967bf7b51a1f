"""Reading files as they were at a git revision, with the real git.

`--since` (migrations at the base revision) and `--writers-from` (insert paths of an
older build) both list files with ``git ls-tree`` and read them with one
``git cat-file --batch``; this module holds that, once.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from migrate_lint.errors import MigrateLintError


def run_git(args: Sequence[str], cwd: str, *, purpose: str, stdin: bytes | None = None
            ) -> bytes:
    """Run ``git args`` in ``cwd``; a failure is a one-line error naming ``purpose``
    (the option that needed git, e.g. ``--since``)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise MigrateLintError(f"{purpose} needs git, which is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MigrateLintError(
            f"{purpose}: git {' '.join(args[:2])} in {cwd}: "
            f"{message[-1] if message else 'failed'}"
        )
    return done.stdout


def list_files(revision: str, spec: str, cwd: str, *, purpose: str) -> list[str]:
    """Repository paths of the files under ``spec`` at ``revision``."""
    names = run_git(["ls-tree", "-r", "-z", "--name-only", revision, "--", spec], cwd,
                    purpose=purpose)
    return [n for n in names.decode("utf-8", "replace").split("\0") if n]


def read_blobs(revision: str, names: Sequence[str], cwd: str, *, purpose: str
               ) -> dict[str, bytes]:
    """The contents of ``names`` at ``revision``; names that are not blobs there (a
    submodule, a missing object) are left out."""
    if not names:
        return {}
    batch = "".join(f"{revision}:{name}\n" for name in names).encode()
    out = run_git(["cat-file", "--batch"], cwd, purpose=purpose, stdin=batch)
    blobs: dict[str, bytes] = {}
    pos = 0
    for name in names:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        pos = header_end + 1
        if len(header) < 3:
            continue  # "<object> missing": no content follows
        size = int(header[2])
        if header[1] == b"blob":
            blobs[name] = out[pos:pos + size]
        pos += size + 1  # the content and its trailing newline
    return blobs
