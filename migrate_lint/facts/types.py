"""Type facts: SQLite's affinity of a declared type, and what follows from it."""

from __future__ import annotations

# The type `CREATE TABLE ... AS SELECT` declares for a column copied from a column of
# each affinity (sqlite's sqlite3AffinityType names, "" for BLOB).
_CTAS_TYPE = {"INTEGER": "INT", "TEXT": "TEXT", "BLOB": "", "REAL": "REAL", "NUMERIC": "NUM"}
_ZERO = {"INTEGER": "0", "TEXT": "''", "BLOB": "x''", "REAL": "0.0"}


def affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type (datatype3.html, 3.1).

    >>> affinity("varchar(20)"), affinity("BIGINT"), affinity(""), affinity("timestamp")
    ('TEXT', 'INTEGER', 'BLOB', 'NUMERIC')
    >>> affinity("floating point"), affinity("DOUBLE"), affinity("blob")
    ('INTEGER', 'REAL', 'BLOB')
    """
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if "CHAR" in upper or "CLOB" in upper or "TEXT" in upper:
        return "TEXT"
    if "BLOB" in upper or not upper.strip():
        return "BLOB"
    if "REAL" in upper or "FLOA" in upper or "DOUB" in upper:
        return "REAL"
    return "NUMERIC"


def ctas_type(declared: str) -> str:
    """The type ``CREATE TABLE ... AS SELECT`` gives a column copied from ``declared``.

    >>> ctas_type("varchar(20)"), ctas_type("bigint"), ctas_type(""), ctas_type("date")
    ('TEXT', 'INT', '', 'NUM')
    """
    return _CTAS_TYPE[affinity(declared)]


def zero_value(declared: str) -> str:
    """A type-appropriate zero default: 0, '', x'' or 0.0 by affinity (0 for NUMERIC).

    >>> zero_value("text"), zero_value("integer"), zero_value(""), zero_value("numeric")
    ("''", '0', "x''", '0')
    """
    return _ZERO.get(affinity(declared), "0")
