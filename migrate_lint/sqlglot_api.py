"""The one module that knows sqlglot: loading, tokens, parsing and AST shapes.

sqlglot moves argument keys and token types between versions; every other module
goes through the small surface here, so a sqlglot upgrade is a change to one file.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from sqlglot import exp

    # for annotations inside helpers whose local `exp` (see _exp) shadows the module
    Expr: TypeAlias = exp.Expression
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


@lru_cache(maxsize=1)
def _parser() -> Any:
    """One parser for the process: ``Parser.parse`` resets its state on every call."""
    return _dialect().parser()


@lru_cache(maxsize=1)
def _exp() -> Any:
    """sqlglot's expressions module, imported once: an import statement inside the
    helpers below would run the import machinery on every call."""
    engine()
    from sqlglot import exp

    return exp


@lru_cache(maxsize=1)
def _tokens_module() -> Any:
    """sqlglot's tokens module (see ``_exp``)."""
    engine()
    from sqlglot import tokens

    return tokens


@lru_cache(maxsize=1)
def _errors() -> Any:
    """sqlglot's errors module (see ``_exp``)."""
    engine()
    from sqlglot import errors

    return errors


class TokenizeError(Exception):
    """The text cannot be split into SQL tokens (unterminated string or comment)."""


def tokenize(text: str) -> list[Token]:
    """SQLite tokens of ``text``; offsets index into ``text``."""
    try:
        return list(_dialect().tokenize(text))
    except _errors().TokenError as err:
        raise TokenizeError(str(err)) from None


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
    parser = _dialect().parser_class
    names = {*parser.FUNCTION_PARSERS, *parser.FUNCTIONS, *parser.NO_PAREN_FUNCTION_PARSERS}
    return frozenset(names - _SQLITE_FUNCTIONS - _NOT_CALLS)


@lru_cache(maxsize=1)
def _suspect_names() -> frozenset[str]:
    """`_special_names` and sqlglot's keywords: what `_plain_calls` may rename."""
    keywords = {k for k in _dialect().tokenizer_class.KEYWORDS if k.isidentifier()}
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
    token_type = _tokens_module().TokenType
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
        out[index - 1] = _tokens_module().Token(
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
        trees = _parser().parse(plain if plain is not None else list(tokens), text)
    except _errors().ParseError as err:
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


# Token types by name: sqlglot renames them rarely, but only this module may know.
def token_type_name(token: Token) -> str:
    """The token type's name, e.g. ``'STRING'``, ``'IDENTIFIER'``, ``'L_PAREN'``."""
    return str(token.token_type.name)


def is_command(tree: exp.Expression) -> bool:
    """True where sqlglot gave up and kept the raw text (``exp.Command``)."""
    exp = _exp()

    return isinstance(tree, exp.Command) or next(tree.find_all(exp.Command), None) is not None


def shape_problem(kind: str, tree: exp.Expression) -> str | None:
    """Why a parsed tree does not mean what the statement says, if it does not.

    ``kind`` is our own reading of the statement's leading keywords (see
    ``parse.statement_kind``); sqlglot sometimes returns a column or alias for
    statements it does not know, or nests a Command inside a normal-looking node.
    """
    exp = _exp()

    if is_command(tree):
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
    return str(tree.sql(dialect="sqlite"))


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


def parse_token_slice(source: Sequence[Any], first: Tok, last: Tok, text: str) -> exp.Expression:
    """Parse the statement made of sqlglot tokens ``first.src`` .. ``last.src``.

    ``source`` and ``text`` are what :func:`tokens_and_source` returned and was given.
    """
    return parse_tokens(source[first.src : last.src + 1], text)


def parse_statement(text: str) -> exp.Expression:
    """Parse the text of exactly one statement with the sqlite dialect."""
    return parse_tokens(tokenize(text), text)


# -- reading data statements -------------------------------------------------------


def updated_columns(tree: exp.Expression) -> tuple[str, ...]:
    """Columns an UPDATE sets (``SET a = ..., b = ...``)."""
    exp = _exp()

    out: list[str] = []
    for assignment in tree.expressions if isinstance(tree, exp.Update) else ():
        target = assignment.this if isinstance(assignment, exp.EQ) else None
        if isinstance(target, exp.Column):
            out.append(target.name)
    return tuple(out)


def update_assignments(tree: exp.Expression) -> list[tuple[str, exp.Expression]]:
    """``(column, value expression)`` pairs of an UPDATE."""
    exp = _exp()

    pairs = []
    for assignment in tree.expressions if isinstance(tree, exp.Update) else ():
        if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
            pairs.append((assignment.this.name, assignment.expression))
    return pairs


def has_where(tree: exp.Expression) -> bool:
    """True when an UPDATE or DELETE has a WHERE clause."""
    return tree.args.get("where") is not None


# -- helpers for rules --------------------------------------------------------------
# Small, version-proof questions rules ask of data-statement trees. Rules never see
# sqlglot's argument keys; they call these.


@dataclass(frozen=True, slots=True)
class NullReason:
    """Why an expression can evaluate to NULL.

    ``kind`` is ``null`` (the NULL literal), ``subquery`` (a scalar subquery that can
    find no row), ``case`` (CASE without ELSE), ``column`` (a nullable column) or
    ``nullif``; ``text`` is the offending piece of SQL, ``column`` the column's
    ``(qualifier, name)`` for kind ``column``.
    """

    kind: str
    text: str
    column: tuple[str | None, str] | None = None


@dataclass(frozen=True, slots=True)
class InsertShape:
    """What an INSERT writes, as far as rules need it.

    ``columns`` is None without a column list; ``values`` holds the projections of a
    plain ``SELECT`` source (None for VALUES, compound selects or ``*``); ``sources``
    maps each FROM/JOIN alias (lower case) to its table name.
    """

    table: str
    columns: tuple[str, ...] | None
    values: tuple[exp.Expression, ...] | None
    sources: tuple[tuple[str, str], ...]
    star: bool
    select: bool


def _from_tables(select: exp.Expression) -> list[tuple[str, str]]:
    exp = _exp()

    out: list[tuple[str, str]] = []
    parts: list[Expr] = []
    source = select.args.get("from_") or select.args.get("from")
    if source is not None:
        parts.append(source.this)
    parts.extend(join.this for join in select.args.get("joins") or ())
    for part in parts:
        if isinstance(part, exp.Table):
            out.append(((part.alias or part.name).lower(), part.name))
    return out


def dml_target(tree: exp.Expression) -> str | None:
    """The table an INSERT, UPDATE or DELETE writes."""
    exp = _exp()

    if not isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        return None
    target = tree.this
    if isinstance(target, exp.Schema):
        target = target.this
    return target.name if isinstance(target, exp.Table) else None


def insert_shape(tree: exp.Expression) -> InsertShape | None:
    """The :class:`InsertShape` of an INSERT tree (None for anything else)."""
    exp = _exp()

    if not isinstance(tree, exp.Insert):
        return None
    table = dml_target(tree)
    if table is None:
        return None
    columns: tuple[str, ...] | None = None
    if isinstance(tree.this, exp.Schema):
        columns = tuple(e.name for e in tree.this.expressions)
    source = tree.expression
    values: tuple[Expr, ...] | None = None
    sources: tuple[tuple[str, str], ...] = ()
    star = False
    is_select = isinstance(source, exp.Select)
    if isinstance(source, exp.Select):
        projections = tuple(source.expressions)
        star = any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star)
                   for p in projections)
        values = None if star else tuple(
            p.this if isinstance(p, exp.Alias) else p for p in projections
        )
        sources = tuple(_from_tables(source))
    return InsertShape(table, columns, values, sources, star, is_select)


