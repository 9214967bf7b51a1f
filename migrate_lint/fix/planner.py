"""Plan fixes for the fixable situations of a history, and prove each before offering it.

Two kinds of fix (see the issue "migrate-lint fix"):

* a migration that FAILS on populated databases (NN001) never applied there and
  the runner retries it: it is corrected in place (``ADD c T NOT NULL`` gets a
  ``DEFAULT``). Where it may already have applied on empty databases, a new
  migration rebuilds the table so those reach the same end state;
* a schema that is legal but wrong for its writers (NN002) gets a new migration
  that rebuilds the table; applied migrations are never edited for it.

Every plan carries the checks it passed (`checks.prove`); the CLI writes only plans
whose checks all passed.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace

from migrate_lint import ddl as d
from migrate_lint.errors import MigrateLintError
from migrate_lint.fix import checks as ck
from migrate_lint.fix.detect import detect, omitted_by_sites
from migrate_lint.fix.gitinfo import has_local_edits, may_have_applied
from migrate_lint.fix.layout import next_version, render_new_migration
from migrate_lint.fix.model import (
    CheckResult,
    ColumnTarget,
    FileChange,
    FixPlan,
    Options,
    Situation,
)
from migrate_lint.fix.rebuild import RefuseError, build_rebuild, wrap, wrap_down
from migrate_lint.fix.sqltext import affinity, check_expression, is_constant, q, zero_value
from migrate_lint.fix.synth import fill
from migrate_lint.history import History, Migration
from migrate_lint.pipeline import load_history
from migrate_lint.replay import Timeline, replay
from migrate_lint.sandbox import Sandbox
from migrate_lint.schema import Schema

# Runners that verify checksums of applied files, and what an in-place edit means there.
CHECKSUM_NOTES = {
    "sqlx": "sqlx stores a SHA-384 checksum of every applied migration and refuses to start "
            "when an applied file changed: the edited migration never applied on populated "
            "databases (it failed), but on databases where it did apply run `sqlx migrate "
            "info` and update `_sqlx_migrations.checksum` for this version, or keep the "
            "original file and rely on the new migration only.",
    "prisma": "Prisma stores a SHA-256 checksum: `prisma migrate dev` will ask to reset "
              "databases where the original applied; on deploy targets where it failed run "
              "`prisma migrate resolve --rolled-back <migration>` and deploy again.",
    "flyway": "Flyway validates CRC32 checksums: run `flyway repair` on databases where the "
              "original applied before the next migrate.",
    "drizzle": "drizzle stores a hash but never compares it: databases where the original "
               "applied keep its schema silently; the new migration brings them to the same "
               "end state.",
}


@dataclass(frozen=True, slots=True)
class _Target:
    """An end-state rebuild to plan, and why."""

    table: str
    column: str
    situations: tuple[Situation, ...]


def validate_sets(options: Options, schema: Schema) -> None:
    """Raise MigrateLintError for a --set naming an unknown column or a bad expression."""
    for table, column, expr in options.sets:
        t = schema.table(table)
        if t is None:
            raise MigrateLintError(f"--set {table}.{column}: no table `{table}` in the final "
                                   "schema")
        if t.column(column) is None:
            raise MigrateLintError(f"--set {table}.{column}: table `{t.name}` has no column "
                                   f"`{column}`")
        problem = check_expression(expr)
        if problem:
            raise MigrateLintError(f"--set {table}.{column}={expr}: not a valid SQLite "
                                   f"expression ({problem})")


def _apply(box: Sandbox, migrations: Sequence[Migration]) -> str | None:
    for m in migrations:
        error = box.apply(m.up.statements, no_transaction=m.source.no_transaction)
        if error is not None:
            return f"{m.label}: {error.message}"
    return None


def _unique_keys_with(schema: Schema, table: str, column: str) -> list[tuple[str, tuple[str, ...],
                                                                           bool]]:
    """(name, columns, plain) of every UNIQUE index/constraint covering ``column``."""
    t = schema.table(table)
    if t is None:
        return []
    low = column.lower()
    out = []
    for index in schema.indexes_of(table):
        names = tuple(c.name or "" for c in index.columns)
        if index.unique and low in (n.lower() for n in names):
            out.append((index.name, names, index.where is None and all(names)))
    for key in t.keys:
        names = tuple(c or "" for c in key.columns)
        if low in (n.lower() for n in names) and not (key.primary and t.rowid_alias):
            out.append(("PRIMARY KEY" if key.primary else "UNIQUE", names, all(names)))
    return out


class Planner:
    """Plans every fix for one migrations directory."""

    def __init__(self, root: str, options: Options, layout: str | None = None,
                 runner: str | None = None) -> None:
        self.root = root
        self.options = options
        self.layout = layout
        self.runner_override = runner
        self.history = load_history(root, layout, runner)
        self.timeline = replay(self.history)
        validate_sets(options, self.timeline.final)

    @property
    def runner(self) -> str:
        """The runner the history is applied with."""
        return self.history.runner

    # -- entry point --------------------------------------------------------------

    def plan(self) -> list[FixPlan]:
        """Every plan, proven; refused and failed plans included (never written)."""
        writers = list(self.options.writers_omit)
        writers += [p for p in omitted_by_sites(self.timeline, self.options.insert_paths,
                                                self.options.writers_from) if p not in writers]
        situations = detect(self.timeline, writers)
        if self.options.select:
            wanted = {c.upper() for c in self.options.select}
            if "NN006" in wanted:
                wanted.add("NN002")
            situations = [s for s in situations if s.code in wanted]
        plans: list[FixPlan] = []
        in_place = [s for s in situations if s.code == "NN001"]
        for s in situations:
            if s.code not in ("NN001", "NN002"):
                plans.append(FixPlan(s, f"{s.code} on `{s.table}.{s.column}`",
                                     refused="detected, but no automatic fix for this code "
                                             "yet: edit the migration by hand (see "
                                             f"`migrate-lint explain {s.code}`)"))
        edits, inplace_plans = self._in_place(in_place)
        workdir = tempfile.mkdtemp(prefix="migrate-lint-fix-")
        try:
            fixed = self._fixed_history(edits, workdir)
            proven = [self._prove_in_place(p, fixed) for p in inplace_plans]
            plans.extend(proven)
            targets: dict[tuple[str, str], list[Situation]] = {}
            for s in in_place:
                path = self.history.migrations[s.migration].path
                if may_have_applied(path, self.options.since):
                    targets.setdefault((s.table.lower(), s.column.lower()), []).append(s)
            for s in situations:
                if s.code == "NN002":
                    targets.setdefault((s.table.lower(), s.column.lower()), []).append(s)
            planned_versions: list[str] = []
            for group in targets.values():
                target = _Target(group[0].table, group[0].column, tuple(group))
                plans.extend(self._end_state(target, fixed, in_place, planned_versions))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return plans

    # -- in-place corrections ---------------------------------------------------

    def _in_place(self, situations: list[Situation]) -> tuple[dict[str, str], list[FixPlan]]:
        edits: dict[str, str] = {}
        plans: list[FixPlan] = []
        for s in situations:
            migration = self.history.migrations[s.migration]
            stmt = migration.up.statements[s.statement]
            node = stmt.ddl
            assert isinstance(node, d.AddColumn)
            path = stmt.path
            if has_local_edits(path):
                raise MigrateLintError(f"{path}: has uncommitted changes; commit or stash them "
                                       "before `migrate-lint fix` edits it in place")
            given = self.options.set_for(s.table, s.column)
            notes: list[str] = []
            if given is not None and not is_constant(given):
                plans.append(FixPlan(s, f"Give `{s.table}.{s.column}` a default", refused=(
                    f"--set {s.table}.{s.column}={given}: ADD COLUMN needs a constant default; "
                    "give a constant, or backfill with an UPDATE after the ADD")))
                continue
            value = given if given is not None else zero_value(node.column.type)
            why = "the constant given with --set" if given is not None else (
                f"the zero value of `{node.column.type or 'untyped'}` affinity")
            later_unique = _unique_keys_with(self.timeline.final, s.table, s.column)
            if later_unique:
                notes.append(
                    f"NN006: `{s.column}` is part of UNIQUE {later_unique[0][0]} "
                    f"({', '.join(later_unique[0][1])}) later in the history; DEFAULT {value} "
                    "only fills the rows that exist when this migration runs")
            old = self.history.texts[path] if path not in edits else edits[path]
            pos = node.column.span.end
            edits[path] = old[:pos] + f" DEFAULT {value}" + old[pos:]
            notes.insert(0, f"Default {value}: {why}.")
            note = CHECKSUM_NOTES.get(self.runner)
            if note:
                notes.append(note)
            plans.append(FixPlan(
                s, f"Add `DEFAULT {value}` to `{s.table}.{s.column}` in {migration.label}",
                files=(FileChange(path, "", old_text=self.history.texts[path]),),
                notes=tuple(notes)))
        # Each plan's file holds the final text of its file (several edits may share one).
        return edits, [replace(p, files=tuple(FileChange(f.path, edits[f.path], f.old_text)
                                              for f in p.files)) if p.files else p
                       for p in plans]

    def _fixed_history(self, edits: dict[str, str], workdir: str) -> History:
        """The history with the in-place edits applied (read from a scratch copy)."""
        if not edits:
            return self.history
        copy = os.path.join(workdir, "migrations")
        shutil.copytree(self.root, copy)
        for path, text in edits.items():
            rel = os.path.relpath(path, self.root)
            with open(os.path.join(copy, rel), "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return load_history(copy, self.layout, self.runner_override or self.history.runner)

    def _prove_in_place(self, plan: FixPlan, fixed: History) -> FixPlan:
        if plan.refused:
            return plan
        s = plan.situation
        results: list[CheckResult] = []
        box = Sandbox(self.runner, foreign_keys=True)
        try:
            error = _apply(box, fixed.migrations[: s.migration])
            if error:
                return replace(plan, refused=f"the history before the fix does not apply: {error}")
            fill(box.connection)
            before = ck.capture(box.connection)
            populated = sqlite3.connect(":memory:", isolation_level=None)
            box.connection.backup(populated)
            error = _apply(box, fixed.migrations[s.migration : s.migration + 1])
            results.append(CheckResult(1, "applies-on-populated-database", error is None,
                                       error or "applied on a database holding rows", s.table))
            if error is None:
                after = ck.capture(box.connection)
                target = ColumnTarget(s.table, s.column, True, None)
                table = before.table(s.table)
                value = box.connection.execute(
                    f"SELECT {q(s.column)} FROM {q(s.table)} LIMIT 1").fetchone()
                expected = {k: (value[0] if value else None) for k, _ in
                            (table.rows if table else ())}
                proof = ck.Proof(target, before, after, expected, frozenset(), None,
                                 box.connection)
                results.append(ck.check_rows_and_keys(proof))
                results.append(ck.check_untouched_columns(proof))
                results.append(_same_default(box.connection, s))
                results.append(ck.check_integrity(proof))
                rest = _apply(box, fixed.migrations[s.migration + 1 :])
                results.append(CheckResult(16, "rest-of-history-applies", rest is None,
                                           rest or "every later migration applies", s.table))
            again = replay(fixed)
            still = [x for x in detect(again) if x.code == "NN001" and x.migration == s.migration
                     and x.table.lower() == s.table.lower()]
            results.append(CheckResult(17, "lint-clean", not still,
                                       "NN001 no longer holds" if not still else
                                       "NN001 still holds", s.table))
        finally:
            box.close()
        return replace(plan, checks=tuple(results))

    # -- end-state rebuilds -------------------------------------------------------

    def _column_target(self, target: _Target, fixed: History) -> tuple[ColumnTarget | None,
                                                                       list[FixPlan], list[str]]:
        """The column definition to rebuild to, refusals (NN006), and notes."""
        final = replay(fixed).final
        table = final.table(target.table)
        assert table is not None
        col = table.column(target.column)
        assert col is not None
        given = self.options.set_for(table.name, col.name)
        unique = _unique_keys_with(final, table.name, col.name)
        notes: list[str] = []
        refusals: list[FixPlan] = []
        situation = target.situations[0]
        if unique and not (given is not None and self.options.force):
            name, cols, plain = unique[0]
            value = given if given is not None else zero_value(col.type)
            refusals.append(FixPlan(
                replace(situation, code="NN006"),
                f"DEFAULT {value} for `{table.name}.{col.name}`",
                refused=(f"`{col.name}` is part of {name} ({', '.join(cols)}): with a constant "
                         f"DEFAULT {value} the second row inserted without `{col.name}` "
                         f"{'in the same ' + cols[0] if len(cols) > 1 else ''} collides. "
                         "Options: make the column nullable (--alternative nullable), a "
                         "trigger that assigns the next value (--alternative trigger), or "
                         f"insist with --set {table.name}.{col.name}=EXPR --force")))
            word = re.compile(rf"(?<![\w$]){re.escape(col.name)}(?![\w$])", re.I)
            if col.pk:
                refusals.append(FixPlan(situation, f"Make `{table.name}.{col.name}` nullable",
                                        refused=f"`{col.name}` is part of the PRIMARY KEY of "
                                        f"`{table.name}` and cannot become nullable; writers "
                                        "must supply it"))
                return None, refusals, notes
            if any(word.search(c) for c in (*col.checks, *table.checks)):
                refusals.append(FixPlan(situation, f"Make `{table.name}.{col.name}` nullable",
                                        refused=f"a CHECK constraint of `{table.name}` names "
                                        f"`{col.name}` and may reject NULL; give a per-row "
                                        f"value with --set {table.name}.{col.name}=EXPR "
                                        "--force"))
                return None, refusals, notes
            group = [c for c in cols if c.lower() != col.name.lower()]
            # "next value" only means something for integers (a STRICT BLOB/TEXT column
            # would reject max()+1): other types get the nullable alternative.
            numeric = affinity(col.type) == "INTEGER"
            if self.options.alternative == "trigger" and plain and numeric:
                trig = f"{table.name}_{col.name}_assign"
                where = " AND ".join(f"{q(g)} IS NEW.{q(g)}" for g in group) or "1"
                key = "rowid" if not table.without_rowid else None
                match = ("rowid = NEW.rowid" if key else " AND ".join(
                    f"{q(k)} = NEW.{q(k)}" for k in table.primary_key))
                sql = (f"CREATE TRIGGER {q(trig)} AFTER INSERT ON {q(table.name)}\n"
                       f"FOR EACH ROW WHEN NEW.{q(col.name)} IS NULL\nBEGIN\n"
                       f"  UPDATE {q(table.name)} SET {q(col.name)} = (SELECT "
                       f"coalesce(max({q(col.name)}) + 1, 0) FROM {q(table.name)} WHERE "
                       f"{where}) WHERE {match};\nEND")
                notes.append(f"`{col.name}` becomes nullable and trigger `{trig}` assigns the "
                             f"next value per ({', '.join(group) or 'table'}) when an insert "
                             "omits it, so older writers keep working and UNIQUE holds.")
                return (ColumnTarget(table.name, col.name, False, None, assign_trigger=sql,
                                     assign_trigger_name=trig), refusals, notes)
            notes.append(f"`{col.name}` becomes nullable: rows inserted without it hold NULL, "
                         f"which {name} allows any number of times.")
            return ColumnTarget(table.name, col.name, False, None), refusals, notes
        if given is not None and is_constant(given):
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

    def _end_state(self, target: _Target, fixed: History, in_place: list[Situation],
                   planned_versions: list[str]) -> list[FixPlan]:
        situation = target.situations[0]
        column_target, refusals, notes = self._column_target(target, fixed)
        plans = list(refusals)
        if column_target is None:
            return plans
        title = f"Rebuild `{column_target.table}` so `{column_target.column}` " + (
            f"has DEFAULT {column_target.default}" if column_target.default is not None
            else "is nullable" + (" with an assigning trigger" if column_target.assign_trigger
                                  else ""))
        old_path = Sandbox(self.runner, foreign_keys=True)
        try:
            # Databases where the original migrations applied on empty tables, then filled.
            error = _apply(old_path, self.history.migrations)
            if error:
                return [*plans, FixPlan(situation, title, refused=f"the history does not "
                                        f"apply on an empty database: {error}")]
            fill(old_path.connection)
            try:
                rebuild = build_rebuild(old_path.connection, column_target, self.runner)
            except RefuseError as err:
                return [*plans, FixPlan(situation, title, refused=str(err))]
            up = wrap(rebuild)
            results = list(ck.prove(old_path.connection, up, column_target, self.runner,
                                    no_transaction=rebuild.own_transaction))
        finally:
            old_path.close()
        own = [x for x in target.situations if x.code == "NN001"]
        results.append(self._same_end_state(fixed, own, up, rebuild.own_transaction))
        codes = ", ".join(sorted({s.code for s in target.situations}))
        header = [f"Generated by migrate-lint fix ({codes}) for `{column_target.table}."
                  f"{column_target.column}`.", *notes, *rebuild.assumptions,
                  f"Proven before writing on a populated copy: {sum(r.ok for r in results)}/"
                  f"{len(results)} checks passed."]
        name = f"fix_{column_target.table}_{column_target.column}".lower()
        versions = [m.version for m in self.history.migrations] + planned_versions
        history = replace(self.history, migrations=self.history.migrations)
        files = render_new_migration(history, name, up, wrap_down(rebuild), header,
                                     column_target.table, rebuild.own_transaction,
                                     self.options.now_ms)
        version = next_version(versions, self.options.now_ms)
        if planned_versions or version != os.path.basename(files[0].path).split("_")[0]:
            files = _reversion(files, os.path.basename(files[0].path).split("_")[0], version)
        planned_versions.append(version)
        return [*plans, FixPlan(situation, title, files=files, checks=tuple(results),
                                notes=tuple(notes))]

    def _same_end_state(self, fixed: History, in_place: list[Situation], up: list[str],
                        no_transaction: bool) -> CheckResult:
        """The fixed history plus the new migration applies on a database populated before
        the first corrected migration, and ends in the same schema as the other path."""
        start = min((s.migration for s in in_place), default=len(fixed.migrations))
        box = Sandbox(self.runner, foreign_keys=True)
        ref = Sandbox(self.runner, foreign_keys=True)
        try:
            error = _apply(box, fixed.migrations[:start])
            if error is None:
                fill(box.connection)
                error = _apply(box, fixed.migrations[start:])
            if error is None:
                failed = box.apply(ck.pieces_of(up), no_transaction=no_transaction)
                error = None if failed is None else f"the new migration: {failed.message}"
            if error is not None:
                return CheckResult(16, "fixed-history-applies", False, error)
            _apply(ref, self.history.migrations)
            ref.apply(ck.pieces_of(up), no_transaction=no_transaction)
            if box.snapshot() != ref.snapshot():
                return CheckResult(16, "fixed-history-applies", False,
                                   "the two kinds of database end in different schemas")
        finally:
            box.close()
            ref.close()
        return CheckResult(16, "fixed-history-applies", True,
                           "fixed history + new migration applies on a populated database "
                           "and ends in the same schema as databases that ran the original")


def _reversion(files: tuple[FileChange, ...], old: str, new: str) -> tuple[FileChange, ...]:
    out = []
    for f in files:
        if f.old_text is None:
            out.append(FileChange(f.path.replace(old + "_", new + "_", 1), f.text))
        else:
            out.append(FileChange(f.path, f.text.replace(f'"{old}_', f'"{new}_'), f.old_text))
    return tuple(out)


def _same_default(conn: sqlite3.Connection, s: Situation) -> CheckResult:
    """4. (in place) every existing row got the column's default."""
    row = conn.execute("SELECT dflt_value FROM pragma_table_xinfo(?) WHERE name = ?",
                       (s.table, s.column)).fetchone()
    if row is None or row[0] is None:
        return CheckResult(4, "target-column-values", False, "the column has no default",
                           s.table)
    bad = conn.execute(f"SELECT count(*) FROM {q(s.table)} WHERE {q(s.column)} IS NOT "
                       f"({row[0]})").fetchone()[0]
    return CheckResult(4, "target-column-values", bad == 0,
                       f"every existing row holds {row[0]}" if bad == 0 else
                       f"{bad} rows do not hold the default", s.table)


def plan_fixes(root: str, options: Options, layout: str | None = None,
               runner: str | None = None) -> list[FixPlan]:
    """Plan and prove every fix for the migrations under ``root``."""
    return Planner(root, options, layout, runner).plan()


__all__ = ["Planner", "Timeline", "plan_fixes", "validate_sets"]
