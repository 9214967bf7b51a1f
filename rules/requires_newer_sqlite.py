"""SQ006: syntax or functions newer than the configured SQLite version."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from operator import attrgetter

from migrate_lint.ddl import AddColumn, CreateTable, DropColumn, RenameColumn
from migrate_lint.engine import Context, Rule
from migrate_lint.findings import Finding
from migrate_lint.history import DATA_KINDS, Statement, StatementKind
from migrate_lint.span import Span
from migrate_lint.tokens import Tok

from ._common import statement_head, sub_span, with_migration

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
# The words (and the `->` operator) the token scan below reports, with the version of
# the feature each one starts; a statement holding none newer than the target version
# (most statements) is not scanned token by token.
_SCANNED: dict[str, Version] = {
    "conflict": (3, 24), "over": (3, 25), "nulls": (3, 30), "filter": (3, 30),
    "from": (3, 33), "sqlite_schema": (3, 33), "returning": (3, 35),
    "materialized": (3, 35), "->": (3, 38), "right": (3, 39), "full": (3, 39),
    "distinct": (3, 39), **_FUNCTIONS,
}


_UPPER = attrgetter("upper")


@lru_cache(maxsize=8)
def _candidates(target: Version) -> frozenset[str]:
    """The scanned words (upper case) and operators newer than ``target``."""
    return frozenset(w.upper() for w, version in _SCANNED.items() if version > target) | (
        frozenset({"->", "->>"}) if _SCANNED["->"] > target else frozenset())


# cc: one branch per SQLite feature and the version that brought it; issue 10 makes it a
#   feature/version table
def _features(stmt: Statement, toks: Sequence[Tok], target: Version
              ) -> Iterator[tuple[str, Version, int, int]]:
    """``(feature, version, start, end)`` with offsets into ``stmt.text``."""
    node = stmt.ddl
    base = stmt.span.start  # token offsets are file offsets
    whole = (0, len(stmt.text))
    if isinstance(node, RenameColumn):
        yield "ALTER TABLE ... RENAME COLUMN", (3, 25), *whole
    elif isinstance(node, DropColumn):
        yield "ALTER TABLE ... DROP COLUMN", (3, 35), *whole
    elif isinstance(node, AddColumn) and node.column.generated:
        yield "generated columns", (3, 31), *whole
    elif isinstance(node, CreateTable):
        if node.strict:
            yield "STRICT tables", (3, 37), *whole
        if any(c.generated for c in node.columns):
            yield "generated columns", (3, 31), *whole
    candidates = _candidates(target)
    # Runs for every statement: the words are compared at C speed; only a statement
    # with a candidate word (or an arrow somewhere) is walked token by token.
    if candidates.isdisjoint(map(_UPPER, toks)) and not (
            "->" in candidates and "->" in stmt.text):
        return
    depth = 0
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        span = (tok.start - base, tok.end - base)
        if tok.kind == "op":
            depth += 1 if tok.value == "(" else -1 if tok.value == ")" else 0
            if tok.value in ("->", "->>"):
                yield f"the `{tok.value}` JSON operator", (3, 38), *span
            continue
        if tok.kind != "word":
            continue
        word = tok.upper
        if nxt is not None and nxt.kind == "op" and nxt.value == "(":
            version = _FUNCTIONS.get(tok.value.lower())
            if version is not None and not (i > 0 and toks[i - 1].is_word("TABLE", "INTO", "ON")):
                yield f"the {tok.value.lower()}() function", version, *span
                continue
        if word == "RETURNING" and stmt.kind in ("insert", "update", "delete"):
            yield "RETURNING", (3, 35), *span
        elif word == "ON" and nxt is not None and nxt.is_word("CONFLICT") and any(
            t.is_word("DO") for t in toks[i + 2:]
        ) and stmt.kind in ("insert", "create_trigger"):
            yield "UPSERT (ON CONFLICT ... DO)", (3, 24), *span
        elif word == "FROM" and stmt.kind == "update" and depth == 0 and toks[0].is_word(
            "UPDATE"
        ):
            yield "UPDATE ... FROM", (3, 33), *span
        elif word == "NULLS" and nxt is not None and nxt.is_word("FIRST", "LAST"):
            yield "NULLS FIRST/LAST", (3, 30), *span
        elif word == "FILTER" and nxt is not None and nxt.value == "(":
            yield "aggregate FILTER clauses", (3, 30), *span
        elif word == "OVER" and nxt is not None and (nxt.value == "(" or nxt.is_name):
            yield "window functions", (3, 25), *span
        elif word in ("RIGHT", "FULL") and any(
            t.is_word("JOIN") for t in toks[i + 1 : i + 3]
        ):
            yield f"{word} JOIN", (3, 39), *span
        elif word == "DISTINCT" and i > 0 and (
            toks[i - 1].is_word("IS") or (i > 1 and toks[i - 1].is_word("NOT")
                                          and toks[i - 2].is_word("IS"))
        ):
            yield "IS [NOT] DISTINCT FROM", (3, 39), *span
        elif word == "MATERIALIZED" and i > 0 and toks[i - 1].is_word("AS", "NOT"):
            yield "MATERIALIZED common table expressions", (3, 35), *span
        elif tok.value.lower() == "sqlite_schema":
            yield "the sqlite_schema name", (3, 33), *span


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
        toks = stmt.tokens
        seen: set[str] = set()
        for feature, version, start, end in _features(stmt, toks, target):
            if version <= target or feature in seen:
                continue
            seen.add(feature)
            span: Span = sub_span(stmt, start, end) if (start, end) != (0, len(stmt.text)) \
                else stmt.span
            need = f"{version[0]}.{version[1]}"
            have = f"{target[0]}.{target[1]}"
            error = ("'no such function'" if feature.endswith("function")
                     else "a syntax error")
            yield with_migration(self.finding(
                span,
                f"`{statement_head(stmt, 60)}` uses {feature}, new in SQLite {need}: it fails "
                f"with {error} on every database opened by a SQLite older than {need} "
                f"(the project targets {have})",
                help=(f"rewrite it without {feature}, or raise `sqlite-version` to {need} "
                      "if every runtime has it"),
                statement=stmt.span,
                migration=ctx.migration.label,
                table=stmt.tables[0] if stmt.tables else "", feature=feature,
                version=need,
            ))
