"""Our own small token: what the splitter and the DDL reader need, nothing of sqlglot's."""

from __future__ import annotations

import re
from typing import NamedTuple


class Tok(NamedTuple):
    """One SQL token.

    ``kind`` is one of ``word`` (keyword or bare identifier), ``quoted`` (quoted
    identifier), ``string``, ``number``, ``blob`` or ``op`` (punctuation and
    operators). ``value`` is unquoted for identifiers and strings; ``upper`` is the
    upper-cased value of a word, else ``""``. ``start``/``end`` are offsets into the
    file text, ``end`` exclusive.
    """

    kind: str
    value: str
    start: int
    end: int
    upper: str
    # Index of the sqlglot token this came from, so a statement can be parsed from
    # the tokens already made instead of tokenizing its text again.
    src: int = -1

    def is_word(self, *words: str) -> bool:
        """True for a bare word equal (case-insensitively) to one of ``words``."""
        return self.kind == "word" and self.upper in words

    @property
    def is_name(self) -> bool:
        """True where the token can name a table, column or index."""
        return self.kind in ("word", "quoted", "string")


class Unclosed(NamedTuple):
    """Where a string, quoted name or comment opens and is never closed."""

    offset: int
    what: str  # "string", "quoted name", "comment"
    closer: str


# SQLite's lexical rules: a comment, or a quoted token closed by its quote ('' doubles it);
# an opener none of them could close is the unclosed one (group 1).
_CLOSED_OR_OPENER = re.compile(
    r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\[[^\]]*\]"
    r"|(/\*|['\"`\[])", re.S)
_UNCLOSED = {"/*": ("comment", "*/"), "'": ("string", "'"), '"': ("quoted name", '"'),
             "`": ("quoted name", "`"), "[": ("quoted name", "]")}


def unclosed(text: str) -> Unclosed | None:
    """The first string, quoted name or block comment of ``text`` that is never closed.

    SQLite refuses an unclosed string or name ("unrecognized token"); it reads a block
    comment left open as running to the end of the input.

    >>> unclosed("SELECT 'it''s'; SELECT 'oops;")
    Unclosed(offset=23, what='string', closer="'")
    >>> unclosed("SELECT 1; /* to the end").what
    'comment'
    >>> unclosed("SELECT [a], `b` -- it's") is None
    True
    """
    for match in _CLOSED_OR_OPENER.finditer(text):
        opener = match.group(1)
        if opener is not None:
            what, closer = _UNCLOSED[opener]
            return Unclosed(match.start(), what, closer)
    return None
