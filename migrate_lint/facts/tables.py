"""Is this table empty at this step, and does the history ever make it: one answer for
every rule, memoised on the timeline.

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

import difflib
import re

from migrate_lint.facts.conditions import always_true
from migrate_lint.facts.inserts import parts_at
from migrate_lint.replay import Step, Timeline
from migrate_lint.schema import Schema, Table
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


def ever_created(timeline: Timeline, name: str) -> bool:
    """True when the history makes a table or view called ``name`` at some step, before
    or after any other (CREATE, or a RENAME TO it: every step that makes or changes one
    names it among the step's ``touched``, which a resumed timeline keeps too).

    A table a released history names but never makes was made outside its files (by
    the application at start-up, a baseline, a hand): its migrations ran where it was.
    """
    return name.lower() in timeline.memo(("ever-created",), lambda: frozenset().union(
        *(step.touched for step in timeline.steps)))


def made_outside(timeline: Timeline, schema: Schema, name: str) -> bool:
    """True when the table ``name``, missing from ``schema``, is one the history never
    makes (:func:`ever_created`), or drops before it first makes it (the rebuild of a
    table made elsewhere: `DROP TABLE t; ALTER TABLE t_new RENAME TO t`), and ``schema``
    has no table or view named like it (`user` for `users` is a slip, not a table made
    elsewhere): a released history that names it ran where something outside its
    files had made it."""
    if ever_created(timeline, name) and not _dropped_before_made(timeline, name):
        return False
    key = name.lower()
    # `t_new`, `new_t`, `__new_t`, `t_old`: a rebuild's companion, not a slip for `t`
    known = [k for k in (*schema.tables.keys(), *schema.views.keys())
             if not (k.startswith(key + "_") or k.endswith("_" + key))]
    return not difflib.get_close_matches(key, known, n=1, cutoff=0.8)


def _dropped_before_made(timeline: Timeline, name: str) -> bool:
    """True when a DROP TABLE of ``name``, or an ALTER TABLE that renames it away, comes
    before the first step that makes it."""
    def firsts() -> tuple[dict[str, int], dict[str, int]]:
        made: dict[str, int] = {}
        dropped: dict[str, int] = {}
        for index, step in enumerate(timeline.steps):
            for touched in step.touched:
                made.setdefault(touched, index)
            statement = step.statement
            if statement.kind == "drop_table":
                for table in statement.tables:
                    dropped.setdefault(table.lower(), index)
            elif statement.kind == "alter_table" and statement.tables and \
                    _RENAMES_TABLE.search(statement.text):
                dropped.setdefault(statement.tables[0].lower(), index)
        return made, dropped

    made, dropped = timeline.memo(("first-made-and-dropped",), firsts)
    key = name.lower()
    return key in dropped and key in made and dropped[key] < made[key]


# `ALTER TABLE t RENAME TO u` (not RENAME COLUMN, whose `TO` follows a column name)
_RENAMES_TABLE = re.compile(r"\bRENAME\s+TO\b", re.I)


# What a replay error says is missing: `no such table: main.t`, `no such index: "i"`
_MISSING = re.compile(r'^no such (table|index|view|trigger|column): (?:main\.)?"?([^"]+)"?$')


def missing_object(error: str) -> tuple[str, str] | None:
    """(kind, name) of what a "no such ..." error names; None for any other error.

    >>> missing_object("no such table: main.users"), missing_object("duplicate column")
    (('table', 'users'), None)
    """
    match = _MISSING.match(error)
    return (match.group(1), match.group(2)) if match is not None else None


def works_on_tables_made_outside(timeline: Timeline) -> bool:
    """True when some statement of the history fails in the model on a table made
    outside its files (:func:`made_outside`): the history ran where something else had
    made tables, so a table only its foreign keys name may be one of them."""
    def compute() -> bool:
        for step in timeline.steps:
            missing = missing_object(step.error or "")
            if missing is not None and missing[0] == "table" and (
                    not ever_created(timeline, missing[1])
                    or _dropped_before_made(timeline, missing[1])):
                return True
        return False

    return timeline.memo(("works-outside",), compute)


# `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name` / `DROP INDEX [IF EXISTS] name`
_INDEX_NAMED = re.compile(r"^\s*(CREATE|DROP)\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+(?:NOT\s+)?"
                          r"EXISTS\s+)?(?:[`\"\[]?main[`\"\]]?\.)?[`\"\[]?([^\s`\"\]()]+)",
                          re.I)


def index_made_outside(timeline: Timeline, name: str) -> bool:
    """True when the index ``name`` is one of a base schema outside the history: the
    history works on tables made outside its files (:func:`works_on_tables_made_outside`)
    and never makes the index, or drops it before it first makes it."""
    def firsts() -> tuple[dict[str, int], dict[str, int]]:
        made: dict[str, int] = {}
        dropped: dict[str, int] = {}
        for index, step in enumerate(timeline.steps):
            if step.statement.kind not in ("create_index", "drop_index"):
                continue
            named = _INDEX_NAMED.match(step.statement.text)
            if named is not None:
                which = made if named.group(1).upper() == "CREATE" else dropped
                which.setdefault(named.group(2).lower(), index)
        return made, dropped

    if not works_on_tables_made_outside(timeline):
        return False
    made, dropped = timeline.memo(("index-made-and-dropped",), firsts)
    key = name.lower()
    return key not in made or (key in dropped and dropped[key] < made[key])


def sqlite_made(timeline: Timeline, name: str, step_index: int) -> bool:
    """True when ``name`` is a table SQLite makes itself and has made by ``step_index``:
    its schema table (always), and `sqlite_sequence` once a table with AUTOINCREMENT
    was made (it stays when that table is dropped)."""
    key = name.lower()
    if key in ("sqlite_schema", "sqlite_master", "sqlite_temp_schema", "sqlite_temp_master"):
        return True
    if key != "sqlite_sequence":
        return False

    def first() -> int | None:
        for index, step in enumerate(timeline.steps):
            if step.statement.kind == "create_table" and step.error is None and any(
                    (table := step.after.table(made)) is not None and table.autoincrement
                    for made in step.touched):
                return index
        return None

    made = timeline.memo(("first-autoincrement",), first)
    return made is not None and made < step_index


def named_by_a_statement(timeline: Timeline, name: str) -> bool:
    """True when some statement of the history acts on a table called ``name`` (its
    target: an ALTER, an index, an INSERT...), whether or not the model has it."""
    return name.lower() in timeline.memo(("named-tables",), lambda: frozenset(
        table.lower() for step in timeline.steps for table in step.statement.tables))


def holds_rows_at(timeline: Timeline, table: str, migration: int, step_index: int) -> bool:
    """True when ``table`` holds a row at ``step_index`` on every database: an INSERT ...
    VALUES earlier in ``migration`` put one in (or found its key taken, so that a row is
    there), and nothing deleted from it since (NN004 asks this of a subquery's table)."""
    holds = False
    for write in timeline.writes_to(table, timeline.boundaries[migration], step_index):
        if write.kind == "delete":
            holds = False
        elif write.kind == "insert" and _puts_a_row(timeline, write.step):
            holds = True
    return holds


def _puts_a_row(timeline: Timeline, index: int) -> bool:
    """An INSERT ... VALUES after which its row is in the table: one that runs on (a
    failure stops the migration), OR REPLACE, or an upsert (a taken key is a row there);
    not OR IGNORE, which also skips a row that breaks a NOT NULL or CHECK."""
    step = timeline.steps[index]
    if step.error is not None:
        return False
    seed = step.statement.seed
    if seed is not None:
        return seed.rows > 0 and seed.conflict != "ignore"
    parts = parts_at(timeline, index)
    return (parts is not None and parts.source == "values" and bool(parts.rows)
            and parts.conflict != "ignore")
