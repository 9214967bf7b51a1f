"""Table rebuilds and the pragmas around them: what the RB rules share.

Not a rule (discovery skips ``_`` modules). Everything here reads the timeline and
keeps no state between calls.

A *rebuild* of table ``t`` inside one migration has one of two shapes:

- ``new-first`` (the sqlite.org procedure, drizzle-kit, Prisma): ``CREATE TABLE
  new_t``; ``INSERT INTO new_t ... SELECT ... FROM t``; ``DROP TABLE t``;
  ``ALTER TABLE new_t RENAME TO t``. Recognised from the timeline as a table
  dropped and another renamed to its name later in the same migration.
- ``old-first``: ``ALTER TABLE t RENAME TO t_old``; ``CREATE TABLE t``;
  ``INSERT INTO t ... FROM t_old``; ``DROP TABLE t_old``. Recognised as a table
  renamed away and a table of its old name created later in the same migration.

Whether ``PRAGMA foreign_keys`` takes effect depends on the transaction the
statement runs in: the file's own ``BEGIN``, or the one the runner opens around
the migration (RUNNERS.md), or neither when the file ended the runner's
transaction with its own ``COMMIT`` (drizzle files that step out of the batch).
``runner_transaction`` asks the history's settings (`migrate_lint.settings`, from
the one runner table `migrate_lint.runners`) whether the runner wraps a migration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from migrate_lint.ddl import CreateTable, Drop, ForeignKeyDef, RenameTable
from migrate_lint.facts.inserts import parts_at, shape_at
from migrate_lint.facts.literals import select_star_source
from migrate_lint.history import History, Statement
from migrate_lint.replay import Step, Timeline
from migrate_lint.schema import Index, Schema, Table
from migrate_lint.values import value_class

_ON = frozenset({"ON", "1", "TRUE", "YES"})
_OFF = frozenset({"OFF", "0", "FALSE", "NO"})

# Data-changing ON DELETE actions: what DROP TABLE's implicit DELETE runs on children.
CHANGING_ACTIONS = frozenset({"CASCADE", "SET NULL", "SET DEFAULT"})


@value_class
class Pragma:
    """``PRAGMA [schema.]name [= value | (value)]``: lower-cased name, raw value."""

    name: str
    value: str | None

    @property
    def on(self) -> bool | None:
        """True for ON/1/TRUE/YES, False for OFF/0/FALSE/NO, None otherwise (or a query)."""
        if self.value is None:
            return None
        upper = self.value.upper()
        if upper in _ON:
            return True
        if upper in _OFF:
            return False
        return None


def pragma_of(stmt: Statement) -> Pragma | None:
    """The pragma ``stmt`` sets or queries, if it is a PRAGMA statement."""
    if stmt.kind != "pragma":
        return None
    toks = [t for t in stmt.tokens if not (t.kind == "op" and t.value == ";")]
    if len(toks) < 2 or not toks[0].is_word("PRAGMA"):
        return None
    rest = toks[1:]
    if len(rest) >= 3 and rest[1].kind == "op" and rest[1].value == ".":
        rest = rest[2:]  # schema prefix: main.foreign_keys
    name = rest[0].value.lower()
    value: str | None = None
    tail = [t for t in rest[1:] if not (t.kind == "op" and t.value in ("=", "(", ")"))]
    if tail:
        value = tail[0].value
    return Pragma(name, value)


def head_word(stmt: Statement) -> str:
    """The first keyword of ``stmt``, upper-cased."""
    return stmt.tokens[0].upper if stmt.tokens else ""


def own_transaction(timeline: Timeline, migration: int, step_index: int) -> Step | None:
    """The file's own ``BEGIN`` (or ``SAVEPOINT``) still open at ``step_index``, if any."""
    opened: Step | None = None
    savepoints = 0
    for index in range(timeline.boundaries[migration], step_index):
        step = timeline.steps[index]
        if step.statement.kind != "transaction":
            continue
        word = head_word(step.statement)
        words = [t.upper for t in step.statement.tokens]
        if word == "BEGIN" and opened is None:
            opened = step
        elif word == "SAVEPOINT":
            if opened is None:
                opened = step
            savepoints += 1
        elif word == "RELEASE":
            savepoints -= 1
            if savepoints <= 0 and opened is not None and head_word(opened.statement) == (
                "SAVEPOINT"
            ):
                opened = None
        elif word in ("COMMIT", "END") or (word == "ROLLBACK" and "TO" not in words):
            opened = None
            savepoints = 0
    return opened


def opens_own_transaction(timeline: Timeline, migration: int) -> bool:
    """True when the migration's file runs ``BEGIN`` itself."""
    return any(
        s.statement.kind == "transaction" and head_word(s.statement) == "BEGIN"
        for s in timeline.steps_of(migration)
    )


def runner_transaction(timeline: Timeline, migration: int) -> str | None:
    """Why the runner runs ``migration`` inside a transaction, or None when it does not.

    The sentence comes from the history's settings (`migrate_lint.settings`): the
    runner's own where its default holds, else the setting and where it came from.
    """
    history: History = timeline.history
    return history.settings.wraps(history.migrations[migration].source,
                                  opens_own_transaction(timeline, migration))


def _stepped_out(timeline: Timeline, migration: int, step_index: int) -> Step | None:
    """The statement by which the file ended the runner's transaction before ``step_index``.

    drizzle files that must turn foreign keys off open with ``COMMIT``: it commits
    the batch so far, and the file's own statements then run outside it.
    """
    for index in range(timeline.boundaries[migration], step_index):
        step = timeline.steps[index]
        if step.statement.kind != "transaction":
            continue
        word = head_word(step.statement)
        if word == "BEGIN" or word == "SAVEPOINT":
            return None  # the file's own transaction from here on: `own_transaction` decides
        if word in ("COMMIT", "END") or (
                word == "ROLLBACK" and all(t.upper != "TO" for t in step.statement.tokens)):
            return step
    return None


def pragma_is_ignored(timeline: Timeline, step_index: int) -> str | None:
    """Why a pragma at ``step_index`` that must run outside a transaction does nothing.

    None when it takes effect.
    """
    step = timeline.steps[step_index]
    own = own_transaction(timeline, step.migration, step_index)
    if own is not None:
        return f"it runs inside the file's own `{head_word(own.statement)}` (line " \
               f"{own.statement.span.line})"
    if _stepped_out(timeline, step.migration, step_index) is not None:
        return None
    return runner_transaction(timeline, step.migration)


@value_class
class ForeignKeyState:
    """Whether foreign keys are enforced at a step, as far as the migration decides it.

    ``off_step`` is the effective ``PRAGMA foreign_keys=OFF`` in force, if any;
    ``ignored`` the ``PRAGMA foreign_keys=OFF`` statements that did nothing;
    ``connection_off`` whether the connection's settings have them off (stated or
    shown, not a driver's default) and no effective ``PRAGMA foreign_keys=ON`` since.
    """

    off_step: int | None
    ignored: tuple[int, ...]
    connection_off: bool = False

    @property
    def may_be_on(self) -> bool:
        """True unless an effective ``PRAGMA foreign_keys=OFF`` or the connection has them off."""
        return self.off_step is None and not self.connection_off


def pragma_setting(stmt: Statement, name: str) -> bool | None:
    """The ON (True) or OFF (False) that ``stmt`` sets pragma ``name`` to; None when it
    is another statement, or a query or a value that is neither."""
    pragma = pragma_of(stmt)
    return pragma.on if pragma is not None and pragma.name == name else None


def foreign_key_state(timeline: Timeline, step_index: int) -> ForeignKeyState:
    """The effect of the migration's ``PRAGMA foreign_keys`` statements before ``step_index``."""
    migration = timeline.steps[step_index].migration
    off: int | None = None
    connection_off = not timeline.history.settings.foreign_keys_may_be_on
    ignored: list[int] = []
    for index in range(timeline.boundaries[migration], step_index):
        on = pragma_setting(timeline.steps[index].statement, "foreign_keys")
        if on is None:
            continue
        if pragma_is_ignored(timeline, index) is not None:
            if not on:
                ignored.append(index)
            continue
        off = None if on else index
        connection_off = connection_off and not on
    return ForeignKeyState(off, tuple(ignored), connection_off)


def legacy_alter_table_on(timeline: Timeline, step_index: int) -> bool:
    """True when ``PRAGMA legacy_alter_table=ON`` is in force at ``step_index``.

    Unlike ``foreign_keys``, this pragma takes effect inside a transaction.
    """
    migration = timeline.steps[step_index].migration
    on = False
    for index in range(timeline.boundaries[migration], step_index):
        setting = pragma_setting(timeline.steps[index].statement, "legacy_alter_table")
        if setting is not None:
            on = setting
    return on


# -- rebuilds ---------------------------------------------------------------------


@value_class
class Rebuild:
    """One rebuild of ``table`` in migration ``migration`` (see the module docstring).

    ``old`` is the table before the rebuild touched it and ``old_schema`` the schema
    at that point (before the DROP for new-first, before the first RENAME for
    old-first); ``temp`` the other name (``new_t`` or ``t_old``); ``new_name`` the
    name of the table the copy writes; ``copies`` the INSERT steps that fill it.
    """

    shape: str  # "new-first" or "old-first"
    migration: int
    table: str
    temp: str
    old: Table
    old_schema: Schema
    drop_step: int | None
    rename_step: int
    create_step: int | None
    copies: tuple[int, ...]

    @property
    def old_name(self) -> str:
        """The name the old table has when the copy reads it."""
        return self.table if self.shape == "new-first" else self.temp

    @property
    def new_name(self) -> str:
        """The name the new table has when the copy writes it."""
        return self.temp if self.shape == "new-first" else self.table

    @property
    def end_step(self) -> int:
        """The last statement of the rebuild."""
        last = max(s for s in (self.drop_step, self.rename_step, self.create_step, *self.copies)
                   if s is not None)
        return last

    @property
    def anchor(self) -> int:
        """The step a finding about the whole rebuild points at: where the old table dies."""
        return self.drop_step if self.drop_step is not None else self.rename_step


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def rebuilds(timeline: Timeline, migration: int) -> list[Rebuild]:
    """Every rebuild in ``migration``, in order of the statement that ends the old table."""
    return timeline.memo(("rebuilds", migration), lambda: _find_rebuilds(timeline, migration))


def renamed_at(timeline: Timeline, migration: int, step_index: int, shape: str
               ) -> Iterator[Rebuild]:
    """The rebuilds of ``shape`` (``new-first``, ``old-first``) whose RENAME is the
    statement at ``step_index`` (RB005 and RB007 look at that RENAME)."""
    return (r for r in rebuilds(timeline, migration)
            if r.shape == shape and r.rename_step == step_index)


def _find_rebuilds(timeline: Timeline, migration: int) -> list[Rebuild]:
    steps = list(range(timeline.boundaries[migration], timeline.boundaries[migration + 1]))
    out: list[Rebuild] = []
    for pos, i in enumerate(steps):
        step = timeline.steps[i]
        node = step.statement.ddl
        if step.error is not None:
            continue
        if isinstance(node, Drop) and node.what == "TABLE":
            old = step.before.table(node.name)
            if old is None:
                continue
            rename = _later(timeline, steps[pos + 1:], lambda n, t=node.name: isinstance(n, RenameTable)
                            and _same(n.new, t))
            if rename is None:
                continue
            temp = rename_node(timeline, rename).table
            create = _earlier(timeline, steps[:pos], lambda n, t=temp: isinstance(n, CreateTable)
                              and _same(n.name, t))
            low = create if create is not None else steps[0]
            copies = _copies(timeline, range(low, rename), temp, old.name)
            out.append(Rebuild("new-first", migration, old.name, temp, old, step.before, i,
                               rename, create, copies))
        elif isinstance(node, RenameTable):
            old = step.before.table(node.table)
            if old is None:
                continue
            if timeline.created_in(old, migration) and any(
                    isinstance(d := timeline.steps[s].statement.ddl, Drop) and d.what == "TABLE"
                    and _same(d.name, node.new) for s in steps[:pos]):
                # `DROP TABLE t; ALTER TABLE t_new RENAME TO t`: the end of a new-first
                # rebuild, even when the next rebuild of `t` makes a `t_new` again
                continue
            rest = steps[pos + 1:]
            create = _later(timeline, rest, lambda n, t=node.table: isinstance(n, CreateTable)
                            and _same(n.name, t) and not n.temporary)
            if create is None:
                continue
            # A table of the old name made again: unless that happens after a rename
            # back (new-first of another rebuild), this is the old-first shape.
            between = [s for s in rest if s < create]
            if any(isinstance(timeline.steps[s].statement.ddl, RenameTable)
                   and _same(rename_node(timeline, s).new, node.table) for s in between):
                continue
            drop = _later(timeline, [s for s in rest if s > create], lambda n, t=node.new: isinstance(n, Drop)
                          and n.what == "TABLE" and _same(n.name, t))
            stop = drop if drop is not None else steps[-1] + 1
            copies = _copies(timeline, range(create, stop), node.table, node.new)
            out.append(Rebuild("old-first", migration, old.name, node.new, old, step.before,
                               drop, i, create, copies))
    return out


