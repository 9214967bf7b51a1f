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
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from migrate_lint import bounded
from migrate_lint.diagnostics import Diagnostic
from migrate_lint.errors import MigrateLintError
from migrate_lint.source import LAYOUTS, Discovery, MigrationSource, Section
from migrate_lint.span import LineIndex, Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DISCOVERY_CODE = "MG000"  # discovery-problem
DUPLICATE_CODE = "MG003"  # duplicate-version

# `<version>[_<name>]`: diesel's `YYYY-MM-DD-HHMMSS` first, because a bare `\d+` would
# stop at its first dash; 14-digit timestamps, epoch milliseconds and zero-padded
# numbers are all plain digits.
_VERSIONED = re.compile(r"(?P<version>\d{4}-\d{2}-\d{2}-\d{6}|\d+)(?:_(?P<name>.*))?", re.S)

# golang-migrate's file name pattern, `^([0-9]+)_(.*)\.(down|up)\.(.*)$` (source/parse.go,
# Regex): digits only, then `_`, then anything, `2_x..up.sql` included; `3.up.sql` and
# diesel-style `2024-01-01-000000_x.up.sql` never run. sqlx also wants the `_` (it splits
# the name at the first one and ignores files without it).
_UPDOWN = re.compile(r"(?P<version>[0-9]+)_(?P<name>.*)", re.S)
# The whole pattern: the extension after `.up.` is anything, so `30_x.up..sql` (a stray
# dot, as in stash's history) is migration 30 up, run by golang-migrate.
_UPDOWN_FILE = re.compile(r"(?P<stem>[0-9]+_.*)\.(?P<dir>up|down)\.(?P<ext>.*)", re.S)


def _pair_stem(name: str) -> str:
    """The stem of an up/down file: `30_x.up.sql` and `30_x.up..sql` -> `30_x`."""
    match = _UPDOWN_FILE.fullmatch(name)
    return match.group("stem") if match is not None else name.rsplit(".", 2)[0]

# goose reads `-- +goose <command>` lines, case-insensitively and loose about spaces.
_GOOSE = re.compile(r"^\ufeff?[ \t]*--[ \t]*\+goose[ \t]+([^\r\n]*)", re.M | re.I)
_GOOSE_UP = re.compile(r"^\ufeff?[ \t]*--[ \t]*\+goose[ \t]+up\b", re.M | re.I)
# dbmate: `-- migrate:up [options]` at the start of a line, case-sensitive like dbmate.
_DBMATE = re.compile(r"^\ufeff?--[ \t]*migrate:(up|down)(?=[ \t\r\n]|$)([^\r\n]*)", re.M)
_DBMATE_NO_TX = re.compile(r"(?:^|\s)transaction:false(?:\s|$)")

# Flyway's default naming (prefixes and suffix are case-sensitive, as Flyway matches
# them): V<version>[__<description>].sql, U<version>... (undo of that version) and
# R__<description>.sql (repeatable). Version parts are separated by `.` or `_`; the
# first `__` ends the version.
_FLYWAY = re.compile(
    r"(?P<prefix>[VU])(?P<version>\d+(?:[._]\d+)*)(?:__(?P<name>.*))?|R__(?P<desc>.*)", re.S
)
_FLYWAY_CALLBACK = re.compile(r"(?:before|after)[A-Z]\w*")
_FLYWAY_NO_TX = re.compile(r"^[ \t]*executeInTransaction[ \t]*[=:][ \t]*(\S*)[ \t]*$", re.M)

_BREAKPOINT = "--> statement-breakpoint"
_SQLX_NO_TX = "-- no-transaction"
_PRISMA_FOLDER = re.compile(r"\d{14}_\w+")
_BOM = "\ufeff"

_EXPECTED = (
    "expected files like 0001_name.sql, <version>_<name>.up.sql, V1__name.sql, "
    "<version>_<name>/migration.sql or <version>_<name>/up.sql"
)


@dataclass(frozen=True, slots=True)
class _Version:
    """The version prefix of a file or folder name."""

    version: str  # as written, e.g. "0001" or "2026-06-03-040000"
    name: str
    number: int  # numeric value used for ordering and duplicate detection


@dataclass(frozen=True, slots=True)
class _Flyway:
    """A Flyway file name: ``V``ersioned, ``U``ndo or ``R``epeatable."""

    prefix: str  # "V", "U" or "R"
    version: str  # as written ("1_1", "1.2.3"); "" for a repeatable
    name: str  # the description, underscores kept

    @property
    def key(self) -> tuple[int, ...]:
        """The version compared as Flyway does: numerically part by part (1 == 1.0)."""
        return flyway_version_key(self.version)


