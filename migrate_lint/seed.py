"""Data-seeding INSERTs, read without a syntax tree.

A seed migration can hold hundreds of thousands of `INSERT ... VALUES (literals)`.
Kept as sqlglot trees and token lists they cost about 10 KB each (a 50 MB seed file
needed 9 GB). No rule needs more of them than the target table, the columns named
and the number of rows, so that is what is kept, with the statement's span and its
header tokens; SQLite's own parser checks the rest of the grammar.

    >>> from migrate_lint.sqlglot_api.tokens import sql_tokens
    >>> read_seed(sql_tokens("INSERT OR IGNORE INTO `t` (a, \\"b\\") VALUES (1, 'x'), (-2, NULL);"))
    SeedInsert(table='t', columns=('a', 'b'), rows=2, header=11, arities=(2,), null_positions=(1,), conflict='ignore')
    >>> read_seed(sql_tokens("INSERT INTO t VALUES (abs(-1))")) is None  # a call: not a seed
    True
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import field

from migrate_lint.tokens import Tok
from migrate_lint.values import value_class

# Tokens a VALUES list of constants is made of.
_LITERAL_KINDS = frozenset({"number", "string", "blob"})
_LITERAL_WORDS = frozenset({"NULL", "TRUE", "FALSE", "CURRENT_TIMESTAMP", "CURRENT_DATE",
                            "CURRENT_TIME"})
_PUNCT = frozenset({"(", ")", ",", "-", "+", ";"})
@value_class
class SeedInsert:
    """What rules need of an ``INSERT ... VALUES`` of constants."""

    table: str
    columns: tuple[str, ...] | None  # None: no column list (every column, in order)
    rows: int
    header: int  # tokens before the first value row (the statement's tokens)
    header_end: int = field(repr=False)  # where they end in the statement's text
    # The distinct numbers of values per row, in order of first appearance.
    arities: tuple[int, ...] = ()
    # Positions (from 0) given a bare NULL in some row.
    null_positions: tuple[int, ...] = ()
    conflict: str | None = None  # INSERT OR <conflict>; REPLACE INTO is "replace"
    # A run of consecutive seed INSERTs kept as one statement: where each of them
    # starts and ends in the statement's text ([start0, end0, start1, ...]); empty
    # for a single INSERT. An array, not a tuple: 16 bytes a statement, not 80.
    bounds: array[int] = field(default_factory=lambda: array("q"), compare=False, repr=False)

    def joins(self, other: SeedInsert) -> bool:
        """Whether ``other`` may be kept in one run with this one."""
        # the same target and one same row width: SQLite's verdict on the run is its
        # verdict on each INSERT (a ragged or mismatched one stays on its own)
        # (and the same NULL positions: a finding about one is a finding about all)
        return (self.table, self.columns, self.conflict, self.arities,
                self.null_positions) == (other.table, other.columns, other.conflict,
                                         other.arities, other.null_positions) and len(
            self.arities) == 1

    def statements(self, text: str) -> Iterator[str]:
        """The INSERT statements of a run, as they are in ``text`` (the run's text), one
        at a time: a run can hold half a million of them."""
        if not self.bounds:
            yield text
            return
        b = self.bounds
        for i in range(0, len(b), 2):
            yield text[b[i] : b[i + 1]]


def _name(tok: Tok) -> str | None:
    # quoted names and strings arrive unquoted; SQLite accepts 'name' as a name here
    return tok.value if tok.kind in ("word", "quoted", "string") else None


# cc: a token reader following SQLite's INSERT grammar; its branches are the grammar's
#   alternatives
def read_seed(toks: Sequence[Tok]) -> SeedInsert | None:
    """The seed facts of ``toks``, or None when it is not an INSERT of constants."""
    i, n = 0, len(toks)
    if n < 6 or not toks[0].is_word("INSERT", "REPLACE"):
        return None
    i = 1
    conflict = "replace" if toks[0].is_word("REPLACE") else None
    if toks[0].is_word("INSERT") and toks[i].is_word("OR"):
        conflict = toks[i + 1].value.lower()
        i += 2
    if i >= n or not toks[i].is_word("INTO"):
        return None
    i += 1
    if i + 2 < n and toks[i + 1].kind == "op" and toks[i + 1].value == ".":
        i += 2  # schema.table: the table is what matters
    if i >= n:
        return None
    table = _name(toks[i])
    if table is None:
        return None
    i += 1
    columns: tuple[str, ...] | None = None
    if i < n and toks[i].kind == "op" and toks[i].value == "(":
        names: list[str] = []
        i += 1
        while i < n and not (toks[i].kind == "op" and toks[i].value == ")"):
            if not (toks[i].kind == "op" and toks[i].value == ","):
                name = _name(toks[i])
                if name is None:
                    return None
                names.append(name)
            i += 1
        columns = tuple(names)
        i += 1
    if i >= n or not toks[i].is_word("VALUES"):
        return None
    header = i + 1
    rows = depth = 0
    arities: dict[int, None] = {}
    nulls: set[int] = set()
    position = 0  # the value being read in the current row
    inner: list[str] = []  # the current value's tokens, parentheses left out

    def end_value() -> None:
        if [t for t in inner if t not in ("-", "+")] == ["NULL"]:  # -NULL is NULL too
            nulls.add(position)

    for tok in toks[header:]:
        if tok.kind == "op":
            if tok.value not in _PUNCT:
                return None
            if tok.value == "(":
                depth += 1
                if depth == 1:
                    rows, position, inner = rows + 1, 0, []
                continue
            if tok.value == ")":
                depth -= 1
                if depth == 0:
                    end_value()
                    arities[position + 1 if inner or position else 0] = None
                continue
            if tok.value == "," and depth == 1:
                end_value()
                position, inner = position + 1, []
                continue
        elif not (tok.kind in _LITERAL_KINDS or tok.upper in _LITERAL_WORDS):
            return None
        if depth >= 1:  # words by name, signs by value, literals by kind ('NULL' is text)
            inner.append(tok.upper if tok.kind == "word" else
                         tok.value if tok.kind == "op" else tok.kind)
    if rows == 0 or depth != 0:
        return None
    return SeedInsert(table, columns, rows, header, toks[header - 1].end - toks[0].start,
                      tuple(arities), tuple(sorted(nulls)), conflict)
