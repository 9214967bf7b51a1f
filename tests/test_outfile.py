"""`check -o` and `baseline -o` write the file as the report is rendered, and whole or
not at all: a run that fails half-way leaves the last good report, not half a new one."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from migrate_lint.outfile import write_pieces


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_is_written_whole_with_the_mode_open_gives(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_pieces(str(target), ["{", '"a": 1', "}"])
    assert target.read_text(encoding="utf-8") == '{"a": 1}'
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert _leftovers(tmp_path) == []


def test_a_failure_half_way_leaves_the_old_report(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("the last good report", encoding="utf-8")
    target.chmod(0o640)

    def pieces() -> Iterator[str]:
        yield "half of a new"
        raise RuntimeError("the renderer failed")

    with pytest.raises(RuntimeError):
        write_pieces(str(target), pieces())
    assert target.read_text(encoding="utf-8") == "the last good report"
    assert _leftovers(tmp_path) == []
    write_pieces(str(target), ["new"])
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the replaced file's mode


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    write_pieces(str(link), ["new"])
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    write_pieces(str(fifo), ["a", "b"])
    reader.join(timeout=10)
    assert got == ["ab"] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_missing_folder_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "report.json"
    with pytest.raises(OSError) as err:
        write_pieces(str(target), ["x"])
    assert err.value.filename == str(target) and err.value.strerror


def test_newlines_are_written_as_asked(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    write_pieces(str(target), ["a\nb\n"], newline="\n")
    assert target.read_bytes() == b"a\nb\n"
