"""Real paths of many files at once: each directory is resolved once.

A history's thousand files share one or two directories; `os.path.realpath` would
resolve every component of every path again (several system calls per file).
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def real(path: str) -> str:
    """The path with every link resolved, case-normalised where the system folds case."""
    return os.path.normcase(os.path.realpath(path))


def reals(paths: Iterable[str]) -> dict[str, str]:
    """`real` of each of ``paths``: each directory resolved once, and a file that is
    itself a link resolved in full."""
    dirs: dict[str, str] = {}
    out: dict[str, str] = {}
    for path in paths:
        if path in out:
            continue
        head, tail = os.path.split(path)
        if tail in ("", os.curdir, os.pardir) or os.path.islink(path):
            out[path] = real(path)
            continue
        real_dir = dirs.get(head)
        if real_dir is None:
            real_dir = dirs[head] = os.path.realpath(head or os.curdir)
        out[path] = os.path.normcase(os.path.join(real_dir, tail))
    return out
