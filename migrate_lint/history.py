"""A parsed migration history: migrations in order, each with its statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from migrate_lint.ddl import Ddl
from migrate_lint.diagnostics import Diagnostic
from migrate_lint.seed import SeedInsert
from migrate_lint.settings import Requested, Settings, resolve_settings
from migrate_lint.source import MigrationSource
from migrate_lint.span import Span
from migrate_lint.split import Comment
from migrate_lint.tokens import Tok

if TYPE_CHECKING:
    from sqlglot import exp

# Statement kinds, read from the leading keywords (not from sqlglot, which
# misreads several of them; see SQLGLOT.md).
SCHEMA_KINDS = frozenset(
    {"create_table", "create_index", "create_view", "create_trigger", "drop_table",
     "drop_index", "drop_view", "drop_trigger", "alter_table"}
)
DATA_KINDS = frozenset({"insert", "update", "delete", "select"})
CONTROL_KINDS = frozenset({"pragma", "transaction", "maintenance"})
# Every kind `parse.statement_kind` returns ("unknown": leading words it does not know).
# The rule registry rejects a rule whose `kinds` names anything else: a typo there
# would silently never run. tests/test_rule_kinds.py ties this set to the parser.
STATEMENT_KINDS = SCHEMA_KINDS | DATA_KINDS | CONTROL_KINDS | {"unknown"}


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: exact text, where it is, and what it means.

    ``ddl`` holds the reading of a schema statement; ``ast`` sqlglot's tree of a data
    statement. ``problem`` says why the statement was not understood, if it was not
    (it is then reported as MG001 and the tables it names become incomplete).

    An ``INSERT ... VALUES`` of constants has no tree: it keeps only its
    `seed.SeedInsert` facts (table, columns, rows) and its header tokens, so a seed
    file of a million rows costs its facts, not its trees. Rules about copies never
    see one (``ast`` is None); the few that check every insert ask ``seed``.
    """

    index: int
    text: str
    span: Span
    kind: str
    ddl: Ddl | None = None
    ast: exp.Expression | None = None
    problem: str | None = None
    tables: tuple[str, ...] = ()  # tables the statement names (best effort)
    # The statement's tokens (offsets into the file): rules that look at keywords use
    # these rather than tokenizing again.
    tokens: tuple[Tok, ...] = ()
    # The `-- +goose StatementBegin` comment of the block holding the statement: the
    # sandbox runs a block's statements as one exec, as goose does (see split.py).
    block: Span | None = None
    seed: SeedInsert | None = None

    @property
    def path(self) -> str:
        """The file the statement is in."""
        return self.span.path


@dataclass(frozen=True, slots=True)
class Script:
    """The statements of one direction of a migration, and the comments around them."""

    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Migration:
    """A migration read and parsed."""

    source: MigrationSource
    up: Script
    down: Script | None

    @property
    def version(self) -> str:
        """The version part of the name (timestamp or number)."""
        return self.source.version

    @property
    def label(self) -> str:
        """``<version>_<name>``."""
        return self.source.label

    @property
    def path(self) -> str:
        """The file holding the up direction."""
        return self.source.path


@dataclass(frozen=True)
class History:
    """Every migration of a directory, in the order the runner applies them."""

    root: str
    layout: str
    runner: str
    migrations: tuple[Migration, ...]
    diagnostics: tuple[Diagnostic, ...]
    texts: dict[str, str]  # path -> file text, for reporters that quote source lines
    # The connection settings asked for (flags, config); `settings` resolves them.
    requested: Requested = field(default=Requested())

    @cached_property
    def settings(self) -> Settings:
        """The effective connection settings, resolved once (see `migrate_lint.settings`)."""
        return resolve_settings(self, self.requested)

    def find(self, version: str) -> int | None:
        """Index of the migration whose version or label is ``version`` (the first one)."""
        return self._positions.get(version)

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Version and label -> index of the first migration with it: rules ask per finding."""
        positions: dict[str, int] = {}
        for i, m in enumerate(self.migrations):
            positions.setdefault(m.version, i)
            positions.setdefault(m.label, i)
        return positions
