"""Insert paths: every INSERT in migrations, SQL files and application code.

>>> from migrate_lint.inserts import collect_sites
>>> collect_sites([]).sites
()

:func:`collect_sites` walks the configured insert paths (and, with
``writers_from``, the same paths at an older git revision) and returns an
:class:`SiteCollection`: the sites whose columns are known, the ones built at run
time (listed, never guessed) and the files skipped with the reason. Rule NN002
(``rules/insert_omits_required_column.py``) checks the sites against the schema;
:func:`site_from_statement` reads migration statements the same way.

Languages: ``.sql`` files (seeds, fixtures, sqlc queries); Python (``ast``: string
literals, f-strings, sqlite3 ``execute*`` calls, SQLAlchemy Core); TypeScript and
JavaScript (tree-sitter: string and template literals, drizzle ORM, Kysely, Knex);
Go and Rust (tree-sitter: string literals, database/sql, sqlx, rusqlite, diesel's
``sql_query`` and typed ``insert_into``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from migrate_lint import bounded
from migrate_lint.errors import MigrateLintError
from migrate_lint.inserts.model import (
    NAMED,
    ORIGINS,
    POSITIONAL,
    UNKNOWN,
    InsertSite,
    SiteCollection,
    SkippedFile,
)
from migrate_lint.inserts.sqltext import GATE as SQL_GATE
from migrate_lint.inserts.sqltext import site_from_statement, sites_in_sql
from migrate_lint.values import value_class

# The readers of application code (tree-sitter, ast, drizzle, Kysely, diesel) load when
# insert paths are read: rule NN002 imports this package on every run, most of which
# read none.
if TYPE_CHECKING:
    from migrate_lint.inserts.drizzle import DrizzleFacts

__all__ = [
    "NAMED",
    "ORIGINS",
    "POSITIONAL",
    "UNKNOWN",
    "InsertSite",
    "SiteCollection",
    "SkippedFile",
    "collect_sites",
    "extract_file",
    "site_from_statement",
]


def extract_file(path: str, language: str, text: str, revision: str | None = None
                 ) -> tuple[list[InsertSite], DrizzleFacts, str | None]:
    """Sites of one file's text, its facts for resolution across files (drizzle, Kysely,
    Knex, diesel), and a note if it was not fully read.

    Never raises on bad source: whatever goes wrong becomes the note.
    """
    return _Readers.load().extract(path, language, text, revision)


@value_class
class _Readers:
    """The readers of application code, imported once per scan rather than per file."""

    python: Callable[[str, str, str | None], tuple[list[InsertSite], str | None]]
    js: Callable[[str, str, str, str | None], tuple[list[InsertSite], DrizzleFacts, str | None]]
    native: Callable[[str, str, str, str | None],
                     tuple[list[InsertSite], DrizzleFacts, str | None]]
    none: DrizzleFacts

    @classmethod
    def load(cls) -> _Readers:
        from migrate_lint.inserts.drizzle import NO_FACTS
        from migrate_lint.inserts.js_src import js_sites
        from migrate_lint.inserts.native_src import native_sites
        from migrate_lint.inserts.python_src import python_sites

        return cls(python_sites, js_sites, native_sites, NO_FACTS)

    def extract(self, path: str, language: str, text: str, revision: str | None
                ) -> tuple[list[InsertSite], DrizzleFacts, str | None]:
        """:func:`extract_file`."""
        try:
            if language == "sql":
                if not SQL_GATE.admits(text):
                    return [], self.none, None
                return sites_in_sql(text, path, "sql-file", revision=revision), self.none, None
            if language == "python":
                sites, problem = self.python(path, text, revision)
                return sites, self.none, problem
            if language in ("go", "rust"):
                return self.native(path, text, language, revision)
            return self.js(path, text, language, revision)
        except RecursionError:
            return [], self.none, "too deeply nested to read"
        except Exception as err:  # a reader bug must cost one file, not the run
            return [], self.none, f"internal error while reading ({type(err).__name__}: {err})"


_MAX_SOURCE = 2 * 1024 * 1024  # application sources larger than this are generated
# Opened without blocking: a FIFO would block ``open`` itself (see migrate_lint.bounded).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)


def _read(path: str) -> bytes | str:
    """The bytes of a regular file, or why it is skipped.

    One open, one fstat and a read or two per file: the stat, buffered file object and
    second stat of :func:`bounded.read_regular` were a tenth of a scan's time. The
    reasons are those of ``os.path.getsize`` then ``read_regular``, word for word.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as err:
        try:
            os.stat(path)
        except OSError as stat_err:
            return f"cannot read ({stat_err.strerror})"
        return f"cannot read file ({err.strerror})"
    try:
        info = os.fstat(fd)
        if info.st_size > _MAX_SOURCE:
            # Only the size matters for the skip reason; do not read the whole file.
            return f"larger than 2 MB ({info.st_size} bytes)"
        if not stat.S_ISREG(info.st_mode):  # a FIFO, a device: named, skipped, never waited on
            return _unreadable(path)
        chunks = [os.read(fd, info.st_size + 1)]
        total = len(chunks[0])
        while chunks[-1] and total <= _MAX_SOURCE:  # until EOF: the file may have grown
            chunks.append(os.read(fd, _MAX_SOURCE + 1 - total))
            total += len(chunks[-1])
    except OSError as err:
        return f"cannot read ({err.strerror})"
    finally:
        os.close(fd)
    if total > _MAX_SOURCE:
        return _unreadable(path)
    return chunks[0] if len(chunks) <= 2 else b"".join(chunks)


