"""Parsing one statement with the sqlite dialect, from text or from a slice of tokens,
and the checks that sqlglot's tree means what the statement says.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .load import (
    errors_module,
    exp_module,
    sqlite_dialect,
    sqlite_generator,
    sqlite_parser,
    tokens_module,
)
from .tokens import token_type_name, tokenize

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.tokens import Token

    from migrate_lint.tokens import Tok


class ParseFailure(Exception):
    """sqlglot could not parse a statement; the message says why."""


# SQLite's own functions (core, aggregate, window, date, math, JSON, FTS auxiliaries):
# sqlglot may read these its own way, and rightly. Any other name called like a
# function is the application's (`sql-functions`) or an extension's.
_SQLITE_FUNCTIONS = frozenset("""
    abs changes char coalesce concat concat_ws format glob hex ifnull if iif instr
    last_insert_rowid length like likelihood likely load_extension lower ltrim max min
    nullif octet_length printf quote random randomblob replace round rtrim sign soundex
    sqlite_compileoption_get sqlite_compileoption_used sqlite_offset sqlite_source_id
    sqlite_version substr substring total_changes trim typeof unhex unicode unlikely upper
    zeroblob avg count group_concat string_agg sum total row_number rank dense_rank
    percent_rank cume_dist ntile lag lead first_value last_value nth_value date time
    datetime julianday unixepoch strftime timediff acos acosh asin asinh atan atan2 atanh
    ceil ceiling cos cosh degrees exp floor ln log log10 log2 mod pi pow power radians sin
    sinh sqrt tan tanh trunc json jsonb json_array jsonb_array json_array_length
    json_error_position json_extract jsonb_extract json_insert jsonb_insert json_object
    jsonb_object json_patch jsonb_patch json_pretty json_remove jsonb_remove json_replace
    jsonb_replace json_set jsonb_set json_type json_valid json_quote json_group_array
    jsonb_group_array json_group_object jsonb_group_object json_each json_tree bm25
    highlight snippet offsets matchinfo raise
""".upper().split())
# Words that stand before `(` in SQLite's grammar without being a function call.
_NOT_CALLS = frozenset("""
    in exists values as using on over key check unique table into join from window cast
    case when then else and or not select where recursive is between distinct all primary
    foreign references default group by order having limit offset returning set update
    delete insert conflict do generated always with materialized partition rows range
    groups index view trigger of
""".upper().split())
# After these, `name (` names a table and its columns: `INSERT INTO t (a)`.
_TABLE_BEFORE = frozenset("""
    into table join from update references on exists view index trigger
""".upper().split())
# Marks a function name that sqlglot must read as a plain call (see _plain_calls).
_PLAIN = "\x00"


@lru_cache(maxsize=1)
def _special_names() -> frozenset[str]:
    """Names sqlglot parses as its own functions, with its own argument rules."""
    parser = sqlite_dialect().parser_class
    names = {*parser.FUNCTION_PARSERS, *parser.FUNCTIONS, *parser.NO_PAREN_FUNCTION_PARSERS}
    return frozenset(names - _SQLITE_FUNCTIONS - _NOT_CALLS)


@lru_cache(maxsize=1)
def _suspect_names() -> frozenset[str]:
    """`_special_names` and sqlglot's keywords: what `_plain_calls` may rename."""
    keywords = {k for k in sqlite_dialect().tokenizer_class.KEYWORDS if k.isidentifier()}
    return _special_names() | frozenset(keywords - _SQLITE_FUNCTIONS - _NOT_CALLS)


# A name directly before `(`: the cheap test that most statements need no renaming.
_CALL_NAME = re.compile(r"(?<![\w$])([A-Za-z_]\w*)[\"`\]]?\s*\(")