def flyway_version_key(version: str) -> tuple[int, ...]:
    """``"1_10"`` -> ``(1, 10)``; trailing zero parts dropped, so ``1`` == ``1.0``.

    Dropping them makes tuple comparison agree with Flyway's, which pads the shorter
    version with zeros (``1.0.5`` > ``1``).
    """
    parts = [int(p) for p in re.split(r"[._]", version)]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class _Dir:
    """A versioned folder under the root and the names of the files in it."""

    name: str
    version: _Version
    files: frozenset[str]


@dataclass(slots=True)
class _Scan:
    """What the root holds, by name only (nothing read yet)."""

    plain: list[tuple[str, _Version]] = field(default_factory=list)  # <v>_<n>.sql
    ups: list[tuple[str, _Version]] = field(default_factory=list)  # <v>_<n>.up.sql
    downs: list[tuple[str, _Version]] = field(default_factory=list)  # <v>_<n>.down.sql
    stray: list[str] = field(default_factory=list)  # .sql without a version prefix
    flyway: list[tuple[str, _Flyway]] = field(default_factory=list)  # V1__x.sql, R__x.sql
    confs: list[str] = field(default_factory=list)  # <file>.sql.conf (Flyway script config)
    code: list[tuple[str, _Version]] = field(default_factory=list)  # <v>_<n>.go (goose)
    dirs: list[_Dir] = field(default_factory=list)
    unversioned_dirs: list[str] = field(default_factory=list)
    journal: bool = False  # meta/_journal.json (drizzle-kit)
    prisma_lock: bool = False  # migration_lock.toml (Prisma)
    # (path, why) of entries not read: FIFOs, devices, symlinks out of the tree
    refused: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Candidate:
    """A migration being assembled; becomes a MigrationSource once ordered."""

    stem: str  # file name without .sql, or folder name: what a drizzle journal tag names
    version: _Version
    layout: str
    up: tuple[Section, ...]
    down: tuple[Section, ...] = ()
    no_transaction: bool = False
    rank: int | None = None  # drizzle journal idx, when a journal decides the order
    label: str = ""  # the file stem where it is not <version>_<name> (Flyway)
    code: str = ""  # "go" for a goose Go migration

    @property
    def path(self) -> str:
        return self.up[0].path

    def build(self) -> MigrationSource:
        primary = self.rank if self.rank is not None else self.version.number
        return MigrationSource(
            version=self.version.version,
            name=self.version.name,
            order=(primary, self.version.number, self.version.name),
            layout=self.layout,
            up=self.up,
            down=self.down,
            no_transaction=self.no_transaction,
            stem=self.label,
            code=self.code,
        )


@dataclass(slots=True)
class _Collector:
    """Diagnostics of one discovery run."""

    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, path: str, message: str, span: Span | None = None) -> None:
        self.items.append(Diagnostic(DISCOVERY_CODE, message, path, span))


def discover(root: str | os.PathLike[str], layout: str | None = None) -> Discovery:
    """Find the migrations under ``root`` and their history order.

    The layout (see :data:`migrate_lint.source.LAYOUTS`) is detected from file and
    folder names and, for goose and dbmate, from annotations in the files; ``layout``
    overrides detection. The runner is inferred from the layout and its markers
    (drizzle journal or breakpoints, Prisma lock file). Paths in the result keep the
    caller's spelling of ``root``.

    Raises :class:`MigrateLintError` when ``root`` is missing, not a directory, empty,
    holds nothing that looks like a migration, or holds a migration file that is not
    UTF-8 text.
    """
    root_str = os.fspath(root)
    if layout is not None and layout not in LAYOUTS:
        raise MigrateLintError(
            f"{root_str}: unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}"
        )
    scan = _scan(root_str)
    texts: dict[str, str] = {}  # top-level file name -> text, so each file is read once
    chosen = layout if layout is not None else _detect(root_str, scan, texts)
    col = _Collector()
    for path, why in scan.refused:
        col.warn(path, f"{os.path.basename(path)}: {why}")
    if chosen in ("folder", "diesel"):
        cands = _dir_migrations(root_str, scan, chosen, col)
    elif chosen == "flyway":
        cands = _flyway_migrations(root_str, scan, col)
    else:
        cands = _file_migrations(root_str, scan, chosen, texts, col)
    if not cands:
        if layout is not None:
            raise MigrateLintError(
                f"no {layout} migrations found in {root_str}: {_EXPECTED}; "
                "pass another --layout or none to detect it"
            )
        raise MigrateLintError(
            f"no migrations found in {root_str}: {_EXPECTED}; pass --layout to choose one"
        )
    runner = _infer_runner(chosen, scan, cands)
    if runner == "drizzle" and scan.journal:
        _apply_journal(root_str, cands, col)
    _check_duplicates(cands, col)
    migrations = sorted((c.build() for c in cands), key=lambda m: (m.order, m.path))
    diagnostics = sorted(col.items, key=lambda d: d.path)  # stable: per-file order kept
    return Discovery(root_str, chosen, runner, tuple(migrations), tuple(diagnostics))


