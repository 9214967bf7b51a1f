"""Which processes hold SQLite's locks on a database file (Linux: ``/proc/locks``).

SQLite locks with POSIX advisory locks on the database file and cannot say who holds
them; "database is locked" alone leaves the user guessing. On Linux the kernel lists
every POSIX lock with its process and the file's device and inode, so a refused
``apply`` can name the process in the way. Elsewhere the list is empty.
"""

from __future__ import annotations

import os

__all__ = ["describe_holders", "lock_holders"]


def lock_holders(path: str) -> tuple[int, ...]:
    """Ids of other processes holding a POSIX lock on ``path``, in order, without repeats."""
    try:
        info = os.stat(path)
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            lines = handle.readlines()
    except OSError:
        return ()
    wanted = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
    holders: dict[int, None] = {}
    for line in lines:
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 12894 fe:00:2146322 1073741825 1073741825"
        if len(fields) < 6 or fields[1] != "POSIX":
            continue
        try:
            pid = int(fields[4])
            major, minor, inode = fields[5].split(":")
            key = (int(major, 16), int(minor, 16), int(inode))
        except ValueError:
            continue
        if key == wanted and pid != os.getpid():
            holders[pid] = None
    return tuple(holders)


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return "?"


def describe_holders(path: str) -> str:
    """``"pid 123 (python3)"`` for each holder, or "" when none can be named."""
    return ", ".join(f"pid {pid} ({_command(pid)})" for pid in lock_holders(path))
