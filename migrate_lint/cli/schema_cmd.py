"""`migrate-lint schema`: print the replayed schema, or where a table or column came from."""

from __future__ import annotations

import json

import click

from migrate_lint.cli.connection_opts import (
    connection_options,
    merge_connection,
    settings_text,
)
from migrate_lint.config import configs_for
from migrate_lint.errors import MigrateLintError
from migrate_lint.pipeline import gc_paused, load_history
from migrate_lint.render import blame, schema_data, schema_sql
from migrate_lint.replay import Timeline, replay
from migrate_lint.settings import Requested
from migrate_lint.source import LAYOUTS, RUNNERS
from migrate_lint.verify import verify as verify_history


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=str))
@click.option("--at", "at_version", metavar="VERSION",
              help="Show the schema right after this migration (version or full name).")
@click.option("--format", "fmt", type=click.Choice(["sql", "json", "mermaid", "dot"]),
              default="sql", show_default=True,
              help="Output format: mermaid and dot draw an ER diagram with foreign keys.")
@click.option("--blame", "blame_target", metavar="TABLE[.COLUMN]",
              help="Print every statement that created or changed this table or column.")
@click.option("--layout", type=click.Choice(LAYOUTS), help="Migration layout (default: detect).")
@click.option("--verify", is_flag=True,
              help="Apply the history to an in-memory SQLite as its runner would and check "
                   "that the model agrees with it after every migration.")
@click.option("--runner", type=click.Choice(RUNNERS),
              help="Migration runner (default: inferred from the layout).")
@connection_options
@click.option("--config", "config_file", type=click.Path(path_type=str),
              help="Configuration file (default: the nearest .migrate-lint.toml or "
                   "pyproject.toml to DIRECTORY).")
@click.option("--show-settings", is_flag=True,
              help="Print the layout, runner, foreign keys, transaction mode and functions, "
                   "and where each came from; then exit.")
def schema(directory: str | None, at_version: str | None, fmt: str,
           blame_target: str | None, layout: str | None, verify: bool, runner: str | None,
           foreign_keys: str | None, transaction: str | None,
           functions: tuple[str, ...], config_file: str | None, show_settings: bool) -> None:
    """Print the schema after the history in DIRECTORY (default: the configured
    `path`, else migrations/).

    The schema is the replayed model: what every table, column, index, trigger and
    view looks like after the last migration (or after VERSION with --at), each with
    the migration that created or last changed it.
    """
    # The configuration nearest to the directory (a monorepo package's own file).
    nearest, _ = configs_for([directory] if directory else [], config_file)[0]
    config = merge_connection(nearest.merged(layout=layout, runner=runner),
                              foreign_keys, transaction, functions)
    directory = directory or config.path
    history = load_history(directory, requested=Requested.from_config(config))
    if show_settings:
        click.echo(settings_text([(directory, history.settings)]), nl=False)
        return
    upto = None
    if at_version is not None:
        index = history.find(at_version)
        if index is None:
            known = ", ".join(m.version for m in history.migrations[-5:])
            raise MigrateLintError(
                f"{directory}: no migration with version {at_version!r} "
                f"(the last ones are {known}); pass a version or a full migration name"
            )
        upto = index + 1
    with gc_paused():
        timeline = replay(history, upto)
    if verify:
        _verify(timeline)
        return
    if blame_target is not None:
        table, _, column = blame_target.partition(".")
        lines = blame(timeline, table, column or None)
        if lines is None:
            what = f"column {blame_target}" if column else f"table {table}"
            raise MigrateLintError(f"{directory}: {what} never exists in this history")
        if fmt == "json":
            click.echo(json.dumps({"target": blame_target, "changes": lines}, indent=2))
        else:
            click.echo("\n".join(lines))
        return
    if fmt == "json":
        click.echo(json.dumps(schema_data(timeline.final), indent=2))
    elif fmt in ("mermaid", "dot"):
        from migrate_lint import diagram

        draw = diagram.mermaid if fmt == "mermaid" else diagram.dot
        click.echo(draw(timeline.final), nl=False)
    else:
        click.echo(schema_sql(timeline.final), nl=False)


def _verify(timeline: Timeline) -> None:
    """Print whether the model agrees with SQLite; exit 1 where it does not.

    The sandbox runs on the connection the history's settings describe.
    """
    result = verify_history(timeline)
    if result.ok:
        click.echo(f"the model agrees with SQLite after each of {result.total} migrations")
        return
    if result.code_migration:
        more = (f" (or one of the {result.code_migrations - 1} code migrations after it)"
                if result.code_migrations > 1 else "")
        click.echo(f"the model agrees with SQLite after each of {result.migrations} of "
                   f"{result.total} migrations; {result.label} cannot be compared: SQLite "
                   f"refused it ({result.failure}) for want of what code migration "
                   f"{result.code_migration}{more} makes, and neither the tool nor its "
                   "sandbox runs code migrations")
        return
    if result.unknown_function:
        click.echo(f"{result.failure}\nSQLite has no function {result.unknown_function}(): "
                   "if the application registers it at run time, pass --sql-function "
                   f"{result.unknown_function} (or add it to `sql-functions` in the config)",
                   err=True)
    elif result.failure:
        click.echo(f"SQLite refused migration {result.label}: {result.failure}", err=True)
    else:
        click.echo(f"the model and SQLite disagree after {result.label} "
                   f"(please report it):\n{result.difference}", err=True)
    raise click.exceptions.Exit(1)
