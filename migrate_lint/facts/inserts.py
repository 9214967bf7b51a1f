"""The INSERT at a step, read once: memoised on the timeline.

Several rules read the same INSERT (its target, column list, values, sources, conflict
clause): NN002, RB004, NN003, SQ007 and the copy reading of DL006/DL007 ask for each
insert of the history. Reading the tree once per step, not once per rule, is a tenth
of a large history's check time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrate_lint.history import Statement
from migrate_lint.replay import Timeline
from migrate_lint.sqlglot_api.dml import InsertParts, InsertShape, insert_parts, insert_shape
from migrate_lint.sqlglot_api.parsing import sql

if TYPE_CHECKING:
    from sqlglot import exp


def parts_at(timeline: Timeline, step_index: int) -> InsertParts | None:
    """:func:`insert_parts` of the statement at ``step_index`` (None: not an INSERT tree)."""
    stmt = timeline.steps[step_index].statement
    if not stmt.has_tree:
        return None
    # the memo first: a statement's tree may be let go once its migration is checked
    return timeline.memo(("insert-parts", step_index), lambda: insert_parts(_tree(stmt)))


def shape_at(timeline: Timeline, step_index: int) -> InsertShape | None:
    """:func:`insert_shape` of the statement at ``step_index`` (None: not an INSERT tree)."""
    stmt = timeline.steps[step_index].statement
    if not stmt.has_tree:
        return None
    return timeline.memo(("insert-shape", step_index), lambda: insert_shape(_tree(stmt)))


def value_texts_at(timeline: Timeline, step_index: int) -> tuple[str, ...] | None:
    """The SQL text of each value of the INSERT's plain ``SELECT`` at ``step_index``
    (``shape_at(...).values``), rendered once: rendering copies the tree, and the copy
    readers of several rules read every value of every copy. None: no such values."""
    shape = shape_at(timeline, step_index)
    if shape is None or shape.values is None:
        return None
    values = shape.values
    return timeline.memo(("insert-value-texts", step_index),
                         lambda: tuple(sql(value) for value in values))


def _tree(stmt: Statement) -> exp.Expression:
    tree = stmt.ast
    assert tree is not None  # has_tree
    return tree
