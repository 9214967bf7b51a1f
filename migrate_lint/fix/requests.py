"""Turn one lint run's findings into the planner's fix requests.

The fix generator never decides what is wrong: the planner runs the real rules once
(`migrate_lint.lint.lint`) with the configuration `lint_config` builds, and
`requests_from` turns each finding of a fixable rule (one that defines ``fix``) into
a :class:`Situation` that carries the rule's facts. A rule may also take requests
that come from no finding (it defines ``fix_requests(options)``: NN002 takes
``--writers-omit TABLE.COLUMN``, the user's word that older writers omit a column),
and may say that selecting it selects the fixes of other codes (``reviews_fixes_of``:
NN006 reviews the defaults NN002's fixes choose).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from migrate_lint import engine
from migrate_lint.config import Config
from migrate_lint.engine import is_fixable
from migrate_lint.findings import Finding
from migrate_lint.fix.model import Options, Situation
from migrate_lint.history import History


def fixable_codes() -> tuple[str, ...]:
    """The codes of every rule that defines ``fix``, sorted."""
    return tuple(cls.code for cls in engine.all_rules() if is_fixable(cls))


def wanted_codes(select: Sequence[str] | frozenset[str]) -> tuple[str, ...]:
    """The fixable codes ``--select`` asks for (all of them when empty).

    A selected rule that reviews the fixes of others (``reviews_fixes_of``: NN006, a
    constant default under a UNIQUE key, is decided while fixing NN002) selects them.
    """
    fixable = fixable_codes()
    chosen = {c.upper() for c in select}
    if not chosen:
        return fixable
    for cls in engine.all_rules():
        if cls.code in chosen:
            chosen.update(getattr(cls, "reviews_fixes_of", ()))
    return tuple(c for c in fixable if any(c.startswith(p) for p in chosen))


def lint_config(root: str, options: Options, codes: Sequence[str], base: Config,
                layout: str | None = None, runner: str | None = None) -> Config:
    """The configuration of the lint run that feeds the fix: the project's (``base``)
    with the fixable ``codes`` selected.

    What the project ignores is not fixed, suppressions silence findings for the fix
    too, and its connection settings (runner, foreign keys, transaction, functions)
    are the ones `check` uses. ``--insert-paths``, ``--writers-from``, ``--layout`` and
    ``--runner`` override it.
    """
    return Config(
        path=root, layout=layout or base.layout, runner=runner or base.runner,
        select=tuple(codes), ignore=base.ignore, sqlite_version=base.sqlite_version,
        sql_functions=base.sql_functions, flag_functions=base.flag_functions,
        foreign_keys=base.foreign_keys, transaction=base.transaction,
        insert_paths=tuple(options.insert_paths), insert_exclude=base.insert_exclude,
        writers_from=options.writers_from, source=base.source, in_file=base.in_file,
        flags=base.flags,
    )


def _statement_index(history: History, index: int, finding: Finding) -> int:
    """The index in migration ``index`` of the statement the finding sits in (-1: none)."""
    where = finding.statement or finding.span
    real = os.path.realpath(where.path)
    for stmt in history.migrations[index].up.statements:
        if stmt.span.start <= where.start < max(stmt.span.end, stmt.span.start + 1) and \
                os.path.realpath(stmt.path) == real:
            return stmt.index
    return -1


def from_finding(finding: Finding, history: History) -> list[Situation]:
    """The fix requests a finding of a fixable rule makes: one per column it names (a
    finding about several columns of one statement says so with ``facts.parts()``, each
    part proved on its own); none when it names no column."""
    parts = getattr(finding.facts, "parts", None)
    out = []
    for facts in parts() if callable(parts) else (finding.facts,):
        table, column = getattr(facts, "table", None), getattr(facts, "column", None)
        if not isinstance(table, str) or not isinstance(column, str) or not table or \
                not column:
            continue
        if finding.migration is None:
            # an insert site outside the history (application code, an older writer)
            out.append(Situation(finding.code, table, column, -1, message=finding.message,
                                 facts=facts))
            continue
        index = history.find(finding.migration)
        if index is not None:
            out.append(Situation(finding.code, table, column, index,
                                 _statement_index(history, index, finding),
                                 message=finding.message, facts=facts))
    return out


def requests_from(findings: Sequence[Finding], history: History, options: Options,
                  codes: Sequence[str]) -> list[Situation]:
    """Every fix request: one per finding of the fixable ``codes``, plus those their
    rules take from the options (``fix_requests``: ``--writers-omit`` columns).

    Duplicates (the same insert path found at two revisions) are merged; history order
    is kept, end-state requests (outside the history) last.
    """
    out: list[Situation] = []
    seen: set[tuple[str, str, str, int, int]] = set()

    def add(s: Situation) -> None:
        key = (s.code, s.table.lower(), s.column.lower(), s.migration, s.statement)
        if key not in seen:
            seen.add(key)
            out.append(s)

    for finding in findings:
        for s in from_finding(finding, history) if finding.code in codes else ():
            add(s)
    for cls in engine.all_rules():
        extra = getattr(cls, "fix_requests", None)
        if cls.code in codes and callable(extra):
            for request in extra(cls(), options):
                add(request)
    out.sort(key=lambda s: (s.migration < 0, s.migration, s.statement))
    return out
