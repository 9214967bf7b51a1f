"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrate_lint.findings import Finding
from migrate_lint.report import posix, visible

if TYPE_CHECKING:
    from migrate_lint.result import LintResult

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (``%``, ``\\r``, ``\\n``).

    >>> escape_data("50%\\ndone")
    '50%25%0Adone'
    """
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(escaped)  # no terminal escape sequence reaches the log either


def escape_property(text: str) -> str:
    """Escape a property value: as data, and ``:`` and ``,`` too.

    >>> escape_property("a:b,c")
    'a%3Ab%2Cc'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """The workflow command for one finding."""
    span = finding.span
    props = [
        ("file", posix(finding.path)),
        ("line", str(span.line)),
        ("col", str(span.col)),
        ("endLine", str(span.end_line)),
        ("endColumn", str(span.end_col)),
        ("title", f"{finding.code} {finding.name}"),
    ]
    message = finding.message + (f"\n\nhelp: {finding.help}" if finding.help else "")
    joined = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{_COMMAND.get(finding.severity, 'error')} {joined}::{escape_data(message)}"


def render_github(result: LintResult) -> str:
    """One workflow command per line (empty output when there is nothing to report)."""
    return "".join(annotation(f) + "\n" for f in result.findings)
