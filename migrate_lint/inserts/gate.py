"""The cheap test that decides whether a scanner parses a file at all.

Each scanner states its gate as a case-insensitive regular expression every match of
which begins with one of a few words: SQL keywords and ORM markers (``insert``,
``replace``, ``sqliteTable``, ``table!``...). :meth:`Gate.admits` finds those words
in a lower-cased copy with ``str.find`` (close to what ``grep`` costs) and tries the
expression only where one begins. Tried at every position of every file, the same
expression was most of the time of a scan over application sources, most of which
hold no insert at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The characters outside ASCII that ``re.IGNORECASE`` matches to an ASCII letter
# (dotted and dotless I, long s, the Kelvin sign): folded to that letter, one
# character for one, so positions in the folded copy are positions in the text.
# tests/test_inserts_gate.py derives this table from ``re`` itself.
FOLD = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
# What may stand between two SQL words in source code: white space and line breaks of
# any length, the quotes and ``+`` of a concatenation, an escaped newline or tab.
SEPARATOR = r"(?:\W|\\[nrt])"


def fold(text: str) -> str:
    """``text`` lower-cased, every character still at its own position."""
    if text.isascii():
        return text.lower()
    return text.translate(FOLD).lower()


@dataclass(frozen=True, slots=True)
class Gate:
    """A scanner's gate: ``pattern`` (``re.I``), each match of which begins with a word.

    ``words`` are lower case. That every match begins with one of them is the
    contract: tests/test_inserts_gate.py generates matches of each scanner's pattern
    and checks it.
    """

    words: tuple[str, ...]
    pattern: re.Pattern[str]

    def admits(self, text: str) -> bool:
        """Exactly ``self.pattern.search(text) is not None``, at a fraction of the cost."""
        return bool(self._starts(text, first=True))

    def starts(self, text: str) -> list[int]:
        """Every offset where ``pattern`` matches, ascending: the hits a scanner reads around."""
        return sorted(set(self._starts(text, first=False)))

    def _starts(self, text: str, *, first: bool) -> list[int]:
        folded = fold(text)
        if len(folded) != len(text):  # cannot happen with FOLD; never guess if it does
            found = self.pattern.search(text)
            if found is None or first:
                return [found.start()] if found else []
            return [i for i in range(found.start(), len(text)) if self.pattern.match(text, i)]
        match = self.pattern.match  # at a position: ``\b`` still sees the character before
        out: list[int] = []
        for word in self.words:
            at = folded.find(word)
            while at >= 0:
                if match(text, at):
                    out.append(at)
                    if first:
                        return out
                at = folded.find(word, at + 1)
        return out
