"""JSON output: a stable, documented shape (docs/output-json.md); ``version`` bumps on change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from migrate_lint.findings import Finding
from migrate_lint.report import posix
from migrate_lint.ruledocs import doc_url
from migrate_lint.span import Span
from migrate_lint.version import __version__

if TYPE_CHECKING:
    from migrate_lint.result import LintResult

FORMAT_VERSION = 1


def _where(span: Span) -> dict[str, Any]:
    return {
        "path": posix(span.path),
        "line": span.line,
        "column": span.col,
        "end_line": span.end_line,
        "end_column": span.end_col,
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the documented JSON object."""
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "help": finding.help or None,
        **_where(finding.span),
        "migration": finding.migration,
        "related": [{"message": r.message, **_where(r.span)} for r in finding.related],
        "fix_title": finding.fix_title,
        "url": doc_url(finding.code),
        "fingerprint": finding.fingerprint or None,
    }


def result_dict(result: LintResult) -> dict[str, Any]:
    """The whole report as a JSON-ready dict."""
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": "migrate-lint", "version": __version__},
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {
            "total": len(result.findings),
            "error": result.count("error"),
            "warning": result.count("warning"),
            "info": result.count("info"),
            "files": len(result.files),
            "suppressed": result.suppressed,
            "baselined": result.baselined,
            "stale_baseline": len(result.stale),
            "fail_on": result.config.fail_on,
            "failed": result.failed(),
        },
    }


def render_json(result: LintResult) -> str:
    """The report as indented JSON text, ending in a newline."""
    return "".join(json_pieces(result))


def json_pieces(result: LintResult) -> Iterator[str]:
    """`render_json`'s text in pieces of about 64 KB, to be written as they come: a
    long history's report is tens of megabytes, and made whole (with its encoded copy
    when written) it was the peak of the run's memory (issue 13)."""
    # json.dumps's own encoder: the same text
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    pending: list[str] = []
    size = 0
    for chunk in encoder.iterencode(result_dict(result)):
        pending.append(chunk)
        size += len(chunk)
        if size >= _PIECE:
            yield "".join(pending)
            pending.clear()
            size = 0
    pending.append("\n")
    yield "".join(pending)


_PIECE = 1 << 16