# --- scanning -----------------------------------------------------------------------


def _parse_version(stem: str) -> _Version | None:
    """``0001_name`` -> _Version, or None when the stem has no version prefix."""
    match = _VERSIONED.fullmatch(stem)
    if match is None:
        return None
    version = match.group("version")
    return _Version(version, match.group("name") or "", int(version.replace("-", "")))


def _strays(scan: _Scan) -> list[str]:
    """.sql files without a version prefix, Flyway names included (other layouts)."""
    return sorted([*scan.stray, *(name for name, _f in scan.flyway)])


def _list_dir(path: str, root: str, refused: list[tuple[str, str]]
              ) -> list[os.DirEntry[str]]:
    """Visible entries of ``path`` sorted by name (hidden files are editor/VCS noise).

    Entries that must not be read (see `bounded.problem`) are left out and recorded
    in ``refused``, so that discovery reports them instead of hanging on a FIFO or
    following a symlink out of the tree.
    """
    with os.scandir(path) as it:
        entries = [e for e in it if not e.name.startswith(".")]
    entries.sort(key=lambda e: e.name)
    kept = []
    for entry in entries:
        why = bounded.problem(entry.path, root)
        if why is None:
            kept.append(entry)
        else:
            refused.append((entry.path, why))
    return kept


def _scan(root: str) -> _Scan:
    """Classify the root's entries by name; fails when the root is unusable."""
    if not os.path.exists(root):
        raise MigrateLintError(
            f"{root}: no such directory; pass the directory that holds your migrations"
        )
    if not os.path.isdir(root):
        raise MigrateLintError(
            f"{root} is a file, not a directory; pass the directory that holds your migrations"
        )
    scan = _Scan()
    try:
        entries = _list_dir(root, root, scan.refused)
    except OSError as exc:
        raise MigrateLintError(f"{root}: cannot read directory ({exc.strerror})") from exc
    if not entries and not scan.refused:
        raise MigrateLintError(
            f"{root} is empty: no migrations to check; pass the directory that holds them"
        )
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            _scan_dir(root, name, scan)
        elif name == "migration_lock.toml":
            scan.prisma_lock = True
        elif name.endswith(".sql"):
            _scan_file(name, scan)
        elif name.endswith(".sql.conf"):
            scan.confs.append(name)
        elif name.endswith(".go") and not name.endswith("_test.go"):
            _scan_code(name, scan)
    return scan


def _dbmate_version(name: str) -> _Version:
    """The leading digits of a dbmate file name, the rest after an optional `_`."""
    stem = name[:-4]
    digits = re.match(r"\d*", stem)
    head = digits.group(0) if digits else ""
    return _Version(head, stem[len(head):].removeprefix("_"), int(head or 0))


def _goose_version(name: str) -> _Version | None:
    """A file name as goose reads it: the version is the integer before the first `_`,
    above zero (pressly/goose collect_migration.go, NumericComponent); None where goose
    refuses the name."""
    stem = name.rsplit(".", 1)[0]
    head, sep, rest = stem.partition("_")
    if sep and head.isdigit() and int(head) > 0:
        return _Version(head, rest, int(head))
    return None


def _scan_code(name: str, scan: _Scan) -> None:
    """A goose Go migration: goose globs `*.sql` and `*.go` alike and skips `_test.go`
    (pressly/goose collect_migration.go, collectMigrations); a `.go` file without a
    version is package code, not a migration."""
    version = _goose_version(name)
    if version is not None:
        scan.code.append((name, version))


def _diesel_version(name: str) -> _Version | None:
    """A folder name as diesel reads it: the version is the text before the first `_`
    with every `-` removed (diesel-rs/diesel migrations_internals, version_from_string),
    so `2024-03-13_170000_x` is version 20240313; only digits are taken here."""
    head, _sep, rest = name.partition("_")
    digits = head.replace("-", "")
    if not digits.isdigit():
        return None
    return _Version(head, rest, int(digits))


def _scan_dir(root: str, name: str, scan: _Scan) -> None:
    version = _parse_version(name) or _diesel_version(name)
    if version is None:
        scan.unversioned_dirs.append(name)
        if name == "meta" and os.path.isfile(os.path.join(root, "meta", "_journal.json")):
            scan.journal = True
        return
    path = os.path.join(root, name)
    try:
        files = frozenset(e.name for e in _list_dir(path, root, scan.refused) if e.is_file())
    except OSError as exc:
        raise MigrateLintError(f"{path}: cannot read directory ({exc.strerror})") from exc
    scan.dirs.append(_Dir(name, version, files))


