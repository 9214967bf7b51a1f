"""`realpaths.reals`: each path's real path as `realpaths.real` gives it, whether its
directory's listing or a system call per file says which files are links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrate_lint.realpaths import real, reals


@pytest.mark.parametrize("count", [3, 40])  # below and above the listing's threshold
def test_reals_equal_real_for_files_links_and_missing_files(count: int, tmp_path: Path) -> None:
    folder, other = tmp_path / "m", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    for number in range(count):
        (folder / f"{number:03d}.sql").write_text("")
    (other / "t.sql").write_text("")
    os.symlink(other / "t.sql", folder / "link.sql")
    os.symlink(folder, tmp_path / "dirlink")
    paths = [str(folder / f"{n:03d}.sql") for n in range(count)]
    paths += [str(folder / "link.sql"), str(folder / "missing.sql"), str(folder / "link.sql")]
    paths += [str(tmp_path / "dirlink" / f"{n:03d}.sql") for n in range(count)]
    paths += [str(tmp_path / "dirlink" / "link.sql"), str(tmp_path), str(folder) + os.sep]
    got = reals(paths)
    assert list(got) == list(dict.fromkeys(paths))  # in the order given, once each
    assert {path: real(path) for path in paths} == got
    assert got[str(folder / "link.sql")] == real(str(other / "t.sql"))


def test_a_lint_run_hands_its_real_paths_to_the_lint_of_a_given_timeline(tmp_path: Path) -> None:
    """`fix` lints its corrected history with the first run's real paths: the run takes
    those it is handed, resolves the others, and finds what a run resolving all finds."""
    from migrate_lint.config import Config
    from migrate_lint.lint import lint

    target = tmp_path / "target"
    target.mkdir()
    (target / "0001_a.sql").write_text("CREATE TABLE a (id integer PRIMARY KEY);\n")
    (target / "0002_b.sql").write_text("ALTER TABLE a ADD b integer NOT NULL;\n")
    (target / "0003_c.sql").write_text("ALTER TABLE a ADD c integer NOT NULL;\n")
    root = tmp_path / "m"
    os.symlink(target, root)  # spelled through a link: the real paths are the target's
    config = Config(path=str(root))
    first = lint([str(root)], config)
    spellings = [str(root / name) for name in ("0001_a.sql", "0002_b.sql", "0003_c.sql")]
    assert dict(first.real_paths[0]) == {p: real(p) for p in spellings}
    assert first.real_paths[0][spellings[1]] == real(str(target / "0002_b.sql"))
    assert [f.code for f in first.findings] == ["NN001", "NN001"]
    # handed two of the three, the run resolves the third
    handed = {p: q for p, q in first.real_paths[0].items() if p != spellings[1]}
    again = lint([str(root)], config, timelines={str(root): first.timelines[0]},
                 real_paths=handed)
    assert dict(again.real_paths[0]) == dict(first.real_paths[0])
    assert again.findings == first.findings
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in first.findings]
