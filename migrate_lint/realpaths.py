"""Real paths of many files at once: each directory is resolved once.

A history's thousand files share one or two directories; `os.path.realpath` would
resolve every component of every path again (several system calls per file).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

# From this many files of one directory on, its listing says which of them are links
# (one system call, with the entries' types) instead of a system call per file.
_LISTED = 32


def real(path: str) -> str:
    """The path with every link resolved, case-normalised where the system folds case."""
    return os.path.normcase(os.path.realpath(path))


def reals(paths: Iterable[str]) -> dict[str, str]:
    """`real` of each of ``paths``: each directory resolved once, and a file that is
    itself a link resolved in full."""
    by_dir: dict[str, list[tuple[str, str]]] = {}
    out: dict[str, str] = {}
    for path in paths:
        if path in out:
            continue
        head, tail = os.path.split(path)
        if tail in ("", os.curdir, os.pardir):
            out[path] = real(path)
            continue
        out[path] = ""  # placed below, in the order given
        by_dir.setdefault(head, []).append((path, tail))
    for head, files in by_dir.items():
        links = _links(head) if len(files) >= _LISTED else None
        real_dir = os.path.realpath(head or os.curdir)
        for path, tail in files:
            is_link = tail in links if links is not None else os.path.islink(path)
            out[path] = real(path) if is_link else os.path.normcase(os.path.join(real_dir, tail))
    return out


def _links(directory: str) -> frozenset[str] | None:
    """The names of the links in ``directory`` (None when it cannot be listed)."""
    try:
        with os.scandir(directory or os.curdir) as entries:
            return frozenset(e.name for e in entries if e.is_symlink())
    except OSError:
        return None