def rename_node(timeline: Timeline, step_index: int) -> RenameTable:
    """The RENAME TABLE reading of a step known to be one."""
    node = timeline.steps[step_index].statement.ddl
    assert isinstance(node, RenameTable)
    return node


def _later(timeline: Timeline, indexes: list[int], test: Callable[..., bool]) -> int | None:
    for i in indexes:
        if timeline.steps[i].error is None and test(timeline.steps[i].statement.ddl):
            return i
    return None


def _earlier(timeline: Timeline, indexes: list[int], test: Callable[..., bool]) -> int | None:
    for i in reversed(indexes):
        if timeline.steps[i].error is None and test(timeline.steps[i].statement.ddl):
            return i
    return None


def _copies(timeline: Timeline, indexes: range, target: str, source: str) -> tuple[int, ...]:
    """INSERT steps in ``indexes`` writing ``target`` and reading ``source``."""
    out = []
    for i in indexes:
        stmt = timeline.steps[i].statement
        if stmt.kind != "insert":
            continue
        shape = shape_at(timeline, i)
        if shape is None or not _same(shape.table, target):
            continue
        if any(_same(name, source) for _, name in shape.sources) or _reads(stmt, source):
            out.append(i)
    return tuple(out)


def _reads(stmt: Statement, table: str) -> bool:
    """True when ``table`` appears as a name after the first SELECT of ``stmt``."""
    seen_select = False
    for tok in stmt.tokens:
        if tok.is_word("SELECT"):
            seen_select = True
        elif seen_select and tok.kind in ("word", "quoted") and _same(tok.value, table):
            return True
    return False


def rebuild_of_step(timeline: Timeline, step_index: int) -> Iterator[Rebuild]:
    """The rebuilds of the step's migration that ``step_index`` belongs to."""
    migration = timeline.steps[step_index].migration
    for rebuild in rebuilds(timeline, migration):
        members = {rebuild.drop_step, rebuild.rename_step, rebuild.create_step, *rebuild.copies}
        if step_index in members:
            yield rebuild


# -- tables filled or restored within a migration ------------------------------------


def snapshot_source(timeline: Timeline, table: str, migration: int, step_index: int
                    ) -> str | None:
    """The table that ``table`` is a full copy of, made by ``CREATE TABLE table AS
    SELECT * FROM source`` earlier in ``migration``, if it is one."""
    for i in range(timeline.boundaries[migration], step_index):
        node = timeline.steps[i].statement.ddl
        if isinstance(node, CreateTable) and _same(node.name, table) and node.as_select:
            return select_star_source(node.as_select)
    return None


def column_names(table: Table) -> tuple[str, ...]:
    """Lower-cased names of the columns an ``INSERT`` without column list fills."""
    return tuple(c.name.lower() for c in table.columns if not c.hidden and not c.generated)


def restored_after(timeline: Timeline, table: str, migration: int, step_index: int) -> Step | None:
    """An INSERT later in the migration that puts back a snapshot of ``table`` taken
    before ``step_index`` (``CREATE TABLE backup AS SELECT * FROM table``, then
    ``INSERT INTO table ... FROM backup``), if any."""
    end = timeline.boundaries[migration + 1]
    for i in range(step_index + 1, end):
        if timeline.steps[i].statement.kind != "insert":
            continue
        parts = parts_at(timeline, i)
        shape = shape_at(timeline, i)
        if parts is None or shape is None or not _same(parts.table, table):
            continue
        for _, source in shape.sources:
            origin = snapshot_source(timeline, source, migration, step_index)
            if origin is not None and _same(origin, table):
                return timeline.steps[i]
    return None


def data_children(schema: Schema, table: str) -> list[tuple[Table, ForeignKeyDef]]:
    """Children of ``table`` (itself excluded: its own rows go with the DROP anyway)."""
    return [(child, fk) for child, fk in schema.children_of(table)
            if not _same(child.name, table)]


def names(items: Sequence[str], limit: int = 6) -> str:
    """``a``, ``b`` and ``c`` (shortened after ``limit``)."""
    quoted = [f"`{n}`" for n in items]
    if len(quoted) > limit:
        quoted = [*quoted[:limit], f"{len(items) - limit} more"]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 index`` / ``2 indexes``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


_WS = re.compile(r"\s+")
_QUOTES = re.compile(r"[`\"\[\]]")


