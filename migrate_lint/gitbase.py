"""``--since REV``: which migration files existed at a git revision, and their text there.

Real git: ``git ls-tree`` lists the files of the migrations directory at ``REV``, one
``git cat-file --batch`` reads them. Rules never read files: lint computes a
:class:`GitBase` here and hands it to them through ``HistoryContext.base``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migrate_lint.errors import MigrateLintError
from migrate_lint.gitread import list_files, read_blobs, run_git
from migrate_lint.tempdirs import temp_dir

if TYPE_CHECKING:
    from migrate_lint.history import History, Migration


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def version_key(version: str) -> str:
    """A version as runners compare it: numbers by value (``0003`` is ``3``)."""
    return str(int(version)) if version.isdigit() else version


@dataclass(frozen=True)
class BaseMigration:
    """One migration as discovery read it at the revision.

    ``files`` holds each of its files (up, then down) as ``(path, text)``, the path
    relative to the migrations directory.
    """

    version: str
    label: str
    files: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class GitBase:
    """The migration files of one history as they were at revision ``rev``.

    ``files`` maps the real path of each file of the current history that existed at
    ``rev`` to its text there; a file absent from it was added since. ``migrations``
    are the migrations discovery finds in the directory at ``rev`` (with the
    current layout), known by version: what databases that applied them recorded.
    """

    rev: str
    files: Mapping[str, str] = field(default_factory=dict)
    migrations: tuple[BaseMigration, ...] = ()

    def by_version(self, version: str) -> BaseMigration | None:
        """The migration released under ``version`` at the revision, if any."""
        key = version_key(version)
        return next((m for m in self.migrations if version_key(m.version) == key), None)

    def released(self, migration: Migration, known_by: str) -> BaseMigration | None:
        """The migration released at the revision that the runner's history table
        takes ``migration`` for: same version, or (Prisma) same name."""
        if known_by == "name":
            return next((m for m in self.migrations if m.label == migration.label), None)
        return self.by_version(migration.version)

    def existed(self, path: str) -> bool:
        """True when ``path`` (a file of the history) existed at the revision."""
        return _real(path) in self.files

    def text_at(self, path: str) -> str | None:
        """The text of ``path`` at the revision, or None when it did not exist."""
        return self.files.get(_real(path))

    def migration_existed(self, migration: Migration) -> bool:
        """True when any file of ``migration`` existed at the revision, or a migration
        of its version did (a renamed file: runners know migrations by version)."""
        return any(self.existed(p) for p in migration_files(migration)) or (
            self.by_version(migration.version) is not None)

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
    return migration.source.files()


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
    rel_root = os.path.relpath(os.path.realpath(root), real_top).replace(os.sep, "/")
    names = list_files(rev, "." if rel_root == "." else rel_root, top, purpose="--since")
    blobs = read_blobs(rev, names, top, purpose="--since")
    files = {wanted[name]: data.decode("utf-8", "replace") for name, data in blobs.items()
             if name in wanted}
    inside = {name if rel_root == "." else name[len(rel_root) + 1:]: data
              for name, data in blobs.items()
              if rel_root == "." or name.startswith(rel_root + "/")}
    return GitBase(rev, files, _discover_at(inside, history.settings.layout))


def _discover_at(blobs: Mapping[str, bytes], layout: str) -> tuple[BaseMigration, ...]:
    """The migrations discovery finds among ``blobs`` (path relative to the migrations
    directory -> content), written to a scratch directory; none when it finds none."""
    from migrate_lint.discover import discover  # discovery reads a directory
    from migrate_lint.source import LAYOUTS

    with temp_dir("migrate-lint-base-") as scratch:
        for name, data in blobs.items():
            path = os.path.join(scratch, *name.split("/"))
            if not os.path.realpath(path).startswith(os.path.realpath(scratch) + os.sep):
                continue  # a name that would leave the scratch directory
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as out:
                out.write(data)
        try:
            found = discover(scratch, layout if layout in LAYOUTS else None)
        except MigrateLintError:
            return ()
        out_migrations = []
        for source in found.migrations:
            texts = []
            for path in source.files():
                rel = os.path.relpath(path, scratch).replace(os.sep, "/")
                texts.append((rel, blobs.get(rel, b"").decode("utf-8", "replace")))
            out_migrations.append(BaseMigration(source.version, source.label, tuple(texts)))
        return tuple(out_migrations)
