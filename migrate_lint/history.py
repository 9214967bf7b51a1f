"""A parsed migration history: migrations in order, each with its statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
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
from migrate_lint.values import value_class

if TYPE_CHECKING:
    from sqlglot import exp


class StatementKind(str, Enum):
    """What a statement is, read from its leading keywords (not from sqlglot, which
    misreads several of them; see SQLGLOT.md): every kind ``parse.statement_kind``
    returns, ``unknown`` for leading words it does not know.

    A member is its value wherever a string is expected (``kind == "insert"``,
    ``f"{kind}"``, a key of a dict of strings), so reports read as before.
    """

    CREATE_TABLE = "create_table"
    CREATE_INDEX = "create_index"
    CREATE_VIEW = "create_view"
    CREATE_TRIGGER = "create_trigger"
    DROP_TABLE = "drop_table"
    DROP_INDEX = "drop_index"
    DROP_VIEW = "drop_view"
    DROP_TRIGGER = "drop_trigger"
    ALTER_TABLE = "alter_table"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    SELECT = "select"
    PRAGMA = "pragma"
    TRANSACTION = "transaction"
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"

    # str's, not Enum's: Enum hashes the member name and prints `StatementKind.X`
    __hash__ = str.__hash__
    __str__ = str.__str__

    def __format__(self, spec: str) -> str:
        return str.__format__(self, spec)


_K = StatementKind  # short, for the three sets below
SCHEMA_KINDS = frozenset({_K.CREATE_TABLE, _K.CREATE_INDEX, _K.CREATE_VIEW, _K.CREATE_TRIGGER,
                          _K.DROP_TABLE, _K.DROP_INDEX, _K.DROP_VIEW, _K.DROP_TRIGGER,
                          _K.ALTER_TABLE})
DATA_KINDS = frozenset({_K.INSERT, _K.UPDATE, _K.DELETE, _K.SELECT})
CONTROL_KINDS = frozenset({_K.PRAGMA, _K.TRANSACTION, _K.MAINTENANCE})
# The rule registry rejects a rule whose `kinds` names anything else: a typo there
# would silently never run. tests/test_rule_kinds.py ties the enum to the parser.
STATEMENT_KINDS: frozenset[StatementKind] = frozenset(StatementKind)


@value_class
class Statement:
    """One statement: exact text, where it is, and what it means.

    ``ddl`` holds the reading of a schema statement; ``ast`` sqlglot's tree of a data
    statement (``tree`` holds it, or what makes it again once `release_tree` let it
    go). ``problem`` says why the statement was not understood, if it was not
    (it is then reported as MG001 and the tables it names become incomplete).

    An ``INSERT ... VALUES`` of constants has no tree: it keeps only its
    `seed.SeedInsert` facts (table, columns, rows); its tokens are its header's, so a
    seed file of a million rows costs its facts, not its trees. Rules about copies never
    see one (``ast`` is None); the few that check every insert ask ``seed``.
    """

    index: int
    text: str
    span: Span
    kind: StatementKind
    ddl: Ddl | None = None
    # sqlglot's tree, or once released (`release_tree`) what makes it again; read `ast`.
    # Not compared: it is made from the text.
    tree: exp.Expression | Regrow | None = field(default=None, compare=False)
    problem: str | None = None
    tables: tuple[str, ...] = ()  # tables the statement names (best effort)
    # The tokens kept with the statement (see `tokens`); None: made again from the text
    # when asked. Kept they cost ~3 KB a statement, most of a long history's memory.
    held: tuple[Tok, ...] | None = None
    # The `-- +goose StatementBegin` comment of the block holding the statement: the
    # sandbox runs a block's statements as one exec, as goose does (see split.py).
    block: Span | None = None
    seed: SeedInsert | None = None

    @property
    def path(self) -> str:
        """The file the statement is in."""
        return self.span.path

    @property
    def ast(self) -> exp.Expression | None:
        """sqlglot's tree of a data statement (None for the others); a released tree
        (`release_tree`) is made again, the same as it was."""
        tree = self.tree
        if isinstance(tree, Regrow):
            return tree.tree_of(self)
        return tree

    @property
    def has_tree(self) -> bool:
        """Whether ``ast`` is a tree, without making a released one again."""
        return self.tree is not None

    @property
    def tokens(self) -> tuple[Tok, ...]:
        """The statement's tokens (offsets into the file); a seed INSERT's header only.

        Most statements do not keep them (`held`): they are made again from the text,
        which tokenizes alone as it did in its file. Rules that ask for them per
        statement should ask once.
        """
        held = self.held
        if held is not None:
            return held
        from migrate_lint.sqlglot_api.tokens import sql_tokens

        seed = self.seed
        text = self.text if seed is None else self.text[: seed.header_end]
        return tuple(sql_tokens(text, self.span.start))


class Regrow:
    """Makes the tree of a statement whose tree was released (`release_tree`) again.

    A long history's trees are a fifth of its memory, and rules read a statement's tree
    while its migration is checked, seldom after: the engine lets them go migration by
    migration (issue 13). The maker it puts in their place (`parse.TreeMaker`) remakes
    one the few times a later reader asks.
    """

    __slots__ = ()

    def tree_of(self, stmt: Statement) -> exp.Expression:
        """The tree ``stmt`` had (equal, with the same comments and positions)."""
        raise NotImplementedError


def release_tree(stmt: Statement, maker: Regrow) -> exp.Expression | None:
    """Let ``stmt``'s tree go, ``maker`` making it again when asked; return the tree
    let go (None: ``stmt`` holds none, or only in outline), for the caller to drop.

    The statement stays frozen for every reader: ``ast`` answers an equal tree.
    """
    tree = stmt.tree if type(stmt) is Statement else None
    if tree is None or isinstance(tree, Regrow):
        return None
    _TREE_SLOT.__set__(stmt, maker)
    return tree


_TREE_SLOT = Statement.__dict__["tree"]  # the slot itself: frozen classes refuse setattr


@value_class
class Script:
    """The statements of one direction of a migration, and the comments around them
    (drizzle's `--> statement-breakpoint` separators left out)."""

    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]
    paths: tuple[str, ...]

    @property
    def first(self) -> Statement | None:
        """The first statement, if any (a checkpoint's outline makes only that one)."""
        return self.statements[0] if self.statements else None


@value_class
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
