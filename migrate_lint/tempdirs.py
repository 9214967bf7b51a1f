"""Temporary directories that a SIGTERM or Ctrl-C never leaves behind.

The CLI turns SIGTERM into SystemExit and Ctrl-C is KeyboardInterrupt, so `finally`
blocks run. Two windows remain: while ``mkdtemp`` makes the directory, and inside
the removal itself. Both are closed by holding those signals back
(``pthread_sigmask``) while the directory is made and while it is removed; a signal
that arrives meanwhile is delivered as soon as the mask is lifted, so the directory
is made inside the ``try`` that removes it.

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
    path: str | None = None
    try:
        # made inside the try: a signal held back meanwhile is delivered as the mask is
        # lifted, before any statement after the `with` (a `try` there came too late)
        with _held():
            path = tempfile.mkdtemp(prefix=prefix, dir=parent)
        yield path
    finally:
        if path is not None:
            with _held():
                shutil.rmtree(path, ignore_errors=True)
