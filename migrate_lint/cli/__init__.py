"""The command-line interface: the only place that prints or exits.

Each command lives in its own module; this one holds the group, the error handling
that turns every failure into a one-line message and an exit code, and `main`.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, config, input or
internal error.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
from types import FrameType
from typing import Any

import click

from migrate_lint.errors import MigrateLintError
from migrate_lint.version import __version__

ISSUES_URL = "https://github.com/migrate-lint/migrate-lint/issues"


class InputError(click.ClickException):
    """Bad input, configuration or environment: one line on stderr, exit 2."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message


# command name -> (module, attribute, the first paragraph of its help). Modules load
# only when their command runs, so `check` never pays for importing the fix planner,
# the sandbox or jinja2, and `--help` lists the commands from the summaries here
# without importing any (tests/test_startup.py keeps them equal to the help).
COMMANDS = {
    "apply": ("migrate_lint.cli.apply_cmd", "apply",
              "Apply the pending migrations of DIRECTORY to the database, each in its own "
              "transaction."),
    "baseline": ("migrate_lint.cli.baseline_cmd", "baseline",
                 "Write every current finding of PATHS to a baseline file."),
    "check": ("migrate_lint.cli.check_cmd", "check",
              "Lint migrations: PATHS are migrations directories or migration files."),
    "explain": ("migrate_lint.cli.rules_cmd", "explain",
                "Print the documentation of rule CODE (a code like NN001 or a kebab name)."),
    "fix": ("migrate_lint.cli.fix_cmd", "fix",
            "Plan verified fixes for every fixable finding in DIRECTORY."),
    "new": ("migrate_lint.cli.apply_cmd", "new",
            "Write a new, empty migration NAME in the layout of the migrations directory."),
    "report": ("migrate_lint.cli.report_cmd", "report",
               "Write an HTML report of the history in DIRECTORY (default: the configured "
               "`path`)."),
    "rules": ("migrate_lint.cli.rules_cmd", "rules",
              "List every rule: code, name, default severity and summary."),
    "schema": ("migrate_lint.cli.schema_cmd", "schema",
               "Print the schema after the history in DIRECTORY (default: the configured "
               "`path`, else migrations/)."),
    "status": ("migrate_lint.cli.apply_cmd", "status",
               "List applied, pending, edited and missing migrations; exit 1 on edited or "
               "missing."),
}


class LintGroup(click.Group):
    """A group whose commands load lazily and never end in a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        command = getattr(importlib.import_module(target[0]), target[1])
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, as click writes it, from the summaries above."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # a bare command holding the summary shortens it exactly as the real one would
        rows = [(name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit))
                for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MigrateLintError as err:
            raise InputError(str(err)) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            # `migrate-lint rules | head`: the reader left; stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except Exception as err:  # the promise: never a bare traceback
            if "MIGRATE_LINT_DEBUG" in os.environ:
                raise
            raise InputError(
                f"internal error: {type(err).__name__}: {err} (set MIGRATE_LINT_DEBUG=1 for "
                f"the traceback and please report it at {ISSUES_URL})"
            ) from None


@click.group(cls=LintGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migrate-lint")
def cli() -> None:
    """Lint SQLite migration histories before they reach users' databases.

    migrate-lint replays every migration into a schema model, reports statements that
    fail or lose data on populated databases, and writes verified table-rebuild fixes.
    """


def _terminate(signum: int, frame: FrameType | None) -> None:
    if "migrate_lint.scratch" in sys.modules and hasattr(signal, "setitimer"):
        from migrate_lint.scratch import in_callback

        if in_callback(frame):
            # Raised inside SQLite's call of the authorizer, the exit would be swallowed
            # (the statement refused as "not authorized") and the run would go on with a
            # wrong result: it is raised 5 ms later, once SQLite has returned.
            signal.signal(signal.SIGALRM, lambda _s, later: _terminate(signum, later))
            signal.setitimer(signal.ITIMER_REAL, 0.005)
            return
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point."""
    # One short-lived run builds millions of small, long-lived objects and few cycles:
    # the cyclic collector's passes over them cost a fifth of the run and free nothing.
    gc.disable()
    # SIGTERM (CI cancelling a job) unwinds like Ctrl-C: `finally` blocks remove temp
    # directories and a half-staged write, instead of the process vanishing.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli(prog_name="migrate-lint")
    except SystemExit as done:
        _exit_now(done.code)
    _exit_now(0)  # pragma: no cover - click exits itself


def _exit_now(code: object) -> None:
    """Exit without tearing the interpreter down, as mypy does.

    With the collector off, the parse trees (cyclic: every node points at its parent)
    outlive the run, and the interpreter's final collection and module teardown cost a
    twentieth of a `check` to free memory the process is about to give back. Streams
    are flushed and atexit handlers run first, so nothing written is lost.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, status 1, as the interpreter would
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that left, or a closed stream
            status = status or 1
    import atexit

    atexit._run_exitfuncs()
    os._exit(status)