def _scan_file(name: str, scan: _Scan) -> None:
    # The pair suffixes come first: `1_x.up.sql` must never pass for a flat file
    # whose name is `x.up` (that would run the down file forward too).
    odd = _UPDOWN_FILE.fullmatch(name)
    if odd is not None and odd.group("ext") != "sql":  # `.up..sql`: golang-migrate runs it
        match = _UPDOWN.fullmatch(odd.group("stem"))
        if match is not None:
            number = match.group("version")
            bucket = scan.ups if odd.group("dir") == "up" else scan.downs
            bucket.append((name, _Version(number, match.group("name"), int(number))))
            return
    for suffix, bucket in ((".up.sql", scan.ups), (".down.sql", scan.downs)):
        if name.endswith(suffix):
            match = _UPDOWN.fullmatch(name[: -len(suffix)])
            if match is not None:
                number = match.group("version")
                bucket.append((name, _Version(number, match.group("name"), int(number))))
            else:
                scan.stray.append(name)  # never a flat file named `x.up`
            return
    version = _parse_version(name[:-4])
    if version is not None:
        scan.plain.append((name, version))
        return
    match = _FLYWAY.fullmatch(name[:-4])
    if match is None:
        scan.stray.append(name)
    elif match.group("prefix") is None:
        scan.flyway.append((name, _Flyway("R", "", match.group("desc"))))
    else:
        flyway = _Flyway(match.group("prefix"), match.group("version"), match.group("name") or "")
        scan.flyway.append((name, flyway))


# --- reading ------------------------------------------------------------------------


