"""What discovery finds: migrations, their order, and the file sections that hold SQL."""

from __future__ import annotations

from dataclasses import field

from migrate_lint.diagnostics import Diagnostic
from migrate_lint.runners import RUNNER_NAMES
from migrate_lint.values import value_class

# Layouts discovery recognises; `--layout` and the `layout` config key take these names.
LAYOUTS = (
    "flat",  # <version>_<name>.sql (drizzle-kit numbered, sqlx simple, plain timestamps)
    "folder",  # <version>_<name>/migration.sql (drizzle-kit v1, Prisma)
    "diesel",  # <version>_<name>/up.sql + down.sql
    "updown",  # <version>_<name>.up.sql / .down.sql (golang-migrate, sqlx reversible)
    "goose",  # one file, -- +goose Up / -- +goose Down
    "dbmate",  # one file, -- migrate:up / -- migrate:down
    "flyway",  # V<version>__<desc>.sql, U<version>__<desc>.sql (undo), R__<desc>.sql
)

# Runners decide transaction handling (see RUNNERS.md); inferred from the layout.
RUNNERS = RUNNER_NAMES


@value_class
class Section:
    """A region of one file that holds SQL of one direction.

    ``text`` is the whole file (shared between sections of the same file) so that
    positions computed inside a section are positions in the file.
    """

    path: str
    text: str
    start: int
    end: int


@value_class
class MigrationSource:
    """One migration as found on disk, not yet parsed."""

    version: str
    name: str
    # Sorting key: history order (journal index or numeric version, then name).
    order: tuple[int, int, str]
    layout: str
    up: tuple[Section, ...]
    down: tuple[Section, ...] = ()
    # The file opts out of the runner's per-migration transaction (goose
    # NO TRANSACTION, dbmate transaction:false, diesel run_in_transaction = false,
    # Flyway executeInTransaction=false in <file>.conf).
    no_transaction: bool = False
    # The file stem, where the layout does not name migrations `<version>_<name>`
    # (Flyway: ``V1_1__add_users``, ``R__views``); empty otherwise.
    stem: str = ""
    # The language of a code migration in the same sequence ("go": a goose Go
    # migration); empty for SQL. Its sections are empty: the tool cannot run code.
    code: str = ""

    def files(self) -> tuple[str, ...]:
        """Every file holding this migration (up and down), in order, without repeats."""
        return tuple(dict.fromkeys([s.path for s in self.up] + [s.path for s in self.down]))

    @property
    def label(self) -> str:
        """``<version>_<name>`` as people write it (Flyway: the file stem)."""
        if self.stem:
            return self.stem
        return f"{self.version}_{self.name}" if self.name else self.version

    @property
    def path(self) -> str:
        """The file that holds the up direction (first one, for display)."""
        return self.up[0].path if self.up else ""


@value_class
class Discovery:
    """The migrations of one directory in history order, and what did not fit."""

    root: str
    layout: str
    runner: str
    migrations: tuple[MigrationSource, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
