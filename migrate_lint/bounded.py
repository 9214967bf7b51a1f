"""Reading files that arrive in pull requests: regular files only, inside the tree, capped.

A FIFO named like a migration blocks ``open`` forever; a symlink to ``/dev/zero``
reads until memory runs out; a committed ``0002_x.sql -> ../../.env`` has its first
line printed in CI logs. Every file migrate-lint reads from a user's tree goes
through `read_regular`, and every directory entry it considers through `problem`.

    >>> import os, tempfile
    >>> root = tempfile.mkdtemp()
    >>> os.mkfifo(os.path.join(root, "0001_x.sql"))
    >>> problem(os.path.join(root, "0001_x.sql"), root)
    'a FIFO, not a regular file; skipped'
    >>> os.symlink("/etc/hostname", os.path.join(root, "0002_y.sql"))
    >>> problem(os.path.join(root, "0002_y.sql"), root)
    'a symlink to /etc/hostname, outside the tree; not followed'
"""

from __future__ import annotations

import os
import stat

from migrate_lint.errors import MigrateLintError

# Larger than any migration people write by hand, and than the 50 MB seed files
# some projects commit; a cap keeps a runaway file from exhausting memory.
MAX_BYTES = 256 * 1024 * 1024

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def problem(path: str, root: str, entry: os.DirEntry[str] | None = None) -> str | None:
    """Why ``path`` must not be read (or entered) as part of the tree at ``root``, or None.

    A symlink is followed only when it resolves inside ``root``; only regular files
    and directories are read. ``entry``: the directory listing's entry for ``path``,
    which knows whether it is a link without a system call.
    """
    try:
        if entry is not None and not entry.is_symlink() and (
                entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False)):
            return None  # the listing's own type (no system call): a file or a folder
        if entry.is_symlink() if entry is not None else os.path.islink(path):
            target = os.path.realpath(path)
            real_root = os.path.realpath(root)
            if os.path.commonpath([real_root, target]) != real_root:
                return f"a symlink to {os.readlink(path)}, outside the tree; not followed"
        mode = entry.stat().st_mode if entry is not None else os.stat(path).st_mode
    except OSError as err:
        return f"cannot be read ({err.strerror}); skipped"
    for test, what in _KINDS:
        if test(mode):
            return f"{what}, not a regular file; skipped"
    return None


def read_regular(path: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``; MigrateLintError for anything else.

    Opened without blocking (a FIFO would block ``open`` itself), checked to be a
    regular file, and read up to ``limit`` bytes.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise MigrateLintError(f"{path}: cannot read file ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = next((w for test, w in _KINDS if test(mode)), "not a regular file")
            raise MigrateLintError(f"{path}: {what}, not a regular file; not read")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise MigrateLintError(f"{path}: larger than {limit // (1024 * 1024)} MB; split it, "
                               "or keep data files out of the migrations directory")
    return data
