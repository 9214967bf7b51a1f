"""Replay checkpoints: the first migrations of a history, kept so a run resumes after them.

A checkpoint holds, for the first k migrations of a history, what the run after
them needs to replay only the rest: the schema after migration k, and each earlier
statement in outline (its text, place, kind, the tables it names, whether the
reader understood it, its comments) with each step's error and touched names and
each write. It is plain data (`migrate_lint.cache`), named by `chain`: a digest of
the tool, the sqlglot it parses with, the directory's layout and runner and every
migration up to k (names, order, and a hash of every file's text), so a checkpoint
is found only for a history that begins with exactly those migrations.

`resume` rebuilds the timeline: the kept migrations in outline, the rest parsed and
replayed on the kept schema. Rules then run on the migrations after the checkpoint
(`check FILES`). Whatever the outline lacks (the parsed form of an old statement, the
schema before an old step) raises `PrefixMiss`; the run catches it and replays the
whole history, so a resumed run reports what a full one does or falls back to one.
"""

from __future__ import annotations

import marshal
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import Any, cast, overload

from migrate_lint.cache import Codec
from migrate_lint.chain import texts_of
from migrate_lint.ddl import ForeignKeyDef, IndexedColumn
from migrate_lint.diagnostics import Diagnostic
from migrate_lint.history import History, Migration, Script, Statement, StatementKind
from migrate_lint.parse import parse_migration
from migrate_lint.pipeline import gc_paused
from migrate_lint.replay import Step, Timeline, Write, replay_steps
from migrate_lint.schema import (
    Column,
    Index,
    Origin,
    Schema,
    Table,
    Trigger,
    UniqueKey,
    View,
    all_foreign_keys,
)
from migrate_lint.settings import Requested
from migrate_lint.source import Discovery, MigrationSource
from migrate_lint.span import Span
from migrate_lint.split import Comment
from migrate_lint.tokens import Tok

# A table's columns and an index's details are decoded when first read: a run resumed
# from a checkpoint reads the few tables its migrations touch, and decoding the whole
# schema of a long history cost it more than the rest of the resuming.
CODEC = Codec((Span, Origin, Column, UniqueKey, Table, Index, Trigger, View, Schema,
               ForeignKeyDef, IndexedColumn, Diagnostic), leaves=(Span,),
              lazy={Table: ("columns",), Index: ("columns", "where", "sql", "origin")},
              # a table's foreign keys: the rules on foreign keys ask every table
              derived={Table: ("_fks",)})
# Statement kinds whose tokens the outline keeps: connection settings read them
# (`settings._own_begin`, `_step_outs`) and rules look at the pragmas of a migration.
_KEEP_TOKENS = frozenset({"transaction", "pragma"})
# A statement kind by its value, as the outline and the writes keep it.
_KINDS = {kind.value: kind for kind in StatementKind}
# Outline flags: which parts of a statement the outline does not hold.
_DDL, _AST, _SEED, _TOKENS = 1, 2, 4, 8


class PrefixMiss(BaseException):
    """A rule asked for a part of a migration the checkpoint keeps in outline only.

    A BaseException so that the engine's guard around each rule (``except
    Exception``) lets it through: the run then replays the whole history.
    """


# --- writing ----------------------------------------------------------------------------


