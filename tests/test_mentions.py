"""`_rebuild.mentions` (does a statement name a table?) agrees with the whole-word,
case-insensitive pattern it stands for, on ASCII text (its own search) and beyond."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from rules._rebuild import mentions


def _pattern(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text, re.I) is not None


# Texts built from pieces of names, so that near misses (prefixes, suffixes, other
# cases, `$` and `_` neighbours) are common.
_PIECES = st.sampled_from(["users", "USERS", "Users", "user", "s", "_", "$", " ", "(", ")",
                           '"', "`", "[", "]", ",", ".", "1", "é", "SELECT", "\n", "K", "k"])
_TEXTS = st.lists(_PIECES, max_size=12).map("".join)
_NAMES = st.sampled_from(["users", "USERS", "user", "s", "é", "a$b", "x_1", "users s"])


@given(_TEXTS, _NAMES)
def test_mentions_agrees_with_the_pattern(text: str, name: str) -> None:
    assert mentions(text, name) == _pattern(text, name)


@given(st.text(max_size=20), st.text(min_size=1, max_size=4))
def test_mentions_agrees_on_any_text(text: str, name: str) -> None:
    assert mentions(text, name) == _pattern(text, name)


def test_mentions_examples() -> None:
    assert mentions("INSERT INTO t SELECT * FROM Users", "users")
    assert mentions('SELECT * FROM "users"', "USERS")
    assert not mentions("SELECT * FROM users_old", "users")
    assert not mentions("SELECT $users FROM x", "users")
    assert not mentions("SELECT * FROM old_users", "users")
    assert mentions("SELECT * FROM users_old, users", "users")
