"""What every layout module of discovery shares: the scan of the root by name, the
migration being assembled, the diagnostics collector, and reading files (each once,
as UTF-8 text, kept whole)."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from migrate_lint import bounded
from migrate_lint.diagnostics import Diagnostic
from migrate_lint.errors import MigrateLintError
from migrate_lint.source import MigrationSource, Section
from migrate_lint.span import Span
from migrate_lint.values import value_class

if TYPE_CHECKING:
    from migrate_lint.discover.flyway import FlywayName

DISCOVERY_CODE = "MG000"  # discovery-problem
DUPLICATE_CODE = "MG003"  # duplicate-version

# `<version>[_<name>]`: diesel's `YYYY-MM-DD-HHMMSS` first, because a bare `\d+` would
# stop at its first dash; 14-digit timestamps, epoch milliseconds and zero-padded
# numbers are all plain digits.
_VERSIONED = re.compile(r"(?P<version>\d{4}-\d{2}-\d{2}-\d{6}|\d+)(?:_(?P<name>.*))?", re.S)

BOM = "\ufeff"

EXPECTED = (
    "expected files like 0001_name.sql, <version>_<name>.up.sql, V1__name.sql, "
    "<version>_<name>/migration.sql or <version>_<name>/up.sql"
)


@value_class
class Version:
    """The version prefix of a file or folder name."""

    version: str  # as written, e.g. "0001" or "2026-06-03-040000"
    name: str
    number: int  # numeric value used for ordering and duplicate detection


@value_class
class Dir:
    """A versioned folder under the root and the names of the files in it."""

    name: str
    version: Version
    files: frozenset[str]


class Scan:
    """What the root holds, by name only (nothing read yet).

    Scan, Candidate and Collector are plain classes, not dataclasses: making their
    dataclasses cost every run's start 2 ms (discovery imports this module).
    """

    __slots__ = ("code", "confs", "dirs", "downs", "flyway", "journal", "marks", "plain",
                 "prisma_lock", "python", "refused", "stray", "unversioned_dirs", "ups")

    def __init__(self) -> None:
        self.plain: list[tuple[str, Version]] = []  # <v>_<n>.sql
        self.ups: list[tuple[str, Version]] = []  # <v>_<n>.up.sql
        self.downs: list[tuple[str, Version]] = []  # <v>_<n>.down.sql
        self.stray: list[str] = []  # .sql without a version prefix
        self.flyway: list[tuple[str, FlywayName]] = []  # V1__x.sql, R__x.sql
        self.confs: list[str] = []  # <file>.sql.conf (Flyway script config)
        self.code: list[tuple[str, Version]] = []  # <v>_<n>.go (goose)
        self.python: list[tuple[str, Version]] = []  # <v>[_<n>].py: a project runner's
        self.dirs: list[Dir] = []
        self.unversioned_dirs: list[str] = []
        self.journal = False  # meta/_journal.json (drizzle-kit)
        self.prisma_lock = False  # migration_lock.toml (Prisma)
        # (path, why) of entries not read: FIFOs, devices, symlinks out of the tree
        self.refused: list[tuple[str, str]] = []
        # plain file name -> (goose Up line, dbmate section) in its text, once looked
        # for: the layout is chosen by them and each file is judged by them (searching
        # a long history's texts twice cost a warm run 3 ms)
        self.marks: dict[str, tuple[bool, bool]] = {}


class Candidate:
    """A migration being assembled; becomes a MigrationSource once ordered."""

    __slots__ = ("code", "down", "label", "layout", "no_transaction", "rank", "stem", "up",
                 "version")

    def __init__(self, stem: str, version: Version, layout: str, up: tuple[Section, ...],
                 down: tuple[Section, ...] = (), no_transaction: bool = False,
                 rank: int | None = None, label: str = "", code: str = "") -> None:
        self.stem = stem  # file name without .sql, or folder name: a drizzle journal tag
        self.version = version
        self.layout = layout
        self.up = up
        self.down = down
        self.no_transaction = no_transaction
        self.rank = rank  # drizzle journal idx, when a journal decides the order
        self.label = label  # the file stem where it is not <version>_<name> (Flyway)
        self.code = code  # "go" for a goose Go migration

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


class Collector:
    """Diagnostics of one discovery run."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def warn(self, path: str, message: str, span: Span | None = None) -> None:
        self.items.append(Diagnostic(DISCOVERY_CODE, message, path, span))


def parse_version(stem: str) -> Version | None:
    """``0001_name`` -> Version, or None when the stem has no version prefix."""
    match = _VERSIONED.fullmatch(stem)
    if match is None:
        return None
    version = match.group("version")
    return Version(version, match.group("name") or "", int(version.replace("-", "")))


def strays(scan: Scan) -> list[str]:
    """.sql files without a version prefix, Flyway names included (other layouts)."""
    return sorted([*scan.stray, *(name for name, _f in scan.flyway)])


def list_dir(path: str, root: str, refused: list[tuple[str, str]]
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
        why = bounded.problem(entry.path, root, entry)
        if why is None:
            kept.append(entry)
        else:
            refused.append((entry.path, why))
    return kept


def read_text(path: str) -> str:
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


def cached_text(root: str, name: str, texts: dict[str, str]) -> str:
    text = texts.get(name)
    if text is None:
        text = texts[name] = read_text(os.path.join(root, name))
    return text


def _body_start(text: str) -> int:
    """Where SQL may begin: after a BOM, which stays in the text to keep offsets true."""
    return 1 if text.startswith(BOM) else 0


def whole_file(path: str, text: str) -> Section:
    return Section(path, text, _body_start(text), len(text))


def line_after(text: str, pos: int) -> int:
    """Offset of the line after the one holding ``pos`` (end of text on the last line)."""
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline + 1


def split_sections(
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


def sectioned_file(path: str, stem: str, version: Version, text: str, col: Collector,
                   layout: str, markers: list[tuple[str, int, int]], no_transaction: bool,
                   up_marker: str) -> Candidate | None:
    """A file of annotated up and down sections (dbmate, goose; ``markers`` as
    :func:`split_sections` takes them): None without an up section; a second one is
    warned about, since the runner (``layout``) rejects the file."""
    up, down = split_sections(path, text, markers)
    if not up:
        return None
    if len(up) > 1:
        col.warn(path, f"more than one {up_marker}: {layout} rejects this file")
    return Candidate(stem, version, layout, up, down, no_transaction)
