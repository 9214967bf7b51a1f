"""SARIF 2.1.0 output for code-scanning services (GitHub code scanning and others).

Artifact URIs are relative to ``%SRCROOT%`` (the repository root: ``--root``, or the
current directory), which ``originalUriBaseIds`` resolves; a file outside it keeps an
absolute ``file:`` URI. Each rule links its page (``helpUri``); each result carries
the finding's line-independent fingerprint, so code scanning tracks it across edits.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from migrate_lint.findings import Finding
from migrate_lint.report import posix
from migrate_lint.ruledocs import doc_url
from migrate_lint.span import Span
from migrate_lint.version import __version__

if TYPE_CHECKING:
    from migrate_lint.result import LintResult, RuleInfo

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/migrate-lint/migrate-lint"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "migrateLint/v1"


def _artifact(path: str, base: str) -> dict[str, str]:
    """A location relative to ``%SRCROOT%`` when the file is below ``base``, else absolute."""
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # pragma: no cover - another drive on Windows
        rel = os.pardir
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return {"uri": Path(full).as_uri()}
    return {"uri": quote(posix(rel)), "uriBaseId": SRCROOT}


def _region(span: Span) -> dict[str, int]:
    # SARIF's endColumn is one past the last character; our end_col is the last one.
    return {"startLine": span.line, "startColumn": span.col,
            "endLine": span.end_line, "endColumn": span.end_col + 1}


def _location(span: Span, base: str, message: str | None = None,
              ident: int | None = None) -> dict[str, Any]:
    loc: dict[str, Any] = {}
    if ident is not None:
        loc["id"] = ident
    loc["physicalLocation"] = {
        "artifactLocation": _artifact(span.path, base),
        "region": _region(span),
    }
    if message:
        loc["message"] = {"text": message}
    return loc


def _rule(info: RuleInfo) -> dict[str, Any]:
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary or info.name},
        "fullDescription": {"text": info.doc or info.summary or info.name},
        "help": {"text": info.doc or info.summary or info.name, "markdown": info.doc or
                 info.summary or info.name},
        "helpUri": doc_url(info.code),
        "defaultConfiguration": {"level": _LEVEL.get(info.severity, "error")},
    }


def _result(finding: Finding, index: dict[str, int], base: str) -> dict[str, Any]:
    text = finding.message + (f"\nhelp: {finding.help}" if finding.help else "")
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _LEVEL.get(finding.severity, "error"),
        "message": {"text": text},
        "locations": [_location(finding.span, base)],
    }
    if finding.code in index:
        out["ruleIndex"] = index[finding.code]
    if finding.fingerprint:
        out["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.related:
        out["relatedLocations"] = [
            _location(r.span, base, r.message, i) for i, r in enumerate(finding.related)
        ]
    return out


def sarif_dict(result: LintResult, base: str | None = None) -> dict[str, Any]:
    """The SARIF log as a dict; URIs are relative to ``base`` (default: cwd)."""
    root = os.path.abspath(base or os.getcwd())
    infos = list(result.rules)
    known = {i.code for i in infos}
    from migrate_lint.result import RuleInfo

    for finding in result.findings:
        if finding.code not in known:
            known.add(finding.code)
            infos.append(RuleInfo(finding.code, finding.name, finding.severity, finding.name,
                                  finding.name))
    index = {info.code: i for i, info in enumerate(infos)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "migrate-lint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(i) for i in infos],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path(root).as_uri().rstrip("/") + "/"}},
                "results": [_result(f, index, root) for f in result.findings],
            }
        ],
    }


def render_sarif(result: LintResult, base: str | None = None) -> str:
    """The SARIF log as indented JSON text."""
    return json.dumps(sarif_dict(result, base), indent=2, ensure_ascii=False) + "\n"
