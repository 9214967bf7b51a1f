"""Check the replayed model against SQLite itself, migration by migration.

The history is applied to an in-memory database the way its runner would apply it,
on the connection its settings describe (:mod:`migrate_lint.settings`,
:mod:`migrate_lint.sandbox`); after every migration the model's snapshot must
equal SQLite's own introspection.
"""

from __future__ import annotations

from collections.abc import Iterable

from migrate_lint.history import Migration
from migrate_lint.replay import Timeline
from migrate_lint.sandbox import Sandbox
from migrate_lint.snapshot import SchemaSnapshot
from migrate_lint.span import Span
from migrate_lint.values import value_class


@value_class
class Verification:
    """How far the model and SQLite agreed, and why they stopped agreeing."""

    migrations: int  # migrations applied and compared
    total: int
    difference: str = ""  # empty when the snapshots agree
    failure: str = ""  # SQLite refused a migration (message with file:line)
    unknown_function: str | None = None
    label: str = ""  # the migration where it stopped
    # The failure needs what a code migration (first of them named) may have made:
    # neither the model nor the sandbox runs code, so the gap cannot be bridged.
    code_migration: str = ""
    code_migrations: int = 0  # how many code migrations could have made it

    @property
    def ok(self) -> bool:
        """True when every migration applied and agreed."""
        return not self.difference and not self.failure


def snapshot_difference(model: SchemaSnapshot, real: SchemaSnapshot) -> str:
    """A readable difference between two snapshots (empty when they are equal)."""
    lines = []
    mine = {t.name: t for t in model.tables}
    theirs = {t.name: t for t in real.tables}
    for name in sorted(set(mine) | set(theirs)):
        a, b = mine.get(name), theirs.get(name)
        if a == b:
            continue
        if a is None or b is None:
            lines.append(f"table {name}: in the model: {a is not None}; in SQLite: {b is not None}")
            continue
        for attr in ("columns", "indexes", "foreign_keys", "strict", "without_rowid", "virtual"):
            if getattr(a, attr) != getattr(b, attr):
                lines.append(f"{name}.{attr}:\n  model  {getattr(a, attr)}\n"
                             f"  sqlite {getattr(b, attr)}")
    if model.views != real.views:
        lines.append(f"views: model {model.views}, sqlite {real.views}")
    if model.triggers != real.triggers:
        lines.append(f"triggers: model {model.triggers}, sqlite {real.triggers}")
    return "\n".join(lines)


def verify(timeline: Timeline, functions: Iterable[str] = ()) -> Verification:
    """Apply the history to SQLite and compare with the model after each migration.

    Tables the model marks incomplete (statements it could not read) and virtual
    tables whose module SQLite lacks are left out of the comparison: the model says
    it does not know them.
    """
    history = timeline.history
    replayed = history.migrations[: len(timeline.boundaries) - 1]  # `--at` stops early
    total = len(replayed)
    settings = history.settings
    names = tuple(dict.fromkeys((*settings.function_names, *functions)))
    with Sandbox(settings.runner.name, names, foreign_keys=settings.foreign_keys,
                 transaction=settings.transaction) as sandbox:
        for index, migration in enumerate(replayed):
            error = sandbox.apply(migration.up.statements,
                                  no_transaction=migration.source.no_transaction)
            if error is not None:
                where = f"{error.span}: " if error.span else f"{migration.path}: "
                makers = _code_makers(timeline, index, error.span)
                return Verification(index, total, failure=where + error.message,
                                    unknown_function=error.unknown_function,
                                    label=migration.label,
                                    code_migration=makers[0].path if makers else "",
                                    code_migrations=len(makers))
            model = timeline.after_migration(index)
            skip = {t.name.lower() for t in model.tables.values() if t.incomplete}
            skip |= {name.lower() for name in sandbox.unavailable_tables}
            difference = snapshot_difference(_without(model.snapshot(), skip),
                                             _without(sandbox.snapshot(), skip))
            if difference:
                return Verification(index + 1, total, difference=difference,
                                    label=migration.label)
    return Verification(total, total)


def _code_makers(timeline: Timeline, index: int, span: Span | None) -> tuple[Migration, ...]:
    """The code migrations before migration ``index``, when the statement SQLite refused
    lacks an object and the model predicted that same refusal (so the model is not the
    one that is wrong): what they made is what is missing."""
    step = next((s for s in timeline.steps_of(index) if s.statement.span == span), None)
    if step is None or step.error is None or not step.error.startswith("no such "):
        return ()
    return tuple(m for m in timeline.history.migrations[:index] if m.source.code)


def _without(snapshot: SchemaSnapshot, names: set[str]) -> SchemaSnapshot:
    if not names:
        return snapshot
    return SchemaSnapshot(tuple(t for t in snapshot.tables if t.name.lower() not in names),
                          snapshot.views, snapshot.triggers)
