"""Findings: what a rule reports, as plain data. Reporters render them; nothing else."""

from __future__ import annotations

from dataclasses import field, fields

from migrate_lint.claims import Claim
from migrate_lint.span import Span
from migrate_lint.values import value_class

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    """0 for info, 1 for warning, 2 for error."""
    return SEVERITIES.index(severity)


class Facts:
    """What a rule observed, as data: the base of the frozen dataclass each rule file
    declares (table, column, the statement, the value, what was seen), as ruff's
    ``Violation``.

    The wording lives on the dataclass: :meth:`message` says what is wrong and what it
    costs, :meth:`help` what to do, :meth:`fix_title` (imperative) what ``migrate-lint
    fix`` does, when it says more than the rule's ``fix_title``. A fixable rule's
    ``fix`` receives the same object; nothing is passed as strings.
    """

    __slots__ = ()

    def message(self) -> str:
        """What is wrong, where, and what it costs (one line)."""
        raise NotImplementedError(f"{type(self).__name__} must define message()")

    def help(self) -> str:
        """What to do about it ("" when the message says it)."""
        return ""

    def fix_title(self) -> str | None:
        """What the fix does for this finding (None: the rule's ``fix_title``)."""
        return None

    def items(self) -> tuple[tuple[str, str], ...]:
        """The fields with a value, as text (for reporters and tests; rules and the fixer
        read the attributes)."""
        out = []
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None or value == "" or value == ():
                continue
            out.append((f.name, ",".join(map(str, value)) if isinstance(value, tuple)
                        else str(value)))
        return tuple(out)


@value_class
class Worded(Facts):
    """The facts of a finding worded where it was found (a history diagnostic of the
    reader, a stand-in rule in a test): its text, and the tables it names."""

    text: str
    advice: str = ""
    tables: tuple[str, ...] = ()

    def message(self) -> str:
        """The text as written."""
        return self.text

    def help(self) -> str:
        """The advice as written."""
        return self.advice


@value_class
class Related:
    """Another place a finding comes from (provenance): the migration that made a column."""

    message: str
    span: Span


@value_class
class Finding:
    """One problem at one place.

    ``message`` says what happens at run time and on which databases; ``help`` what to
    do; ``fix_title`` (imperative) what ``migrate-lint fix`` would do, when it can.
    ``span`` is the most precise place (a column definition where there is one);
    ``statement`` the whole statement. ``facts`` is what the rule observed (its
    :class:`Facts` dataclass, which rendered ``message``, ``help`` and ``fix_title``);
    a fixable rule's ``fix`` reads it. ``fingerprint`` survives line shifts: baselines,
    SARIF ``partialFingerprints`` and GitLab reports use it.
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
    facts: Facts | None = None
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
        """A field of ``facts`` as text (tuples joined with commas), for reporters and
        tests; ``default`` when there is none or it is empty."""
        if self.facts is None:
            return default
        return dict(self.facts.items()).get(key, default)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order findings by file, line, column, code."""
        return (self.span.path, self.span.line, self.span.col, self.code)
