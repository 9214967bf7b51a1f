"""Reporters: render findings as text, JSON, GitHub annotations, SARIF or JUnit XML; they decide nothing.

Each reporter is a function from a :class:`migrate_lint.lint.LintResult` to a string;
the CLI prints it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrate_lint.lint import LintResult

FORMATS = ("text", "json", "github", "sarif", "junit")


def render(fmt: str, result: LintResult, *, color: bool = False) -> str:
    """Render ``result`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "text":
        from migrate_lint.report.text import render_text

        return render_text(result, color=color)
    if fmt == "json":
        from migrate_lint.report.json import render_json

        return render_json(result)
    if fmt == "github":
        from migrate_lint.report.github import render_github

        return render_github(result)
    if fmt == "sarif":
        from migrate_lint.report.sarif import render_sarif

        return render_sarif(result)
    if fmt == "junit":
        from migrate_lint.report.junit import render_junit

        return render_junit(result)
    raise ValueError(f"unknown format {fmt!r}")


def posix(path: str) -> str:
    """A path with forward slashes, as JSON, SARIF and GitHub expect."""
    return path.replace("\\", "/")