def normalized(sql: str | None) -> str:
    """SQL text compared loosely: no whitespace, no identifier quotes, lower case."""
    if sql is None:
        return ""
    return _WS.sub("", _QUOTES.sub("", sql)).lower()


def mentions(text: str, name: str) -> bool:
    """True when ``name`` appears in ``text`` as a whole word (quoted or not)."""
    if not (name and text.isascii() and name.isascii()):
        return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text, re.I) is not None
    # ASCII: a search of the lower-cased text, as the pattern above matches it; a
    # pattern per table name compiled at every call (re's cache holds 512) cost 2% of
    # `check` on a history of thousands of tables
    low, needle = text.lower(), name.lower()
    at = low.find(needle)
    while at >= 0:
        end = at + len(needle)
        if (at == 0 or not _word_char(low[at - 1])) and (
                end == len(low) or not _word_char(low[end])):
            return True
        at = low.find(needle, at + 1)
    return False


def _word_char(char: str) -> bool:
    """An ASCII character the pattern's ``[\\w$]`` matches."""
    return char.isalnum() or char in "_$"


def dropped_later_unread(timeline: Timeline, table: str, migration: int, step_index: int) -> bool:
    """True when ``table`` is dropped later in ``migration`` and nothing reads it before.

    What happens to its rows in between then does not matter.
    """
    end = timeline.boundaries[migration + 1]
    for index in range(step_index + 1, end):
        step = timeline.steps[index]
        node = step.statement.ddl
        if isinstance(node, Drop) and node.what == "TABLE" and _same(node.name, table):
            return step.error is None
        if step.statement.kind in ("insert", "update", "create_table", "create_view") and (
                _reads(step.statement, table)):
            return False
        if isinstance(node, RenameTable) and _same(node.table, table):
            return False
    return False


# -- what an index gives, and whether another table still gives it --------------------


def index_key(index: Index) -> tuple[bool, tuple[str, ...], str]:
    """An index's definition compared loosely: unique, keys (with DESC), WHERE."""
    return (index.unique, tuple(normalized(c.expr) + (" desc" if c.desc else "")
                                for c in index.columns), normalized(index.where))


def _plain_keys(index: Index) -> tuple[tuple[str, str], ...] | None:
    """(column, collation) of each key, or None for a partial or expression index."""
    if index.where or any(c.name is None for c in index.columns):
        return None
    return tuple(((c.name or "").lower(), _collation(c.collate)) for c in index.columns)


def _collation(name: str | None) -> str:
    return "" if name is None or name.upper() == "BINARY" else name.upper()


def index_covered(table: Table, indexes: tuple[Index, ...], old: Index) -> bool:
    """True when ``table`` with ``indexes`` still gives what index ``old`` gave.

    A lookup on ``old``'s columns is served by any key (PRIMARY KEY, UNIQUE written
    inline or as a constraint, another index) whose leading columns are those; a
    UNIQUE ``old`` is still enforced by a unique key over the same or fewer of its
    columns. Partial and expression indexes only count when defined identically.
    """
    if any(i.name.lower() == old.name.lower() or index_key(i) == index_key(old)
           for i in indexes):
        return True
    wanted = _plain_keys(old)
    if wanted is None:
        return False
    orders: list[tuple[tuple[tuple[str, str], ...], bool]] = []
    for key in table.keys:
        if None in key.columns:
            continue
        colls = key.collations or (None,) * len(key.columns)
        orders.append((tuple(((c or "").lower(), _collation(k))
                             for c, k in zip(key.columns, colls, strict=False)), True))
    for index in indexes:
        keys = _plain_keys(index)
        if keys is not None:
            orders.append((keys, index.unique))
    if not any(cols[:len(wanted)] == wanted for cols, _ in orders):
        return False
    return not old.unique or any(unique and set(cols) <= set(wanted) for cols, unique in orders)


def indexes_dropped_in(timeline: Timeline, migration: int) -> frozenset[str]:
    """Lower-cased names of the indexes ``migration`` drops with ``DROP INDEX``: losing
    those is what it asked for."""
    def compute() -> frozenset[str]:
        out = set()
        for step in timeline.steps_of(migration):
            node = step.statement.ddl
            if isinstance(node, Drop) and node.what == "INDEX" and step.error is None:
                out.add(node.name.lower())
        return frozenset(out)
    return timeline.memo(("indexes_dropped_in", migration), compute)
