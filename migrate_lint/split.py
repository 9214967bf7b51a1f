"""Split a section of SQLite text into statements, from tokens, keeping exact offsets.

``sqlglot.parse`` splits on every ``;`` (tearing trigger bodies apart), drops
comments' positions and silently merges statements when a ``;`` is missing. This
splitter knows strings, comments and quoted identifiers (from the tokenizer),
``CREATE TRIGGER ... BEGIN ... END`` bodies, drizzle's ``--> statement-breakpoint``,
goose's ``StatementBegin``/``StatementEnd`` blocks, ``WITH ... INSERT/UPDATE/DELETE``,
and flags a missing ``;``.

A goose block is sent to the driver as one Exec, and the Go SQLite drivers run every
statement in it in order; so inside a block ``;`` still ends a statement (each gets
its own span) and the block's end ends the last one even without a ``;``.
"""

from __future__ import annotations

import re
import sys

from migrate_lint.diagnostics import Diagnostic
from migrate_lint.source import Section
from migrate_lint.span import LineIndex, Span
from migrate_lint.sqlglot_api.tokens import TokenizeError, tokens_and_source
from migrate_lint.tokens import Tok, Unclosed, unclosed
from migrate_lint.values import value_class


@value_class
class Comment:
    """A comment with its place; suppressions and runner markers are read from these."""

    text: str  # without the leading ``--`` or the ``/* */``
    start: int
    line: int


@value_class
class RawStatement:
    """One statement's tokens and exact extent, before it is read."""

    tokens: tuple[Tok, ...]
    start: int
    end: int
    # The `-- +goose StatementBegin` comment of the block the statement sits in: goose
    # sends a block to the driver as one Exec, which the sandbox imitates.
    block: Span | None = None


@value_class
class SplitResult:
    """The statements and comments of one section, and what went wrong on the way."""

    statements: tuple[RawStatement, ...]
    comments: tuple[Comment, ...]
    diagnostics: tuple[Diagnostic, ...]
    # sqlglot's tokens of the section and the text they index, for parsing without
    # tokenizing again (see sqlglot_api.parsing.parse_token_slice)
    source: tuple[object, ...] = ()
    source_text: str = ""


_COMMENT = re.compile(r"--[^\n]*|/\*.*?(?:\*/|\Z)", re.S)
# Keywords that begin a statement; one at the start of a line, outside parentheses
# and trigger bodies, means the previous statement lost its `;`.
_STARTERS = frozenset({"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE", "PRAGMA", "REPLACE"})
# ... unless it continues a clause: ON DELETE, DO UPDATE, OR REPLACE, INSTEAD OF.
_CONTINUES = frozenset({"ON", "DO", "OR", "OF", "BEFORE", "AFTER", "INSTEAD", "FOR", "EACH", "THEN", "ELSE"})
# The statement a `WITH` clause's common table expressions lead into.
_WITH_BODIES = frozenset({"SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE"})


def _scan_gap(text: str, start: int, end: int, lines: LineIndex, out: list[Comment]
              ) -> tuple[str, Span | None]:
    """Collect the comments in ``text[start:end]`` (drizzle's breakpoints are separators,
    not comments) and return the separator they imply.

    Returns ``"break"`` for a drizzle breakpoint or goose ``StatementEnd``, ``"begin"``
    and the marker's span for goose ``StatementBegin``, else ``""``.
    """
    signal = ""
    marker: Span | None = None
    if "-" not in text[start:end] and "/" not in text[start:end]:
        return signal, marker
    for match in _COMMENT.finditer(text, start, end):
        raw = match.group()
        body = raw[2:] if raw.startswith("--") else raw[2:].removesuffix("*/")
        stripped = body.strip()
        if stripped.startswith("> statement-breakpoint"):
            # drizzle's separator, a `;` of its own: a long history has one a statement,
            # and nobody reads it as a comment (suppressions read directives): not kept
            signal, marker = "break", None
            continue
        # one string for the many alike (goose's annotations, repeated notes)
        out.append(Comment(sys.intern(body), match.start(), lines.position(match.start())[0]))
        # goose reads its annotations case-insensitively and loose about spaces
        goose = " ".join(stripped.lower().split()) if "goose" in stripped.lower() else ""
        if goose == "+goose statementend":
            signal, marker = "break", None
        elif goose == "+goose statementbegin":
            signal, marker = "begin", lines.span(match.start(), match.end())
    return signal, marker


