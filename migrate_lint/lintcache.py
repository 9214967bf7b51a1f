"""The content-hash cache in a lint run: which entries it reads and writes, and where.

Two kinds of entries, in one `migrate_lint.cache.Store` per directory:

- ``ckpt-<chain>``: a replay checkpoint (`migrate_lint.checkpoint`) after the first k
  migrations of a history. A run that checks files (`check FILES`) resumes from the
  longest checkpoint that ends before the first of them: adding a migration costs
  that migration. After a replay, the run keeps one checkpoint that resumes after
  the whole history or before its last migration (the one a pre-commit hook sees
  being edited; a small alias entry names it for that); a run that resumed close
  to the end keeps none (`REFRESH`).
- ``res-<key>``: what a run reported for one history: its findings (with their
  fingerprints), the suppressed count and the connection settings. The key is the
  history's chain (every file's content hash, in order), the tool's code, sqlglot,
  SQLite, every setting that changes a finding, the insert sites and the files asked
  for. A run that meets it parses, replays and checks nothing (and imports no sqlglot).

`--since` reads git and is never cached. Entries live in ``.migrate-lint-cache/``
beside the configuration file, else beside the migrations directory, or where
``--cache-dir`` (or ``MIGRATE_LINT_CACHE_DIR``) says.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from functools import lru_cache
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from migrate_lint.cache import DIRECTORY, Codec, Store, digest
from migrate_lint.chain import FORMAT, chain, text_hash_of
from migrate_lint.claims import (
    ChildRowsChanged,
    IndexLost,
    OrphansLeft,
    PragmaMatters,
    RerunFails,
    StatementFails,
)
from migrate_lint.config import Config
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.runners import Runner
from migrate_lint.settings import Origin, Requested, Settings
from migrate_lint.source import Discovery
from migrate_lint.span import Span
from migrate_lint.sqlglot_api import PURE_ENV
from migrate_lint.values import value_class

if TYPE_CHECKING:  # a run answered from its results imports neither the replay nor sqlglot
    from migrate_lint.replay import Timeline

ENV = "MIGRATE_LINT_CACHE_DIR"  # the default cache directory, for CI and the test suite
# A run resumed this many migrations or fewer before the end keeps no new checkpoint.
REFRESH = 16
_CHECKPOINT = re.compile(r"ckpt-[0-9a-f]{40}")
_RESULT_CLASSES = (Finding, Related, Span, ChildRowsChanged, IndexLost, OrphansLeft,
                   PragmaMatters, RerunFails, StatementFails, Settings, Origin, Runner)
RESULTS = Codec(_RESULT_CLASSES, leaves=(Span,), open_base=Facts)
# The same entries read without each finding's facts (None): the rule's Facts dataclass
# lives in the rule's file, and importing the rules costs more than the rest of a run
# answered from the cache. For readers that render findings and never read their facts.
RESULTS_WITHOUT_FACTS = Codec(_RESULT_CLASSES, leaves=(Span,), open_base=Facts,
                              open_as_none=True)


@value_class
class CacheChoice:
    """Where a command keeps its cache: ``directory``, or None for the default place."""

    directory: str | None = None


def directory_for(choice: CacheChoice, config: Config, root: str) -> str:
    """The cache directory of history ``root`` under ``config``."""
    if choice.directory:
        return choice.directory
    if config.source:
        return os.path.join(os.path.dirname(config.source), DIRECTORY)
    return os.path.join(os.path.dirname(os.path.normpath(root)), DIRECTORY)


@lru_cache(maxsize=1)
def installation() -> str:
    """What every result depends on besides its input: this tool's code (each module's
    size and time), the sqlglot it parses with, and the SQLite that confirms claims."""
    # os.path, not pathlib: importing pathlib is 2% of a warm `check NEW.sql`
    here = os.path.dirname(os.path.realpath(__file__))
    stats = []
    for top in (here, os.path.join(os.path.dirname(here), "rules")):
        if not os.path.isdir(top):
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            inside = folder[len(top) + 1:]  # relative to top (os.path.relpath is slow)
            for name in sorted(files):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(folder, name))
                    stats.append((os.path.join(inside, name), stat.st_size, stat.st_mtime_ns))
    for module in ("sqlglot", "sqlglotc"):
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin:
            for name in ("__init__.py", "_version.py"):
                path = os.path.join(os.path.dirname(origin), name)
                if os.path.exists(path):
                    stat = os.stat(path)
                    stats.append((path, stat.st_size, stat.st_mtime_ns))
    return digest(sys.version_info[:3], sqlite3.sqlite_version, os.environ.get(PURE_ENV, ""),
                  stats)


class HistoryCache:
    """The entries of one history for one run; ``notes`` is what ``--verbose`` says."""

    def __init__(self, store: Store, found: Discovery, notes: list[str],
                 hashed: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.found = found
        self.notes = notes
        # each file's text hash by path (`chain`): those of ``hashed`` are not computed
        self.hashed = dict(hashed) if hashed else {}
        self.chain = chain(found, installation(), self.hashed)

    @classmethod
    def open(cls, choice: CacheChoice, config: Config, root: str, found: Discovery,
             notes: list[str], memo: TextMemo | None = None) -> HistoryCache | None:
        """The cache of history ``root``, or None where there is none (noted); ``memo``:
        the texts of ``root``'s files this run took from the cache, with their hashes."""
        store = Store.open(directory_for(choice, config, root), notes)
        return None if store is None else cls(store, found, notes,
                                              memo.hashed() if memo else None)

    # -- results ------------------------------------------------------------------------

    def results_name(self, config: Config, codes: Sequence[str], sites: Sequence[object],
                     wanted: set[str] | None) -> str:
        """The name of this history's results under ``config`` with the rules ``codes``
        selected, for the ``wanted`` files (real paths; None: all) and the insert
        ``sites`` checked. (The rules' code is in the `installation` stamp.)"""
        settings = (config.select, config.ignore, config.severity, config.sqlite_version,
                    config.per_file_ignores, config.sql_functions, config.flag_functions,
                    Requested.from_config(config))
        return "res-" + digest(FORMAT, self.chain[-1], settings, tuple(codes), tuple(sites),
                               None if wanted is None else sorted(wanted))[:40]

    def results(self, name: str, facts: bool = True
                ) -> tuple[list[Finding], int, Settings] | None:
        """The findings, suppressed count and settings stored as ``name``, if any; the
        findings without their facts unless ``facts`` (see `RESULTS_WITHOUT_FACTS`)."""
        data = self.store.read(name)
        if data is None:
            return None
        codec = RESULTS if facts else RESULTS_WITHOUT_FACTS
        try:
            findings = codec.decode(data["findings"])
            settings = codec.decode(data["settings"])
            suppressed = data["suppressed"]
            if not (isinstance(settings, Settings) and isinstance(suppressed, int)
                    and all(isinstance(f, Finding) for f in findings)):
                raise TypeError("not results")
        except (TypeError, ValueError, KeyError, IndexError):
            self.notes.append(f"cache: {self.store.path(name)}: not valid results; ignored")
            return None
        self.notes.append(f"cache: {self.found.root}: results read from {self.store.directory}")
        return list(findings), suppressed, settings

    def keep_results(self, name: str, findings: Sequence[Finding], suppressed: int,
                     settings: Settings) -> None:
        """Store what the run reported for this history as ``name``."""
        try:
            value = {"findings": RESULTS.encode(tuple(findings)), "suppressed": suppressed,
                     "settings": RESULTS.encode(settings)}
        except (TypeError, ValueError) as err:  # a value the cache cannot hold
            self.notes.append(f"cache: {self.found.root}: results not kept ({err})")
            return
        self.store.write(name, value)

    # -- checkpoints --------------------------------------------------------------------

    def _checkpoint_name(self, count: int) -> str:
        return "ckpt-" + self.chain[count][:40]

    def timeline(self, requested: Requested, first: int) -> Timeline | None:
        """The history's timeline resumed from the longest checkpoint that ends at or
        before migration ``first``, or None when there is none."""
        from migrate_lint import checkpoint

        present = self.store.names()
        for count in range(min(first, len(self.found.migrations)), 0, -1):
            name = self._checkpoint_name(count)
            if name not in present:
                continue
            data = self.store.read(name)
            alias = data.get("alias") if isinstance(data, dict) else None
            if isinstance(alias, str) and _CHECKPOINT.fullmatch(alias):
                # the checkpoint before the last migration lives in the one after it
                data = self.store.read(alias)
            if data is None:
                continue
            try:
                timeline = checkpoint.resume(self.found, data, count, requested)
            except (TypeError, ValueError, KeyError, IndexError) as err:
                self.notes.append(f"cache: {self.store.path(name)}: not a valid checkpoint "
                                  f"({err}); ignored, and rebuilt")
                continue
            self.notes.append(f"cache: {self.found.root}: resumed after migration {count} "
                              f"of {len(self.found.migrations)}")
            return timeline
        return None

    def keep(self, timeline: Timeline) -> None:
        """A checkpoint after the whole history that also resumes before its last
        migration (the one a pre-commit hook sees being edited), under both names,
        where the store lacks them. A run that resumed from a checkpoint shortly before
        the end keeps none: making one costs more than replaying the few migrations
        after the old one again (`REFRESH`)."""
        from migrate_lint import checkpoint
        from migrate_lint.pipeline import gc_paused

        total = len(self.found.migrations)
        resumed = checkpoint.resumed_at(timeline)
        if resumed and total - resumed <= REFRESH:
            return
        present = self.store.names()
        counts = [count for count in (total - 1, total)
                  if count > 0 and count >= resumed
                  and self._checkpoint_name(count) not in present]
        if not counts:
            return
        with gc_paused():
            try:
                data = checkpoint.encode(timeline, self.found, counts)
            except (TypeError, ValueError) as err:  # a value the cache cannot hold
                self.notes.append(f"cache: {self.found.root}: no checkpoint kept ({err})")
                return
            if data is None:
                return
            main = self._checkpoint_name(max(counts))
            self.store.write(main, data)
            for count in counts:
                if count != max(counts):
                    self.store.write(self._checkpoint_name(count), {"alias": main})


