"""Our own small token: what the splitter and the DDL reader need, nothing of sqlglot's."""

from __future__ import annotations

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
