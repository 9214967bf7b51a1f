"""Two SQL facts the fixer, the synthetic-row filler and the prover share.

They sit below all three (``fix.sqltext`` re-exports them) so `migrate_lint.confirm`
can fill a database without importing the fixer.
"""

from __future__ import annotations


def q(name: str) -> str:
    """Quote an identifier with backticks.

    Backticks, unlike double quotes, never fall back to a string literal when the
    name does not exist (SQLite's double-quoted-string quirk): a typo fails loudly.
    """
    return "`" + name.replace("`", "``") + "`"


def affinity(declared: str) -> str:
    """SQLite's type affinity of a declared type (sqlite.org/datatype3.html 3.1)."""
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(n in upper for n in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in upper or not upper:
        return "BLOB"
    if any(n in upper for n in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"
