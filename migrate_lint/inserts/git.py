"""``--writers-from REV``: the insert paths as they were at an older git revision.

Real git: ``git ls-tree`` lists the files, one ``git cat-file --batch`` reads them.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from migrate_lint.errors import MigrateLintError
from migrate_lint.inserts.files import DEFAULT_EXCLUDES, excluded, language_of


@dataclass(frozen=True, slots=True)
class RevisionFile:
    """One file of an insert path at a revision: display path, language, bytes."""

    path: str
    language: str
    data: bytes


def _git(args: Sequence[str], cwd: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise MigrateLintError("--writers-from needs git, which is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MigrateLintError(
            f"git {' '.join(args[:2])} in {cwd}: {message[-1] if message else 'failed'}"
        )
    return done.stdout


def _toplevel(path: str) -> str:
    where = path if os.path.isdir(path) else os.path.dirname(path) or "."
    if not os.path.isdir(where):
        raise MigrateLintError(f"{path}: no such insert path")
    return _git(["rev-parse", "--show-toplevel"], where).decode().strip()


def revision_files(paths: Sequence[str], revision: str, exclude: Sequence[str] = ()
                   ) -> Iterator[RevisionFile]:
    """Files under ``paths`` as they were at ``revision``, excludes applied.

    Each file's display path is the insert path joined with its place below it, so
    older writers read like the current files. Raises MigrateLintError when a path
    is not in a git repository or the revision does not exist there.
    """
    patterns = (*DEFAULT_EXCLUDES, *exclude)
    for root in paths:
        top = _toplevel(root)
        rel_root = os.path.relpath(os.path.realpath(root), os.path.realpath(top))
        _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], top)
        spec = "." if rel_root == "." else rel_root
        names = _git(["ls-tree", "-r", "-z", "--name-only", revision, "--", spec], top)
        wanted: list[tuple[str, str, str]] = []  # (repo path, display path, language)
        for name in names.decode("utf-8", "replace").split("\0"):
            if not name:
                continue
            below = name if spec == "." else os.path.relpath(name, rel_root)
            if below.startswith(".."):
                continue
            lang = language_of(name)
            if lang is None or excluded(below, patterns):
                continue
            display = root if name == rel_root else os.path.normpath(os.path.join(root, below))
            wanted.append((name, display, lang))
        if not wanted:
            continue
        batch = "".join(f"{revision}:{name}\n" for name, _, _ in wanted).encode()
        out = _git(["cat-file", "--batch"], top, stdin=batch)
        pos = 0
        for _, display, lang in wanted:
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].split()
            pos = header_end + 1
            if len(header) < 3 or header[1] != b"blob":
                continue  # "missing": a submodule or an odd name
            size = int(header[2])
            yield RevisionFile(display, lang, out[pos:pos + size])
            pos += size + 1