def _plain_calls(tokens: Sequence[Token], text: str) -> list[Token] | None:
    """The tokens with each call of a non-SQLite function that sqlglot treats as its
    own (``normalize(name, 'nfc')``, ``split(x)``, ``match(x)``) renamed to a name it
    cannot know, so it parses as a plain call; None when there is none.

    SQLGLOT.md: grammar fixes go on the token stream (the compiled parser cannot be
    subclassed). `_restore_names` puts the names back in the tree.
    """
    if not tokens:
        return None
    suspects = _suspect_names()
    names = _CALL_NAME.findall(text, tokens[0].start, tokens[-1].end + 1)
    if not any(name.upper() in suspects for name in names):
        return None
    special = _special_names()
    token_type = tokens_module().TokenType
    var, lparen = token_type.VAR, token_type.L_PAREN
    out: list[Token] | None = None
    for index in range(1, len(tokens)):
        if tokens[index].token_type is not lparen:
            continue
        token = tokens[index - 1]
        upper = token.text.upper()
        if (
            upper in _SQLITE_FUNCTIONS
            or upper in _NOT_CALLS
            or not (upper in special or (token.token_type is not var and upper.isidentifier()))
        ):
            continue
        previous = tokens[index - 2] if index >= 2 else None
        if previous is not None and (token_type_name(previous) in _NOT_BEFORE_CALLS
                                     or previous.text.upper() in _TABLE_BEFORE):
            continue
        if _names_a_cte(tokens, index):
            continue
        if out is None:
            out = list(tokens)
        out[index - 1] = tokens_module().Token(
            var, token.text + _PLAIN, token.line, token.col, token.start, token.end,
            token.comments)
    return out


def _names_a_cte(tokens: Sequence[Token], paren: int) -> bool:
    """True when the list opening at ``paren`` is followed by ``AS (``: ``WITH x(a) AS (``."""
    depth = 0
    for index in range(paren, len(tokens)):
        kind = token_type_name(tokens[index])
        depth += 1 if kind == "L_PAREN" else -1 if kind == "R_PAREN" else 0
        if depth == 0:
            after = [t.text.upper() for t in tokens[index + 1 : index + 3]]
            return len(after) == 2 and after[0] == "AS" and after[1] in ("(", "NOT",
                                                                         "MATERIALIZED")
    return False


# Token types after which `name (` is a name and a list, not a call: `INTO t (a)`,
# `t.x (`, `) FILTER (`.
_NOT_BEFORE_CALLS = frozenset({"DOT", "R_PAREN", "VAR", "IDENTIFIER", "STRING", "NUMBER"})


def _restore_names(tree: exp.Expression) -> None:
    """Undo `_plain_calls`: in the call it made, and anywhere else the name landed."""
    for node in tree.walk():
        name = node.args.get("this")
        if isinstance(name, str) and name.endswith(_PLAIN):
            node.set("this", name.removesuffix(_PLAIN))


def parse_tokens(tokens: Sequence[Token], text: str) -> exp.Expression:
    """Parse one statement from its tokens (``text`` is what the offsets index)."""
    plain = _plain_calls(tokens, text)
    try:
        trees = sqlite_parser().parse(plain if plain is not None else list(tokens), text)
    except errors_module().ParseError as err:
        errors = getattr(err, "errors", None) or []
        reason = errors[0].get("description") if errors else str(err)
        raise ParseFailure(str(reason).replace(_PLAIN, "").splitlines()[0]) from None
    except Exception as err:  # sqlglot raises assorted errors on odd input
        raise ParseFailure(f"{type(err).__name__}: {str(err).replace(_PLAIN, '')}") from None
    real = [t for t in trees if t is not None]
    if len(real) != 1:
        raise ParseFailure(f"expected one statement, sqlglot read {len(real)}")
    if plain is not None:
        _restore_names(real[0])
    return real[0]


def is_command(tree: exp.Expression) -> bool:
    """True where sqlglot gave up and kept the raw text (``exp.Command``)."""
    exp = exp_module()

    return isinstance(tree, exp.Command) or next(tree.find_all(exp.Command), None) is not None


