"""Facts about constants and parenthesised SQL text.

Two questions about a DEFAULT that look alike and are not:

- :func:`is_constant_default`: does SQLite accept ``ADD COLUMN ... DEFAULT (text)`` on a
  table holding rows (a constant, under any parentheses, signs and CASTs)? Asked by the
  rules (NN005) and by ``fix`` when it is given a value with ``--set``.
- :func:`is_bare_literal`: may ``text`` follow ``DEFAULT`` without parentheses (the
  grammar's signed-number or literal-value)? Asked only when writing a DEFAULT clause.
"""

from __future__ import annotations

import re

from migrate_lint.sqlglot_api.tokens import TokenizeError, sql_tokens

_CAST = re.compile(r"^CAST\s*\((?P<inner>.*)\s+AS\s+[\w\s()]+\)$", re.I | re.S)
_CONSTANT = re.compile(
    r"""^(?:[+-]\s*)?(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|0x[0-9a-f]+)$"""
    r"""|^'(?:[^']|'')*'$|^x'[0-9a-f]*'$|^(?:NULL|TRUE|FALSE)$""",
    re.I | re.S,
)
_SELECT_STAR = re.compile(r"^\s*SELECT\s+\*\s+FROM\s+[`\"\[]?(\w+)[`\"\]]?\s*$", re.I)


def balanced(text: str) -> bool:
    """True when every parenthesis of ``text`` outside quotes closes in order.

    >>> balanced("a) + (b"), balanced("f(')')"), balanced("(1)")
    (False, True, True)
    """
    depth = 0
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def strip_parens(text: str) -> str:
    """``text`` without the parentheses around all of it, however many.

    >>> strip_parens(" ((1)) "), strip_parens("(a) + (b)"), strip_parens("(')(')")
    ('1', '(a) + (b)', "')('")
    """
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def is_parenthesised(text: str) -> bool:
    """True when one pair of parentheses encloses all of ``text``.

    >>> is_parenthesised("(1)"), is_parenthesised("(a) + (b)"), is_parenthesised("1")
    (True, False, False)
    """
    return strip_parens(text) != text.strip()


def is_constant_default(text: str) -> bool:
    """True when SQLite accepts ``DEFAULT (text)`` in ADD COLUMN on a populated table.

    Checked on sqlite 3.40: ``(0)``, ``(-1)``, ``('x')``, ``(x'00')``, ``(NULL)``,
    ``(TRUE)``, ``((1))`` and ``(CAST(1 AS TEXT))`` are constant, and so is a sign or a
    CAST around any constant, nested (``(-(1))``, ``(- -1)``, ``(+'a')``, ``(+NULL)``,
    ``(CAST(CAST(1 AS INT) AS TEXT))``): sqlite3ValueFromExpr unwraps them; ``(1+2)``,
    ``('a' || 'b')``, ``(abs(1))``, ``(datetime('now'))`` are not, nor is ``("x")``: an
    identifier there, refused as "not constant" (a bare ``DEFAULT "x"`` is a string).

    >>> is_constant_default("(1)"), is_constant_default("-(1)"), is_constant_default("1+2")
    (True, True, False)
    >>> is_constant_default('("x")')
    False
    """
    inner = strip_parens(text)
    while True:
        cast = _CAST.match(inner)
        if cast:
            inner = strip_parens(cast.group("inner"))
        elif inner[:1] in ("+", "-"):
            inner = strip_parens(inner[1:])
        else:
            return bool(_CONSTANT.match(inner))


def is_bare_literal(text: str) -> bool:
    """True when ``text`` may follow DEFAULT unparenthesised: a number (optionally
    signed), a string, a blob, NULL, TRUE or FALSE.

    >>> is_bare_literal("-1"), is_bare_literal("'x'"), is_bare_literal("(1)")
    (True, True, False)
    """
    try:
        toks = sql_tokens(text)
    except TokenizeError:
        return False
    if len(toks) == 2 and toks[0].kind == "op" and toks[0].value in "+-":
        return toks[1].kind == "number"
    if len(toks) != 1:
        return False
    tok = toks[0]
    return tok.kind in ("number", "string", "blob") or tok.is_word("NULL", "TRUE", "FALSE")


def default_clause_value(expr: str) -> str:
    """The text to write after DEFAULT for ``expr``: a bare literal or an expression
    already in parentheses as written, anything else parenthesised.

    >>> default_clause_value("0"), default_clause_value("(1)"), default_clause_value("-(1)")
    ('0', '(1)', '(-(1))')
    """
    return expr if is_bare_literal(expr) or is_parenthesised(expr) else f"({expr})"


def is_null_default(default: str | None, kind: str) -> bool:
    """True for no DEFAULT, ``DEFAULT NULL`` or ``DEFAULT (NULL)`` (``kind`` is the
    column's ``default_kind``).

    >>> is_null_default(None, ""), is_null_default("(NULL)", "expr"), is_null_default("0", "literal")
    (True, True, False)
    """
    if default is None or kind == "null":
        return True
    return kind == "expr" and strip_parens(default).upper() == "NULL"


def select_star_source(select: str) -> str | None:
    """The table of a plain ``SELECT * FROM t`` (the body of ``CREATE TABLE x AS``), else
    None.

    >>> select_star_source("SELECT * FROM `user`"), select_star_source("SELECT a FROM t")
    ('user', None)
    """
    match = _SELECT_STAR.match(select)
    return match.group(1) if match else None
