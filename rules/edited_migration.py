"""MG005: a migration that existed at the base revision was modified since."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import History, Migration
from migrate_lint.runners import Runner
from migrate_lint.span import Span
from migrate_lint.suppress import FIX_MARKER
from migrate_lint.values import value_class

if TYPE_CHECKING:  # git's modules are loaded for --since only
    from migrate_lint.gitbase import GitBase


def first_difference(old: str, new: str) -> int:
    """The 1-based line where ``new`` first differs from ``old``."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), 1):
        if a != b:
            return number
    return min(len(old_lines), len(new_lines)) + 1


@value_class
class ReleasedMigrationEdited(Facts):
    """``migration`` existed at ``rev`` (named ``renamed`` then, if otherwise) and was
    edited since, by hand or by ``migrate-lint fix`` (``fixed_in_place``); ``runner_check``
    is what the runner does about it, ``edit_note`` what it needs after fix's edit."""

    migration: str
    rev: str
    runner_check: str
    renamed: str = ""
    fixed_in_place: bool = False
    edit_note: str | None = None

    def message(self) -> str:
        """Which databases run which text."""
        if self.fixed_in_place:
            return (f"`{self.migration}` existed at {self.rev} and was corrected in place by "
                    "`migrate-lint fix` (its marker is here): databases that never ran it get "
                    "the corrected text, those that ran it get the follow-up migration; "
                    f"{self.runner_check}")
        was = f" (then named `{self.renamed}`)" if self.renamed else ""
        return (f"`{self.migration}` existed at {self.rev}{was} and was edited since: every "
                "database that already applied it never runs the change (runners apply a "
                "version once), so they keep the old schema while fresh ones get the new one; "
                f"{self.runner_check}")

    def help(self) -> str:
        """Restore it, or (after fix) what the runner needs."""
        if self.fixed_in_place:
            return (self.edit_note or "nothing to do: commit the correction with its "
                    "follow-up migration")
        return "restore the released text and put the change in a new migration"


class EditedMigration(Rule):
    """A migration that had already been released was edited.

    ## What it does
    Only with `--since REV` (or `since` in the configuration): reports each migration
    whose version existed at `REV` and whose content differs now, at the first line
    that changed. Migrations are matched by version, as runners know them: a file
    renamed since (same version, another name) whose content also changed is an
    edit. A released version that is gone is MG009.

    ## Why is this bad?
    Runners apply a migration once and remember its version: on every database that
    already applied the old text, the edit never runs, so those databases keep the
    old schema while fresh ones get the new one (the opencode history shipped
    `ALTER TABLE session_message ADD seq integer NOT NULL` and then edited it in
    place). What the runner does about it differs, and the message says which:
    sqlx refuses to start on the changed checksum, Prisma asks to reset the
    database, Flyway's validate fails, drizzle, goose, golang-migrate, dbmate and
    diesel never notice.

    ## Example
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE t ADD seq integer NOT NULL DEFAULT 0;
    ```

    ## Use instead
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    -- migration
    ALTER TABLE t ADD seq integer;
    -- migration
    UPDATE t SET seq = 0 WHERE seq IS NULL;
    ```

    The Example fires when the second file existed at `REV` as `ALTER TABLE t ADD seq
    integer;`: put the change in a new migration instead of editing the released one.

    ## References
    - https://www.sqlite.org/lang_altertable.html
    """

    code = "MG005"
    name = "edited-migration"
    severity = "error"

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for every released migration changed since the revision."""
        base = ctx.base
        if base is None:
            return
        runner = ctx.history.settings.runner
        for migration in ctx.history.migrations:
            for path, old, renamed in _pairs(base, ctx.history, migration, runner.known_by):
                new = ctx.history.texts.get(path)
                if old is None or new is None or old == new:
                    continue
                lines = new.splitlines()
                line = max(1, min(first_difference(old, new), len(lines)))
                offset = sum(len(x) + 1 for x in lines[: line - 1])
                if FIX_MARKER in new and FIX_MARKER not in old:
                    yield self._fixed_in_place(migration, path, new, base.rev, runner)
                    continue
                facts = ReleasedMigrationEdited(migration.label, base.rev, runner.edit_check,
                                                renamed=renamed)
                yield self.report(facts, Span(path, offset, offset, line, 1, line, 1),
                                  migration=migration.label)

    def _fixed_in_place(self, migration: Migration, path: str, new: str, rev: str,
                        runner: Runner) -> Finding:
        """The edit `migrate-lint fix` made, with its marker: on databases that applied
        the original, the follow-up migration it wrote brings them to the same end
        state, so the edit is no silent divergence. Info, unless the runner refuses
        edited files (sqlx, Prisma, Flyway): then a warning saying what to run."""
        offset = new.index(FIX_MARKER)
        line = new.count("\n", 0, offset) + 1
        facts = ReleasedMigrationEdited(migration.label, rev, runner.edit_check,
                                        fixed_in_place=True, edit_note=runner.edit_note)
        return self.report(facts, Span(path, offset, offset, line, 1, line, 1),
                           migration=migration.label,
                           severity="warning" if runner.compares_checksums else "info")



def _pairs(base: GitBase, history: History, migration: Migration, known_by: str
           ) -> Iterator[tuple[str, str | None, str]]:
    """Each file of ``migration`` with its text at the revision and, when the file was
    named otherwise then, that name: matched as the runner knows migrations (version,
    or Prisma's name) where discovery read the revision, else by path."""
    from migrate_lint.gitbase import migration_files

    paths = migration_files(migration)
    released = base.released(migration, known_by)
    if released is None or not released.files:
        for path in paths:
            yield path, base.text_at(path), ""
        return
    root = history.root if os.path.isdir(history.root) else os.path.dirname(history.root)
    for index, path in enumerate(paths):
        if index >= len(released.files):
            yield path, base.text_at(path), ""
            continue
        old_rel, old = released.files[index]
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        yield path, old, "" if rel == old_rel else old_rel