def _unreadable(path: str) -> str:
    """Why ``read_regular`` refuses ``path``, in its words (rare: not worth repeating them)."""
    try:
        bounded.read_regular(path, _MAX_SOURCE)
    except OSError as err:
        return f"cannot read ({err.strerror})"
    except MigrateLintError as err:
        return str(err).removeprefix(f"{path}: ")
    return f"larger than 2 MB ({os.path.getsize(path)} bytes)"  # grew while read


def _gather(files: Iterable[tuple[str, str, bytes | str]], revision: str | None,
            sites: list[InsertSite], facts: list[DrizzleFacts],
            skipped: list[SkippedFile]) -> int:
    from migrate_lint.inserts.files import decode

    readers = _Readers.load()
    count = 0
    for path, language, data in files:
        if isinstance(data, str):
            skipped.append(SkippedFile(path, data, revision))
            continue
        text, reason = decode(data)
        if text is None:
            skipped.append(SkippedFile(path, reason, revision))
            continue
        count += 1
        found, drizzle, note = readers.extract(path, language, text, revision)
        sites.extend(found)
        facts.append(drizzle)
        if note:
            skipped.append(SkippedFile(path, note, revision))
    return count


def _key(site: InsertSite) -> tuple[object, ...]:
    return (site.span.path, site.table.lower(), site.shape, site.columns, site.rows,
            site.nulls, site.null_positions, site.star_source, site.source)


def _builders(facts: Sequence[DrizzleFacts]) -> list[InsertSite]:
    """Kysely, Knex and diesel inserts, resolved with what every file contributed."""
    from migrate_lint.inserts.builders import resolve_builders
    from migrate_lint.inserts.diesel import resolve_diesel

    return resolve_builders([b for f in facts for b in f.builders],
                            [c for f in facts for c in f.camel]) + resolve_diesel(
        [t for f in facts for t in f.diesel_tables], [i for f in facts for i in f.diesel_inserts])


def collect_sites(paths: Sequence[str], exclude: Sequence[str] = (), *,
                  writers_from: str | None = None) -> SiteCollection:
    """Every insert site under ``paths`` (files or directories).

    ``exclude`` adds glob patterns (matched against relative paths and their parts)
    to the default excludes (node_modules, .venv, venv, .git, dist, build,
    __pycache__, .next, target, coverage, vendor). With ``writers_from`` the same paths are
    also read at that git revision, and its sites (``revision`` set) are added,
    except those identical to a current site: an older build writing to the
    database after an upgrade. Raises MigrateLintError when git cannot read the
    revision; never raises on unreadable or unparseable source.
    """
    from migrate_lint.inserts.drizzle import resolve
    from migrate_lint.inserts.files import walk
    from migrate_lint.inserts.git import revision_files

    sites: list[InsertSite] = []
    skipped: list[SkippedFile] = []
    facts: list[DrizzleFacts] = []
    current = ((f.path, f.language, _read(f.path)) for f in walk(paths, exclude))
    count = _gather(current, None, sites, facts, skipped)
    sites.extend(resolve(facts))
    sites.extend(_builders(facts))
    if writers_from:
        old_sites: list[InsertSite] = []
        old_facts: list[DrizzleFacts] = []
        old = ((f.path, f.language, f.data) for f in revision_files(paths, writers_from, exclude))
        count += _gather(old, writers_from, old_sites, old_facts, skipped)
        old_sites.extend(resolve(old_facts))
        old_sites.extend(_builders(old_facts))
        seen = {_key(s) for s in sites}
        sites.extend(s for s in old_sites if _key(s) not in seen)
    sites.sort(key=lambda s: (s.revision or "", s.span.path, s.span.start))
    known = tuple(s for s in sites if s.known)
    unknown = tuple(s for s in sites if not s.known)
    return SiteCollection(known, unknown, tuple(skipped), count)
