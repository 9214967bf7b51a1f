"""Reporters: render findings as text, JSON, GitHub annotations, SARIF, JUnit XML, GitLab
Code Quality or Markdown; they decide nothing.

Each reporter is a function from a :class:`migrate_lint.result.LintResult` to a string;
the CLI prints it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

# The one escaper of shown text (reporters here, generated comments in fix.sqltext).
from migrate_lint.escape import visible as visible

if TYPE_CHECKING:
    from migrate_lint.result import LintResult

FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab", "markdown")


def render(fmt: str, result: LintResult, *, color: bool = False, root: str | None = None
           ) -> str:
    """Render ``result`` in format ``fmt`` (one of :data:`FORMATS`).

    With ``root`` every path is relative to it (SARIF's are relative to it anyway,
    under ``%SRCROOT%``).
    """
    if fmt == "sarif":
        from migrate_lint.report.sarif import render_sarif

        return render_sarif(result, root)
    result = _rooted(result, root)
    if fmt == "text":
        from migrate_lint.report.text import render_text

        return render_text(result, color=color)
    if fmt == "json":
        from migrate_lint.report.json import render_json

        return render_json(result)
    if fmt == "github":
        from migrate_lint.report.github import render_github

        return render_github(result)
    if fmt == "junit":
        from migrate_lint.report.junit import render_junit

        return render_junit(result)
    if fmt == "gitlab":
        from migrate_lint.report.gitlab import render_gitlab

        return render_gitlab(result)
    if fmt == "markdown":
        from migrate_lint.report.markdown import render_markdown

        return render_markdown(result)
    raise ValueError(f"unknown format {fmt!r}")


def posix(path: str) -> str:
    """A path with forward slashes, as JSON, SARIF and GitHub expect."""
    return path.replace("\\", "/")



def render_pieces(fmt: str, result: LintResult, *, color: bool = False,
                  root: str | None = None) -> Iterator[str]:
    """`render`'s text in pieces to write one after the other: JSON as it is encoded
    (a long history's report is tens of megabytes), the other formats whole."""
    if fmt != "json":
        yield render(fmt, result, color=color, root=root)
        return
    from migrate_lint.report.json import json_pieces

    yield from json_pieces(_rooted(result, root))


def _rooted(result: LintResult, root: str | None) -> LintResult:
    """``result`` with every path relative to ``root`` (as given: unchanged)."""
    if root is None:
        return result
    from migrate_lint.report.paths import rooted

    return rooted(result, root)
