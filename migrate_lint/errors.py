"""Errors that stop a run: bad input, bad configuration. The CLI turns them into exit 2."""

from __future__ import annotations


class MigrateLintError(Exception):
    """A problem the user must fix before anything can be checked (exit code 2).

    The message is one line that names the path (and line where known), what is
    wrong and what to do.
    """
