"""`migrate-lint report --html OUT.html`: the history as a page to look at."""

from __future__ import annotations

import os

import click

from migrate_lint.config import configs_for
from migrate_lint.errors import MigrateLintError
from migrate_lint.lint import lint
from migrate_lint.pipeline import load_timeline
from migrate_lint.settings import Requested
from migrate_lint.source import LAYOUTS, RUNNERS


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=str))
@click.option("--html", "html_file", required=True, metavar="OUT.html",
              type=click.Path(path_type=str, dir_okay=False),
              help="Write a self-contained HTML page (no network needed to view it).")
@click.option("--layout", type=click.Choice(LAYOUTS), help="Migration layout (default: detect).")
@click.option("--runner", type=click.Choice(RUNNERS),
              help="Migration runner (default: inferred from the layout).")
@click.option("--config", "config_file", type=click.Path(path_type=str),
              help="Configuration file (default: the nearest one to DIRECTORY).")
def report(directory: str | None, html_file: str, layout: str | None, runner: str | None,
           config_file: str | None) -> None:
    """Write an HTML report of the history in DIRECTORY (default: the configured `path`).

    Per table, a timeline with a lane per column (added, rebuilt, renamed, changed,
    dropped, and by which migration) and markers where findings sit; the ER diagram
    after any migration; every finding with its code frame.
    """
    config, _ = configs_for([directory] if directory else [], config_file)[0]
    config = config.merged(layout=layout, runner=runner)
    root = directory or config.path
    if not os.path.isdir(root):
        raise MigrateLintError(f"{root}: no such directory")
    result = lint([root], config)
    timeline = load_timeline(root, requested=Requested.from_config(config))
    from migrate_lint.report.html import render_html

    page = render_html(result, timeline, os.path.basename(os.path.abspath(root)))
    try:
        with open(html_file, "w", encoding="utf-8") as handle:
            handle.write(page)
    except OSError as err:
        raise MigrateLintError(f"{html_file}: cannot write ({err.strerror})") from None
    click.echo(f"{html_file}: {len(timeline.history.migrations)} migrations, "
               f"{len(result.findings)} finding(s)")