def projection_names(tree: exp.Expression) -> tuple[str | None, ...] | None:
    """The name each result column of an ``INSERT ... SELECT`` carries: its alias, or
    the column a bare column reference reads; None for any other expression. None for
    the whole when the source is not one plain SELECT without ``*``.

    >>> projection_names(parse_statement("INSERT INTO t SELECT a, b AS c, 1, x.d FROM x"))
    ('a', 'c', None, 'd')
    """
    exp = _exp()

    if not isinstance(tree, exp.Insert) or not isinstance(tree.expression, exp.Select):
        return None
    out: list[str | None] = []
    for p in tree.expression.expressions:
        if isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star):
            return None
        if isinstance(p, exp.Alias):
            out.append(p.alias)
        elif isinstance(p, exp.Column):
            out.append(p.name)
        else:
            out.append(None)
    return tuple(out)


def deduplicated_on(tree: exp.Expression) -> frozenset[str] | None:
    """The key an ``INSERT ... SELECT`` keeps one row per, or None when it keeps them all.

    An empty set means every key (``INSERT OR IGNORE``/``OR REPLACE``, ``ON CONFLICT
    DO ...`` without a target); otherwise the lower-cased names of the ``ON CONFLICT
    (k)`` target, the ``GROUP BY`` columns, or the ``PARTITION BY`` of a
    ``row_number()`` filtered ``= 1``.

    >>> sorted(deduplicated_on(parse_statement(
    ...     "INSERT INTO t (a, b) SELECT a, b FROM u WHERE true ON CONFLICT (a, b) DO NOTHING")))
    ['a', 'b']
    >>> deduplicated_on(parse_statement("INSERT OR IGNORE INTO t SELECT * FROM u"))
    frozenset()
    >>> deduplicated_on(parse_statement("INSERT INTO t SELECT a FROM u")) is None
    True
    """
    exp = _exp()

    if not isinstance(tree, exp.Insert):
        return None
    alternative = tree.args.get("alternative")
    if alternative is not None and str(alternative).upper() in ("IGNORE", "REPLACE"):
        return frozenset()
    conflict = tree.args.get("conflict")
    if conflict is not None:
        keys = conflict.args.get("conflict_keys") or ()
        names = [k.this if isinstance(k, exp.Ordered) else k for k in keys]
        if all(isinstance(n, (exp.Column, exp.Identifier)) for n in names):
            return frozenset(n.name.lower() for n in names)
        return None
    select = tree.expression
    if not isinstance(select, exp.Select):
        return None
    group = select.args.get("group")
    if group is not None and group.expressions and all(
            isinstance(e, exp.Column) for e in group.expressions):
        return frozenset(e.name.lower() for e in group.expressions)
    where = select.args.get("where")
    ones = where is not None and any(
        isinstance(eq.expression, exp.Literal) and eq.expression.this == "1"
        for eq in where.find_all(exp.EQ))
    for window in select.find_all(exp.Window):
        parts = window.args.get("partition_by") or []
        if ones and isinstance(window.this, exp.RowNumber) and parts and all(
                isinstance(e, exp.Column) for e in parts):
            return frozenset(e.name.lower() for e in parts)
    return None


def copies_every_row(tree: exp.Expression) -> bool:
    """True for an ``INSERT ... SELECT`` that reads every row of its one source once:
    no WHERE, GROUP BY, HAVING, DISTINCT, LIMIT, OFFSET or conflict clause.

    >>> copies_every_row(parse_statement("INSERT INTO n (a) SELECT a FROM t"))
    True
    >>> copies_every_row(parse_statement("INSERT INTO n (a) SELECT a FROM t WHERE a > 0"))
    False
    """
    exp = _exp()

    if not isinstance(tree, exp.Insert) or not isinstance(tree.expression, exp.Select):
        return False
    if tree.args.get("alternative") is not None or tree.args.get("conflict") is not None:
        return False
    select = tree.expression
    if any(select.args.get(k) for k in ("where", "group", "having", "distinct", "limit",
                                          "offset", "joins")):
        return False
    return len(_from_tables(select)) == 1


