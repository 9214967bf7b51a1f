"""RB rules against a real SQLite: the consequence a finding reports really happens.

Each rule's documented Example (and a drizzle variant for RB002) is applied with
`migrate_lint.sandbox.Sandbox`, as the history's runner applies it, to a database
holding rows; the Use instead is applied the same way and must not do it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CORPUS

from migrate_lint.config import Config
from migrate_lint.engine import Rule, rule_by_code, run_rules
from migrate_lint.history import Migration
from migrate_lint.pipeline import load_history, load_timeline
from migrate_lint.sandbox import ApplyError, Sandbox
from tests.rules.harness import run, write_history

_FENCE = re.compile(r"```sql\n(.*?)```", re.S)


def _rule(code: str) -> type[Rule]:
    cls = rule_by_code(code)
    assert cls is not None
    return cls


def _doc_sql(code: str, section: str) -> str:
    doc = _rule(code).doc()
    start = doc.index(f"## {section}")
    end = doc.find("\n## ", start + 1)
    return str(_FENCE.findall(doc[start:end])[0])


def _apply(text: str, root: Path, fill: Callable[[Sandbox], None],
           foreign_keys: bool | None = None) -> tuple[Sandbox, ApplyError | None]:
    """Apply every migration but the last, ``fill`` the database, apply the last one."""
    write_history(text, root)
    history = load_history(root)
    box = Sandbox(history.runner, foreign_keys=foreign_keys)
    *earlier, last = history.migrations
    for migration in earlier:
        assert box.apply(migration.up.statements, no_transaction=_unwrapped(migration)) is None
    fill(box)
    return box, box.apply(last.up.statements, no_transaction=_unwrapped(last))


def _unwrapped(migration: Migration) -> bool:
    """As the RB rules assume: a generic-runner file that runs BEGIN itself is not wrapped."""
    return migration.source.no_transaction or any(
        s.kind == "transaction" and s.text.split()[0].upper() == "BEGIN"
        for s in migration.up.statements)


def _codes(text: str, root: Path, code: str) -> list[str]:
    return [f.code for f in run(text, root, [_rule(code)])]


# -- RB002: DROP TABLE with foreign keys on deletes / nulls child rows -------------------


def _fill_projects(box: Sandbox) -> None:
    box.connection.execute("INSERT INTO project (id, name) VALUES (1, 'a'), (2, NULL)")
    box.connection.execute("INSERT INTO workspace (id, project_id) VALUES (10, 1), (11, 2)")


@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_rb002_cascade_deletes_children(section: str, tmp_path: Path) -> None:
    text = _doc_sql("RB002", section)
    # The generic runner's driver leaves foreign keys off; an application that declares
    # ON DELETE CASCADE turns them on, and that is the database RB002 speaks of.
    box, error = _apply(text, tmp_path / "m", _fill_projects, foreign_keys=True)
    with box:
        assert error is None
        rows = box.connection.execute("SELECT count(*) FROM workspace").fetchone()[0]
        assert box.connection.execute("SELECT count(*) FROM project").fetchone()[0] == 2
    fires = section == "Example"
    assert ("RB002" in _codes(text, tmp_path / "lint", "RB002")) == fires
    assert rows == (0 if fires else 2)


_DRIZZLE_SET_NULL = """\
CREATE TABLE project (id integer PRIMARY KEY, name text);--> statement-breakpoint
CREATE TABLE workspace (id integer PRIMARY KEY, project_id integer REFERENCES project (id) ON DELETE SET NULL);
-- migration
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE __new_project (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');--> statement-breakpoint
INSERT INTO __new_project (id, name) SELECT id, coalesce(name, '') FROM project;--> statement-breakpoint
DROP TABLE project;--> statement-breakpoint
ALTER TABLE __new_project RENAME TO project;--> statement-breakpoint
PRAGMA foreign_keys=ON;
"""


def test_rb001_rb002_drizzle_pragma_does_nothing_and_keys_are_nulled(tmp_path: Path) -> None:
    box, error = _apply(_DRIZZLE_SET_NULL, tmp_path / "m", _fill_projects)
    with box:
        assert box.runner == "drizzle"
        assert error is None
        keys = [r[0] for r in box.connection.execute("SELECT project_id FROM workspace")]
    assert keys == [None, None]
    codes = [f.code for f in run(_DRIZZLE_SET_NULL, tmp_path / "lint",
                                 [_rule("RB001"), _rule("RB002")])]
    assert sorted(codes) == ["RB001", "RB002"]


_SELF_REFERENCE = """\
CREATE TABLE node (id integer PRIMARY KEY, parent integer REFERENCES node (id) ON DELETE CASCADE);
-- migration
CREATE TABLE node_new (id integer PRIMARY KEY, parent integer REFERENCES node (id) ON DELETE CASCADE, name text);
INSERT INTO node_new (id, parent) SELECT id, parent FROM node;
DROP TABLE node;
ALTER TABLE node_new RENAME TO node;
"""


def test_rb002_self_reference_deletes_the_copied_rows(tmp_path: Path) -> None:
    def fill(box: Sandbox) -> None:
        box.connection.execute("INSERT INTO node (id, parent) VALUES (1, NULL), (2, 1), (3, 2)")

    box, error = _apply(_SELF_REFERENCE, tmp_path / "m", fill, foreign_keys=True)
    with box:
        assert error is None
        ids = [r[0] for r in box.connection.execute("SELECT id FROM node")]
    assert ids == [1]  # the copies of 2 and 3 referenced `node` and were cascaded away
    assert "RB002" in _codes(_SELF_REFERENCE, tmp_path / "lint", "RB002")


def test_rb002_no_action_child_makes_the_drop_fail(tmp_path: Path) -> None:
    text = _DRIZZLE_SET_NULL.replace(" ON DELETE SET NULL", "")
    box, error = _apply(text, tmp_path / "m", _fill_projects)
    with box:
        assert error is not None and error.message == "FOREIGN KEY constraint failed"
    findings = run(text, tmp_path / "lint", [_rule("RB002")])
    assert [(f.code, f.severity) for f in findings] == [("RB002", "warning")]


# -- RB003: indexes are gone ---------------------------------------------------------


@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_rb003_index_is_gone(section: str, tmp_path: Path) -> None:
    text = _doc_sql("RB003", section)

    def fill(box: Sandbox) -> None:
        box.connection.execute("INSERT INTO session_message VALUES ('a', 's', 1), ('b', 's', 2)")

    box, error = _apply(text, tmp_path / "m", fill)
    with box:
        assert error is None
        indexes = {r[1] for r in box.connection.execute("PRAGMA index_list(session_message)")}
        duplicate = box.connection.execute(
            "INSERT INTO session_message VALUES ('c', 's', 1)") if not indexes - {
            "sqlite_autoindex_session_message_1"} else None
    fires = section == "Example"
    assert ("session_message_seq_idx" not in indexes) == fires
    assert (duplicate is not None) == fires  # the UNIQUE rule is no longer enforced
    assert ("RB003" in _codes(text, tmp_path / "lint", "RB003")) == fires


# -- RB005: children follow the renamed old table ------------------------------------


@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_rb005_children_follow_the_rename(section: str, tmp_path: Path) -> None:
    text = _doc_sql("RB005", section)

    def fill(box: Sandbox) -> None:
        box.connection.execute("INSERT INTO session VALUES ('s', 'title')")
        box.connection.execute("INSERT INTO session_message VALUES ('m', 's')")

    # the rebuild of a parent runs with foreign keys off (sqlite.org's procedure);
    # the child's writes afterwards run with them on, as the application's do
    box, error = _apply(text, tmp_path / "m", fill, foreign_keys=False)
    with box:
        assert error is None
        parent = box.connection.execute("PRAGMA foreign_key_list(session_message)").fetchone()[2]
        box.connection.execute("PRAGMA foreign_keys=ON")
        failure: str | None = None
        try:
            box.connection.execute("INSERT INTO session_message VALUES ('m2', 's')")
        except Exception as exc:  # sqlite3.OperationalError
            failure = str(exc)
    fires = section == "Example"
    assert parent == ("session_old" if fires else "session")
    assert (failure == "no such table: main.session_old") == fires
    assert ("RB005" in _codes(text, tmp_path / "lint", "RB005")) == fires


# -- RB007: a view makes the final rename fail ---------------------------------------


@pytest.mark.parametrize("section", ["Example", "Use instead"])
def test_rb007_view_blocks_the_rename(section: str, tmp_path: Path) -> None:
    text = _doc_sql("RB007", section)

    def fill(box: Sandbox) -> None:
        box.connection.execute("INSERT INTO project (id, name) VALUES (1, 'a')")

    box, error = _apply(text, tmp_path / "m", fill)
    with box:
        names = [r[0] for r in box.connection.execute("SELECT name FROM project_names")]
    fires = section == "Example"
    if fires:
        assert error is not None
        assert error.message == "error in view project_names: no such table: main.project"
    else:
        assert error is None
    assert names == ["a"]  # rolled back, or renamed with the view still working
    assert ("RB007" in _codes(text, tmp_path / "lint", "RB007")) == fires


# -- the opencode user workaround (corpus README: lines 6-19) -------------------------


def test_opencode_user_workaround(tmp_path: Path) -> None:
    source = CORPUS / "opencode"
    if not source.exists():
        pytest.skip(f"shared corpus not found at {source}")
    root = tmp_path / "migration"
    shutil.copytree(source / "migration", root)
    target = root / "20260608000000_issue31204_user_workaround" / "migration.sql"
    target.parent.mkdir()
    shutil.copyfile(source / "history" / "issue31204_user_workaround.sql", target)
    rules = [_rule(c) for c in ("RB001", "RB002", "RB003", "RB004", "RB005", "RB006",
                                "RB007", "RB008")]
    findings = run_rules(load_timeline(root), Config(), rules)
    mine = sorted((f.code, f.span.line) for f in findings if Path(f.path) == target)
    assert mine == [("RB003", 18), ("RB004", 17), ("RB005", 6)]
