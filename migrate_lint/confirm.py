"""SQLite is the judge: claimed effects are run before they are reported.

A finding whose rule attached a `claims.Claim` is a candidate. The history is
applied, in order, to one sandbox under the runner's settings. Before each
migration that has candidates, the database is copied (SQLite's backup API), the
copy is filled with synthetic rows (NULLs where allowed, children for every foreign
key; `migrate_lint.synth`), the migration runs on the copy, and what SQLite did is observed:
the error and the statement that raised it, rows per table, indexes, and keys to
the parents of each child table, after the migration and right before and after a
DROP that a claim is about (`Sandbox.apply` reads between statements). Then, per
finding:

- **confirmed**: reported with the observed effect appended to its message;
- **not reproduced**: dropped, or kept as a warning that says so, as the rule
  declares (`Rule.unconfirmed`);
- **not judged**: where the sandbox could not reach or finish the migration for
  another reason (an earlier migration fails here, another statement of the same
  migration fails first, the statement itself fails on another constraint first),
  the finding stays as the rule made it.

One sandbox pass per history, one copy per migration with candidates: cheap next
to the replay, and nothing at all when no rule makes a claim.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import field, replace
from typing import TYPE_CHECKING

from migrate_lint.claims import (
    ChildRowsChanged,
    Claim,
    IndexLost,
    OrphansLeft,
    PragmaMatters,
    RerunFails,
    StatementFails,
)
from migrate_lint.findings import Finding
from migrate_lint.history import History, Migration
from migrate_lint.registry import rule_class
from migrate_lint.replay import Timeline
from migrate_lint.values import value_class

if TYPE_CHECKING:  # SQLite's side is loaded where a claim is run: most runs have none
    from migrate_lint.sandbox import ApplyError, Sandbox

# A row PRAGMA foreign_key_check reports: (child table, rowid, the parent its key names)
Orphan = tuple[str, int | None, str]


@value_class
class Observation:
    """What one migration did to a database full of synthetic rows."""

    error: ApplyError | None
    rows_before: dict[str, int]
    rows_after: dict[str, int]
    keys_before: dict[str, int]  # child table -> rows whose foreign keys are all set
    keys_after: dict[str, int]
    indexes_after: dict[str, tuple[tuple[tuple[str, ...], bool], ...]]  # table -> keys
    orphans_before: tuple[Orphan, ...]  # the rows PRAGMA foreign_key_check reports
    orphans_after: tuple[Orphan, ...]
    # statement index -> the error of a re-run after a first try stopped after that
    # statement (None: the re-run passed); absent when the first try did not get there
    reruns: dict[int, ApplyError | None] = field(default_factory=dict)
    # The same run with foreign keys off on the connection (what an effective
    # `PRAGMA foreign_keys=OFF` would give): its error and rows; None when not asked.
    keys_off: tuple[ApplyError | None, dict[str, int]] | None = None
    # statement index -> (rows, keyed rows) right after it ran, for the statements
    # around a claimed DROP: what that one statement did, not the whole migration
    between: dict[int, tuple[dict[str, int], dict[str, int]]] = field(default_factory=dict)


@value_class
class Verdict:
    """``confirmed`` True/False, or None when the observation cannot tell."""

    confirmed: bool | None
    effect: str = ""


def judge(timeline: Timeline, findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` with every claim run on SQLite, on the connection the history's
    settings describe (runner, transactions, foreign keys, app functions):
    confirmed, dropped, or lowered."""
    history = timeline.history
    wanted: dict[int, list[int]] = {}
    reruns: dict[int, set[int]] = {}
    keys_off: set[int] = set()
    around: dict[int, set[int]] = {}
    by_label: dict[str, int] = {}  # a finding names its migration by label
    for position, migration in enumerate(history.migrations):
        by_label.setdefault(migration.label, position)
    for i, f in enumerate(findings):
        if f.claim is not None:
            index = by_label.get(f.migration) if f.migration is not None else None
            if index is not None:
                wanted.setdefault(index, []).append(i)
                if isinstance(f.claim, RerunFails):
                    reruns.setdefault(index, set()).add(f.claim.statement)
                if isinstance(f.claim, PragmaMatters):
                    keys_off.add(index)
                if isinstance(f.claim, ChildRowsChanged):
                    at = _statement_index(f, history.migrations[index])
                    if at is not None:
                        around.setdefault(index, set()).update((at - 1, at))
    if not wanted:
        return list(findings)
    observed, stopped = _observe(history, set(wanted), reruns, keys_off, around)
    out: list[Finding | None] = list(findings)
    for index, positions in wanted.items():
        seen = observed.get(index)
        if seen is None:
            if stopped is not None and index > stopped[0]:
                for i in positions:
                    out[i] = _unreached(findings[i], history.migrations[stopped[0]].label,
                                        stopped[1])
            continue
        migration = history.migrations[index]
        for i in positions:
            out[i] = _apply_verdict(findings[i], _verdict(findings[i], seen, migration))
    return [f for f in out if f is not None]