def update_sources(tree: exp.Expression) -> tuple[tuple[str, str], ...]:
    """Alias -> table of an UPDATE's target (and its FROM, if any)."""
    exp = _exp()

    out: list[tuple[str, str]] = []
    if isinstance(tree, exp.Update) and isinstance(tree.this, exp.Table):
        out.append(((tree.this.alias or tree.this.name).lower(), tree.this.name))
        out.extend(_from_tables(tree))
    return tuple(out)


def where_not_null_columns(tree: exp.Expression) -> frozenset[str]:
    """Columns (lower case) the WHERE clause (of an INSERT's SELECT too) requires NOT NULL."""
    exp = _exp()

    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Select):
        tree = tree.expression  # INSERT ... SELECT ... WHERE
    where = tree.args.get("where")
    if where is None:
        return frozenset()
    out: set[str] = set()
    # A comparison is NULL when its column operand is, and a WHERE keeps only the
    # rows where it is true: `x <> ''`, `x = 1`, `x IN (...)`, `x LIKE ...`, `x
    # BETWEEN ...` in the top-level AND chain pass no NULL `x`. (`IS`, `IS NOT` are
    # null-safe and do not count, except `IS NOT NULL` itself.)
    comparisons = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike,
                   exp.Glob, exp.In, exp.Between)
    for node in _conjuncts(where.this):
        if (isinstance(node, exp.Not) and isinstance(node.this, exp.Is)
              and isinstance(node.this.this, exp.Column)
              and isinstance(node.this.expression, exp.Null)):
            out.add(node.this.this.name.lower())
        elif isinstance(node, comparisons):
            for side in (node.this, node.args.get("expression")):
                if isinstance(side, exp.Column) and not side.is_star:
                    out.add(side.name.lower())
    return frozenset(out)


def expression_null_reason(text: str, nullable: Callable[[str | None, str], bool]
                           ) -> NullReason | None:
    """:func:`null_reason` of an expression written as text (a generated column's);
    a text that does not parse is taken as possibly NULL.

    >>> expression_null_reason("id * 2", lambda q, c: False) is None
    True
    >>> expression_null_reason("a || 'x'", lambda q, c: c == "a").kind
    'column'
    """
    exp = _exp()

    try:
        tree = parse_statement(f"SELECT ({text})")
    except Exception:  # not understood: assume the worst
        return NullReason("subquery", text)
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1:
        return NullReason("subquery", text)
    return null_reason(tree.expressions[0], nullable)


_NEVER_NULL_AGGREGATES = ("Count",)