def shape_problem(kind: str, tree: exp.Expression, command: bool | None = None) -> str | None:
    """Why a parsed tree does not mean what the statement says, if it does not.

    ``kind`` is our own reading of the statement's leading keywords (see
    ``parse.statement_kind``); sqlglot sometimes returns a column or alias for
    statements it does not know, or nests a Command inside a normal-looking node.
    ``command``: whether the tree holds a Command, when the caller's walk of it
    already told (`compact_tree`).
    """
    exp = exp_module()

    if is_command(tree) if command is None else command:
        return "sqlglot could not parse it and kept it as raw text"
    expected: dict[str, tuple[type[Any], ...]] = {
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
    # the cached generator, not `tree.sql(dialect="sqlite")`, which looks the dialect up
    # by name and makes a generator: rules render every value of every copy. The
    # generator may rewrite what it renders, so it gets a copy, except of the leaves
    # (a column, a literal) no rewrite touches: the copy was most of their cost.
    return str(sqlite_generator().generate(tree, copy=type(tree).__name__ not in _LEAVES))


# Expression classes the generator renders without rewriting them.
_LEAVES = frozenset({"Column", "Identifier", "Literal", "Null", "Boolean", "Star"})


def parse_token_slice(source: Sequence[Any], first: Tok, last: Tok, text: str) -> exp.Expression:
    """Parse the statement made of sqlglot tokens ``first.src`` .. ``last.src``.

    ``source`` and ``text`` are what :func:`tokens_and_source` returned and was given.
    """
    return parse_tokens(source[first.src : last.src + 1], text)


def parse_statement(text: str) -> exp.Expression:
    """Parse the text of exactly one statement with the sqlite dialect."""
    return parse_tokens(tokenize(text), text)


_POSITIONS = frozenset({"line", "col", "start", "end"})


def compact_tree(tree: exp.Expression) -> bool:
    """Make ``tree`` smaller to keep: drop the token positions the parser wrote into its
    nodes, and make alike names and comments one string each. Returns whether a node
    is an ``exp.Command`` (`is_command`, told by the same walk).

    Only leaves have positions (see SQLGLOT.md), and a statement's tree is read for what
    it says, never for where (its statement has its span): a dict and two ints a leaf,
    a third of a tree. Other meta (sqlglot's own flags) stays. A history names its
    tables and columns again and again, and drizzle's breakpoint comment before each
    statement lands in its tree.
    """
    exp = exp_module()
    identifier, command = exp.Identifier, exp.Command
    intern = sys.intern
    found = False
    for node in tree.walk():
        found = found or isinstance(node, command)
        meta = node._meta
        if meta is not None and meta.keys() == _POSITIONS:
            node._meta = None
        comments = node.comments
        if comments:
            comments[:] = [intern(c) for c in comments]
        if type(node) is identifier:
            args = node.args
            name = args.get("this")
            if type(name) is str:
                args["this"] = intern(name)
    return found


def let_go(box: list[exp.Expression]) -> bool:
    """Free the tree ``box`` holds (its only holder) now, if nothing else holds a node
    of it: True when it was freed.

    A tree is a cycle (each node links to its parent), which only the cyclic collector
    frees, and `check` freezes the history before the rules run (`pipeline.gc_frozen`):
    a statement's tree it lets go would stay until the end. Unlinking the parents makes
    reference counting free it, and is seen by no one when no reference into the tree
    comes from outside it: counted, not assumed (a memo may keep a part of a tree).
    """
    tree = box.pop()
    nodes = list(tree.walk())
    count = sys.getrefcount
    # What holds a node while it is counted: `nodes` and the call (measured on a probe,
    # counted the same way), its parent's args (the root: `tree`) and the parent
    # link of each of its children; anything more is a holder outside the tree.
    probe = [object()]
    here = sum(map(count, probe))
    held = sum(map(count, nodes))
    if held != here * len(nodes) + 2 * len(nodes) - 1:
        return False
    for node in nodes:
        node.parent = None
    return True
