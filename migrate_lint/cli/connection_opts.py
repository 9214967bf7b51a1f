"""The connection flags `check`, `fix` and `schema` share, and how settings are printed.

One definition so the three commands accept the same spellings and merge them over
the configuration file the same way (flag over file over inference over default).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from migrate_lint.config import Config, parse_on_off
from migrate_lint.settings import TRANSACTIONS, Settings

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(func: F) -> F:
    """Add ``--foreign-keys``, ``--transaction`` and ``--sql-function`` to a command."""
    options = (
        click.option("--foreign-keys", "foreign_keys", type=click.Choice(["on", "off"]),
                     help="Whether the migration connection has foreign keys on "
                          "(default: the runner's driver default)."),
        click.option("--transaction", type=click.Choice(TRANSACTIONS),
                     help="Where the runner puts transactions: none, one per migration, "
                          "one for the whole batch, or file (the files' own BEGIN/COMMIT); "
                          "default: the runner's, or what the files show."),
        click.option("--sql-function", "functions", multiple=True, metavar="NAME",
                     help="A SQL function the application registers at run time "
                          "(repeatable; added to `sql-functions` in the config)."),
    )
    for option in reversed(options):
        func = option(func)
    return func


def merge_connection(config: Config, foreign_keys: str | None, transaction: str | None,
                     functions: Sequence[str]) -> Config:
    """``config`` with the connection flags applied over the file's values.

    ``--sql-function`` adds to the file's `sql-functions` rather than replacing them.
    """
    return config.merged(
        foreign_keys=None if foreign_keys is None else parse_on_off(foreign_keys,
                                                                    "--foreign-keys"),
        transaction=transaction,
        flag_functions=tuple(dict.fromkeys(functions)) or None,
    )


def settings_text(pairs: Sequence[tuple[str, Settings]]) -> str:
    """``settings for ROOT:`` and one indented line per setting, for every history."""
    out = []
    for root, settings in pairs:
        out.append(f"settings for {root}:")
        out.extend(f"  {line}" for line in settings.lines())
    return "\n".join(out) + "\n" if out else ""