# -- the texts of a history's files ---------------------------------------------------

# How old (in nanoseconds, by its last change of content or status) a file must be when
# a run starts for the text the run read to be kept: a file changed during the run (or
# within a tick of the file system's clock before it) may not hold what was read, while
# its stat would pass for it. As git's racy-file rule; the margin covers coarse clocks.
RACY_NS = 1_000_000_000


class TextMemo:
    """The texts of the files directly in a history's directory, as a run read them, by
    their stat: a later run takes a file's text from here while its size, times, inode
    and device are the same, instead of reading it (`discover`'s ``known``). A
    1,000-file history costs a warm `check NEW.sql` 30 ms to read and one entry here.

    A file's text is kept only when the file was last changed (content or status, its
    ctime) at least `RACY_NS` before the run that read it started: what it holds then
    is what the run read, and a later change gives it another ctime, which no tool can
    set back. The content hash stays the cache's key (`chain`): this only spares the
    reading.
    """

    def __init__(self, store: Store, root: str) -> None:
        self.store = store
        self.root = root
        self.name = "text-" + digest(FORMAT, os.path.realpath(root))[:40]
        # by name: (size, mtime, ctime, inode, device, text, its `chain` hash); the hash
        # is missing from entries an older version kept
        self._held: dict[str, tuple[Any, ...]] = {}
        self._served: set[str] = set()

    def known(self) -> dict[str, str]:
        """The text of each file in the memo that is still as it was, by name."""
        data = self.store.read(self.name)
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict) or not files:
            return {}
        self._held = files
        out: dict[str, str] = {}
        try:
            with os.scandir(self.root) as entries:
                for entry in entries:
                    held = files.get(entry.name)
                    if held is None or not entry.is_file(follow_symlinks=False):
                        continue
                    if _stamp(entry.stat(follow_symlinks=False)) == tuple(held[:5]):
                        out[entry.name] = held[5]
        except (OSError, TypeError, IndexError):
            return {}
        self._served = set(out)
        return out

    def hashed(self) -> dict[str, str]:
        """The `chain` hash of each text `known` served, by path."""
        return {os.path.join(self.root, name): held[6] for name in self._served
                if len(held := self._held[name]) > 6 and isinstance(held[6], str)}

    def keep(self, found: Discovery, started: int, hashed: Mapping[str, str]) -> None:
        """Keep the texts of ``found``'s files in the directory itself that were old
        enough when the run started (ns, `time.time_ns`), where more than `REFRESH` of
        them (or any, in a new memo) were read rather than served from here; with their
        hashes (``hashed``, by path: `HistoryCache.hashed`)."""
        fresh: dict[str, tuple[Any, ...]] = {}
        files: dict[str, tuple[Any, ...]] = {}
        for source in found.migrations:
            for section in (*source.up, *source.down):
                name = os.path.basename(section.path)
                if name in files or name in fresh or os.path.join(
                        found.root, name) != section.path:
                    continue
                if name in self._served:
                    files[name] = self._held[name]
                    continue
                try:
                    stat = os.lstat(section.path)
                except OSError:
                    continue
                if not S_ISREG(stat.st_mode) or max(
                        stat.st_mtime_ns, stat.st_ctime_ns) >= started - RACY_NS:
                    continue
                text_hash = hashed.get(section.path) or text_hash_of(section.text)
                fresh[name] = (*_stamp(stat), section.text, text_hash)
        if len(fresh) > REFRESH or (fresh and not self._held):
            self.store.write(self.name, {"files": {**files, **fresh}})


def _stamp(stat: os.stat_result) -> tuple[int, int, int, int, int]:
    """What says a file is unchanged: its size, content and status times, inode, device."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev
