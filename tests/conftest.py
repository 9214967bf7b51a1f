"""Shared test helpers: where the shared corpus is, and skipping clearly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time (a red run must be reproducible); developers
# keep hypothesis' random exploration, which is how the property tests find bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_path(*parts: str) -> Path:
    """A path inside ../shared/corpus, or skip the test saying why."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path} (it sits beside the project in CI)")
    return path


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's `check` keeps its cache in a temporary directory of its own: never
    in the project or in ../shared/corpus (read-only for us), never shared between
    tests (some replace rules or internals). Tests of the default place unset it."""
    monkeypatch.setenv("MIGRATE_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
