"""SQLite tokens from sqlglot's tokenizer, and their conversion to our own :class:`Tok`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .load import engine, errors_module, sqlite_tokenizer

if TYPE_CHECKING:
    from sqlglot.tokens import Token

    from migrate_lint.tokens import Tok


class TokenizeError(Exception):
    """The text cannot be split into SQL tokens (unterminated string or comment)."""


def tokenize(text: str) -> list[Token]:
    """SQLite tokens of ``text``; offsets index into ``text``."""
    try:
        return list(sqlite_tokenizer().tokenize(text))
    except errors_module().TokenError as err:
        raise TokenizeError(str(err)) from None


# Token types by name: sqlglot renames them rarely, but only this module may know.
def token_type_name(token: Token) -> str:
    """The token type's name, e.g. ``'STRING'``, ``'IDENTIFIER'``, ``'L_PAREN'``."""
    return str(token.token_type.name)


_KIND_BY_TYPE = {
    "STRING": "string",
    "IDENTIFIER": "quoted",
    "NUMBER": "number",
    "HEX_STRING": "blob",
    "BIT_STRING": "blob",
    "BYTE_STRING": "blob",
}


@lru_cache(maxsize=1)
def _kinds_by_type() -> dict[Any, str]:
    """Our token kinds keyed by sqlglot's TokenType members (enum lookups are slow)."""
    engine()
    from sqlglot.tokens import TokenType

    return {getattr(TokenType, name): kind for name, kind in _KIND_BY_TYPE.items()
            if hasattr(TokenType, name)}


def sql_tokens(text: str, base: int = 0) -> list[Tok]:
    """Tokens of ``text`` as our own :class:`Tok`, offsets shifted by ``base``.

    sqlglot merges some keyword pairs (``PRIMARY KEY``, ``ORDER BY``) into one
    token; they are split back into words so readers see SQLite's grammar.
    """
    return tokens_and_source(text, base)[0]


def tokens_and_source(text: str, base: int = 0) -> tuple[list[Tok], list[Any]]:
    """Our tokens of ``text`` and sqlglot's, which :func:`parse_token_slice` can reuse."""
    from migrate_lint.tokens import Tok

    out: list[Tok] = []
    append = out.append
    # tuple.__new__ skips NamedTuple's Python-level constructor: this loop runs for
    # every token of the history.
    make = tuple.__new__
    # How each token type converts, decided once per type.
    categories = _token_categories()
    source = tokenize(text)
    for index, token in enumerate(source):
        token_type = token.token_type
        category = categories.get(token_type)
        raw = token.text
        start = token.start + base
        if category is None:
            category = _categorize(token_type, raw)
            if category != "keyword?":
                categories[token_type] = category
            else:
                category = "multi" if any(c.isspace() for c in raw) else "word"
        if category == "word":
            append(make(Tok, ("word", raw, start, token.end + 1 + base, raw.upper(), index)))
        elif category == "op":
            append(make(Tok, ("op", raw, start, token.end + 1 + base, "", index)))
        elif category == "multi":
            piece = text[token.start : token.end + 1]
            pos = 0
            for word in piece.split():
                pos = piece.index(word, pos)
                append(Tok("word", word, start + pos, start + pos + len(word), word.upper(),
                           index))
                pos += len(word)
        else:
            append(make(Tok, (category, raw, start, token.end + 1 + base, "", index)))
    return out, source


@lru_cache(maxsize=1)
def _token_categories() -> dict[Any, str]:
    """Token type -> conversion; filled as types are met (see tokens_and_source)."""
    engine()
    from sqlglot.tokens import TokenType

    categories: dict[Any, str] = dict(_kinds_by_type())
    categories[TokenType.VAR] = "word"  # also `$name` parameters: words, not operators
    return categories


def _categorize(token_type: Any, raw: str) -> str:
    """How tokens of ``token_type`` convert: ``word``, ``op``, or ``keyword?``.

    Keyword types whose text can hold whitespace (``PRIMARY KEY``, ``ORDER BY``) are
    split into words; ``keyword?`` asks the caller to look at each such token.
    """
    first = raw[:1]
    if not (first.isalpha() or first == "_"):
        return "op"
    if " " in str(token_type.value) or "_" in token_type.name:
        return "keyword?"
    return "word"
