"""CREATE TABLE / ADD COLUMN / CREATE INDEX from SQLite's grammar: the reader and the
model must agree with SQLite on every statement, valid or not.

Statements are generated from the column-def and table-constraint syntax of
https://www.sqlite.org/lang_createtable.html (names bare and quoted, multi-word types
with sizes, every column constraint in any order and repeated, table constraints with
and without commas, table options), and some are mutated (a token dropped,
duplicated or swapped, a stray comma) so that SQLite rejects them. Each statement is
run alone on a fresh in-memory SQLite, then through our pipeline as a one-file
history:

- SQLite accepts it: no MG001, no replay error, and the model's snapshot equals
  SQLite's introspection;
- SQLite rejects it for its grammar: MG001;
- SQLite rejects it for a reason of meaning (SEMANTIC below): MG001 or the replay
  step's ``error`` (the table is then not created, as in SQLite);
- SQLite rejects it for a reason the tool does not check (NOT_CHECKED below): the
  tool reads and models the statement; the test asserts exactly that.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.config import Config
from migrate_lint.engine import all_rules, run_rules
from migrate_lint.history import History
from migrate_lint.pipeline import load_history
from migrate_lint.replay import Timeline, replay
from migrate_lint.sandbox import introspect
from migrate_lint.verify import snapshot_difference

# SQLite's messages for statements its grammar accepts but it still refuses, which
# the replay step reports as its `error` (sqlite 3.40 wording).
SEMANTIC = (
    "duplicate column name",
    "has more than one primary key",
    "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY",
    "AUTOINCREMENT not allowed on WITHOUT ROWID tables",
    "PRIMARY KEY missing on table",
    "missing datatype for",  # STRICT
    "unknown datatype for",  # STRICT
    "cannot use DEFAULT on a generated column",
    "generated columns cannot be part of the PRIMARY KEY",
    "must have at least one non-generated column",
    "expressions prohibited in PRIMARY KEY and UNIQUE constraints",
    "no such column",  # keys, CHECK and generated expressions naming a missing column
    "in foreign key definition",  # unknown column "x"
    "number of columns in foreign key does not match",
    "should reference only one column of table",
    "already exists",  # CREATE INDEX of a name in use
    "Cannot add a PRIMARY KEY column",
    "Cannot add a UNIQUE column",
    "error in generated column",  # a column generated twice, or DEFAULT then AS
    "conflicting ON CONFLICT clauses specified",  # two keys on the same columns
)
# Refusals the tool does not check: the reader accepts the statement and the model
# has the table. A COLLATE name is checked against the collations registered on the
# connection, which the migration runner (not the statement) decides; a DEFAULT
# expression's constancy needs expression evaluation.
NOT_CHECKED = (
    "no such collation sequence",
    "is not constant",
)

# ALTER TABLE ADD COLUMN refusals reported by a rule (sqlite 3.40 wording -> code).
ADD_COLUMN_RULES = {
    "Cannot add a NOT NULL column with default value NULL": "NN001",
    "Cannot add a column with non-constant default": "NN005",
    "cannot add a STORED column": "SQ002",
    "Cannot add a PRIMARY KEY column": "SQ001",
    "Cannot add a UNIQUE column": "SQ001",
}

# ... and those replay itself predicts: the new column's CHECK or generated expression
# names a column the table lacks (the step's error, which SQ007 reports).
ADD_COLUMN_RESOLVED = ("after add column: no such column",)

# Statements SQLite accepts that the tool reports as MG001 because the model cannot
# hold them (the table is then marked incomplete, never modelled wrong).
NOT_MODELLED = ("an added column with more than one REFERENCES clause is not modelled",)

NAMES = ["c{}", '"c{}"', "`c{}`", "[c{}]", "'c{}'"]
TYPE_WORDS = ["INTEGER", "int", "TEXT", "varchar", "unsigned", "big", "double", "precision",
              "NUMERIC", "blob", "real", "ANY", '"quoted type"', "'str'", "character",
              "key", "GENERATED", "ALWAYS", "integer"]
TYPE_ARGS = ["", "(10)", " ( 10 , 2 )", "(+5)", "(-1,3)", "(1.5)", "(0x10)", "(.5)", "(x)"]
CHECKS = ["c0 > 0", "length(c0) < 10", "1", "c0 IS NOT NULL", "abs(-1) + 2", "zz > 1"]
GENERATED = ["1 + 2", "abs(-3)", "'x' || 'y'", "c0"]
DEFAULTS = [["1"], ["-1"], ["+", "2.5"], ["'s'"], ["x'00'"], ["NULL"], ["TRUE"], ["FALSE"],
            ["CURRENT_TIMESTAMP"], ["-", "CURRENT_DATE"], ["(", "1 + 2", ")"], ["abc"],
            ['"q"'], ["-", "NULL"], ["(", "c0", ")"], ["0x1F"], ["1e5"], [".5"], ["-", ".5e1"],
            ["$x"], ["LEFT"], ["key"]]
CONFLICT = ["", "ON CONFLICT ROLLBACK", "ON CONFLICT IGNORE", "ON CONFLICT REPLACE"]
ACTIONS = ["SET NULL", "SET DEFAULT", "CASCADE", "RESTRICT", "NO ACTION"]
COLLATIONS = ["NOCASE", "binary", "RTRIM", '"nocase"', "unknown_coll"]
DEFER = ["DEFERRABLE", "DEFERRABLE INITIALLY DEFERRED", "NOT DEFERRABLE INITIALLY IMMEDIATE"]


def _name(draw: st.DrawFn, n: int) -> str:
    return draw(st.sampled_from(NAMES)).format(n)


def _type(draw: st.DrawFn) -> list[str]:
    words = draw(st.lists(st.sampled_from(TYPE_WORDS), max_size=3))
    if not words:
        return []
    return [" ".join(words) + draw(st.sampled_from(TYPE_ARGS))]


def _refargs(draw: st.DrawFn) -> list[str]:
    out: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["ON DELETE", "ON UPDATE", "ON INSERT", "MATCH"]))
        out += [kind, "SIMPLE" if kind == "MATCH" else draw(st.sampled_from(ACTIONS))]
    return out


def _column_constraint(draw: st.DrawFn, n_cols: int) -> list[str]:
    kind = draw(st.sampled_from(
        ["constraint", "pk", "notnull", "null", "unique", "check", "default", "collate",
         "references", "defer", "generated", "as"]))
    if kind == "constraint":
        return ["CONSTRAINT", draw(st.sampled_from(["k1", '"k 2"']))]
    if kind == "pk":
        return ["PRIMARY KEY", draw(st.sampled_from(["", "ASC", "DESC"])),
                draw(st.sampled_from(CONFLICT)),
                draw(st.sampled_from(["", "", "AUTOINCREMENT"]))]
    if kind in ("notnull", "null", "unique"):
        head = {"notnull": "NOT NULL", "null": "NULL", "unique": "UNIQUE"}[kind]
        return [head, draw(st.sampled_from(CONFLICT))]
    if kind == "check":
        return ["CHECK", "(", draw(st.sampled_from(CHECKS)), ")"]
    if kind == "default":
        return ["DEFAULT", *draw(st.sampled_from(DEFAULTS))]
    if kind == "collate":
        return ["COLLATE", draw(st.sampled_from(COLLATIONS))]
    if kind == "references":
        cols = draw(st.sampled_from(["", "(id)", "(id, x)"]))
        return ["REFERENCES", draw(st.sampled_from(["p", '"p"', "[p]"])), cols, *_refargs(draw)]
    if kind == "defer":
        return [draw(st.sampled_from(DEFER))]
    head = "GENERATED ALWAYS AS" if kind == "generated" else "AS"
    return [head, "(", draw(st.sampled_from(GENERATED)), ")",
            draw(st.sampled_from(["", "STORED", "VIRTUAL", "virtual"]))]


def _key_list(draw: st.DrawFn, n_cols: int, pk: bool) -> list[str]:
    items = []
    for _ in range(draw(st.integers(1, 2))):
        item = draw(st.sampled_from(NAMES)).format(draw(st.integers(0, n_cols)))
        item += draw(st.sampled_from(["", "", " COLLATE NOCASE", " COLLATE binary",
                                      " COLLATE RTRIM"]))
        item += draw(st.sampled_from(["", " ASC", " DESC"]))
        items.append(item)
    if pk and draw(st.integers(0, 3)) == 0:
        items[-1] += " AUTOINCREMENT"
    return ["(", ", ".join(items), ")"]


def _table_constraint(draw: st.DrawFn, n_cols: int) -> list[str]:
    out: list[str] = []
    if draw(st.booleans()):
        out += ["CONSTRAINT", draw(st.sampled_from(["tk", '"t k"']))]
    kind = draw(st.sampled_from(["pk", "unique", "check", "fk", "bare"]))
    if kind == "bare":
        return out or ["CONSTRAINT", "lonely"]
    if kind in ("pk", "unique"):
        out += ["PRIMARY KEY" if kind == "pk" else "UNIQUE", *_key_list(draw, n_cols, kind == "pk"),
                draw(st.sampled_from(CONFLICT))]
    elif kind == "check":
        out += ["CHECK", "(", draw(st.sampled_from(CHECKS)), ")", draw(st.sampled_from(CONFLICT))]
    else:
        cols = ", ".join(f"c{draw(st.integers(0, n_cols))}" for _ in range(draw(st.integers(1, 2))))
        out += ["FOREIGN KEY", "(", cols, ")", "REFERENCES", "p",
                draw(st.sampled_from(["", "(id)", "(id, x)"])), *_refargs(draw),
                draw(st.sampled_from(["", *DEFER]))]
    return out


def _mutate(draw: st.DrawFn, toks: list[str]) -> list[str]:
    toks = [t for t in toks if t]
    how = draw(st.sampled_from(["drop", "duplicate", "swap", "comma", "drop_paren"]))
    i = draw(st.integers(min(2, len(toks) - 1), len(toks) - 1))
    if how == "drop":
        return toks[:i] + toks[i + 1:]
    if how == "duplicate":
        return [*toks[:i], toks[i], *toks[i:]]
    if how == "swap":
        return [*toks[:i - 1], toks[i], toks[i - 1], *toks[i + 1:]]
    if how == "comma":
        return [*toks[:i], ",", *toks[i:]]
    parens = [j for j, t in enumerate(toks) if t in ("(", ")")]
    j = draw(st.sampled_from(parens)) if parens else i
    return toks[:j] + toks[j + 1:]


@st.composite
def create_tables(draw: st.DrawFn) -> str:
    n_cols = draw(st.integers(1, 4))
    toks = ["CREATE TABLE", draw(st.sampled_from(["t", '"t"', "[t]", "'t'"])), "("]
    for n in range(n_cols):
        if n:
            toks.append(",")
        toks += [_name(draw, n), *_type(draw)]
        for _ in range(draw(st.integers(0, 3))):
            toks += _column_constraint(draw, n_cols)
    for k in range(draw(st.integers(0, 3))):
        toks.append("," if k == 0 or draw(st.booleans()) else "")
        toks += _table_constraint(draw, n_cols)
    toks.append(")")
    toks.append(draw(st.sampled_from(
        ["", "", "WITHOUT ROWID", "STRICT", "WITHOUT ROWID, STRICT", "STRICT, WITHOUT ROWID",
         ", STRICT", "STRICT,"])))
    if draw(st.integers(0, 3)) == 0:
        toks = _mutate(draw, toks)
    return " ".join(t for t in toks if t)


BASE = "CREATE TABLE base (id INTEGER PRIMARY KEY, a TEXT, b INT, c)"


@st.composite
def add_columns(draw: st.DrawFn) -> str:
    toks = ["ALTER TABLE base ADD", draw(st.sampled_from(["COLUMN", ""])), _name(draw, 9),
            *_type(draw)]
    for _ in range(draw(st.integers(0, 3))):
        toks += _column_constraint(draw, 1)
    if draw(st.integers(0, 3)) == 0:
        toks = _mutate(draw, toks)
    return " ".join(t for t in toks if t)


@st.composite
def create_indexes(draw: st.DrawFn) -> str:
    keys = []
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(["a", '"b"', "[c]", "lower(a)", "a || b", "(b + 1)", "zz",
                                    "'a'"]))
        key += draw(st.sampled_from(["", " COLLATE NOCASE", " COLLATE rtrim"]))
        key += draw(st.sampled_from(["", " ASC", " DESC"]))
        keys.append(key)
    toks = ["CREATE", draw(st.sampled_from(["", "UNIQUE"])), "INDEX",
            draw(st.sampled_from(["", "IF NOT EXISTS"])), draw(st.sampled_from(["ix", '"ix"'])),
            "ON", "base", "(", ", ".join(keys), ")",
            draw(st.sampled_from(["", "WHERE a IS NOT NULL", "WHERE b > 1 AND c = 'x'"]))]
    if draw(st.integers(0, 3)) == 0:
        toks = _mutate(draw, toks)
    return " ".join(t for t in toks if t)


_counter = itertools.count()


def _sqlite(statements: list[str]) -> tuple[sqlite3.Connection, str | None]:
    conn = sqlite3.connect(":memory:")
    for sql in statements:
        try:
            conn.execute(sql)
        except sqlite3.Error as err:
            return conn, str(err)
    return conn, None


def _ours(root: Path, statements: list[str]) -> tuple[History, Timeline]:
    folder = root / f"h{next(_counter)}"
    folder.mkdir()
    (folder / "0001_t.sql").write_text(";\n".join(statements) + ";\n")
    history = load_history(folder)
    return history, replay(history)


def check_agreement(root: Path, statements: list[str]) -> None:
    """The last of ``statements`` is the one under test; the others SQLite accepts."""
    conn, error = _sqlite(statements)
    history, timeline = _ours(root, statements)
    mg001 = [d for d in history.diagnostics if d.code == "MG001"]
    step = timeline.steps[-1]
    last = statements[-1]
    if error is None:
        if mg001 and any(m in mg001[0].message for m in NOT_MODELLED):
            return
        assert not mg001, f"SQLite accepts, we report MG001:\n{last}\n{mg001[0].message}"
        assert step.error is None, f"SQLite accepts, replay says {step.error}:\n{last}"
        assert getattr(step.statement.ddl, "fallback", None) is None, f"fallback read:\n{last}"
        difference = snapshot_difference(timeline.final.snapshot(), introspect(conn))
        assert not difference, f"{last}\n{difference}"
        return
    if any(m in error for m in NOT_CHECKED):
        # the tool models the statement as if the collation existed and the default
        # were constant: whatever it says is what it says of the repaired statement
        # (only the DEFAULT's `( c0 )` is the non-constant default; a generated
        # column's `AS ( c0 )` keeps its column reference)
        fixed = [s.replace("unknown_coll", "NOCASE").replace("DEFAULT ( c0 )", "DEFAULT ( 1 )")
                 for s in statements]
        if _sqlite(fixed)[1] is None:
            assert not mg001 and step.error is None, f"{last}: {mg001} {step.error}"
        else:
            check_agreement(root, fixed)
        return
    if any(m in error for m in SEMANTIC) and step.error is not None:
        return
    if step.statement.kind == "alter_table" and not mg001:
        # ADD COLUMN refusals that depend on the column alone are rules' business
        codes = {f.code for f in run_rules(timeline, Config(), all_rules())
                 if f.span.line == step.statement.span.line}
        if any(m in error for m in ADD_COLUMN_RESOLVED):
            assert step.error is not None and "after add column: no such column" in step.error, (
                f"SQLite rejects ({error}); replay says {step.error}:\n{last}")
            assert "SQ007" in codes, codes
            added = timeline.final.table("base")
            assert added is not None and added.column("c9") is None, last
            return
        expected = next((code for m, code in ADD_COLUMN_RULES.items() if m in error), None)
        assert expected in codes, f"SQLite rejects ({error}); rules say {codes}:\n{last}"
        return
    assert mg001, f"SQLite rejects ({error}), we accept:\n{last}\nreplay: {step.error}"


# DDL_GRAMMAR_EXAMPLES=5000 for a longer hunt
EXAMPLES = int(os.environ.get("DDL_GRAMMAR_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(sql=create_tables())
def test_create_table_agrees_with_sqlite(sql: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    check_agreement(tmp_path_factory.getbasetemp(), [sql])


@settings(max_examples=max(120, EXAMPLES // 3), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=add_columns())
def test_add_column_agrees_with_sqlite(sql: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    check_agreement(tmp_path_factory.getbasetemp(), [BASE, sql])


@settings(max_examples=max(120, EXAMPLES // 3), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=create_indexes())
def test_create_index_agrees_with_sqlite(sql: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    check_agreement(tmp_path_factory.getbasetemp(), [BASE, sql])


# -- the fallback: SQLite's own reading of a CREATE TABLE the reader cannot follow --

FALLBACK_TABLES = [
    "CREATE TABLE p (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, "
    "n REAL DEFAULT -1.5, s TEXT DEFAULT 'x', t TEXT DEFAULT CURRENT_TIMESTAMP, "
    "e INT DEFAULT (1 + 2), g INT AS (n * 2) STORED, v AS (s || 'v'))",
    "CREATE TABLE c (a INTEGER PRIMARY KEY DESC, b UNIQUE, c INT REFERENCES p(id) ON DELETE "
    "CASCADE, d, e, FOREIGN KEY (d, e) REFERENCES q ON UPDATE SET NULL, UNIQUE (d, e))",
    "CREATE TABLE w (a TEXT, b INT, c ANY, PRIMARY KEY (b, a)) WITHOUT ROWID, STRICT",
    "CREATE TABLE u (a UNIQUE, b TEXT PRIMARY KEY, c INTEGER UNIQUE)",
    "CREATE TABLE IF NOT EXISTS r (x INTEGER, y, PRIMARY KEY (x))",
]


def test_fallback_models_a_table_sqlite_accepts(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A CREATE TABLE the reader refuses but SQLite accepts is read from SQLite: no
    MG001, the reason recorded on the reading, the model equal to SQLite's."""
    import migrate_lint.parse as parse
    from migrate_lint.ddl import CreateTable, DdlError

    real = parse.read_ddl

    def refusing(toks, text, lines):  # type: ignore[no-untyped-def]
        if toks[1].is_word("TABLE"):
            raise DdlError("pretend the reader cannot follow this", toks[0].start)
        return real(toks, text, lines)

    monkeypatch.setattr(parse, "read_ddl", refusing)
    conn, error = _sqlite(FALLBACK_TABLES)
    assert error is None
    history, timeline = _ours(tmp_path, FALLBACK_TABLES)
    assert [d for d in history.diagnostics if d.code == "MG001"] == []
    assert all(s.error is None for s in timeline.steps)
    for step in timeline.steps:
        node = step.statement.ddl
        assert isinstance(node, CreateTable) and node.fallback is not None
        assert "pretend the reader cannot follow this" in node.fallback
        assert "CHECK constraints" in node.fallback  # what the pragmas cannot tell
    assert not snapshot_difference(timeline.final.snapshot(), introspect(conn))
    final = timeline.final
    assert final.table("p") is not None and final.table("p").autoincrement  # type: ignore[union-attr]
    assert final.table("p").rowid_alias == "id"  # type: ignore[union-attr]
    assert final.table("c").rowid_alias is None  # type: ignore[union-attr]  # PRIMARY KEY DESC
    parents = [fk.parent for fk in final.table("c").foreign_keys]  # type: ignore[union-attr]
    assert parents == ["p", "q"]


