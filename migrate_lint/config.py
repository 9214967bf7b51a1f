"""Settings: `[tool.migrate-lint]` in pyproject.toml or `.migrate-lint.toml`, and flags."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SQLITE_VERSION = (3, 40)


@dataclass(frozen=True)
class Config:
    """Everything a run is configured with; the CLI merges flags over the file."""

    path: str = "migrations"
    layout: str | None = None
    runner: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "warning"
    sqlite_version: tuple[int, int] = DEFAULT_SQLITE_VERSION
    severity: tuple[tuple[str, str], ...] = ()  # per-rule overrides (code, severity)
    sql_functions: tuple[str, ...] = ()  # functions the application registers at run time
    insert_paths: tuple[str, ...] = ()
    insert_exclude: tuple[str, ...] = ()
    source: str | None = field(default=None, compare=False)  # file the settings came from
