"""`migrate-lint check`: lint a migrations directory or individual migration files."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace

import click

from migrate_lint.cli.codes import rule_codes
from migrate_lint.cli.connection_opts import (
    connection_options,
    merge_connection,
    settings_text,
)
from migrate_lint.cli.terminal import use_color
from migrate_lint.config import LEVELS, Config, configs_for, parse_sqlite_version
from migrate_lint.errors import MigrateLintError
from migrate_lint.lint import lint, settings_of
from migrate_lint.lintcache import ENV as CACHE_ENV
from migrate_lint.lintcache import CacheChoice
from migrate_lint.report import FORMATS, render_pieces
from migrate_lint.report.statistics import FORMATS as STATISTICS_FORMATS
from migrate_lint.report.statistics import render_statistics
from migrate_lint.result import LintResult, merge
from migrate_lint.source import LAYOUTS, RUNNERS


def default_format(env: Mapping[str, str]) -> str:
    """``github`` inside GitHub Actions, ``text`` elsewhere."""
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"


def report_root(root: str | None, fmt: str, env: Mapping[str, str]) -> str | None:
    """What report paths are relative to: ``--root``; for GitHub annotations and SARIF
    inside GitHub Actions the checked-out repository (``GITHUB_WORKSPACE``), so they
    land on the pull request when the run starts in a subfolder; for GitLab, which
    wants repository paths, ``CI_PROJECT_DIR`` or the current directory; else as found."""
    if root is not None:
        return root
    if fmt in ("github", "sarif") and env.get("GITHUB_WORKSPACE"):
        return env["GITHUB_WORKSPACE"]
    if fmt == "gitlab":
        return env.get("CI_PROJECT_DIR") or os.getcwd()
    return None


def check_insert_paths(config: Config, from_flag: bool) -> None:
    """A misspelled insert path is an error, not a silently empty check."""
    for path in config.insert_paths:
        if not os.path.exists(path):
            where = "--insert-paths" if from_flag else f"{config.origin}: insert-paths"
            raise MigrateLintError(f"{where}: {path}: no such file or directory")


def cache_choice(no_cache: bool, cache_dir: str | None, env: Mapping[str, str]
                 ) -> CacheChoice | None:
    """Where `check` keeps its cache: ``--cache-dir``, else MIGRATE_LINT_CACHE_DIR, else
    the default place; None with ``--no-cache``."""
    if no_cache and cache_dir is not None:
        raise click.UsageError("--no-cache and --cache-dir exclude each other")
    return None if no_cache else CacheChoice(cache_dir or env.get(CACHE_ENV) or None)


def stale_notes(result: LintResult) -> list[str]:
    """What ``check`` says on stderr about baseline entries that match nothing."""
    if not result.stale:
        return []
    file = result.config.baseline or "the baseline"
    lines = [f"{file}: {len(result.stale)} baseline entr"
             f"{'y no longer matches' if len(result.stale) == 1 else 'ies no longer match'} "
             "a finding (fixed, or the statement changed); run `migrate-lint baseline` to "
             "drop them"]
    lines += [f"  stale: {e.code} {e.path}" + (f" ({e.migration})" if e.migration else "")
              for e in result.stale]
    return lines


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format (default: text; github inside GitHub Actions).")
@click.option("--select", multiple=True, metavar="CODES",
              help="Rule codes or prefixes to run, comma-separated (replaces the config's).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Rule codes or prefixes to skip, comma-separated (added to the config's).")
@click.option("--fail-on", type=click.Choice(LEVELS),
              help="Exit 1 when a finding is at or above this severity (default: warning).")
@click.option("--sqlite-version", metavar="X.Y",
              help="Oldest SQLite the migrations must run on (default: 3.40).")
@click.option("--layout", type=click.Choice(LAYOUTS), help="Migration layout (default: detect).")
@click.option("--runner", type=click.Choice(RUNNERS),
              help="Migration runner (default: inferred from the layout).")
@connection_options
@click.option("--config", "config_file", type=click.Path(path_type=str),
              help="Configuration file (default: the nearest one to each path, else found "
                   "from the current directory).")
@click.option("--show-settings", is_flag=True,
              help="Print each history's layout, runner, foreign keys, transaction mode and "
                   "functions, and where each came from; then exit without checking.")
@click.option("--insert-paths", multiple=True, metavar="PATH",
              help="Source files or directories holding INSERTs to check (repeatable).")
@click.option("--writers-from", metavar="REV",
              help="Also check the insert paths of git revision REV (older writers).")
@click.option("--since", metavar="REV",
              help="Report only migrations added or changed since git revision REV "
                   "(the whole history is still replayed); enables MG004 and MG005.")
@click.option("--baseline", "baseline", metavar="FILE", type=click.Path(path_type=str),
              help="Hide the findings listed in FILE (written by `migrate-lint baseline`).")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule has instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--output-file", "-o", metavar="FILE", type=click.Path(path_type=str),
              help="Write the report to FILE instead of standard output.")
@click.option("--root", metavar="DIR", type=click.Path(path_type=str, file_okay=False),
              help="Make report paths relative to DIR, the repository root (default: as "
                   "given; GITHUB_WORKSPACE for github and sarif inside GitHub Actions).")
@click.option("--against", "against", metavar="DB", type=click.Path(path_type=str),
              help="Also run the pending migrations on a copy of the SQLite database DB "
                   "and report what its data makes of them (DB001-DB006).")
@click.option("--tmp-dir", metavar="DIR", type=click.Path(path_type=str),
              help="Where --against puts its copy of the database (default: the system's "
                   "temp directory); the copy is deleted afterwards.")
@click.option("--redact", is_flag=True,
              help="With --against: name counts only, never values from the database.")
@click.option("--cache-dir", metavar="DIR", type=click.Path(path_type=str, file_okay=False),
              help="Keep the cache here (default: .migrate-lint-cache beside the "
                   f"configuration file, else beside the migrations directory; {CACHE_ENV}).")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the cache of results and replayed histories.")
@click.option("--verbose", is_flag=True, default=None, help="Say more about what is checked.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
def check(
    paths: tuple[str, ...],
    fmt: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    sqlite_version: str | None,
    layout: str | None,
    runner: str | None,
    foreign_keys: str | None,
    transaction: str | None,
    functions: tuple[str, ...],
    config_file: str | None,
    show_settings: bool,
    insert_paths: tuple[str, ...],
    writers_from: str | None,
    since: str | None,
    against: str | None,
    tmp_dir: str | None,
    redact: bool,
    cache_dir: str | None,
    no_cache: bool,
    verbose: bool | None,
    no_color: bool,
    baseline: str | None = None,
    statistics: bool = False,
    exit_zero: bool = False,
    output_file: str | None = None,
    root: str | None = None,
) -> None:
    """Lint migrations: PATHS are migrations directories or migration files.

    With files (as pre-commit passes them) only their migrations are checked and only
    findings in them are reported; the history before them is replayed, or resumed
    from the cache (--cache-dir, --no-cache). Each path gets the configuration
    nearest to it. Exit 0 when nothing is at or above --fail-on, 1 when something is,
    2 on a usage, configuration or input error.
    """
    env = os.environ
    chosen = fmt or default_format(env)
    if statistics and chosen not in STATISTICS_FORMATS:
        raise click.UsageError(f"--statistics prints {' or '.join(STATISTICS_FORMATS)}, "
                               f"not {chosen}")
    flag_select = rule_codes(select, "--select") if select else None
    flag_ignore = rule_codes(ignore, "--ignore") if ignore else ()
    cache = cache_choice(no_cache, cache_dir, env)
    results = []
    for config, group in configs_for(paths, config_file):
        config = config.merged(
            select=flag_select,
            ignore=tuple(dict.fromkeys(config.ignore + flag_ignore)),
            fail_on=fail_on,
            sqlite_version=parse_sqlite_version(sqlite_version) if sqlite_version else None,
            layout=layout,
            runner=runner,
            insert_paths=insert_paths or None,
            writers_from=writers_from,
            since=since,
            verbose=verbose,
            baseline=baseline,
        )
        config = merge_connection(config, foreign_keys, transaction, functions)
        if show_settings:
            click.echo(settings_text(settings_of(group, config)), nl=False)
            continue
        if config.writers_from and not config.insert_paths:
            raise click.UsageError(
                "--writers-from reads the insert paths at that revision: give them with "
                "--insert-paths or `insert-paths` under [tool.migrate-lint]"
            )
        check_insert_paths(config, bool(insert_paths))
        # findings are rendered, never their facts: read back, they need no rule loaded;
        # the replayed histories are for `fix`: a report needs the findings and the
        # texts, and its own memory comes back from the history's (issue 13)
        results.append(replace(lint(group, config, cache=cache, facts=False), timelines=()))
    if show_settings:
        return
    result = merge(results)
    if against is not None:
        result = _against(against, result, tmp_dir=tmp_dir, redact=redact)
    elif tmp_dir is not None or redact:
        raise click.UsageError("--tmp-dir and --redact go with --against DB")
    if result.config.verbose:
        click.echo(settings_text(result.settings), nl=False, err=True)
        for note in result.notes:
            click.echo(note, err=True)
    for line in stale_notes(result):
        click.echo(line, err=True)
    stream = sys.stdout if output_file is None else None
    color = (chosen == "text" and not statistics and stream is not None
             and use_color(no_color, stream, env))
    pieces: Iterable[str] = (
        (render_statistics(result, chosen),) if statistics else
        render_pieces(chosen, result, color=color, root=report_root(root, chosen, env)))
    if output_file is not None:
        from migrate_lint.outfile import write_pieces

        try:
            write_pieces(output_file, pieces)
        except OSError as err:
            raise MigrateLintError(f"{output_file}: cannot write ({err.strerror})") from None
    else:
        _echo_pieces(pieces, color)
    if not exit_zero and result.failed():
        raise click.exceptions.Exit(1)


def _echo_pieces(pieces: Iterable[str], color: bool) -> None:
    """Write a report as it is rendered: a long history's JSON is tens of megabytes,
    which made whole (and its encoded copy) were the run's peak of memory (issue 13)."""
    for piece in pieces:
        if piece:
            click.echo(piece, nl=False, color=color)


def _against(database: str, result: LintResult, *, tmp_dir: str | None,
             redact: bool) -> LintResult:
    """``result`` with the pre-flight on ``database`` merged in (its copy is gone after)."""
    from migrate_lint.against import merge_preflight, preflight
    from migrate_lint.settings import Requested

    if len(result.roots) != 1:
        raise click.UsageError("--against checks one migrations directory at a time")
    config = result.config
    pre = preflight(database, result.roots[0], tmp_dir=tmp_dir, redact=redact,
                    requested=Requested.from_config(config))
    click.echo(
        f"pre-flight: copied {database} to {pre.copy_dir} in {pre.copy_seconds:.2f} s "
        f"(deleted); {len(pre.match.applied)} applied, {len(pre.ran)} of "
        f"{len(pre.match.pending)} pending ran"
        + (" before one failed" if pre.failed is not None else "")
        + f" in {pre.run_seconds:.2f} s"
        + (f"; integrity_check: {pre.integrity}" if pre.integrity else ""), err=True)
    return merge_preflight(result, pre)
