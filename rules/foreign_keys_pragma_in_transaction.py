"""RB001: ``PRAGMA foreign_keys`` where a transaction is open, so it does nothing."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.claims import PragmaMatters
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import Statement, StatementKind
from migrate_lint.values import value_class

from ._rebuild import (
    foreign_key_state,
    own_transaction,
    pragma_is_ignored,
    pragma_of,
    pragma_setting,
)

_OWN_HELP = ("move `PRAGMA foreign_keys=OFF` before BEGIN and `PRAGMA foreign_keys=ON` after "
             "COMMIT, where the pragma takes effect")


@value_class
class PragmaIgnored(Facts):
    """``PRAGMA foreign_keys=value`` inside the ``runner``'s transaction (``reason``),
    so SQLite ignores it; ``effect`` is what the connection keeps, ``remedy`` what
    works, ``more`` how many other such pragmas the migration has."""

    value: str
    runner: str
    reason: str
    effect: str
    remedy: str
    more: int = 0

    def message(self) -> str:
        """It does nothing, and foreign keys stay as they are."""
        more = (f" (and {self.more} more ignored `PRAGMA foreign_keys=OFF` in this migration)"
                if self.more else "")
        return (f"`PRAGMA foreign_keys={self.value}` does nothing: {self.reason}, and SQLite "
                f"ignores this pragma inside a transaction; {self.effect}{more}")

    def help(self) -> str:
        """What works under this runner."""
        return self.remedy


class ForeignKeysPragmaInTransaction(Rule):
    """`PRAGMA foreign_keys` inside a transaction: SQLite silently ignores it.

    ## What it does
    Reports a `PRAGMA foreign_keys = OFF` that runs while a transaction is open:
    after the file's own `BEGIN` (or `SAVEPOINT`), or anywhere in a migration that
    the runner wraps in a transaction. One finding per migration, at the first such
    pragma. An ignored `PRAGMA foreign_keys = ON` is not reported: the pragma holds
    for the migration's connection only, so where the connection turns foreign keys
    on it asks for what is already so, and where it does not, the migration runs as
    every other one does. Runners (see RUNNERS.md): drizzle runs *all* pending migrations in one
    transaction (no opt-out); sqlx 0.8 wraps every migration; goose, dbmate, diesel
    and golang-migrate wrap each file unless it opts out (`-- +goose NO
    TRANSACTION`, `transaction:false`, `run_in_transaction = false`,
    `x-no-tx-wrap`); Prisma autocommits every statement, so the pragma works there.
    With the `generic` runner (layout only) a file is assumed to be wrapped unless
    it opens its own transaction. A file that ends the runner's transaction with its
    own `COMMIT` first (homarr's drizzle files: `COMMIT; PRAGMA foreign_keys=OFF;
    BEGIN`) runs what follows outside it, so its pragma takes effect. The
    connection settings (`transaction`, `foreign-keys` in the configuration, see
    `check --show-settings`) override the runner's defaults; with foreign keys
    stated off the pragma changes nothing and is not reported.

    ## Why is this bad?
    SQLite documents that `PRAGMA foreign_keys` is a no-op inside a transaction, and
    it raises no error. The migration then runs with foreign keys as the connection
    has them: ON by default under better-sqlite3 (drizzle), sqlx, Prisma's engine
    and bundled rusqlite (diesel). A table rebuild that relied on the pragma then
    runs `ON DELETE CASCADE` / `SET NULL` on every child table when it drops the old
    table (RB002), or fails with "FOREIGN KEY constraint failed". Under drizzle +
    libsql the client turns foreign keys off around `migrate()`, so there the
    pragma is redundant rather than harmful; with better-sqlite3, bun, expo or D1 it
    does nothing.

    ## Example
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    -- migration
    BEGIN;
    PRAGMA foreign_keys=OFF;
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
    INSERT INTO project_new (id, name) SELECT id, coalesce(name, '') FROM project;
    DROP TABLE project;
    ALTER TABLE project_new RENAME TO project;
    COMMIT;
    PRAGMA foreign_keys=ON;
    ```

    ## Use instead
    ```sql
    CREATE TABLE project (id integer PRIMARY KEY, name text);
    -- migration
    PRAGMA foreign_keys=OFF;
    BEGIN;
    CREATE TABLE project_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
    INSERT INTO project_new (id, name) SELECT id, coalesce(name, '') FROM project;
    DROP TABLE project;
    ALTER TABLE project_new RENAME TO project;
    PRAGMA foreign_key_check;
    COMMIT;
    PRAGMA foreign_keys=ON;
    ```

    ## Confirmation
    An ignored `PRAGMA foreign_keys=OFF` is reported only when running the migration
    on synthetic rows ends differently with foreign keys on (as it runs) than off (as
    meant): a cascade, a failed copy or DROP. A rebuild that no foreign key can
    notice is not reported.

    ## References
    - https://www.sqlite.org/pragma.html#pragma_foreign_keys
    - https://www.sqlite.org/foreignkeys.html#fk_enable
    - https://www.sqlite.org/lang_altertable.html#otheralter
    """

    code = "RB001"
    name = "foreign-keys-pragma-in-transaction"
    severity = "error"
    kinds = frozenset({StatementKind.PRAGMA})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """The finding for the first ignored ``PRAGMA foreign_keys=OFF`` of a migration."""
        pragma = pragma_of(stmt)
        if pragma is None or pragma.name != "foreign_keys" or pragma.on is not False:
            # an ignored ON asks for foreign keys during the migration only (the pragma
            # is per connection): where the connection turns them on it is redundant,
            # and where it does not, the migration runs as all the others do
            return
        timeline = ctx.timeline
        settings = timeline.history.settings
        reason = pragma_is_ignored(timeline, ctx.step_index)
        if reason is None:
            return
        start = timeline.boundaries[ctx.migration_index]
        end = timeline.boundaries[ctx.migration_index + 1]
        ignored = []
        for index in range(start, end):
            if (pragma_setting(timeline.steps[index].statement, "foreign_keys") is False
                    and pragma_is_ignored(timeline, index) is not None):
                ignored.append(index)
        if ignored[0] != ctx.step_index:
            return  # one finding per migration, at its first ignored OFF
        if not foreign_key_state(timeline, ctx.step_index).may_be_on:
            return  # the connection has foreign keys off: the pragma changes nothing
        runner = settings.runner
        own = own_transaction(timeline, ctx.migration_index, ctx.step_index) is not None
        if own:
            effect = "foreign keys stay as the connection has them"
        elif settings.foreign_keys_from.kind != "default":
            effect = f"foreign keys stay ON (`foreign-keys = on`, {settings.foreign_keys_from})"
        elif runner.pragma_effect is not None:
            effect = runner.pragma_effect
        elif settings.foreign_keys:
            effect = f"foreign keys stay ON ({runner.driver} turns them on)"
        else:
            effect = ("foreign keys stay ON on every database whose connection enables them")
        facts = PragmaIgnored(pragma.value or "", runner.name, reason, effect,
                              _OWN_HELP if own else runner.pragma_help, len(ignored) - 1)
        # An ignored OFF matters only where the migration ends otherwise than it would
        # with foreign keys off: SQLite is asked (drizzle-kit writes this pragma around
        # every rebuild, most of which no foreign key can notice).
        yield self.report(facts, stmt.span, claim=PragmaMatters())