# cc: one branch per expression kind that can yield NULL (CASE, COALESCE, NULLIF, IIF, joins,
#   aggregates, subqueries)
def null_reason(
    node: exp.Expression, nullable: Callable[[str | None, str], bool],
    guards: frozenset[str] = frozenset(), aggregates: bool = False,
) -> NullReason | None:
    """Why ``node`` can be NULL, or None where it cannot (as far as can be told).

    ``nullable(qualifier, column)`` says whether a column reference can be NULL.
    Functions other than COALESCE/IFNULL/NULLIF/IIF are assumed not to yield NULL:
    the question is asked to find real risks, not every theoretical one.

    A scalar subquery finds a row when ``guards`` holds its ``subquery_key`` (an
    ``EXISTS`` of the same subquery guards the statement), or when it aggregates
    without GROUP BY, HAVING or LIMIT (such a query always yields one row); its value
    is then the projection's, where ``count()`` is never NULL and other aggregates
    (``max``, ``sum``, ...) are NULL over no row (``aggregates``).

    >>> from migrate_lint.sqlglot_api import parse_statement, update_assignments
    >>> tree = parse_statement("UPDATE t SET a = coalesce((SELECT x FROM u), 0), b = (SELECT x FROM u)")
    >>> [null_reason(v, lambda q, c: False) is None for _, v in update_assignments(tree)]
    [True, False]
    """
    exp = _exp()

    if isinstance(node, exp.Null):
        return NullReason("null", "NULL")
    if isinstance(node, (exp.Paren, exp.Cast, exp.Neg)) and isinstance(node.this, exp.Expression):
        return null_reason(node.this, nullable, guards, aggregates)
    if isinstance(node, exp.Subquery):
        inner = node.this
        if isinstance(inner, exp.Select) and len(inner.expressions) == 1:
            only = inner.expressions[0]
            only = only.this if isinstance(only, exp.Alias) else only
            if type(only).__name__ in _NEVER_NULL_AGGREGATES:
                return None
            one_row = (only.find(exp.AggFunc) is not None and not any(
                inner.args.get(k) for k in ("group", "having", "limit", "offset")))
            if one_row or subquery_key(inner) in guards:
                return null_reason(only, nullable, frozenset(), one_row)
        return NullReason("subquery", sql(node))
    if aggregates and isinstance(node, exp.AggFunc):
        return None if type(node).__name__ in _NEVER_NULL_AGGREGATES else NullReason(
            "subquery", sql(node))
    if isinstance(node, exp.Coalesce):
        reason: NullReason | None = None
        for arg in (node.this, *node.expressions):
            reason = null_reason(arg, nullable, guards, aggregates)
            if reason is None:
                return None
        return reason
    if isinstance(node, exp.Case):
        for branch in node.args.get("ifs") or ():
            found = null_reason(branch.args["true"], nullable, guards, aggregates)
            if found is not None:
                return found
        default = node.args.get("default")
        if default is None:
            return NullReason("case", sql(node))
        return null_reason(default, nullable, guards, aggregates)
    if isinstance(node, exp.If):
        for key in ("true", "false"):
            value = node.args.get(key)
            if value is None:
                return NullReason("case", sql(node))
            found = null_reason(value, nullable, guards, aggregates)
            if found is not None:
                return found
        return None
    if isinstance(node, exp.Nullif):
        return NullReason("nullif", sql(node))
    if isinstance(node, exp.Column) and not node.is_star:
        qualifier = node.table or None
        if nullable(qualifier, node.name):
            return NullReason("column", sql(node), (qualifier, node.name))
        return None
    if isinstance(node, (exp.DPipe, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
        return (null_reason(node.this, nullable, guards, aggregates)
                or null_reason(node.expression, nullable, guards, aggregates))
    return None


def subquery_key(select: exp.Expression) -> str:
    """A SELECT's FROM, joins and WHERE as text: two subqueries with the same key find
    the same rows, whatever they project."""
    exp = _exp()

    if not isinstance(select, exp.Select):
        return sql(select)
    rest = select.copy()
    rest.set("expressions", [exp.Literal.number(1)])
    return sql(rest)


def exists_guards(tree: exp.Expression) -> frozenset[str]:
    """``subquery_key`` of every ``EXISTS (subquery)`` in the top-level AND chain of a
    statement's WHERE: the rows it changes are those where that subquery finds a row.

    >>> t = parse_statement("UPDATE t SET a = (SELECT x FROM u WHERE u.id = t.id) "
    ...                     "WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)")
    >>> [null_reason(v, lambda q, c: False, exists_guards(t)) for _, v in update_assignments(t)]
    [None]
    """
    exp = _exp()

    where = tree.args.get("where")
    if where is None:
        return frozenset()
    out: set[str] = set()
    for node in _conjuncts(where.this):
        if isinstance(node, exp.Exists):
            out.add(subquery_key(node.this))
    return frozenset(out)


# -- helpers for insert sites --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InsertParts:
    """What an INSERT statement writes, read from sqlglot's tree.

    ``columns`` is ``None`` without a column list (positional). ``rows`` holds the
    number of values of each VALUES row; ``select_arity`` the number of result
    columns of an INSERT ... SELECT, not counting the ``*`` of ``star_source``, the
    table a single ``*`` (or ``alias.*``) reads; both are ``None`` when the width
    is not known statically (a ``*`` over a join, a subquery or a CTE, several
    ``*``). ``null_positions`` are the positions (from 0) given a NULL-valued
    literal (``NULL``, ``(NULL)``, ``+NULL``, ``-NULL``, ``CAST(NULL AS T)``) in
    some VALUES row or in the select list (every part of a ``UNION [ALL]``; none
    after a ``*``); ``nulls`` the named columns at those positions. ``dynamic`` is
    True when an identifier starting with the caller's marker appears in the table
    name, the column list or a positional row (text built at run time).
    """

    table: str
    columns: tuple[str, ...] | None
    source: str  # values / select / default_values
    rows: tuple[int, ...] = ()
    select_arity: int | None = None
    star_source: str | None = None
    conflict: str | None = None  # replace / ignore / abort / fail / rollback / upsert
    nulls: tuple[str, ...] = ()
    dynamic: bool = False
    null_positions: tuple[int, ...] = ()


def is_null_literal(node: exp.Expression) -> bool:
    """True for a literal whose value is NULL: ``NULL``, ``(NULL)``, ``-NULL``, ``CAST(NULL AS T)``.

    sqlglot drops a unary ``+``, so ``+NULL`` reads as ``NULL``.

    >>> tree = parse_statement("INSERT INTO t VALUES (NULL, (NULL), +NULL, CAST(-(NULL) AS INT), 'NULL')")
    >>> [is_null_literal(v) for v in tree.expression.expressions[0].expressions]
    [True, True, True, True, False]
    """
    exp = _exp()

    while isinstance(node, (exp.Paren, exp.Cast, exp.Neg)) and isinstance(node.this,
                                                                          exp.Expression):
        node = node.this
    return isinstance(node, exp.Null)


def _select_list(select: exp.Expression, ctes: frozenset[str]
                 ) -> tuple[int | None, str | None, tuple[int, ...]]:
    """``(width without the star, star table, NULL positions)`` of one SELECT."""
    exp = _exp()

    if not isinstance(select, exp.Select):
        return None, None, ()
    aliases = dict(_from_tables(select))
    source = select.args.get("from_") or select.args.get("from")
    single = (isinstance(source.this, exp.Table) if source is not None else False) and not (
        select.args.get("joins"))
    width = 0
    star: str | None = None
    stars = 0
    nulls: list[int] = []
    for item in select.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column)
                                          and isinstance(item.this, exp.Star)):
            stars += 1
            qualifier = item.table.lower() if isinstance(item, exp.Column) else ""
            if qualifier:
                star = aliases.get(qualifier)
            elif single and source is not None:
                star = source.this.name
            continue
        value = item.this if isinstance(item, exp.Alias) else item
        if not stars and is_null_literal(value):
            nulls.append(width)
        width += 1
    if stars == 0:
        return width, None, tuple(nulls)
    if stars > 1 or star is None or star.lower() in ctes:
        return None, None, tuple(nulls)
    return width, star, tuple(nulls)


