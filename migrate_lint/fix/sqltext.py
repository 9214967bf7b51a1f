"""Small SQL text helpers: quoting, names, expressions, and token-level edits.

Everything here edits the ORIGINAL text by offsets (never sqlglot's generator), so
what SQLite keeps verbatim (STRICT, COLLATE, CHECK, comments) survives.
"""

from __future__ import annotations

import re
import sqlite3

from migrate_lint import ddl as d
from migrate_lint import scratch
from migrate_lint.escape import visible
from migrate_lint.facts.literals import default_clause_value
from migrate_lint.span import LineIndex
from migrate_lint.sqlbasics import q as q  # re-exported: the filler (migrate_lint.synth) shares it
from migrate_lint.sqlglot_api.tokens import sql_tokens
from migrate_lint.values import value_class


def comment_text(text: str) -> str:
    """``text`` made safe for one ``-- `` comment line: `migrate_lint.escape.visible`.

    A newline (or any line break SQLite's tokenizer or an editor honours) in a table
    name would end the comment, and the rest of the name would run as SQL; escaped,
    it is a backslash and a letter.

    >>> print(comment_text("t" + chr(10) + "DELETE FROM victim; --"))
    t\\nDELETE FROM victim; --
    """
    return visible(text)


def slug(text: str, limit: int = 40) -> str:
    """``text`` as a safe part of a file name: ``[a-z0-9_]`` only, never empty.

    Names from the schema never become paths as written (``..``, ``/``, NUL).

    >>> slug("../Évil/Name"), slug("---"), slug("user-Sessions")
    ('vil_name', 'x', 'user_sessions')
    """
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].strip("_")
    return out or "x"


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def default_as_expression(default: str) -> str:
    """A column's DEFAULT text as an expression meaning the same value anywhere.

    SQLite reads `DEFAULT "text"` and `DEFAULT text` (a bare word) as the string
    'text'; inside an expression the same token names a column when one exists
    (REBUILD.md's double-quoted-string trap), so they become single-quoted strings.

    >>> default_as_expression('"text"'), default_as_expression("draft")
    ("'text'", "'draft'")
    >>> default_as_expression("'x'"), default_as_expression("0"), default_as_expression("NULL")
    ("'x'", '0', 'NULL')
    """
    text = default.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        inner = text[1:-1].replace('""', '"')
    elif text.replace("_", "a").isalnum() and not text[:1].isdigit() and text.upper() not in (
            "NULL", "TRUE", "FALSE", "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"):
        inner = text
    else:
        return text
    return "'" + inner.replace("'", "''") + "'"


# String literals and quoted names, where `;` and `--` are just characters.
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\[[^\]]*\]")


def check_expression(expr: str) -> str | None:
    """Why ``expr`` is not a valid SQLite expression (asked of SQLite itself), or None.

    Column references are allowed (a backfill may read the row): an error naming a
    missing column is therefore not a parse error. The text is spliced into a written
    migration, so it must be ONE expression on one line: no ``;``, no comment (either
    would end the statement or swallow the rest of its line), no line break.

    >>> check_expression("(1)"), check_expression("coalesce(a, 'x;y')")
    (None, None)
    >>> check_expression("0 -- note")
    'a comment (--) is not part of an expression'
    >>> check_expression("1); DELETE FROM t; SELECT (1")
    'more than one statement (;)'
    """
    outside = _QUOTED.sub("_", expr)
    for needle, what in ((";", "more than one statement (;)"),
                         ("--", "a comment (--) is not part of an expression"),
                         ("/*", "a comment (/*) is not part of an expression")):
        if needle in outside:
            return what
    if not all(ch.isprintable() for ch in expr):
        return "a line break or control character (write it on one line; char(10) is a newline)"
    conn = scratch.connect(autocommit=False)
    try:
        conn.execute(f"SELECT {expr}").fetchall()
    except sqlite3.Error as err:
        message = str(err)
        if message.startswith("no such column"):
            return None
        return message
    finally:
        conn.close()
    return None


@value_class
class ParsedCreate:
    """A CREATE TABLE text read into its parts, with the offsets of the table name."""

    text: str
    table: d.CreateTable
    name_start: int
    name_end: int

    def column(self, name: str) -> d.ColumnDef | None:
        """The definition of column ``name`` (case-insensitive)."""
        low = name.lower()
        return next((c for c in self.table.columns if c.name.lower() == low), None)


def parse_create(text: str) -> ParsedCreate:
    """Read a CREATE TABLE statement; raise ValueError when it is not one."""
    toks = sql_tokens(text)
    node = d.read_ddl(toks, text, LineIndex("<schema>", text))
    if not isinstance(node, d.CreateTable) or node.body is None:
        raise ValueError("not a CREATE TABLE with a column list")
    # The name is the last name token before the column list's "(" (after an
    # optional schema and IF NOT EXISTS).
    body_start = node.body[0]
    before = [t for t in toks if t.end <= body_start and t.is_name]
    first = before[-1]
    start = first.start
    # `main.t`: replace the schema part too (the rebuilt table lives in main)
    idx = toks.index(first)
    if idx >= 2 and toks[idx - 1].kind == "op" and toks[idx - 1].value == "." \
            and toks[idx - 2].is_name:
        start = toks[idx - 2].start
    return ParsedCreate(text, node, start, first.end)


def edit_create(parsed: ParsedCreate, new_name: str, column: str, *, notnull: bool,
                default: str | None) -> str:
    """The CREATE text renamed to ``new_name`` with ``column``'s NOT NULL/DEFAULT edited.

    Only the name token, the column's NOT NULL clause and its DEFAULT clause change;
    every other character of the original text is kept.
    """
    col = parsed.column(column)
    if col is None:
        raise ValueError(f"column `{column}` not in the CREATE TABLE text")
    edits: list[tuple[int, int, str]] = [(parsed.name_start, parsed.name_end, q(new_name))]
    clause = f"DEFAULT {default_clause_value(default)}" if default is not None else ""
    if col.default_span is not None:
        start, end = col.default_span.start, col.default_span.end
        if clause:
            edits.append((start, end, clause))
        else:
            edits.append(_removal(parsed.text, start, end))
    elif clause:
        edits.append((col.span.end, col.span.end, " " + clause))
    if col.notnull and not notnull and col.notnull_span is not None:
        edits.append(_removal(parsed.text, col.notnull_span.start, col.notnull_span.end))
    elif notnull and not col.notnull:
        edits.append((col.span.end, col.span.end, " NOT NULL"))
    text = parsed.text
    # Apply from the end so earlier offsets stay valid; equal starts keep their order.
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _removal(text: str, start: int, end: int) -> tuple[int, int, str]:
    """Remove text[start:end] together with the blanks before it."""
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return start, end, ""


def splice_column(text: str, column_def_text: str) -> str:
    """Append a column definition to a CREATE TABLE text, before its table constraints.

    Mirrors what SQLite does to the stored text on ADD COLUMN (it appends before the
    closing parenthesis); used when only the model's text is at hand.
    """
    parsed = parse_create(text)
    last = parsed.table.columns[-1]
    return text[: last.span.end] + ", " + column_def_text + text[last.span.end :]
