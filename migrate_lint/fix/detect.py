"""Find the fixable situations in a replayed timeline, without waiting for the rules.

The planner works from :class:`Situation` values. The rule engine reports the same
conditions as findings; a finding maps onto a situation by its ``code`` and the
``table``/``column``/``migration`` keys of ``Finding.data`` (see `from_finding`).
Kept deliberately small: the rules own the precise diagnosis and the wording.

===== =========================================================================
NN001 ADD COLUMN ... NOT NULL without DEFAULT on a table that already existed
NN005 ADD COLUMN with a non-constant default (CURRENT_*, parenthesised)
SQ001 ADD COLUMN ... UNIQUE / PRIMARY KEY
SQ002 ADD COLUMN ... GENERATED ALWAYS AS (...) STORED
SQ003 ADD COLUMN ... REFERENCES with a non-NULL default
NN004 UPDATE of a NOT NULL column to an expression that can be NULL
NN002 older writers omit a NOT NULL column of the final schema (``--writers-omit``)
===== =========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from migrate_lint import ddl as d
from migrate_lint.findings import Finding
from migrate_lint.fix.model import Situation
from migrate_lint.replay import Timeline

FIXABLE = ("NN001", "NN002", "NN003", "NN004", "NN005", "SQ001", "SQ002", "SQ003")


def detect(timeline: Timeline, writers_omit: Iterable[tuple[str, str]] = ()) -> list[Situation]:
    """Every fixable situation of the history, in history order."""
    out: list[Situation] = []
    for index, step in enumerate(timeline.steps):
        node = step.statement.ddl
        if isinstance(node, d.AddColumn) and step.error is None:
            table = step.before.table(node.table)
            if table is None or timeline.is_empty_new(table, step.migration, index):
                continue  # a table created (and still empty) in this migration is fine
            code = _add_column_code(node.column)
            if code:
                out.append(Situation(code, table.name, node.column.name, step.migration,
                                     step.statement.index))
        elif step.statement.kind == "update" and step.statement.ast is not None:
            out.extend(_null_backfills(timeline, index))
    final = timeline.final
    for table_name, column_name in writers_omit:
        table = final.table(table_name)
        col = table.column(column_name) if table else None
        if table is None or col is None:
            continue
        # NOT NULL without default fails every such insert; a default under a UNIQUE
        # key fails every second one (NN006): both need the end-state fix.
        out.append(Situation("NN002", table.name, col.name, -1,
                             message="older writers insert without this column"))
    return out


def _add_column_code(col: d.ColumnDef) -> str | None:
    has_default = col.default is not None and col.default_kind != "null"
    if col.primary_key or col.unique:
        return "SQ001"
    if col.generated == "STORED":
        return "SQ002"
    if col.references is not None and has_default:
        return "SQ003"
    if col.default_kind in ("time", "expr"):
        return "NN005"
    if col.notnull and not has_default and col.generated is None:
        return "NN001"
    return None


def _null_backfills(timeline: Timeline, index: int) -> list[Situation]:
    from sqlglot import exp

    from migrate_lint.sqlglot_api import update_assignments

    step = timeline.steps[index]
    assert step.statement.ast is not None
    table = step.before.table(step.statement.tables[0]) if step.statement.tables else None
    if table is None:
        return []
    out = []
    for name, value in update_assignments(step.statement.ast):
        col = table.column(name)
        if col is None or not col.notnull:
            continue
        guarded = isinstance(value, exp.Coalesce) or (
            isinstance(value, exp.Anonymous) and str(value.this).lower() == "ifnull")
        risky = isinstance(value, (exp.Subquery, exp.Null)) or (
            isinstance(value, exp.Case) and value.args.get("default") is None)
        if risky and not guarded:
            out.append(Situation("NN004", table.name, col.name, step.migration,
                                 step.statement.index))
    return out


def omitted_by_sites(timeline: Timeline, paths: Sequence[str], writers_from: str | None
                     ) -> list[tuple[str, str]]:
    """(table, column) pairs that insert sites under ``paths`` omit though they are required.

    Uses `migrate_lint.inserts` when it is installed; an empty list otherwise.
    """
    if not paths:
        return []
    try:
        from migrate_lint.inserts import collect_sites
        from migrate_lint.inserts.check import problems
    except ImportError:  # the insert-path extractor is optional for the planner
        return []
    final = timeline.final
    out: list[tuple[str, str]] = []
    for site in collect_sites(list(paths), writers_from=writers_from).sites:
        table = final.table(site.table)
        if table is None:
            continue
        for problem in problems(site, table, final):
            if problem.kind == "omits" and problem.column is not None:
                pair = (table.name, problem.column.name)
                if pair not in out:
                    out.append(pair)
    return out


def from_finding(finding: Finding, timeline: Timeline) -> Situation | None:
    """The situation a rule's finding describes, when it is one this planner fixes."""
    if finding.code not in FIXABLE:
        return None
    table, column = finding.get("table"), finding.get("column")
    if not table or not column:
        return None
    label = finding.get("migration") or finding.migration
    index = timeline.history.find(label) if label else None
    return Situation(finding.code, table, column, -1 if index is None else index,
                     message=finding.message)
