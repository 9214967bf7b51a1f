"""``--writers-from REV``: the insert paths as they were at an older git revision.

Real git: ``git ls-tree`` lists the files, one ``git cat-file --batch`` reads them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from migrate_lint.errors import MigrateLintError
from migrate_lint.gitread import list_files, read_blobs, run_git
from migrate_lint.inserts.files import DEFAULT_EXCLUDES, Excludes, language_of
from migrate_lint.values import value_class


@value_class
class RevisionFile:
    """One file of an insert path at a revision: display path, language, bytes."""

    path: str
    language: str
    data: bytes


def _toplevel(path: str) -> str:
    where = path if os.path.isdir(path) else os.path.dirname(path) or "."
    if not os.path.isdir(where):
        raise MigrateLintError(f"{path}: no such insert path")
    return run_git(["rev-parse", "--show-toplevel"], where,
                   purpose="--writers-from").decode().strip()


def revision_files(paths: Sequence[str], revision: str, exclude: Sequence[str] = ()
                   ) -> Iterator[RevisionFile]:
    """Files under ``paths`` as they were at ``revision``, excludes applied.

    Each file's display path is the insert path joined with its place below it, so
    older writers read like the current files. Raises MigrateLintError when a path
    is not in a git repository or the revision does not exist there.
    """
    patterns = Excludes.of((*DEFAULT_EXCLUDES, *exclude))
    for root in paths:
        top = _toplevel(root)
        rel_root = os.path.relpath(os.path.realpath(root), os.path.realpath(top))
        run_git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], top,
                purpose="--writers-from")
        spec = "." if rel_root == "." else rel_root
        wanted: list[tuple[str, str, str]] = []  # (repo path, display path, language)
        for name in list_files(revision, spec, top, purpose="--writers-from"):
            below = name if spec == "." else os.path.relpath(name, rel_root)
            if below.startswith(".."):
                continue
            lang = language_of(name)
            if lang is None or patterns.match(below):
                continue
            display = root if name == rel_root else os.path.normpath(os.path.join(root, below))
            wanted.append((name, display, lang))
        if not wanted:
            continue
        blobs = read_blobs(revision, [name for name, _, _ in wanted], top,
                           purpose="--writers-from")
        for name, display, lang in wanted:
            if name in blobs:  # not a blob: a submodule or an odd name
                yield RevisionFile(display, lang, blobs[name])
