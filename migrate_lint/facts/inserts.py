"""The INSERT at a step, read once: memoised on the timeline.

Several rules read the same INSERT (its target, column list, values, sources, conflict
clause): NN002, RB004, NN003, SQ007 and the copy reading of DL006/DL007 ask for each
insert of the history. Reading the tree once per step, not once per rule, is a tenth
of a large history's check time.
"""

from __future__ import annotations

from migrate_lint.replay import Timeline
from migrate_lint.sqlglot_api.dml import InsertParts, InsertShape, insert_parts, insert_shape


def parts_at(timeline: Timeline, step_index: int) -> InsertParts | None:
    """:func:`insert_parts` of the statement at ``step_index`` (None: not an INSERT tree)."""
    tree = timeline.steps[step_index].statement.ast
    if tree is None:
        return None
    return timeline.memo(("insert-parts", step_index), lambda: insert_parts(tree))


def shape_at(timeline: Timeline, step_index: int) -> InsertShape | None:
    """:func:`insert_shape` of the statement at ``step_index`` (None: not an INSERT tree)."""
    tree = timeline.steps[step_index].statement.ast
    if tree is None:
        return None
    return timeline.memo(("insert-shape", step_index), lambda: insert_shape(tree))
