"""The one module that knows sqlglot: loading, tokens, parsing and AST shapes.

sqlglot moves argument keys and token types between versions; every other module
goes through the small surface here, so a sqlglot upgrade is a change to one file.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.tokens import Token

    from migrate_lint.tokens import Tok

PINNED_VERSION = "30.30.0"
# Set to force pure-Python sqlglot even where sqlglotc is installed (tests, debugging).
PURE_ENV = "MIGRATE_LINT_PURE_SQLGLOT"


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """Which sqlglot runs, and why the compiled one does not where it does not."""

    version: str
    compiled: bool
    note: str = ""


class _PurePythonFinder(importlib.abc.MetaPathFinder):
    """Loads sqlglot's ``.py`` sources, skipping sqlglotc's compiled overlays.

    sqlglotc drops ``.so`` files beside sqlglot's modules and the import system
    prefers them; a mismatched pair must not load, so this finder answers first.
    """

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "sqlglot" and not fullname.startswith("sqlglot."):
            return None
        leaf = fullname.rpartition(".")[2]
        for entry in path if path is not None else sys.path:
            package = os.path.join(entry, leaf)
            init = os.path.join(package, "__init__.py")
            if os.path.isfile(init):
                return importlib.util.spec_from_file_location(
                    fullname, init, submodule_search_locations=[package]
                )
            module = package + ".py"
            if os.path.isfile(module):
                return importlib.util.spec_from_file_location(fullname, module)
        return None


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def engine() -> EngineInfo:
    """Load sqlglot once, compiled when sqlglotc matches it exactly, else pure Python."""
    core = _dist_version("sqlglot") or "unknown"
    compiled = _dist_version("sqlglotc")
    note = ""
    if "sqlglot" not in sys.modules and compiled is not None:
        if os.environ.get(PURE_ENV):
            note = f"pure-Python sqlglot forced by {PURE_ENV}"
        elif compiled != core:
            note = (
                f"sqlglotc {compiled} does not match sqlglot {core}; using pure-Python "
                f"sqlglot (pip install 'sqlglotc=={core}' to speed it up)"
            )
        if note:
            sys.meta_path.insert(0, _PurePythonFinder())
    from sqlglot import tokens

    return EngineInfo(core, bool(tokens.SQLGLOTC_INSTALLED), note)


@lru_cache(maxsize=1)
def _dialect() -> Any:
    engine()
    from sqlglot.dialects.sqlite import SQLite

    return SQLite()


class TokenizeError(Exception):
    """The text cannot be split into SQL tokens (unterminated string or comment)."""


def tokenize(text: str) -> list[Token]:
    """SQLite tokens of ``text``; offsets index into ``text``."""
    from sqlglot.errors import TokenError

    try:
        return list(_dialect().tokenize(text))
    except TokenError as err:
        raise TokenizeError(str(err)) from None


class ParseFailure(Exception):
    """sqlglot could not parse a statement; the message says why."""


def parse_tokens(tokens: Sequence[Token], text: str) -> exp.Expression:
    """Parse one statement from its tokens (``text`` is what the offsets index)."""
    from sqlglot.errors import ParseError

    try:
        trees = _dialect().parser().parse(list(tokens), text)
    except ParseError as err:
        errors = getattr(err, "errors", None) or []
        reason = errors[0].get("description") if errors else str(err)
        raise ParseFailure(str(reason).splitlines()[0]) from None
    except Exception as err:  # sqlglot raises assorted errors on odd input
        raise ParseFailure(f"{type(err).__name__}: {err}") from None
    real = [t for t in trees if t is not None]
    if len(real) != 1:
        raise ParseFailure(f"expected one statement, sqlglot read {len(real)}")
    return real[0]


# Token types by name: sqlglot renames them rarely, but only this module may know.
def token_type_name(token: Token) -> str:
    """The token type's name, e.g. ``'STRING'``, ``'IDENTIFIER'``, ``'L_PAREN'``."""
    return str(token.token_type.name)


