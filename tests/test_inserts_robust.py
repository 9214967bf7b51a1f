"""Extraction never crashes: bad syntax, binary files, huge or minified files."""

from __future__ import annotations

from pathlib import Path

from migrate_lint.inserts import collect_sites


def reasons(tmp_path: Path) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in collect_sites([str(tmp_path)]).skipped}


def test_invalid_syntax_is_skipped_or_read_in_part(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text('def f(:\n    "INSERT INTO t (a) VALUES (1)"\n')
    (tmp_path / "bad.ts").write_text(
        'const q = "INSERT INTO t (a) VALUES (1)";\nfunction ( { {{ insert(\n')
    (tmp_path / "bad.sql").write_text("INSERT INTO t (a VALUES ('unterminated);\n")
    (tmp_path / "bad2.sql").write_text("INSERT INTO t (a) VALUES (1;\n")
    collection = collect_sites([str(tmp_path)])
    got = reasons(tmp_path)
    assert got["bad.py"].startswith("invalid Python syntax (line 1")
    assert "syntax errors" in got["bad.ts"]
    # tree-sitter recovers: the well-formed literal before the error is still read
    assert [(Path(s.span.path).name, s.table) for s in collection.sites] == [("bad.ts", "t")]
    assert [Path(s.span.path).name for s in collection.unknown] == ["bad2.sql"]


def test_binary_and_non_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "blob.ts").write_bytes(b"\x00\x01\x02INSERT INTO t VALUES (1)\x00")
    (tmp_path / "latin1.py").write_bytes(b'x = "\xe9"\n')
    got = reasons(tmp_path)
    assert got["blob.ts"].startswith("binary")
    assert got["latin1.py"].startswith("not UTF-8")


def test_huge_and_minified_files(tmp_path: Path) -> None:
    line = "var a=1;" * 2000 + 'var q="INSERT INTO t (a) VALUES (1)";'
    (tmp_path / "bundle.js").write_text(line + "\n")
    (tmp_path / "huge.sql").write_text("INSERT INTO t (a) VALUES (1);\n" * 80000)
    (tmp_path / "app.min.js").write_text('var q="INSERT INTO t (a) VALUES (1)";\n')
    collection = collect_sites([str(tmp_path)])
    got = reasons(tmp_path)
    assert got["bundle.js"].startswith("looks minified")
    assert got["huge.sql"].startswith("larger than 2 MB")
    assert "app.min.js" not in got
    assert collection.sites == ()


def test_deeply_nested_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "deep.py").write_text("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
                                      "q = 'INSERT INTO t (a) VALUES (1)'\n")
    (tmp_path / "empty.ts").write_text("")
    (tmp_path / "deep.ts").write_text("const x = " + "[" * 2000 + "]" * 2000 + ";\n"
                                      "const q = 'INSERT INTO t (a) VALUES (1)';\n")
    collection = collect_sites([str(tmp_path)])
    assert "deep.py" in reasons(tmp_path)
    assert [Path(s.span.path).name for s in collection.sites] == ["deep.ts"]


def test_missing_path_is_empty(tmp_path: Path) -> None:
    assert len(collect_sites([str(tmp_path / "nope")])) == 0


def test_files_that_are_not_regular_or_not_there_are_named(tmp_path: Path) -> None:
    """A FIFO is never waited on, a dangling symlink is named, a large file is not read."""
    import os

    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "gone.ts").symlink_to(tmp_path / "missing.ts")
    (tmp_path / "big.sql").write_bytes(b"-- x\n" * (2 * 1024 * 1024 // 5 + 1))
    (tmp_path / "ok.py").write_text('q = "INSERT INTO t (a) VALUES (1)"\n')
    collection = collect_sites([str(tmp_path)])
    got = reasons(tmp_path)
    assert got == {"pipe.py": "a FIFO, not a regular file; not read",
                   "gone.ts": "cannot read (No such file or directory)",
                   "big.sql": f"larger than 2 MB ({(tmp_path / 'big.sql').stat().st_size} bytes)"}
    assert [(Path(s.span.path).name, s.columns) for s in collection.sites] == [("ok.py", ("a",))]
