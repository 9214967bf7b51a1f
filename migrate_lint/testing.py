"""A pytest fixture: a database migrated by migrate-lint, for an application's tests.

In ``conftest.py``::

    from migrate_lint.testing import migrated_db  # noqa: F401 (a fixture)

    @pytest.fixture
    def db(migrated_db):
        return migrated_db("migrations")              # at head
        # migrated_db("migrations", to="0003_tags")   # or at a version

It is not registered as a plugin entry point: importing it loads the applier,
which a test run that never migrates should not pay for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from migrate_lint.applier import apply

__all__ = ["migrated_db"]


@pytest.fixture
def migrated_db(tmp_path: Path) -> Callable[..., Path]:
    """A factory: ``migrated_db(migrations_dir, to=None, **apply_options) -> Path``.

    Each call makes a new database file under the test's temp directory and applies
    the migrations (to head, or up to ``to``) without the lint gate or pre-flight:
    the test wants the schema, not a review.
    """
    made = iter(range(1_000_000))

    def make(migrations_dir: str | Path, to: str | None = None, **options: Any) -> Path:
        db = tmp_path / f"migrated-{next(made)}.db"
        db.write_bytes(b"")  # an empty file is an empty SQLite database
        options.setdefault("force", True)
        options.setdefault("run_preflight", False)
        options.setdefault("keep_backups", 0)
        apply(str(db), str(migrations_dir), to=to, **options)
        return db

    return make
