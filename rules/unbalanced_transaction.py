"""MG010: a BEGIN, COMMIT, ROLLBACK, SAVEPOINT or RELEASE that fails where it runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.replay import Timeline
from migrate_lint.values import value_class

from ._common import statement_head
from ._rebuild import head_word, runner_transaction

_NESTED = "cannot start a transaction within a transaction"
_NO_COMMIT = "cannot commit - no transaction is active"
_NO_ROLLBACK = "cannot rollback - no transaction is active"

# What went wrong: a BEGIN inside the file's own transaction or the runner's; a
# COMMIT/ROLLBACK with none open (never opened, or already ended); a savepoint not
# open; the runner's closing COMMIT with nothing to end; a transaction left open.
Kind = Literal["nested-own", "nested-runner", "none-open", "already-ended", "no-savepoint",
               "runner-commit", "left-open"]


@value_class
class TransactionProblem(Facts):
    """``statement`` (of ``kind``) fails with SQLite's ``error`` where it runs, or leaves
    the migration ending so that the runner's COMMIT fails or nothing commits.
    ``other`` is the statement that opened or ended the transaction (``other_line``);
    ``wrapped`` why the runner runs the file inside its transaction; ``opt_out`` how a
    file leaves it, and ``runner`` the runner's name."""

    statement: str
    kind: Kind
    error: str = ""
    _: KW_ONLY
    other: str = ""
    other_line: int = 0
    wrapped: str = ""
    runner: str = ""
    opt_out: str = ""

    def message(self) -> str:
        """SQLite's refusal and why the transaction is where it is."""
        fails = f"`{self.statement}` fails with '{self.error}' on every database"
        where = f"`{self.other}` at line {self.other_line}"
        if self.kind == "nested-own":
            return f"{fails}: the transaction that {where} opened is still open"
        if self.kind == "nested-runner":
            return f"{fails}: {self.wrapped}"
        if self.kind == "already-ended":
            return f"{fails}: {where} already ended the transaction"
        if self.kind == "none-open":
            return (f"{fails}: the runner does not wrap this migration and the file opens no "
                    "transaction before it")
        if self.kind == "no-savepoint":
            return f"{fails}: no savepoint of that name is open at this point"
        if self.kind == "runner-commit":
            return (f"`{self.statement}` ends the runner's transaction and nothing opens "
                    f"another: the runner's own COMMIT after the migration fails with "
                    f"'{self.error}' on every database; {self.wrapped}")
        return (f"`{self.statement}` opens a transaction that the migration never ends: "
                "nothing commits its changes, and the runner's connection rolls them back "
                "when it closes")

    def help(self) -> str:
        """Where the statement belongs instead."""
        if self.kind == "nested-own":
            return "COMMIT the open transaction before opening another, or remove this BEGIN"
        if self.kind == "nested-runner":
            out = (f"or run the file outside it with {self.opt_out}" if self.opt_out else
                   f"{self.runner} has no per-file way out of it")
            return ("remove the file's BEGIN and COMMIT and let the runner's transaction hold "
                    f"the migration, {out}")
        if self.kind in ("none-open", "already-ended"):
            return "remove this statement, or open a transaction (BEGIN) before it"
        if self.kind == "no-savepoint":
            return ("open the savepoint (`SAVEPOINT name`) before releasing or rolling back "
                    "to it, and release each one once")
        if self.kind == "runner-commit":
            return ("open a transaction again before the file ends (`BEGIN`, as drizzle files "
                    "do with `COMMIT; PRAGMA foreign_keys=OFF; BEGIN`), or remove this "
                    "statement")
        return "end the migration's transaction with COMMIT (or RELEASE of its outermost savepoint)"


@value_class
class _Problem:
    """The step a migration's first transaction problem is reported at, its facts, and
    the statement that opened or ended the transaction (for the finding's note)."""

    step: int
    facts: TransactionProblem
    related: tuple[Related, ...] = ()


class UnbalancedTransaction(Rule):
    """A `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT` or `RELEASE` that fails where it runs.

    ## What it does
    Follows the transaction through each migration as its runner runs it (see the
    runner table under RB001 and `check --show-settings`): inside the runner's
    transaction when it wraps the file, else with none. Reports the first statement
    that SQLite refuses at that point: a `BEGIN` while a transaction is open (the
    runner's, or the file's own), a `COMMIT`/`END` or `ROLLBACK` with none open,
    a `RELEASE` or `ROLLBACK TO` of a savepoint that is not open. Also reports a
    wrapped migration that ends the runner's transaction (`COMMIT`) without opening
    another, so the runner's own closing `COMMIT` fails, and a migration the runner
    does not wrap that ends with its own transaction still open. A drizzle file that
    commits the batch to run a pragma outside it and opens a new transaction
    (`COMMIT; PRAGMA foreign_keys=OFF; BEGIN`) is balanced.

    ## Why is this bad?
    SQLite fails with "cannot start a transaction within a transaction" or "cannot
    commit - no transaction is active" on every database, empty or not; the runner
    stops and the migration never applies. A transaction left open commits nothing:
    the runner's connection rolls it back when it closes.

    ## Example
    ```sql
    CREATE TABLE account (id integer PRIMARY KEY, name text);
    -- migration
    BEGIN;
    ALTER TABLE account ADD COLUMN email text;
    BEGIN;
    CREATE INDEX account_email ON account (email);
    COMMIT;
    ```

    ## Use instead
    ```sql
    CREATE TABLE account (id integer PRIMARY KEY, name text);
    -- migration
    ALTER TABLE account ADD COLUMN email text;
    CREATE INDEX account_email ON account (email);
    ```

    ## References
    - https://www.sqlite.org/lang_transaction.html
    - https://www.sqlite.org/lang_savepoint.html
    """

    code = "MG010"
    name = "unbalanced-transaction"
    severity = "error"
    kinds = frozenset({StatementKind.TRANSACTION})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """The finding at the first transaction problem of the statement's migration."""
        timeline = ctx.timeline
        m = ctx.migration_index
        problem = timeline.memo(("transactions", m), lambda: _first_problem(timeline, m))
        if problem is None or problem.step != ctx.step_index:
            return
        yield self.report(problem.facts, stmt.span, related=problem.related)


