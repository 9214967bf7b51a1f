"""Find the migrations of a directory and their history order, whatever tool wrote them.

Discovery looks at names first (which files and folders carry a version prefix), then
at content only where names cannot tell (goose and dbmate annotations, drizzle
statement breakpoints). Every migration file is read once, as UTF-8, and kept whole:
sections are offsets into the file text, so positions computed later are positions in
the file (a BOM stays in the text and sections start after it; ``\\r\\n`` is kept).

Problems that do not stop a run (a stray file, a folder without SQL, a broken drizzle
journal) become diagnostics: ``MG003`` for duplicate versions, ``MG000`` for the rest.
Problems that do (no directory, nothing that looks like a migration, a file that is
not UTF-8 text) raise :class:`MigrateLintError`.

This module detects the layout and dispatches; one module per layout reads it, as
sqlglot has one module per dialect: ``files`` (flat, and the files of ``goose``,
``dbmate`` and ``updown``), ``folders`` (folder and ``diesel``), ``flyway``; ``drizzle``,
``prisma`` and ``sqlx`` tell their runner apart; ``scanning`` classifies names and
``common`` holds what they share.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from migrate_lint.diagnostics import Diagnostic
from migrate_lint.discover.common import (
    DUPLICATE_CODE,
    EXPECTED,
    Candidate,
    Collector,
    Scan,
    cached_text,
    read_text,
)
from migrate_lint.discover.dbmate import has_dbmate, may_hold_dbmate
from migrate_lint.discover.drizzle import BREAKPOINT, apply_journal, journal_dialect, journal_path
from migrate_lint.discover.files import file_migrations
from migrate_lint.discover.flyway import flyway_migrations
from migrate_lint.discover.folders import folder_migrations
from migrate_lint.discover.goose import has_goose_up, may_hold_goose
from migrate_lint.discover.prisma import lock_provider, prisma_shaped
from migrate_lint.discover.scanning import scan_root
from migrate_lint.discover.sqlx import opts_out_of_transactions
from migrate_lint.errors import MigrateLintError
from migrate_lint.source import LAYOUTS, Discovery


def discover(root: str | os.PathLike[str], layout: str | None = None,
             known: Mapping[str, str] | None = None) -> Discovery:
    """Find the migrations under ``root`` and their history order.

    The layout (see :data:`migrate_lint.source.LAYOUTS`) is detected from file and
    folder names and, for goose and dbmate, from annotations in the files; ``layout``
    overrides detection. The runner is inferred from the layout and its markers
    (drizzle journal or breakpoints, Prisma lock file). Paths in the result keep the
    caller's spelling of ``root``.

    ``known``: the texts of files directly in ``root`` (by name) as they are now, which
    are not read again (`migrate_lint.lintcache.TextMemo`: unchanged since a run read
    them); only the layouts of files in the root itself use it.

    Raises :class:`MigrateLintError` when ``root`` is missing, not a directory, empty,
    holds nothing that looks like a migration, or holds a migration file that is not
    UTF-8 text.
    """
    root_str = os.fspath(root)
    if layout is not None and layout not in LAYOUTS:
        raise MigrateLintError(
            f"{root_str}: unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}"
        )
    scan = scan_root(root_str)
    # top-level file name -> text, so each file is read once (and the known ones never)
    texts: dict[str, str] = dict(known) if known else {}
    chosen = layout if layout is not None else _detect(root_str, scan, texts)
    col = Collector()
    for path, why in scan.refused:
        col.warn(path, f"{os.path.basename(path)}: {why}")
    if chosen in ("folder", "diesel"):
        cands = folder_migrations(root_str, scan, chosen, col)
    elif chosen == "flyway":
        cands = flyway_migrations(root_str, scan, col)
    else:
        cands = file_migrations(root_str, scan, chosen, texts, col)
    if not cands:
        if layout is not None:
            raise MigrateLintError(
                f"no {layout} migrations found in {root_str}: {EXPECTED}; "
                "pass another --layout or none to detect it"
            )
        raise MigrateLintError(
            f"no migrations found in {root_str}: {EXPECTED}; pass --layout to choose one"
        )
    runner = _infer_runner(chosen, scan, cands)
    journal = read_text(journal_path(root_str)) if scan.journal else None
    _refuse_other_databases(root_str, scan, journal)
    if runner == "drizzle" and journal is not None:
        apply_journal(root_str, cands, col, journal)
    if runner == "prisma":
        # Prisma applies its folders in the order of their names (prisma-engines
        # migrations_directory.rs sorts them by name), whatever their numbers; a name is
        # its key, so two alike numbers are no duplicate
        for rank, cand in enumerate(sorted(cands, key=lambda c: c.stem)):
            cand.rank = rank
    else:
        _check_duplicates(cands, col)
    migrations = sorted((c.build() for c in cands), key=lambda m: (m.order, m.path))
    diagnostics = sorted(col.items, key=lambda d: d.path)  # stable: per-file order kept
    return Discovery(root_str, chosen, runner, tuple(migrations), tuple(diagnostics))


def _detect(root: str, scan: Scan, texts: dict[str, str]) -> str:
    """The layout that explains the most entries; ties go to the more specific one."""
    counts = {
        "folder": sum("migration.sql" in d.files for d in scan.dirs),
        "diesel": sum("up.sql" in d.files for d in scan.dirs),
        "updown": len(scan.ups) + len(scan.downs),
        "flyway": len(scan.flyway),
        "plain": len(scan.plain),
    }
    best = max(counts, key=lambda k: counts[k])  # dict order is the tie-break order
    if counts[best] == 0:
        raise MigrateLintError(
            f"no migrations found in {root}: {EXPECTED}; pass --layout to choose one"
        )
    if best != "plain":
        return best
    # Only content tells goose and dbmate files from plain SQL: a majority decides,
    # and the files that disagree get a diagnostic when the migrations are built.
    plain = [(name, cached_text(root, name, texts)) for name, _version in scan.plain]
    # Most histories hold no mark at all: one look at every text together (no file's
    # marker can span the newlines between them) spares each file its searches.
    joined = "\n".join(text for _name, text in plain)
    if not may_hold_goose(joined) and not may_hold_dbmate(joined):
        scan.marks.update((name, (False, False)) for name, _text in plain)
        return "flat"
    goose = dbmate = 0
    for name, text in plain:
        marks = scan.marks[name] = (has_goose_up(text), has_dbmate(text))
        goose += marks[0]
        dbmate += marks[1]
    half = len(scan.plain) / 2
    if goose > half:
        return "goose"
    if dbmate > half:
        return "dbmate"
    return "flat"


def _infer_runner(layout: str, scan: Scan, cands: list[Candidate]) -> str:
    """The tool that applies these migrations, which decides transaction handling."""
    if layout in ("diesel", "goose", "dbmate", "flyway"):
        return layout
    if layout in ("flat", "updown") and opts_out_of_transactions(cands):
        return "sqlx"
    if layout == "updown":
        return "golang-migrate"  # sqlx reads the same pairs; golang-migrate is stricter
    if scan.journal:
        return "drizzle"
    if scan.prisma_lock:
        return "prisma"
    if any(BREAKPOINT in c.up[0].text for c in cands):
        return "drizzle"
    if layout == "folder" and any("snapshot.json" in d.files for d in scan.dirs):
        return "drizzle"
    if layout == "folder" and prisma_shaped(scan):
        return "prisma"
    return "generic"


# What drizzle's journal and Prisma's lock file call SQLite (libSQL is SQLite's fork).
_SQLITE_NAMES = frozenset({"sqlite", "turso", "libsql"})


def _refuse_other_databases(root: str, scan: Scan, journal: str | None) -> None:
    """Stop with a one-line error where the runner's own files say the migrations are
    for another database (a monorepo's PostgreSQL history): read as SQLite, every
    `ALTER COLUMN` and `SERIAL` of theirs would be a false error."""
    said: list[tuple[str, str, str | None]] = []  # (file, who says, the database)
    if journal is not None:
        said.append((journal_path(root), "drizzle-kit wrote them for",
                     journal_dialect(journal)))
    if scan.prisma_lock:
        lock = os.path.join(root, "migration_lock.toml")
        said.append((lock, "Prisma applies them to", lock_provider(read_text(lock))))
    for path, who, database in said:
        if database is not None and database.lower() not in _SQLITE_NAMES:
            raise MigrateLintError(
                f"{path}: {who} {database}, not SQLite; migrate-lint checks SQLite migration "
                "histories only: point it at the SQLite one (or exclude this directory)")


def _check_duplicates(cands: Iterable[Candidate], col: Collector) -> None:
    """MG003 for migrations whose versions are numerically equal (`1` and `0001` too)."""
    first: dict[int, Candidate] = {}
    # a project runner's `<v>.py` beside `<v>.sql` runs both, in file-name order
    for cand in sorted((c for c in cands if c.code != "python"),
                       key=lambda c: (c.version.number, c.path)):
        other = first.setdefault(cand.version.number, cand)
        if other is not cand:
            col.items.append(
                Diagnostic(
                    DUPLICATE_CODE,
                    f"duplicate version {cand.version.version}: {other.path} and {cand.path}; "
                    "runners fail or apply only one of them; give the newer one a new version",
                    cand.path,
                )
            )
