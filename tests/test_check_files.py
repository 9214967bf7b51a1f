"""`check FILES` looks at the given files only, and reports what a whole run reports there.

The oracle: for a migration file F of a real history, the findings of `check F` equal
the findings of `check <its directory>` that sit in F. `check F` runs the per-statement
rules on F's migration only and the whole-history rules only where F's migration
changes something (`HistoryContext.scope`), so this is what keeps that honest.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import corpus_path

from migrate_lint.config import Config
from migrate_lint.discover import discover
from migrate_lint.findings import Finding
from migrate_lint.lint import lint

pytestmark = pytest.mark.corpus

# name -> (folder under ../shared/corpus, configuration the project runs with)
CORPORA: dict[str, tuple[tuple[str, ...], dict[str, object]]] = {
    "opencode": (("opencode", "migration"), {}),
    "karakeep": (("karakeep", "packages", "db", "drizzle"), {}),
    "navidrome": (("realworld", "navidrome", "db", "migrations"), {}),
    "homarr": (("realworld", "homarr", "packages", "db", "migrations", "sqlite"), {}),
    "stash": (("realworld", "stash", "pkg", "sqlite", "migrations"),
              {"foreign_keys": False, "sql_functions": ("durationToTinyInt",)}),
    "pingvin-share": (("realworld", "pingvin-share", "backend", "prisma", "migrations"), {}),
}


def _files_to_check(root: Path, whole: list[Finding]) -> list[str]:
    """Every file with a finding, and every fifth file besides (first and last too)."""
    files = [path for source in discover(str(root)).migrations for path in source.files()]
    chosen = {f.path for f in whole} | set(files[::5]) | {files[0], files[-1]}
    return [f for f in files if f in chosen]


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_check_file_equals_whole_run_in_that_file(name: str) -> None:
    parts, settings = CORPORA[name]
    root = corpus_path(*parts)
    config = Config(path=str(root), **settings)  # type: ignore[arg-type]
    whole = list(lint([str(root)], config).findings)
    assert whole, "the oracle needs findings to compare"
    checked = _files_to_check(root, whole)
    for file in checked:
        alone = list(lint([file], config).findings)
        expected = [f for f in whole if os.path.realpath(f.path) == os.path.realpath(file)]
        assert alone == expected, file


def test_check_two_files_of_one_history(tmp_path: Path) -> None:
    """Two given files: the findings of both, and no finding of the file between them."""
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY, name text);\nINSERT INTO t VALUES (1, 'a');\n")
    (root / "0002_bad.sql").write_text("ALTER TABLE t ADD a integer NOT NULL;\n")
    (root / "0003_between.sql").write_text("ALTER TABLE t ADD b integer NOT NULL;\n")
    (root / "0004_bad.sql").write_text("ALTER TABLE t ADD c integer NOT NULL;\n")
    config = Config(path=str(root))
    whole = lint([str(root)], config).findings
    assert {Path(f.path).name for f in whole} == {"0002_bad.sql", "0003_between.sql",
                                                  "0004_bad.sql"}
    given = [str(root / "0002_bad.sql"), str(root / "0004_bad.sql")]
    alone = lint(given, config).findings
    assert list(alone) == [f for f in whole if Path(f.path).name != "0003_between.sql"]


def _generator():  # type: ignore[no-untyped-def]
    """benchmarks/generate.py, the history generators of the benchmarks."""
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", range(12))
def test_check_file_equals_whole_run_on_generated_histories(seed: int, tmp_path: Path) -> None:
    """Histories with dangling and non-unique foreign keys, rebuilds that change column
    types and tables touched long after their problems began (FK001/FK002/DL006)."""
    root = tmp_path / "migrations"
    _generator().generate_growing_history(root, statements=160, per_migration=8, seed=seed)
    config = Config(path=str(root))
    whole = list(lint([str(root)], config).findings)
    files = sorted(str(p) for p in root.glob("*.sql"))
    for file in [*files[-3:], *files[seed % 4::6]]:
        alone = list(lint([file], config).findings)
        assert alone == [f for f in whole if f.path == file], file


def test_foreign_key_problem_of_an_earlier_migration_is_not_reported_again(
        tmp_path: Path) -> None:
    """FK001/FK002 report a key in the migration that broke it: a later migration that
    touches the child (or the parent) is not blamed, also when it is checked alone."""
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text(
        "CREATE TABLE parent (id integer PRIMARY KEY, code text);\n"
        "CREATE TABLE child (id integer PRIMARY KEY, p integer REFERENCES gone(id), "
        "q text REFERENCES parent(code));\n")
    (root / "0002_touch.sql").write_text(
        "ALTER TABLE child ADD note text;\nALTER TABLE parent ADD other text;\n")
    (root / "0003_fix_one.sql").write_text("CREATE UNIQUE INDEX parent_code ON parent (code);\n")
    (root / "0004_break.sql").write_text("DROP INDEX parent_code;\n")
    config = Config(path=str(root), select=("FK001", "FK002"))
    whole = lint([str(root)], config).findings
    assert [(f.code, Path(f.path).name) for f in whole] == [
        ("FK001", "0001_init.sql"), ("FK002", "0001_init.sql"), ("FK002", "0004_break.sql")]
    for name in ("0002_touch.sql", "0003_fix_one.sql", "0004_break.sql"):
        file = str(root / name)
        assert list(lint([file], config).findings) == [f for f in whole if f.path == file]
