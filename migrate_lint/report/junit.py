"""JUnit XML: one test suite per file with findings, one failing test case per finding.

CI systems that show test reports (GitLab, Jenkins, Azure) display lint findings this
way; a clean run is one passing case, so the report is never empty.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TYPE_CHECKING

from migrate_lint.findings import Finding
from migrate_lint.report import posix

if TYPE_CHECKING:
    from migrate_lint.result import LintResult


def render_junit(result: LintResult) -> str:
    """The findings of ``result`` as a JUnit XML document."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[posix(finding.path)].append(finding)
    root = ET.Element("testsuites", name="migrate-lint", tests=str(len(result.findings)),
                      failures=str(len(result.findings)))
    if not by_file:
        suite = ET.SubElement(root, "testsuite", name="migrate-lint", tests="1", failures="0",
                              errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="migrate-lint")
    for path in sorted(by_file):
        findings = by_file[path]
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(findings)),
                              failures=str(len(findings)), errors="0", skipped="0")
        for finding in findings:
            span = finding.span
            case = ET.SubElement(suite, "testcase", classname=path,
                                 name=f"{finding.code} {finding.name} {span.line}:{span.col}",
                                 file=path, line=str(span.line))
            failure = ET.SubElement(case, "failure", type=finding.severity,
                                    message=finding.message)
            failure.text = "\n".join(
                part for part in (
                    f"{path}:{span.line}:{span.col}: {finding.code} [{finding.name}] "
                    f"{finding.message}",
                    f"help: {finding.help}" if finding.help else "",
                    *(f"note: {r.message} ({r.span})" for r in finding.related),
                ) if part
            )
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
