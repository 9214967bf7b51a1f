"""All-or-nothing writes of a fix: every file, or none, even across a kill.

A fix is several files: a corrected migration, a new one, its down file, the drizzle
journal listing it. Written one by one, a kill or a full disk between two writes
leaves a new migration without its correction, or a journal without its file. So:

1. a lock file (``.migrate-lint.lock``, holding the pid) keeps two runs apart;
2. every new text is written to a temp file beside its target, with the target's
   mode (0644 under the umask for new files), and a backup of every file to be
   replaced is made; all are fsynced;
3. a manifest (``.migrate-lint-write.json``) naming them is written and fsynced:
   from here on the write is decided;
4. the temp files are renamed over their targets, in order, and the manifest,
   backups and lock are removed.

A failure before the manifest removes the temp files; a failure after it rolls back
the renames already done from the backups. A run killed after the manifest leaves it
behind: the next `recover` completes the write (every temp file is complete by then)
and says so.
"""

from __future__ import annotations

import difflib
import json
import os
import signal
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from migrate_lint.errors import MigrateLintError
from migrate_lint.fix.layout import ensure_inside
from migrate_lint.fix.model import FileChange
from migrate_lint.values import value_class

LOCK = ".migrate-lint.lock"
MANIFEST = ".migrate-lint-write.json"
# Test hook: kill this process (SIGKILL, no clean-up) when the write reaches step N,
# so tests can show every interruption point is recoverable. Unset in normal use.
_CRASH_ENV = "MIGRATE_LINT_CRASH_AT_STEP"


def diff(change: FileChange) -> str:
    """The unified diff of an edit (empty for a new file); a missing final newline is
    marked as git marks it instead of gluing two lines together."""
    if change.old_text is None:
        return ""
    lines = difflib.unified_diff(
        _diff_lines(change.old_text), _diff_lines(change.text),
        fromfile=f"a/{change.path}", tofile=f"b/{change.path}")
    return "".join(lines)


def _diff_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


@value_class
class _Entry:
    """One file of the write: where it goes, its complete temp file, its backup."""

    path: str
    temp: str
    backup: str | None  # the original's copy, for an edit


def _crash_point(step: int) -> None:
    wanted = os.environ.get(_CRASH_ENV)
    if wanted is not None and wanted.strip() == str(step):
        os.kill(os.getpid(), signal.SIGKILL)


