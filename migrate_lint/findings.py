"""Findings: what a rule reports, as plain data. Reporters render them; nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field

from migrate_lint.claims import Claim
from migrate_lint.span import Span

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    """0 for info, 1 for warning, 2 for error."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding comes from (provenance): the migration that made a column."""

    message: str
    span: Span


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place.

    ``message`` says what happens at run time and on which databases; ``help`` what to
    do; ``fix_title`` (imperative) what ``migrate-lint fix`` would do, when it can.
    ``span`` is the most precise place (a column definition where there is one);
    ``statement`` the whole statement. ``data`` carries the facts a fix planner needs
    (``table``, ``column``, ...), never wording. ``fingerprint`` survives line shifts:
    baselines, SARIF ``partialFingerprints`` and GitLab reports use it.
    """

    code: str
    name: str
    severity: str
    message: str
    span: Span
    help: str = ""
    statement: Span | None = None
    migration: str | None = None
    related: tuple[Related, ...] = ()
    fix_title: str | None = None
    data: tuple[tuple[str, str], ...] = field(default=())
    # What the finding says SQLite will do, checked by running it before it is
    # reported (migrate_lint.confirm); None for findings that claim no effect.
    claim: Claim | None = field(default=None, compare=False)
    # Line-independent identity (migrate_lint.baseline), filled in by the lint run.
    fingerprint: str = ""

    @property
    def path(self) -> str:
        """The file the finding is in."""
        return self.span.path

    def get(self, key: str, default: str | None = None) -> str | None:
        """A value from ``data``."""
        for k, v in self.data:
            if k == key:
                return v
        return default

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order findings by file, line, column, code."""
        return (self.span.path, self.span.line, self.span.col, self.code)
