"""ruff, mypy and a complexity cap are part of the test run: the code stays clean or CI is red."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT


def _tool(name: str) -> list[str]:
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} is not installed (it comes with the `test` extra)")
    return [exe]


def test_ruff_is_clean() -> None:
    done = subprocess.run([*_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if "No module named mypy" in done.stderr:
        pytest.skip("mypy is not installed (it comes with the `test` extra)")
    assert done.returncode == 0, done.stdout + done.stderr


# Above this cyclomatic complexity (radon's), a function carries a `# cc: <reason>` comment
# right above its `def` (or its first decorator): splitting it is due, or why not.
CC_LIMIT = 30


def _functions(blocks: list[Any]) -> Iterator[Any]:
    """radon's functions, methods and closures, nested ones too."""
    for block in blocks:
        if hasattr(block, "methods"):  # a class
            yield from _functions([*block.methods, *block.inner_classes])
        else:
            yield block
            yield from _functions(block.closures)


def _has_cc_comment(lines: list[str], def_line: int) -> bool:
    """Whether the comment block right above line ``def_line`` (1-based) has ``# cc:``."""
    i = def_line - 2
    while i >= 0 and lines[i].lstrip().startswith("@"):
        i -= 1  # decorators: the comment goes above them
    while i >= 0 and lines[i].lstrip().startswith("#"):
        if lines[i].lstrip().startswith("# cc:"):
            return True
        i -= 1
    return False


def test_complex_functions_say_why() -> None:
    complexity = pytest.importorskip(
        "radon.complexity", reason="radon is not installed (it comes with the `test` extra)")
    unexplained: list[str] = []
    for top in ("migrate_lint", "rules"):
        for path in sorted((ROOT / top).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            # radon lists a method both on its own and under its class: once each.
            found = {(f.lineno, f.fullname): f for f in _functions(complexity.cc_visit(text))}
            for fn in found.values():
                if fn.complexity > CC_LIMIT and not _has_cc_comment(lines, fn.lineno):
                    where = f"{path.relative_to(ROOT)}:{fn.lineno}"
                    unexplained.append(f"{where} {fn.fullname} (cc {fn.complexity})")
    assert not unexplained, (
        f"functions above cc {CC_LIMIT}: split them, or say why in a `# cc: <reason>` "
        "line right above the def:\n" + "\n".join(unexplained))
