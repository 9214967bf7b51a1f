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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from migrate_lint.against import Preflight
    from migrate_lint.applier import ApplyResult

__version__ = "0.1.0"
__all__ = ["__version__", "apply", "preflight"]


def apply(db_path: str, migrations_dir: str, **options: Any) -> ApplyResult:
    """Apply the pending migrations of ``migrations_dir`` to ``db_path``.

    ``options`` are those of `migrate_lint.applier.apply`: ``to``, ``force``,
    ``run_preflight``, ``dry_run``, ``backup_dir``, ``keep_backups``,
    ``busy_timeout``, ``layout``, ``runner``. Raises ``MigrateLintError`` when it
    cannot start and ``ApplyFailed`` when a migration fails (it is rolled back).
    """
    from migrate_lint.applier import apply as run

    return run(db_path, migrations_dir, **options)


def preflight(db_path: str, migrations_dir: str, **options: Any) -> Preflight:
    """Run the pending migrations on a copy of ``db_path``; the findings say what failed.

    ``options`` are those of `migrate_lint.against.preflight`: ``layout``,
    ``runner``, ``tmp_dir``, ``redact``.
    """
    from migrate_lint.against import preflight as run

    return run(db_path, migrations_dir, **options)