# cc: one token loop whose branches are the splitter's cases (strings, triggers, goose blocks,
#   breakpoints); split, its state would travel
def split_section(section: Section, lines: LineIndex) -> SplitResult:
    """Split one section into raw statements with file offsets."""
    text = section.text
    comments: list[Comment] = []
    diagnostics: list[Diagnostic] = []
    source_text = text[section.start : section.end]
    try:
        tokens, source = tokens_and_source(source_text, section.start)
    except TokenizeError as err:
        opened = unclosed(source_text)
        try:
            if opened is None or opened.what != "comment":
                raise err
            # SQLite reads a comment left open as running to the end of the input:
            # the SQL before it is what runs (the gap scan keeps the comment)
            source_text = source_text[: opened.offset]
            tokens, source = tokens_and_source(source_text, section.start)
        except TokenizeError as unread:
            diagnostics.append(_unreadable(section, lines, opened, str(unread)))
            _scan_gap(text, section.start, section.end, lines, comments)
            return SplitResult((), tuple(comments), tuple(diagnostics))

    statements: list[RawStatement] = []
    current: list[Tok] = []
    depth = 0  # BEGIN/CASE ... END nesting inside a CREATE TRIGGER
    parens = 0
    is_trigger = False
    # A statement that opened with WITH and has not reached the statement its
    # common table expressions feed: its INSERT/UPDATE/DELETE is no new statement.
    with_pending = False
    block: Span | None = None  # the goose block being read
    previous_end = section.start

    def flush() -> None:
        nonlocal current, depth, parens, is_trigger, with_pending
        if current:
            statements.append(RawStatement(tuple(current), current[0].start, current[-1].end,
                                           block))
        current = []
        depth = parens = 0
        is_trigger = with_pending = False

    for tok in tokens:
        kind, value, start, end, word, _ = tok  # unpacking beats NamedTuple attributes
        if start != previous_end:
            gap = text[previous_end:start]
            if "-" in gap or "/" in gap:
                # goose's block markers and drizzle's breakpoints end a statement
                signal, marker = _scan_gap(text, previous_end, start, lines, comments)
                if signal:
                    flush()
                    block = marker
        previous_end = end
        if kind == "op":
            if value == ";" and depth == 0:
                flush()
                continue
            if value == "(":
                parens += 1
            elif value == ")":
                parens = max(0, parens - 1)
        elif kind == "word" and not current:
            with_pending = word == "WITH"
        elif kind == "word":
            if with_pending and parens == 0 and word in _WITH_BODIES:
                with_pending = False
            elif len(current) <= 3 and word == "TRIGGER" and current[0].upper == "CREATE":
                is_trigger = True
            elif is_trigger and word in ("BEGIN", "CASE"):
                depth += 1
            elif is_trigger and word == "END":
                depth = max(0, depth - 1)
            elif (
                word in _STARTERS
                and depth == 0
                and parens == 0
                and current[-1].upper not in _CONTINUES
                and _starts_line(text, tok.start)
                and not (word == "REPLACE" and current[-1].upper == "INTO")
            ):
                span = lines.span(tok.start, tok.end)
                diagnostics.append(
                    Diagnostic(
                        "MG002",
                        f"`{tok.value}` starts a new statement but the previous one "
                        "has no `;`: the runner would send both as one statement",
                        section.path,
                        span,
                    )
                )
                flush()
        current.append(tok)
    _scan_gap(text, previous_end, section.end, lines, comments)
    flush()
    return SplitResult(tuple(statements), tuple(comments), tuple(diagnostics), tuple(source),
                       source_text)


def _unreadable(section: Section, lines: LineIndex, opened: Unclosed | None,
                error: str) -> Diagnostic:
    """MG001 for a section that cannot be split into tokens: at the string or quoted name
    left open, where there is one (sqlglot's own message names neither)."""
    if opened is None or opened.what == "comment":  # a reason of sqlglot's own
        span = lines.span(section.start, max(section.end, section.start + 1))
        return Diagnostic("MG001", f"cannot read SQL: {error}", section.path, span)
    start = section.start + opened.offset
    line_end = section.text.find("\n", start, section.end)
    span = lines.span(start, line_end if line_end > start else section.end)
    return Diagnostic(
        "MG001",
        f"cannot read SQL: the {opened.what} that starts here is never closed (no "
        f"`{opened.closer}` after it): SQLite refuses the file with 'unrecognized token'",
        section.path, span)


def _starts_line(text: str, offset: int) -> bool:
    """True when only whitespace precedes ``offset`` on its line."""
    line_start = text.rfind("\n", 0, offset) + 1
    return not text[line_start:offset].strip()


def statement_span(raw: RawStatement, lines: LineIndex) -> Span:
    """The span of a raw statement in its file."""
    return lines.span(raw.start, raw.end)
