"""MG009: a migration released at the base revision has no file under its version now."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Migration
from migrate_lint.span import Span
from migrate_lint.values import value_class

if TYPE_CHECKING:  # git's modules are loaded for --since only
    from migrate_lint.gitbase import BaseMigration


@value_class
class ReleasedMigrationMissing(Facts):
    """``released`` (version ``version``) existed at ``rev`` and no migration has it now
    (``renamed_to``: it was renamed to that one); ``by_name``: the runner records names,
    not versions; ``runner_check`` is what the runner does about it."""

    released: str
    version: str
    rev: str
    runner_check: str
    by_name: bool = False
    renamed_to: str | None = None

    def message(self) -> str:
        """What databases that applied it do next."""
        known = f"`{self.released}`" if self.by_name else f"version {self.version}"
        if self.renamed_to is not None:
            what = (f"was renamed to `{self.renamed_to}`: every database that applied it "
                    f"records {known} and takes `{self.renamed_to}` for a new migration, "
                    "which it runs a second time (or, sorting before the last applied one, "
                    "treats as out of order)")
        else:
            what = (f"is gone: every database that applied it records {known}, which no "
                    "migration has now")
        return f"`{self.released}` existed at {self.rev} and {what}; {self.runner_check}"

    def help(self) -> str:
        """Restore it."""
        return (f"restore `{self.released}` under its released version; put changes in a "
                "new migration")


class AppliedMigrationMissing(Rule):
    """A released migration's version has disappeared: deleted, or renamed to another version.

    ## What it does
    Only with `--since REV` (or `since` in the configuration): reports each migration
    that discovery finds at `REV` and whose version no migration has now: its file
    was deleted, or renamed to another version (then the finding is on the new file
    and names both). Under Prisma, which records migrations by folder name, a
    renamed folder is missing too.

    ## Why is this bad?
    Runners record applied migrations by version. Every database that applied it
    still lists that version: sqlx refuses to start ('previously applied but is
    missing'), golang-migrate refuses when it was a database's last version, Flyway's
    validate fails; goose, dbmate, diesel and drizzle say nothing, and then fresh
    databases never get its changes (deleted), or databases that applied it take the
    new version for a new migration and run it a second time (renamed). The message
    says what the configured runner does.

    ## Example
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    -- migration: 0003_tags.sql
    CREATE TABLE tag (id integer PRIMARY KEY, name text);
    ```

    ## Use instead
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    -- migration: 0002_tags.sql
    CREATE TABLE tag (id integer PRIMARY KEY, name text);
    ```

    The Example fires when `0002_tags.sql` existed at `REV`: keep the released
    version and name; put changes in a new migration.

    ## References
    - https://docs.rs/sqlx/latest/sqlx/migrate/enum.MigrateError.html
    - https://github.com/golang-migrate/migrate/blob/master/FAQ.md
    """

    code = "MG009"
    name = "applied-migration-missing"
    severity = "error"
    anchored_anywhere = True  # the file that took the missing one's place may be unchanged

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for every released version that no migration has now."""
        base = ctx.base
        history = ctx.history
        if base is None or not base.migrations or not history.migrations:
            return
        runner = history.settings.runner
        ident = _by_name if runner.known_by == "name" else _by_version
        now = {ident(m.version, m.label) for m in history.migrations}
        released = {ident(m.version, m.label) for m in base.migrations}
        for old in base.migrations:
            if ident(old.version, old.label) in now:
                continue
            moved = _renamed_to(old, history.migrations, released, ident, ctx)
            anchor = moved if moved is not None else _next_after(old, history.migrations)
            facts = ReleasedMigrationMissing(
                old.label, old.version, base.rev, runner.missing_check,
                by_name=runner.known_by == "name",
                renamed_to=moved.label if moved is not None else None)
            yield self.report(facts, Span.file_start(anchor.path),
                              migration=anchor.label)


def _by_version(version: str, label: str) -> str:
    from migrate_lint.gitbase import version_key

    return version_key(version)


def _by_name(version: str, label: str) -> str:
    return label


def _renamed_to(old: BaseMigration, migrations: tuple[Migration, ...], released: set[str],
                ident: Callable[[str, str], str], ctx: HistoryContext) -> Migration | None:
    """The migration added since (as the runner knows migrations) that carries
    ``old``'s name or its up text."""
    up = old.files[0][1] if old.files else None
    for migration in migrations:
        if ident(migration.version, migration.label) in released:
            continue
        if migration.source.name and migration.source.name == _name(old):
            return migration
        text = ctx.history.texts.get(migration.path)
        if up is not None and text is not None and text == up:
            return migration
    return None


def _name(old: BaseMigration) -> str:
    label = old.label
    return label[len(old.version) + 1:] if label.startswith(old.version + "_") else ""


def _next_after(old: BaseMigration, migrations: tuple[Migration, ...]) -> Migration:
    """The migration that now takes the missing one's place in the order (the last one
    when it was the newest)."""
    from migrate_lint.gitbase import version_key

    key = version_key(old.version)
    numeric = key.isdigit()
    for migration in migrations:
        mine = version_key(migration.version)
        if (int(mine) > int(key)) if numeric and mine.isdigit() else mine > key:
            return migration
    return migrations[-1]
