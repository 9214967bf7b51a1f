"""Helpers shared by several rules (not a rule: discovery skips ``_`` modules).

Everything here only reads the timeline; nothing keeps state between calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from migrate_lint.ddl import AddColumn, ColumnDef, Drop, DropColumn
from migrate_lint.engine import Context
from migrate_lint.facts import literals, tables, types
from migrate_lint.facts.inserts import InsertShape, shape_at
from migrate_lint.findings import Facts, Related
from migrate_lint.history import Statement
from migrate_lint.replay import Step
from migrate_lint.schema import Column, Table
from migrate_lint.span import Span
from migrate_lint.tokens import Tok
from migrate_lint.values import value_class

if TYPE_CHECKING:  # the fix's modules are loaded by `fix`, not by every check
    from migrate_lint.fix.expect import Expect
    from migrate_lint.fix.inplace import Splice
    from migrate_lint.fix.model import FixContext, Plan

_Node = TypeVar("_Node")

# Replay errors (Step.error) about objects: a name that is missing or already taken.
_OBJECT_ERRORS = ("no such ", "duplicate column name", "there is already another")
# Replay errors about SQLite's limits (replay.MAX_COLUMNS).
LIMIT_ERRORS = ("too many columns on ", "too many columns in result set")


def error_reported_by(step: Step) -> str | None:
    """The code of the one rule that reports ``step.error``; None when there is none.

    Every error the replay records fails the statement on every database, so each
    must reach exactly one finding: SQ001 and SQ005 read their ALTER TABLE forms
    themselves, SQ007 reports missing and existing objects and SQLite's column limit,
    SQ008 whatever is left (a definition SQLite refuses in itself).
    """
    error = step.error
    if error is None:
        return None
    node = step.statement.ddl
    # "error in table t after add column: no such column: zz": the new column's CHECK
    # or generated expression names a column the table lacks; "... after rename:
    # duplicate column name: b": RENAME COLUMN to a name the table has
    if (error.startswith((*_OBJECT_ERRORS, *LIMIT_ERRORS)) or error.endswith("already exists")
            or "after add column: no such column" in error
            or "after rename: duplicate column name" in error):
        return "SQ007"
    if isinstance(node, AddColumn) and error.startswith("Cannot add a "):
        return "SQ001"
    if isinstance(node, DropColumn):
        return "SQ005"
    return "SQ008"


def add_column(stmt: Statement) -> AddColumn | None:
    """The ``ALTER TABLE ... ADD COLUMN`` reading of ``stmt``, if it is one."""
    return stmt.ddl if isinstance(stmt.ddl, AddColumn) else None


def accepted(stmt: Statement, ctx: Context, kind: type[_Node]) -> _Node | None:
    """``stmt``'s DDL reading when it is a ``kind`` (AddColumn, DropColumn, ...) and the
    replay accepted it: a statement it refuses fails on every database, and
    `error_reported_by` names the one rule that reports that."""
    node = stmt.ddl
    return node if isinstance(node, kind) and ctx.step.error is None else None


def dropped_table(stmt: Statement, ctx: Context) -> Table | None:
    """The table an accepted ``DROP TABLE`` drops, as it was before; None for another
    statement and for a temporary table (no user's data lives there)."""
    node = accepted(stmt, ctx, Drop)
    if node is None or node.what != "TABLE":
        return None
    table = ctx.before.table(node.name)
    return None if table is None or table.temporary else table


@value_class
class OldRowsCopy:
    """An INSERT ... SELECT into ``target``, a table made in this migration, from
    ``sources`` (by alias) of which ``old`` hold rows from before the migration: a
    rebuild's copy, which fails only where those rows are (NN003 judges what it puts
    into NOT NULL columns)."""

    shape: InsertShape
    values: tuple[Any, ...]  # the shape's projections (sqlglot expressions)
    target: Table
    sources: dict[str, Table]
    old: list[Table]


def old_rows_copy(ctx: Context) -> OldRowsCopy | None:
    """The rebuild's copy this INSERT is (see `OldRowsCopy`); None when it is another
    insert, or a table it reads is not fully known."""
    shape = shape_at(ctx.timeline, ctx.step_index)
    if shape is None or not shape.select or shape.values is None:
        return None  # `SELECT *` or VALUES inserts
    target = ctx.before.table(shape.table)
    if target is None or target.incomplete or not ctx.timeline.created_in(
            target, ctx.migration_index):
        return None
    sources: dict[str, Table] = {}
    for alias, name in shape.sources:
        table = ctx.before.table(name)
        if table is not None:
            sources[alias] = table
    # sources holding rows from before the migration: a table rebuilt earlier in it
    # holds them too (the first rebuild's copy filled it)
    old = [t for t in sources.values() if not t.temporary and ctx.timeline.holds_old_rows(
        t, ctx.migration_index, ctx.step_index)]
    if not old or any(t.incomplete for t in sources.values()):
        return None
    return OldRowsCopy(shape, shape.values, target, sources, old)


def created_here(table: Table) -> Related:
    """Provenance: where ``table`` was created."""
    return Related(f"`{table.name}` created here ({table.origin.migration})", table.origin.span)


def column_made_here(table: Table, column: Column) -> Related:
    """Provenance: where ``column`` was last created or changed."""
    where = column.last_change
    return Related(f"`{table.name}.{column.name}` defined here ({where.migration})", where.span)


def emptied_by(ctx: Context, table: Table) -> Step | None:
    """The DELETE earlier in this migration that removed every row ``table`` held before
    it ran, if any (facts.tables: rows inserted after it are the migration's own)."""
    return tables.emptied_by(ctx.timeline, table.name, ctx.migration_index, ctx.step_index)


def left_empty_by(ctx: Context, table: Table) -> Step | None:
    """The DELETE that left ``table`` empty at this statement, no INSERT since (facts.tables)."""
    return tables.left_empty_by(ctx.timeline, table.name, ctx.migration_index,
                                ctx.step_index)


def is_new_and_empty(ctx: Context, table: Table) -> bool:
    """True when ``table`` was created in this migration and nothing filled it yet."""
    return ctx.timeline.is_empty_new(table, ctx.migration_index, ctx.step_index)


def is_empty_here(ctx: Context, table: Table) -> bool:
    """True when ``table`` holds no row at this statement on every database
    (facts.tables.is_empty_at: new and not filled, or emptied and not refilled)."""
    return tables.is_empty_at(ctx.timeline, table, ctx.migration_index, ctx.step_index)


def populated_target(ctx: Context, node: AddColumn) -> Table | None:
    """The table an ADD COLUMN changes, when it may hold rows at that point.

    None for a table created earlier in the same migration that nothing has filled:
    SQLite accepts every ADD COLUMN on an empty table.
    """
    table = ctx.before.table(node.table)
    if table is None or is_new_and_empty(ctx, table):
        return None
    return table


@value_class(kw_only=True)
class FailsWhenPopulated(Facts):
    """A statement SQLite refuses on a table holding rows and accepts on an empty one.

    The facts of NN001, NN005, SQ002 and SQ003 extend it. ``error`` is SQLite's
    message; ``condition`` narrows "has rows" (e.g. " and foreign keys are on");
    ``incomplete`` says why the model of the table may be wrong, when it may.
    """

    statement: str  # the statement's head (statement_head), as messages show it
    table: str
    error: str
    condition: str = ""
    incomplete: str | None = None

    def message(self) -> str:
        """What SQLite does, and on which databases."""
        return (fails_on_data(f"`{self.statement}`", self.error,
                              f"`{self.table}` has rows{self.condition}")
                + incomplete_note(self.table, self.incomplete))


def fails_on_data(what: str, error: str, where: str) -> str:
    """How a message says that SQLite refuses ``what`` on some data only: with
    ``error``, on every database ``where`` (its rows), and passes on an empty one."""
    return f"{what} fails with '{error}' on every database where {where}; passes on an empty one"


def default_by_update(ctx: FixContext, table: str, col: ColumnDef, first: Splice, title: str,
                      notes: tuple[str, ...], expect: Expect) -> Plan:
    """The fix of an ADD COLUMN whose DEFAULT SQLite refuses on a table with rows (NN005,
    SQ003): ``first`` rewrites the ADD without that default, an UPDATE after it gives
    the existing rows the author's default, and a follow-up rebuild restores the
    default, on databases corrected in place and on those where the original applied
    to an empty table alike."""
    from migrate_lint.fix.inplace import add_after
    from migrate_lint.fix.model import EndState, Plan
    from migrate_lint.fix.sqltext import q

    assert ctx.statement is not None
    update = f"UPDATE {q(table)} SET {q(col.name)} = {col.default}"
    end = EndState(table, col.name, exact=True,
                   default=literals.strip_parens(col.default or "NULL"), notnull=col.notnull,
                   note=(f"Restores DEFAULT {col.default} of `{col.name}` as the original "
                         f"{ctx.migration} declared it, on databases corrected in place and "
                         "on those where the original applied to an empty table alike."))
    return Plan(title, edits=(first, add_after(ctx.statement, ctx.text, [update])),
                notes=notes, expect=expect, end_state=end)


def constant_default(given: str | None, declared: str) -> str:
    """The constant DEFAULT to write for a column added NOT NULL to a table with rows:
    the user's ``--set`` value where it is a constant SQLite accepts on ADD COLUMN,
    else the zero value of the column's declared type (NN001, NN005)."""
    if given is not None and literals.is_constant_default(given):
        return literals.default_clause_value(given)
    return types.zero_value(declared)


@value_class
class Fill:
    """What rows without a value get (``value``, an expression), and ``why``."""

    value: str
    why: str

    @property
    def note(self) -> str:
        """The plan's note."""
        return f"Rows without a value get {self.value} ({self.why})."


def fill_for(given: str | None, default: str | None) -> Fill | None:
    """The value a COALESCE gives rows without one (NN003, NN004): the user's ``--set``
    expression, else the column's DEFAULT as an expression; None when there is neither."""
    from migrate_lint.fix.sqltext import default_as_expression

    if given is not None:
        return Fill(given, "the value given with --set")
    if default is not None:
        return Fill(default_as_expression(default), "the column's DEFAULT")
    return None


def no_fill(code: str, table: str, column: str, set_table: str) -> Plan:
    """The refusal when :func:`fill_for` has nothing: the user must say the value (with
    ``--set set_table.column=EXPR``)."""
    from migrate_lint.fix.model import Plan

    return Plan(f"{code} on `{table}.{column}`", refused=(
        f"`{table}.{column}` has no DEFAULT: say what rows without a value get with "
        f"--set {set_table}.{column}=EXPR"))


def preexisting_column(ctx: Context, table_name: str, column_name: str
                       ) -> tuple[Table, Column] | None:
    """The table and column a statement changes, when both existed before this migration
    (and so hold users' data and are named by older builds); None otherwise, and for
    temporary tables."""
    table = ctx.before.table(table_name)
    column = table.column(column_name) if table is not None else None
    if table is None or column is None or table.temporary:
        return None
    if (ctx.timeline.created_in(table, ctx.migration_index)
            or column.origin.migration == ctx.migration.label):
        return None
    return table, column


def incomplete_note(table: str, incomplete: str | None) -> str:
    """A sentence to append when the model of ``table`` may be wrong (``incomplete``:
    why, as ``Table.incomplete`` says it)."""
    if not incomplete:
        return ""
    return f" (the model of `{table}` is incomplete: {incomplete})"


def column_span(stmt: Statement, col: ColumnDef | None = None) -> Span:
    """The column definition's span where there is one, else the statement's."""
    return col.span if col is not None else stmt.span


def is_null_default(col: ColumnDef | Column) -> bool:
    """True for no DEFAULT, ``DEFAULT NULL`` or ``DEFAULT (NULL)``."""
    return literals.is_null_default(col.default, col.default_kind)


def statement_head(stmt: Statement, limit: int = 100) -> str:
    """The statement's text on one line, without backticks, shortened for a message."""
    # a run of seed INSERTs can be megabytes long: only its start is ever shown
    text = " ".join(stmt.text[: limit * 4].split()).rstrip(";").replace("`", "")
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def sub_span(stmt: Statement, start: int, end: int) -> Span:
    """The span of ``stmt.text[start:end]`` in the statement's file."""
    before = stmt.text[:start]
    line = stmt.span.line + before.count("\n")
    last_nl = before.rfind("\n")
    col = stmt.span.col + start if last_nl == -1 else start - last_nl
    piece = stmt.text[start:max(start, end - 1)]
    end_line = line + piece.count("\n")
    end_col = (col + len(piece)) if "\n" not in piece else len(piece) - piece.rfind("\n")
    return Span(stmt.span.path, stmt.span.start + start, stmt.span.start + end, line, col,
                end_line, end_col)


def assignment_span(stmt: Statement, column: str) -> Span:
    """The span of ``column = <value>`` in an UPDATE's SET clause, else the statement's.

    Read from the statement's tokens: sqlglot's nodes carry no positions.
    """
    toks = stmt.tokens
    low = column.lower()
    depth = 0
    in_set = False
    start = None
    base = stmt.span.start
    for i, tok in enumerate(toks):
        if tok.kind == "op" and tok.value in "()":
            depth += 1 if tok.value == "(" else -1
            continue
        if depth:
            continue
        if tok.is_word("SET"):
            in_set = True
            continue
        if not in_set:
            continue
        if start is None:
            if (tok.is_name and tok.value.lower() == low and i + 1 < len(toks)
                    and toks[i + 1].value == "="):
                start = i
        elif (tok.kind == "op" and tok.value == ",") or tok.is_word(
                "WHERE", "FROM", "RETURNING", "ORDER", "LIMIT"):
            return sub_span(stmt, toks[start].start - base, toks[i - 1].end - base)
    if start is not None:
        return sub_span(stmt, toks[start].start - base, toks[-1].end - base)
    return stmt.span


# cc: a token walk over INSERT ... SELECT (parens, CASE, subqueries) to place one value: sqlglot's
#   nodes carry no positions
def copied_value_span(stmt: Statement, column: str, filled: Sequence[str] | None = None
                      ) -> Span:
    """In ``INSERT INTO t (cols...) SELECT values... FROM``, the span of the value
    copied into ``column``; the column list entry when the value cannot be placed;
    else the statement's span. ``filled``: without a column list, the columns the
    values fill in order (SQLite's: the table's). Read from tokens (sqlglot's nodes
    carry no positions).
    """
    toks = stmt.tokens
    base = stmt.span.start
    low = column.lower()
    i = 0
    while i < len(toks) and not (toks[i].kind == "op" and toks[i].value == "("):
        if toks[i].is_word("SELECT", "VALUES"):
            break  # no column list
        i += 1
    entry: Tok | None = None
    if i < len(toks) and toks[i].kind == "op":
        names: list[int] = []  # token index of each column-list entry
        depth = 0
        for j in range(i, len(toks)):
            tok = toks[j]
            if tok.kind == "op" and tok.value in "()":
                depth += 1 if tok.value == "(" else -1
                if depth == 0:
                    i = j + 1
                    break
            elif depth == 1 and tok.is_name and (
                    toks[j - 1].value in ("(", ",") and toks[j - 1].kind == "op"):
                names.append(j)
        position = next((n for n, j in enumerate(names) if toks[j].value.lower() == low), None)
        if position is None:
            return stmt.span
        entry = toks[names[position]]
    else:
        position = next((n for n, name in enumerate(filled or ()) if name.lower() == low),
                        None)
        if position is None:
            return stmt.span
    # the select list: items between SELECT and FROM (or the end) at depth 0
    items: list[tuple[int, int]] = []
    depth = 0
    start: int | None = None
    for j in range(i, len(toks)):
        tok = toks[j]
        if start is None:
            if depth == 0 and tok.is_word("SELECT"):
                start = j + 1
                if start < len(toks) and toks[start].is_word("DISTINCT", "ALL"):
                    start += 1
            continue
        if tok.kind == "op" and tok.value in "()":
            depth += 1 if tok.value == "(" else -1
        elif depth == 0 and ((tok.kind == "op" and tok.value == ",")
                             or tok.is_word("FROM", "WHERE", "UNION", "ORDER", "LIMIT")):
            items.append((start, j - 1))
            if tok.kind != "op":
                break
            start = j + 1
    else:
        if start is not None and start < len(toks):
            items.append((start, len(toks) - 1))
    if position < len(items) and items[position][0] <= items[position][1]:
        first, last = items[position]
        return sub_span(stmt, toks[first].start - base, toks[last].end - base)
    return stmt.span if entry is None else sub_span(stmt, entry.start - base, entry.end - base)
