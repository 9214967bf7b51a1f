"""Shared test helpers: where the shared corpus is, and skipping clearly without it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_path(*parts: str) -> Path:
    """A path inside ../shared/corpus, or skip the test saying why."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path} (it sits beside the project in CI)")
    return path
