"""MG005: a migration that existed at the base revision was modified since."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Finding
from migrate_lint.gitbase import migration_files
from migrate_lint.span import Span


def first_difference(old: str, new: str) -> int:
    """The 1-based line where ``new`` first differs from ``old``."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), 1):
        if a != b:
            return number
    return min(len(old_lines), len(new_lines)) + 1


class EditedMigration(Rule):
    """A migration that had already been released was edited.

    ## What it does
    Only with `--since REV` (or `since` in the configuration): reports each migration
    file that existed at `REV` and whose content differs now (compared with
    `git show REV:path`), at the first line that changed.

    ## Why is this bad?
    Runners apply a migration once and remember it: on every database that already
    applied the old version, the edit never runs, so those databases keep the old
    schema while fresh ones get the new one (the opencode history shipped
    `ALTER TABLE session_message ADD seq integer NOT NULL` and then edited it in
    place). sqlx refuses to migrate at all once a checksum of an applied file changes.

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
        """Findings for every released migration file changed since the revision."""
        base = ctx.base
        if base is None:
            return
        for migration in ctx.history.migrations:
            for path in migration_files(migration):
                old = base.text_at(path)
                new = ctx.history.texts.get(path)
                if old is None or new is None or old == new:
                    continue
                lines = new.splitlines()
                line = max(1, min(first_difference(old, new), len(lines)))
                offset = sum(len(x) + 1 for x in lines[: line - 1])
                yield self.finding(
                    Span(path, offset, offset, line, 1, line, 1),
                    f"`{migration.label}` existed at {base.rev} and was edited since: every "
                    "database that already applied it never runs the change (runners apply "
                    "a migration once), so they keep the old schema while fresh ones get "
                    "the new one; sqlx refuses to migrate on the changed checksum",
                    help="restore the released text and put the change in a new migration",
                    migration=migration.label,
                )
