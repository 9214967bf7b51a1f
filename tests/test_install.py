"""Installable as written: sqlglotc is asked for only where a wheel of its version exists.

Without a wheel pip compiles sqlglotc from source (more than 15 minutes on Python 3.10,
which 30.30.0 has no wheel for). The table below is the wheel list of the pinned
version; the marker in pyproject.toml must select exactly the environments it covers,
so a fresh install never compiles it.
"""

from __future__ import annotations

import re
import sys

import pytest
from conftest import ROOT
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# (python_version, implementation, machine) -> a wheel of sqlglotc 30.30.0 exists
CASES = [
    ("3.10", "CPython", "x86_64", False),
    ("3.10", "CPython", "aarch64", False),
    ("3.11", "CPython", "x86_64", True),
    ("3.12", "CPython", "aarch64", True),
    ("3.12", "CPython", "arm64", True),
    ("3.13", "CPython", "AMD64", True),
    ("3.14", "CPython", "x86_64", True),
    ("3.15", "CPython", "x86_64", False),  # no wheel until a release adds one
    ("3.12", "PyPy", "x86_64", False),
    ("3.12", "CPython", "riscv64", False),
]


def _requirements() -> dict[str, Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = [Requirement(r) for r in data["project"]["dependencies"]]
    return {r.name: r for r in reqs}


@pytest.mark.parametrize(("python", "implementation", "machine", "wanted"), CASES)
def test_sqlglotc_only_where_a_wheel_exists(python: str, implementation: str, machine: str,
                                            wanted: bool) -> None:
    sqlglotc = _requirements()["sqlglotc"]
    assert sqlglotc.marker is not None
    env = {"python_version": python, "python_full_version": f"{python}.0",
           "platform_python_implementation": implementation, "platform_machine": machine}
    assert sqlglotc.marker.evaluate(env) is wanted


def test_sqlglot_and_sqlglotc_pins_agree() -> None:
    reqs = _requirements()
    assert str(reqs["sqlglot"].specifier) == str(reqs["sqlglotc"].specifier)


def test_license_file_matches_the_declared_license() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["license"] == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert re.search(r"Copyright \(c\) \d{4}", text)
