"""``--since REV``: which migration files existed at a git revision, and their text there.

Real git: ``git ls-tree`` lists the files of the migrations directory at ``REV``, one
``git cat-file --batch`` reads them. Rules never read files: lint computes a
:class:`GitBase` here and hands it to them through ``HistoryContext.base``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from migrate_lint.errors import MigrateLintError
from migrate_lint.gitread import list_files, read_blobs, run_git
from migrate_lint.history import History, Migration


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


@dataclass(frozen=True)
class GitBase:
    """The migration files of one history as they were at revision ``rev``.

    ``files`` maps the real path of each file of the current history that existed at
    ``rev`` to its text there; a file absent from it was added since.
    """

    rev: str
    files: Mapping[str, str] = field(default_factory=dict)

    def existed(self, path: str) -> bool:
        """True when ``path`` (a file of the history) existed at the revision."""
        return _real(path) in self.files

    def text_at(self, path: str) -> str | None:
        """The text of ``path`` at the revision, or None when it did not exist."""
        return self.files.get(_real(path))

    def migration_existed(self, migration: Migration) -> bool:
        """True when any file of ``migration`` existed at the revision."""
        return any(self.existed(p) for p in migration_files(migration))

    def changed_files(self, history: History) -> frozenset[str]:
        """Real paths of the history's files added or changed since the revision."""
        out = set()
        for migration in history.migrations:
            for path in migration_files(migration):
                before = self.text_at(path)
                if before is None or before != history.texts.get(path, before):
                    out.add(_real(path))
        return frozenset(out)


def migration_files(migration: Migration) -> tuple[str, ...]:
    """Every file holding ``migration`` (up and down), in order, without repeats."""
    paths = [s.path for s in migration.source.up] + [s.path for s in migration.source.down]
    return tuple(dict.fromkeys(paths))


def verify_revision(root: str, rev: str, option: str = "--since") -> str:
    """The top of the git repository holding ``root``, after checking ``rev`` is a commit.

    Raises :class:`MigrateLintError` naming ``option`` otherwise; `check` and `fix`
    validate a revision the same way.
    """
    top = run_git(["rev-parse", "--show-toplevel"], root or ".",
                  purpose=option).decode().strip()
    try:
        run_git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top,
                purpose=option)
    except MigrateLintError:
        raise MigrateLintError(f"{option}: {rev!r} is not a commit of the git repository "
                               f"at {top}") from None
    return top


def load_base(history: History, rev: str) -> GitBase:
    """The files of ``history`` as they were at git revision ``rev``.

    Raises :class:`MigrateLintError` when the history is not in a git repository or
    ``rev`` is not a commit there.
    """
    root = history.root if os.path.isdir(history.root) else os.path.dirname(history.root)
    top = verify_revision(root, rev)
    real_top = os.path.realpath(top)
    wanted: dict[str, str] = {}  # repo path -> real path
    for migration in history.migrations:
        for path in migration_files(migration):
            rel = os.path.relpath(os.path.realpath(path), real_top)
            if not rel.startswith(".."):
                wanted[rel.replace(os.sep, "/")] = _real(path)
    if not wanted:
        return GitBase(rev)
    rel_root = os.path.relpath(os.path.realpath(history.root), real_top).replace(os.sep, "/")
    names = list_files(rev, "." if rel_root == "." else rel_root, top, purpose="--since")
    present = [n for n in names if n in wanted]
    blobs = read_blobs(rev, present, top, purpose="--since")
    files = {wanted[name]: data.decode("utf-8", "replace") for name, data in blobs.items()}
    return GitBase(rev, files)
