"""What a lint run hands to its readers: the result, and what is shown about each rule.

Reporters, ``check`` and ``against`` read these; they live apart from the orchestrator
(`migrate_lint.lint`) so a reporter never imports the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from typing import TYPE_CHECKING

from migrate_lint import baseline as baseline_file
from migrate_lint.config import Config
from migrate_lint.findings import Finding, severity_rank
from migrate_lint.settings import Settings
from migrate_lint.values import value_class

if TYPE_CHECKING:  # reporters read results without loading the replay (and sqlglot)
    from migrate_lint.replay import Timeline

__all__ = ["LintResult", "RuleInfo", "merge"]


@value_class
class RuleInfo:
    """What reporters and ``migrate-lint rules`` show about one rule."""

    code: str
    name: str
    severity: str
    summary: str
    doc: str
    fix_title: str | None = None


@value_class
class LintResult:
    """The findings of a run, the texts they point into, and what was checked."""

    findings: tuple[Finding, ...]
    texts: Mapping[str, str]
    roots: tuple[str, ...]
    config: Config
    suppressed: int = 0
    rules: tuple[RuleInfo, ...] = field(default=())
    notes: tuple[str, ...] = ()  # what --verbose prints: unchecked insert sites, skipped files
    # Each history's connection settings, as --verbose and --show-settings print them.
    settings: tuple[tuple[str, Settings], ...] = ()
    # Several configurations (merge): whether any part failed under its own fail-on.
    parts_failed: bool | None = None
    baselined: int = 0  # findings the baseline file hid
    stale: tuple[baseline_file.Entry, ...] = ()  # baseline entries that matched nothing
    # The replayed histories, in the order of ``roots``: `fix` plans on the timeline its
    # lint run built instead of reading the history again.
    timelines: tuple[Timeline, ...] = field(default=(), compare=False)
    # The real path of each file of each history, by spelling, in the order of ``roots``:
    # `fix` hands them to the lint of its corrected history (the same files).
    real_paths: tuple[Mapping[str, str], ...] = field(default=(), compare=False)

    def count(self, severity: str) -> int:
        """How many findings have ``severity``."""
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def files(self) -> tuple[str, ...]:
        """The files that have findings, in order."""
        return tuple(dict.fromkeys(f.path for f in self.findings))

    def failed(self, fail_on: str | None = None) -> bool:
        """True when a finding is at or above ``fail_on`` (default: the config's)."""
        if fail_on is None and self.parts_failed is not None:
            return self.parts_failed
        threshold = severity_rank(fail_on or self.config.fail_on)
        return any(severity_rank(f.severity) >= threshold for f in self.findings)


def merge(results: Sequence[LintResult]) -> LintResult:
    """One result for runs made under different configurations (one per config file)."""
    if len(results) == 1:
        return results[0]
    first = results[0]
    texts: dict[str, str] = {}
    for result in results:
        texts.update(result.texts)
    return replace(
        first,
        findings=tuple(sorted((f for r in results for f in r.findings), key=Finding.sort_key)),
        texts=texts,
        roots=tuple(root for r in results for root in r.roots),
        suppressed=sum(r.suppressed for r in results),
        notes=tuple(n for r in results for n in r.notes),
        settings=tuple(x for r in results for x in r.settings),
        baselined=sum(r.baselined for r in results),
        stale=tuple(e for r in results for e in r.stale),
        parts_failed=any(r.failed() for r in results),
    )
