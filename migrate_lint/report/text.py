"""Text output, the way ruff prints it.

```
path:3:1: error NN001 [add-not-null-without-default] message
  |
3 | ALTER TABLE t ADD c integer NOT NULL;
  |               ^^^^^^^^^^^^^^^^^^^^^^
  |
  = help: add a constant DEFAULT
```

then a summary line. Colour is applied with ``click.style`` only when asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from migrate_lint.findings import Finding
from migrate_lint.report import visible
from migrate_lint.span import split_lines

if TYPE_CHECKING:
    from migrate_lint.result import LintResult

MAX_LINES = 5
MAX_WIDTH = 240  # characters of a source line shown in a code frame
_TAB = 4
_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


def _plural(n: int, word: str) -> str:
    if word == "info":
        return f"{n} info"
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(result: LintResult) -> str:
    """``Found 3 problems (2 errors, 1 warning) in 1 file.`` or ``All checks passed!``."""
    total = len(result.findings)
    if not total:
        return "All checks passed!"
    parts = [_plural(result.count(s), s) for s in ("error", "warning", "info") if result.count(s)]
    files = len(result.files)
    noun = "problem" if total == 1 else "problems"
    where = "file" if files == 1 else "files"
    return f"Found {total} {noun} ({', '.join(parts)}) in {files} {where}."


def _expand(line: str, col: int) -> tuple[str, int]:
    """The line with tabs expanded, and the display column of character ``col``."""
    shown = line.expandtabs(_TAB)
    prefix = line[: max(col - 1, 0)].expandtabs(_TAB)
    return shown, len(prefix) + 1


def _snippet(finding: Finding, text: str | None, style: _Style) -> list[str]:
    if text is None:
        return []
    lines = split_lines(text)  # numbered as spans number them
    span = finding.span
    if not 1 <= span.line <= len(lines):
        return []
    last = min(span.end_line, span.line + MAX_LINES - 1, len(lines))
    width = len(str(last))
    gutter = style(" " * width + " |", "blue")
    out = [gutter]
    for number in range(span.line, last + 1):
        raw = lines[number - 1].lstrip("\ufeff") if number == 1 else lines[number - 1]
        raw = visible(raw, keep="\t")[:MAX_WIDTH]  # a 40 KB line is not shown whole
        shown, _ = _expand(raw, 1)
        out.append(style(f"{number:>{width}} |", "blue") + (" " + shown if shown else ""))
        if number == span.line:
            _, start = _expand(raw, span.col)
            if span.end_line == span.line:
                _, stop = _expand(raw, min(span.end_col, len(raw)))
            else:
                stop = len(shown.rstrip())
            carets = "^" * max(stop - start + 1, 1)
            out.append(gutter + " " + " " * (start - 1) + style(carets, _COLORS.get(
                finding.severity, "red"), bold=True))
    if span.end_line > last:
        out.append(style(" " * width + " :", "blue") + " ...")
    out.append(gutter)
    return out


class _Style:
    """click.style when colour is on, identity otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if self.color else text


def code_frame(finding: Finding, text: str | None) -> list[str]:
    """The source lines of ``finding`` with carets under its region, without colour."""
    return _snippet(finding, text, _Style(False))


def render_finding(finding: Finding, text: str | None, *, color: bool = False) -> str:
    """One finding: the header line, the source with a caret, help and notes."""
    style = _Style(color)
    span = finding.span
    head = (
        style(finding.path, bold=True) + f":{span.line}:{span.col}: "
        # The word, not only the colour: CI logs have no colour (rustc and squawk do this).
        + style(finding.severity, _COLORS.get(finding.severity, "red"), bold=True) + " "
        + style(finding.code, _COLORS.get(finding.severity, "red"), bold=True)
        + f" [{finding.name}] {visible(finding.message)}"
    )
    out = [head, *_snippet(finding, text, style)]
    for related in finding.related:
        out.append(f"  = note: {visible(related.message)} ({related.span})")
    if finding.help:
        out.append("  = " + style("help", "cyan", bold=True) + f": {visible(finding.help)}")
    if finding.fix_title:
        out.append("  = " + style("fix", "green", bold=True) + f": {visible(finding.fix_title)}")
    return "\n".join(out)


def render_text(result: LintResult, *, color: bool = False) -> str:
    """Every finding, a blank line between them, then the summary line."""
    blocks = [render_finding(f, result.texts.get(f.path), color=color) for f in result.findings]
    line = summary(result)
    if color:
        line = click.style(line, bold=True)
    return "\n\n".join([*blocks, line]) + "\n"
