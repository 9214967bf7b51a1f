"""Migration SQL never leaves the sandbox: ATTACH, VACUUM INTO, load_extension, file pragmas.

The reproducer of the security review: a migration that attaches the user's
``app.db`` (relative to the current directory) and empties a table of it, then
writes a copy with ``VACUUM INTO``. ``schema --verify`` and ``fix`` (a dry run is
enough) used to run it for real.
"""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint import scratch
from migrate_lint.cli import cli
from migrate_lint.sandbox import Piece, Sandbox
from migrate_lint.span import LineIndex

ROOT = Path(__file__).resolve().parent.parent

EVIL = """ATTACH DATABASE 'app.db' AS prod;
DELETE FROM prod.users;
VACUUM INTO 'copy.db';
ALTER TABLE t ADD b integer NOT NULL;
"""


def _tree(root: Path) -> list[tuple[str, int, int]]:
    """Every path under ``root`` with its size and mtime: what a write would change."""
    out = []
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        out.append((str(path.relative_to(root)), st.st_size, st.st_mtime_ns))
    return out


@pytest.fixture
def attacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose migration attacks ``app.db`` in the current directory."""
    db = sqlite3.connect(tmp_path / "app.db")
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO users VALUES (?)", [(1,), (2,), (3,)])
    db.commit()
    db.close()
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "20240101000000_init.sql").write_text(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
    )
    (migrations / "20240102000000_evil.sql").write_text(EVIL)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _users(project: Path) -> int:
    conn = sqlite3.connect(project / "app.db")
    try:
        return int(conn.execute("SELECT count(*) FROM users").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize(
    "args",
    [
        ["schema", "migrations", "--verify"],
        ["fix", "migrations"],
        ["check", "migrations"],
    ],
    ids=["schema-verify", "fix-dry-run", "check"],
)
def test_attack_leaves_real_files_untouched(attacked: Path, args: list[str]) -> None:
    before = _tree(attacked)
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert _users(attacked) == 3
    assert _tree(attacked) == before
    assert not (attacked / "copy.db").exists()


def test_refusal_is_reported_by_verify(attacked: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "migrations", "--verify"])
    assert result.exit_code == 1
    assert "refused by migrate-lint's sandbox: ATTACH of the file 'app.db'" in result.output
    assert "20240102000000_evil.sql:1:1" in result.output


def _piece(text: str) -> Piece:
    return Piece(text, LineIndex("0001.sql", text).span(0, len(text)))


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ("ATTACH DATABASE 'app.db' AS prod", "ATTACH of the file 'app.db'"),
        ("ATTACH 'file:app.db?mode=rwc' AS prod", "ATTACH of the file 'file:app.db?mode=rwc'"),
        ("ATTACH 'app' || '.db' AS prod", "ATTACH of a computed file name"),
        ("VACUUM INTO 'copy.db'", "ATTACH of the file 'copy.db'"),
        ("SELECT load_extension('evil')", "load_extension()"),
        ("PRAGMA temp_store_directory = '.'", "PRAGMA temp_store_directory"),
    ],
)
def test_sandbox_refuses_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, statement: str, refused: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with Sandbox("prisma") as box:  # autocommit: VACUUM runs outside a transaction
        error = box.apply([_piece("CREATE TABLE t (a);"), _piece(statement)])
    assert error is not None and error.piece_index == 1
    assert error.message.startswith("refused by migrate-lint's sandbox: ")
    assert refused in error.message
    assert list(tmp_path.iterdir()) == []


def test_in_memory_attach_still_works() -> None:
    with Sandbox("prisma") as box:  # autocommit: VACUUM runs outside a transaction
        error = box.apply(
            [
                _piece("ATTACH DATABASE ':memory:' AS aux"),
                _piece("CREATE TABLE aux.t (a)"),
                _piece("DETACH DATABASE aux"),
            ]
        )
    assert error is None


def test_every_connection_is_a_scratch_connection() -> None:
    """Only scratch.py calls sqlite3.connect: no module can forget the authorizer."""
    offenders = []
    for folder in ("migrate_lint", "rules"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "scratch.py":
                continue
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == "connect"
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "sqlite3"
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_scratch_connection_keeps_temp_storage_in_memory() -> None:
    conn = scratch.connect()
    try:
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # 2 = MEMORY
    finally:
        conn.close()
