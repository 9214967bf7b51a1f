"""Inline suppressions: `-- migrate-lint: ignore CODE[, CODE] -- reason`.

``ignore`` on the comment line(s) directly before a statement (other comments may sit
between) silences those codes for that statement; inside a statement, or trailing it
on its last line, it applies to that statement. ``ignore-file`` anywhere in a file
silences the codes for the whole file. A suppression that names an unknown rule, or
that silenced nothing, is itself reported (MG006 unused-suppression).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence

from migrate_lint.findings import Finding
from migrate_lint.history import History, Statement
from migrate_lint.span import LineIndex, Span
from migrate_lint.values import value_class

UNUSED_CODE = "MG006"
# The comment `migrate-lint fix` writes above a statement it corrected in place; MG005
# reads it to tell fix's own edit (with its follow-up) from a silent one.
FIX_MARKER = "-- migrate-lint: fixed"
UNUSED_NAME = "unused-suppression"

_DIRECTIVE = re.compile(
    r"^\s*migrate-lint\s*:\s*(?P<kind>ignore-file|ignore)\b(?P<rest>.*)$", re.S | re.I
)


@value_class
class Suppression:
    """One directive: the codes it names, where it is, and what it covers.

    ``target`` is the span of the statement it covers, or None for ``ignore-file``.
    """

    codes: tuple[str, ...]
    path: str
    span: Span  # the comment
    target: Span | None
    reason: str = ""

    @property
    def whole_file(self) -> bool:
        """True for ``ignore-file``."""
        return self.target is None

    def covers(self, finding: Finding) -> bool:
        """True when this directive silences ``finding`` (code aside)."""
        if finding.span.path != self.path:
            return False
        if self.target is None:
            return True
        where = finding.statement or finding.span
        return self.target.start <= where.start < max(self.target.end, self.target.start + 1)


def parse_directive(text: str) -> tuple[str, tuple[str, ...], str] | None:
    """Read a comment body; return (kind, codes, reason) or None when it is no directive.

    >>> parse_directive(" migrate-lint: ignore NN001, DL002 -- backfilled by hand")
    ('ignore', ('NN001', 'DL002'), 'backfilled by hand')
    """
    match = _DIRECTIVE.match(text)
    if match is None:
        return None
    rest = match.group("rest")
    codes_part, _, reason = rest.partition("--")
    codes = tuple(
        c.strip() for c in re.split(r"[,\s]+", codes_part.strip().rstrip("*/").strip())
        if c.strip()
    )
    return match.group("kind").lower(), codes, reason.strip().removesuffix("*/").strip()


def _comment_path(history: History, paths: Sequence[str], start: int, text: str) -> str | None:
    """The file of a comment: the one whose text holds it at ``start``."""
    for path in paths:
        if history.texts.get(path, "").startswith(text, start + 2):
            return path
    return paths[0] if len(paths) == 1 else None


def _target(statements: Sequence[Statement], path: str, start: int,
            text: str) -> Span | None:
    """The statement a per-statement directive at ``start`` in ``path`` covers."""
    in_file = [s for s in statements if s.span.path == path]
    starts = [s.span.start for s in in_file]
    i = bisect.bisect_right(starts, start)
    if i > 0:
        prev = in_file[i - 1]
        if start < prev.span.end:  # inside the statement
            return prev.span
        # trailing the statement on its last line: `...; -- migrate-lint: ignore X`
        between = text[prev.span.end : start]
        if "\n" not in between:
            return prev.span
    if i < len(in_file):
        return in_file[i].span
    return None


def collect(history: History, scope: frozenset[int] | None = None
            ) -> tuple[list[Suppression], list[tuple[Span, str]]]:
    """Every directive of the up direction of ``history``; with ``scope`` (migration
    indices), of those migrations and of any that shares a file with one of them: a
    directive covers findings in its own file only.

    Returns the suppressions and the malformed directives (span, reason), which are
    reported as MG006 too.
    """
    found: list[Suppression] = []
    malformed: list[tuple[Span, str]] = []
    migrations = history.migrations
    if scope is not None:
        files = {p for i in scope for p in migrations[i].up.paths}
        migrations = tuple(m for i, m in enumerate(migrations)
                           if i in scope or not files.isdisjoint(m.up.paths))
    for migration in migrations:
        script = migration.up
        for comment in script.comments:
            parsed = parse_directive(comment.text)
            if parsed is None:
                continue
            kind, codes, reason = parsed
            path = _comment_path(history, script.paths, comment.start, comment.text)
            if path is None:
                continue
            text = history.texts.get(path, "")
            end = text.find("\n", comment.start)
            end = len(text) if end == -1 else end
            span = LineIndex(path, text).span(comment.start, max(end, comment.start + 1))
            span = Span(path, span.start, span.end, comment.line, span.col, span.end_line,
                        span.end_col)
            if not codes:
                malformed.append((span, f"`migrate-lint: {kind}` names no rule code"))
                continue
            upper = tuple(c.upper() for c in codes)
            if kind == "ignore-file":
                found.append(Suppression(upper, path, span, None, reason))
                continue
            target = _target(script.statements, path, comment.start, text)
            if target is None:
                malformed.append((span, f"`migrate-lint: ignore {', '.join(codes)}` is not "
                                        "followed by a statement; use `ignore-file` for the "
                                        "whole file"))
                continue
            found.append(Suppression(upper, path, span, target, reason))
    return found, malformed


@value_class
class Outcome:
    """Findings left after suppression, and the MG006 findings about the directives."""

    kept: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    unused: tuple[Finding, ...]


def apply(
    findings: Iterable[Finding],
    history: History,
    *,
    resolve: Callable[[str], str | None],
    active: Callable[[str], bool],
    severity: str = "warning",
    scope: frozenset[int] | None = None,
) -> Outcome:
    """Silence findings covered by directives of ``history``; report unused directives.

    ``resolve`` maps a code or kebab name written in a directive to a rule code (None
    when unknown); ``active`` says whether a rule ran (a directive naming a rule that
    was not selected is not reported as unused). With ``scope`` (the migrations a
    `check FILES` run reports on) only the directives that can cover their findings
    are read (see `collect`); the caller drops findings outside them.
    """
    suppressions, malformed = collect(history, scope)
    used: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    dropped: list[Finding] = []
    resolved = [tuple(resolve(c) for c in s.codes) for s in suppressions]
    for finding in findings:
        hit = False
        for i, sup in enumerate(suppressions):
            if finding.code in resolved[i] and sup.covers(finding):
                used.add((i, finding.code))
                hit = True
        (dropped if hit else kept).append(finding)
    unused: list[Finding] = []

    def report(span: Span, message: str, help: str) -> None:
        unused.append(Finding(UNUSED_CODE, UNUSED_NAME, severity, message, span, help))

    for span, why in malformed:
        report(span, why, "name the rule codes to ignore, e.g. `-- migrate-lint: ignore NN001 "
                          "-- reason`")
    for i, sup in enumerate(suppressions):
        for written, code in zip(sup.codes, resolved[i], strict=True):
            if code is None:
                report(sup.span, f"suppression names unknown rule `{written}`",
                       "use a code from `migrate-lint rules`, or remove it")
            elif (i, code) not in used and active(code):
                where = "file" if sup.whole_file else "statement"
                report(sup.span, f"suppression of `{code}` matched no finding in this {where}",
                       "remove the unused suppression")
    return Outcome(tuple(kept), tuple(dropped), tuple(unused))
