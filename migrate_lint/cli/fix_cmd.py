"""`migrate-lint fix`: plan, prove and (with --write) write fix migrations.

The only place the fix generator's results are printed. Plans whose proof failed,
or that were refused, are reported and never written.
"""

from __future__ import annotations

import os
import sys

import click

from migrate_lint.cli.codes import rule_codes
from migrate_lint.cli.connection_opts import connection_options, merge_connection
from migrate_lint.cli.terminal import color_diff, use_color
from migrate_lint.config import load_config
from migrate_lint.errors import MigrateLintError
from migrate_lint.fix.model import FileChange, FixPlan, Options
from migrate_lint.fix.planner import plan_fixes
from migrate_lint.fix.write import diff, recover, write_all
from migrate_lint.gitbase import verify_revision
from migrate_lint.registry import validate
from migrate_lint.source import RUNNERS


def _split_set(value: str) -> tuple[str, str, str]:
    target, sep, expr = value.partition("=")
    table, dot, column = target.partition(".")
    if not sep or not dot or not table or not column or not expr.strip():
        raise MigrateLintError(f"--set {value}: expected TABLE.COLUMN=SQL-EXPR")
    return table.strip(), column.strip(), expr.strip()


def _split_column(value: str) -> tuple[str, str]:
    table, dot, column = value.partition(".")
    if not dot or not table or not column:
        raise MigrateLintError(f"--writers-omit {value}: expected TABLE.COLUMN")
    return table.strip(), column.strip()


def _show(plan: FixPlan, write: bool, color: bool) -> None:
    s = plan.situation
    where = f"`{s.table}.{s.column}`"
    if plan.refused:
        click.echo(f"{s.code} {where}: refused: {plan.refused}")
        return
    state = "ready" if plan.ok else "NOT written (a check failed)"
    click.echo(f"{s.code} {where}: {plan.title} [{state}]")
    for note in plan.notes:
        click.echo(f"  note: {note}")
    for change in plan.files:
        if change.old_text is not None:
            click.echo(f"--- edit {change.path}")
            shown = diff(change)
            click.echo(color_diff(shown) if color else shown, nl=False, color=color)
        else:
            click.echo(f"--- new {change.path}")
            if not write:
                click.echo(change.text, nl=not change.text.endswith("\n"))
    for check in plan.checks:
        click.echo(f"  {check}")
    for check in plan.failed_checks:
        click.echo(f"check {check.name} failed on `{check.table or s.table}`: {check.reason}",
                   err=True)


@click.command("fix")
@click.argument("directory", default="migrations", type=click.Path(file_okay=False))
@click.option("--write", is_flag=True, help="Write the planned files (default: dry run).")
@click.option("--select", "select", default="", help="Comma-separated codes to fix.")
@click.option("--set", "sets", multiple=True, metavar="TABLE.COLUMN=SQL-EXPR",
              help="Default or backfill expression for a column.")
@click.option("--force", is_flag=True, help="Insist on --set even where it is unsafe (NN006).")
@click.option("--since", default=None, metavar="REV",
              help="Git revision: migrations not new since REV may already have applied.")
@click.option("--writers-omit", "writers_omit", multiple=True, metavar="TABLE.COLUMN",
              help="Older writers insert without this column (NN002 end-state fix).")
@click.option("--insert-paths", "insert_paths", multiple=True, metavar="PATH",
              help="Application sources: inserts that omit a required column are NN002.")
@click.option("--writers-from", default=None, metavar="REV",
              help="Also read --insert-paths at this git revision (older writers).")
@click.option("--alternative", type=click.Choice(["trigger", "nullable"]), default="trigger",
              help="What to offer instead of a constant default under a UNIQUE key.")
@click.option("--layout", default=None, help="Override the detected layout.")
@click.option("--runner", type=click.Choice(RUNNERS), default=None,
              help="Override the runner inferred from the layout.")
@connection_options
@click.option("--config", "config_file", type=click.Path(path_type=str),
              help="Configuration file (default: found from DIRECTORY).")
@click.option("--no-color", is_flag=True, help="Never colour the diffs.")
def fix(directory: str, write: bool, select: str, sets: tuple[str, ...], force: bool,
        since: str | None, writers_omit: tuple[str, ...], insert_paths: tuple[str, ...],
        writers_from: str | None, alternative: str,
        layout: str | None, runner: str | None, foreign_keys: str | None,
        transaction: str | None, functions: tuple[str, ...], config_file: str | None,
        no_color: bool) -> None:
    """Plan verified fixes for every fixable finding in DIRECTORY.

    Without --write, prints each planned migration and the checks it passed. The
    connection settings (runner, foreign keys, transaction, functions) are the ones
    `check` uses: the configuration file's, with these flags over it.
    """
    if os.path.isdir(directory):
        recovered = recover(directory)
        if recovered:
            click.echo(recovered, err=True)
    if since is not None:
        verify_revision(directory, since)
    # As check reads them: an unknown code, in the flag or in the configuration file,
    # exits 2 (none named: no rule registry to load).
    codes = rule_codes(select, "--select")
    config = validate(load_config(config_file, start=None if config_file else directory))
    config = merge_connection(config.merged(layout=layout, runner=runner), foreign_keys,
                              transaction, functions)
    options = Options(
        select=frozenset(codes),
        sets=tuple(_split_set(v) for v in sets),
        force=force,
        since=since,
        writers_omit=tuple(_split_column(v) for v in writers_omit),
        alternative=alternative,
        insert_paths=insert_paths,
        writers_from=writers_from,
    )
    plans = plan_fixes(directory, options, config=config)
    if not plans:
        click.echo("nothing to fix")
        return
    color = use_color(no_color, sys.stdout, os.environ)
    for plan in plans:
        _show(plan, write, color)
    ready, held = _writable(plans)
    for plan in held:
        click.echo(f"{plan.situation.code} `{plan.situation.table}.{plan.situation.column}`: "
                   f"{plan.title}: not written, because another fix of the same column "
                   "was refused or failed its proof (both or neither)", err=True)
    if write and ready:
        changes: dict[str, FileChange] = {}
        for plan in ready:
            for change in plan.files:
                changes[change.path] = change  # several plans may edit one file
        write_all(list(changes.values()), directory)
        click.echo(f"wrote {len(changes)} file(s)")
    elif ready:
        click.echo("dry run: nothing written (use --write)")
    # ruff --diff / Django --check: a dry run that would change files exits 1, as does
    # a run where anything was refused or failed; 0 only when nothing remains.
    if (ready and not write) or len(ready) < len(plans):
        raise click.exceptions.Exit(1)


def _writable(plans: list[FixPlan]) -> tuple[list[FixPlan], list[FixPlan]]:
    """(plans to write, ready plans held back): the plans for one column are written
    together or not at all, so an in-place correction never lands without the
    follow-up that repairs databases where the original already ran."""
    def key(p: FixPlan) -> tuple[str, str]:
        return p.situation.table.lower(), p.situation.column.lower()

    ready = [p for p in plans if p.ok and p.files]
    # A column is blocked when one of its plans failed and no ready follow-up (a new
    # migration) stands in for it; a refused option with a ready alternative (NN006's
    # constant default) does not block the alternative.
    follow_up = {key(p) for p in ready if any(f.is_new for f in p.files)}
    blocked = {key(p) for p in plans if not p.ok} - follow_up
    return ([p for p in ready if key(p) not in blocked],
            [p for p in ready if key(p) in blocked])
