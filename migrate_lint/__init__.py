"""migrate-lint: lint SQLite migration histories before they reach users' databases.

Besides the CLI, two functions for applications and test suites (imported lazily,
so ``import migrate_lint`` stays cheap):

- `apply` applies pending migrations to a database, each in its own transaction,
  after the lint gate and a pre-flight on a copy (`migrate_lint.applier.apply`);
- `preflight` runs the pending migrations on a copy of a database and reports what
  its data makes of them (`migrate_lint.against.preflight`).

``migrate_lint.testing`` holds a pytest fixture giving a test a migrated database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrate_lint.version import __version__

if TYPE_CHECKING:
    from migrate_lint.against import Preflight
    from migrate_lint.applier import ApplyResult

__all__ = ["__version__", "apply", "preflight"]


def apply(
    db_path: str,
    migrations_dir: str,
    *,
    to: str | None = None,
    force: bool = False,
    run_preflight: bool = True,
    dry_run: bool = False,
    backup_dir: str | None = None,
    keep_backups: int = 5,
    busy_timeout: float = 5.0,
    layout: str | None = None,
    runner: str | None = None,
    accept_edited: bool = False,
) -> ApplyResult:
    """Apply the pending migrations of ``migrations_dir`` to ``db_path`` (up to ``to``).

    Each migration runs in its own ``BEGIN IMMEDIATE`` transaction with foreign keys
    off and a ``foreign_key_check`` before ``COMMIT``; see `migrate_lint.applier.apply`
    for every option. Raises ``MigrateLintError`` when it cannot start (a bad or locked
    database, edited or missing applied migrations, lint errors or a failing
    pre-flight without ``force``) and ``ApplyFailed`` when a migration fails (it is
    rolled back).

        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> os.mkdir(os.path.join(folder, "migrations"))
        >>> with open(os.path.join(folder, "migrations", "0001_init.sql"), "w") as f:
        ...     _ = f.write("CREATE TABLE t (id integer PRIMARY KEY);")
        >>> db = os.path.join(folder, "app.db")
        >>> open(db, "wb").close()
        >>> apply(db, os.path.join(folder, "migrations"), keep_backups=0).applied
        ('0001_init',)
    """
    from migrate_lint.applier import apply as run

    return run(db_path, migrations_dir, to=to, force=force, run_preflight=run_preflight,
               dry_run=dry_run, backup_dir=backup_dir, keep_backups=keep_backups,
               busy_timeout=busy_timeout, layout=layout, runner=runner,
               accept_edited=accept_edited)


def preflight(
    db_path: str,
    migrations_dir: str,
    *,
    layout: str | None = None,
    runner: str | None = None,
    tmp_dir: str | None = None,
    redact: bool = False,
) -> Preflight:
    """Run the pending migrations of ``migrations_dir`` on a copy of ``db_path``.

    The original is opened read-only; the copy is deleted before returning. The
    result's ``findings`` (DB001-DB005) say what failed or was lost, ``match`` what
    is applied and pending; see `migrate_lint.against.preflight`.
    """
    from migrate_lint.against import preflight as run

    return run(db_path, migrations_dir, layout=layout, runner=runner, tmp_dir=tmp_dir,
               redact=redact)