def _new_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_temp(folder: str, text: str, mode: int) -> str:
    fd, tmp = tempfile.mkstemp(prefix=".migrate-lint-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(path: str | None) -> None:
    if path is None:
        return
    with suppress(FileNotFoundError):
        os.unlink(path)


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the renames still happened
    finally:
        os.close(fd)


def keep_newlines(old: str | None, new: str) -> str:
    """``new`` with CRLF line ends where the file it replaces uses CRLF.

    >>> keep_newlines("a\\r\\nb\\r\\n", "a\\nb DEFAULT 0\\n")
    'a\\r\\nb DEFAULT 0\\r\\n'
    >>> keep_newlines("a\\n", "a\\r\\nb\\n"), keep_newlines(None, "x\\n")
    ('a\\r\\nb\\n', 'x\\n')
    """
    if old is None or "\r\n" not in old or old.replace("\r\n", "").count("\n"):
        return new
    return new.replace("\r\n", "\n").replace("\n", "\r\n")


@contextmanager
def _locked(root: str) -> Iterator[None]:
    """Hold the directory's lock; refuse, naming the holder, while another run has it."""
    path = os.path.join(root, LOCK)
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _lock_holder(path)
            if holder is not None and _alive(holder):
                raise MigrateLintError(
                    f"{path}: another `migrate-lint fix --write` (pid {holder}) is writing "
                    "this directory; wait for it to finish") from None
            _unlink(path)  # left by a run that was killed: take it over
            continue
        except OSError as err:  # a read-only directory, a full disk
            raise MigrateLintError(f"{os.path.dirname(path) or '.'}: cannot write "
                                   f"({err.strerror}); nothing written") from None
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{os.getpid()}\n")
        break
    else:  # pragma: no cover - only a race with a third run gets here
        raise MigrateLintError(f"{path}: could not take the lock; try again")
    try:
        yield
    finally:
        _unlink(path)


def _lock_holder(path: str) -> int | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return int(fh.read().strip() or "0") or None
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_all(changes: Sequence[FileChange], root: str) -> None:
    """Write every change or none. Raises MigrateLintError (nothing written) on a clash,
    a file changed since it was read, a path outside ``root`` or a failed write."""
    for change in changes:
        ensure_inside(root, change.path)
    with _locked(root):
        _crash_point(0)
        _finish_interrupted(root)
        _check_targets(changes)
        entries = _stage(root, changes)
        _crash_point(1)
        manifest = os.path.join(root, MANIFEST)
        try:
            _write_manifest(manifest, root, entries)
        except BaseException:
            _discard(entries)
            raise
        _crash_point(2)
        _commit(manifest, entries)


def _check_targets(changes: Sequence[FileChange]) -> None:
    for change in changes:
        if change.old_text is None:
            if os.path.lexists(change.path):
                raise MigrateLintError(f"{change.path}: already exists; nothing written")
            continue
        try:
            with open(change.path, encoding="utf-8", newline="") as fh:
                current = fh.read()
        except OSError as err:
            raise MigrateLintError(f"{change.path}: cannot read ({err.strerror}); "
                                   "nothing written") from None
        if current != change.old_text:
            raise MigrateLintError(f"{change.path}: changed since it was read; nothing written")


def _stage(root: str, changes: Sequence[FileChange]) -> list[_Entry]:
    """Temp files with the new texts and backups of the originals, all fsynced.

    Every temp file sits in ``root`` itself (renamed across folders later): a run
    killed before its manifest then leaves nothing but ``root/.migrate-lint-*.tmp``,
    which the next run removes, and never an empty new migration folder.
    """
    entries: list[_Entry] = []
    try:
        for change in changes:
            if change.old_text is None:
                temp = _write_temp(root, change.text, _new_mode())
                entries.append(_Entry(change.path, temp, None))
                continue
            mode = os.stat(change.path).st_mode & 0o7777
            backup = _write_temp(root, change.old_text, mode)
            try:
                temp = _write_temp(root, keep_newlines(change.old_text, change.text), mode)
            except BaseException:
                _unlink(backup)
                raise
            entries.append(_Entry(change.path, temp, backup))
    except OSError as err:
        _discard(entries)
        where = err.filename or root
        raise MigrateLintError(f"{where}: cannot write ({err.strerror}); nothing written"
                               ) from None
    except BaseException:
        _discard(entries)
        raise
    return entries


def _discard(entries: Sequence[_Entry]) -> None:
    for e in entries:
        _unlink(e.temp)
        _unlink(e.backup)


def _write_manifest(path: str, root: str, entries: Sequence[_Entry]) -> None:
    data = {"pid": os.getpid(), "files": [
        {"path": os.path.relpath(e.path, root), "temp": os.path.relpath(e.temp, root),
         "backup": None if e.backup is None else os.path.relpath(e.backup, root)}
        for e in entries]}
    tmp = _write_temp(root, json.dumps(data, indent=1) + "\n", 0o644)
    os.replace(tmp, path)
    _fsync_dir(root)


def _commit(manifest: str, entries: Sequence[_Entry]) -> None:
    done: list[_Entry] = []
    made: list[str] = []  # new migration folders, removed again on a roll-back
    try:
        for step, e in enumerate(entries, start=3):
            folder = os.path.dirname(os.path.abspath(e.path))
            if not os.path.isdir(folder):
                os.makedirs(folder)
                made.append(folder)
            if e.backup is None:
                os.link(e.temp, e.path)  # never overwrites a file that appeared meanwhile
                _unlink(e.temp)
            else:
                os.replace(e.temp, e.path)
            done.append(e)
            _crash_point(step)
        for folder in sorted({os.path.dirname(os.path.abspath(e.path)) for e in entries}):
            _fsync_dir(folder)
    except OSError as err:
        _roll_back(done, entries, made)
        _unlink(manifest)
        raise MigrateLintError(f"{err.filename or manifest}: cannot write ({err.strerror}); "
                               "the files already written were restored, nothing changed"
                               ) from None
    for e in entries:
        _unlink(e.backup)
    _unlink(manifest)


def _roll_back(done: Sequence[_Entry], entries: Sequence[_Entry], made: Sequence[str]
               ) -> None:
    for e in reversed(done):
        if e.backup is None:
            _unlink(e.path)
        else:
            os.replace(e.backup, e.path)
    _discard(entries)
    for folder in reversed(made):
        with suppress(OSError):
            os.rmdir(folder)


def recover(root: str) -> str | None:
    """Finish what a killed ``fix --write`` left: complete a decided write (its manifest
    exists), or remove the temp files of one that had not decided yet.

    Returns what was done, for the user, or None when there was nothing to do.
    """
    lock = os.path.join(root, LOCK)
    stale_lock = os.path.exists(lock) and not _alive(_lock_holder(lock) or 0)
    if not os.path.exists(os.path.join(root, MANIFEST)) and not _stale_temps(root):
        if not stale_lock:
            return None
        _unlink(lock)  # killed after taking the lock, before writing anything
        return (f"{root}: removed the lock of an interrupted `migrate-lint fix --write`; "
                "it had written nothing")
    with _locked(root):
        return _finish_interrupted(root)


def _stale_temps(root: str) -> list[str]:
    try:
        names = os.listdir(root)
    except OSError:
        return []
    return sorted(os.path.join(root, n) for n in names
                  if n.startswith(".migrate-lint-") and n.endswith(".tmp"))


def _finish_interrupted(root: str) -> str | None:
    manifest = os.path.join(root, MANIFEST)
    try:
        with open(manifest, encoding="utf-8") as fh:
            data = json.load(fh)
        files = [(os.path.join(root, f["path"]), os.path.join(root, f["temp"]),
                  None if f["backup"] is None else os.path.join(root, f["backup"]))
                 for f in data["files"]]
    except FileNotFoundError:
        stale = _stale_temps(root)
        for path in stale:
            _unlink(path)
        return (f"{root}: removed {len(stale)} temp file(s) of an interrupted "
                "`migrate-lint fix --write`; it had written nothing") if stale else None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise MigrateLintError(f"{manifest}: an interrupted `fix --write` left this file and "
                               f"it cannot be read ({err}); restore the directory from git and "
                               "delete it") from None
    for path, _temp, _backup in files:
        ensure_inside(root, path)
    completed = 0
    for path, temp, backup in files:
        if os.path.exists(temp):
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            if backup is None:
                if not os.path.lexists(path):
                    os.link(temp, path)
                _unlink(temp)
            else:
                os.replace(temp, path)
            completed += 1
        _unlink(backup)
    _unlink(manifest)
    for path in _stale_temps(root):
        _unlink(path)
    return (f"{root}: completed an interrupted `migrate-lint fix --write` "
            f"({completed} of {len(files)} file(s) were still to be written)")
