"""Markdown: a job summary or pull-request comment, with a code frame per finding.

GitHub renders it in ``$GITHUB_STEP_SUMMARY`` and in comments; backticks in messages
stay code spans. The table lists every finding; details follow for the first
:data:`DETAILED` (a step summary is capped at 1 MiB).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrate_lint.findings import Finding
from migrate_lint.report import posix, visible
from migrate_lint.report.text import code_frame, summary
from migrate_lint.ruledocs import doc_url

if TYPE_CHECKING:
    from migrate_lint.result import LintResult

DETAILED = 100
_ICON = {"error": "🔴", "warning": "🟡", "info": "🔵"}


def _cell(text: str) -> str:
    return visible(text).replace("|", "\\|")


def _where(finding: Finding) -> str:
    return f"{visible(posix(finding.path))}:{finding.span.line}:{finding.span.col}"


def _details(finding: Finding, text: str | None) -> list[str]:
    out = [
        f"### {_ICON.get(finding.severity, '')} {finding.severity} "
        f"[{finding.code}]({doc_url(finding.code)}) {finding.name}",
        "",
        f"`{_where(finding)}`: {visible(finding.message)}",
    ]
    frame = code_frame(finding, text)
    if frame:
        # A fence longer than any backtick run in the source keeps the frame intact.
        fence = "```"
        while fence in "\n".join(frame):
            fence += "`"
        out += ["", fence + "text", *frame, fence]
    for related in finding.related:
        out += ["", f"- note: {visible(related.message)} (`{posix(str(related.span))}`)"]
    if finding.help:
        out += ["", f"**help:** {visible(finding.help)}"]
    if finding.fix_title:
        out += ["", f"**fix:** {visible(finding.fix_title)} (`migrate-lint fix`)"]
    return out


def render_markdown(result: LintResult) -> str:
    """The whole report as one Markdown document."""
    out = ["## migrate-lint", ""]
    if not result.findings:
        out += ["✅ All checks passed!", ""]
        return "\n".join(out)
    out += [f"**{summary(result)}**", "",
            "| | severity | rule | where | message |", "|---|---|---|---|---|"]
    for finding in result.findings:
        out.append(
            f"| {_ICON.get(finding.severity, '')} | {finding.severity} | "
            f"[{finding.code}]({doc_url(finding.code)}) `{finding.name}` | "
            f"`{_cell(_where(finding))}` | {_cell(finding.message)} |")
    out.append("")
    for finding in result.findings[:DETAILED]:
        out += [*_details(finding, result.texts.get(finding.path)), ""]
    hidden = len(result.findings) - DETAILED
    if hidden > 0:
        out += [f"_{hidden} more finding(s) not shown in detail; run `migrate-lint check` "
                "locally for all of them._", ""]
    return "\n".join(out)