# cc: every INSERT form sqlglot yields (VALUES, SELECT, DEFAULT VALUES, OR/ON CONFLICT, CTEs) read
#   in one place
def insert_parts(tree: exp.Expression, marker: str = "") -> InsertParts | None:
    """Read an INSERT tree; ``None`` when ``tree`` is not an INSERT into a named table.

    >>> p = insert_parts(parse_statement("INSERT OR IGNORE INTO t (a, b) VALUES (1, NULL)"))
    >>> (p.table, p.columns, p.rows, p.conflict, p.nulls)
    ('t', ('a', 'b'), (2,), 'ignore', ('b',))
    >>> p = insert_parts(parse_statement("INSERT INTO t SELECT *, CAST(NULL AS INT) FROM u"))
    >>> (p.select_arity, p.star_source, p.null_positions)
    (1, 'u', ())
    >>> p = insert_parts(parse_statement("INSERT INTO t VALUES (1, (NULL)), (2)"))
    >>> (p.rows, p.null_positions)
    ((2, 1), (1,))
    """
    exp = _exp()

    if not isinstance(tree, exp.Insert):
        return None
    target = tree.this
    columns: tuple[str, ...] | None = None
    if isinstance(target, exp.Schema):
        columns = tuple(
            e.name for e in target.expressions if isinstance(e, (exp.Identifier, exp.Column))
        )
        target = target.this
    if not isinstance(target, exp.Table) or not target.name:
        return None

    def is_marked(node: Expr) -> bool:
        if not marker:
            return False
        return any(
            str(ident.this).startswith(marker) for ident in node.find_all(exp.Identifier)
        ) or (isinstance(node, exp.Identifier) and str(node.this).startswith(marker))

    def named(positions: set[int]) -> tuple[str, ...]:
        if columns is None:
            return ()
        return tuple(sorted({columns[i] for i in positions if i < len(columns)}))

    dynamic = target.name.startswith(marker) if marker else False
    if columns is not None and marker:
        dynamic = dynamic or any(c.startswith(marker) for c in columns)
    conflict: str | None = None
    alternative = tree.args.get("alternative")
    if alternative:
        conflict = str(alternative).lower()
    elif tree.args.get("conflict") is not None:
        conflict = "upsert"
    body = tree.expression
    if tree.args.get("default") or body is None:
        return InsertParts(target.name, columns, "default_values", conflict=conflict,
                           dynamic=dynamic)
    positions: set[int] = set()
    if isinstance(body, exp.Values):
        rows: list[int] = []
        for row in body.expressions:
            values = row.expressions if isinstance(row, exp.Tuple) else [row]
            rows.append(len(values))
            if columns is None and any(is_marked(v) for v in values):
                dynamic = True
            positions.update(i for i, v in enumerate(values) if is_null_literal(v))
        return InsertParts(target.name, columns, "values", tuple(rows), conflict=conflict,
                           nulls=named(positions), dynamic=dynamic,
                           null_positions=tuple(sorted(positions)))
    ctes = frozenset(
        cte.alias.lower() for node in (tree, body)
        for cte in (node.args.get("with_") or node.args.get("with") or exp.With()).expressions
    )
    # A compound select has the width of its first part; every part of a UNION [ALL]
    # yields rows, so a NULL in any of them is inserted (INTERSECT/EXCEPT may drop it).
    parts: list[Expr] = []
    kept = True  # no INTERSECT/EXCEPT above this part
    select = body
    while isinstance(select, (exp.Union, exp.Intersect, exp.Except)):
        kept = kept and isinstance(select, exp.Union)
        if kept:
            parts.append(select.expression)
        select = select.this
    arity, star, first_nulls = _select_list(select, ctes)
    if kept:
        positions.update(first_nulls)
    for part in parts:
        positions.update(_select_list(part, ctes)[2])
    return InsertParts(target.name, columns, "select", select_arity=arity, star_source=star,
                       conflict=conflict, nulls=named(positions), dynamic=dynamic,
                       null_positions=tuple(sorted(positions)))


# DL003 (delete-all-rows) asks whether a DELETE's WHERE is always true; its reading of
# the WHERE clause lives here with the other data-statement helpers it owns.


@dataclass(frozen=True, slots=True)
class Condition:
    """A WHERE clause as SQLite's three-valued logic combines it.

    ``op`` is ``and``, ``or``, ``not`` (``parts`` are the operands) or ``leaf``: a
    condition with no AND/OR/NOT on top. A leaf's ``text`` is its SQL when it names
    no column (SQLite can evaluate it alone), ``None`` when it names one.
    """

    op: str
    parts: tuple[Condition, ...] = ()
    text: str | None = None


def where_condition(tree: exp.Expression) -> Condition | None:
    """The WHERE clause of an UPDATE or DELETE as a :class:`Condition` (None without one).

    >>> c = where_condition(parse_statement("DELETE FROM t WHERE NOT (1 = 1 OR a > 0)"))
    >>> c.op, c.parts[0].op, [p.text for p in c.parts[0].parts]
    ('not', 'or', ['1 = 1', None])
    """
    exp = _exp()

    where = tree.args.get("where")
    if where is None:
        return None

    def read(node: Expr) -> Condition:
        if isinstance(node, exp.Paren) and isinstance(node.this, exp.Expression):
            return read(node.this)
        if isinstance(node, (exp.And, exp.Or)):
            op = "and" if isinstance(node, exp.And) else "or"
            return Condition(op, (read(node.this), read(node.expression)))
        if isinstance(node, exp.Not) and isinstance(node.this, exp.Expression):
            return Condition("not", (read(node.this),))
        if next(node.find_all(exp.Column), None) is not None:
            return Condition("leaf")
        return Condition("leaf", text=sql(node))

    return read(where.this)


# -- names for drop-column resolution (owner: migrate_lint.resolve) ------------------
# sqlglot trees of views, trigger bodies, CHECKs and index expressions, reduced to what
# SQLite's name resolution looks at: the column names each scope mentions, its FROM
# items, its result columns and nested queries. ``migrate_lint.resolve`` applies
# SQLite's rules to these shapes; nothing outside this section reads them from sqlglot.


@dataclass(frozen=True, slots=True)
class NameRef:
    """A column reference: ``name`` or ``qualifier.name`` (schema prefix dropped).

    ``double_quoted`` marks a bare ``"name"``: SQLite reads it as a string literal
    when no column of that name is in scope.
    """

    name: str
    qualifier: str | None = None
    double_quoted: bool = False


