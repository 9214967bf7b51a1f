"""sqlglot with its compiled companion, and the clean fall-back to pure Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata

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
