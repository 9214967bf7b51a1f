"""`migrate-lint apply`, `status` and `new`: migrate-lint as the migration runner."""

from __future__ import annotations

import click

from migrate_lint.config import load_config
from migrate_lint.source import LAYOUTS, RUNNERS

_DB = click.option("--db", "database", required=True, metavar="DB",
                   type=click.Path(path_type=str), help="The SQLite database file.")
_LAYOUT = click.option("--layout", type=click.Choice(LAYOUTS),
                       help="Migration layout (default: detect).")
_RUNNER = click.option("--runner", type=click.Choice(RUNNERS),
                       help="Whose history table to adopt (default: inferred from the layout).")


def _root(directory: str | None) -> str:
    return directory or load_config(None).path


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=str))
@_DB
@click.option("--to", metavar="VERSION", help="Stop after this migration.")
@click.option("--force", is_flag=True,
              help="Apply even when the lint gate or the pre-flight reports errors.")
@click.option("--no-preflight", is_flag=True, help="Skip the pre-flight on a copy.")
@click.option("--accept-edited", is_flag=True,
              help="Record the new checksums of edited applied migrations instead of "
                   "refusing (like `flyway repair`).")
@click.option("--dry-run", is_flag=True, help="Do everything on a copy; the database is untouched.")
@click.option("--backup-dir", metavar="DIR", type=click.Path(path_type=str),
              help="Where backups go (default: beside the database).")
@click.option("--keep-backups", default=5, show_default=True, type=click.IntRange(min=0),
              help="How many backups to keep (0: take none).")
@click.option("--busy-timeout", default=5.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds to wait for another process's lock on the database.")
@_LAYOUT
@_RUNNER
def apply(directory: str | None, database: str, to: str | None, force: bool,
          no_preflight: bool, accept_edited: bool, dry_run: bool, backup_dir: str | None, keep_backups: int,
          busy_timeout: float, layout: str | None, runner: str | None) -> None:
    """Apply the pending migrations of DIRECTORY to the database, each in its own transaction.

    Exit 0 when everything applied, 1 when a migration failed (it was rolled back),
    2 when nothing could start (bad input, a locked database, a refused start).
    """
    from migrate_lint.applier import ApplyFailed
    from migrate_lint.applier import apply as run_apply

    try:
        result = run_apply(database, _root(directory), to=to, force=force,
                           run_preflight=not no_preflight, dry_run=dry_run,
                           backup_dir=backup_dir, keep_backups=keep_backups,
                           busy_timeout=busy_timeout, layout=layout, runner=runner,
                           accept_edited=accept_edited)
    except ApplyFailed as failed:
        for label in failed.applied:
            click.echo(f"applied {label}")
        click.echo(str(failed), err=True)
        raise click.exceptions.Exit(1) from None
    if result.adopted_from:
        click.echo(f"adopted {result.already} applied migration(s) from `{result.adopted_from}`")
    if result.backup:
        click.echo(f"backup: {result.backup}")
    for label in result.applied:
        click.echo(f"{'would apply' if result.dry_run else 'applied'} {label}")
    if not result.applied:
        click.echo(f"{database}: up to date ({result.already} applied)")


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=str))
@_DB
@_LAYOUT
@_RUNNER
def status(directory: str | None, database: str, layout: str | None,
           runner: str | None) -> None:
    """List applied, pending, edited and missing migrations; exit 1 on edited or missing."""
    from migrate_lint.applier import status as read_status

    found = read_status(database, _root(directory), layout=layout, runner=runner)
    table = f"`{found.table}` ({found.owner})" if found.table else "none (nothing applied)"
    click.echo(f"history table: {table}")
    edited = set(found.edited)
    for label in found.applied:
        click.echo(f"{'edited ' if label in edited else 'applied'} {label}")
    for label in found.pending:
        click.echo(f"pending {label}")
    for key in found.missing:
        click.echo(f"missing {key}")
    for key in found.failed:
        click.echo(f"failed  {key}")
    if found.edited or found.missing or found.failed:
        raise click.exceptions.Exit(1)


@click.command()
@click.argument("name")
@click.option("--dir", "directory", metavar="DIR", type=click.Path(path_type=str),
              help="The migrations directory (default: the configured one).")
def new(name: str, directory: str | None) -> None:
    """Write a new, empty migration NAME in the layout of the migrations directory."""
    from migrate_lint.scaffold import new_migration

    for path in new_migration(_root(directory), name):
        click.echo(path)
