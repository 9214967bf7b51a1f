"""Diagnostics raised while reading a history, before any rule runs.

Discovery and parsing never drop what they cannot read: they record a diagnostic
with the code of the rule that reports it (MG001 parse-error, MG002
missing-separator, MG003 duplicate-version) and the engine turns it into a finding.
"""

from __future__ import annotations

from migrate_lint.span import Span
from migrate_lint.values import value_class


@value_class
class Diagnostic:
    """Something the reader could not understand, with where and why."""

    code: str
    message: str
    path: str
    span: Span | None = None
    tables: tuple[str, ...] = ()
