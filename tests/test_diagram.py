"""`schema --format mermaid|dot`: ER diagrams with foreign keys, from real histories."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, corpus_path

from migrate_lint.cli import cli

ENTITY = re.compile(r"^    ([A-Za-z0-9_-]+) \{$")
ATTRIBUTE = re.compile(r'^        [A-Za-z0-9_]+ [A-Za-z0-9_-]+( (PK|FK|PK, FK))?( "NOT NULL")?$')
RELATION = re.compile(r'^    ([A-Za-z0-9_-]+) (\|\||\|o)--o\{ ([A-Za-z0-9_-]+) : "[^"]+"$')


def _schema(*args: str) -> str:
    result = CliRunner().invoke(cli, ["schema", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _check_mermaid(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """Every line fits Mermaid's erDiagram grammar; returns entities and relations."""
    lines = text.splitlines()
    assert lines[0] == "erDiagram"
    entities: set[str] = set()
    relations = []
    for line in lines[1:]:
        if m := ENTITY.match(line):
            entities.add(m.group(1))
        elif m := RELATION.match(line):
            relations.append((m.group(1), m.group(3)))
        else:
            assert line == "    }" or ATTRIBUTE.match(line), f"not Mermaid: {line!r}"
    return entities, relations


def test_demo_mermaid_has_the_foreign_key() -> None:
    entities, relations = _check_mermaid(_schema(str(ROOT / "migrations"), "--format",
                                                 "mermaid"))
    assert entities == {"session", "session_message"}
    assert relations == [("session", "session_message")]


@pytest.mark.parametrize("parts", [("opencode", "migration"),
                                   ("karakeep", "packages", "db", "drizzle")])
def test_corpus_diagrams(parts: tuple[str, ...], tmp_path: Path) -> None:
    root = corpus_path(*parts)
    entities, relations = _check_mermaid(_schema(str(root), "--format", "mermaid"))
    assert relations and all(child in entities for _, child in relations)
    dot = _schema(str(root), "--format", "dot")
    assert dot.startswith("digraph schema {") and dot.rstrip().endswith("}")
    assert dot.count(" -> ") == len(relations)
    if shutil.which("dot"):  # Graphviz, where installed, must accept it
        done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr


def test_diagram_at_a_version(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    (root / "0001_a.sql").write_text("CREATE TABLE a (id integer PRIMARY KEY);\n")
    (root / "0002_b.sql").write_text(
        "CREATE TABLE \"b c\" (id integer PRIMARY KEY, a_id integer NOT NULL REFERENCES a(id));\n")
    entities, relations = _check_mermaid(_schema(str(root), "--format", "mermaid",
                                                 "--at", "0001"))
    assert entities == {"a"} and relations == []
    entities, relations = _check_mermaid(_schema(str(root), "--format", "mermaid"))
    assert relations == [("a", "b_c")]
    assert '"b c":c1 -> "a"' in _schema(str(root), "--format", "dot")
