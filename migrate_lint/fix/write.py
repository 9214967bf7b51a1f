"""Atomic writes: a temporary file in the same directory, then a rename.

A new migration never overwrites an existing file (``os.link`` refuses); an edit of
an existing file replaces it in one step (``os.replace``).
"""

from __future__ import annotations

import difflib
import os
import tempfile

from migrate_lint.errors import MigrateLintError
from migrate_lint.fix.layout import ensure_inside
from migrate_lint.fix.model import FileChange


def diff(change: FileChange) -> str:
    """The unified diff of an edit (empty for a new file)."""
    if change.old_text is None:
        return ""
    return "".join(difflib.unified_diff(
        change.old_text.splitlines(keepends=True), change.text.splitlines(keepends=True),
        fromfile=f"a/{change.path}", tofile=f"b/{change.path}"))


def _temp(folder: str, text: str) -> str:
    fd, tmp = tempfile.mkstemp(prefix=".migrate-lint-", suffix=".tmp", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return tmp


def write_change(change: FileChange) -> None:
    """Write one file atomically; refuse to overwrite when the change is a new file."""
    folder = os.path.dirname(os.path.abspath(change.path))
    if change.old_text is None:
        os.makedirs(folder, exist_ok=True)
        tmp = _temp(folder, change.text)
        try:
            os.link(tmp, change.path)
        except FileExistsError:
            raise MigrateLintError(f"{change.path}: already exists; not overwritten") from None
        finally:
            os.unlink(tmp)
        return
    with open(change.path, encoding="utf-8", newline="") as fh:
        if fh.read() != change.old_text:
            raise MigrateLintError(f"{change.path}: changed since it was read; nothing written")
    tmp = _temp(folder, change.text)
    os.replace(tmp, change.path)


def write_all(changes: list[FileChange], root: str) -> None:
    """Write every change; new files first fail early on a name clash before any edit.

    Every path must lie inside ``root`` (the migrations directory), checked before
    anything is written.
    """
    for change in changes:
        ensure_inside(root, change.path)
    for change in changes:
        if change.old_text is None and os.path.exists(change.path):
            raise MigrateLintError(f"{change.path}: already exists; not overwritten")
    for change in sorted(changes, key=lambda c: c.old_text is not None):
        write_change(change)
