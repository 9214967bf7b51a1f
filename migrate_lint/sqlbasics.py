"""Identifier quoting the fixer, the synthetic-row filler and the prover share.

It sits below all three (``fix.sqltext`` re-exports it) so `migrate_lint.confirm`
can fill a database without importing the fixer. Type affinity is a fact:
``migrate_lint.facts.types``.
"""

from __future__ import annotations


def q(name: str) -> str:
    """Quote an identifier with backticks.

    Backticks, unlike double quotes, never fall back to a string literal when the
    name does not exist (SQLite's double-quoted-string quirk): a typo fails loudly.
    """
    return "`" + name.replace("`", "``") + "`"