def encode(timeline: Timeline, found: Discovery, counts: Sequence[int]) -> dict[str, Any] | None:
    """One checkpoint of ``timeline`` (the replay of ``found``) that resumes after the
    first ``count`` migrations for each of ``counts``, as plain data; None when the
    history holds what a checkpoint cannot keep.

    Each migration's statements and steps are one `marshal` blob, read only when a
    rule asks about that migration; comments and file lists (which suppressions and
    fingerprints read for every migration) are kept as they are. The schemas after
    each of ``counts`` share what they hold in common (marshal writes it once).
    """
    history = timeline.history
    total = max(counts)
    outlines: list[tuple[Any, ...]] = []
    details: list[bytes] = []
    for m_index, migration in enumerate(history.migrations[:total]):
        light = migration.up if isinstance(migration.up, _LightScript) else None
        if light is not None:
            outlines.append(light.holder.outline)
            details.append(light.holder.blob)
            continue
        scripts = [migration.up] + ([migration.down] if migration.down is not None else [])
        rows = [_statement_rows(script, history.texts) for script in scripts]
        if any(r is None for r in rows):
            return None
        steps = timeline.steps[timeline.boundaries[m_index]:timeline.boundaries[m_index + 1]]
        # comments and files of each script, and the first statement of the up one
        # (connection settings read it for every migration: `settings._step_outs`)
        # comments as a blob each: only suppressions read them, in the migrations a run
        # reports on (`suppress.apply`)
        parts = [(marshal.dumps(tuple((c.text, c.start, c.line) for c in script.comments)),
                  script.paths) for script in scripts]
        first = rows[0][0] if rows[0] else None
        outlines.append((*parts, first))
        details.append(marshal.dumps((tuple(rows), tuple(s.error for s in steps),
                                      tuple(s.touched for s in steps))))
    steps_end = timeline.boundaries[total]
    owner = {path: i for i, source in enumerate(found.migrations) for path in _files(source)}
    diagnostics = tuple((owner[diag.path], CODEC.encode(diag))
                        for diag in history.diagnostics[len(found.diagnostics):]
                        if owner.get(diag.path, total) < total)
    encoder = CODEC.encoder()
    schemas = {count: timeline.after_migration(count - 1) for count in counts}
    for schema in schemas.values():
        for table in schema.tables.values():
            all_foreign_keys(table)  # kept with the table (`CODEC`'s derived fields)
    return {
        "boundaries": tuple(timeline.boundaries[:total + 1]),
        "outlines": tuple(outlines),
        "details": tuple(details),
        # one blob, read when a rule first asks for the writes (`_Writes`)
        "writes": marshal.dumps(tuple((w.step, StatementKind(w.kind).value, w.table, w.columns)
                                      for w in timeline.writes if w.step < steps_end)),
        "unfollowed": {name: step for name, step in timeline.unfollowed().items()
                       if step < steps_end},
        "diagnostics": diagnostics,
        "schemas": {count: encoder(schema) for count, schema in schemas.items()},
    }


def _files(source: MigrationSource) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.path for s in (*source.up, *source.down)))


def _statement_rows(script: Script, texts: dict[str, str]) -> tuple[Any, ...] | None:
    rows = []
    for stmt in script.statements:
        row = _statement_row(stmt, texts)
        if row is None:
            return None
        rows.append(row)
    return tuple(rows)


def _statement_row(stmt: Statement, texts: dict[str, str]) -> tuple[Any, ...] | None:
    span = stmt.span
    whole = texts.get(span.path)
    if whole is None:
        return None
    text = None if whole[span.start:span.end] == stmt.text else stmt.text
    missing = ((_DDL if stmt.ddl is not None else 0) | (_AST if stmt.has_tree else 0)
               | (_SEED if stmt.seed is not None else 0))
    tokens = None
    if stmt.kind in _KEEP_TOKENS:
        tokens = tuple(tuple(t) for t in stmt.tokens)
    else:
        missing |= _TOKENS  # every statement has tokens; asking would make them
    block = _span_row(stmt.block) if stmt.block is not None else None
    return (stmt.index, text, span.path, _span_row(span)[1:], stmt.kind.value, stmt.problem,
            stmt.tables, block, missing, tokens)


def _span_row(span: Span) -> tuple[Any, ...]:
    return (span.path, span.start, span.end, span.line, span.col, span.end_line, span.end_col)


# --- resuming ---------------------------------------------------------------------------


def resume(found: Discovery, data: Any, count: int, requested: Requested) -> Timeline:
    """The timeline of ``found`` from checkpoint ``data`` (made by `encode` with ``count``
    among its counts, for this same history): the first ``count`` migrations in
    outline, the rest parsed and replayed. Raises ValueError, TypeError, KeyError or
    IndexError on a checkpoint that is not what `encode` made."""
    boundaries = list(data["boundaries"][:count + 1])
    outlines, details = data["outlines"][:count], data["details"][:count]
    if not 0 < count <= len(found.migrations) or len(outlines) != count or \
            len(details) != count or len(boundaries) != count + 1:
        raise ValueError("checkpoint does not fit the history")
    prefix = boundaries[-1]
    texts = texts_of(found)
    migrations: list[Migration] = []
    holders: list[_Outline] = []
    for source, outline, blob in zip(found.migrations, outlines, details, strict=False):
        holder = _Outline(outline, blob, texts)
        holders.append(holder)
        down = _LightScript.make(holder, 1) if len(outline) > 2 else None
        migrations.append(Migration(source, _LightScript.make(holder, 0), down))
    diagnostics: list[Diagnostic] = list(found.diagnostics)
    diagnostics += [CODEC.decode(diag) for held_by, diag in data["diagnostics"]
                    if held_by < count]
    with gc_paused():
        for source in found.migrations[count:]:
            migration, diags = parse_migration(source, texts)
            migrations.append(migration)
            diagnostics.extend(diags)
        history = History(found.root, found.layout, requested.runner or found.runner,
                          tuple(migrations), tuple(diagnostics), texts, requested)
        schema = CODEC.decode(data["schemas"][count])
        if not isinstance(schema, Schema):
            raise TypeError("checkpoint schema is no schema")
        rest, new_writes, starts = replay_steps(history.migrations[count:], count, schema,
                                                prefix)
    steps = _Steps(history, holders, boundaries, schema, rest)
    if not isinstance(data["writes"], bytes):
        raise TypeError("checkpoint writes are no blob")
    writes = _Writes(data["writes"], prefix, new_writes)
    unfollowed = {name: step for name, step in data["unfollowed"].items() if step < prefix}
    for index, step in enumerate(rest, prefix):
        if step.statement.problem is not None:
            for name in step.statement.tables:
                unfollowed.setdefault(name.lower(), index)
    return Timeline(history, cast(list[Step], steps), cast(list[Write], writes),
                    [*boundaries[:-1], *starts, prefix + len(rest)], unfollowed=unfollowed)