def test_fallback_keeps_mg001_with_sqlites_error_when_sqlite_rejects_too(tmp_path: Path) -> None:
    """The reader refuses and so does SQLite: the migration would fail, MG001 says so
    with SQLite's own message, and the table stays unmodelled."""
    history, timeline = _ours(tmp_path, ["CREATE TABLE t (a INT, b TEXT,)"])
    [diag] = [d for d in history.diagnostics if d.code == "MG001"]
    assert 'SQLite rejects it too: near ")": syntax error' in diag.message
    assert timeline.final.table("t") is None


def test_no_fallback_without_a_column_list(tmp_path: Path) -> None:
    """Only a CREATE TABLE with a column list is run on the scratch database."""
    history, _ = _ours(tmp_path, ["CREATE TABLE t"])
    [diag] = [d for d in history.diagnostics if d.code == "MG001"]
    assert "SQLite" not in diag.message


def test_keys_differing_only_in_collation_are_separate_indexes(tmp_path: Path) -> None:
    """SQLite makes one autoindex per distinct (columns, collations): `a UNIQUE` and
    `PRIMARY KEY (a COLLATE NOCASE)` are two indexes, `b COLLATE NOCASE UNIQUE` and
    `UNIQUE (b)` one (the column's collation is the key's)."""
    statements = ["CREATE TABLE t (a UNIQUE, b COLLATE NOCASE UNIQUE, c, "
                  "PRIMARY KEY (a COLLATE NOCASE), UNIQUE (b), UNIQUE (c COLLATE rtrim, a))"]
    conn, error = _sqlite(statements)
    assert error is None
    _, timeline = _ours(tmp_path, statements)
    assert snapshot_difference(timeline.final.snapshot(), introspect(conn)) == ""
