"""SQ006: syntax or functions newer than the configured SQLite version."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from operator import attrgetter

from migrate_lint.ddl import AddColumn, CreateTable, DropColumn, RenameColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.history import DATA_KINDS, Statement, StatementKind
from migrate_lint.span import Span
from migrate_lint.tokens import Tok
from migrate_lint.values import value_class

from ._common import statement_head, sub_span

Version = tuple[int, int]

# Functions by the release that added them (https://www.sqlite.org/changes.html).
_FUNCTIONS: dict[str, Version] = {
    "iif": (3, 32), "unixepoch": (3, 38), "format": (3, 38), "unhex": (3, 41),
    "json_error_position": (3, 42), "octet_length": (3, 43), "timediff": (3, 43),
    "concat": (3, 44), "concat_ws": (3, 44), "string_agg": (3, 44), "jsonb": (3, 45),
    "jsonb_array": (3, 45), "jsonb_object": (3, 45), "jsonb_extract": (3, 45),
    "jsonb_insert": (3, 45), "jsonb_patch": (3, 45), "jsonb_remove": (3, 45),
    "jsonb_replace": (3, 45), "jsonb_set": (3, 45), "jsonb_group_array": (3, 45),
    "jsonb_group_object": (3, 45), "json_pretty": (3, 46), "if": (3, 48), "unistr": (3, 50),
}
_UPPER = attrgetter("upper")


# Features a schema statement is, whatever its words: (feature, version, test).
_DDL_FEATURES: tuple[tuple[str, Version, Callable[[object], bool]], ...] = (
    ("ALTER TABLE ... RENAME COLUMN", (3, 25), lambda n: isinstance(n, RenameColumn)),
    ("ALTER TABLE ... DROP COLUMN", (3, 35), lambda n: isinstance(n, DropColumn)),
    ("generated columns", (3, 31),
     lambda n: isinstance(n, AddColumn) and bool(n.column.generated)),
    ("STRICT tables", (3, 37), lambda n: isinstance(n, CreateTable) and n.strict),
    ("generated columns", (3, 31),
     lambda n: isinstance(n, CreateTable) and any(c.generated for c in n.columns)),
)


@value_class
class _At:
    """A word token of a statement, with what the tests below look at around it."""

    stmt: Statement
    toks: Sequence[Tok]
    i: int
    depth: int  # parentheses open before it

    @property
    def nxt(self) -> Tok | None:
        return self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None

    def before(self, back: int, *words: str) -> bool:
        return self.i >= back and self.toks[self.i - back].is_word(*words)


_WRITES = frozenset({StatementKind.INSERT, StatementKind.UPDATE, StatementKind.DELETE})


def _returning(at: _At) -> bool:
    return at.stmt.kind in _WRITES


def _upsert(at: _At) -> bool:
    return at.nxt is not None and at.nxt.is_word("CONFLICT") and any(
        t.is_word("DO") for t in at.toks[at.i + 2:]) and at.stmt.kind in (
        StatementKind.INSERT, StatementKind.CREATE_TRIGGER)


def _update_from(at: _At) -> bool:
    return at.stmt.kind == StatementKind.UPDATE and at.depth == 0 and at.toks[0].is_word("UPDATE")


def _nulls_order(at: _At) -> bool:
    return at.nxt is not None and at.nxt.is_word("FIRST", "LAST")


def _filter_clause(at: _At) -> bool:
    return at.nxt is not None and at.nxt.value == "("


def _window(at: _At) -> bool:
    return at.nxt is not None and (at.nxt.value == "(" or at.nxt.is_name)


def _join(at: _At) -> bool:
    return any(t.is_word("JOIN") for t in at.toks[at.i + 1 : at.i + 3])


def _is_distinct(at: _At) -> bool:
    return at.before(1, "IS") or (at.before(1, "NOT") and at.before(2, "IS"))


def _materialized(at: _At) -> bool:
    return at.before(1, "AS", "NOT")


def _sqlite_schema(at: _At) -> bool:
    return at.toks[at.i].value.lower() == "sqlite_schema"  # ASCII case, as SQLite folds it


# Features a word starts, by the word (upper case): (feature, version, test, cue). The
# cue is the word whose presence sends a statement to the token scan (CONFLICT for
# UPSERT's ON), when it is not the word itself.
_WORD_FEATURES: dict[str, tuple[str, Version, Callable[[_At], bool], str]] = {
    "RETURNING": ("RETURNING", (3, 35), _returning, ""),
    "ON": ("UPSERT (ON CONFLICT ... DO)", (3, 24), _upsert, "conflict"),
    "FROM": ("UPDATE ... FROM", (3, 33), _update_from, ""),
    "NULLS": ("NULLS FIRST/LAST", (3, 30), _nulls_order, ""),
    "FILTER": ("aggregate FILTER clauses", (3, 30), _filter_clause, ""),
    "OVER": ("window functions", (3, 25), _window, ""),
    "RIGHT": ("RIGHT JOIN", (3, 39), _join, ""),
    "FULL": ("FULL JOIN", (3, 39), _join, ""),
    "DISTINCT": ("IS [NOT] DISTINCT FROM", (3, 39), _is_distinct, ""),
    "MATERIALIZED": ("MATERIALIZED common table expressions", (3, 35), _materialized, ""),
    "SQLITE_SCHEMA": ("the sqlite_schema name", (3, 33), _sqlite_schema, ""),
}
_ARROW: Version = (3, 38)  # the `->` and `->>` JSON operators
# The words (and the `->` operator) the token scan reports, with the version of the
# feature each one starts; a statement holding none newer than the target version
# (most statements) is not scanned token by token.
_SCANNED: dict[str, Version] = {
    **{(cue or word).lower(): version for word, (_f, version, _t, cue) in _WORD_FEATURES.items()},
    "->": _ARROW, **_FUNCTIONS,
}


@lru_cache(maxsize=8)
def _candidates(target: Version) -> frozenset[str]:
    """The scanned words (upper case) and operators newer than ``target``."""
    return frozenset(w.upper() for w, version in _SCANNED.items() if version > target) | (
        frozenset({"->", "->>"}) if target < _ARROW else frozenset())


@lru_cache(maxsize=8)
def _word_search(target: Version) -> re.Pattern[str] | None:
    """Finds, in upper-cased text, the candidate words of ``target`` not inside a longer
    ASCII word (a word token's neighbours are never ASCII letters); None: no words."""
    words = sorted(w for w in _candidates(target) if w.replace("_", "").isalnum())
    if not words:
        return None
    return re.compile(f"(?<![A-Z])(?:{'|'.join(map(re.escape, words))})(?![A-Z])")


def _mentions(target: Version, stmt: Statement) -> bool:
    """Whether the text the statement's tokens cover may hold a candidate word."""
    search = _word_search(target)
    if search is None:
        return False
    seed = stmt.seed
    text = stmt.text if seed is None else stmt.text[: seed.header_end]
    return search.search(text.upper()) is not None


def _function(at: _At) -> tuple[str, Version] | None:
    """A call of a function newer than SQLite's first releases: ``unixepoch(``."""
    tok, nxt = at.toks[at.i], at.nxt
    if nxt is None or nxt.kind != "op" or nxt.value != "(":
        return None
    version = _FUNCTIONS.get(tok.value.lower())
    if version is None or at.before(1, "TABLE", "INTO", "ON"):
        return None
    return f"the {tok.value.lower()}() function", version


def _features(stmt: Statement, target: Version) -> Iterator[tuple[str, Version, int, int]]:
    """``(feature, version, start, end)`` with offsets into ``stmt.text``."""
    if stmt.ddl is not None:
        for feature, version, test in _DDL_FEATURES:
            if version > target and test(stmt.ddl):
                yield feature, version, 0, len(stmt.text)
    candidates = _candidates(target)
    arrow = "->" in candidates and "->" in stmt.text
    # Runs for every statement, and statements keep no tokens: a text search (a
    # superset: it also finds the words in strings and longer names) picks the few
    # that may hold a candidate word; their tokens are made and the words compared;
    # only a statement with one (or an arrow somewhere) is walked token by token.
    if not arrow and not _mentions(target, stmt):
        return
    toks = stmt.tokens
    if candidates.isdisjoint(map(_UPPER, toks)) and not arrow:
        return
    base = stmt.span.start  # token offsets are file offsets
    depth = 0
    for i, tok in enumerate(toks):
        span = (tok.start - base, tok.end - base)
        if tok.kind == "op":
            depth += 1 if tok.value == "(" else -1 if tok.value == ")" else 0
            if tok.value in ("->", "->>"):
                yield f"the `{tok.value}` JSON operator", _ARROW, *span
            continue
        if tok.kind != "word":
            continue
        at = _At(stmt, toks, i, depth)
        call = _function(at)
        if call is not None:
            yield *call, *span
            continue
        word = _WORD_FEATURES.get(tok.upper)
        if word is not None and word[2](at):
            yield word[0], word[1], *span


@value_class
class NewerSqliteFeature(Facts):
    """A statement (on ``table``) uses ``feature``, new in SQLite ``version``; the project
    targets ``target``."""

    statement: str
    table: str
    feature: str
    version: str
    target: str

    def message(self) -> str:
        """Where it fails."""
        error = "'no such function'" if self.feature.endswith("function") else "a syntax error"
        return (f"`{self.statement}` uses {self.feature}, new in SQLite {self.version}: it "
                f"fails with {error} on every database opened by a SQLite older than "
                f"{self.version} (the project targets {self.target})")

    def help(self) -> str:
        """Rewrite, or raise the target."""
        return (f"rewrite it without {self.feature}, or raise `sqlite-version` to "
                f"{self.version} if every runtime has it")


class RequiresNewerSqlite(Rule):
    """Syntax or a function newer than the SQLite version the project targets.

    ## What it does
    Reports features newer than the configured `sqlite-version` (default 3.40):
    RENAME COLUMN (3.25), window functions (3.25), UPSERT (3.24), NULLS FIRST/LAST and
    FILTER (3.30), generated columns (3.31), `iif()` (3.32), UPDATE ... FROM and
    `sqlite_schema` (3.33), DROP COLUMN, RETURNING and MATERIALIZED (3.35), STRICT
    (3.37), `unixepoch()`, `format()`, `->` and `->>` (3.38), RIGHT/FULL JOIN and IS
    DISTINCT FROM (3.39), `unhex()` (3.41), `octet_length()` and `timediff()` (3.43),
    `concat()`, `concat_ws()` and `string_agg()` (3.44), `jsonb*()` (3.45),
    `json_pretty()` (3.46), `if()` (3.48), `unistr()` (3.50).

    ## Why is this bad?
    The SQLite that runs a migration is the one linked into the application, the
    operating system or the user's runtime, often older than the developer's. There
    the statement fails with a syntax error or "no such function" and the migration
    stops; on the developer's newer SQLite it passes.

    ## Example
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY, first text, last text, name text);
    -- migration
    UPDATE user SET name = concat(first, ' ', last);
    ```

    ## Use instead
    ```sql
    CREATE TABLE user (id integer PRIMARY KEY, first text, last text, name text);
    -- migration
    UPDATE user SET name = coalesce(first, '') || ' ' || coalesce(last, '');
    ```

    ## References
    - https://www.sqlite.org/changes.html
    - https://www.sqlite.org/lang_altertable.html
    """

    code = "SQ006"
    name = "requires-newer-sqlite"
    severity = "error"
    kinds = frozenset({
        StatementKind.CREATE_TABLE,
        StatementKind.CREATE_INDEX,
        StatementKind.CREATE_VIEW,
        StatementKind.CREATE_TRIGGER,
        StatementKind.ALTER_TABLE,
        *DATA_KINDS,
    })

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one statement."""
        target = ctx.config.sqlite_version
        seen: set[str] = set()
        for feature, version, start, end in _features(stmt, target):
            if version <= target or feature in seen:
                continue
            seen.add(feature)
            span: Span = sub_span(stmt, start, end) if (start, end) != (0, len(stmt.text)) \
                else stmt.span
            facts = NewerSqliteFeature(statement_head(stmt, 60),
                                       stmt.tables[0] if stmt.tables else "", feature,
                                       f"{version[0]}.{version[1]}",
                                       f"{target[0]}.{target[1]}")
            yield self.report(facts, span)
