"""Is this table empty at this step: one answer for every rule, memoised on the timeline.

Two questions, answered from the same walk over the migration's writes:

- :func:`emptied_by`: which DELETE earlier in the migration removed every row the
  table held before it ran (its WHERE, if any, is true on every row: none, ``WHERE 1``,
  ``WHERE 1 = 1``...). After it the table holds no users' data, whatever the migration
  inserts next (DL001, DL007 ask this).
- :func:`is_empty_at`: does the table hold no row at all on every database (NN001,
  RB002, RB006 ask this): made in this migration and not filled yet, or emptied and
  not refilled since (:func:`left_empty_by`).
"""

from __future__ import annotations

from migrate_lint.facts.conditions import always_true
from migrate_lint.replay import Step, Timeline
from migrate_lint.schema import Table
from migrate_lint.sqlglot_api.dml import where_condition


def emptied_by(timeline: Timeline, table: str, migration: int, step_index: int
               ) -> Step | None:
    """The last DELETE earlier in ``migration`` that removes every row of ``table``."""
    found = _deletes(timeline, table, migration, step_index)
    return found[0] if found is not None else None


def left_empty_by(timeline: Timeline, table: str, migration: int, step_index: int
                  ) -> Step | None:
    """:func:`emptied_by`, when no INSERT into ``table`` follows it before ``step_index``."""
    found = _deletes(timeline, table, migration, step_index)
    return found[0] if found is not None and not found[1] else None


def is_empty_at(timeline: Timeline, table: Table, migration: int, step_index: int) -> bool:
    """True when ``table`` holds no row at ``step_index`` on every database."""
    return (timeline.is_empty_new(table, migration, step_index)
            or left_empty_by(timeline, table.name, migration, step_index) is not None)


def _deletes(timeline: Timeline, table: str, migration: int, step_index: int
             ) -> tuple[Step, bool] | None:
    """(the last emptying DELETE, whether an INSERT follows it), memoised per step."""
    key = ("emptied-by", table.lower(), migration, step_index)
    return timeline.memo(key, lambda: _walk(timeline, table, migration, step_index))


def _walk(timeline: Timeline, table: str, migration: int, step_index: int
          ) -> tuple[Step, bool] | None:
    found: Step | None = None
    refilled = False
    for write in timeline.writes_to(table, timeline.boundaries[migration], step_index):
        step = timeline.steps[write.step]
        if write.kind == "insert":
            refilled = True
        elif write.kind == "delete" and step.statement.ast is not None and always_true(
                where_condition(step.statement.ast)):
            found, refilled = step, False
    return (found, refilled) if found is not None else None
