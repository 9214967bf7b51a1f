"""`--since REV`: MG004/MG005 and reporting limited to changed migrations, on real git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.config import Config, config_from_table
from migrate_lint.errors import MigrateLintError
from migrate_lint.lint import lint

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
    reason="git is not installed")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c",
         "commit.gpgsign=false", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _repo(tmp_path: Path, files: dict[str, str]) -> tuple[Path, Path, str]:
    repo = tmp_path / "repo"
    root = repo / "db" / "migrations"
    root.mkdir(parents=True)
    _git(repo, "init", "-q")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    return repo, root, _git(repo, "rev-parse", "HEAD")


BASE = {
    "0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY, name text);\n",
    "0003_more.sql": "ALTER TABLE t ADD c text;\n",
}


def _codes(root: Path, since: str | None, **kw: object) -> list[tuple[str, str, int]]:
    result = lint([str(root)], Config(path=str(root), since=since, **kw))  # type: ignore[arg-type]
    return [(f.code, Path(f.path).name, f.span.line) for f in result.findings]


def test_out_of_order_migration_is_mg004(tmp_path: Path) -> None:
    _, root, rev = _repo(tmp_path, BASE)
    (root / "0002_late.sql").write_text("ALTER TABLE t ADD b text;\n", encoding="utf-8")
    (root / "0004_next.sql").write_text("ALTER TABLE t ADD d text;\n", encoding="utf-8")
    found = _codes(root, rev)
    assert ("MG004", "0002_late.sql", 1) in found
    assert not [f for f in found if f[0] == "MG004" and f[1] != "0002_late.sql"]
    assert not [f for f in _codes(root, None) if f[0] == "MG004"]  # only with --since


def test_edited_migration_is_mg005_at_first_changed_line(tmp_path: Path) -> None:
    _, root, rev = _repo(tmp_path, {
        "0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
        "0002_seq.sql": "-- add seq\nALTER TABLE t ADD seq integer;\n",
    })
    (root / "0002_seq.sql").write_text(
        "-- add seq\nALTER TABLE t ADD seq integer NOT NULL DEFAULT 0;\n", encoding="utf-8")
    found = _codes(root, rev)
    assert ("MG005", "0002_seq.sql", 2) in found
    assert not [f for f in found if f[1] == "0001_init.sql"]


def test_committed_edit_is_still_reported_against_older_rev(tmp_path: Path) -> None:
    repo, root, rev = _repo(tmp_path, BASE)
    (root / "0003_more.sql").write_text("ALTER TABLE t ADD c2 text;\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "edit")
    assert ("MG005", "0003_more.sql", 1) in _codes(root, rev)
    assert not [f for f in _codes(root, "HEAD") if f[0] == "MG005"]


def test_since_limits_reporting_to_changed_migrations(tmp_path: Path) -> None:
    # 0001 holds a finding (DL003) that existed at REV: not reported with --since
    _, root, rev = _repo(tmp_path, {
        "0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
        "0002_wipe.sql": "DELETE FROM t;\n",
    })
    (root / "0003_drop.sql").write_text("DROP TABLE t;\n", encoding="utf-8")
    everything = _codes(root, None)
    assert ("DL003", "0002_wipe.sql", 1) in everything
    since = _codes(root, rev)
    assert ("DL001", "0003_drop.sql", 1) in since  # the whole history is still replayed
    assert not [f for f in since if f[1] != "0003_drop.sql"]


def test_unknown_revision_is_a_usage_error(tmp_path: Path) -> None:
    _, root, _rev = _repo(tmp_path, BASE)
    with pytest.raises(MigrateLintError, match="not a commit"):
        _codes(root, "no-such-rev")


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text("CREATE TABLE t (id integer);\n", encoding="utf-8")
    with pytest.raises(MigrateLintError, match="--since"):
        _codes(root, "HEAD")


def test_cli_since_option_and_config_key(tmp_path: Path) -> None:
    from migrate_lint.cli import cli

    _, root, rev = _repo(tmp_path, BASE)
    (root / "0002_late.sql").write_text("ALTER TABLE t ADD b text;\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(root), "--since", rev, "--no-color"])
    assert result.exit_code == 1, result.output
    assert "MG004" in result.stdout and "0002_late.sql" in result.stdout
    bad = runner.invoke(cli, ["check", str(root), "--since", "nope"])
    assert bad.exit_code == 2
    config = config_from_table({"since": "main"}, str(tmp_path / ".migrate-lint.toml"))
    assert config.since == "main"


@pytest.mark.parametrize("code", ["MG004", "MG005", "MG009"])
def test_doc_examples_with_git(code: str, tmp_path: Path) -> None:
    """The docs' Example fires against the base the doc describes; Use instead does not."""
    if code == "MG009":
        base = {"0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
                "0002_tags.sql": "CREATE TABLE tag (id integer PRIMARY KEY, name text);\n"}
        bad = {"0003_tags.sql": base["0002_tags.sql"]}
        good = {"0002_tags.sql": base["0002_tags.sql"]}
    elif code == "MG004":
        base = BASE | {"0003_more.sql": "ALTER TABLE t ADD c text;\n"}
        bad = {"0002_b.sql": "ALTER TABLE t ADD b text;\n"}
        good = {"0004_b.sql": "ALTER TABLE t ADD b text;\n"}
    else:
        base = {"0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
                "0002_seq.sql": "ALTER TABLE t ADD seq integer;\n"}
        bad = {"0002_seq.sql": "ALTER TABLE t ADD seq integer NOT NULL DEFAULT 0;\n"}
        good = {"0003_fill.sql": "UPDATE t SET seq = 0 WHERE seq IS NULL;\n"}
    for changes, fires in ((bad, True), (good, False)):
        where = tmp_path / ("bad" if fires else "good")
        where.mkdir()
        _, root, rev = _repo(where, base)
        if code == "MG009":
            (root / "0002_tags.sql").unlink()
        for name, text in changes.items():
            (root / name).write_text(text, encoding="utf-8")
        assert any(c == code for c, _, _ in _codes(root, rev, select=(code,))) == fires


