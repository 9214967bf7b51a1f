"""sqlglot with its compiled companion, and the clean fall-back to pure Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from conftest import ROOT

PROBE = (
    "import json, sys\n"
    "from migrate_lint.sqlglot_api.load import engine\n"
    "from migrate_lint.sqlglot_api.parsing import parse_statement\n"
    "info = engine()\n"
    "import sqlglot.tokenizer_core as core\n"
    "tree = parse_statement('UPDATE t SET a = 1 WHERE b = 2')\n"
    "print(json.dumps({'compiled': info.compiled, 'note': info.note,\n"
    "                  'core': core.__file__, 'kind': type(tree).__name__}))\n"
)


def _probe(**env: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, check=True, env={**os.environ, **env})
    return dict(json.loads(done.stdout))


def test_pinned_versions_match_and_compiled_engine_loads_when_installed() -> None:
    core = metadata.version("sqlglot")
    try:
        compiled = metadata.version("sqlglotc")
    except metadata.PackageNotFoundError:
        pytest.skip("sqlglotc has no wheel for this platform: pure sqlglot is the engine")
    assert core == compiled == "30.30.0"
    result = _probe()
    assert result["compiled"] is True and result["kind"] == "Update"


def test_pure_python_fallback_parses_the_same() -> None:
    result = _probe(MIGRATE_LINT_PURE_SQLGLOT="1")
    assert result["compiled"] is False
    assert str(result["core"]).endswith(".py")
    assert result["kind"] == "Update"
    assert "pure-Python" in str(result["note"]) or not result["note"]


def test_versions_read_from_dist_info_names_equal_importlib_metadata() -> None:
    from migrate_lint.sqlglot_api.load import _dist_version

    for name in ("sqlglot", "sqlglotc", "click", "immutables", "migrate-lint", "migrate_lint"):
        try:
            expected: str | None = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = None
        assert _dist_version(name) == expected, name
    assert _dist_version("no-such-distribution-here") is None


def test_dist_info_names_and_what_is_left_to_importlib_metadata(tmp_path: Path) -> None:
    from migrate_lint.sqlglot_api.load import _dist_info_version

    first, second, eggs = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder in (first, second, eggs):
        folder.mkdir()
    (first / "Some_Tool-1.2.3.dist-info").mkdir()
    (second / "some_tool-9.0.dist-info").mkdir()
    (second / "other-2.0.dist-info").mkdir()
    (eggs / "other-1.0-py3.11.egg-info").mkdir()
    entries = [str(tmp_path / "missing"), str(first), str(second)]
    assert _dist_info_version("some-tool", entries) == "1.2.3"  # the first entry wins
    assert _dist_info_version("some.tool", entries[2:]) == "9.0"
    assert _dist_info_version("other", entries) == "2.0"
    assert _dist_info_version("absent", entries) == ""  # installed nowhere
    assert _dist_info_version("other", [str(eggs), str(second)]) is None  # an egg: ask
    archive = tmp_path / "lib.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))
    assert _dist_info_version("other", [str(archive), str(second)]) is None  # a zip: ask


def test_sqlglot_loads_without_importlib_metadata_which_its_plugins_get_on_demand() -> None:
    """sqlglot imports `importlib.metadata` for dialect plugins a run never asks for:
    while it loads, a stand-in answers; afterwards the module is the real one, and
    sqlglot's `entry_points` the module's own answer."""
    probe = (
        "import json, sys\n"
        "from migrate_lint.sqlglot_api.parsing import parse_statement\n"
        "parse_statement('UPDATE t SET a = 1')\n"
        "loaded = 'importlib.metadata' in sys.modules\n"
        "from sqlglot.dialects import dialect\n"
        "from sqlglot import Dialect\n"
        "plugins = dialect.entry_points(group='sqlglot.dialects')\n"
        "import importlib.metadata as real\n"
        "print(json.dumps({'loaded': loaded, 'same': list(plugins) == list(\n"
        "    real.entry_points(group='sqlglot.dialects')),\n"
        "    'real': type(real.version).__name__, 'sqlite': type(Dialect.get_or_raise('sqlite'))\n"
        "    .__name__}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout)
    assert result == {"loaded": False, "same": True, "real": "function", "sqlite": "SQLite"}
