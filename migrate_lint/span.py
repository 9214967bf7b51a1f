"""Source positions: where a statement or a piece of one sits in its file."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
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


class LineIndex:
    """Maps character offsets of one text to 1-based line and column numbers."""

    __slots__ = ("_starts", "_text", "path")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """Return the (line, column) of the character at ``offset``."""
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]`` (``end`` exclusive, ``end > start``)."""
        line, col = self.position(start)
        last = max(start, end - 1)
        if self._text.find("\n", start, last) == -1:
            # Most spans sit on one line: no second search.
            return Span(self.path, start, end, line, col, line, col + last - start)
        end_line, end_col = self.position(last)
        return Span(self.path, start, end, line, col, end_line, end_col)
