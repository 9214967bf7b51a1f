"""The insert scanners' gates: a word search that decides which files are parsed at all.

Each gate promises to answer exactly as its regular expression would, tried at every
position. These tests hold it to that on generated matches of each expression and on
random text made of the pieces that trip gates (keywords in every case, Unicode
letters that ``re.IGNORECASE`` folds to ASCII, separators, escapes), and check the
case-folding table against ``re`` itself.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from migrate_lint.inserts import collect_sites, js_src, native_src, python_src, sqltext
from migrate_lint.inserts.gate import FOLD, Gate, fold

GATES = {"python": python_src.GATE, "javascript": js_src.GATE, "native": native_src.GATE,
         "sql": sqltext.GATE}

PIECES = ["INSERT", "insert", "Insert", "ınsert", "İNSERT", "inſert", "REPLACE", "replace",
          "INTO", "into", "Into", "OR", "or", "IGNORE", "Table", "table", "table!", "TABLE!",
          "sqliteTable", "drizzle", "DRIZZLE", "CamelCasePlugin", "camelcaseplugin", "(", ".",
          " ", "  ", "\n", "\t", "\\n", "\\t", '"', "'", "`", "+", "_", "x", "é", "K", "ı", "İ",
          "1", "--", "/*", "*/", ";", "insert_into", "insertInto", "replaceInto"]
texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
# ASCII text takes the gates' other road (one search per branch in the lower-cased text).
ascii_texts = st.lists(st.sampled_from([p for p in PIECES if p.isascii()]),
                       max_size=14).map("".join)
# The gates' expressions as they were written before the branches: the same language.
SEP = r"(?:\W|\\[nrt])"
BEFORE = {
    "python": rf"\b(?:insert|replace)\b{SEP}*(?:or{SEP}+\w+{SEP}+)?into\b"
              r"|\binsert\s*\(|\bTable\s*\(",
    "javascript": rf"\b(?:insert|replace)(?:\b{SEP}*(?:or{SEP}+\w+{SEP}+)?|)into\b"
                  r"|(?<=\.)insert\s*\(|sqliteTable|drizzle|(?-i:CamelCasePlugin)",
    "native": r"\b(?:insert|replace)(?:\b|_)|\btable!",
    "sql": "INSERT|REPLACE",
}


def every_start(gate: Gate, text: str) -> list[int]:
    """Where the gate's expression matches, trying every position: what the gate replaces."""
    return [i for i in range(len(text) + 1) if gate.pattern.match(text, i)]


def test_fold_is_what_re_ignorecase_matches_to_ascii_letters() -> None:
    beyond_ascii = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    derived = {}
    for char in re.findall(r"[a-z]", beyond_ascii, re.I):
        derived[ord(char)] = next(a for a in string.ascii_lowercase
                                  if re.fullmatch(a, char, re.I))
    assert derived == FOLD
    # one character for one: offsets in the folded copy are offsets in the text
    assert all(len(fold(chr(c))) == 1 for c in range(0x80, 0x30000) if not 0xD800 <= c <= 0xDFFF)


@pytest.mark.parametrize("name", sorted(GATES))
@given(data=st.data())
def test_gate_finds_every_match_of_its_expression(name: str, data: st.DataObject) -> None:
    gate = GATES[name]
    text = data.draw(st.from_regex(gate.pattern))
    assert gate.starts(text) == every_start(gate, text)
    assert gate.admits(text)


@pytest.mark.parametrize("name", sorted(GATES))
@given(text=texts)
def test_gate_answers_as_its_expression_on_random_text(name: str, text: str) -> None:
    gate = GATES[name]
    assert gate.starts(text) == every_start(gate, text)
    assert gate.admits(text) == (gate.pattern.search(text) is not None)


@pytest.mark.parametrize("name", sorted(GATES))
@given(text=ascii_texts)
def test_gate_answers_as_its_expression_on_ascii_text(name: str, text: str) -> None:
    gate = GATES[name]
    assert gate.starts(text) == every_start(gate, text)
    assert gate.admits(text) == (gate.pattern.search(text) is not None)


@pytest.mark.parametrize("name", sorted(GATES))
@given(data=st.data())
def test_gate_expressions_match_where_they_matched_before_the_branches(
        name: str, data: st.DataObject) -> None:
    before = re.compile(BEFORE[name], re.I)
    gate = GATES[name]
    for text in (data.draw(texts), data.draw(ascii_texts), data.draw(st.from_regex(before)),
                 data.draw(st.from_regex(gate.pattern))):
        assert every_start(gate, text) == [i for i in range(len(text) + 1)
                                           if before.match(text, i)]


def test_gate_words_are_lower_case() -> None:
    for gate in GATES.values():
        assert all(word == fold(word) for word in gate.words)


def test_files_the_gate_refuses_are_not_parsed(tmp_path: Path) -> None:
    """A file without the words is never parsed: its syntax errors go unreported."""
    (tmp_path / "quiet.py").write_text("def f(:\n    return 'nothing to see'\n")
    (tmp_path / "prose.py").write_text("def f(:\n    # insert the row later\n")
    (tmp_path / "loud.py").write_text("def f(:\n    'INSERT INTO t (a) VALUES (1)'\n")
    (tmp_path / "quiet.sql").write_text("SELECT (;\n")
    skipped = {Path(s.path).name: s.reason for s in collect_sites([str(tmp_path)]).skipped}
    assert list(skipped) == ["loud.py"]
    assert skipped["loud.py"].startswith("invalid Python syntax")