@dataclass(frozen=True, slots=True)
class SourceShape:
    """One FROM item: a named table, view or CTE; a derived table; or a table function."""

    table: str | None
    alias: str | None
    query: QueryShape | None = None
    function: bool = False
    args: tuple[Item, ...] = ()
    using: tuple[str, ...] = ()
    natural: bool = False
    on: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class ResultShape:
    """One result column: ``star`` is ``""`` for ``*``, the qualifier for ``x.*``."""

    items: tuple[Item, ...] = ()
    alias: str | None = None
    column: str | None = None  # the name, when the expression is a bare column
    star: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class CoreShape:
    """One SELECT (or VALUES row list) of a query."""

    sources: tuple[SourceShape, ...] = ()
    results: tuple[ResultShape, ...] = ()
    clauses: tuple[Item, ...] = ()  # WHERE, GROUP BY, HAVING, ORDER BY...: aliases allowed
    values: bool = False


@dataclass(frozen=True, slots=True)
class CteShape:
    """A common table expression."""

    name: str
    columns: tuple[str, ...]
    query: QueryShape


@dataclass(frozen=True, slots=True)
class QueryShape:
    """A query: its CTEs, its compound arms (the first names the columns), ORDER BY."""

    cores: tuple[CoreShape, ...]
    ctes: tuple[CteShape, ...] = ()
    order: tuple[Item, ...] = ()  # ORDER BY / LIMIT of a compound query


Item = NameRef | QueryShape


@dataclass(frozen=True, slots=True)
class StepShape:
    """One statement of a trigger body."""

    kind: str  # select / insert / update / delete
    target: str | None = None
    query: QueryShape | None = None  # SELECT step, or an INSERT's VALUES / SELECT
    from_: tuple[SourceShape, ...] = ()  # UPDATE ... FROM
    set_columns: tuple[str, ...] = ()
    values: tuple[Item, ...] = ()  # UPDATE SET values
    where: tuple[Item, ...] = ()
    insert_columns: tuple[str, ...] | None = None
    insert_arity: int | None = None  # values per row of a positional INSERT, when known
    upsert: tuple[Item, ...] = ()  # conflict target, DO UPDATE values and WHERE
    upsert_set_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ViewShape:
    """A view's column list (if written) and query."""

    columns: tuple[str, ...]
    query: QueryShape


