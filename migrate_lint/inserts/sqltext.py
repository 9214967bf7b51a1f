"""Insert sites from SQL text: migration statements, .sql files and string literals.

Uses the same splitter and statement reader as the migration pipeline, so SQL in a
seed file or a Python string is understood exactly as it would be in a migration.
"""

from __future__ import annotations

from migrate_lint.history import Statement
from migrate_lint.inserts.gate import Branch, Gate
from migrate_lint.inserts.model import NAMED, POSITIONAL, UNKNOWN, InsertSite
from migrate_lint.parse import read_statement
from migrate_lint.source import Section
from migrate_lint.span import LineIndex, Span
from migrate_lint.split import split_section
from migrate_lint.sqlglot_api.dml import insert_parts
from migrate_lint.sqlglot_api.parsing import ParseFailure, parse_statement
from migrate_lint.sqlglot_api.tokens import TokenizeError

# Stands in for an interpolation (``${x}``, ``{x}``) in SQL built from a template: a
# valid identifier, so the SQL still parses, and recognisable, so a column list or
# table name that depends on it is reported as unknown instead of guessed.
MARKER = "__mlint_dyn_"
# The words an insert statement begins with; WITH may lead one, whose body holds one
# of them. Text without them holds no insert site: the gate of `.sql` files.
INSERT_WORDS = ("INSERT", "REPLACE")
GATE = Gate.of(*(Branch(word) for word in INSERT_WORDS))


def site_from_statement(stmt: Statement, *, origin: str = "migration",
                        span: Span | None = None, revision: str | None = None,
                        marker: str = "") -> InsertSite | None:
    """The insert site of one parsed statement, or ``None`` if it inserts nothing."""
    if stmt.kind != "insert":
        return None
    where = span or stmt.span
    seed = stmt.seed
    tree = stmt.ast
    if seed is not None and MARKER in stmt.text:
        # Application SQL with interpolated parts: the tree says which parts are dynamic.
        try:
            tree, seed = parse_statement(stmt.text), None
        except (ParseFailure, TokenizeError):
            tree = None
    if seed is not None:  # INSERT ... VALUES of constants: read without a tree
        nulls = tuple(sorted({seed.columns[i] for i in seed.null_positions
                              if seed.columns is not None and i < len(seed.columns)}))
        return InsertSite(seed.table, NAMED if seed.columns is not None else POSITIONAL, where,
                          origin, columns=seed.columns or (), rows=seed.arities,
                          conflict=seed.conflict, nulls=nulls, revision=revision,
                          null_positions=seed.null_positions)
    if tree is None:
        table = stmt.tables[0] if stmt.tables else "?"
        return InsertSite(table, UNKNOWN, where, origin, revision=revision,
                          note=f"SQL not understood: {stmt.problem}")
    parts = insert_parts(tree, marker)
    if parts is None:
        return None
    if parts.dynamic:
        return InsertSite(parts.table if not parts.table.startswith(MARKER) else "?",
                          UNKNOWN, where, origin, source=parts.source,
                          conflict=parts.conflict, revision=revision,
                          note="table, column list or values are interpolated at run time")
    rows = parts.rows
    if parts.source == "select":
        rows = (parts.select_arity,) if parts.select_arity is not None else ()
    if parts.columns is not None or parts.source == "default_values":
        return InsertSite(parts.table, NAMED, where, origin, columns=parts.columns or (),
                          rows=rows, source=parts.source, conflict=parts.conflict,
                          nulls=parts.nulls, star_source=parts.star_source,
                          revision=revision, null_positions=parts.null_positions)
    return InsertSite(parts.table, POSITIONAL, where, origin, rows=rows, source=parts.source,
                      conflict=parts.conflict, star_source=parts.star_source,
                      revision=revision, null_positions=parts.null_positions)


def sites_in_sql(text: str, path: str, origin: str, *, span: Span | None = None,
                 revision: str | None = None, marker: str = "") -> list[InsertSite]:
    """Insert sites of every statement in ``text``.

    ``span`` (a string literal's place) replaces the statements' own spans, which
    would be positions inside the literal rather than in the file.
    """
    lines = LineIndex(path, text)
    try:
        split = split_section(Section(path, text, 0, len(text)), lines)
    except TokenizeError:
        return []
    sites: list[InsertSite] = []
    for index, raw in enumerate(split.statements):
        if not raw.tokens or not raw.tokens[0].is_word(*INSERT_WORDS, "WITH"):
            continue
        # with the split, sqlglot parses the tokens already made instead of tokenizing again
        stmt, _ = read_statement(raw, index, text, lines, path, split)
        site = site_from_statement(stmt, origin=origin, span=span, revision=revision,
                                   marker=marker)
        if site is not None:
            sites.append(site)
    return sites
