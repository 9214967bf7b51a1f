"""GitLab Code Quality: a JSON array GitLab shows in merge requests (``codequality`` report).

Each issue needs a fingerprint unique in the report and stable across runs: the
finding's baseline fingerprint (line-independent), numbered when a finding repeats.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from migrate_lint.findings import Finding
from migrate_lint.report import posix

if TYPE_CHECKING:
    from migrate_lint.result import LintResult

_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": finding.code,
        "description": f"{finding.code} [{finding.name}] {finding.message}",
        "categories": ["Bug Risk"],
        "severity": _SEVERITY.get(finding.severity, "major"),
        "fingerprint": fingerprint,
        "location": {
            "path": posix(finding.path),
            "lines": {"begin": finding.span.line, "end": finding.span.end_line},
        },
    }


def render_gitlab(result: LintResult) -> str:
    """The findings as a GitLab Code Quality report."""
    seen: Counter[str] = Counter()
    issues = []
    for finding in result.findings:
        base = finding.fingerprint or hashlib.sha256(
            f"{finding.code}\0{finding.path}\0{finding.message}".encode()).hexdigest()[:32]
        seen[base] += 1
        fingerprint = base if seen[base] == 1 else f"{base}-{seen[base]}"
        issues.append(_issue(finding, fingerprint))
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
