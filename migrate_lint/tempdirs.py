"""Temporary directories that a SIGTERM or Ctrl-C never leaves behind.

The CLI turns SIGTERM into SystemExit and Ctrl-C is KeyboardInterrupt, so `finally`
blocks run. Two windows remain: between ``mkdtemp`` making the directory and the
``try`` that removes it, and inside the removal itself. Both are closed by holding
those signals back (``pthread_sigmask``) while the directory is made and while it is
removed; a signal that arrives meanwhile is delivered right after.

    >>> import os
    >>> with temp_dir("migrate-lint-doctest-") as path:
    ...     os.path.isdir(path)
    True
    >>> os.path.exists(path)
    False
"""

from __future__ import annotations

import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

_HELD = frozenset({signal.SIGTERM, signal.SIGINT})


@contextmanager
def _held() -> Iterator[None]:
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # no signal masks here (Windows): the windows stay open
        yield
        return
    previous = mask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


@contextmanager
def temp_dir(prefix: str, parent: str | None = None) -> Iterator[str]:
    """A new directory (under ``parent``, or the system's temp directory), removed at
    the end however the block ends."""
    with _held():
        path = tempfile.mkdtemp(prefix=prefix, dir=parent)
    try:
        yield path
    finally:
        with _held():
            shutil.rmtree(path, ignore_errors=True)
