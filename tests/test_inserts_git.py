"""``--writers-from REV``: older builds' inserts, read from a real git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from migrate_lint.config import Config
from migrate_lint.engine import rule_by_code, run_rules
from migrate_lint.errors import MigrateLintError
from migrate_lint.inserts import collect_sites
from migrate_lint.pipeline import load_timeline

# Through the registry: the wheel ships the rules as migrate_lint.rules.
InsertOmitsRequiredColumn = rule_by_code("NN002")
assert InsertOmitsRequiredColumn is not None

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "apps" / "seqbug"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """First commit: the old insert without seq. Second: the seq migration, insert fixed."""
    root = tmp_path / "repo"
    (root / "migrations").mkdir(parents=True)
    (root / "src").mkdir()
    for name in ("20260101090000_create_session.sql",
                 "20260115120000_create_session_message.sql"):
        shutil.copy(FIXTURE / "migrations" / name, root / "migrations" / name)
    shutil.copy(FIXTURE / "drizzle" / "schema.ts", root / "src" / "schema.ts")
    shutil.copy(FIXTURE / "drizzle" / "session.ts", root / "src" / "session.ts")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "old writer")
    shutil.copy(FIXTURE / "migrations" / "20260603040000_session_message_order.sql",
                root / "migrations")
    schema = root / "src" / "schema.ts"
    schema.write_text(schema.read_text().replace(
        '.notNull(),\n});', '.notNull(),\n  seq: integer("seq").notNull(),\n});'))
    session = root / "src" / "session.ts"
    session.write_text(session.read_text().replace("time_created, data }",
                                                   "time_created, data, seq: 1 }"))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "order messages; fix the insert")
    return root


def test_older_writer_is_reported(repo: Path) -> None:
    timeline = load_timeline(repo / "migrations")
    current = collect_sites([str(repo / "src")])
    assert run_rules(timeline, Config(), [InsertOmitsRequiredColumn], current.sites) == []

    both = collect_sites([str(repo / "src")], writers_from="HEAD~1")
    old = [s for s in both.sites if s.revision == "HEAD~1"]
    assert [(s.table, s.origin, s.columns) for s in old] == [
        ("session_message", "drizzle", ("id", "session_id", "type", "time_created", "data"))]
    findings = run_rules(timeline, Config(), [InsertOmitsRequiredColumn], both.sites)
    assert [(f.get("column"), f.get("revision")) for f in findings] == [("seq", "HEAD~1")]
    assert findings[0].span.path == str(repo / "src" / "session.ts")
    assert findings[0].span.line == 8
    assert ("writers from HEAD~1 will fail with NOT NULL constraint failed: "
            "session_message.seq after migration 20260603040000_session_message_order"
            ) in findings[0].message


def test_unchanged_sites_are_not_duplicated(repo: Path) -> None:
    both = collect_sites([str(repo / "src")], writers_from="HEAD")
    assert all(s.revision is None for s in both.sites)


def test_bad_revision_and_no_repository(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(MigrateLintError, match="git"):
        collect_sites([str(repo / "src")], writers_from="no-such-rev")
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(MigrateLintError):
        collect_sites([str(outside)], writers_from="HEAD")


def test_check_writers_from_reports_the_older_writer_only(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's acceptance, through the command a user runs."""
    from click.testing import CliRunner

    from migrate_lint.cli import cli

    monkeypatch.chdir(repo)
    args = ["check", "migrations", "--insert-paths", "src", "--format", "json",
            "--select", "NN002"]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 0, plain.output
    older = CliRunner().invoke(cli, [*args, "--writers-from", "HEAD~1"])
    assert older.exit_code == 1, older.output
    found = json.loads(older.stdout)["findings"]
    assert [(f["code"], f["path"]) for f in found] == [("NN002", "src/session.ts")]
    assert "writers from HEAD~1 will fail" in found[0]["message"]
