"""Paths as the reader of a report needs them: relative to the repository root.

GitHub annotations and SARIF results land on a pull request only when their paths are
relative to the repository, not to the folder the run started in (`--root`, or
``GITHUB_WORKSPACE`` inside GitHub Actions).
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from migrate_lint.findings import Finding
from migrate_lint.span import Span

if TYPE_CHECKING:
    from migrate_lint.result import LintResult


def relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` when it is below it, else absolute.

    >>> relative("/repo/packages/db/0001.sql", "/repo")
    'packages/db/0001.sql'
    """
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, os.path.abspath(root))
    except ValueError:  # pragma: no cover - another drive on Windows
        return full
    return full if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def _span(span: Span, root: str) -> Span:
    return replace(span, path=relative(span.path, root))


def _finding(finding: Finding, root: str) -> Finding:
    return replace(
        finding,
        span=_span(finding.span, root),
        statement=_span(finding.statement, root) if finding.statement else None,
        related=tuple(replace(r, span=_span(r.span, root)) for r in finding.related),
    )


def rooted(result: LintResult, root: str) -> LintResult:
    """``result`` with every path made relative to ``root``."""
    return replace(
        result,
        findings=tuple(_finding(f, root) for f in result.findings),
        texts={relative(p, root): t for p, t in result.texts.items()},
    )