class _Shaper:
    """Builds shapes from one parsed text (``text`` is what node offsets index)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def name(self, node: exp.Column) -> NameRef:
        exp = _exp()

        ident = node.this
        quoted = False
        if isinstance(ident, exp.Identifier) and ident.quoted and not node.table:
            start = ident.meta.get("start")
            quoted = start is None or self.text[start : start + 1] == '"'
        return NameRef(node.name, node.table or None, quoted)

    def items(self, node: exp.Expression | None) -> tuple[Item, ...]:
        """Column references and nested queries of ``node``, in reading order."""
        exp = _exp()

        out: list[Item] = []
        if node is None:
            return ()
        stack: list[Expr] = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, exp.Column):
                if not isinstance(cur.this, exp.Star):
                    out.append(self.name(cur))
                continue
            if isinstance(cur, (exp.Select, exp.Union, exp.Intersect, exp.Except)):
                out.append(self.query(cur))
                continue
            if isinstance(cur, exp.Anonymous) and str(cur.this).upper() == "RAISE":
                args = list(cur.expressions)[1:]  # RAISE(ABORT, msg): ABORT is no column
                stack.extend(reversed(args))
                continue
            if isinstance(cur, (exp.Collate,)):
                stack.append(cur.this)  # COLLATE nocase: the collation is no column
                continue
            children = [v for v in _child_nodes(cur)]
            stack.extend(reversed(children))
        return tuple(out)

    def query(self, node: exp.Expression) -> QueryShape:
        exp = _exp()

        if isinstance(node, exp.Subquery):
            node = node.this
        ctes: list[CteShape] = []
        with_ = node.args.get("with_") or node.args.get("with")
        if with_ is not None:
            for cte in with_.expressions:
                alias = cte.args.get("alias")
                cols = tuple(c.name for c in alias.columns) if alias is not None else ()
                ctes.append(CteShape(cte.alias, cols, self.query(cte.this)))
        cores: list[CoreShape] = []
        order: tuple[Item, ...] = ()
        if isinstance(node, (exp.Union, exp.Intersect, exp.Except)):
            arms: list[Expr] = []
            stack = [node]
            while stack:
                cur = stack.pop()
                if isinstance(cur, (exp.Union, exp.Intersect, exp.Except)):
                    stack.extend([cur.expression, cur.this])
                else:
                    arms.append(cur)
            for arm in arms:
                inner = self.query(arm)
                cores.extend(inner.cores)
                ctes.extend(inner.ctes)
            order = self.items(node.args.get("order")) + self.items(node.args.get("limit"))
        elif isinstance(node, exp.Values):
            cores.append(self.values(node))
        elif isinstance(node, exp.Select):
            cores.append(self.core(node))
        else:
            raise ParseFailure(f"unexpected {type(node).__name__} as a query")
        return QueryShape(tuple(cores), tuple(ctes), order)

    def values(self, node: exp.Values) -> CoreShape:
        exp = _exp()

        results: list[ResultShape] = []
        clauses: list[Item] = []
        for index, row in enumerate(node.expressions):
            vals = row.expressions if isinstance(row, exp.Tuple) else [row]
            if index == 0:
                results = [ResultShape(self.items(v), text=f"column{i + 1}")
                           for i, v in enumerate(vals)]
            else:
                for v in vals:
                    clauses.extend(self.items(v))
        return CoreShape((), tuple(results), tuple(clauses), values=True)

    def source(self, node: exp.Expression, join: exp.Expression | None = None) -> SourceShape:
        exp = _exp()

        using: tuple[str, ...] = ()
        natural = False
        on: tuple[Item, ...] = ()
        if join is not None:
            using = tuple(i.name for i in join.args.get("using") or ())
            natural = str(join.args.get("method") or "").upper() == "NATURAL"
            on = self.items(join.args.get("on"))
        alias = node.alias or None
        if isinstance(node, exp.Table):
            inner = node.this
            if isinstance(inner, (exp.Anonymous, exp.Func)) and not isinstance(inner, exp.Identifier):
                args = tuple(x for a in _child_nodes(inner) for x in self.items(a))
                return SourceShape(None, alias, function=True, args=args, using=using,
                                   natural=natural, on=on)
            return SourceShape(node.name, alias, using=using, natural=natural, on=on)
        if isinstance(node, exp.Subquery):
            return SourceShape(None, alias, self.query(node.this), using=using,
                               natural=natural, on=on)
        raise ParseFailure(f"unexpected {type(node).__name__} in FROM")

    def sources(self, node: exp.Expression) -> tuple[SourceShape, ...]:
        out: list[SourceShape] = []
        from_ = node.args.get("from_") or node.args.get("from")
        if from_ is not None:
            out.append(self.source(from_.this))
        for join in node.args.get("joins") or ():
            out.append(self.source(join.this, join))
        return tuple(out)

    def core(self, node: exp.Select) -> CoreShape:
        exp = _exp()

        results: list[ResultShape] = []
        for proj in node.expressions:
            if isinstance(proj, exp.Star):
                results.append(ResultShape(star=""))
                continue
            if isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star):
                results.append(ResultShape(star=proj.table))
                continue
            alias = None
            body = proj
            if isinstance(proj, exp.Alias):
                alias, body = proj.alias, proj.this
            column = body.name if isinstance(body, exp.Column) else None
            results.append(ResultShape(self.items(body), alias, column, text=sql(body)))
        clauses: list[Item] = []
        for key in ("where", "group", "having", "qualify", "order", "limit", "offset"):
            clauses.extend(self.items(node.args.get(key)))
        for window in node.args.get("windows") or ():
            clauses.extend(self.items(window))
        return CoreShape(self.sources(node), tuple(results), tuple(clauses))

    def step(self, node: exp.Expression) -> StepShape:
        exp = _exp()

        if isinstance(node, (exp.Select, exp.Union, exp.Intersect, exp.Except)):
            return StepShape("select", query=self.query(node))
        if isinstance(node, exp.Update):
            target = dml_target(node)
            sets = update_assignments(node)
            values = tuple(x for _, v in sets for x in self.items(v))
            from_: tuple[SourceShape, ...] = ()
            source = node.args.get("from_") or node.args.get("from")
            if source is not None:
                joins = [*(source.this.args.get("joins") or ()), *(node.args.get("joins") or ())]
                from_ = (self.source(source.this), *(self.source(j.this, j) for j in joins))
            return StepShape("update", target, from_=from_, set_columns=tuple(c for c, _ in sets),
                             values=values, where=self.items(node.args.get("where")))
        if isinstance(node, exp.Delete):
            return StepShape("delete", dml_target(node), where=self.items(node.args.get("where")))
        if isinstance(node, exp.Insert):
            parts = insert_parts(node)
            if parts is None:
                raise ParseFailure("INSERT into something other than a named table")
            body = node.expression
            query = self.query(body) if body is not None and not node.args.get("default") else None
            arity: int | None = None
            if parts.columns is None:
                arity = parts.rows[0] if parts.rows and len(set(parts.rows)) == 1 else (
                    parts.select_arity)
            upsert: list[Item] = []
            upsert_cols: tuple[str, ...] = ()
            conflict = node.args.get("conflict")
            if conflict is not None:
                for key in conflict.args.get("conflict_keys") or ():
                    upsert.extend(self.items(key))
                pairs = [(a.this, a.expression) for a in conflict.expressions
                         if isinstance(a, exp.EQ)]
                upsert_cols = tuple(t.name for t, _ in pairs if isinstance(t, exp.Column))
                for _, value in pairs:
                    upsert.extend(self.items(value))
                upsert.extend(self.items(conflict.args.get("where")))
            return StepShape("insert", parts.table, query=query, insert_columns=parts.columns,
                             insert_arity=arity, upsert=tuple(upsert),
                             upsert_set_columns=upsert_cols)
        raise ParseFailure(f"sqlglot read it as {type(node).__name__}")


def _child_nodes(node: exp.Expression) -> list[exp.Expression]:
    exp = _exp()

    out: list[Expr] = []
    for value in node.args.values():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, exp.Expression):
                out.append(v)
    return out


def _checked(tree: exp.Expression) -> exp.Expression:
    if is_command(tree):
        raise ParseFailure("sqlglot could not parse it and kept it as raw text")
    return tree


def view_shape(text: str) -> ViewShape:
    """The column list and query of a ``CREATE VIEW`` statement.

    Raises :class:`ParseFailure` when the text cannot be read.

    >>> v = view_shape("CREATE VIEW v (k) AS SELECT a AS x FROM t WHERE c > 0")
    >>> v.columns, v.query.cores[0].results[0].alias, v.query.cores[0].clauses
    (('k',), 'x', (NameRef(name='c', qualifier=None, double_quoted=False),))
    """
    exp = _exp()

    tree = _checked(parse_statement(text))
    if not isinstance(tree, exp.Create) or tree.expression is None:
        raise ParseFailure(f"sqlglot read it as {type(tree).__name__}, not CREATE VIEW")
    columns: tuple[str, ...] = ()
    if isinstance(tree.this, exp.Schema):
        columns = tuple(e.name for e in tree.this.expressions)
    return ViewShape(columns, _Shaper(text).query(tree.expression))


def expression_names(text: str) -> tuple[Item, ...]:
    """Column references of one SQL expression (a CHECK, an index key or WHERE).

    >>> expression_names("h > t.c COLLATE nocase")
    (NameRef(name='h', qualifier=None, double_quoted=False), NameRef(name='c', qualifier='t', double_quoted=False))
    """
    exp = _exp()

    wrapped = f"SELECT {text}"
    tree = _checked(parse_statement(wrapped))
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1:
        raise ParseFailure("not one expression")
    return _Shaper(wrapped).items(tree.expressions[0])


def trigger_step_shape(text: str) -> StepShape:
    """One statement of a trigger body.

    >>> s = trigger_step_shape("UPDATE t SET c = 1, a = b WHERE id = new.id")
    >>> s.target, s.set_columns, [n.name for n in s.values + s.where]
    ('t', ('c', 'a'), ['b', 'id', 'id'])
    """
    return _Shaper(text).step(_checked(parse_statement(text)))


# What a copy (INSERT ... SELECT) puts into each column, for the rules about copies
# that collide on a unique key (rules/_copies.py).


@dataclass(frozen=True, slots=True)
class CopyValue:
    """One value of an INSERT ... SELECT's select list.

    ``constant`` is the SQL of a value that is the same on every row (a literal, a
    sign or CAST around one, CURRENT_TIMESTAMP: SQLite reads the clock once per
    statement), None otherwise; ``null`` is True for a NULL literal; ``column`` the
    ``(qualifier, name)`` of a plain column reference, else None.
    """

    sql: str
    constant: str | None
    null: bool
    column: tuple[str | None, str] | None


_SAME_EVERY_ROW = ("CurrentTimestamp", "CurrentDate", "CurrentTime")


def copy_value(node: exp.Expression) -> CopyValue:
    """What one projection of a copy puts into its column.

    >>> tree = parse_statement("INSERT INTO t (a, b, c, d) SELECT 'x', -(1), NULL, u.e FROM u")
    >>> [(v.constant, v.null, v.column) for v in map(copy_value, tree.expression.expressions)]
    [("'x'", False, None), ('-(1)', False, None), (None, True, None), (None, False, ('u', 'e'))]
    """
    exp = _exp()

    text = sql(node)
    if is_null_literal(node):
        return CopyValue(text, None, True, None)
    inner = node.this if isinstance(node, exp.Alias) else node
    if isinstance(inner, exp.Column) and isinstance(inner.this, exp.Identifier):
        return CopyValue(text, None, False, (inner.table or None, inner.name))
    while isinstance(inner, (exp.Paren, exp.Cast, exp.Neg)) and isinstance(
            inner.this, exp.Expression):
        inner = inner.this
    same = isinstance(inner, (exp.Literal, exp.Boolean)) or type(inner).__name__ in (
        _SAME_EVERY_ROW)
    return CopyValue(text, text if same else None, False, None)


def select_at_most_one_row(tree: exp.Expression) -> bool:
    """True when an INSERT's SELECT yields at most one row whatever the data: no FROM,
    an aggregate without GROUP BY, ``LIMIT 0``/``LIMIT 1``, or DISTINCT over values
    that are the same on every row.

    >>> [select_at_most_one_row(parse_statement(s)) for s in (
    ...     "INSERT INTO t (a) SELECT 'x' FROM u",
    ...     "INSERT INTO t (a) SELECT max(b) FROM u",
    ...     "INSERT INTO t (a) SELECT DISTINCT 'x' FROM u",
    ...     "INSERT INTO t (a) SELECT 'x' FROM u LIMIT 1",
    ...     "INSERT INTO t (a) SELECT count(*) FROM u GROUP BY b")]
    [False, True, True, True, False]
    """
    exp = _exp()

    select = tree.expression if isinstance(tree, exp.Insert) else tree
    if not isinstance(select, exp.Select):
        return False
    if (select.args.get("from_") or select.args.get("from")) is None:
        return True
    limit = select.args.get("limit")
    if limit is not None:
        count = limit.expression if isinstance(limit, exp.Limit) else None
        if isinstance(count, exp.Literal) and count.name in ("0", "1"):
            return True
    if select.args.get("group") is None and any(
            item.find(exp.AggFunc) is not None for item in select.expressions):
        return True
    if select.args.get("distinct") is not None:
        return all(copy_value(v).constant is not None or copy_value(v).null
                   for v in select.expressions)
    return False


def select_where(tree: exp.Expression) -> str | None:
    """The WHERE of an INSERT's SELECT (or of the statement itself), as SQL."""
    exp = _exp()

    select = tree.expression if isinstance(tree, exp.Insert) else tree
    where = select.args.get("where") if isinstance(select, exp.Expression) else None
    return sql(where.this) if where is not None else None


