"""Plan fixes for the fixable findings of a history, and prove each before offering it.

The planner is a driver: it takes one lint run's timeline and findings, asks each
finding's rule for its plan (``fix(facts, ctx)``, in the rule's file), proves the plan
on a real SQLite full of rows, and hands it to the writer. It knows no rule code.

Two kinds of fix (see the issue "migrate-lint fix"):

* a migration that FAILS on populated databases (NN001) never applied there and
  the runner retries it: it is corrected in place (the plan's ``edits``). Where it
  may already have applied on empty databases, a new migration rebuilds the table
  so those reach the same end state (the plan's ``end_state``);
* a schema that is legal but wrong for its writers (NN002) gets a new migration
  that rebuilds the table; applied migrations are never edited for it.

Every plan carries the checks it passed (`checks.prove`); the CLI writes only plans
whose checks all passed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol, cast

from migrate_lint.config import Config, load_config
from migrate_lint.engine import Rule, all_rules, rule_by_code
from migrate_lint.errors import MigrateLintError
from migrate_lint.facts.literals import is_constant_default
from migrate_lint.facts.types import zero_value
from migrate_lint.findings import Finding
from migrate_lint.fix import checks as ck
from migrate_lint.fix.edited import edited_history
from migrate_lint.fix.gitinfo import has_local_edits, may_have_applied
from migrate_lint.fix.inplace import InPlaceError, Splice, apply_splices
from migrate_lint.fix.layout import flyway_file_version, next_version, render_new_migration
from migrate_lint.fix.model import (
    CheckResult,
    ColumnTarget,
    EndState,
    FileChange,
    FixContext,
    FixPlan,
    Options,
    Plan,
    Situation,
    TargetChoice,
)
from migrate_lint.fix.prefixes import Prefixes, apply_migrations
from migrate_lint.fix.rebuild import Rebuild, RefuseError, build_rebuild, wrap, wrap_down
from migrate_lint.fix.requests import lint_config, requests_from, wanted_codes
from migrate_lint.fix.sqltext import check_expression, slug
from migrate_lint.history import History
from migrate_lint.pipeline import gc_paused, load_history, load_timeline
from migrate_lint.replay import Timeline, replay_changed
from migrate_lint.sandbox import Sandbox
from migrate_lint.schema import Column, Schema, Table
from migrate_lint.settings import Requested
from migrate_lint.snapshot import SchemaSnapshot
from migrate_lint.suppress import FIX_MARKER
from migrate_lint.synth import fill
from migrate_lint.tempdirs import temp_dir
from migrate_lint.values import value_class


@value_class
class _Target:
    """An end-state rebuild to plan, and the requests (with their end states) behind it."""

    table: str
    column: str
    situations: tuple[Situation, ...]
    ends: tuple[EndState, ...]


@value_class
class _Proposal:
    """A request, and its rule's plan for it."""

    situation: Situation
    plan: Plan


class _Reviewer(Protocol):
    """A rule that reviews the column of an end-state rebuild (it owns a fact about
    it, e.g. NN006: a constant default under a UNIQUE key)."""

    code: str

    def end_state_target(self, final: Schema, table: Table, col: Column, options: Options
                         ) -> TargetChoice | None:
        """Its choice for ``table.col``, or None where its fact does not hold."""


def _reviewers() -> list[_Reviewer]:
    """Every rule that defines ``end_state_target``, in code order."""
    return [cast("_Reviewer", cls()) for cls in all_rules()
            if callable(getattr(cls, "end_state_target", None))]


def validate_sets(options: Options, timeline: Timeline) -> None:
    """Raise MigrateLintError for a --set naming an unknown column or a bad expression.

    The table may be one the history has at any point, not only at its end: a fix
    names the table a copy reads from, which a later rebuild may drop or rename.
    """
    schemas = [timeline.final, *(step.after for step in reversed(timeline.steps))]
    for table, column, expr in options.sets:
        tables = [t for t in (s.table(table) for s in schemas) if t is not None]
        if not tables:
            raise MigrateLintError(f"--set {table}.{column}: no table `{table}` in the "
                                   "history")
        if all(t.column(column) is None for t in tables):
            raise MigrateLintError(f"--set {table}.{column}: table `{tables[0].name}` has no "
                                   f"column `{column}`")
        problem = check_expression(expr)
        if problem:
            raise MigrateLintError(f"--set {table}.{column}={expr}: not a valid SQLite "
                                   f"expression ({problem})")


