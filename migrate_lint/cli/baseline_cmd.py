"""`migrate-lint baseline`: accept today's findings so `check` reports only new ones."""

from __future__ import annotations

import os

import click

from migrate_lint import baseline as baseline_file
from migrate_lint.config import configs_for
from migrate_lint.errors import MigrateLintError
from migrate_lint.lint import lint
from migrate_lint.outfile import write_pieces
from migrate_lint.source import LAYOUTS, RUNNERS


def _target(output: str | None, configured: str | None, source: str | None) -> str:
    """Where the baseline goes: --output, the configured `baseline`, else beside the
    configuration file (or in the current directory)."""
    if output is not None:
        return output
    if configured is not None:
        return configured
    folder = os.path.dirname(source) if source else ""
    return os.path.join(folder, baseline_file.DEFAULT_FILE)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--output", "-o", metavar="FILE", type=click.Path(path_type=str),
              help="Baseline file to write (default: the configured `baseline`, else "
                   f"{baseline_file.DEFAULT_FILE} beside the configuration file).")
@click.option("--layout", type=click.Choice(LAYOUTS), help="Migration layout (default: detect).")
@click.option("--runner", type=click.Choice(RUNNERS),
              help="Migration runner (default: inferred from the layout).")
@click.option("--insert-paths", multiple=True, metavar="PATH",
              help="Source files or directories holding INSERTs to check (repeatable).")
@click.option("--config", "config_file", type=click.Path(path_type=str),
              help="Configuration file (default: the nearest one to each path).")
def baseline(paths: tuple[str, ...], output: str | None, layout: str | None,
             runner: str | None, insert_paths: tuple[str, ...],
             config_file: str | None) -> None:
    """Write every current finding of PATHS to a baseline file.

    `check` then hides them (set `baseline = "FILE"` in the configuration, or pass
    --baseline FILE) and reports only new findings, without editing any released
    migration. A fingerprint is the rule, the migration's version and the statement's
    text, so moving lines keeps it; changing the statement makes the finding new.
    """
    written: dict[str, list[baseline_file.Entry]] = {}
    for config, group in configs_for(paths, config_file):
        target = _target(output, config.baseline, config.source)
        config = config.merged(layout=layout, runner=runner, insert_paths=insert_paths or None,
                               baseline=target)
        result = lint(group, config, apply_baseline=False)
        base = os.path.dirname(os.path.abspath(target))
        written.setdefault(target, []).extend(baseline_file.entries_for(result.findings, base))
    for target, entries in written.items():
        try:
            write_pieces(target, (baseline_file.dump(entries),), newline="\n")
        except OSError as err:
            raise MigrateLintError(f"{target}: cannot write the baseline ({err.strerror})"
                                   ) from None
        click.echo(f"{target}: {len(entries)} finding(s) accepted")
