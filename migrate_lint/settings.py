"""The connection a history's migrations run on: resolved once per command, with sources.

A runner's name does not decide what a migration does; the connection does:
whether foreign keys are on, and where the transactions are (none, one per
migration, one for the whole batch, or the file's own BEGIN/COMMIT). Each comes from
a flag, the configuration file, what the files themselves show, or the runner's
default (`migrate_lint.runners`), in that order. `Settings` is the result, carried
on the `History`; the rules, the sandbox and the fixer ask it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from migrate_lint.runners import RUNNERS, Runner
from migrate_lint.span import Span
from migrate_lint.values import value_class

if TYPE_CHECKING:
    from migrate_lint.config import Config
    from migrate_lint.history import History, Statement
    from migrate_lint.source import MigrationSource

# none: every statement autocommits; migration: one per migration; batch: one around
# every pending migration; file: the runner opens none, files bring their own.
TRANSACTIONS = ("none", "migration", "batch", "file")
Transaction = Literal["none", "migration", "batch", "file"]
OriginKind = Literal["default", "config", "flag", "inferred"]


@value_class
class Origin:
    """Where a setting came from: ``detail`` names the file, flag or migration."""

    kind: OriginKind
    detail: str = ""

    def __str__(self) -> str:
        if self.kind == "inferred":
            return f"inferred from {self.detail}"
        return f"{self.kind} {self.detail}" if self.detail else self.kind


DEFAULT = Origin("default")


@value_class
class Requested:
    """What the user asked for (None: nothing asked), each with where it was asked."""

    layout: str | None = None
    layout_from: Origin = DEFAULT
    runner: str | None = None
    runner_from: Origin = DEFAULT
    foreign_keys: bool | None = None
    foreign_keys_from: Origin = DEFAULT
    transaction: str | None = None
    transaction_from: Origin = DEFAULT
    functions: tuple[tuple[str, Origin], ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> Requested:
        """The settings ``config`` asks for, each with its origin."""
        functions = [(name, config.origin_of("sql_functions")) for name in config.sql_functions]
        functions += [(name, Origin("flag", "--sql-function")) for name in config.flag_functions
                      if name not in config.sql_functions]
        return cls(
            layout=config.layout, layout_from=config.origin_of("layout"),
            runner=config.runner, runner_from=config.origin_of("runner"),
            foreign_keys=config.foreign_keys, foreign_keys_from=config.origin_of("foreign_keys"),
            transaction=config.transaction, transaction_from=config.origin_of("transaction"),
            functions=tuple({name: (name, origin) for name, origin in functions}.values()),
        )


@value_class
class Settings:
    """The effective connection settings of one history, each with its origin.

    ``step_outs`` are the statements by which a file leaves the runner's batch
    transaction (drizzle files that open with ``COMMIT``): after them the file's own
    ``PRAGMA foreign_keys`` takes effect.
    """

    layout: str
    layout_from: Origin
    runner: Runner
    runner_from: Origin
    foreign_keys: bool
    foreign_keys_from: Origin
    transaction: Transaction
    transaction_from: Origin
    functions: tuple[tuple[str, Origin], ...] = ()
    step_outs: tuple[Span, ...] = ()

    @property
    def function_names(self) -> tuple[str, ...]:
        """The app-registered SQL functions, as the sandbox registers them."""
        return tuple(name for name, _ in self.functions)

    @property
    def foreign_keys_may_be_on(self) -> bool:
        """False only when foreign keys are known off (stated, or shown by the files).

        A driver's off default is not proof: applications often turn them on when
        opening the connection (a DSN's ``_foreign_keys=on``), so rules keep their
        findings under a default off.
        """
        return self.foreign_keys or self.foreign_keys_from.kind == "default"

    @property
    def unwrapped(self) -> bool:
        """True when the runner opens no transaction of its own around the files."""
        return self.transaction in ("none", "file")

    @property
    def file_may_own_transaction(self) -> bool:
        """Whether a new migration (a fix) may run its own BEGIN/COMMIT."""
        return self.unwrapped or (
            self.transaction == self.runner.transaction and self.runner.file_may_own_transaction)

    def wraps(self, source: MigrationSource, opens_own: bool) -> str | None:
        """Why the runner runs this migration inside a transaction; None when it does not.

        ``opens_own``: the file runs ``BEGIN`` itself.
        """
        if self.unwrapped:
            return None
        runner = self.runner
        same = self.transaction == runner.transaction
        if self.transaction == "batch":
            return runner.wraps if same else (
                f"the runner runs every pending migration inside one transaction "
                f"(`transaction = batch`, {self.transaction_from})")
        if source.no_transaction:
            return None
        if not same:
            return (f"the runner runs each migration inside a transaction "
                    f"(`transaction = migration`, {self.transaction_from})")
        if runner.begin_unwraps_file and opens_own and self.transaction_from.kind == "default":
            return None
        return runner.wraps.format(file=os.path.basename(source.path))

    def lines(self) -> Iterator[str]:
        """``name: value (origin)`` per setting, in a fixed order (``--show-settings``)."""
        yield f"layout: {self.layout} ({self.layout_from})"
        yield f"runner: {self.runner.name} ({self.runner_from})"
        yield (f"foreign keys: {'on' if self.foreign_keys else 'off'} "
               f"({self.foreign_keys_from})")
        yield f"transaction: {self.transaction} ({self.transaction_from})"
        if self.functions:
            yield "functions: " + ", ".join(f"{n} ({o})" for n, o in self.functions)
        else:
            yield "functions: none (default)"
        for span in self.step_outs:
            yield (f"steps out of the batch: {span.path}:{span.line} "
                   "(inferred: the file's first statement ends the runner's transaction)")


def _head(stmt: Statement) -> str:
    return stmt.tokens[0].upper if stmt.tokens else ""


def _ends_transaction(stmt: Statement) -> bool:
    """COMMIT, END or a whole-transaction ROLLBACK."""
    if stmt.kind != "transaction":
        return False
    head = _head(stmt)
    return head in ("COMMIT", "END") or (
        head == "ROLLBACK" and all(t.upper != "TO" for t in stmt.tokens))


def _own_begin(history: History) -> Statement | None:
    """The first ``BEGIN`` a file of the history runs itself."""
    for migration in history.migrations:
        for stmt in migration.up.statements:
            if stmt.kind == "transaction" and _head(stmt) == "BEGIN":
                return stmt
    return None


def _step_outs(history: History) -> tuple[Span, ...]:
    """Files whose first statement ends the runner's transaction (drizzle's escape)."""
    out = []
    for migration in history.migrations:
        first = migration.up.first
        if first is not None and _ends_transaction(first):
            out.append(first.span)
    return tuple(out)


def resolve_settings(history: History, requested: Requested) -> Settings:
    """The effective settings: flag, then config, then the files, then the runner's default."""
    runner = RUNNERS[history.runner]
    runner_from = requested.runner_from if requested.runner else (
        Origin("default", "the runner is unknown: set `runner`") if runner.name == "generic"
        else Origin("inferred", f"the {history.layout} layout"))
    layout_from = requested.layout_from if requested.layout else Origin(
        "inferred", f"the files under {history.root}")
    if requested.foreign_keys is not None:
        foreign_keys, fk_from = requested.foreign_keys, requested.foreign_keys_from
    else:
        foreign_keys, fk_from = runner.foreign_keys, Origin("default", f"of {runner.driver}")
    transaction: Transaction
    if requested.transaction is not None:
        transaction, tx_from = _transaction(requested.transaction), requested.transaction_from
    else:
        transaction, tx_from = runner.transaction, Origin("default", f"of {runner.name}")
        begin = _own_begin(history) if runner.opt_out_scope == "history" else None
        if begin is not None:
            # Its BEGIN would fail inside the runner's transaction ("cannot start a
            # transaction within a transaction"): the runner is set not to wrap files.
            transaction = "file"
            tx_from = Origin("inferred", f"{begin.span.path}:{begin.span.line}, whose own BEGIN "
                             f"means {runner.name} runs unwrapped: {runner.opt_out}")
    step_outs = _step_outs(history) if transaction == "batch" else ()
    return Settings(history.layout, layout_from, runner, runner_from, foreign_keys, fk_from,
                    transaction, tx_from, requested.functions, step_outs)


def _transaction(value: str) -> Transaction:
    """A configured transaction mode (already checked against `TRANSACTIONS`)."""
    modes: dict[str, Transaction] = {"none": "none", "migration": "migration",
                                     "batch": "batch", "file": "file"}
    return modes[value]
