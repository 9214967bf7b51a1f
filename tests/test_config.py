"""Configuration files: discovery by walking up, keys, types and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_lint.config import Config, find_config, load_config, parse_sqlite_version
from migrate_lint.errors import MigrateLintError


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_without_a_file(here: Path) -> None:
    assert load_config() == Config()
    assert find_config() is None


def test_pyproject_table_found_walking_up(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.migrate-lint]\npath = "db/migrations"\n'
        'select = ["NN", "dl001"]\nfail-on = "error"\nsqlite-version = "3.35"\n'
        'insert-paths = ["src"]\n[tool.migrate-lint.severity]\nFK003 = "warning"\n')
    sub = here / "src" / "pkg"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    config = load_config()
    assert config.path == "../../db/migrations"
    assert config.insert_paths == ("..",)
    assert config.select == ("NN", "DL001")
    assert config.fail_on == "error"
    assert config.sqlite_version == (3, 35)
    assert config.severity == (("FK003", "warning"),)
    assert config.source is not None and config.source.endswith("pyproject.toml")


def test_pyproject_without_table_is_passed_over(here: Path) -> None:
    (here / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config() is None


def test_dotfile_wins_over_pyproject(here: Path) -> None:
    (here / "pyproject.toml").write_text('[tool.migrate-lint]\nfail-on = "info"\n')
    (here / ".migrate-lint.toml").write_text('fail-on = "error"\nlayout = "folder"\n')
    config = load_config()
    assert (config.fail_on, config.layout) == ("error", "folder")


def test_explicit_file(here: Path) -> None:
    (here / "custom.toml").write_text('runner = "goose"\nsql-functions = ["my_fn"]\n')
    config = load_config("custom.toml")
    assert config.runner == "goose" and config.sql_functions == ("my_fn",)
    with pytest.raises(MigrateLintError, match=r"nope\.toml"):
        load_config("nope.toml")


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ('fail_on = "error"\n', ["`fail_on`", "`fail-on`", ".migrate-lint.toml"]),
        ('zzzzzz = 1\n', ["`zzzzzz`", ".migrate-lint.toml"]),
        ('select = "NN001"\nignore = 3\n', ["`ignore`", "list of strings"]),
        ('path = ["a"]\n', ["`path`", "string"]),
        ('fail-on = "fatal"\n', ["`fail-on`", "fatal"]),
        ('layout = "rails"\n', ["`layout`", "rails"]),
        ('sqlite-version = 3.40\n', ["`sqlite-version`", "string"]),
        ('sqlite-version = "three"\n', ["sqlite-version", "three"]),
        ('severity = "error"\n', ["`severity`", "table"]),
        ('[severity]\nNN001 = "fatal"\n', ["severity.NN001", "fatal"]),
        ('this is not toml', ["invalid TOML"]),
    ],
)
def test_bad_files(here: Path, body: str, needles: list[str]) -> None:
    (here / ".migrate-lint.toml").write_text(body)
    with pytest.raises(MigrateLintError) as info:
        load_config()
    message = str(info.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message


def test_unknown_key_in_pyproject_names_table(here: Path) -> None:
    (here / "pyproject.toml").write_text('[tool.migrate-lint]\npaht = "m"\n')
    with pytest.raises(MigrateLintError, match=r"`paht` in \[tool.migrate-lint\]; did you mean `path`"):
        load_config()


def test_merged_keeps_unset_flags() -> None:
    base = Config(fail_on="error", layout="flat")
    merged = base.merged(fail_on=None, layout="goose", verbose=True, writers_from="HEAD~1")
    assert (merged.fail_on, merged.layout, merged.verbose, merged.writers_from) == (
        "error", "goose", True, "HEAD~1")


def test_sqlite_version() -> None:
    assert parse_sqlite_version("3.40") == (3, 40)
    assert parse_sqlite_version("3.45.1") == (3, 45)
    with pytest.raises(MigrateLintError, match="--sqlite-version"):
        parse_sqlite_version("3")
