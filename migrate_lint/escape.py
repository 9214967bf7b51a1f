"""One answer to "show this text from a migration on one line, without its controls".

Names and SQL come from migration files, which arrive in pull requests. Wherever such
text is shown or written, every control character (and every other character that
is not printable: line and paragraph separators, format characters) is replaced by a
printable escape: in reporters' output, so an escape sequence cannot recolour a
terminal nor a newline forge a CI log line; in the comments of generated migrations,
so a line break in a table name cannot end the comment and run the rest as SQL.
The escapes are backslash sequences of printable ASCII, so nothing they produce can
end a line.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str, keep: str = "") -> str:
    """``text`` with every character that is not printable escaped (those in ``keep``
    left alone): ``\\n``, ``\\r``, ``\\t``, else ``\\xNN``, ``\\uNNNN``, ``\\UNNNNNNNN``.

    >>> print(visible("t" + chr(27) + "[31m" + chr(10) + "x"))
    t\\x1b[31m\\nx
    >>> print(visible("caf\u00e9" + chr(0x2028) + chr(0x85) + "x"))  # line separators
    caf\u00e9\\u2028\\x85x
    >>> visible("a" + chr(9) + "b", keep=chr(9)) == "a" + chr(9) + "b"
    True
    """
    if text.isprintable() or all(ch.isprintable() or ch in keep for ch in text):
        return text
    return "".join(ch if ch.isprintable() or ch in keep else _escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"