def _observe(history: History, wanted: set[int], reruns: dict[int, set[int]],
             keys_off: set[int], around: dict[int, set[int]]
             ) -> tuple[dict[int, Observation], tuple[int, str] | None]:
    """What each wanted migration does on synthetic rows; and where the history stops,
    when a migration fails there (its index and SQLite's error): no later one is run."""
    from migrate_lint.sandbox import Sandbox
    from migrate_lint.synth import fill  # the prover's filler: one idea of "rows"

    out: dict[int, Observation] = {}
    last = max(wanted)
    with Sandbox.for_settings(history.settings) as box:
        for index, migration in enumerate(history.migrations[: last + 1]):
            no_tx = migration.source.no_transaction
            if index in wanted:
                # filled once; every run of this migration starts from a copy of it
                with _copy(box) as filled:
                    fill(filled.connection)
                    seen = _run_on_rows(filled, migration, around.get(index, set()))
                    for stop in sorted(reruns.get(index, ())):
                        reached, rerun = _rerun_after(filled, migration, stop)
                        if reached:
                            seen.reruns[stop] = rerun
                    if index in keys_off:
                        seen = replace(seen, keys_off=_run_keys_off(filled, migration))
                out[index] = seen
            failed = box.apply(migration.up.statements, no_transaction=no_tx)
            if failed is not None:
                # the history fails here: later migrations cannot be judged
                return out, (index, failed.message)
    return out, None


@contextmanager
def _copy(box: Sandbox) -> Iterator[Sandbox]:
    """A copy of ``box``'s database (same runner settings), closed afterwards."""
    copy = box.fork()
    try:
        yield copy
    finally:
        copy.close()


def _run_on_rows(filled: Sandbox, migration: Migration, between: set[int]) -> Observation:
    """The migration on a copy of ``filled``; rows and keyed rows are also read right
    after each statement in ``between``, inside the runner's transaction."""
    with _copy(filled) as copy:
        conn = copy.connection
        rows_before, keys_before = _rows(conn), _keyed_rows(conn)
        orphans_before = _orphans(conn)
        read: dict[int, tuple[dict[str, int], dict[str, int]]] = {}

        def after(index: int) -> None:
            if index in between:
                read[index] = (_rows(conn), _keyed_rows(conn))

        error = copy.apply(migration.up.statements,
                           no_transaction=migration.source.no_transaction,
                           after=after if between else None)
        return Observation(error, rows_before, _rows(conn), keys_before, _keyed_rows(conn),
                           _indexes(conn), orphans_before, _orphans(conn), between=read)


def _run_keys_off(filled: Sandbox, migration: Migration
                  ) -> tuple[ApplyError | None, dict[str, int]]:
    """The migration on synthetic rows with foreign keys off on the connection."""
    with _copy(filled) as copy:
        copy.connection.execute("PRAGMA foreign_keys = OFF")
        error = copy.apply(migration.up.statements,
                           no_transaction=migration.source.no_transaction)
        return error, _rows(copy.connection)


def _rerun_after(filled: Sandbox, migration: Migration, stop: int
                 ) -> tuple[bool, ApplyError | None]:
    """Whether a first try gets past statement ``stop`` on synthetic rows, and the
    error of running ``migration`` again after it stopped there (what a runner without
    a transaction leaves behind when a later statement fails; None: the re-run passes)."""
    with _copy(filled) as copy:
        statements = migration.up.statements
        # the first try: every statement up to ``stop`` commits on its own
        if copy.apply(statements[: stop + 1], no_transaction=True) is not None:
            return False, None
        return True, copy.apply(statements, no_transaction=migration.source.no_transaction)


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%'")]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rows(conn: sqlite3.Connection) -> dict[str, int]:
    out = {}
    for t in _tables(conn):
        try:
            out[t.lower()] = int(conn.execute(f"SELECT count(*) FROM main.{_q(t)}").fetchone()[0])
        except sqlite3.Error:
            continue  # a table SQLite cannot read here (a missing module): no count
    return out


def _orphans(conn: sqlite3.Connection) -> tuple[Orphan, ...]:
    try:
        rows = conn.execute("PRAGMA main.foreign_key_check").fetchall()
    except sqlite3.Error:
        return ()
    return tuple((str(t).lower(), rowid, str(parent).lower()) for t, rowid, parent, _ in rows)


