"""The README's rule table is written by hand: a test keeps it in step with the code."""

from __future__ import annotations

import re

from conftest import ROOT

from migrate_lint.engine import all_rules


def test_readme_lists_every_rule_with_its_name_and_severity() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| ([A-Z]{2}\d{3}) \| ([a-z-]+) \| (error|warning|info) \|$",
                          readme, re.M))
    registered = {(r.code, r.name, r.severity) for r in all_rules()}
    assert rows == registered, (
        f"README rule table is stale: missing {sorted(registered - rows)}, "
        f"unknown {sorted(rows - registered)}"
    )