@dataclass(slots=True)
class _State:
    """Where the transaction is while a migration runs (a working copy, not a value).

    Statements are step indexes into the timeline.
    """

    active: bool
    opened: int | None = None  # what opened it; None: the runner, or nothing is open
    savepoints: list[str] = field(default_factory=list)  # open savepoints, oldest first
    savepoint_began: bool = False  # the oldest savepoint opened the transaction
    closed_by: int | None = None  # what last ended a transaction

    def close(self, index: int) -> None:
        self.active, self.opened, self.closed_by = False, None, index
        self.savepoints, self.savepoint_began = [], False


def _savepoint_name(stmt: Statement) -> str:
    """The name ``SAVEPOINT x`` / ``RELEASE [SAVEPOINT] x`` / ``ROLLBACK TO [SAVEPOINT] x``
    gives: the last token, unquoted, lower-cased (SQLite compares them without case)."""
    return stmt.tokens[-1].value.lower() if len(stmt.tokens) > 1 else ""


def _head(timeline: Timeline, index: int) -> str:
    return statement_head(timeline.steps[index].statement)


def _first_problem(timeline: Timeline, m: int) -> _Problem | None:
    """Run the migration's transaction statements through SQLite's rules, in order."""
    why_wrapped = runner_transaction(timeline, m)
    state = _State(why_wrapped is not None)
    for index in range(timeline.boundaries[m], timeline.boundaries[m + 1]):
        stmt = timeline.steps[index].statement
        if stmt.kind != StatementKind.TRANSACTION:
            continue
        word = head_word(stmt)
        if word == "BEGIN":
            if state.active:
                return _nested(timeline, index, state, why_wrapped or "")
            state.active, state.opened = True, index
        elif word in ("COMMIT", "END") or (
                word == "ROLLBACK" and all(t.upper != "TO" for t in stmt.tokens)):
            if not state.active:
                return _nothing_open(timeline, index, state, word)
            state.close(index)
        elif word == "SAVEPOINT":
            if not state.active:
                state.active, state.opened, state.savepoint_began = True, index, True
            state.savepoints.append(_savepoint_name(stmt))
        else:  # RELEASE x, ROLLBACK TO x
            name = _savepoint_name(stmt)
            if name not in state.savepoints:
                return _Problem(index, TransactionProblem(
                    _head(timeline, index), "no-savepoint", f"no such savepoint: {name}"))
            # the newest savepoint of that name
            at = len(state.savepoints) - 1 - state.savepoints[::-1].index(name)
            if word == "ROLLBACK":
                del state.savepoints[at + 1:]  # ROLLBACK TO keeps the savepoint open
            elif at == 0 and state.savepoint_began:
                state.close(index)  # releasing the outermost one commits what it began
            else:
                del state.savepoints[at:]
    return _at_end(timeline, state, why_wrapped)


def _against(timeline: Timeline, index: int, kind: Kind, error: str, other: int, where: str
             ) -> _Problem:
    """The problem ``kind`` at ``index`` because of the statement at ``other`` (which
    opened or ended the transaction; ``where``: what it did, for the related note)."""
    stmt = timeline.steps[other].statement
    return _Problem(index, TransactionProblem(_head(timeline, index), kind, error,
                                              other=statement_head(stmt, 40),
                                              other_line=stmt.span.line),
                    (Related(f"the {where} here", stmt.span),))


def _nested(timeline: Timeline, index: int, state: _State, why_wrapped: str) -> _Problem:
    """A BEGIN while a transaction is open: the file's own, or the runner's."""
    if state.opened is not None:
        return _against(timeline, index, "nested-own", _NESTED, state.opened,
                        "open transaction began")
    head = _head(timeline, index)
    runner = timeline.history.settings.runner
    return _Problem(index, TransactionProblem(head, "nested-runner", _NESTED,
                                              wrapped=why_wrapped, runner=runner.name,
                                              opt_out=runner.opt_out or ""))


def _nothing_open(timeline: Timeline, index: int, state: _State, word: str) -> _Problem:
    """A COMMIT, END or ROLLBACK with no transaction open."""
    error = _NO_ROLLBACK if word == "ROLLBACK" else _NO_COMMIT
    if state.closed_by is not None:
        return _against(timeline, index, "already-ended", error, state.closed_by,
                        "transaction ended")
    return _Problem(index, TransactionProblem(_head(timeline, index), "none-open", error))


def _at_end(timeline: Timeline, state: _State, why_wrapped: str | None) -> _Problem | None:
    """The migration's end: the runner's own COMMIT needs a transaction to end; a file
    the runner does not wrap must not leave its own open."""
    if why_wrapped is not None and not state.active and state.closed_by is not None:
        return _Problem(state.closed_by, TransactionProblem(
            _head(timeline, state.closed_by), "runner-commit", _NO_COMMIT,
            wrapped=why_wrapped))
    if why_wrapped is None and state.active and state.opened is not None:
        return _Problem(state.opened, TransactionProblem(_head(timeline, state.opened),
                                                         "left-open"))
    return None