def _new_orphans(seen: Observation) -> int:
    """The rows foreign_key_check reports after the migration and did not before, row
    by row: a count would net a child whose key named a dropped table (reported) and now
    names a table that lacks its row (reported again, for another parent) to nothing."""
    return sum((Counter(seen.orphans_after) - Counter(seen.orphans_before)).values())


def _keyed_rows(conn: sqlite3.Connection) -> dict[str, int]:
    """Per child table, the rows whose every foreign key column is set (not NULL)."""
    out = {}
    for t in _tables(conn):
        cols = sorted({str(r[0]) for r in conn.execute(
            'SELECT "from" FROM pragma_foreign_key_list(?)', (t,))})
        if not cols:
            continue
        where = " AND ".join(f"{_q(c)} IS NOT NULL" for c in cols)
        try:
            out[t.lower()] = int(conn.execute(
                f"SELECT count(*) FROM main.{_q(t)} WHERE {where}").fetchone()[0])
        except sqlite3.Error:
            continue
    return out


def _indexes(conn: sqlite3.Connection) -> dict[str, tuple[tuple[tuple[str, ...], bool], ...]]:
    """Per table, the (columns, unique) of every index, key and rowid alias it has."""
    out = {}
    for t in _tables(conn):
        keys: list[tuple[tuple[str, ...], bool]] = []
        for name, unique, partial in conn.execute(
                'SELECT name, "unique", partial FROM pragma_index_list(?)', (t,)):
            cols = tuple(str(r[0]).lower() for r in conn.execute(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (name,))
                if r[0] is not None)
            if not partial:
                keys.append((cols, bool(unique)))
        pk = [str(r[0]).lower() for r in conn.execute(
            "SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (t,))]
        if pk:
            keys.append((tuple(pk), True))
        out[t.lower()] = tuple(keys)
    return out


def _statement_index(finding: Finding, migration: Migration) -> int | None:
    """The index in ``migration`` of the statement the finding is about (None: none)."""
    span = finding.statement or finding.span
    return next((i for i, s in enumerate(migration.up.statements)
                 if s.span.path == span.path and s.span.start <= span.start < s.span.end),
                None)


def _fails_verdict(claim: StatementFails, seen: Observation, finding: Finding,
                   migration: Migration) -> Verdict:
    index = _statement_index(finding, migration)
    error = seen.error
    if index is None:
        return Verdict(None)
    if error is None:
        return Verdict(False, "no failure on synthetic rows")
    if error.piece_index > index:
        return Verdict(False, "the statement passes on synthetic rows")
    if error.piece_index < index:
        return Verdict(None)  # an earlier statement fails first: cannot tell
    if any(needle.lower() in error.message.lower()  # SQLite's names, in any case
           for needle in (claim.needle, *claim.others)):
        return Verdict(True, f"SQLite confirms on synthetic rows: '{error.message}'")
    # It fails there, for another reason first (SQLite reports one constraint of a
    # row, the first it checks): whether it would also fail as claimed, cannot tell.
    return Verdict(None)


def _verdict(finding: Finding, seen: Observation, migration: Migration) -> Verdict:
    claim: Claim | None = finding.claim
    if isinstance(claim, RerunFails):
        return _rerun_verdict(claim, seen, migration)
    if isinstance(claim, PragmaMatters):
        return _pragma_verdict(seen)
    if isinstance(claim, StatementFails):
        return _fails_verdict(claim, seen, finding, migration)
    if seen.error is not None:
        # the DROP itself fails, or the closing COMMIT (a deferred key); not another
        # statement whose own foreign key broke
        if isinstance(claim, ChildRowsChanged) and claim.fails and \
                "FOREIGN KEY constraint failed" in seen.error.message and \
                seen.error.piece_index in (_statement_index(finding, migration),
                                           len(migration.up.statements)):
            return Verdict(True, "SQLite confirms on synthetic rows: "
                           f"'{seen.error.message}'")
        return Verdict(None)  # the migration failed for another reason: cannot tell
    if isinstance(claim, ChildRowsChanged):
        return _children_verdict(claim, seen, _statement_index(finding, migration))
    if isinstance(claim, IndexLost):
        return _index_verdict(claim, seen)
    if isinstance(claim, OrphansLeft):
        new = _new_orphans(seen)
        if new > 0:
            return Verdict(True, f"SQLite confirms on synthetic rows: foreign_key_check reports "
                           f"{new} row{'s' if new != 1 else ''} without a parent afterwards")
        return Verdict(False, "every key still has its parent on synthetic rows")
    return Verdict(None)


def _rerun_verdict(claim: RerunFails, seen: Observation, migration: Migration) -> Verdict:
    if claim.statement not in seen.reruns:
        return Verdict(None)  # the first try fails earlier on synthetic rows: cannot tell
    error = seen.reruns[claim.statement]
    line = migration.up.statements[claim.statement].span.line
    if error is not None and error.piece_index == claim.statement and (
            claim.needle in error.message):
        return Verdict(True, f"SQLite confirms on synthetic rows: after a first try that "
                       f"stopped past line {line}, the re-run fails there with "
                       f"'{error.message}'")
    if error is not None and error.piece_index < claim.statement:
        return Verdict(None)  # the re-run stops earlier, for another reason
    return Verdict(False, "the re-run passes that statement on synthetic rows")


def _pragma_verdict(seen: Observation) -> Verdict:
    if seen.keys_off is None:
        return Verdict(None)
    off_error, off_rows = seen.keys_off
    if (seen.error is None) != (off_error is None):
        on = f"fails with '{seen.error.message}'" if seen.error is not None else "passes"
        off = f"fails with '{off_error.message}'" if off_error is not None else "passes"
        return Verdict(True, f"SQLite confirms on synthetic rows: with foreign keys on the "
                       f"migration {on}, with them off it {off}")
    changed = sorted(t for t in set(seen.rows_after) | set(off_rows)
                     if seen.rows_after.get(t) != off_rows.get(t))
    if seen.error is None and changed:
        t = changed[0]
        return Verdict(True, f"SQLite confirms on synthetic rows: with foreign keys on "
                       f"`{t}` ends with {seen.rows_after.get(t, 0)} rows, with them off "
                       f"{off_rows.get(t, 0)}")
    return Verdict(False, "the migration ends the same with foreign keys on or off")


def _children_verdict(claim: ChildRowsChanged, seen: Observation, at: int | None) -> Verdict:
    """What the claimed DROP (statement ``at``) did to each child, where the migration
    does not undo it (rows put back from a snapshot): the DROP's own effect, since an
    earlier statement (another DROP of the same parent) may have changed them already."""
    if at is None or at not in seen.between:
        return Verdict(None)
    rows_at, keys_at = seen.between[at - 1] if at > 0 else (seen.rows_before, seen.keys_before)
    rows_next, keys_next = seen.between[at]
    effects = []
    for child in claim.children:
        low = child.lower()
        before, after = rows_at.get(low), rows_next.get(low)
        first, last = seen.rows_before.get(low), seen.rows_after.get(low)
        if before is None or after is None or first is None or last is None:
            continue
        if after < before and last < first:
            effects.append(f"{before - after} of {before} rows of `{child}` deleted")
            continue
        kb, ka = keys_at.get(low), keys_next.get(low)
        kf, kl = seen.keys_before.get(low), seen.keys_after.get(low)
        if kb is not None and ka is not None and kf is not None and kl is not None \
                and ka < kb and kl < kf:
            effects.append(f"the keys of {kb - ka} of {kb} rows of `{child}` nulled or reset")
    if effects:
        return Verdict(True, "SQLite confirms on synthetic rows: " + "; ".join(effects))
    return Verdict(False, "no child row changed on synthetic rows")


def _index_verdict(claim: IndexLost, seen: Observation) -> Verdict:
    keys = seen.indexes_after.get(claim.table.lower())
    if keys is None:
        return Verdict(None)  # the table is gone: another finding's business
    wanted = tuple(c.lower() for c in claim.columns)
    for cols, unique in keys:
        # the same key, or one at least as unique on the same leading columns
        same = cols == wanted or (cols[: len(wanted)] == wanted and not claim.unique)
        if same and (unique or not claim.unique):
            return Verdict(False, "an equivalent index exists after the migration")
    what = f"index `{claim.name}`" if claim.name else "the index"
    return Verdict(True, f"SQLite confirms: after the migration `{claim.table}` has no "
                   f"{'unique ' if claim.unique else ''}key on ({', '.join(claim.columns)}) "
                   f"({what})")


def _unreached(finding: Finding, label: str, error: str) -> Finding:
    """A finding whose claim SQLite could not run: an earlier migration fails on the
    database the history makes itself, so SQLite never reaches this one. Not evidence
    either way, so the severity stays (an early failure, true or not, must not hide the
    later errors); the message says why nothing was run."""
    return replace(finding, message=f"{finding.message} [not run: SQLite stops at the "
                                    f"earlier migration {label}, which fails with '{error}']")


def _apply_verdict(finding: Finding, verdict: Verdict) -> Finding | None:
    if verdict.confirmed is None:
        return finding
    if verdict.confirmed:
        return replace(finding, message=f"{finding.message} [{verdict.effect}]")
    cls = rule_class(finding.code)  # its module only: the run may have loaded a few rules
    if cls is None or cls.unconfirmed == "drop":
        return None
    return replace(finding, severity="warning" if finding.severity == "error" else "info",
                   message=f"{finding.message} [could not confirm: {verdict.effect}]")