def is_command(tree: exp.Expression) -> bool:
    """True where sqlglot gave up and kept the raw text (``exp.Command``)."""
    from sqlglot import exp

    return isinstance(tree, exp.Command) or any(
        isinstance(node, exp.Command) for node in tree.find_all(exp.Command)
    )


def shape_problem(kind: str, tree: exp.Expression) -> str | None:
    """Why a parsed tree does not mean what the statement says, if it does not.

    ``kind`` is our own reading of the statement's leading keywords (see
    ``parse.statement_kind``); sqlglot sometimes returns a column or alias for
    statements it does not know, or nests a Command inside a normal-looking node.
    """
    from sqlglot import exp

    if is_command(tree):
        return "sqlglot could not parse it and kept it as raw text"
    expected: dict[str, tuple[type[exp.Expression], ...]] = {
        "insert": (exp.Insert,),
        "update": (exp.Update,),
        "delete": (exp.Delete,),
        "select": (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Values),
    }
    wanted = expected.get(kind)
    if wanted and not isinstance(tree, wanted):
        return f"sqlglot read it as {type(tree).__name__}, not {kind.upper()}"
    return None


def sql(tree: exp.Expression) -> str:
    """Render a tree in SQLite syntax (for messages only, never for DDL to execute)."""
    return str(tree.sql(dialect="sqlite"))


_KIND_BY_TYPE = {
    "STRING": "string",
    "IDENTIFIER": "quoted",
    "NUMBER": "number",
    "HEX_STRING": "blob",
    "BIT_STRING": "blob",
    "BYTE_STRING": "blob",
}


def sql_tokens(text: str, base: int = 0) -> list[Tok]:
    """Tokens of ``text`` as our own :class:`Tok`, offsets shifted by ``base``.

    sqlglot merges some keyword pairs (``PRIMARY KEY``, ``ORDER BY``) into one
    token; they are split back into words so readers see SQLite's grammar.
    """
    from migrate_lint.tokens import Tok

    out: list[Tok] = []
    append = out.append
    kinds = _KIND_BY_TYPE
    for token in tokenize(text):
        start = token.start
        end = token.end + 1
        raw = token.text
        kind = kinds.get(token.token_type.name)
        if kind is not None:
            append(Tok(kind, raw, start + base, end + base, ""))
            continue
        first = raw[:1]
        if first.isalpha() or first == "_":
            if " " in raw or "\t" in raw or "\n" in raw:
                source = text[start:end]
                pos = 0
                for word in source.split():
                    pos = source.index(word, pos)
                    append(Tok("word", word, start + pos + base, start + pos + len(word) + base, word.upper()))
                    pos += len(word)
            else:
                append(Tok("word", raw, start + base, end + base, raw.upper()))
        else:
            append(Tok("op", raw, start + base, end + base, ""))
    return out


def parse_statement(text: str) -> exp.Expression:
    """Parse the text of exactly one statement with the sqlite dialect."""
    return parse_tokens(tokenize(text), text)


# -- reading data statements -------------------------------------------------------


def updated_columns(tree: exp.Expression) -> tuple[str, ...]:
    """Columns an UPDATE sets (``SET a = ..., b = ...``)."""
    from sqlglot import exp

    out: list[str] = []
    for assignment in tree.expressions if isinstance(tree, exp.Update) else ():
        target = assignment.this if isinstance(assignment, exp.EQ) else None
        if isinstance(target, exp.Column):
            out.append(target.name)
    return tuple(out)


def update_assignments(tree: exp.Expression) -> list[tuple[str, exp.Expression]]:
    """``(column, value expression)`` pairs of an UPDATE."""
    from sqlglot import exp

    pairs = []
    for assignment in tree.expressions if isinstance(tree, exp.Update) else ():
        if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
            pairs.append((assignment.this.name, assignment.expression))
    return pairs


def has_where(tree: exp.Expression) -> bool:
    """True when an UPDATE or DELETE has a WHERE clause."""
    return tree.args.get("where") is not None
