"""Turn the lint engine's findings into the planner's fix requests.

The fix generator never decides what is wrong: `findings_for` runs the real rules
(`migrate_lint.lint.lint`) on the migrations directory, and `requests_from` turns
each finding of a code the planner can fix into a :class:`Situation`, using the
``table``/``column``/``migration`` keys and the rule-specific keys documented under
``## Fix safety`` in each rule (kept in ``Situation.data``). The only request that
does not come from a finding is ``--writers-omit TABLE.COLUMN``: the user's own
statement that older writers omit a column (no rule can see those writers).

===== =====================================================================
NN001 in place: constant DEFAULT; follow-up rebuild where it may have applied
NN002 end-state rebuild (insert-path findings that omit a column; --writers-omit)
NN003 in place: COALESCE the copied value, or copy the omitted column
NN004 in place: COALESCE the assigned value
NN005 in place: constant default + UPDATE; follow-up rebuild restores the default
SQ001 in place: plain column + CREATE UNIQUE INDEX
SQ002 in place: rebuild with the generated column in the table definition
SQ003 in place: DEFAULT NULL + UPDATE; follow-up rebuild restores the default
===== =====================================================================
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from migrate_lint.config import Config, load_config
from migrate_lint.findings import Finding
from migrate_lint.fix.model import Options, Situation
from migrate_lint.history import History

FIXABLE = ("NN001", "NN002", "NN003", "NN004", "NN005", "SQ001", "SQ002", "SQ003")


def wanted_codes(select: Iterable[str]) -> tuple[str, ...]:
    """The fixable codes ``--select`` asks for (all of them when empty).

    NN006 (a constant default under a UNIQUE key) is decided while fixing NN002, so
    selecting it selects NN002.
    """
    chosen = {c.upper() for c in select}
    if not chosen:
        return FIXABLE
    if "NN006" in chosen:
        chosen.add("NN002")
    return tuple(c for c in FIXABLE if any(c.startswith(p) for p in chosen))


def findings_for(root: str, options: Options, layout: str | None = None,
                 runner: str | None = None, *, base: Config | None = None) -> list[Finding]:
    """The findings of the fixable rules on ``root``, from the real lint engine.

    The project's configuration (``base``, else the file found from ``root``) applies:
    what it ignores is not fixed, suppressions silence findings for the fix too, and
    its connection settings (runner, foreign keys, transaction, functions) are the
    ones `check` uses. ``--select``, ``--insert-paths``, ``--writers-from``,
    ``--layout`` and ``--runner`` override it.
    """
    from migrate_lint.lint import lint  # lint imports every rule: load it on demand

    codes = wanted_codes(options.select)
    if not codes:
        return []
    base = base if base is not None else load_config(start=root)
    config = Config(
        path=root, layout=layout or base.layout, runner=runner or base.runner, select=codes,
        ignore=base.ignore, sqlite_version=base.sqlite_version,
        sql_functions=base.sql_functions, flag_functions=base.flag_functions,
        foreign_keys=base.foreign_keys, transaction=base.transaction,
        insert_paths=tuple(options.insert_paths), insert_exclude=base.insert_exclude,
        writers_from=options.writers_from, source=base.source, in_file=base.in_file,
        flags=base.flags,
    )
    result = lint([root], config)
    return [f for f in result.findings if f.code in codes]


def _statement_index(history: History, index: int, finding: Finding) -> int:
    """The index in migration ``index`` of the statement the finding points at (-1: none)."""
    where = finding.statement or finding.span
    real = os.path.realpath(where.path)
    for stmt in history.migrations[index].up.statements:
        if stmt.span.start <= where.start < max(stmt.span.end, stmt.span.start + 1) and \
                os.path.realpath(stmt.path) == real:
            return stmt.index
    return -1


def from_finding(finding: Finding, history: History) -> Situation | None:
    """The fix request a finding makes, when it is one the planner can act on."""
    if finding.code not in FIXABLE:
        return None
    table, column = finding.get("table"), finding.get("column")
    if not table or not column:
        return None
    data = finding.facts.items() if finding.facts is not None else ()
    if finding.code == "NN002":
        # Only insert sites outside the history (application code, older writers)
        # omitting a required column: the fix is an end-state default for it.
        if finding.migration is not None or finding.get("problem") != "omits":
            return None
        return Situation("NN002", table, column, -1, message=finding.message, data=data)
    label = finding.get("migration") or finding.migration
    index = history.find(label) if label else None
    if index is None:
        return None
    return Situation(finding.code, table, column, index, _statement_index(history, index, finding),
                     message=finding.message, data=data)


def requests_from(findings: Sequence[Finding], history: History, options: Options
                  ) -> list[Situation]:
    """Every fix request: one per fixable finding, plus ``--writers-omit`` columns.

    Duplicates (the same insert path found at two revisions) are merged; history order
    is kept, end-state (NN002) requests last.
    """
    out: list[Situation] = []
    seen: set[tuple[str, str, str, int, int]] = set()

    def add(s: Situation) -> None:
        key = (s.code, s.table.lower(), s.column.lower(), s.migration, s.statement)
        if key not in seen:
            seen.add(key)
            out.append(s)

    for finding in findings:
        s = from_finding(finding, history)
        if s is not None:
            add(s)
    if "NN002" in wanted_codes(options.select):
        for table, column in options.writers_omit:
            add(Situation("NN002", table, column, -1,
                          message="older writers insert without this column"))
    out.sort(key=lambda s: (s.migration < 0, s.migration, s.statement))
    return out
