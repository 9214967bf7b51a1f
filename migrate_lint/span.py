"""Source positions: where a statement or a piece of one sits in its file."""

from __future__ import annotations

import bisect
import re
from array import array
from typing import Protocol

from migrate_lint.values import value_class

# Line breaks as editors and Python's own parser count them: \r\n, a lone \r and \n.
# (str.splitlines also breaks at \f, \v, \x1c-\x1e, \x85, \u2028 and \u2029, which SQL
# text may hold in strings and comments: positions and shown lines must agree.)
_BREAK = re.compile(r"\r\n?|\n")


def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts (the first is 0)."""
    if "\r" in text:
        return [0, *(m.end() for m in _BREAK.finditer(text))]
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def split_lines(text: str) -> list[str]:
    r"""The lines of ``text`` without their breaks, numbered as :class:`LineIndex` numbers
    them (line N is item N - 1); a break at the very end opens no further line.

    >>> split_lines("a\r\nb\rc\n\x0cd\n")
    ['a', 'b', 'c', '\x0cd']
    """
    lines = _BREAK.split(text) if "\r" in text else text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


@value_class
class Span:
    """A region of one file.

    Lines and columns are 1-based (columns count characters, not bytes); ``end_line`` /
    ``end_col`` point at the last character. ``start``/``end`` are 0-based character
    offsets into the whole file text, ``end`` exclusive, so ``text[start:end]`` is the
    exact source of the region.
    """

    path: str
    start: int
    end: int
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    @classmethod
    def file_start(cls, path: str) -> Span:
        """The start of file ``path``: where a finding about the whole file points."""
        return cls(path, 0, 0, 1, 1, 1, 1)


class Spanner(Protocol):
    """What makes spans of a text's regions (a :class:`LineIndex`, a :class:`SameSpan`)."""

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]``."""
        ...


class LineIndex:
    """Maps character offsets of one text to 1-based line and column numbers.

    Definitions keep their file's index to make their spans when asked (see
    `ddl.ColumnDef`): the line starts are an array, 8 bytes a line, not a list of ints.
    """

    __slots__ = ("_cr", "_starts", "_text", "path")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._text = text
        self._starts = array("q", line_starts(text))
        self._cr = "\r" in text

    def position(self, offset: int) -> tuple[int, int]:
        """Return the (line, column) of the character at ``offset``."""
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]`` (``end`` exclusive, ``end > start``)."""
        line, col = self.position(start)
        last = max(start, end - 1)
        if self._text.find("\n", start, last) == -1 and not (
                self._cr and self._text.find("\r", start, last) != -1):
            # Most spans sit on one line: no second search.
            return Span(self.path, start, end, line, col, line, col + last - start)
        end_line, end_col = self.position(last)
        return Span(self.path, start, end, line, col, end_line, end_col)


class SameSpan:
    """A :class:`Spanner` whose every span is one span: the parts of a definition read
    by SQLite (`ddl_fallback`) all point at their statement."""

    __slots__ = ("whole",)

    def __init__(self, whole: Span) -> None:
        self.whole = whole

    def span(self, start: int, end: int) -> Span:
        """``whole``, wherever ``start`` and ``end`` are."""
        return self.whole
