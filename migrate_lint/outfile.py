"""Writing a file the user named (`check -o`, `baseline -o`): as it is rendered, and
whole or not at all.

A long history's JSON report is tens of megabytes: made whole before writing, it and
its encoded copy were the run's peak of memory. Written piece by piece into the named
file, a run that fails or is stopped half-way would leave half a report where the last
good one was. So the pieces go to a new file beside it, which replaces it at the end
(`os.replace`, atomic on POSIX and Windows). The new file is made with the mode
`open()` would give it (0666 less the umask), or the mode of the file it replaces.

A name that is not a regular file (`/dev/stdout`, a FIFO a CI step reads) cannot be
replaced, and a folder that refuses new files may still hold a writable one: both are
written in place, as `open(path, "w")` does.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable


def write_pieces(path: str, pieces: Iterable[str], *, newline: str | None = None) -> None:
    """Write ``pieces`` one after the other to ``path`` (UTF-8; ``newline`` as `open`'s).

    Raises OSError (with the named ``path``) when it cannot be written.
    """
    target = os.path.realpath(path)  # a symlink to a report is written through
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(path, pieces, newline)
        return
    folder = os.path.dirname(target)
    temp = os.path.join(folder, f".{os.path.basename(target)}.{os.urandom(6).hex()}.tmp")
    try:
        # O_EXCL: a name nobody else holds; 0o666 as open() asks, less the umask
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
    except (PermissionError, FileNotFoundError) as err:
        if st is None:
            raise OSError(err.errno, err.strerror, path) from None
        _write_in_place(path, pieces, newline)  # a writable file in a folder that is not
        return
    try:
        if st is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
        with open(fd, "w", encoding="utf-8", newline=newline) as handle:
            for piece in pieces:
                handle.write(piece)
        os.replace(temp, target)
    except BaseException:  # a failure, Ctrl-C or SIGTERM: the named file stays as it was
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _write_in_place(path: str, pieces: Iterable[str], newline: str | None) -> None:
    with open(path, "w", encoding="utf-8", newline=newline) as handle:
        for piece in pieces:
            handle.write(piece)
