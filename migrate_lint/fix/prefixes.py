"""The databases fix's proofs start from, each history prefix applied once.

Every proof starts from "the first k migrations of a history applied to an empty
database" (the original history, or the one with the in-place corrections): the
in-place proof up to the corrected migration, the follow-up's proofs at the end of
the original history, the end-state comparison at both ends. The corrected history
shares every migration before the first correction with the original (the same
objects, see `edited.edited_history`), so one application of that shared prefix
serves them all; each proof gets a copy (SQLite's backup API) it may change.
Applying a 100,000-file history took seconds per application, four or more times.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

from migrate_lint.history import Migration
from migrate_lint.sandbox import Sandbox
from migrate_lint.synth import fill


def apply_migrations(box: Sandbox, migrations: Sequence[Migration]) -> str | None:
    """Apply ``migrations`` in order; the first failure as ``label: message``, or None."""
    for m in migrations:
        error = box.apply(m.up.statements, no_transaction=m.source.no_transaction)
        if error is not None:
            hint = (f" (if the application registers {error.unknown_function}() at run time, "
                    f"pass --sql-function {error.unknown_function} or add it to "
                    "`sql-functions` in the configuration)" if error.unknown_function else "")
            return f"{m.label}: {error.message}{hint}"
    return None


# Connection settings a migration may change for the rest of the run, which a copy of
# the database (the backup API copies pages) does not carry.
_CONNECTION_PRAGMAS = ("foreign_keys", "legacy_alter_table", "recursive_triggers",
                       "ignore_check_constraints", "trusted_schema")


def _copy(box: Sandbox) -> Sandbox:
    """A copy of ``box``'s database, on a connection set as ``box``'s is now: a history
    that turned foreign keys off (and left them off) goes on with them off."""
    other = box.fork()
    for name in _CONNECTION_PRAGMAS:
        row = box.connection.execute(f"PRAGMA {name}").fetchone()
        if row is not None:
            other.connection.execute(f"PRAGMA {name} = {int(row[0])}")
    return other


@dataclass(slots=True)
class _Made:
    migrations: tuple[Migration, ...]  # the history it was made from
    count: int  # how many of them are applied
    box: Sandbox


def _shared(a: Sequence[Migration], b: Sequence[Migration], count: int) -> bool:
    """True when the first ``count`` migrations of ``a`` and ``b`` are the same objects."""
    return len(a) >= count and len(b) >= count and all(
        x is y for x, y in zip(a[:count], b[:count], strict=True))


class Prefixes:
    """Databases holding a history's first migrations, made once and handed out as copies.

    Only prefixes that applied without error are kept; close() (or leaving the
    ``with`` block) closes them.
    """

    def __init__(self, new_sandbox: Callable[[], Sandbox]) -> None:
        self._new = new_sandbox
        self._made: list[_Made] = []
        self._filled: list[_Made] = []  # prefixes filled with synthetic rows (`filled`)

    def start(self, migrations: Sequence[Migration], count: int) -> tuple[Sandbox, str | None]:
        """A new sandbox holding ``migrations[:count]`` applied to an empty database, and
        the first failure (the sandbox then holds what applied before it). The caller
        closes the sandbox."""
        history = tuple(migrations)
        best: _Made | None = None
        for made in self._made:
            if made.count <= count and (best is None or made.count > best.count) and _shared(
                    made.migrations, history, made.count):
                best = made
        box = _copy(best.box) if best is not None else self._new()
        done = best.count if best is not None else 0
        error = apply_migrations(box, history[done:count])
        if error is None and done < count:
            self._made.append(_Made(history, count, _copy(box)))
        return box, error

    def filled(self, migrations: Sequence[Migration], count: int
               ) -> tuple[Sandbox, str | None]:
        """As `start`, with every table then filled with synthetic rows (`synth.fill`,
        only when the prefix applied): the in-place proof and the end-state comparison
        start from the same filled prefix, which is filled once."""
        history = tuple(migrations)
        for made in self._filled:
            if made.count == count and _shared(made.migrations, history, count):
                return _copy(made.box), None
        box, error = self.start(history, count)
        if error is None:
            fill(box.connection)
            self._filled.append(_Made(history, count, _copy(box)))
        return box, error

    def close(self) -> None:
        """Close every kept database."""
        for made in (*self._made, *self._filled):
            made.box.close()
        self._made.clear()
        self._filled.clear()

    def __enter__(self) -> Prefixes:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