def resumed_at(timeline: Timeline) -> int:
    """How many migrations of ``timeline`` came from a checkpoint (0: none)."""
    steps = timeline.steps
    return steps.kept if isinstance(steps, _Steps) else 0


def _miss(what: str) -> PrefixMiss:
    return PrefixMiss(f"{what} of a migration the checkpoint keeps in outline")


class _Outline:
    """One kept migration: its comments and files (and its first statement), and the
    blob of its statements and steps, read on first use."""

    def __init__(self, outline: tuple[Any, ...], blob: bytes, texts: dict[str, str]) -> None:
        self.outline = outline
        self.blob = blob
        self.texts = texts
        self._detail: tuple[Any, ...] | None = None

    @property
    def detail(self) -> tuple[Any, ...]:
        """(statement rows per script, step errors, step touched names)."""
        if self._detail is None:
            self._detail = marshal.loads(self.blob)
        return self._detail


# Slots of the base classes, set directly: the outline classes shadow some fields
# with properties (which the frozen dataclasses' own __init__ would refuse).
_STATEMENT = {name: Statement.__dict__[name] for name in Statement.__dataclass_fields__}
_SCRIPT = {name: Script.__dict__[name] for name in Script.__dataclass_fields__}
_STEP = {name: Step.__dict__[name] for name in Step.__dataclass_fields__}


class _LightStatement(Statement):
    """A statement in outline: the parts it does not hold raise `PrefixMiss`."""

    __slots__ = ("_missing",)
    _missing: int

    @property
    def ddl(self) -> Any:
        if self._missing & _DDL:
            raise _miss("the DDL reading")
        return None

    @property
    def ast(self) -> Any:
        if self._missing & _AST:
            raise _miss("the syntax tree")
        return None

    @property
    def has_tree(self) -> bool:
        return bool(self._missing & _AST)

    @property
    def seed(self) -> Any:
        if self._missing & _SEED:
            raise _miss("the seed rows")
        return None

    @property
    def tokens(self) -> tuple[Tok, ...]:
        if self._missing & _TOKENS:
            raise _miss("the tokens")
        return cast(tuple[Tok, ...], _STATEMENT["held"].__get__(self, Statement))


def _statement(row: Sequence[Any], texts: dict[str, str]) -> Statement:
    index, text, path, where, kind, problem, tables, block, missing, tokens = row
    span = Span(path, *where)
    stmt = object.__new__(_LightStatement)
    put = _STATEMENT
    put["index"].__set__(stmt, index)
    put["text"].__set__(stmt, texts[path][span.start:span.end] if text is None else text)
    put["span"].__set__(stmt, span)
    put["kind"].__set__(stmt, _KINDS[kind])
    put["problem"].__set__(stmt, problem)
    put["tables"].__set__(stmt, tables)
    put["block"].__set__(stmt, None if block is None else Span(*block))
    put["held"].__set__(stmt, () if tokens is None else tuple(Tok(*t) for t in tokens))
    _LightStatement.__dict__["_missing"].__set__(stmt, missing)
    return stmt


