"""The README's rule table is written by hand: a test keeps it in step with the code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

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


def test_rule_pages_are_generated_from_the_docstrings(tmp_path: Path) -> None:
    """docs/rules/<CODE>.md must equal what `rules --write-docs` writes today."""
    import json

    from click.testing import CliRunner

    from migrate_lint.cli import cli

    fresh = tmp_path / "rules"
    assert CliRunner().invoke(cli, ["rules", "--write-docs", str(fresh)]).exit_code == 0
    committed = ROOT / "docs" / "rules"
    want = {p.name: p.read_text(encoding="utf-8") for p in fresh.glob("*.md")}
    have = {p.name: p.read_text(encoding="utf-8") for p in committed.glob("*.md")}
    stale = sorted(n for n in want.keys() | have.keys() if want.get(n) != have.get(n))
    assert not stale, (f"docs/rules is stale ({', '.join(stale)}): run "
                       "`migrate-lint rules --write-docs docs/rules`")
    listed = json.loads(CliRunner().invoke(cli, ["rules", "--format", "json"]).stdout)
    nn001 = next(r for r in listed if r["code"] == "NN001")
    assert nn001["fixable"] is True and nn001["severity"] == "error"
    assert "## Why is this bad?" in nn001["doc"] and nn001["doc_path"] == "docs/rules/NN001.md"
    assert (ROOT / nn001["doc_path"]).is_file()
    assert next(r for r in listed if r["code"] == "DL001")["fixable"] is False


def test_readme_names_no_tag_that_does_not_exist() -> None:
    """There is no release tag yet: the snippets pin a commit (`rev:` / `@<sha>`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"rev: v\d|@v\d+\.\d+", readme)
    tags = subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.split()
    for named in re.findall(r"migrate-lint/migrate-lint@([\w.-]+)", readme):
        assert named in tags or re.fullmatch(r"[0-9a-f]{40}|<commit SHA>", named), named


def test_pages_and_catalogue_that_cannot_be_written_are_one_line_and_exit_2(
        tmp_path: Path) -> None:
    """A folder under a file (or a catalogue in a folder that is not there) is bad
    input: one line naming the path, exit 2, and a catalogue that was there unchanged."""
    import sys

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    for args in (["--write-docs", str(blocker / "docs")],
                 ["--write-catalogue", str(tmp_path / "missing" / "rules.json")]):
        done = subprocess.run([sys.executable, "-m", "migrate_lint", "rules", *args],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr
        assert done.stderr.count("\n") == 1 and "cannot write" in done.stderr
        assert args[1].rsplit("/", 1)[0] in done.stderr