class Planner:
    """Plans every fix for one migrations directory."""

    def __init__(self, root: str, options: Options, layout: str | None = None,
                 runner: str | None = None, config: Config | None = None) -> None:
        self.root = root
        self.options = options
        self.layout = layout
        self.runner_override = runner
        # The same settings `check` uses: the config file found from the history
        # (or the one given), flags over it.
        self.config = config if config is not None else load_config(start=root)
        self.requested = Requested.from_config(self.config)
        self.codes = wanted_codes(options.select)
        self.findings: list[Finding] = []
        if self.codes:
            # One read of the history: the lint run's, whose timeline the plans use.
            from migrate_lint.lint import lint  # lint imports every rule: load on demand

            result = lint([root], lint_config(root, options, self.codes, self.config,
                                              layout, runner))
            self.timeline = result.timelines[0]
            self.real_paths: Mapping[str, str] | None = result.real_paths[0]
            self.findings = [f for f in result.findings if f.code in self.codes]
        else:
            self.timeline = load_timeline(root, layout, runner, requested=self.requested)
            self.real_paths = None
        self.history = self.timeline.history
        self.settings = self.history.settings
        validate_sets(options, self.timeline)

    @property
    def runner(self) -> str:
        """The runner the history is applied with."""
        return self.history.runner

    def _sandbox(self) -> Sandbox:
        """A database on the history's connection, foreign keys on wherever they may be.

        Proofs assume the stricter connection: a driver's off default may be turned on
        by the application; only settings that say off are taken at their word.
        """
        return Sandbox.for_settings(self.settings,
                                    foreign_keys=self.settings.foreign_keys_may_be_on)

    # -- entry point --------------------------------------------------------------

    def plan(self) -> list[FixPlan]:
        """Every plan, proven; refused and failed plans included (never written).

        The requests come from the lint run's findings; each finding's rule says how
        to repair it (its ``fix``): the planner proves, orders and writes.
        """
        requests = requests_from(self.findings, self.history, self.options, self.codes)
        in_place = [s for s in requests if s.migration >= 0]
        plans: list[FixPlan] = []
        # every database a plan is built on or proven on starts from one of these
        with Prefixes(self._sandbox) as databases:
            splices, inplace_plans = self._in_place(in_place, databases)
            proposals = [self._end_only(s, databases) for s in requests if s.migration < 0]
            fixed = self._fixed_timeline(splices)
            after = self._lint_fixed(fixed, in_place) if splices else []
            proven = _same_file_failures([
                self._prove_in_place(fp, p, fixed.history, after, databases,
                                     _fixed_beside(fp, inplace_plans))
                for fp, p in inplace_plans])
            plans.extend(proven)
            not_refused = {(p.situation.code, p.situation.migration, p.situation.statement,
                            p.situation.column.lower()) for p in proven if p.refused is None}
            targets: dict[tuple[str, str], list[tuple[Situation, EndState]]] = {}
            for fp, p in inplace_plans:
                s, end = fp.situation, p.end_state
                if end is None:
                    continue
                if not end.always and (s.code, s.migration, s.statement,
                                       s.column.lower()) not in not_refused:
                    continue
                path = self.history.migrations[s.migration].path
                if may_have_applied(path, self.options.since):
                    targets.setdefault((s.table.lower(), s.column.lower()), []).append((s, end))
            for proposal in proposals:
                if proposal is not None and proposal.plan.end_state is not None:
                    s = proposal.situation
                    targets.setdefault((s.table.lower(), s.column.lower()), []).append(
                        (s, proposal.plan.end_state))
            planned_versions: list[str] = []
            planned_edits: dict[str, str] = {}  # the drizzle journal as the run leaves it
            for group in targets.values():
                target = _Target(group[0][0].table, group[0][0].column,
                                 tuple(s for s, _ in group), tuple(e for _, e in group))
                plans.extend(self._end_state(target, fixed, in_place, databases,
                                             planned_versions, planned_edits))
        return plans

    def _rule(self, s: Situation) -> Rule:
        cls = rule_by_code(s.code)
        assert cls is not None, s.code  # requests come from findings of registered rules
        return cls()

    def _ask(self, s: Situation, ctx: FixContext) -> Plan | None:
        """The rule's plan for one request (None: its rule does not fix that finding)."""
        rule = self._rule(s)
        fix = getattr(rule, "fix", None)
        if fix is None or s.facts is None:
            return None
        plan = fix(s.facts, ctx)
        assert plan is None or isinstance(plan, Plan), plan
        return plan

    def _context(self, s: Situation, databases: Prefixes) -> FixContext:
        stmt = (self.history.migrations[s.migration].up.statements[s.statement]
                if s.migration >= 0 and s.statement >= 0 else None)
        return FixContext(
            statement=stmt, text=self.history.texts.get(stmt.path, "") if stmt else "",
            migration=self.history.migrations[s.migration].label if s.migration >= 0 else "",
            final=self.timeline.final, options=self.options,
            rebuild_adding=lambda table, column, sql: self._add_by_rebuild(
                s, table, column, sql, databases))

    def _end_only(self, s: Situation, databases: Prefixes) -> _Proposal | None:
        """An end-state request (outside the history), named as the final schema names
        its table and column (None: no such column, or nothing to do)."""
        table = self.timeline.final.table(s.table)
        col = table.column(s.column) if table else None
        if table is None or col is None:
            return None
        s = replace(s, table=table.name, column=col.name)
        plan = self._ask(s, self._context(s, databases))
        if plan is None or plan.end_state is None:
            return None
        end = replace(plan.end_state, table=table.name, column=col.name)
        return _Proposal(s, replace(plan, end_state=end))

    def _lint_fixed(self, fixed: Timeline, in_place: list[Situation]) -> list[Finding]:
        """The findings of the corrected rules on the corrected history (the real rules,
        on the timeline replayed once for the proofs)."""
        from migrate_lint.lint import lint

        codes = tuple(sorted({s.code for s in in_place}))
        config = self._fixed_config(fixed.history.root, codes)
        # its files are the first run's: their real paths are not resolved again (and
        # are let go here, not kept through the proofs: 100,000 of them are ~15 MB)
        real_paths, self.real_paths = self.real_paths, None
        result = lint([fixed.history.root], config, timelines={fixed.history.root: fixed},
                      real_paths=real_paths)
        return [f for f in result.findings if f.code in codes]

    def _fixed_config(self, root: str, codes: Sequence[str]) -> Config:
        return lint_config(root, Options(select=frozenset(codes)), codes, self.config,
                           self.layout, self.runner_override or self.history.runner)

    # -- in-place corrections ---------------------------------------------------

    def _in_place(self, situations: list[Situation], databases: Prefixes
                  ) -> tuple[dict[str, list[Splice]], list[tuple[FixPlan, Plan]]]:
        """Plans of the in-place corrections, and the splices that make them, by file."""
        splices: dict[str, list[Splice]] = {}
        plans: list[tuple[FixPlan, Plan, tuple[str, ...]]] = []
        for s in situations:
            generic = f"{s.code} on `{s.table}.{s.column}`"
            if s.statement < 0:
                plans.append((FixPlan(s, generic, refused=(
                    "the finding does not point at a statement of its migration")),
                    Plan(generic), ()))
                continue
            stmt = self.history.migrations[s.migration].up.statements[s.statement]
            error: Exception | None = None
            try:
                plan = self._ask(s, self._context(s, databases))
            except (InPlaceError, RefuseError) as err:
                plan, error = None, err
            if plan is None and error is None:
                continue  # the rule does not fix this finding in place
            if has_local_edits(stmt.path):
                raise MigrateLintError(f"{stmt.path}: has uncommitted changes; commit or stash "
                                       "them before `migrate-lint fix` edits it in place")
            text = self.history.texts[stmt.path]
            if plan is None:
                plans.append((FixPlan(s, generic, refused=f"{error}; edit the migration by "
                                      f"hand (see `migrate-lint explain {s.code}`)"),
                              Plan(generic), ()))
                continue
            if plan.refused is not None:
                plans.append((FixPlan(s, plan.title, refused=plan.refused), plan, ()))
                continue
            mine = list(plan.edits)
            notes = list(plan.notes)
            note = self.settings.runner.edit_note
            if note:
                notes.append(note)
            # A marker above the corrected statement: `check --since` (MG005) then knows
            # the edit is fix's own, with its follow-up, and not a silent change.
            line_start = text.rfind("\n", 0, stmt.span.start) + 1
            marker = Splice(stmt.path, line_start, line_start,
                            f"{FIX_MARKER} {s.code} in place; databases that ran the "
                            "original get the follow-up migration\n")
            if not any(m.path == marker.path and m.start == marker.start
                       for m in splices.get(stmt.path, ())):
                mine.append(marker)
            for sp in mine:
                splices.setdefault(sp.path, []).append(sp)
            plans.append((FixPlan(s, plan.title, notes=tuple(notes)), plan,
                          tuple(dict.fromkeys(sp.path for sp in mine))))
        edits = {path: apply_splices(self.history.texts[path], sps)
                 for path, sps in splices.items()}
        # Each plan's file holds the final text of its file (several edits may share one).
        return splices, [(replace(fp, files=tuple(FileChange(path, edits[path],
                                                            old_text=self.history.texts[path])
                                                 for path in paths)), p)
                       for fp, p, paths in plans]

    def _add_by_rebuild(self, s: Situation, table: str, column: str, column_text: str,
                        databases: Prefixes) -> Rebuild:
        """A rebuild of ``table`` adding ``column_text``, built on a database at the state
        right before the statement of ``s`` (the migrations before it are the ones the
        in-place proof starts from: applied once for both)."""
        box, error = databases.start(self.history.migrations, s.migration)
        try:
            migration = self.history.migrations[s.migration]
            if error is None:
                failed = box.apply(migration.up.statements[: s.statement],
                                   no_transaction=migration.source.no_transaction)
                error = None if failed is None else failed.message
            if error is not None:
                raise RefuseError(f"the history before the statement does not apply: {error}")
            return build_rebuild(box.connection, ColumnTarget(table, column, False, None),
                                 self.settings, add_column=column_text,
                                 own_transaction=False)
        finally:
            box.close()

    def _fixed_timeline(self, splices: dict[str, list[Splice]]) -> Timeline:
        """The history with the in-place edits applied, replayed once: the proofs, the
        lint of the corrected rules and the end-state rebuilds all use it. Made in memory
        (`edited.edited_history`): only the edited files are read again, nothing is
        copied or written."""
        fixed = edited_history(self.history, splices)
        if fixed is self.history:
            return self.timeline
        with gc_paused():
            # from the first edited migration on: the fix is near the end, as a rule
            return replay_changed(self.timeline, fixed)

    def _prove_in_place(self, plan: FixPlan, fix: Plan, fixed: History,
                        after_lint: list[Finding], databases: Prefixes,
                        beside: frozenset[str] = frozenset()) -> FixPlan:
        """Apply the corrected migration on a populated database and check the result.

        ``beside``: the columns of the same table that other in-place corrections of the
        migration change (the corrected history holds them all): not "untouched"."""
        if plan.refused:
            return plan
        s = plan.situation
        results: list[CheckResult] = []
        box, error = databases.filled(fixed.migrations, s.migration)
        try:
            if error:
                return replace(plan, refused=f"the history before the fix does not apply: {error}")
            # the checks below read the rows of the plan's tables, and count the others'
            tables = fix.tables or (s.table,)
            before = ck.capture(box.connection, rows_of=tables)
            error = apply_migrations(box, fixed.migrations[s.migration : s.migration + 1])
            results.append(CheckResult(1, "applies-on-populated-database", error is None,
                                       error or "applied on a database holding rows", s.table))
            if error is None:
                after = ck.capture(box.connection, rows_of=tables)
                # the first of the plan's tables that exists after the migration, else the last
                table = next((t for t in tables if after.table(t) is not None), tables[-1])
                target = ColumnTarget(table, s.column, True, None)
                proof = ck.Proof(target, before, after, {}, frozenset(), None, box.connection,
                                 beside=beside)
                results.append(_row_counts(before, after))
                if before.table(table) is not None and after.table(table) is not None:
                    results.append(ck.check_untouched_columns(proof))
                results.append(fix.expect.check(box.connection, table, s.column)
                               if fix.expect is not None
                               else CheckResult(4, "target-column-values", True, table=table))
                results.append(ck.check_integrity(proof))
                rest = apply_migrations(box, fixed.migrations[s.migration + 1 :])
                results.append(CheckResult(16, "rest-of-history-applies", rest is None,
                                           rest or "every later migration applies", s.table))
            label = fixed.migrations[s.migration].label
            still = [f for f in after_lint if f.code == s.code
                     and (f.get("migration") or f.migration) == label
                     and (f.get("table") or "").lower() == s.table.lower()
                     and (f.get("column") or "").lower() == s.column.lower()]
            results.append(CheckResult(17, "lint-clean", not still,
                                       f"{s.code} no longer fires on the fixed history"
                                       if not still else f"{s.code} still fires: "
                                       f"{still[0].message}", s.table))
            if fix.data_only:
                results.append(self._same_schema(fixed, s.migration, databases))
        finally:
            box.close()
        return replace(plan, checks=tuple(results))

    def _same_schema(self, fixed: History, index: int, databases: Prefixes) -> CheckResult:
        """18. (data-only corrections) on an empty database the corrected history ends in
        the schema the original one ends in."""
        a, err_a = databases.start(self.history.migrations, index + 1)
        b, err_b = databases.start(fixed.migrations, index + 1)
        try:
            if err_b is not None:
                return CheckResult(18, "same-schema-as-original", False, err_b)
            ok = err_a is not None or a.snapshot() == b.snapshot()
            return CheckResult(18, "same-schema-as-original", ok,
                               "the correction changes data only: same schema as the "
                               "original on an empty database" if ok else
                               "the corrected migration ends in another schema")
        finally:
            a.close()
            b.close()

    # -- end-state rebuilds -------------------------------------------------------

    def _column_target(self, target: _Target, fixed: Timeline
                       ) -> tuple[ColumnTarget | None, list[FixPlan], list[str]]:
        """The column definition to rebuild to, refusals (a reviewing rule's), and notes."""
        final = fixed.final
        table = final.table(target.table)
        col = table.column(target.column) if table is not None else None
        if table is None or col is None:
            # A later migration drops the column (or its table) on every database: no
            # end state to bring them to; the in-place correction is the whole fix.
            return None, [], []
        given = self.options.set_for(table.name, col.name)
        notes: list[str] = []
        situation, end = target.situations[0], target.ends[0]
        if end.exact:
            # The rule names the end state (e.g. the author's default, which the
            # in-place correction dropped): every database gets exactly that.
            return (ColumnTarget(table.name, col.name, end.notnull, end.default), [],
                    [end.note])
        # A rule that owns a fact about the column (a constant default under a UNIQUE
        # key) may refuse the constant default in its own name and choose instead.
        for rule in _reviewers():
            choice = rule.end_state_target(final, table, col, self.options)
            if choice is not None:
                refusals = [FixPlan(replace(situation, code=rule.code), p.title,
                                    refused=p.refused) for p in choice.vetoes]
                refusals += [FixPlan(situation, p.title, refused=p.refused)
                             for p in choice.refusals]
                return choice.target, refusals, list(choice.notes)
        if given is not None and is_constant_default(given):
            notes.append(f"Default {given}: the constant given with --set.")
            return ColumnTarget(table.name, col.name, True, given, backfill=given), [], notes
        value = zero_value(col.type)
        if given is not None:
            notes.append(f"Existing NULLs are backfilled with {given}; new rows get DEFAULT "
                         f"{value} (the zero value of the column's affinity).")
            return ColumnTarget(table.name, col.name, True, value, backfill=given), [], notes
        notes.append(f"Default {value}: the zero value of `{col.type or 'untyped'}` affinity "
                     "(the column is not part of any UNIQUE key).")
        return ColumnTarget(table.name, col.name, True, value, backfill=value), [], notes

    def _end_state(self, target: _Target, fixed: Timeline, in_place: list[Situation],
                   databases: Prefixes, planned_versions: list[str],
                   planned_edits: dict[str, str]) -> list[FixPlan]:
        situation = target.situations[0]
        column_target, refusals, notes = self._column_target(target, fixed)
        plans = list(refusals)
        if column_target is None:
            return plans
        title = f"Rebuild `{column_target.table}` so `{column_target.column}` " + (
            f"has DEFAULT {column_target.default}" if column_target.default is not None
            else "is nullable" + (" with an assigning trigger" if column_target.assign_trigger
                                  else ""))
        # Databases where the original migrations applied on empty tables, then filled.
        old_path, error = databases.start(self.history.migrations,
                                          len(self.history.migrations))
        try:
            if error:
                return [*plans, FixPlan(situation, title, refused=f"the history does not "
                                        f"apply on an empty database: {error}")]
            fill(old_path.connection)
            try:
                rebuild = build_rebuild(old_path.connection, column_target, self.settings)
            except RefuseError as err:
                return [*plans, FixPlan(situation, title, refused=str(err))]
            up = wrap(rebuild)
            results = list(ck.prove(old_path.connection, up, column_target, self.runner,
                                    no_transaction=rebuild.own_transaction,
                                    foreign_keys=self.settings.foreign_keys_may_be_on))
        finally:
            old_path.close()
        own = [x for x in target.situations if x.migration >= 0]  # corrected in place
        others = {x.table.lower() for x in in_place} - {column_target.table.lower()}
        results.append(self._same_end_state(fixed.history, own, up, rebuild.own_transaction,
                                            others, databases))
        codes = ", ".join(sorted({s.code for s in target.situations}))
        header = [f"Generated by migrate-lint fix ({codes}) for `{column_target.table}."
                  f"{column_target.column}`.", *notes, *rebuild.assumptions,
                  f"Proven before writing on a populated copy: {sum(r.ok for r in results)}/"
                  f"{len(results)} checks passed."]
        # Names from the schema are slugged: a name never becomes a path as written.
        name = f"fix_{slug(column_target.table)}_{slug(column_target.column)}"
        versions = [m.version for m in self.history.migrations] + planned_versions
        history = replace(self.history, migrations=self.history.migrations)
        journal = os.path.join(self.history.root, "meta", "_journal.json")
        files = render_new_migration(history, name, up, wrap_down(rebuild), header,
                                     column_target.table, rebuild.own_transaction,
                                     self.options.now_ms, planned_edits.get(journal))
        version = next_version(versions, self.options.now_ms, self.history.layout)
        if self.history.layout == "flyway":
            # V1_2__fix_t_c.sql: the "V" keeps the replacement off the directory's path.
            written, renamed = f"V{flyway_file_version(files[0].path)}", f"V{version}"
        else:
            # the version leads the first path component under the root: the file of a
            # flat or up/down layout, the folder of a folder or diesel one
            first = os.path.relpath(files[0].path, self.history.root).split(os.sep)[0]
            written, renamed = first.split("_")[0], version
        if planned_versions or renamed != written:
            files = _reversion(files, written, renamed, self.history.root)
        planned_versions.append(version)
        planned_edits.update((f.path, f.text) for f in files if f.old_text is not None)
        results.append(_written_as_proven(files, up, self.history))
        return [*plans, FixPlan(situation, title, files=files, checks=tuple(results),
                                notes=tuple(notes))]

    def _same_end_state(self, fixed: History, in_place: list[Situation], up: list[str],
                        no_transaction: bool, others: set[str], databases: Prefixes
                        ) -> CheckResult:
        """The fixed history plus the new migration applies on a database populated before
        the first corrected migration, and ends in the same schema as the other path.

        Tables that other corrections of this run change are left out of the comparison:
        their own follow-up migrations bring them to the same end state, each proven on
        its own."""
        start = min((s.migration for s in in_place), default=len(fixed.migrations))
        box, error = databases.filled(fixed.migrations, start)
        ref, _ = databases.start(self.history.migrations, len(self.history.migrations))
        try:
            if error is None:
                error = apply_migrations(box, fixed.migrations[start:])
            if error is None:
                failed = box.apply(ck.pieces_of(up), no_transaction=no_transaction)
                error = None if failed is None else f"the new migration: {failed.message}"
            if error is not None:
                return CheckResult(16, "fixed-history-applies", False, error)
            ref.apply(ck.pieces_of(up), no_transaction=no_transaction)
            if _without_tables(box.snapshot(), others) != _without_tables(ref.snapshot(),
                                                                          others):
                return CheckResult(16, "fixed-history-applies", False,
                                   "the two kinds of database end in different schemas")
        finally:
            box.close()
            ref.close()
        return CheckResult(16, "fixed-history-applies", True,
                           "fixed history + new migration applies on a populated database "
                           "and ends in the same schema as databases that ran the original")


