"""`fix --write` writes all of a fix or none of it: journals, kills, locks, modes, CRLF."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli
from migrate_lint.fix.write import LOCK, MANIFEST, diff, recover
from migrate_lint.pipeline import load_history


def _drizzle(root: Path, *, crlf: bool = False) -> None:
    """Two tables, then one migration adding a NOT NULL column to each: two follow-ups."""
    root.mkdir(parents=True)
    (root / "0000_init.sql").write_text(
        "CREATE TABLE a (id integer PRIMARY KEY);\n--> statement-breakpoint\n"
        "CREATE TABLE b (id integer PRIMARY KEY);\n")
    (root / "0001_add.sql").write_text(
        "ALTER TABLE a ADD x integer NOT NULL;\n--> statement-breakpoint\n"
        "ALTER TABLE b ADD y text NOT NULL;\n")
    (root / "meta").mkdir()
    entries = [{"idx": i, "version": "6", "when": 1735689600000 + i, "tag": tag,
                "breakpoints": True} for i, tag in enumerate(["0000_init", "0001_add"])]
    text = json.dumps({"version": "7", "dialect": "sqlite", "entries": entries}, indent=2)
    if crlf:
        text = text.replace("\n", "\r\n")
    (root / "meta" / "_journal.json").write_bytes(text.encode())


def _files(root: Path) -> dict[str, bytes]:
    """Every file's bytes; the journal's clock-based ``when`` values left out."""
    out = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.name == "_journal.json":
            journal = json.loads(data)
            for entry in journal["entries"]:
                entry.pop("when", None)
            data = json.dumps(journal).encode()
        out[str(p.relative_to(root))] = data
    return out


def test_two_follow_ups_are_both_in_the_drizzle_journal(tmp_path: Path) -> None:
    root = tmp_path / "drizzle"
    _drizzle(root)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    journal = json.loads((root / "meta" / "_journal.json").read_text())
    tags = [e["tag"] for e in journal["entries"]]
    files = sorted(p.stem for p in root.glob("*.sql"))
    assert tags == files, (tags, files)  # every migration file is listed, in order
    assert len(tags) == 4
    whens = [e["when"] for e in journal["entries"]]
    assert whens == sorted(set(whens))
    assert [m.label for m in load_history(root).migrations] == files


def test_crlf_journal_stays_crlf_and_is_written(tmp_path: Path) -> None:
    root = tmp_path / "drizzle"
    _drizzle(root, crlf=True)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    assert "nothing written" not in result.output
    raw = (root / "meta" / "_journal.json").read_bytes()
    assert b"\r\n" in raw and raw.replace(b"\r\n", b"").count(b"\n") == 0
    assert len(json.loads(raw)["entries"]) == 4


def test_written_files_have_normal_modes(tmp_path: Path) -> None:
    root = tmp_path / "drizzle"
    _drizzle(root)
    edited = root / "0001_add.sql"
    edited.chmod(0o664)
    old_umask = os.umask(0o022)
    try:
        result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(edited.stat().st_mode) == 0o664  # an edit keeps its mode
    new = [p for p in root.glob("*fix_*.sql")]
    assert new and all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in new)
    assert not list(root.glob(".migrate-lint*"))


def test_diff_marks_a_missing_final_newline() -> None:
    from migrate_lint.fix.model import FileChange

    out = diff(FileChange("m.sql", "ALTER TABLE t ADD c int NOT NULL DEFAULT 0;",
                          old_text="ALTER TABLE t ADD c int NOT NULL;"))
    assert "-ALTER TABLE t ADD c int NOT NULL;\n\\ No newline at end of file\n" in out
    assert "+ALTER TABLE t ADD c int NOT NULL DEFAULT 0;\n\\ No newline at end of file\n" in out


def test_a_second_run_refuses_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    root = tmp_path / "drizzle"
    _drizzle(root)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (root / LOCK).write_text(f"{sleeper.pid}\n")
        before = _files(root)
        result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
        assert result.exit_code == 2, result.output
        assert f"pid {sleeper.pid}" in result.output
        assert _files(root) == before
    finally:
        sleeper.kill()
        sleeper.wait()
    # the holder is gone: its lock is stale and is taken over
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 0, result.output
    assert not (root / LOCK).exists()


def _fix_process(root: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "migrate_lint", "fix", str(root), "--write"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _outcome(root: Path, original: dict[str, bytes], fixed: dict[str, bytes]) -> str:
    """'unchanged', 'fixed', or 'recovered' after the next run finished the write."""
    now = _files(root)
    if now == original:
        return "unchanged"
    if now == fixed:
        return "fixed"
    message = recover(str(root))
    assert message is not None, sorted(set(now) ^ set(fixed))
    now = _files(root)
    assert now in (original, fixed), sorted(set(now) ^ set(fixed))
    return "recovered"


@pytest.mark.slow
def test_killed_at_random_points_the_directory_is_whole(tmp_path: Path) -> None:
    """50 subprocess runs killed with SIGKILL: at a chosen step of the write (the test
    hook), or at a random moment. Afterwards the directory is unchanged, fully fixed,
    or the next run completes the interrupted write."""
    reference = tmp_path / "reference"
    _drizzle(reference)
    original = _files(reference)
    done = _fix_process(reference, {})
    assert done.wait(timeout=120) == 0
    fixed = _files(reference)
    assert fixed != original
    steps = 2 + len(set(fixed) ^ set(original)) + sum(
        1 for k in original if k in fixed and fixed[k] != original[k])
    rng = random.Random(20261203)
    start = time.monotonic()
    seen: dict[str, int] = {}
    for trial in range(50):
        root = tmp_path / f"t{trial}"
        _drizzle(root)
        if trial % 2 == 0:
            proc = _fix_process(root, {"MIGRATE_LINT_CRASH_AT_STEP": str(rng.randint(0, steps))})
            proc.wait(timeout=120)
        else:
            proc = _fix_process(root, {})
            time.sleep(rng.uniform(0.0, 1.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=120)
        outcome = _outcome(root, original, fixed)
        seen[outcome] = seen.get(outcome, 0) + 1
        assert not (root / MANIFEST).exists() and not list(root.glob(".migrate-lint-*.tmp"))
    assert time.monotonic() - start < 600
    # the chosen steps cover a kill after the decision: some write had to be completed
    assert seen.get("recovered", 0) > 0, seen


@contextmanager
def _unwritable(tmp_path: Path, how: str) -> Iterator[Path]:
    """A drizzle history in a directory no process may write into, made so ``how``:

    ``permissions``: mode 0555 (root writes through it, so not as root);
    ``immutable``: `chattr +i` (refused to root too; ext4, xfs, btrfs);
    ``read-only-mount``: a tmpfs remounted read-only (EROFS; needs CAP_SYS_ADMIN).
    Skips, saying why, where the machine does not allow the method.
    """
    if how == "permissions":
        if os.geteuid() == 0:
            pytest.skip("root writes through permissions: the immutable and read-only-mount "
                        "variants run instead")
        root = tmp_path / "drizzle"
        _drizzle(root)
        root.chmod(0o555)
        try:
            yield root
        finally:
            root.chmod(0o755)
    elif how == "immutable":
        root = tmp_path / "drizzle"
        _drizzle(root)
        if shutil.which("chattr") is None:
            pytest.skip("no chattr on this machine")
        done = subprocess.run(["chattr", "+i", str(root)], capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            pytest.skip(f"chattr +i is not allowed here: {done.stderr.strip()}")
        try:
            yield root
        finally:
            subprocess.run(["chattr", "-i", str(root)], check=True)
    else:
        mount = tmp_path / "mnt"
        mount.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        try:
            root = mount / "drizzle"
            _drizzle(root)
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
            yield root
        finally:
            subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("how", ["permissions", "immutable", "read-only-mount"])
def test_read_only_directory_is_one_line_and_nothing_written(tmp_path: Path, how: str) -> None:
    with _unwritable(tmp_path, how) as root:
        before = _files(root)
        result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
        after = _files(root)
        leftovers = [p.name for p in root.rglob("*") if p.name.startswith(".migrate-lint")]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    said = [line for line in result.output.splitlines() if "cannot write" in line]
    assert len(said) == 1 and str(root) in said[0] and "nothing written" in said[0], said
    assert after == before and leftovers == []


def test_unwritable_lock_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever refuses the write (read-only directory, full disk), one line, exit 2."""
    import migrate_lint.fix.write as write

    root = tmp_path / "drizzle"
    _drizzle(root)
    before = _files(root)
    real_open = os.open

    def refuse(path: str, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        if str(path).endswith(write.LOCK):
            raise OSError(28, "No space left on device")
        return real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(write.os, "open", refuse)
    result = CliRunner().invoke(cli, ["fix", str(root), "--write"])
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output and "nothing written" in result.output
    assert _files(root) == before
