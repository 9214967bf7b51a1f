"""One history read per command: each migration file is read once by check, fix, schema.

Discovery reads every file through `bounded.read_regular`; counting its calls per
file counts how often a command read the history. `fix` makes its corrected history
in memory and replays it once: the lint run of the corrected rules, the proofs and the
end-state rebuilds share that replay.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint import bounded
from migrate_lint.cli import cli

DEMO = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Calls of bounded.read_regular, by real path."""
    counts: Counter[str] = Counter()
    real = bounded.read_regular

    def counting(path: str, *args: object, **kwargs: object) -> bytes:
        counts[os.path.realpath(path)] += 1
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bounded, "read_regular", counting)
    return counts


def _demo(tmp_path: Path) -> tuple[Path, list[Path]]:
    root = tmp_path / "migrations"
    shutil.copytree(DEMO, root)
    return root, sorted(root.iterdir())


def _per_file(reads: Counter[str], files: list[Path]) -> list[int]:
    return [reads[os.path.realpath(f)] for f in files]


@pytest.mark.parametrize("args", [
    ["check"],
    ["check", "--format", "json"],
    ["schema"],
    ["schema", "--format", "json"],
    ["fix"],
])
def test_each_command_reads_the_history_once(tmp_path: Path, reads: Counter[str],
                                              args: list[str]) -> None:
    root, files = _demo(tmp_path)
    result = CliRunner().invoke(cli, [args[0], str(root), *args[1:]])
    assert result.exit_code in (0, 1), result.output
    assert _per_file(reads, files) == [1] * len(files)


def test_check_of_files_reads_their_history_once(tmp_path: Path, reads: Counter[str]) -> None:
    """Pre-commit passes files: finding their history and replaying it is one read
    (it was three for two files: one discovery per file, then the replay)."""
    _root, files = _demo(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(files[-1]), str(files[-2])])
    assert result.exit_code == 1, result.output
    assert _per_file(reads, files) == [1] * len(files)


def test_fix_reads_no_corrected_copy(tmp_path: Path, reads: Counter[str]) -> None:
    """The corrected history is made in memory from the edited texts (fix/edited.py):
    no scratch copy of the directory is written or read."""
    root, files = _demo(tmp_path)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    assert _per_file(reads, files) == [1] * len(files)
    copies = [p for p in reads if "migrate-lint-fix-" in p]
    assert copies == [], copies
