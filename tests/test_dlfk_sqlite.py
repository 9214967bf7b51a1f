"""DL/FK rules: their docs' examples, and the SQLite behaviour their messages claim."""

from __future__ import annotations

import importlib
import re
import sqlite3
from pathlib import Path

import pytest

from migrate_lint.engine import Rule, rule_by_code
from tests.rules.harness import run

CODES = ("DL001", "DL002", "DL004", "DL005", "DL006", "DL007", "FK001", "FK002", "FK003")
_FENCE = re.compile(r"```sql\n(.*?)```", re.S)


def _sql(cls: type[Rule], title: str) -> str:
    doc = cls.doc()
    start = doc.index(f"## {title}")
    nxt = doc.find("\n## ", start + 1)
    blocks = _FENCE.findall(doc[start: nxt if nxt != -1 else len(doc)])
    assert len(blocks) == 1, f"{cls.code}: `## {title}` needs exactly one ```sql block"
    return str(blocks[0])


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_doc_examples(code: str, section: str, tmp_path: Path) -> None:
    cls = rule_by_code(code)
    assert cls is not None
    findings = run(_sql(cls, section), tmp_path / "migrations", [cls])
    assert not [f for f in findings if "internal error" in f.message]
    assert any(f.code == code for f in findings) == (section == "Example"), findings


def _db(script: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(script)
    return conn


def test_fk001_missing_parent_fails_at_first_insert_not_at_create() -> None:
    conn = _db("CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p(id));")
    with pytest.raises(sqlite3.OperationalError, match=r"no such table: main\.p"):
        conn.execute("INSERT INTO c (id, p_id) VALUES (1, NULL)")
    conn = _db("CREATE TABLE p (id integer PRIMARY KEY);"
               "CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p(uid));")
    with pytest.raises(sqlite3.OperationalError, match="foreign key mismatch"):
        conn.execute("INSERT INTO c (id, p_id) VALUES (1, NULL)")


@pytest.mark.parametrize(("parent", "ref"), [
    ("CREATE TABLE p (id integer PRIMARY KEY, email text);", "REFERENCES p(email)"),
    ("CREATE TABLE p (id integer PRIMARY KEY, email text);"
     "CREATE UNIQUE INDEX p_email ON p (email) WHERE email IS NOT NULL;", "REFERENCES p(email)"),
    ("CREATE TABLE p (email text);", "REFERENCES p"),
], ids=["plain-column", "partial-unique-index", "no-primary-key-implicit"])
def test_fk002_foreign_key_mismatch_at_first_insert(parent: str, ref: str) -> None:
    conn = _db(parent + f"CREATE TABLE c (id integer PRIMARY KEY, email text {ref});")
    with pytest.raises(sqlite3.OperationalError, match="foreign key mismatch"):
        conn.execute("INSERT INTO c (id, email) VALUES (1, NULL)")


def test_fk002_unique_index_in_any_column_order_is_accepted() -> None:
    conn = _db("CREATE TABLE p (id text, user_id text, UNIQUE (user_id, id));"
               "CREATE TABLE c (u text, t text, FOREIGN KEY (u, t) REFERENCES p(user_id, id));")
    conn.execute("INSERT INTO c VALUES (NULL, NULL)")


def test_dl007_unique_index_fails_on_duplicates_only() -> None:
    empty = _db("CREATE TABLE t (id integer PRIMARY KEY, a text);")
    empty.execute("CREATE UNIQUE INDEX t_a ON t (a)")
    full = _db("CREATE TABLE t (id integer PRIMARY KEY, a text);"
               "INSERT INTO t (a) VALUES ('x'), ('x');")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed"):
        full.execute("CREATE UNIQUE INDEX t_a ON t (a)")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed"):
        full.executescript("CREATE TABLE __new_t (id integer PRIMARY KEY, a text UNIQUE);"
                           "INSERT INTO __new_t (id, a) SELECT id, a FROM t;")


def test_dl006_copy_converts_values_to_the_new_affinity() -> None:
    conn = _db("CREATE TABLE t (zip text); INSERT INTO t VALUES ('007');"
               "CREATE TABLE n (zip integer); INSERT INTO n SELECT zip FROM t;")
    assert conn.execute("SELECT zip, typeof(zip) FROM n").fetchone() == (7, "integer")


_AFFINITY_TYPE = {"TEXT": "text", "NUMERIC": "integer", "REAL": "real", "BLOB": "blob"}


@pytest.mark.parametrize("old", sorted(_AFFINITY_TYPE))
@pytest.mark.parametrize("new", sorted(_AFFINITY_TYPE))
def test_dl006_names_the_conversion_sqlite_makes(old: str, new: str) -> None:
    """Every affinity change DL006 reports names a conversion, and its example is what a
    copy in SQLite does to that value."""
    rule = importlib.import_module(rule_by_code("DL006").__module__)
    conversions, changed = rule._CONVERSIONS, rule.AffinityChanged
    if old == new or new == "BLOB":
        return  # not reported: nothing converts
    message = changed("t", "c", _AFFINITY_TYPE[old], _AFFINITY_TYPE[new]).message()
    example = re.search(r"\(([^()]+) -> ([^()]+)\)", conversions[old, new])
    assert example is not None and example.group(0) in message
    before, after = example.groups()
    conn = _db(f"CREATE TABLE t (c {_AFFINITY_TYPE[old]}); INSERT INTO t VALUES ({before});"
               f"CREATE TABLE n (c {_AFFINITY_TYPE[new]}); INSERT INTO n SELECT c FROM t;")
    assert conn.execute("SELECT quote(c) FROM t").fetchone() == (before,)  # held as written
    assert conn.execute("SELECT quote(c) FROM n").fetchone() == (after,)


def test_dl006_a_copy_into_the_rowid_fails_on_what_is_not_an_integer() -> None:
    """DL006's message for a column that becomes the INTEGER PRIMARY KEY, on SQLite."""
    rule = importlib.import_module(rule_by_code("DL006").__module__)
    message = rule.AffinityChanged("logs", "id", "TEXT", "INTEGER", rowid=True).message()
    assert "fails with 'datatype mismatch'" in message and "'007' becomes 7" in message
    for value, outcome in (("'abc'", "datatype mismatch"), ("1.5", "datatype mismatch"),
                           ("'007'", 7)):
        conn = _db(f"CREATE TABLE logs (id TEXT PRIMARY KEY); INSERT INTO logs VALUES ({value});"
                   "CREATE TABLE new_logs (id INTEGER PRIMARY KEY);")
        try:
            conn.execute("INSERT INTO new_logs (id) SELECT id FROM logs")
            got: object = conn.execute("SELECT id FROM new_logs").fetchone()[0]
        except sqlite3.Error as err:
            got = str(err)
        assert got == outcome, (value, got)


def test_sq007_a_double_quoted_missing_column_is_copied_as_a_string() -> None:
    """What SQ007's case copy_reads_a_double_quoted_missing_column_as_a_string says."""
    conn = _db("CREATE TABLE u (id integer PRIMARY KEY, name text);"
               "INSERT INTO u VALUES (1, 'a'), (2, 'b');"
               "CREATE TABLE u_new (id integer PRIMARY KEY, name text, max_s integer);"
               'INSERT INTO u_new (id, name, max_s) SELECT id, "name", "max_s" FROM u;')
    assert conn.execute("SELECT name, max_s FROM u_new ORDER BY id").fetchall() == [
        ("a", "max_s"), ("b", "max_s")]
    with pytest.raises(sqlite3.OperationalError, match="no such column: nme"):
        conn.execute("INSERT INTO u_new (id, name) SELECT id, nme FROM u")
