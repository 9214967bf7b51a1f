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
