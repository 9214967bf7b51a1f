"""Plain data of the fix: what a rule's ``fix`` returns, what was planned, what was proved.

This module and its neighbours ``inplace``, ``sqltext``, ``rebuild`` and ``expect``
are the vocabulary a rule's ``fix(facts, ctx)`` is written in; they sit below the
rules (tests/test_architecture.py). The driver that proves and writes plans
(``planner``, ``checks``, ``write``, ``layout``) sits above them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from migrate_lint.findings import Facts
from migrate_lint.fix.inplace import Splice
from migrate_lint.values import value_class

if TYPE_CHECKING:
    from migrate_lint.fix.expect import Expect
    from migrate_lint.fix.rebuild import Rebuild
    from migrate_lint.history import Statement
    from migrate_lint.schema import Schema


class ColumnFacts(Protocol):
    """The facts of a fixable finding: it names the table and column to repair."""

    @property
    def table(self) -> str:
        """The table to repair."""

    @property
    def column(self) -> str:
        """The column to repair."""


@value_class
class Situation:
    """A fix request: one rule finding (or a ``--writers-omit`` column) to repair.

    ``code`` is the rule code of the finding (NN001, NN002, ...); ``facts`` what the
    rule observed (its :class:`~migrate_lint.findings.Facts`, which name ``table`` and
    ``column``); ``migration`` and ``statement`` the offending statement in the history.
    The planner never decides what is wrong: it only repairs what a request names.
    """

    code: str
    table: str
    column: str
    migration: int  # index of the migration in the history (-1: the final schema)
    statement: int = -1  # index of the offending statement in that migration
    message: str = ""
    facts: Facts | None = None


@value_class
class EndState:
    """The follow-up rebuild of ``table.column`` for databases where the original
    migration applied (on empty tables), or where older writers omit the column.

    ``exact``: the rebuild gives the column exactly ``default`` and ``notnull`` (the
    author's DEFAULT a correction dropped, say; ``note`` says why); otherwise the
    planner chooses the default (the type's zero value, ``--set``, or NN006's
    alternatives). ``always``: planned even when the in-place correction was refused.
    """

    table: str
    column: str
    exact: bool = False
    default: str | None = None
    notnull: bool = True
    note: str = ""
    always: bool = False


@value_class
class Plan:
    """What a rule's ``fix`` does for one finding; the planner proves and writes it.

    ``edits`` correct the finding's migration in place (it failed on populated
    databases, so it never applied there); ``expect`` is what the corrected column
    holds afterwards (check 4), read on the first of ``tables`` that exists after the
    migration (default: the finding's table); ``data_only``: the correction changes
    data, not the schema (check 18). ``end_state`` is the rebuild that brings other
    databases to the same end state. ``refused`` says why nothing is offered.
    """

    title: str
    edits: tuple[Splice, ...] = ()
    notes: tuple[str, ...] = ()
    expect: Expect | None = None
    tables: tuple[str, ...] = ()
    data_only: bool = False
    end_state: EndState | None = None
    refused: str | None = None


@dataclass(frozen=True)
class FixContext:
    """What a rule's ``fix`` may look at: the statement its finding points at (None for
    an end-state request: an insert site, ``--writers-omit``), its file's text and
    migration label, the final schema of the linted history, the user's options, and
    ``rebuild_adding(table, column, column_sql)``: a rebuild of ``table`` that adds the
    column, built on a database at the state right before the statement."""

    statement: Statement | None
    text: str
    migration: str
    final: Schema
    options: Options
    rebuild_adding: Callable[[str, str, str], Rebuild]

    def given(self, table: str, column: str) -> str | None:
        """The user's ``--set`` expression for ``table.column``, if any."""
        return self.options.set_for(table, column)


@value_class
class ColumnTarget:
    """What the rebuilt column must look like and how existing rows are filled.

    ``default`` is the DEFAULT clause's value text (None: no DEFAULT);
    ``backfill`` the expression that replaces NULL in the copy (None: copy as is);
    ``assign_trigger`` the SQL of a trigger that assigns the value on insert.
    """

    table: str
    column: str
    notnull: bool
    default: str | None
    backfill: str | None = None
    assign_trigger: str | None = None
    assign_trigger_name: str | None = None


@value_class
class TargetChoice:
    """A rule's say over the column an end-state rebuild writes.

    A rule that owns a fact about the rebuilt column (NN006: a constant default under
    a UNIQUE key) defines ``end_state_target(final, table, column, options)`` and
    returns this, or None where its fact does not hold. ``target`` is the column to
    rebuild to (None: no rebuild is offered); ``vetoes`` are refusals in the rule's
    own name (what its fact forbids), ``refusals`` refusals of the request itself
    (what cannot be done instead), both plans with ``refused`` set; ``notes`` go into
    the new migration's header.
    """

    target: ColumnTarget | None
    vetoes: tuple[Plan, ...] = ()
    refusals: tuple[Plan, ...] = ()
    notes: tuple[str, ...] = ()


@value_class
class CheckResult:
    """The outcome of one proof check on one table."""

    number: int
    name: str
    ok: bool
    reason: str = ""
    table: str = ""

    def __str__(self) -> str:
        state = "pass" if self.ok else "FAIL"
        where = f" on `{self.table}`" if self.table else ""
        why = f": {self.reason}" if self.reason else ""
        return f"[{state}] {self.number:>2}. {self.name}{where}{why}"


@value_class
class FileChange:
    """One file the fix writes: a new file, or an in-place edit of an existing one."""

    path: str
    text: str
    old_text: str | None = None  # None: a new file (never overwrites)

    @property
    def is_new(self) -> bool:
        """True when the file does not exist yet."""
        return self.old_text is None


@value_class
class FixPlan:
    """A planned fix for one situation: files, notes, and the proof it passed."""

    situation: Situation
    title: str
    files: tuple[FileChange, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    notes: tuple[str, ...] = ()
    refused: str | None = None  # why no fix is offered (nothing is written)

    @property
    def ok(self) -> bool:
        """True when the plan may be written: not refused and every check passed."""
        return self.refused is None and all(c.ok for c in self.checks)

    @property
    def failed_checks(self) -> tuple[CheckResult, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if not c.ok)


@value_class
class Options:
    """What the user asked for on the command line."""

    select: frozenset[str] = frozenset()
    sets: tuple[tuple[str, str, str], ...] = ()  # (table, column, expression)
    force: bool = False
    since: str | None = None
    writers_omit: tuple[tuple[str, str], ...] = ()
    insert_paths: tuple[str, ...] = ()  # application sources whose inserts are writers
    writers_from: str | None = None  # git revision of older writers' sources
    alternative: str = "trigger"  # NN006 alternative: "trigger" or "nullable"
    name_hint: str | None = None
    now_ms: int | None = None  # the clock for new versions (tests pin it)

    def set_for(self, table: str, column: str) -> str | None:
        """The user's ``--set`` expression for ``table.column``, if any."""
        for t, c, e in self.sets:
            if t.lower() == table.lower() and c.lower() == column.lower():
                return e
        return None
