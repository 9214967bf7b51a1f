"""What each migration runner does around a file's statements: one description per runner.

Read from each runner's source (RUNNERS.md in the shared docs). The rules, the
sandbox and the fixer all read this table; nothing else may spell out a runner's
transaction unit, its drivers' foreign key default or its opt-out marker.

    >>> RUNNERS["drizzle"].transaction, RUNNERS["drizzle"].foreign_keys
    ('batch', True)
    >>> RUNNERS["goose"].pragma_takes_effect, RUNNERS["prisma"].pragma_takes_effect
    (False, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from migrate_lint.values import value_class

# none: every statement autocommits; migration: one transaction per migration;
# batch: one transaction around every pending migration.
Unit = Literal["none", "migration", "batch"]
# file: the marker sits in (or next to) the migration; history: one runner option for
# every file (golang-migrate's x-no-tx-wrap); none: no way out of the transaction.
OptOutScope = Literal["file", "history", "none"]

_OWN_BEGIN = "and put the pragma before your own BEGIN (and `PRAGMA foreign_keys=ON` after COMMIT)"


@value_class
class Runner:
    """One runner's defaults: where its transactions are and how its driver opens SQLite.

    ``wraps`` is the sentence the rules use for "this statement runs inside the
    runner's transaction"; ``{file}`` in it is the migration's file name.
    ``opt_out`` is how a file runs without the runner's transaction (its own
    BEGIN/COMMIT then work), None where it cannot.
    """

    name: str
    transaction: Unit
    foreign_keys: bool  # the driver's default on a fresh connection
    driver: str  # who decides the foreign key default, for messages
    wraps: str
    opt_out: str | None
    opt_out_scope: OptOutScope
    pragma_help: str  # what to do when an in-file PRAGMA foreign_keys does nothing
    # A file that opens its own transaction shows that this one file runs unwrapped
    # (the runner is unknown: its BEGIN would fail otherwise).
    begin_unwraps_file: bool = False
    # What an edit to an applied file means for this runner's checksums (None: nothing).
    edit_note: str | None = None
    # What an ignored in-file PRAGMA foreign_keys leaves, where the driver default is not all.
    pragma_effect: str | None = None
    # What the runner does when an applied file changes (MG005), and when an applied
    # version has no file any more (MG009); every runner of the table says (the generic
    # one: what the known runners do, since it may be any of them).
    edit_check: str = ""
    missing_check: str = ""
    # Whether the runner compares a checksum of applied files and refuses an edit
    # (sqlx, Prisma, Flyway): even fix's own correction then needs the user's step.
    compares_checksums: bool = False
    # How the history table knows an applied migration: by its version (the number or
    # timestamp before the name), or by its whole name (Prisma: the folder name).
    known_by: Literal["version", "name"] = "version"
    # The table the runner keeps its history in, made before the first migration runs
    # (so a migration may read or clean it); None: the runner is unknown.
    history_table: str | None = None
    # What opens a placeholder the runner replaces before SQLite reads a file (Flyway's
    # `${name}`, on by default); None: the runner hands the text over as written.
    placeholder: str | None = None

    @property
    def pragma_takes_effect(self) -> bool:
        """Whether an in-file ``PRAGMA foreign_keys`` works without an opt-out.

        Only where no transaction is open around the file: SQLite ignores the
        pragma inside one.
        """
        return self.transaction == "none"

    @property
    def file_may_own_transaction(self) -> bool:
        """Whether a file (a fix) may run its own BEGIN/COMMIT, with the opt-out marker."""
        return self.transaction == "none" or self.opt_out_scope == "file"


_TABLE = (
    Runner(
        "drizzle", "batch", True, "better-sqlite3, drizzle's usual driver",
        "drizzle's migrator runs every pending migration inside one transaction "
        "(better-sqlite3, bun, expo, D1, durable objects)",
        None, "none",
        "drizzle has no per-file opt-out: write a rebuild that is safe with foreign keys "
        "on (no DROP TABLE of a table that children reference with ON DELETE actions), or "
        "turn foreign keys off on the connection before calling migrate() and run "
        "`PRAGMA foreign_key_check` after it (drizzle + libsql's client.migrate() already "
        "turns them off around the batch, so there the pragma is merely redundant)",
        edit_note="drizzle stores a hash but never compares it: databases where the original "
        "applied keep its schema silently; the new migration brings them to the same end state.",
        pragma_effect="foreign keys stay ON wherever the driver has them on (better-sqlite3's "
        "default; drizzle + libsql turns them off around migrate() itself)",
        edit_check="drizzle stores a hash of each migration but never compares it, so nothing"
        " warns",
        missing_check="drizzle only compares the time of the last applied migration, so it "
        "never notices: databases that applied it keep its changes and fresh "
        "ones never get them",
        history_table="__drizzle_migrations",
    ),
    Runner(
        "prisma", "none", True, "Prisma's engine",
        "Prisma runs every statement on its own", None, "none",
        "run the pragma outside any transaction (and `PRAGMA foreign_keys=ON` after COMMIT)",
        edit_note="Prisma stores a SHA-256 checksum: `prisma migrate dev` will ask to reset "
        "databases where the original applied; on deploy targets where it failed run "
        "`prisma migrate resolve --rolled-back <migration>` and deploy again.",
        compares_checksums=True,
        edit_check="Prisma compares a SHA-256 checksum: `prisma migrate dev` reports the "
        "applied migration as modified and asks to reset the database",
        missing_check="`prisma migrate status` lists it as applied but missing from the "
        "migrations directory, and `prisma migrate dev` asks to reset the "
        "database",
        known_by="name",
        history_table="_prisma_migrations",
    ),
    Runner(
        "diesel", "migration", True, "diesel's bundled SQLite",
        "diesel runs this migration in a transaction "
        "(no `run_in_transaction = false` in metadata.toml)",
        "`run_in_transaction = false` in the migration's metadata.toml", "file",
        f"set `run_in_transaction = false` in the migration's metadata.toml {_OWN_BEGIN}",
        edit_check="diesel keeps no checksum (`__diesel_schema_migrations` holds the version "
        "and time), so nothing warns",
        missing_check="diesel records versions only, so databases that applied it keep its "
        "changes and fresh ones never get them",
        history_table="__diesel_schema_migrations",
    ),
    Runner(
        "sqlx", "migration", True, "sqlx",
        "sqlx (0.8) runs every migration inside a transaction",
        # 0.9 (unreleased) reads `-- no-transaction`; a fix must work on 0.8.
        "`-- no-transaction` on the first line (sqlx 0.9, unreleased)", "none",
        "sqlx 0.8 wraps every migration and has no opt-out (0.9 reads `-- no-transaction` "
        "on the first line): write a rebuild that is safe with foreign keys on, or turn "
        "them off on the pool's connection before migrating",
        edit_note="sqlx stores a SHA-384 checksum of every applied migration and refuses to "
        "start when an applied file changed: the edited migration never applied on populated "
        "databases (it failed), but on databases where it did apply run `sqlx migrate info` "
        "and update `_sqlx_migrations.checksum` for this version, or keep the original file "
        "and rely on the new migration only.",
        compares_checksums=True,
        edit_check="sqlx compares a SHA-384 checksum and refuses to start: 'migration "
        "<version> was previously applied but has been modified'",
        missing_check="sqlx refuses to start: 'migration <version> was previously applied but"
        " is missing in the resolved migrations' (unless the application calls "
        "`set_ignore_missing(true)`)",
        history_table="_sqlx_migrations",
    ),
    Runner(
        "goose", "migration", False, "the Go SQLite drivers",
        "goose runs this migration in a transaction (no `-- +goose NO TRANSACTION`)",
        "`-- +goose NO TRANSACTION`", "file",
        f"add `-- +goose NO TRANSACTION` {_OWN_BEGIN}",
        edit_check="goose keeps no checksum (`goose_db_version` holds versions), so nothing "
        "warns",
        missing_check="goose does not notice on `up` (it looks only for unapplied files older"
        " than the last applied version): databases that applied it keep its "
        "changes and fresh ones never get them",
        history_table="goose_db_version",
    ),
    Runner(
        "golang-migrate", "migration", False, "the Go SQLite drivers",
        "golang-migrate runs each migration file in a transaction",
        "`x-no-tx-wrap=true` on the database URL, for every file", "history",
        f"use `x-no-tx-wrap=true` {_OWN_BEGIN}",
        edit_check="golang-migrate keeps no checksum (`schema_migrations` holds the last "
        "version and a dirty flag), so nothing warns",
        missing_check="golang-migrate stores only the last applied version and refuses to "
        "migrate ('no migration found for version <version>') on every database"
        " whose last applied version it was; elsewhere nothing warns and fresh "
        "databases never get its changes",
        history_table="schema_migrations",
    ),
    Runner(
        "dbmate", "migration", False, "the Go SQLite drivers",
        "dbmate runs this migration in a transaction (no `-- migrate:up transaction:false`)",
        "`-- migrate:up transaction:false`", "file",
        f"use `-- migrate:up transaction:false` {_OWN_BEGIN}",
        edit_check="dbmate keeps no checksum (`schema_migrations` holds versions), so nothing"
        " warns",
        missing_check="dbmate records versions only, so databases that applied it keep its "
        "changes and fresh ones never get them",
        history_table="schema_migrations",
    ),
    Runner(
        "flyway", "migration", False, "the SQLite JDBC driver",
        "Flyway runs this migration in a transaction "
        "(no `executeInTransaction=false` in {file}.conf)",
        "`executeInTransaction=false` in `<file>.sql.conf`", "file",
        f"add `<file>.sql.conf` with `executeInTransaction=false` {_OWN_BEGIN}",
        edit_note="Flyway validates CRC32 checksums: run `flyway repair` on databases where "
        "the original applied before the next migrate.",
        compares_checksums=True,
        edit_check="Flyway's validate fails on the changed CRC32 checksum until `flyway "
        "repair`",
        missing_check="Flyway's validate fails ('Detected applied migration not resolved "
        "locally') unless `ignoreMigrationPatterns` includes `*:missing`",
        history_table="flyway_schema_history",
        placeholder="${",
    ),
    Runner(
        # Layout alone, runner unknown: wrapped per file like most runners, unless the
        # file opens its own transaction (then it evidently runs unwrapped, or its BEGIN
        # would fail with "cannot start a transaction within a transaction").
        "generic", "migration", False, "plain SQLite",
        "the runner is assumed to run each migration in a transaction, as goose, "
        "golang-migrate, dbmate, diesel, sqlx and drizzle do (set `runner` or "
        "`transaction` in the configuration if yours does not)",
        None, "none",
        "run the pragma outside any transaction: before BEGIN, in a migration the "
        "runner does not wrap (and `PRAGMA foreign_keys=ON` after COMMIT)",
        begin_unwraps_file=True,
        edit_check="the runner is unknown: sqlx refuses to start on the changed checksum, "
        "Prisma asks to reset the database, Flyway's validate fails, others never notice "
        "(set `runner` to know which)",
        missing_check="the runner is unknown: sqlx refuses to start, golang-migrate refuses "
        "when it was a database's last version, Flyway's validate fails, others never "
        "notice (set `runner` to know which)",
    ),
)

RUNNERS: Mapping[str, Runner] = MappingProxyType({r.name: r for r in _TABLE})
RUNNER_NAMES: tuple[str, ...] = tuple(RUNNERS)


def made_by_runner(runner: Runner, table: str) -> bool:
    """Whether ``table`` is the history table ``runner`` makes before running the first
    migration (for an unknown runner: any known runner's), so that a migration finds it.

    >>> made_by_runner(RUNNERS["goose"], "GOOSE_DB_VERSION"), made_by_runner(RUNNERS["goose"], "t")
    (True, False)
    >>> made_by_runner(RUNNERS["generic"], "schema_migrations")
    True
    """
    low = table.lower()
    if runner.history_table is not None:
        return low == runner.history_table.lower()
    return any(r.history_table is not None and low == r.history_table.lower() for r in _TABLE)