def _read_text(path: str) -> str:
    """The file as UTF-8 text, BOM and line endings kept; fails on anything else."""
    data = bounded.read_regular(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise MigrateLintError(f"{path}: file is UTF-16; save it as UTF-8")
    if b"\0" in data:
        raise MigrateLintError(
            f"{path}: binary file (contains NUL bytes), not SQL; "
            "remove it from the migrations directory"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MigrateLintError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from exc


def _cached_text(root: str, name: str, texts: dict[str, str]) -> str:
    text = texts.get(name)
    if text is None:
        text = texts[name] = _read_text(os.path.join(root, name))
    return text


def _body_start(text: str) -> int:
    """Where SQL may begin: after a BOM, which stays in the text to keep offsets true."""
    return 1 if text.startswith(_BOM) else 0


def _whole(path: str, text: str) -> Section:
    return Section(path, text, _body_start(text), len(text))


def _line_after(text: str, pos: int) -> int:
    """Offset of the line after the one holding ``pos`` (end of text on the last line)."""
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline + 1


# --- detection ----------------------------------------------------------------------


def _detect(root: str, scan: _Scan, texts: dict[str, str]) -> str:
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
            f"no migrations found in {root}: {_EXPECTED}; pass --layout to choose one"
        )
    if best != "plain":
        return best
    # Only content tells goose and dbmate files from plain SQL: a majority decides,
    # and the files that disagree get a diagnostic when the migrations are built.
    goose = dbmate = 0
    for name, _version in scan.plain:
        text = _cached_text(root, name, texts)
        goose += _GOOSE_UP.search(text) is not None
        dbmate += _DBMATE.search(text) is not None
    half = len(scan.plain) / 2
    if goose > half:
        return "goose"
    if dbmate > half:
        return "dbmate"
    return "flat"


def _infer_runner(layout: str, scan: _Scan, cands: list[_Candidate]) -> str:
    """The tool that applies these migrations, which decides transaction handling."""
    if layout in ("diesel", "goose", "dbmate", "flyway"):
        return layout
    # Only sqlx reads a file's first bytes for `-- no-transaction`
    # (launchbadge/sqlx sqlx-core/src/migrate/source.rs: `sql.starts_with(..)`).
    if layout in ("flat", "updown") and any(
            c.up[0].text.lstrip(_BOM).startswith(_SQLX_NO_TX) for c in cands):
        return "sqlx"
    if layout == "updown":
        return "golang-migrate"  # sqlx reads the same pairs; golang-migrate is stricter
    if scan.journal:
        return "drizzle"
    if scan.prisma_lock:
        return "prisma"
    if any(_BREAKPOINT in c.up[0].text for c in cands):
        return "drizzle"
    if layout == "folder" and any("snapshot.json" in d.files for d in scan.dirs):
        return "drizzle"
    if layout == "folder" and _prisma_shaped(scan):
        return "prisma"
    return "generic"


def _prisma_shaped(scan: _Scan) -> bool:
    """Every migration folder is `<14-digit UTC timestamp>_<name>` holding
    `migration.sql`: how Prisma names them (prisma-engines migrations_directory.rs:
    `format("%Y%m%d%H%M%S")`, then `{timestamp}_{name}`, script `migration.sql`), even
    where `migration_lock.toml` was not committed. drizzle-kit's folders also hold
    `snapshot.json` (checked before this)."""
    folders = [d for d in scan.dirs if "migration.sql" in d.files]
    return bool(folders) and all(
        _PRISMA_FOLDER.fullmatch(d.name) is not None for d in folders)


# --- file layouts: flat, goose, dbmate, updown ---------------------------------------


def _file_migrations(
    root: str, scan: _Scan, layout: str, texts: dict[str, str], col: _Collector
) -> list[_Candidate]:
    cands: list[_Candidate] = []
    plain = scan.plain
    strays = _strays(scan)
    if layout == "dbmate":
        # dbmate takes every file matching `^(\d+).*\.sql$`, the leading digits as the
        # version (amacneil/dbmate pkg/dbmate/db.go, migrationFileRegexp, FindMigrations)
        plain = [(n, _dbmate_version(n)) for n, _v in plain]
        plain += [(n, _dbmate_version(n)) for n in strays if n[:1].isdigit()]
        strays = [n for n in strays if not n[:1].isdigit()]
    for name in strays:
        col.warn(
            os.path.join(root, name),
            "no version prefix (expected <version>_<name>.sql): migration runners skip "
            "or reject this file; rename it or move it out of the migrations directory",
        )
    for name, version in plain:
        path = os.path.join(root, name)
        if layout == "goose" and _goose_version(name) is None:
            col.warn(path, "goose reads the version as the integer before the first `_` "
                           "and refuses the whole directory over this name (no `_`, a "
                           "version of 0, or not an integer); rename it <number>_<name>.sql")
            continue
        cands.append(
            _plain_file(path, name[:-4], version, _cached_text(root, name, texts), layout, col)
        )
    if layout == "dbmate":
        # ... and sorts them by file *name* (`migrations[i].FileName < ...[j].FileName`)
        for rank, cand in enumerate(sorted(cands, key=lambda c: os.path.basename(c.path))):
            cand.rank = rank
            if cand.stem != (f"{cand.version.version}_{cand.version.name}"
                             if cand.version.name else cand.version.version):
                cand.label = cand.stem  # `20200101-x.sql`: the label is the file stem
    cands.extend(_pairs(root, scan, col))
    if layout == "goose":
        # Go migrations run in the same sequence (only goose runs code from this folder)
        for name, version in scan.code:
            path = os.path.join(root, name)
            text = _read_text(path)
            cands.append(_Candidate(name[:-3], version, "goose", (Section(path, text, 0, 0),),
                                    code="go"))
    for d in scan.dirs:
        if any(f.endswith(".sql") for f in d.files):
            col.warn(
                os.path.join(root, d.name),
                f"folder ignored: {layout} migrations are .sql files directly in {root}",
            )
    return cands


def _plain_file(
    path: str, stem: str, version: _Version, text: str, layout: str, col: _Collector
) -> _Candidate:
    """One `<version>_<name>.sql` file read the way ``layout``'s runner reads it."""
    if layout == "goose":
        cand = _goose_file(path, stem, version, text, col)
        if cand is not None:
            return cand
        col.warn(path, "no '-- +goose Up' annotation: goose refuses to run this file")
    elif layout == "dbmate":
        cand = _dbmate_file(path, stem, version, text, col)
        if cand is not None:
            return cand
        col.warn(path, "no '-- migrate:up' section: dbmate refuses to run this file")
    elif layout == "updown":
        col.warn(
            path,
            "not a .up.sql/.down.sql file: golang-migrate ignores it while sqlx runs it; "
            "rename it to <version>_<name>.up.sql",
        )
    else:
        # A flat runner applies every line, annotated "down" parts included.
        if _GOOSE_UP.search(text) is not None:
            col.warn(
                path,
                "goose annotations in a flat layout: the whole file, Down part "
                "included, is read as one migration; pass --layout goose if goose runs it",
            )
        elif _DBMATE.search(text) is not None:
            col.warn(
                path,
                "dbmate sections in a flat layout: the whole file, down part "
                "included, is read as one migration; pass --layout dbmate if dbmate runs it",
            )
    return _Candidate(stem, version, "flat", (_whole(path, text),))


def _split(
    path: str, text: str, markers: list[tuple[str, int, int]]
) -> tuple[tuple[Section, ...], tuple[Section, ...]]:
    """Up and down sections from (kind, marker line start, body start) markers.

    A section runs from the line after its marker to the next marker line or EOF;
    anything between the markers (goose StatementBegin/End included) stays inside.
    """
    up: list[Section] = []
    down: list[Section] = []
    for i, (kind, _line, body) in enumerate(markers):
        end = markers[i + 1][1] if i + 1 < len(markers) else len(text)
        (up if kind == "up" else down).append(Section(path, text, body, end))
    return tuple(up), tuple(down)


def _goose_file(
    path: str, stem: str, version: _Version, text: str, col: _Collector
) -> _Candidate | None:
    markers: list[tuple[str, int, int]] = []
    no_transaction = False
    for match in _GOOSE.finditer(text):
        words = match.group(1).lower().split()
        if words[:1] in (["up"], ["down"]):
            markers.append((words[0], match.start(), _line_after(text, match.end())))
        elif words[:2] == ["no", "transaction"]:
            no_transaction = True
    up, down = _split(path, text, markers)
    if not up:
        return None
    if len(up) > 1:
        col.warn(path, "more than one '-- +goose Up' annotation: goose rejects this file")
    return _Candidate(stem, version, "goose", up, down, no_transaction)


def _dbmate_file(
    path: str, stem: str, version: _Version, text: str, col: _Collector
) -> _Candidate | None:
    markers: list[tuple[str, int, int]] = []
    no_transaction = False
    for match in _DBMATE.finditer(text):
        kind = match.group(1)
        markers.append((kind, match.start(), _line_after(text, match.end())))
        if kind == "up" and _DBMATE_NO_TX.search(match.group(2)):
            no_transaction = True
    up, down = _split(path, text, markers)
    if not up:
        return None
    if len(up) > 1:
        col.warn(path, "more than one '-- migrate:up' section: dbmate rejects this file")
    return _Candidate(stem, version, "dbmate", up, down, no_transaction)


def _pairs(root: str, scan: _Scan, col: _Collector) -> list[_Candidate]:
    """`.up.sql` files with their `.down.sql` partner (same stem)."""
    downs = {_pair_stem(name): name for name, _v in scan.downs}
    cands: list[_Candidate] = []
    for name, version in scan.ups:
        stem = _pair_stem(name)
        path = os.path.join(root, name)
        up = (_whole(path, _read_text(path)),)
        down: tuple[Section, ...] = ()
        down_name = downs.pop(stem, None)
        if down_name is not None:
            down_path = os.path.join(root, down_name)
            down = (_whole(down_path, _read_text(down_path)),)
        cands.append(_Candidate(stem, version, "updown", up, down))
    for down_name in downs.values():
        col.warn(
            os.path.join(root, down_name),
            "down file without a matching .up.sql: nothing runs it forward; "
            "add the .up.sql or remove it",
        )
    return cands


# --- Flyway -------------------------------------------------------------------------


def _flyway_migrations(root: str, scan: _Scan, col: _Collector) -> list[_Candidate]:
    """Versioned files by version, undo files as their down, repeatables last.

    Flyway applies versioned migrations in version order, then every repeatable whose
    checksum changed, ordered by description; each is its own history entry here.
    """
    _flyway_strays(root, scan, col)
    versioned = [(n, f) for n, f in scan.flyway if f.prefix == "V"]
    # Equal versions (1 and 1.0) share a number, which _check_duplicates reports.
    dense = {k: i for i, k in enumerate(sorted({f.key for _n, f in versioned}))}
    confs = set(scan.confs)
    cands: list[_Candidate] = []
    by_key: dict[tuple[int, ...], _Candidate] = {}
    for name, f in versioned:
        cand = _flyway_candidate(root, name, _Version(f.version, f.name, dense[f.key]), confs, col)
        cands.append(cand)
        by_key.setdefault(f.key, cand)
    for name, f in scan.flyway:
        if f.prefix != "U":
            continue
        path = os.path.join(root, name)
        confs.discard(name + ".conf")  # the undo direction's own transaction is not modelled
        target = by_key.get(f.key)
        if target is None:
            col.warn(path, f"undo migration without V{f.version}__*.sql: there is nothing "
                           "to undo; add the versioned migration or remove it")
        elif target.down:
            col.warn(path, f"second undo migration for version {f.version} (after "
                           f"{target.down[0].path}): Flyway fails on it; keep one")
        else:
            target.down = (_whole(path, _read_text(path)),)
    # Flyway compares descriptions with `_` read as a space.
    repeatable = sorted(
        ((n, f) for n, f in scan.flyway if f.prefix == "R"),
        key=lambda item: (item[1].name.replace("_", " "), item[0]),
    )
    for i, (name, f) in enumerate(repeatable):
        label = name[:-4]
        cands.append(_flyway_candidate(root, name, _Version(label, f.name, len(dense) + i),
                                       confs, col))
    for conf in sorted(confs):
        col.warn(os.path.join(root, conf), f"script configuration without {conf[:-5]}: "
                                           "Flyway ignores it; rename or remove it")
    return cands


def _flyway_candidate(root: str, name: str, version: _Version, confs: set[str],
                      col: _Collector) -> _Candidate:
    """One V or R file; its ``<file>.conf`` (taken out of ``confs``) may opt out."""
    path = os.path.join(root, name)
    no_transaction = False
    if name + ".conf" in confs:
        confs.discard(name + ".conf")
        no_transaction = _flyway_no_transaction(path + ".conf", col)
    return _Candidate(name[:-4], version, "flyway", (_whole(path, _read_text(path)),),
                      no_transaction=no_transaction, label=name[:-4])


def _flyway_no_transaction(path: str, col: _Collector) -> bool:
    """``executeInTransaction=false`` in a Flyway script configuration file."""
    text = _read_text(path)
    no_transaction = False
    for match in _FLYWAY_NO_TX.finditer(text.lstrip(_BOM)):
        value = match.group(1).lower()
        if value not in ("true", "false"):
            col.warn(path, f"executeInTransaction={match.group(1)}: expected true or false")
        no_transaction = value == "false"
    return no_transaction


def _flyway_strays(root: str, scan: _Scan, col: _Collector) -> None:
    """MG000 for what Flyway would not run as a migration from this directory."""
    for name in scan.stray:
        path = os.path.join(root, name)
        if _FLYWAY_CALLBACK.match(name):
            col.warn(path, "Flyway callback script: it runs around migrations and is "
                           "not checked; move it out if it is not meant as a callback")
        else:
            col.warn(path, "not a Flyway migration name (V<version>__<description>.sql, "
                           "U<version>__<description>.sql or R__<description>.sql, "
                           "prefixes upper-case): Flyway ignores it or fails validation; "
                           "rename it")
    for name, version in (*scan.plain, *scan.ups, *scan.downs):
        col.warn(os.path.join(root, name),
                 f"no V prefix: Flyway ignores it; rename it to V{version.version}__"
                 f"{version.name or 'description'}.sql")
    dirs = [d.name for d in scan.dirs] + scan.unversioned_dirs
    for name in dirs:
        try:
            held = any(e.name.endswith(".sql")
                       for e in _list_dir(os.path.join(root, name), root, []))
        except OSError:
            held = False
        if held:
            col.warn(os.path.join(root, name),
                     "folder not checked: Flyway also runs the migrations of sub-folders, "
                     "migrate-lint reads only the files directly in the directory")


# --- folder layouts: folder, diesel --------------------------------------------------


def _dir_migrations(root: str, scan: _Scan, layout: str, col: _Collector) -> list[_Candidate]:
    up_file = "migration.sql" if layout == "folder" else "up.sql"
    # Runners of folder layouts read folders only: loose files would be skipped.
    for name, _version in (*scan.plain, *scan.ups, *scan.downs):
        col.warn(
            os.path.join(root, name),
            f"file ignored: {layout} migrations are folders holding {up_file}; move it into one",
        )
    for name in _strays(scan):
        col.warn(
            os.path.join(root, name),
            "loose .sql file among migration folders: the runner ignores it",
        )
    for name in scan.unversioned_dirs:
        if os.path.isfile(os.path.join(root, name, up_file)):
            col.warn(
                os.path.join(root, name, up_file),
                "folder name has no version prefix "
                "(expected <version>_<name>): the runner skips or rejects it",
            )
    cands: list[_Candidate] = []
    dirs = scan.dirs
    if layout != "diesel":
        # a name only diesel reads (`2024-03-13_x`) is not versioned for other runners
        dirs = [d for d in scan.dirs if _parse_version(d.name) is not None]
        for d in scan.dirs:
            if d not in dirs and up_file in d.files:
                col.warn(os.path.join(root, d.name, up_file),
                         "folder name has no version prefix "
                         "(expected <version>_<name>): the runner skips or rejects it")
    for d in dirs:
        if up_file not in d.files:
            col.warn(
                os.path.join(root, d.name),
                f"migration folder without {up_file}: "
                f"the runner fails or skips it; add {up_file} or remove the folder",
            )
            continue
        cands.append(_dir_candidate(root, d, layout, up_file, col))
    if layout == "diesel":
        # diesel orders by the version *string* (MigrationVersion is text and the harness
        # sorts pending migrations with `a.version().cmp(&b.version())`, diesel_migrations
        # migration_harness.rs): `20240313` runs before `20240313120000`.
        keys = sorted({c.version.version.replace("-", "") for c in cands})
        rank = {key: i for i, key in enumerate(keys)}
        for cand in cands:
            cand.rank = rank[cand.version.version.replace("-", "")]
    return cands


def _dir_candidate(root: str, d: _Dir, layout: str, up_file: str, col: _Collector) -> _Candidate:
    base = os.path.join(root, d.name)
    up_path = os.path.join(base, up_file)
    up = (_whole(up_path, _read_text(up_path)),)
    down: tuple[Section, ...] = ()
    no_transaction = False
    known = {up_file}
    if layout == "diesel":
        known.add("down.sql")
        if "down.sql" in d.files:
            down_path = os.path.join(base, "down.sql")
            down = (_whole(down_path, _read_text(down_path)),)
        if "metadata.toml" in d.files:
            no_transaction = _diesel_no_transaction(os.path.join(base, "metadata.toml"), col)
    for extra in sorted(d.files - known):
        if extra.endswith(".sql"):
            col.warn(
                os.path.join(base, extra),
                f"ignored: the runner reads only "
                f"{' and '.join(sorted(known))} in a migration folder",
            )
    return _Candidate(d.name, d.version, layout, up, down, no_transaction)


def _diesel_no_transaction(path: str, col: _Collector) -> bool:
    """`run_in_transaction = false` in a diesel metadata.toml."""
    try:
        data = tomllib.loads(_read_text(path).lstrip(_BOM))
    except tomllib.TOMLDecodeError as exc:
        col.warn(path, f"not valid TOML ({exc}): diesel refuses this migration")
        return False
    return data.get("run_in_transaction", True) is False


# --- drizzle journal ----------------------------------------------------------------


def _journal_entries(
    path: str, text: str, col: _Collector
) -> list[tuple[int, str, int | None]] | None:
    """(idx, tag, when) of each well-formed journal entry, or None if unusable."""
    try:
        data = json.loads(text.lstrip(_BOM))
    except json.JSONDecodeError as exc:
        col.warn(
            path,
            f"not valid JSON (line {exc.lineno}: {exc.msg}): drizzle cannot "
            "migrate; ordering by version instead",
        )
        return None
    raw = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        col.warn(path, "no 'entries' list: drizzle cannot migrate; ordering by version instead")
        return None
    entries: list[tuple[int, str, int | None]] = []
    for i, entry in enumerate(raw):
        idx = entry.get("idx") if isinstance(entry, dict) else None
        tag = entry.get("tag") if isinstance(entry, dict) else None
        # bool is an int subclass; `true` is no index.
        if not isinstance(idx, int) or isinstance(idx, bool) or not isinstance(tag, str):
            col.warn(path, f"entry #{i} lacks an integer 'idx' or a string 'tag'; ignored")
            continue
        when = entry.get("when")
        ok_when = isinstance(when, int) and not isinstance(when, bool)
        entries.append((idx, tag, when if ok_when else None))
    entries.sort(key=lambda e: e[0])
    return entries


def _apply_journal(root: str, cands: list[_Candidate], col: _Collector) -> None:
    """Order by drizzle's journal and report what drizzle would trip over."""
    path = os.path.join(root, "meta", "_journal.json")
    text = _read_text(path)
    entries = _journal_entries(path, text, col)
    if entries is None:
        return
    index = LineIndex(path, text)
    by_stem: dict[str, _Candidate] = {}
    for known in cands:
        by_stem.setdefault(known.stem, known)
    seen: set[str] = set()
    latest: tuple[int, str] | None = None  # highest `when` so far and its tag
    for idx, tag, when in entries:
        span = _tag_span(index, text, tag)
        if tag in seen:
            col.warn(path, f"journal lists {tag!r} twice; drizzle runs it twice", span)
            continue
        seen.add(tag)
        found = by_stem.get(tag)
        if found is None:
            col.warn(
                path,
                f"journal entry {tag!r} (idx {idx}) has no migration file: "
                "drizzle's migrate() fails with 'No file ... found'",
                span,
            )
        else:
            found.rank = idx
        if when is None:
            continue
        # drizzle runs only entries whose `when` is later than the last applied one's.
        if latest is not None and when <= latest[0]:
            col.warn(
                path,
                f"journal entry {tag!r} has when={when}, not later than "
                f"{latest[1]!r} (when={latest[0]}): drizzle skips it forever on "
                f"databases that already applied {latest[1]!r}; give it a later when",
                span,
            )
        else:
            latest = (when, tag)
    after = max((e[0] for e in entries), default=-1) + 1
    for cand in cands:
        if cand.rank is None:
            cand.rank = after
            col.warn(
                cand.path,
                "not listed in meta/_journal.json: drizzle never runs it; "
                "regenerate it with drizzle-kit or add a journal entry",
            )


def _tag_span(index: LineIndex, text: str, tag: str) -> Span | None:
    """Where ``"tag"`` is written in the journal, to point diagnostics at the entry."""
    quoted = json.dumps(tag)
    pos = text.find(quoted)
    return None if pos < 0 else index.span(pos, pos + len(quoted))


# --- duplicates ---------------------------------------------------------------------


def _check_duplicates(cands: Iterable[_Candidate], col: _Collector) -> None:
    """MG003 for migrations whose versions are numerically equal (`1` and `0001` too)."""
    first: dict[int, _Candidate] = {}
    for cand in sorted(cands, key=lambda c: (c.version.number, c.path)):
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