class _LightScript(Script):
    """A script in outline: its statements and comments are made on first use."""

    __slots__ = ("_built", "_comments", "direction", "holder")
    _built: tuple[Statement, ...] | None
    _comments: tuple[Comment, ...] | None
    direction: int  # 0 up, 1 down
    holder: _Outline

    @classmethod
    def make(cls, holder: _Outline, direction: int) -> _LightScript:
        _, paths = holder.outline[direction]
        script = object.__new__(cls)
        _SCRIPT["paths"].__set__(script, tuple(paths))
        slots = cls.__dict__
        slots["holder"].__set__(script, holder)
        slots["direction"].__set__(script, direction)
        slots["_built"].__set__(script, None)
        slots["_comments"].__set__(script, None)
        return script

    @property
    def comments(self) -> tuple[Comment, ...]:
        made = self._comments
        if made is None:
            blob = self.holder.outline[self.direction][0]
            made = tuple(Comment(*c) for c in marshal.loads(blob))
            _LightScript.__dict__["_comments"].__set__(self, made)
        return made

    @property
    def first(self) -> Statement | None:
        if self._built is not None:
            return self._built[0] if self._built else None
        if self.direction == 0:
            row = self.holder.outline[-1]
            return None if row is None else _statement(row, self.holder.texts)
        rows = self.holder.detail[0][self.direction]
        return _statement(rows[0], self.holder.texts) if rows else None

    @property
    def statements(self) -> tuple[Statement, ...]:
        built = self._built
        if built is None:
            texts = self.holder.texts
            built = tuple(_statement(row, texts)
                          for row in self.holder.detail[0][self.direction])
            _LightScript.__dict__["_built"].__set__(self, built)
        return built


class _LightStep(Step):
    """A step in outline: no schema on either side (the last one's after excepted)."""

    __slots__ = ()

    @property
    def before(self) -> Schema:
        raise _miss("the schema before a step")

    @property
    def after(self) -> Schema:
        try:
            return cast(Schema, _STEP["after"].__get__(self, Step))
        except AttributeError:
            raise _miss("the schema after a step") from None


class _Writes(Sequence[Write]):
    """The writes of a resumed timeline: the kept ones (the rows `encode` marshalled
    into ``kept``, before step ``prefix``) made on first use, then ``new``. A run that
    checks a new file's schema changes asks for none of the thousands a long history
    holds."""

    def __init__(self, kept: bytes, prefix: int, new: list[Write]) -> None:
        self._kept: bytes | None = kept
        self._prefix = prefix
        self._made = new

    def _all(self) -> list[Write]:
        if self._kept is not None:
            kind_of = _KINDS.__getitem__  # a dict lookup, not the enum's call
            self._made = [Write(step, kind_of(kind), table, columns)
                          for step, kind, table, columns in marshal.loads(self._kept)
                          if step < self._prefix] + self._made
            self._kept = None
        return self._made

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> Write: ...

    @overload
    def __getitem__(self, index: slice) -> list[Write]: ...

    def __getitem__(self, index: int | slice) -> Write | list[Write]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Write]:
        return iter(self._all())

    def __add__(self, other: list[Write]) -> list[Write]:
        return self._all() + other


class _Steps(Sequence[Step]):
    """The steps of a resumed timeline: the kept ones made in outline on first use."""

    def __init__(self, history: History, holders: list[_Outline], boundaries: list[int],
                 schema: Schema, rest: list[Step]) -> None:
        self.history = history
        self.holders = holders
        self.boundaries = boundaries  # of the kept migrations, and where they end
        self.kept = len(boundaries) - 1  # migrations
        self.prefix = boundaries[-1]  # steps
        self.schema = schema
        self.rest = rest
        self._made: dict[int, Step] = {}

    def __len__(self) -> int:
        return self.prefix + len(self.rest)

    @overload
    def __getitem__(self, index: int) -> Step: ...

    @overload
    def __getitem__(self, index: slice) -> list[Step]: ...

    def __getitem__(self, index: int | slice) -> Step | list[Step]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("step index out of range")
        return self._at(index)

    def __iter__(self) -> Iterator[Step]:
        for index in range(len(self)):
            yield self._at(index)

    def _at(self, index: int) -> Step:
        if index >= self.prefix:
            return self.rest[index - self.prefix]
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._make(index)
        return made

    def _make(self, index: int) -> Step:
        migration = bisect_right(self.boundaries, index) - 1
        position = index - self.boundaries[migration]
        _, errors, touched = self.holders[migration].detail
        step = object.__new__(_LightStep)
        _STEP["migration"].__set__(step, migration)
        _STEP["statement"].__set__(step, self.history.migrations[migration].up.statements[
            position])
        _STEP["error"].__set__(step, errors[position])
        _STEP["touched"].__set__(step, touched[position])
        if index == self.prefix - 1:
            _STEP["after"].__set__(step, self.schema)
        return step
