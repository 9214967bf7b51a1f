"""Plain data of the fix generator: what to change, what was planned, what was proved."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Situation:
    """A fix request: one rule finding (or a ``--writers-omit`` column) to repair.

    ``code`` is the rule code of the finding (NN001, NN002, ...); ``table``,
    ``column`` and ``migration`` come from the ``Finding.data`` keys of the same
    names, ``statement`` is the offending statement of that migration, and ``data``
    carries the rule's other ``## Fix safety`` keys (``default``, ``reason``, ...).
    The planner never decides what is wrong: it only repairs what a request names.
    """

    code: str
    table: str
    column: str
    migration: int  # index of the migration in the history (-1: the final schema)
    statement: int = -1  # index of the offending statement in that migration
    message: str = ""
    data: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        """A value of the finding's ``data``."""
        return next((v for k, v in self.data if k == key), None)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file the fix writes: a new file, or an in-place edit of an existing one."""

    path: str
    text: str
    old_text: str | None = None  # None: a new file (never overwrites)

    @property
    def is_new(self) -> bool:
        """True when the file does not exist yet."""
        return self.old_text is None


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
