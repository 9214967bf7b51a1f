"""Positions in source text: parsers report lines and byte columns, spans need characters."""

from __future__ import annotations

import re

from migrate_lint.span import LineIndex, Span, line_starts, split_lines

# An INSERT at the start of a string: keyword, INTO and a table name followed by what
# can follow one. Filters string literals before any SQL parsing, so that prose like
# "Insert into the list" is not mistaken for a statement.
SQL_INSERT = re.compile(
    r"""^\s*(?:WITH\b.*?\b)?(?:INSERT|REPLACE)\s+(?:OR\s+[A-Za-z]+\s+)?INTO\s+"""
    r"""[\w"`\[\].$]+\s*(?:\(|VALUES\b|SELECT\b|DEFAULT\b|AS\b|WITH\b)""",
    re.I | re.S,
)


def looks_like_insert(text: str) -> bool:
    """True when ``text`` starts like an INSERT (or REPLACE) statement."""
    return SQL_INSERT.match(text) is not None


class TextPositions:
    """Converts (line, byte column) and byte offsets of one text to character spans."""

    __slots__ = ("_ascii", "_data", "_index", "_lines", "_starts", "path", "text")

    def __init__(self, path: str, text: str) -> None:
        self.text = text
        self.path = path
        self._index: LineIndex | None = None  # built on the first span: most files have none
        self._ascii = text.isascii()
        self._lines: list[str] | None = None
        self._starts: list[int] | None = None
        self._data: bytes | None = None

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            # the lines Python's parser numbers: a lone \r breaks a line too
            self._starts = line_starts(self.text)
        return self._starts

    def offset(self, line: int, byte_col: int) -> int:
        """Character offset of 1-based ``line`` and 0-based UTF-8 byte column."""
        starts = self._line_starts()
        start = starts[min(line - 1, len(starts) - 1)]
        if self._ascii:
            return start + byte_col
        if self._lines is None:
            self._lines = split_lines(self.text)
        text = self._lines[line - 1] if line <= len(self._lines) else ""
        raw = text.encode("utf-8")[:byte_col]
        return start + len(raw.decode("utf-8", errors="ignore"))

    def char_offset(self, byte_offset: int) -> int:
        """Character offset of a byte offset into the UTF-8 encoding of the text."""
        if self._ascii:
            return byte_offset
        if self._data is None:
            self._data = self.text.encode("utf-8")
        return len(self._data[:byte_offset].decode("utf-8", errors="ignore"))

    def span(self, start: int, end: int) -> Span:
        """Span of characters ``[start, end)``."""
        if self._index is None:
            self._index = LineIndex(self.path, self.text)
        return self._index.span(start, max(end, start + 1))
