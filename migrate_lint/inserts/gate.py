"""The cheap test that decides whether a scanner parses a file at all.

Each scanner states its gate as branches, each a word (SQL keywords and ORM markers:
``insert``, ``replace``, ``sqliteTable``, ``table!``...) with what must stand before
and after it; together they make a case-insensitive regular expression every match of
which begins with one of the words. Tried at every position of every file, that
expression was most of the time of a scan over application sources, most of which
hold no insert at all (its leading ``\\b`` keeps ``re`` from skipping ahead).

So :meth:`Gate.admits` answers from the words instead. On ASCII text (nearly every
source file) each branch is one search of the lower-cased text for a pattern that
begins with the word itself: ``re`` skips to the word as ``str.find`` does and tries
the rest in C. On other text the words are found with ``str.find`` in a case-folded
copy and the expression is tried where one begins.
"""

from __future__ import annotations

import re

from migrate_lint.values import value_class

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


@value_class
class Branch:
    """One way a gate lets a file through: ``word`` with ``before`` in front of it and
    ``after`` behind it (regular expressions; ``before`` is ``""``, ``\\b`` or a
    lookbehind ``(?<=...)``). Case-insensitive, unless ``cased``."""

    word: str
    before: str = ""
    after: str = ""
    cased: bool = False

    def expression(self) -> str:
        """The branch as part of the gate's case-insensitive expression."""
        after = f"(?:{self.after})" if self.after else ""
        body = f"{self.before}{re.escape(self.word)}{after}"
        return f"(?-i:{body})" if self.cased else body

    def ascii_key(self) -> str:
        """The word as an ASCII text is searched for: lower case, unless ``cased``."""
        return self.word if self.cased else self.word.lower()

    def ascii_rest(self) -> str:
        """What the branch asks of ASCII text once its word is found: what stands before
        it, checked behind the word, and what follows, ahead of it (a match spans the
        word only, so the search for the word is the search for a literal)."""
        quoted = re.escape(self.ascii_key())
        if self.before == r"\b" and re.match(r"\w", self.word):
            behind = rf"(?<!\w{quoted})"
        elif self.before.startswith("(?<=") and self.before.endswith(")"):
            behind = f"(?<={self.before[4:-1]}{quoted})"
        elif not self.before:
            behind = ""
        else:
            raise ValueError(f"gate branch: cannot check {self.before!r} behind a word")
        return behind + (f"(?={self.after})" if self.after else "")


@value_class
class Gate:
    """A scanner's gate: ``pattern`` (``re.I``), each match of which begins with a word.

    ``words`` are lower case. That every match begins with one of them is the
    contract: tests/test_inserts_gate.py generates matches of each scanner's pattern
    and checks it. ``ascii`` holds, per word, what answers for ASCII text: the word as
    searched for, a pattern that begins with it and asks what any of its branches asks
    (:meth:`Branch.ascii_rest`), and whether it is searched in the text as it is
    (``cased``) rather than lower-cased.
    """

    words: tuple[str, ...]
    pattern: re.Pattern[str]
    ascii: tuple[tuple[str, re.Pattern[str], bool], ...] = ()

    @classmethod
    def of(cls, *branches: Branch) -> Gate:
        """The gate of ``branches``: their expressions joined, their ASCII patterns."""
        words = tuple(dict.fromkeys(b.word.lower() for b in branches))
        pattern = re.compile("|".join(b.expression() for b in branches), re.I)
        rests: dict[tuple[str, bool], list[str]] = {}
        for branch in branches:  # one search per word, however many branches it begins
            rests.setdefault((branch.ascii_key(), branch.cased), []).append(branch.ascii_rest())
        fast = tuple((key, re.compile(f"{re.escape(key)}(?:{'|'.join(rest)})"), cased)
                     for (key, cased), rest in rests.items())
        return cls(words, pattern, fast)

    def admits(self, text: str) -> bool:
        """Exactly ``self.pattern.search(text) is not None``, at a fraction of the cost."""
        if self.ascii and text.isascii():
            lower = text.lower()
            for word, pattern, cased in self.ascii:
                hay = text if cased else lower
                at = hay.find(word)
                if at >= 0 and pattern.search(hay, at) is not None:
                    return True
            return False
        return bool(self._starts(text, first=True))

    def starts(self, text: str) -> list[int]:
        """Every offset where ``pattern`` matches, ascending: the hits a scanner reads around."""
        if self.ascii and text.isascii():
            lower = text.lower()
            found: set[int] = set()
            for word, pattern, cased in self.ascii:
                hay = text if cased else lower
                at = hay.find(word)
                while at >= 0:
                    hit = pattern.search(hay, at)
                    if hit is None:
                        break
                    found.add(hit.start())
                    at = hit.start() + 1
            return sorted(found)
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