# -- edits by version, not by path --------------------------------------------------


def _found(root: Path, rev: str, **kw: object) -> list[tuple[str, str, int, str]]:
    result = lint([str(root)], Config(path=str(root), since=rev, **kw))  # type: ignore[arg-type]
    return [(f.code, Path(f.path).name, f.span.line, f.message) for f in result.findings
            if f.code in ("MG004", "MG005", "MG009")]


def test_renamed_and_edited_release_is_an_edit(tmp_path: Path) -> None:
    repo, root, rev = _repo(tmp_path, BASE)
    _git(repo, "mv", "db/migrations/0003_more.sql", "db/migrations/0003_more_columns.sql")
    (root / "0003_more_columns.sql").write_text("ALTER TABLE t ADD c2 text;\n",
                                                encoding="utf-8")
    found = _found(root, rev)
    assert [(c, n, line) for c, n, line, _ in found] == [("MG005", "0003_more_columns.sql", 1)]
    assert "then named `0003_more.sql`" in found[0][3]


def test_renamed_release_with_the_same_text_and_version_is_fine(tmp_path: Path) -> None:
    repo, root, rev = _repo(tmp_path, BASE)
    _git(repo, "mv", "db/migrations/0003_more.sql", "db/migrations/03_more.sql")
    assert _found(root, rev) == []


def test_deleted_release_is_mg009_with_the_runners_behaviour(tmp_path: Path) -> None:
    repo, root, rev = _repo(tmp_path, BASE | {"0004_last.sql": "ALTER TABLE t ADD d text;\n"})
    _git(repo, "rm", "-q", "db/migrations/0003_more.sql")
    found = _found(root, rev, runner="sqlx")
    assert [(c, n, line) for c, n, line, _ in found] == [("MG009", "0004_last.sql", 1)]
    assert "previously applied but is missing" in found[0][3]
    goose = _found(root, rev, runner="goose")
    assert "goose does not notice" in goose[0][3]
    unknown = _found(root, rev)
    assert "the runner is unknown: sqlx refuses to start, golang-migrate" in unknown[0][3]


def test_every_runner_says_what_it_does_with_edited_and_missing_files() -> None:
    from migrate_lint.runners import RUNNERS

    assert [r.name for r in RUNNERS.values() if not (r.edit_check and r.missing_check)] == []


def test_release_renamed_to_another_version_is_mg009_on_the_new_file(tmp_path: Path) -> None:
    repo, root, rev = _repo(tmp_path, BASE)
    _git(repo, "mv", "db/migrations/0003_more.sql", "db/migrations/0005_more.sql")
    found = _found(root, rev, runner="golang-migrate", layout="flat")
    assert [(c, n, line) for c, n, line, _ in found] == [("MG009", "0005_more.sql", 1)]
    assert "renamed to `0005_more`" in found[0][3] and "no migration found" in found[0][3]


@pytest.mark.parametrize(("runner", "says"), [
    ("sqlx", "SHA-384"), ("prisma", "asks to reset"), ("flyway", "flyway repair"),
    ("goose", "goose keeps no checksum"), ("drizzle", "never compares it"),
    (None, "the runner is unknown")])
def test_mg005_names_the_runners_own_behaviour(runner: str | None, says: str,
                                                tmp_path: Path) -> None:
    _, root, rev = _repo(tmp_path, BASE)
    (root / "0003_more.sql").write_text("ALTER TABLE t ADD c2 text;\n", encoding="utf-8")
    found = _found(root, rev, runner=runner)
    assert [c for c, *_ in found] == ["MG005"]
    assert says in found[0][3]
    if runner != "sqlx":
        assert "SHA-384" not in found[0][3]


def test_prisma_knows_migrations_by_folder_name(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = repo / "prisma" / "migrations"
    for name, text in {
        "20230101000000_init/migration.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
        "20230102000000_tags/migration.sql": "CREATE TABLE tag (id integer PRIMARY KEY);\n",
        "migration_lock.toml": 'provider = "sqlite"\n',
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    rev = _git(repo, "rev-parse", "HEAD")
    _git(repo, "mv", "prisma/migrations/20230102000000_tags",
         "prisma/migrations/20230102000000_add_tags")
    found = _found(root, rev)
    assert [(c, n) for c, n, _, _ in found] == [("MG009", "migration.sql")]
    assert "renamed to `20230102000000_add_tags`" in found[0][3]
    assert "prisma migrate" in found[0][3]
