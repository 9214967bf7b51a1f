"""Acceptance on the real opencode history with the original 20260603040000 migration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from migrate_lint.cli import cli
from migrate_lint.pipeline import load_history
from migrate_lint.sandbox import Sandbox
from migrate_lint.synth import fill

ORDER = "20260603040000_session_message_projection_order"
SEED_COLUMNS = "id, session_id, type, time_created, data"

pytestmark = pytest.mark.corpus


def _copy(tmp_path: Path) -> Path:
    source = CORPUS / "opencode" / "migration"
    original = CORPUS / "opencode" / "history" / f"{ORDER}.migration.sql@ee12f110b.sql"
    if not source.exists() or not original.exists():
        pytest.skip(f"shared corpus not found at {CORPUS} (it sits beside the project in CI)")
    root = tmp_path / "migration"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("snapshot.json"))
    # The original migration, without the DELETE upstream later put in front.
    shutil.copyfile(original, root / ORDER / "migration.sql")
    return root


def _run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fix", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_failing_add_is_corrected_in_place(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    code, out, _err = _run(root, "--write")
    assert code in (0, 1), out  # 1: the workspace plan fails a check (see below)
    text = (root / ORDER / "migration.sql").read_text()
    assert "ADD `seq` integer NOT NULL DEFAULT 0;" in text
    # The history now applies on a database holding sessions and messages.
    history = load_history(root)
    index = history.find(ORDER)
    assert index is not None
    with Sandbox(history.runner) as box:
        for m in history.migrations[:index]:
            assert box.apply(m.up.statements) is None, m.label
        counts = fill(box.connection)
        assert counts["session"] > 0 and counts["session_message"] > 0
        for m in history.migrations[index:]:
            assert box.apply(m.up.statements) is None, m.label
    # The workspace NN001 is not written: a later migration (20260410174513, a drizzle
    # rebuild copying NULL into NOT NULL `name`) fails on populated databases anyway.
    assert "rest-of-history-applies" in out and "20260410174513" in out


def test_nn006_refuses_constant_default_for_older_writers(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _code, out, _ = _run(root, "--select", "NN002", "--writers-omit", "session_message.seq")
    assert "NN006" in out and "refused" in out
    assert "session_message_session_seq_idx" in out
    assert "DEFAULT 0" not in out.split("NN006", 1)[1].split("\n", 1)[1].split("--- new")[0]
    # --set + --force insists on the constant default
    _code, forced, _ = _run(root, "--select", "NN002", "--writers-omit", "session_message.seq",
                            "--set", "session_message.seq=0", "--force")
    assert "refused" not in forced.split("session_message")[0]
    assert "has DEFAULT 0" in forced


@pytest.mark.parametrize("alternative", ["trigger", "nullable"])
def test_alternative_keeps_indexes_and_accepts_two_inserts(tmp_path: Path,
                                                           alternative: str) -> None:
    root = _copy(tmp_path)
    _code, out, _ = _run(root, "--select", "NN001,NN002", "--writers-omit",
                        "session_message.seq", "--alternative", alternative, "--write")
    assert "NN006" in out
    new = sorted(root.glob("*_fix_session_message_seq/migration.sql"))
    assert len(new) == 1, out
    section = out.split(str(new[0]), 1)[1]
    for n in range(1, 16):
        assert f"[pass] {n:>2}." in section
    history = load_history(root)
    with Sandbox(history.runner) as box:
        for m in history.migrations:
            assert box.apply(m.up.statements) is None, m.label
        conn = box.connection
        names = {r[0] for r in conn.execute(
            "SELECT name FROM pragma_index_list('session_message')")}
        assert {"session_message_session_seq_idx", "session_message_session_type_seq_idx",
                "session_message_time_created_idx",
                "session_message_session_time_created_id_idx"} <= names
        conn.execute("INSERT INTO project (id, worktree, time_created, time_updated, sandboxes)"
                     " VALUES ('p', '/', 1, 1, '[]')")
        conn.execute("INSERT INTO session (id, project_id, slug, directory, title, version, "
                     "time_created, time_updated) VALUES ('s', 'p', 's', '/', 't', '1', 1, 1)")
        for i in range(2):
            conn.execute(f"INSERT INTO session_message ({SEED_COLUMNS}, time_updated) "
                         f"VALUES ('m{i}', 's', 'user', 1, '{{}}', 1)")
        seqs = [r[0] for r in conn.execute("SELECT seq FROM session_message ORDER BY id")]
        assert seqs == ([0, 1] if alternative == "trigger" else [None, None])