TRICKY_PY = '''import sqlite3
import sqlalchemy as sa

metadata = sa.MetaData()
messages = sa.Table(
    "session_message", metadata,
    sa.Column("id", sa.Text), sa.Column("seq", sa.Integer, default=0),
)


def route(sql):
    return lambda fn: fn


@route("INSERT INTO session_message (id) VALUES (?)")
def decorated(conn):
    return None


class Store:
    """Prose that names insert, replace and table, and holds no site."""

    class Inner:
        def add(self, conn):
            conn.execute(
                "INSERT INTO session_message "
                "(id) VALUES (?)", (1,))

    def add_all(self, conn, rows):
        with conn:
            for row in rows:
                if row:
                    conn.executemany(f"INSERT OR IGNORE INTO {row} (id) VALUES (?)", rows)

    def sa_add(self, conn):
        conn.execute(sa.insert(messages).values(id="x"))
        conn.execute(messages.insert(), [{"id": "y"}])


handler = lambda c: c.execute("REPLACE INTO session_message (id) VALUES (?)")
x = 1; y = "INSERT INTO session_message (id, seq) VALUES (2, 3)"
'''


def test_walking_only_statements_with_hits_finds_what_walking_everything_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ast

    (tmp_path / "tricky.py").write_text(TRICKY_PY)
    (tmp_path / "tricky_cr.py").write_text(TRICKY_PY.replace("\n", "\r"))
    (tmp_path / "tricky_crlf.py").write_text(TRICKY_PY.replace("\n", "\r\n"))
    fixtures = Path(__file__).resolve().parent / "fixtures" / "apps" / "seqbug"
    paths = [str(tmp_path), str(fixtures / "sqlite3"), str(fixtures / "sqlalchemy")]
    pruned = collect_sites(paths)
    monkeypatch.setattr(python_src, "_walk", lambda tree, lines: list(ast.walk(tree)))
    everything = collect_sites(paths)
    assert pruned == everything
    per_file = {}
    for site in pruned.sites + pruned.unknown:
        per_file[Path(site.span.path).name] = per_file.get(Path(site.span.path).name, 0) + 1
    assert per_file["tricky.py"] == per_file["tricky_cr.py"] == per_file["tricky_crlf.py"] == 7


# One insert per file, written the unusual ways people write them; no other text in the
# file lets it through the gate. (file name, text, table, columns)
UNUSUAL = [
    ("split_lines.py", 'import sqlite3\n\n\ndef add(conn):\n    conn.execute("INSERT "\n'
     '                 "INTO session_message (id, seq) VALUES (?, ?)", (1, 2))\n',
     "session_message", ("id", "seq")),
    ("escaped_newline.py", 'SQL = "INSERT\\n        INTO session_message (id) VALUES (?)"\n',
     "session_message", ("id",)),
    ("split_conflict.py", 'SQL = ("insert or "\n       "ignore into session_message (id) '
     'values (?)")\n', "session_message", ("id",)),
    ("lower_triple.py", 'SQL = """\n    insert\n            into\n    session_message (id)\n'
     '    values (?)\n"""\n', "session_message", ("id",)),
    ("template.ts", "export const add = (db: any) => db.run(`\n  INSERT\n"
     "                    INTO session_message (id) VALUES (?)`);\n",
     "session_message", ("id",)),
    ("kysely.ts", 'export const add = (db: any) =>\n  db.insertInto("session_message")'
     '.values({ id: "x" }).execute();\n', "session_message", ("id",)),
    ("store.go", 'package store\n\nconst q = `INSERT\n\t\tINTO session_message (id)\n'
     '\t\tVALUES (?)`\n', "session_message", ("id",)),
    ("seed.sql", "insert\n  into session_message (id)\n  values ('x');\n",
     "session_message", ("id",)),
]


@pytest.mark.parametrize(("name", "text", "table", "columns"), UNUSUAL,
                         ids=[u[0] for u in UNUSUAL])
def test_an_insert_written_unusually_is_still_found(tmp_path: Path, name: str, text: str,
                                                    table: str, columns: tuple[str, ...]
                                                    ) -> None:
    (tmp_path / name).write_text(text)
    collection = collect_sites([str(tmp_path)])
    assert [(s.table, s.columns) for s in collection.sites] == [(table, columns)]
    assert collection.skipped == ()


def test_exclude_patterns_of_every_kind(tmp_path: Path) -> None:
    """Names match a part, paths match themselves and what is under them, globs either."""
    files = ["src/gen/a.ts", "src/gen2/b.ts", "lib/x.gen.ts", "lib/y.ts", "deep/build/c.ts",
             "app/d.ts", "app/old/e.ts", "app/older/f.ts", "tmpdir/g.ts"]
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text('const q = "INSERT INTO t (a) VALUES (1)";\n')
    found = collect_sites([str(tmp_path)], ["src/gen", "*.gen.ts", "app/old/", "tmp*"])
    kept = sorted(Path(s.span.path).relative_to(tmp_path).as_posix() for s in found.sites)
    assert kept == ["app/d.ts", "app/older/f.ts", "lib/y.ts", "src/gen2/b.ts"]
