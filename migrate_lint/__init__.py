"""migrate-lint: lint SQLite migration histories before they reach users' databases."""

from __future__ import annotations

__version__ = "0.1.0"
