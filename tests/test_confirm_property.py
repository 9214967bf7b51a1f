"""SQLite is the judge, and this test judges the judge: random histories, two readers.

Hypothesis builds small histories (a flat layout: an initial schema and one to three
later migrations) from a grammar that reaches every kind of claim a rule can attach
(`migrate_lint.claims`): parents and children with random ON DELETE actions, plain,
unique and partial indexes, table rebuilds with and without `PRAGMA foreign_keys=OFF`
(before or inside the file's own transaction, or inside the runner's), with and
without their indexes restored or `PRAGMA foreign_key_check`, copies that write
NULLs, constants into UNIQUE columns or leave rows out, DROP TABLE of parents and of
leaves, ADD COLUMN NOT NULL with and without defaults, statements that fail on
existing rows, and re-runnable files with one INSERT that is not.

`migrate-lint check --format json` reads each history under a random runner and
foreign key setting. Independently, the test replays it with plain `sqlite3` the way
that runner does (its transaction unit and driver default from `runners.RUNNERS`,
the file's own BEGIN where the runner lets it run), fills each migration's database
with the prover's synthetic rows (`synth.fill`, the rows the linter's sandbox uses
too) and looks at what SQLite does: errors and where, rows per table after every
statement, keyed child rows, `PRAGMA foreign_key_check`, `PRAGMA index_list`, the
same run with foreign keys off, and re-runs after a partial first try.

Then, for every finding:
- what it says SQLite confirmed is what the oracle saw (counts, error text, the
  missing index, the re-run's error), and what it says SQLite did *not* show
  ("could not confirm: ...") the oracle did not see either;
- a finding left as the rule made it, for a rule that always attaches a claim, is
  one the oracle could not judge either (the migration failed, or was not reached).
- NN001's static "fails with ..." is what SQLite does wherever the table has rows.
And for every effect the oracle saw that a rule exists to report (a cascade from a
DROP TABLE, a copy failing on NOT NULL or on a constant in a UNIQUE column, an index
a rebuild lost, orphans after an unchecked effective `foreign_keys=OFF`, an ignored
pragma that changes the outcome, a re-run that fails at an INSERT), a finding of
that rule says so, within the rule's documented contract: a child dropped later in
the same migration loses nothing of use (RB002); rows whose key names a table that
no longer exists are FK001's, reported where the key first pointed at nothing, not
RB008's; RB008 answers for rows that the rebuilds under its pragma orphan, not for
orphans already there when the pragma ran (counted by row, not by number); MG008
speaks for files whose statements before the INSERT each run twice (a complete
rebuild before it re-runs as a whole, which SQLite shows and MG008 does not count);
DL008 makes one finding per copy, and SQLite names whichever constant
key it checks first.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from migrate_lint.cli import cli
from migrate_lint.runners import RUNNERS
from migrate_lint.synth import fill

# -- the grammar --------------------------------------------------------------------

ACTIONS = ("CASCADE", "SET NULL", "SET DEFAULT", "NO ACTION", "RESTRICT")
RUNNER_NAMES = ("generic", "prisma", "sqlx", "goose")


@dataclass(frozen=True, slots=True)
class Col:
    name: str
    type: str = "text"
    notnull: bool = False
    unique: bool = False
    default: str | None = None
    pk: bool = False
    ref: tuple[str, str] | None = None  # (parent, ON DELETE action)

    def ddl(self) -> str:
        out = f"{self.name} {self.type}"
        if self.pk:
            return out + " PRIMARY KEY"
        if self.notnull:
            out += " NOT NULL"
        if self.default is not None:
            out += f" DEFAULT {self.default}"
        if self.unique:
            out += " UNIQUE"
        if self.ref is not None:
            out += f" REFERENCES {self.ref[0]} (id) ON DELETE {self.ref[1]}"
        return out


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    table: str
    column: str
    unique: bool
    partial: bool

    def ddl(self, name: str | None = None) -> str:
        where = f" WHERE {self.column} IS NOT NULL" if self.partial else ""
        return (f"CREATE {'UNIQUE ' if self.unique else ''}INDEX {name or self.name} ON "
                f"{self.table} ({self.column}){where}")


@dataclass(slots=True)
class Model:
    """The schema as the generator believes it is: enough to write plausible SQL."""

    tables: dict[str, list[Col]] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    n: int = 0

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def create(self, table: str) -> str:
        return f"CREATE TABLE {table} ({', '.join(c.ddl() for c in self.tables[table])})"

    def drop(self, table: str) -> None:
        del self.tables[table]
        self.indexes = {k: i for k, i in self.indexes.items() if i.table != table}


@dataclass(frozen=True, slots=True)
class Stmt:
    sql: str
    copy: bool = False  # the copy of a rebuild, into the table created for it
    # a copy: the columns it writes one constant into (itself, or an omitted column's
    # constant DEFAULT)
    constants: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Hist:
    runner: str
    foreign_keys: str | None  # the --foreign-keys flag, None: the runner's default
    migrations: tuple[tuple[Stmt, ...], ...]

    @property
    def fk_on(self) -> bool:
        if self.foreign_keys is None:
            return RUNNERS[self.runner].foreign_keys
        return self.foreign_keys == "on"

    def label(self, k: int) -> str:
        return f"{k + 1:04d}_m{k + 1}"


def _init(draw: st.DrawFn, model: Model) -> list[Stmt]:
    model.tables["p"] = [Col("id", "integer", pk=True),
                         Col("name", notnull=draw(st.booleans())),
                         Col("code", unique=draw(st.booleans()))]
    children = ["c1"] + (["c2"] if draw(st.booleans()) else [])
    for child in children:
        model.tables[child] = [Col("id", "integer", pk=True),
                               Col("p_id", "integer", notnull=draw(st.booleans()),
                                   ref=("p", draw(st.sampled_from(ACTIONS)))),
                               Col("note")]
    if draw(st.booleans()):
        model.tables["g"] = [Col("id", "integer", pk=True),
                             Col("c_id", "integer", ref=("c1", draw(st.sampled_from(ACTIONS)))),
                             Col("note")]
    out = [Stmt(model.create(t)) for t in model.tables]
    for table, cols in list(model.tables.items()):
        for col in cols:
            if col.name in ("name", "code", "note", "p_id") and draw(st.integers(0, 2)) == 0:
                index = Index(model.fresh("ix"), table, col.name, draw(st.booleans()),
                              draw(st.integers(0, 3)) == 0)
                model.indexes[index.name] = index
                out.append(Stmt(index.ddl()))
    return out


def _literal(col: Col) -> str:
    return "0" if col.type == "integer" else "'z'"


def _rebuild(draw: st.DrawFn, model: Model, own_tx_ok: bool) -> list[Stmt]:
    table = draw(st.sampled_from(sorted(model.tables)))
    # sqlite.org's order (new table, copy, drop, rename into place), or the old table
    # renamed away first (SQLite then points its children's keys at the old name)
    away = draw(st.integers(0, 3)) == 0
    new = f"new_{table}"
    cols: list[Col] = []
    values: dict[str, str] = {}
    constants: set[str] = set()
    for col in model.tables[table]:
        if col.unique and draw(st.integers(0, 3)) == 0:
            col = replace(col, unique=False)  # an inline UNIQUE the rebuild forgets
        if not col.pk and draw(st.integers(0, 5)) == 0:
            col = replace(col, notnull=True,
                          default=draw(st.sampled_from([None, col.default, _literal(col)])))
        cols.append(col)
        how = "same" if col.pk else draw(st.sampled_from(
            ["same"] * 6 + ["coalesce", "omit", "null", "const"]))
        if how == "same":
            values[col.name] = col.name
        elif how == "coalesce":
            values[col.name] = f"coalesce({col.name}, {_literal(col)})"
        elif how == "null":
            values[col.name] = "NULL"
        elif how == "const":
            values[col.name] = _literal(col)
            constants.add(col.name)
        elif col.default is not None:
            constants.add(col.name)  # omitted: every row gets the DEFAULT
    if draw(st.booleans()):
        extra = Col(model.fresh("x"), notnull=draw(st.booleans()), unique=draw(st.booleans()),
                    default=draw(st.sampled_from([None, "'d'"])))
        cols.append(extra)
        how = draw(st.sampled_from(["omit", "const", "perrow", "null"]))
        if how == "const":
            values[extra.name] = "'k'"
            constants.add(extra.name)
        elif how == "perrow":
            values[extra.name] = "'v-' || id"
        elif how == "null":
            values[extra.name] = "NULL"
        elif extra.default is not None:
            constants.add(extra.name)
    where = draw(st.sampled_from(["", "", "", " WHERE id > 2", " WHERE id <> 1"]))
    old_indexes = [i for i in model.indexes.values() if i.table == table]
    model.tables[table] = cols
    target, source = (table, f"old_{table}") if away else (new, table)
    create = Stmt(model.create(table).replace(f"TABLE {table} (", f"TABLE {target} (", 1))
    copy = Stmt(f"INSERT INTO {target} ({', '.join(values)}) SELECT "
                f"{', '.join(values.values())} FROM {source}{where}", True, frozenset(constants))
    if away:
        body = [Stmt(f"ALTER TABLE {table} RENAME TO {source}"), create, copy,
                Stmt(f"DROP TABLE {source}")]
    else:
        body = [create, copy, Stmt(f"DROP TABLE {table}"),
                Stmt(f"ALTER TABLE {new} RENAME TO {table}")]
    for index in old_indexes:
        keep = draw(st.sampled_from(["same", "same", "renamed", "lost"]))
        del model.indexes[index.name]
        if keep == "lost":
            continue
        name = index.name if keep == "same" else model.fresh(f"{index.name}_r")
        model.indexes[name] = replace(index, name=name)
        body.append(Stmt(index.ddl(name)))
    pragma = draw(st.sampled_from(["none", "off", "off"]))
    tx = draw(st.sampled_from(["none", "outside", "inside"])) if own_tx_ok else "none"
    if pragma == "off" and draw(st.booleans()):
        body.append(Stmt("PRAGMA foreign_key_check"))
    off, on = [Stmt("PRAGMA foreign_keys=OFF")], [Stmt("PRAGMA foreign_keys=ON")]
    if pragma == "none":
        off = on = []
    if tx == "outside":
        return [*off, Stmt("BEGIN"), *body, Stmt("COMMIT"), *on]
    if tx == "inside":
        return [Stmt("BEGIN"), *off, *body, Stmt("COMMIT"), *on]
    return off + body + on


def _drop(draw: st.DrawFn, model: Model) -> list[Stmt]:
    table = draw(st.sampled_from(sorted(model.tables)))
    model.drop(table)
    if draw(st.booleans()):
        return [Stmt("PRAGMA foreign_keys=OFF"), Stmt(f"DROP TABLE {table}"),
                Stmt("PRAGMA foreign_keys=ON")]
    return [Stmt(f"DROP TABLE {table}")]


def _add_column(draw: st.DrawFn, model: Model) -> list[Stmt]:
    table = draw(st.sampled_from(sorted(model.tables)))
    col = Col(model.fresh("a"), notnull=draw(st.booleans()),
              default=draw(st.sampled_from([None, "'d'"])))
    model.tables[table].append(col)
    return [Stmt(f"ALTER TABLE {table} ADD COLUMN {col.ddl()}")]


def _rerun(draw: st.DrawFn, model: Model) -> list[Stmt]:
    source = draw(st.sampled_from(sorted(model.tables)))
    table = model.fresh("r")
    model.tables[table] = [Col("id", "integer", pk=True), Col("v")]
    guard = draw(st.sampled_from(["", "", "OR IGNORE "]))
    exists = draw(st.sampled_from(["IF NOT EXISTS ", "IF NOT EXISTS ", ""]))
    return [Stmt(f"CREATE TABLE {exists}{table} (id integer PRIMARY KEY, v text)"),
            Stmt(f"INSERT {guard}INTO {table} (id, v) SELECT id, id FROM {source}")]


def _index(draw: st.DrawFn, model: Model) -> list[Stmt]:
    table = draw(st.sampled_from(sorted(model.tables)))
    col = draw(st.sampled_from([c.name for c in model.tables[table] if not c.pk] or ["id"]))
    index = Index(model.fresh("ix"), table, col, draw(st.booleans()), draw(st.booleans()))
    model.indexes[index.name] = index
    exists = "IF NOT EXISTS " if draw(st.booleans()) else ""
    return [Stmt(index.ddl().replace("INDEX ", f"INDEX {exists}", 1))]


def _data(draw: st.DrawFn, model: Model) -> list[Stmt]:
    table = draw(st.sampled_from(sorted(model.tables)))
    col = draw(st.sampled_from([c for c in model.tables[table] if not c.pk]
                               or model.tables[table]))
    return [draw(st.sampled_from([
        Stmt(f"UPDATE {table} SET {col.name} = NULL"),
        Stmt(f"UPDATE {table} SET {col.name} = {_literal(col)}"),
        Stmt(f"DELETE FROM {table} WHERE id = 1"),
        Stmt(f"INSERT INTO {table} (id) VALUES (1)"),
    ]))]


OPS: dict[str, Callable[[st.DrawFn, Model], list[Stmt]]] = {
    "drop": _drop, "add_column": _add_column, "rerun": _rerun, "index": _index,
    "data": _data,
}


@st.composite
def histories(draw: st.DrawFn) -> Hist:
    runner = draw(st.sampled_from(RUNNER_NAMES))
    foreign_keys = draw(st.sampled_from([None, None, "on", "off"]))
    # The file's own BEGIN works only where the runner opens no transaction around it
    # (Prisma), or where an unknown runner takes a BEGIN as the sign that it does not.
    own_tx_ok = RUNNERS[runner].transaction == "none" or RUNNERS[runner].begin_unwraps_file
    model = Model()
    migrations = [tuple(_init(draw, model))]
    unwrapped = RUNNERS[runner].transaction == "none"
    for _ in range(draw(st.integers(1, 3))):
        # a file meant to be re-run starts with its guarded statements (MG008)
        stmts = _rerun(draw, model) if unwrapped and model.tables and draw(
            st.booleans()) else []
        for _ in range(draw(st.integers(1, 3))):
            if not model.tables:
                break
            op = draw(st.sampled_from(["rebuild", "rebuild", "rebuild", *OPS]))
            stmts += (_rebuild(draw, model, own_tx_ok) if op == "rebuild"
                      else OPS[op](draw, model))
        if stmts:
            migrations.append(tuple(stmts))
    return Hist(runner, foreign_keys, tuple(migrations))


def _write(root: Path, hist: Hist) -> None:
    root.mkdir(parents=True)
    for k, stmts in enumerate(hist.migrations):
        # one statement a line: a finding's line is its statement's index + 1
        (root / f"{hist.label(k)}.sql").write_text("".join(s.sql + ";\n" for s in stmts))


def _check(root: Path, hist: Hist) -> list[dict[str, object]]:
    args = ["check", str(root), "--format", "json", "--runner", hist.runner]
    if hist.foreign_keys is not None:
        args += ["--foreign-keys", hist.foreign_keys]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


# -- the oracle: plain sqlite3, driven as the runner drives it -----------------------


def _wrapped(hist: Hist, stmts: tuple[Stmt, ...]) -> bool:
    """Whether the runner runs this file inside a transaction of its own (runners.py)."""
    runner = RUNNERS[hist.runner]
    if runner.transaction == "none":
        return False
    own_begin = any(s.sql.upper().startswith("BEGIN") for s in stmts)
    return not (runner.begin_unwraps_file and own_begin)


Key = tuple[str, tuple[str, ...], bool, bool]  # (name, columns, unique, partial)
Orphan = tuple[str, int | None, str]  # (child table, rowid, parent table)


@dataclass(frozen=True, slots=True)
class Step:
    """The database after one statement ran, and the connection before it ran."""

    rows: dict[str, int]
    keyed: dict[str, int]
    orphans: tuple[Orphan, ...]  # every row PRAGMA foreign_key_check reports
    dangling: int  # of which: rows whose foreign key names a table that does not exist
    # the others, by identity: their parent table is there, their parent row is not
    stranded: frozenset[Orphan]
    keys: dict[str, list[Key]]
    fk_on_before: bool
    in_tx_before: bool


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def _rows(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in _tables(conn)}


def _keyed(conn: sqlite3.Connection) -> dict[str, int]:
    """Per child table: rows whose foreign key columns are all set."""
    out = {}
    for t in _tables(conn):
        cols = {r[0] for r in conn.execute('SELECT "from" FROM pragma_foreign_key_list(?)', (t,))}
        if cols:
            where = " AND ".join(f'"{c}" IS NOT NULL' for c in sorted(cols))
            out[t] = conn.execute(f'SELECT count(*) FROM "{t}" WHERE {where}').fetchone()[0]
    return out


def _orphans(conn: sqlite3.Connection) -> tuple[Orphan, ...]:
    try:
        return tuple((t.lower(), rowid, parent.lower()) for t, rowid, parent, _fk
                     in conn.execute("PRAGMA foreign_key_check"))
    except sqlite3.Error:
        return ()  # a child of a dropped parent: SQLite cannot check it at all


def _dangling(conn: sqlite3.Connection) -> int:
    tables = {t.lower() for t in _tables(conn)}
    try:
        return sum(1 for _t, _rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check")
                   if parent.lower() not in tables)
    except sqlite3.Error:
        return 0


def _stranded(conn: sqlite3.Connection) -> frozenset[Orphan]:
    """The rows ``PRAGMA foreign_key_check`` reports whose parent table exists."""
    tables = {t.lower() for t in _tables(conn)}
    try:
        return frozenset((t.lower(), rowid, parent.lower()) for t, rowid, parent, _fk
                         in conn.execute("PRAGMA foreign_key_check")
                         if parent.lower() in tables)
    except sqlite3.Error:
        return frozenset()


def _keys(conn: sqlite3.Connection) -> dict[str, list[Key]]:
    """Per table: every index SQLite lists, and the primary key."""
    out: dict[str, list[Key]] = {}
    for t in _tables(conn):
        keys: list[Key] = []
        for name, unique, partial in conn.execute(
                'SELECT name, "unique", partial FROM pragma_index_list(?)', (t,)):
            cols = tuple(r[0] for r in conn.execute(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (name,)))
            keys.append((name, cols, bool(unique), bool(partial)))
        pk = tuple(r[0] for r in conn.execute(
            "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (t,)))
        if pk:
            keys.append(("<primary key>", pk, True, False))
        out[t] = keys
    return out


Error = tuple[int, str]  # (statement index, or len(statements) for the closing COMMIT; message)


def _run(conn: sqlite3.Connection, stmts: tuple[Stmt, ...] | list[Stmt], wrapped: bool,
         log: list[Step] | None = None) -> Error | None:
    """One migration as the runner runs it: BEGIN/COMMIT around it when it wraps files,
    each statement in order, ROLLBACK and stop at the first error."""
    if wrapped:
        conn.execute("BEGIN")
    for i, stmt in enumerate(stmts):
        fk_on = bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
        in_tx = conn.in_transaction
        try:
            conn.execute(stmt.sql).fetchall()
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return i, str(exc)
        if log is not None:
            log.append(Step(_rows(conn), _keyed(conn), _orphans(conn), _dangling(conn),
                            _stranded(conn), _keys(conn), fk_on, in_tx))
    if wrapped:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            return len(stmts), str(exc)
    elif conn.in_transaction:
        conn.execute("ROLLBACK")
        return len(stmts), "transaction left open"
    return None


def _copy(conn: sqlite3.Connection, fk_on: bool) -> sqlite3.Connection:
    other = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(other)
    other.execute(f"PRAGMA foreign_keys={'ON' if fk_on else 'OFF'}")
    return other


@dataclass(slots=True)
class Seen:
    """What one migration did to its database full of synthetic rows."""

    stmts: tuple[Stmt, ...]
    wrapped: bool
    error: Error | None
    rows_before: dict[str, int]
    keyed_before: dict[str, int]
    orphans_before: tuple[Orphan, ...]
    dangling_before: int
    stranded_before: frozenset[Orphan]
    keys_before: dict[str, list[Key]]
    steps: list[Step]
    keys_after: dict[str, list[Key]]
    off_error: Error | None  # the same run with foreign keys off on the connection
    off_rows: dict[str, int]
    # statement -> (the first try got past it, the error of the whole re-run after it)
    reruns: dict[int, tuple[bool, Error | None]]
    # statements that pass when run a second time right after the first (an INSERT: one
    # that wrote rows the first time)
    twice: frozenset[int]

    @property
    def rows_after(self) -> dict[str, int]:
        return self.steps[-1].rows if self.steps else self.rows_before

    @property
    def keyed_after(self) -> dict[str, int]:
        return self.steps[-1].keyed if self.steps else self.keyed_before

    @property
    def orphans_after(self) -> tuple[Orphan, ...]:
        return self.steps[-1].orphans if self.steps else self.orphans_before

    @property
    def new_orphans(self) -> int:
        """Rows foreign_key_check reports after the migration and not before, row by row
        (a row whose key named a dropped table and now names a table without its parent
        row is reported twice, for two parents)."""
        return sum((Counter(self.orphans_after) - Counter(self.orphans_before)).values())

    def rows_at(self, i: int) -> dict[str, int]:
        """Rows per table before statement ``i`` ran."""
        return self.steps[i - 1].rows if i > 0 else self.rows_before

    def keyed_at(self, i: int) -> dict[str, int]:
        return self.steps[i - 1].keyed if i > 0 else self.keyed_before

    def keys_at(self, i: int) -> dict[str, list[Key]]:
        return self.steps[i - 1].keys if i > 0 else self.keys_before

    def stranded_at(self, i: int) -> frozenset[Orphan]:
        return self.steps[i - 1].stranded if i > 0 else self.stranded_before


def observe(hist: Hist) -> list[Seen | None]:
    """Per migration, what SQLite did to it on synthetic rows; None where the history
    cannot reach it (an earlier migration fails on the empty database)."""
    fk_on = hist.fk_on
    base = sqlite3.connect(":memory:", isolation_level=None)
    base.execute(f"PRAGMA foreign_keys={'ON' if fk_on else 'OFF'}")
    out: list[Seen | None] = []
    reached = True
    for stmts in hist.migrations:
        if not reached:
            out.append(None)
            continue
        wrapped = _wrapped(hist, stmts)
        with closing(_copy(base, fk_on)) as filled:
            fill(filled)
            with closing(_copy(filled, fk_on)) as run:
                before = (_rows(run), _keyed(run), _orphans(run), _dangling(run),
                          _stranded(run), _keys(run))
                steps: list[Step] = []
                error = _run(run, stmts, wrapped, steps)
                keys_after = _keys(run)
            with closing(_copy(filled, False)) as off:
                off_error = _run(off, stmts, wrapped)
                off_rows = _rows(off)
            reruns, twice = _reruns(filled, fk_on, stmts) if not wrapped and not any(
                s.sql.startswith("BEGIN") for s in stmts) else ({}, frozenset())
        out.append(Seen(stmts, wrapped, error, *before, steps, keys_after, off_error,
                        off_rows, reruns, twice))
        reached = _run(base, stmts, wrapped) is None
    base.close()
    return out


def _reruns(filled: sqlite3.Connection, fk_on: bool, stmts: tuple[Stmt, ...]
            ) -> tuple[dict[int, tuple[bool, Error | None]], frozenset[int]]:
    """For a file that runs without a transaction: per INSERT, whether a first try gets
    past it and how the whole file's re-run after that ends; and which statements pass
    when run again right after they ran."""
    reruns: dict[int, tuple[bool, Error | None]] = {}
    twice = set()
    for i, stmt in enumerate(stmts):
        with closing(_copy(filled, fk_on)) as again:
            first = _run(again, list(stmts[:i]), wrapped=False)
            changes = again.total_changes
            # an INSERT that wrote no row (its source is empty here) shows nothing
            if first is None and _run(again, [stmt], wrapped=False) is None and (
                    not stmt.sql.startswith("INSERT") or again.total_changes > changes) \
                    and _run(again, [stmt], wrapped=False) is None:
                twice.add(i)
        if stmt.sql.startswith("INSERT"):
            with closing(_copy(filled, fk_on)) as again:
                first = _run(again, list(stmts[: i + 1]), wrapped=False)
                reruns[i] = (first is None,
                             _run(again, stmts, wrapped=False) if first is None else None)
    return reruns, frozenset(twice)


# -- the judge of the judge -----------------------------------------------------------

# Rules whose every finding carries a claim: left without a verdict, the sandbox could
# not judge it (the migration failed, or was not reached).
ALWAYS_CLAIMS = frozenset({"RB002", "RB008", "MG008", "DL008", "NN003"})
CONFIRMED = re.compile(r" \[(SQLite confirms[^\]]*)\]$")
UNCONFIRMED = re.compile(r" \[could not confirm: ([^\]]*)\]$")
NOT_RUN = re.compile(r" \[not run: ([^\]]*)\]$")


def _statement(f: dict[str, object]) -> int:
    line = f["line"]
    assert isinstance(line, int)
    return line - 1


class Judge:
    """Compares findings with what the oracle saw; collects every disagreement."""

    def __init__(self, hist: Hist, seen: list[Seen | None],
                 findings: list[dict[str, object]]) -> None:
        self.hist, self.seen, self.findings = hist, seen, findings
        self.problems: list[str] = []

    def fail(self, f: dict[str, object] | None, why: str) -> None:
        where = f"{f['code']} {f['migration']}:{f['line']}: {f['message']}\n  " if f else ""
        self.problems.append(where + why)

    def of(self, f: dict[str, object]) -> Seen | None:
        label = f.get("migration")
        for k in range(len(self.hist.migrations)):
            if self.hist.label(k) == label:
                return self.seen[k]
        return None

    def in_migration(self, k: int, code: str, since: int | None = None
                     ) -> list[dict[str, object]]:
        """The findings of ``code`` in migration ``k`` (or in any from ``since`` to ``k``)."""
        labels = {self.hist.label(i) for i in range(k if since is None else since, k + 1)}
        return [f for f in self.findings if f["code"] == code and f.get("migration") in labels]

    # -- what findings say SQLite did ------------------------------------------------

    def claims(self) -> None:
        for f in self.findings:
            message = str(f["message"])
            seen = self.of(f)
            confirmed = CONFIRMED.search(message)
            unconfirmed = UNCONFIRMED.search(message)
            if confirmed:
                if seen is None:
                    self.fail(f, "confirmed in a migration the history never reaches")
                    continue
                self.confirmed(f, confirmed.group(1), seen)
            elif unconfirmed:
                if seen is None:
                    self.fail(f, "judged in a migration the history never reaches")
                    continue
                self.unconfirmed(f, unconfirmed.group(1), seen)
            elif (not_run := NOT_RUN.search(message)) is not None:
                if seen is not None:
                    self.fail(f, "said not run in a migration SQLite reaches")
                    continue
                self.unreached(f, not_run.group(1))
            elif f["code"] in ALWAYS_CLAIMS and seen is not None and self._judgeable(f, seen):
                self.fail(f, f"left unjudged, but SQLite could judge it: {seen.error}")
            if f["code"] == "NN001" and seen is not None:
                self.add_not_null(f, seen)

    def unreached(self, f: dict[str, object], effect: str) -> None:
        """A claim past the migration where the history stops says where, and why."""
        said = re.fullmatch(r"SQLite stops at the earlier migration (\S+), which fails with "
                            r"'(.*)'", effect)
        reached = [k for k in range(len(self.hist.migrations)) if self.seen[k] is not None]
        last = self.seen[reached[-1]] if reached else None
        # (the message is SQLite's on the history's own rows; the oracle's, on synthetic)
        if said is None or last is None or said.group(1) != self.hist.label(reached[-1]):
            self.fail(f, "judged in a migration the history never reaches: SQLite stops at "
                      f"{self.hist.label(reached[-1]) if reached else None}, "
                      f"{last.error if last is not None else None}")

    def add_not_null(self, f: dict[str, object], seen: Seen) -> None:
        """NN001 is static: where the table has rows and the statement runs, it fails so."""
        said = re.search(r"fails with '([^']*)' on every database where `(\w+)` has rows",
                         str(f["message"]))
        at = _statement(f)
        if said is None:
            self.fail(f, "no failure in the message")
        elif (seen.error is None or seen.error[0] >= at) and \
                seen.rows_at(at).get(said.group(2), 0) > 0 and \
                seen.error != (at, said.group(1)):
            self.fail(f, f"SQLite: {seen.error} with {seen.rows_at(at)}")

    @staticmethod
    def _judgeable(f: dict[str, object], seen: Seen) -> bool:
        """Whether SQLite's run shows whether the claim holds: the statement is reached
        and nothing else fails first (at the statement itself: on another constraint)."""
        at = _statement(f)
        if f["code"] == "MG008":
            first = seen.reruns.get(at)
            return first is not None and first[0] and (first[1] is None or first[1][0] >= at)
        if f["code"] in ("NN003", "DL008"):
            return seen.error is None or seen.error[0] > at
        return seen.error is None

    def confirmed(self, f: dict[str, object], effect: str, seen: Seen) -> None:
        code, at = f["code"], _statement(f)
        quoted = re.search(r"'(.*)'$", effect)
        if code in ("NN003", "DL008"):
            claimed = re.search(r"it fails with '([^']*)'", str(f["message"]))
            # a copy of several nullable columns names them all, SQLite the first NULL
            said = re.escape(claimed.group(1)).replace(re.escape("<column>"), r"\w+") \
                if claimed is not None else ""
            if seen.error is None or seen.error[0] != at or quoted is None \
                    or claimed is None or seen.error[1] != quoted.group(1) \
                    or not re.fullmatch(said, seen.error[1]):
                self.fail(f, f"SQLite: {seen.error}")
        elif code == "MG008":
            rerun = seen.reruns.get(at)
            if rerun is None or not rerun[0] or rerun[1] is None or rerun[1][0] != at \
                    or quoted is None or rerun[1][1] != quoted.group(1):
                self.fail(f, f"SQLite's re-run: {rerun}")
        elif code == "RB002":
            self._cascade_confirmed(f, effect, seen, at)
        elif code == "RB008":
            count = re.search(r"reports (\d+) rows? without a parent", effect)
            new = seen.new_orphans
            if seen.error is not None or count is None or int(count.group(1)) != new:
                self.fail(f, f"SQLite: error {seen.error}, {new} new orphans")
        elif code == "RB001":
            self._pragma_confirmed(f, effect, seen)
        elif code == "RB003":
            self._index_confirmed(f, effect, seen)
        else:
            self.fail(f, "a confirmation from a rule this test does not know")

    def _cascade_confirmed(self, f: dict[str, object], effect: str, seen: Seen,
                           at: int) -> None:
        if "FOREIGN KEY constraint failed" in effect:
            if seen.error is None or "FOREIGN KEY constraint failed" not in seen.error[1] \
                    or seen.error[0] not in (at, len(seen.stmts)):
                self.fail(f, f"SQLite: {seen.error}")
            return
        if seen.error is not None:
            self.fail(f, f"SQLite: {seen.error}")
            return
        parts = re.findall(r"(\d+) of (\d+) rows of `(\w+)` deleted", effect)
        keys = re.findall(r"the keys of (\d+) of (\d+) rows of `(\w+)` nulled", effect)
        if not parts and not keys:
            self.fail(f, "no effect in the confirmation")
        # N of the M rows the child held when this DROP ran went with it, for good
        for counts, read, first, last, what in (
                (parts, seen.rows_at, seen.rows_before, seen.rows_after, "rows"),
                (keys, seen.keyed_at, seen.keyed_before, seen.keyed_after, "keyed rows")):
            for n, total, child in counts:
                at_drop = (read(at).get(child), read(at + 1).get(child))
                net = (first.get(child, 0), last.get(child, 0))
                if at_drop != (int(total), int(total) - int(n)) or child not in last or \
                        net[1] >= net[0]:
                    self.fail(f, f"SQLite: `{child}` {at_drop[0]} -> {at_drop[1]} {what} at "
                              f"the DROP, {net[0]} -> {net[1]} over the migration")

    def _pragma_confirmed(self, f: dict[str, object], effect: str, seen: Seen) -> None:
        outcome = re.search(r"the migration (passes|fails with '.*'), with them off it "
                            r"(passes|fails with '.*')$", effect)
        rows = re.search(r"`(\w+)` ends with (\d+) rows, with them off (\d+)$", effect)

        def said(error: Error | None) -> str:
            return "passes" if error is None else f"fails with '{error[1]}'"

        if outcome is not None:
            if (outcome.group(1), outcome.group(2)) != (said(seen.error), said(seen.off_error)):
                self.fail(f, f"SQLite: on {seen.error}, off {seen.off_error}")
        elif rows is not None:
            t, on, off = rows.group(1), int(rows.group(2)), int(rows.group(3))
            if seen.error is not None or seen.off_error is not None or \
                    (seen.rows_after.get(t, 0), seen.off_rows.get(t, 0)) != (on, off):
                self.fail(f, f"SQLite: on {seen.rows_after}, off {seen.off_rows}")
        else:
            self.fail(f, "no effect in the confirmation")

    def _index_confirmed(self, f: dict[str, object], effect: str, seen: Seen) -> None:
        claim = re.search(r"`(\w+)` has no (unique )?key on \(([^)]*)\) \(index `(\w+)`\)",
                          effect)
        if claim is None:
            self.fail(f, "no index in the confirmation")
            return
        table, unique, cols, name = (claim.group(1), bool(claim.group(2)),
                                     tuple(claim.group(3).split(", ")), claim.group(4))
        # the old table had it when the rebuild dropped it (renamed away, under its old
        # name: index names are unique in a schema)
        had = [k for keys in seen.keys_at(_statement(f)).values() for k in keys
               if k[0] == name]
        if seen.error is not None or not had or (had[0][1], had[0][2]) != (cols, unique):
            self.fail(f, f"SQLite: error {seen.error}, before {seen.keys_before.get(table)}")
        if self._has_key(seen.keys_after.get(table, []), cols, unique):
            self.fail(f, f"SQLite: after {seen.keys_after.get(table)}")

    @staticmethod
    def _has_key(keys: list[Key], cols: tuple[str, ...], unique: bool) -> bool:
        """A non-partial key that serves ``cols``: the same columns at least as unique,
        or, for a plain index, any index whose leading columns they are."""
        return any(not partial and (k == cols or (not unique and k[: len(cols)] == cols))
                   and (u or not unique) for _, k, u, partial in keys)

    def unconfirmed(self, f: dict[str, object], why: str, seen: Seen) -> None:
        at = _statement(f)
        if why == "no failure on synthetic rows":
            if seen.error is not None:
                self.fail(f, f"SQLite: {seen.error}")
        elif why == "the statement passes on synthetic rows":
            if seen.error is None or seen.error[0] <= at:
                self.fail(f, f"SQLite: {seen.error}")
        elif why == "the re-run passes that statement on synthetic rows":
            rerun = seen.reruns.get(at)
            if rerun is None or not rerun[0] or (rerun[1] is not None and rerun[1][0] <= at):
                self.fail(f, f"SQLite's re-run: {rerun}")
        elif why == "the migration ends the same with foreign keys on or off":
            if (seen.error is None) != (seen.off_error is None) or (
                    seen.error is None and seen.rows_after != seen.off_rows):
                self.fail(f, f"SQLite: on {seen.error} {seen.rows_after}, "
                          f"off {seen.off_error} {seen.off_rows}")
        elif why == "every key still has its parent on synthetic rows":
            if seen.error is not None or seen.new_orphans:
                self.fail(f, f"SQLite: {seen.orphans_before} -> {seen.orphans_after}")
        elif why in ("no child row changed on synthetic rows",
                     "an equivalent index exists after the migration"):
            pass  # RB002 and RB003 drop these: never shown
        else:
            self.fail(f, "a reason this test does not know")

    # -- what SQLite did that a rule exists to report ---------------------------------

    def effects(self) -> None:
        for k, seen in enumerate(self.seen):
            if seen is None:
                continue
            self.cascades(k, seen)
            self.failed_copy(k, seen)
            self.lost_indexes(k, seen)
            self.orphans(k, seen)
            self.ignored_pragma(k, seen)
            self.reruns(k, seen)

    def expect(self, k: int, code: str, at: int | None, why: str, *needles: str,
               since: int | None = None) -> None:
        """A finding of ``code`` in migration ``k`` (at statement ``at``; or in any
        migration from ``since`` on) whose message holds every one of ``needles``."""
        found = [f for f in self.in_migration(k, code, since)
                 if (at is None or _statement(f) == at)
                 and all(n in str(f["message"]) for n in needles)]
        if not found:
            self.fail(None, f"{self.hist.label(k)}: no {code} finding"
                      f"{'' if at is None else f' at line {at + 1}'}, but SQLite {why}")

    def cascades(self, k: int, seen: Seen) -> None:
        """A DROP TABLE that deleted or unkeyed rows of another table, for good."""
        if seen.error is not None:
            return
        for i, stmt in enumerate(seen.stmts):
            if not stmt.sql.startswith("DROP TABLE"):
                continue
            dropped = stmt.sql.split()[-1]
            before, after = seen.rows_at(i), seen.rows_at(i + 1)
            kb, ka = seen.keyed_at(i), seen.keyed_at(i + 1)
            for t in after:
                if t == dropped or t not in seen.rows_after:
                    continue  # a child dropped later in the migration loses nothing of use
                lost = after[t] < before.get(t, 0) and \
                    seen.rows_after[t] < seen.rows_before.get(t, 0)
                unkeyed = ka.get(t, 0) < kb.get(t, 0) and \
                    seen.keyed_after.get(t, 0) < seen.keyed_before.get(t, 0)
                if lost or unkeyed:
                    self.expect(k, "RB002", i, f"changed rows of `{t}` at this DROP "
                                f"({before.get(t)} -> {after[t]} rows, {kb.get(t)} -> "
                                f"{ka.get(t)} keyed)",
                                "SQLite confirms")

    def failed_copy(self, k: int, seen: Seen) -> None:
        if seen.error is None or seen.error[0] >= len(seen.stmts):
            return
        at, message = seen.error
        stmt = seen.stmts[at]
        if not stmt.copy:
            return
        failed = re.match(r"(NOT NULL|UNIQUE) constraint failed: \w+\.(\w+)", message)
        if failed is None:
            return
        column = failed.group(2)
        if failed.group(1) == "NOT NULL":
            self.expect(k, "NN003", at, f"failed here with '{message}'",
                        f"`{column}`", message)
        elif column in stmt.constants:
            # one finding per copy, about one of its constant keys: SQLite names the
            # first it checks
            self.expect(k, "DL008", at, f"failed here with '{message}' (a constant)")

    def lost_indexes(self, k: int, seen: Seen) -> None:
        """A table dropped and renamed into place whose old plain index serves no key after."""
        if seen.error is not None:
            return
        renames = [s.sql.split() for s in seen.stmts if " RENAME TO " in s.sql]
        rebuilt = {w[-1] for w in renames if w[2].startswith("new_")} | {
            w[2] for w in renames if w[-1].startswith("old_")}
        for table in rebuilt:
            for name, cols, unique, partial in seen.keys_before.get(table, []):
                if partial or name.startswith("<") or table not in seen.keys_after:
                    continue
                if not self._has_key(seen.keys_after[table], cols, unique):
                    # a named index, or an inline UNIQUE (SQLite's automatic index)
                    needle = (f"UNIQUE ({', '.join(cols)})" if name.startswith("sqlite_")
                              else f"`{name}`")
                    self.expect(k, "RB003", None, f"shows `{table}` without a key on {cols} "
                                f"({needle}) afterwards",
                                needle)

    def orphans(self, k: int, seen: Seen) -> None:
        """An effective foreign_keys=OFF, a rebuild's DROP or RENAME under it that leaves
        rows without their parent row, no check after.

        Only rows that were not orphans at any point since the pragma count: orphans a
        statement before it left (a rebuild run while the connection had keys off by
        default) are still there after a later rebuild that keeps every key, but that
        rebuild did not make them, and RB008 speaks for the rebuild under its pragma.
        And only rows still orphans when the migration ends: a child table dropped
        later in the migration leaves nothing to check (as for RB002), and a row whose
        table, or whose key's parent, was renamed is the same row, not a new orphan.

        Rows whose key names a table that no longer exists at the end (a rebuild that
        renamed the old table away first: SQLite moved the children's keys to it; a
        dropped parent) are FK001's to report, as errors; RB008 is about rows whose
        parent table is there without their parent row."""
        if seen.error is not None or not seen.steps:
            return
        if seen.steps[-1].dangling > seen.dangling_before and \
                any(s.sql.startswith("DROP TABLE") for s in seen.stmts):
            # reported where the key first pointed at nothing; a rebuild keeps it so
            self.expect(k, "FK001", None, "shows keys naming a dropped table afterwards",
                        since=0)
        off_at = None
        for i, stmt in enumerate(seen.stmts):
            step = seen.steps[i]
            if stmt.sql == "PRAGMA foreign_keys=OFF" and not step.in_tx_before:
                off_at = i
            elif stmt.sql == "PRAGMA foreign_keys=ON" and not step.in_tx_before:
                off_at = None
            elif stmt.sql.startswith(("DROP TABLE", "ALTER TABLE")) and off_at is not None:
                # by identity, not by count: while a rebuilt parent is dropped its
                # children's rows name a missing table (dangling, not stranded), and
                # the rename brings back the orphans that were there before it; and
                # only rows still orphans at the end (not renamed away with their
                # table or their parent, not dropped with their table)
                had = frozenset().union(*(seen.stranded_at(j) for j in range(off_at, i + 1)))
                found = (step.stranded - had) & seen.steps[-1].stranded
                if found and not any(
                        s.sql == "PRAGMA foreign_key_check" for s in seen.stmts[i:]):
                    self.expect(k, "RB008", off_at, f"reports {len(found)} new orphans "
                                f"after line {i + 1}, unchecked ({sorted(found)})",
                                "SQLite confirms")

    def ignored_pragma(self, k: int, seen: Seen) -> None:
        ignored = [i for i, s in enumerate(seen.stmts) if s.sql == "PRAGMA foreign_keys=OFF"
                   and i < len(seen.steps) and (seen.steps[i].in_tx_before or seen.wrapped)
                   and seen.steps[i].fk_on_before]
        if not ignored:
            return
        differs = (seen.error is None) != (seen.off_error is None) or (
            seen.error is None and seen.rows_after != seen.off_rows)
        if differs:
            self.expect(k, "RB001", None, f"ends otherwise with foreign keys off (on: "
                        f"{seen.error} {seen.rows_after}; off: {seen.off_error} "
                        f"{seen.off_rows})", "SQLite confirms")

    def reruns(self, k: int, seen: Seen) -> None:
        """MG008's contract: a file whose statements before the INSERT can each run twice
        (written to be re-run), a re-run that fails at the INSERT, a statement after it.
        A table rebuild before it is re-run as a whole without harm, as SQLite shows, but
        each of its statements fails twice in a row: MG008 does not count it as written
        to be re-run, and is not asked to here."""
        if seen.wrapped:
            return
        real = [i for i, s in enumerate(seen.stmts) if not s.sql.startswith("PRAGMA")]
        for i, (reached, error) in seen.reruns.items():
            if not all(j in seen.twice for j in range(i)):
                return
            if reached and error is not None and error[0] == i and "UNIQUE" in error[1] \
                    and real and real[-1] > i:
                self.expect(k, "MG008", i, f"fails the re-run there with '{error[1]}'",
                            "SQLite confirms")
                return  # the rule reports the first statement a re-run cannot pass


def _judge(tmp: Path, hist: Hist, tamper: Callable[[str], str] = lambda m: m
           ) -> tuple[list[str], list[dict[str, object]]]:
    """The disagreements between the findings of ``hist`` and the oracle, and the
    findings (``tamper`` rewrites their messages first: the judge must notice)."""
    root = tmp / "m"
    _write(root, hist)
    findings = [{**f, "message": tamper(str(f["message"]))} for f in _check(root, hist)]
    judge = Judge(hist, observe(hist), findings)
    judge.claims()
    judge.effects()
    return judge.problems, findings


def _show(hist: Hist) -> str:
    flags = f"--runner {hist.runner}" + (
        f" --foreign-keys {hist.foreign_keys}" if hist.foreign_keys else "")
    return flags + "\n" + "\n".join(
        f"-- {hist.label(k)}\n" + "".join(s.sql + ";\n" for s in stmts)
        for k, stmts in enumerate(hist.migrations))


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(hist=histories())
def test_every_confirmed_effect_is_what_sqlite_does(
        tmp_path_factory: pytest.TempPathFactory, hist: Hist) -> None:
    note(_show(hist))
    problems, _ = _judge(tmp_path_factory.mktemp("prop"), hist)
    assert not problems, "\n".join(problems)


def _hist(runner: str, *migrations: str) -> Hist:
    return Hist(runner, None, tuple(
        tuple(Stmt(line, copy=line.startswith("INSERT INTO new_")) for line in m.splitlines())
        for m in migrations))


INIT = ("CREATE TABLE p (id integer PRIMARY KEY, name text, code text)\n"
        "CREATE TABLE c1 (id integer PRIMARY KEY, p_id integer REFERENCES p (id) "
        "ON DELETE CASCADE, note text)\n"
        "CREATE INDEX ix1 ON p (name)")
REBUILD = ("CREATE TABLE new_p (id integer PRIMARY KEY, name text, code text)\n"
           "INSERT INTO new_p (id, name, code) SELECT id, name, code FROM p{where}\n"
           "DROP TABLE p\nALTER TABLE new_p RENAME TO p")
# One history per kind of claim, each confirmed: the oracle sees every effect the
# property test asks about, and agrees with the linter on it.
KINDS = {
    # the runner's transaction ignores the pragma: the DROP cascades, the index is lost
    ("RB001", "RB002", "RB003"): _hist(
        "sqlx", INIT, "PRAGMA foreign_keys=OFF\n" + REBUILD.format(where="") +
        "\nPRAGMA foreign_keys=ON"),
    # Prisma runs the pragma: rows left out of the copy leave their children behind
    ("RB008",): _hist(
        "prisma", INIT, "PRAGMA foreign_keys=OFF\n" + REBUILD.format(where=" WHERE id > 2") +
        "\nCREATE INDEX ix1 ON p (name)\nPRAGMA foreign_keys=ON"),
    ("NN003", "DL008"): _hist(
        "goose", INIT,
        "CREATE TABLE new_c1 (id integer PRIMARY KEY, p_id integer, note text NOT NULL)\n"
        "INSERT INTO new_c1 (id, p_id, note) SELECT id, p_id, note FROM c1",
        "CREATE TABLE new_p (id integer PRIMARY KEY, name text, code text UNIQUE)\n"
        "INSERT INTO new_p (id, name, code) SELECT id, name, 'k' FROM p"),
    ("MG008",): _hist(
        "prisma", INIT, "CREATE TABLE IF NOT EXISTS r (id integer PRIMARY KEY, v text)\n"
        "INSERT INTO r (id, v) SELECT id, name FROM p\n"
        "CREATE UNIQUE INDEX IF NOT EXISTS r_v ON r (v)"),
}


@pytest.mark.parametrize("codes", list(KINDS), ids=["-".join(c) for c in KINDS])
def test_each_kind_of_claim_is_confirmed_as_sqlite_shows(
        tmp_path: Path, codes: tuple[str, ...]) -> None:
    problems, findings = _judge(tmp_path, KINDS[codes])
    assert not problems, "\n".join(problems)
    confirmed = {str(f["code"]) for f in findings if "[SQLite confirms" in str(f["message"])}
    assert set(codes) <= confirmed, findings


C1 = "TABLE c1 (id integer PRIMARY KEY, p_id integer REFERENCES p (id) ON DELETE CASCADE, note text)"
P = "TABLE p (id integer PRIMARY KEY, name text, code text)"
LOSSY = REBUILD.format(where=" WHERE id > 2") + "\nCREATE INDEX ix1 ON p (name)"
OFF, ON = "PRAGMA foreign_keys=OFF\n", "\nPRAGMA foreign_keys=ON"
# Histories run with foreign keys off on the connection (Prisma runs the pragma):
# whether the rebuild under `PRAGMA foreign_keys=OFF` leaves rows without their parent
# at the end of the migration, as SQLite shows.
ORPHANS = {
    # a first rebuild (no pragma) leaves a row of `c1` without its parent; a second one,
    # under the pragma, copies every row: while its DROP runs, the rows of `c1` name a
    # missing table, and its rename brings the old orphan back; nothing new
    "earlier-orphan": (LOSSY + "\n" + OFF + REBUILD.format(where="") +
                       "\nCREATE INDEX ix1 ON p (name)" + ON, False),
    # the second rebuild leaves out another parent row: a new orphan
    "new-orphan": (LOSSY + "\n" + OFF + REBUILD.format(where=" WHERE id > 3") +
                   "\nCREATE INDEX ix1 ON p (name)" + ON, True),
    # the child goes later in the migration: nothing is left to check
    "child-dropped": (OFF + LOSSY + ON + "\nDROP TABLE c1", False),
    # orphans made before the pragma, renamed away with their table and back
    "child-renamed": ("UPDATE c1 SET p_id = 0\n" + OFF + "ALTER TABLE c1 RENAME TO old_c1\n"
                      f"CREATE {C1}\nINSERT INTO c1 (id, p_id, note) SELECT id, p_id, note "
                      "FROM old_c1\nDROP TABLE old_c1" + ON, False),
    # ... or with their parent: SQLite moves the key to `old_p`, then it names a dropped
    # table (FK001's)
    "parent-renamed": ("UPDATE c1 SET p_id = 0\n" + OFF + "ALTER TABLE p RENAME TO old_p\n"
                       f"CREATE {P}\nINSERT INTO p (id, name, code) SELECT id, name, code "
                       "FROM old_p\nDROP TABLE old_p\nCREATE INDEX ix1 ON p (name)" + ON,
                       False),
}


@pytest.mark.parametrize("case", list(ORPHANS))
def test_orphans_are_rb008s_when_its_rebuild_leaves_them(tmp_path: Path, case: str) -> None:
    """Orphans count by row, not by number, and at the end of the migration: the
    oracle asks for RB008 exactly where its rebuild leaves new ones, and the rule
    agrees."""
    migration, orphans = ORPHANS[case]
    hist = replace(_hist("prisma", INIT, migration), foreign_keys="off")
    problems, findings = _judge(tmp_path, hist)
    assert not problems, "\n".join(problems)
    assert any(f["code"] == "RB008" for f in findings) is orphans, findings
    judge = Judge(hist, observe(hist), [f for f in findings if f["code"] != "RB008"])
    judge.effects()
    assert any("no RB008 finding" in p for p in judge.problems) is orphans, judge.problems


@pytest.mark.parametrize(("codes", "wrong"), [
    (("RB001", "RB002", "RB003"), lambda m: re.sub(r"(\d+) of (\d+) rows", r"1 of \2 rows", m)),
    (("RB001", "RB002", "RB003"), lambda m: m.replace("no key on (name)", "no key on (code)")),
    (("RB008",), lambda m: re.sub(r"reports \d+ rows?", "reports 9 rows", m)),
    (("NN003", "DL008"), lambda m: m.replace("confirms on synthetic rows: 'NOT NULL",
                                              "confirms on synthetic rows: 'UNIQUE")),
    (("MG008",), lambda m: m.replace("re-run fails there with 'UNIQUE",
                                     "re-run fails there with 'NOT NULL")),
    (("RB001", "RB002", "RB003"), lambda m: m.replace(" [SQLite confirms", " [no")),
], ids=["cascade-count", "index", "orphans", "copy-error", "rerun-error", "left-unjudged"])
def test_the_judge_notices_a_claim_sqlite_does_not_bear_out(
        tmp_path: Path, codes: tuple[str, ...], wrong: Callable[[str], str]) -> None:
    """The property test can fail: a confirmation that says anything else than what
    SQLite did, or a claim left unjudged where SQLite can judge it, is a problem."""
    problems, _ = _judge(tmp_path, KINDS[codes], wrong)
    assert problems
