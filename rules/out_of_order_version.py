"""MG004: a migration added since the base revision that sorts before an existing one."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.span import Span
from migrate_lint.values import value_class


@value_class
class AddedOutOfOrder(Facts):
    """``migration``, added after ``rev``, sorts before ``latest`` (version
    ``latest_version``), which existed there."""

    migration: str
    rev: str
    latest: str
    latest_version: str

    def message(self) -> str:
        """Applied out of order, or never."""
        return (f"`{self.migration}` was added after {self.rev} but sorts before "
                f"`{self.latest}`, which existed there: on every database already migrated "
                f"to `{self.latest}` it is applied out of order, or never (drizzle and "
                "golang-migrate apply only versions newer than the last one applied)")

    def help(self) -> str:
        """Renumber it."""
        return f"renumber it after `{self.latest_version}` (the newest released migration)"


class OutOfOrderVersion(Rule):
    """A new migration whose version sorts before one that was already released.

    ## What it does
    Only with `--since REV` (or `since` in the configuration): reports each migration
    added since `REV` that the runner orders before the last migration that already
    existed at `REV` (typically a branch merged after a newer migration shipped).

    ## Why is this bad?
    Fresh databases apply it in order, but every database already migrated to the
    newer migration applies it out of order, or never: drizzle and golang-migrate only
    apply migrations newer than the last one applied, so the change silently never
    reaches those databases, while the schema the application expects assumes it did.

    ## Example
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    -- migration: 0003_c.sql
    ALTER TABLE t ADD c text;
    -- migration: 0002_b.sql
    ALTER TABLE t ADD b text;
    ```

    ## Use instead
    ```sql
    CREATE TABLE t (id integer PRIMARY KEY);
    -- migration: 0003_c.sql
    ALTER TABLE t ADD c text;
    -- migration: 0004_b.sql
    ALTER TABLE t ADD b text;
    ```

    The Example fires when `0001` and `0003` existed at `REV` and `0002` was added
    after it; give the new migration a version after every released one.

    ## References
    - https://www.sqlite.org/lang_altertable.html
    """

    code = "MG004"
    name = "out-of-order-version"
    severity = "error"

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """Findings for every new migration ordered before a released one."""
        base = ctx.base
        if base is None:
            return
        migrations = ctx.history.migrations
        existed = [base.migration_existed(m) for m in migrations]
        if not any(existed):
            return
        last = max(i for i, flag in enumerate(existed) if flag)
        latest = migrations[last]
        for index in range(last):
            if existed[index]:
                continue
            migration = migrations[index]
            facts = AddedOutOfOrder(migration.label, base.rev, latest.label, latest.version)
            yield self.report(facts, Span.file_start(migration.path),
                              migration=migration.label,
                              related=[Related(f"`{latest.label}` existed at {base.rev}",
                                               Span.file_start(latest.path))])