def _fixed_beside(plan: FixPlan, plans: Sequence[tuple[FixPlan, Plan]]) -> frozenset[str]:
    """The columns (lower-cased) of ``plan``'s table that the other corrections of its
    migration change in place."""
    s = plan.situation
    return frozenset(o.situation.column.lower() for o, _p in plans
                     if o is not plan and o.refused is None
                     and o.situation.migration == s.migration
                     and o.situation.table.lower() == s.table.lower())


def _written_as_proven(files: Sequence[FileChange], up: Sequence[str], history: History
                       ) -> CheckResult:
    """19. The new migration's file, read back as the runner's layout splits it, holds
    exactly the statements that were proven: nothing in a name or a comment ran as SQL.
    """
    name = "written-file-is-proven"
    with temp_dir("migrate-lint-written-") as scratch_dir:
        root = os.path.join(scratch_dir, "migrations")
        journal = os.path.join("meta", "_journal.json")
        for f in files:
            rel = os.path.relpath(f.path, history.root)
            if f.old_text is not None and rel != journal:
                continue  # an in-place edit is proven through the fixed history
            target = os.path.join(root, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(f.text if rel != journal else _only_new_entries(f))
        try:
            read = load_history(root, history.layout, history.runner)
        except MigrateLintError as err:
            return CheckResult(19, name, False, f"the written file cannot be read back: {err}")
    written = [s.text.strip().rstrip(";").strip() for m in read.migrations
               for s in m.up.statements]
    proven = [s.strip().rstrip(";").strip() for s in up]
    if written != proven:
        return CheckResult(19, name, False, f"the file holds {len(written)} statements where "
                           f"{len(proven)} were proven; nothing is written")
    return CheckResult(19, name, True, f"the written file holds exactly the {len(proven)} "
                       "proven statements")


def _only_new_entries(journal: FileChange) -> str:
    """The drizzle journal with only the entries this fix adds (the old ones have no file
    in the scratch copy)."""
    old = {e.get("tag") for e in json.loads(journal.old_text or "{}").get("entries", [])}
    data = json.loads(journal.text)
    data["entries"] = [e for e in data.get("entries", []) if e.get("tag") not in old]
    return json.dumps(data)


def _without_tables(snapshot: SchemaSnapshot, names: set[str]) -> SchemaSnapshot:
    return SchemaSnapshot(tuple(t for t in snapshot.tables if t.name.lower() not in names),
                          snapshot.views, snapshot.triggers)


def _reversion(files: tuple[FileChange, ...], old: str, new: str, root: str
               ) -> tuple[FileChange, ...]:
    """The new migration's files under version ``new`` instead of ``old``.

    Only the version at the start of the first path component under ``root`` (the
    file, or the folder of a folder/diesel layout) changes, never the directories
    above it; in the drizzle journal, only the tag of this migration.
    """
    out = []
    tags: dict[str, str] = {}
    for f in files:
        if f.old_text is None:
            first, *rest = os.path.relpath(f.path, root).split(os.sep)
            if first.startswith(old + "_"):
                renamed = new + first[len(old):]
                tags[first.split(".")[0]] = renamed.split(".")[0]
                first = renamed
            out.append(FileChange(os.path.join(root, first, *rest), f.text))
    for f in files:
        if f.old_text is not None:
            text = f.text
            for before, after in tags.items():
                text = text.replace(json.dumps(before), json.dumps(after))
            out.append(FileChange(f.path, text, f.old_text))
    return tuple(out)


def _row_counts(before: ck.DbState, after: ck.DbState) -> CheckResult:
    """2. (in place) every table that exists before and after holds as many rows."""
    for b in before.tables:
        a = after.table(b.name)
        if a is not None and a.count != b.count:
            return CheckResult(2, "row-counts-kept", False,
                               f"{b.count} rows before, {a.count} after", b.name)
    return CheckResult(2, "row-counts-kept", True,
                       f"{sum(t.count for t in before.tables)} rows kept")


def _same_file_failures(plans: list[FixPlan]) -> list[FixPlan]:
    """Plans sharing an edited file with a plan whose proof failed are not written either."""
    bad = {f.path for p in plans if p.refused is None and not p.ok for f in p.files}
    out = []
    for p in plans:
        if p.ok and any(f.path in bad for f in p.files):
            p = replace(p, refused="another correction of the same file failed its proof")
        out.append(p)
    return out


def plan_fixes(root: str, options: Options, layout: str | None = None,
               runner: str | None = None, config: Config | None = None) -> list[FixPlan]:
    """Plan and prove every fix for the migrations under ``root``."""
    return Planner(root, options, layout, runner, config).plan()


__all__ = ["Planner", "Timeline", "plan_fixes", "validate_sets"]
