"""The texts of a history's files kept by stat (`lintcache.TextMemo`): a warm run reads
no file that is as it was, and reads again every file that changed in any way.

Real files and real runs of `check` (in this process, so that the margin of the racy
rule, one second, can be set to nothing: the files here are moments old).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint import bounded, lintcache
from migrate_lint.cli import cli

CLEAN_ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "FORCE_COLOR": None}
FILES = {
    "0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY, a text);\n",
    "0002_more.sql": "ALTER TABLE t ADD b text;\n",
    "0003_rename.sql": "ALTER TABLE t RENAME COLUMN a TO c;\n",
}


def _history(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(text)
    return root


def _check(*args: str) -> dict[str, object]:
    done = CliRunner(env=CLEAN_ENV).invoke(cli, ["check", "--format", "json", *args])
    assert done.exit_code in (0, 1), done.output
    return dict(json.loads(done.stdout))


def _reads(monkeypatch: pytest.MonkeyPatch, root: Path) -> list[str]:
    """The files under ``root`` read from now on (every read goes through bounded)."""
    read: list[str] = []
    real = bounded.read_regular

    def counted(path: str, limit: int = bounded.MAX_BYTES) -> bytes:
        if Path(path).resolve().parent == root.resolve():
            read.append(Path(path).name)
        return real(path, limit)

    monkeypatch.setattr(bounded, "read_regular", counted)
    return read


def _memo(cache: Path) -> list[str]:
    return [p.name for p in cache.iterdir() if p.name.startswith("text-")]


@pytest.fixture
def no_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lintcache, "RACY_NS", 0)


@pytest.mark.usefixtures("no_margin")
def test_warm_run_reads_only_what_changed_and_reports_as_a_cold_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = _history(tmp_path), tmp_path / "cache"
    new = root / "0003_rename.sql"
    filled = _check(str(root), "--cache-dir", str(cache))
    assert len(_memo(cache)) == 1
    reads = _reads(monkeypatch, root)
    assert _check(str(new), "--cache-dir", str(cache))["findings"] == [
        f for f in filled["findings"] if f["path"] == str(new)]  # type: ignore[attr-defined]
    assert reads == []  # every text from the memo
    # the same size, another content, the old modification time put back (`cp -p`):
    # the status change time tells
    stat = new.stat()
    new.write_text("ALTER TABLE t RENAME COLUMN b TO d;\n")
    os.utime(new, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert new.stat().st_size == stat.st_size
    warm = _check(str(new), "--cache-dir", str(cache))
    assert reads == ["0003_rename.sql"]
    cold = _check(str(new), "--no-cache")
    assert warm == cold and "`b`" in json.dumps(warm)
    # a file removed and another added: neither is taken from the memo
    (root / "0002_more.sql").unlink()
    (root / "0004_last.sql").write_text("DROP TABLE t;\n")
    reads.clear()
    warm = _check(str(root), "--cache-dir", str(cache))
    # the edited file is read again too: a few changed files do not rewrite the memo
    assert sorted(reads) == ["0003_rename.sql", "0004_last.sql"]
    assert warm == _check(str(root), "--no-cache")


def test_files_changed_around_the_run_are_not_kept(tmp_path: Path) -> None:
    """The racy rule: these files are younger than the margin when the run starts, so
    what the run read of them is not kept (they may change within the same tick)."""
    root, cache = _history(tmp_path), tmp_path / "cache"
    _check(str(root), "--cache-dir", str(cache))
    assert _memo(cache) == []


@pytest.mark.usefixtures("no_margin")
def test_damaged_memo_is_ignored_and_rebuilt(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = _history(tmp_path), tmp_path / "cache"
    cold = _check(str(root), "--no-cache")
    _check(str(root), "--cache-dir", str(cache))
    entry = cache / _memo(cache)[0]
    entry.write_bytes(entry.read_bytes()[:-7])  # a killed write
    for result in list(cache.iterdir()):
        if result.name.startswith("res-"):
            result.unlink()  # so that the history is read again
    reads = _reads(monkeypatch, root)
    assert _check(str(root), "--cache-dir", str(cache)) == cold
    assert sorted(reads) == sorted(FILES)
    reads.clear()
    for result in list(cache.iterdir()):
        if result.name.startswith("res-"):
            result.unlink()
    assert _check(str(root), "--cache-dir", str(cache)) == cold
    assert reads == []


@pytest.mark.usefixtures("no_margin")
def test_memo_serves_only_its_own_directory(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Two histories with files of the same names, one cache: each keeps its own."""
    cache = tmp_path / "cache"
    first = _history(tmp_path)
    second = tmp_path / "other"
    second.mkdir()
    (second / "0001_init.sql").write_text("CREATE TABLE u (id integer PRIMARY KEY);\n")
    (second / "0002_more.sql").write_text("DROP TABLE u;\n")
    _check(str(first), "--cache-dir", str(cache))
    assert _check(str(second / "0002_more.sql"), "--cache-dir", str(cache)) == _check(
        str(second / "0002_more.sql"), "--no-cache")
    assert len(_memo(cache)) == 2


@pytest.mark.usefixtures("no_margin")
def test_memo_keeps_the_hashes_the_cache_names_its_entries_by(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm run takes each served text's hash from the memo (hashing no file), and
    names its entries as a run that hashes every text."""
    from migrate_lint import chain as chain_module
    from migrate_lint.cache import Store
    from migrate_lint.discover import discover

    root, cache = _history(tmp_path), tmp_path / "cache"
    new = root / "0003_rename.sql"
    filled = _check(str(root), "--cache-dir", str(cache))
    hashed: list[int] = []
    real = chain_module.text_hash_of

    def counted(text: str) -> str:
        hashed.append(len(text))
        return real(text)

    monkeypatch.setattr(chain_module, "text_hash_of", counted)
    assert _check(str(new), "--cache-dir", str(cache))["findings"] == [
        f for f in filled["findings"] if f["path"] == str(new)]  # type: ignore[attr-defined]
    assert hashed == []
    memo = lintcache.TextMemo(Store(str(cache), []), str(root))
    found = discover(str(root), None, memo.known())
    assert sorted(memo.hashed()) == sorted(str(root / name) for name in FILES)
    warm = lintcache.HistoryCache(memo.store, found, [], memo.hashed())
    assert hashed == []
    assert warm.chain == chain_module.chain(found, lintcache.installation())
    assert len(hashed) == len(FILES)