def where_pinned_columns(tree: exp.Expression) -> frozenset[str]:
    """Columns (lower case) the WHERE (of an INSERT's SELECT too) fixes to one
    non-NULL constant: ``c = 'x'`` or ``'x' = c`` in its top-level AND.

    >>> sorted(where_pinned_columns(parse_statement(
    ...     "INSERT INTO t (a) SELECT b FROM u WHERE u.k = 'x' AND 2 = n AND m > 1")))
    ['k', 'n']
    """
    exp = _exp()

    select = tree.expression if isinstance(tree, exp.Insert) else tree
    where = select.args.get("where") if isinstance(select, exp.Expression) else None
    if where is None:
        return frozenset()
    out: set[str] = set()
    for node in _conjuncts(where.this):
        if isinstance(node, exp.EQ):
            for col, other in ((node.this, node.expression), (node.expression, node.this)):
                if isinstance(col, exp.Column) and isinstance(col.this, exp.Identifier) and (
                        copy_value(other).constant is not None):
                    out.add(col.name.lower())
    return frozenset(out)


def _conjuncts(node: Expr) -> Iterator[Expr]:
    """The terms of a WHERE's top-level AND chain, parentheses looked through."""
    exp = _exp()
    stack = [node]
    while stack:
        term = stack.pop()
        if isinstance(term, exp.And):
            stack.extend((term.this, term.expression))
        elif isinstance(term, exp.Paren):
            stack.append(term.this)
        else:
            yield term
