"""``--statistics``: how many findings each rule has, most frequent first (as ruff prints)."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrate_lint.result import LintResult

FORMATS = ("text", "json")


def counts(result: LintResult) -> list[tuple[str, str, str, int]]:
    """(code, name, severity, count) per rule, by count then code."""
    tally = Counter((f.code, f.name, f.severity) for f in result.findings)
    return sorted(((c, n, s, k) for (c, n, s), k in tally.items()), key=lambda r: (-r[3], r[0]))


def render_statistics(result: LintResult, fmt: str) -> str:
    """The counts as aligned text lines, or as a JSON list."""
    rows = counts(result)
    if fmt == "json":
        return json.dumps([{"code": c, "name": n, "severity": s, "count": k}
                           for c, n, s, k in rows], indent=2) + "\n"
    if not rows:
        return ""
    width = max(len(str(k)) for *_, k in rows)
    name_width = max(len(n) for _, n, _, _ in rows) + 2
    return "".join(f"{k:>{width}}  {c}  {'[' + n + ']':<{name_width}}  {s}\n"
                   for c, n, s, k in rows)
