"""Every finding of `check` on the four real histories, reviewed (tests/expected/realworld-*).

These histories were written by nobody here (../shared/corpus/realworld/SOURCE.md).
Each error and warning listed in the expectation files carries the justification we
would give the project's maintainers; a new one fails this test until it is reviewed.
Information is compared as counts per rule. The known defects of SOURCE.md, including
the released-then-fixed variants under bug_variants/, must each be reported.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import corpus_path

from migrate_lint.cli import cli

pytestmark = pytest.mark.corpus

EXPECTED = Path(__file__).resolve().parent / "expected"
HISTORIES = {
    "navidrome": ("realworld", "navidrome", "db", "migrations"),
    "homarr": ("realworld", "homarr", "packages", "db", "migrations", "sqlite"),
    "stash": ("realworld", "stash", "pkg", "sqlite", "migrations"),
    "pingvin-share": ("realworld", "pingvin-share", "backend", "prisma", "migrations"),
}
# How each project connects when it migrates (SOURCE.md); the rest are runner defaults.
SETTINGS = {"stash": 'foreign-keys = "off"\nsql-functions = ["durationToTinyInt"]\n'}


def _check(root: Path, config: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json",
                                      "--config", str(config)])
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


def _config(tmp_path: Path, name: str) -> Path:
    path = tmp_path / ".migrate-lint.toml"
    path.write_text(SETTINGS.get(name, ""))
    return path


def _seen(root: Path, findings: list[dict[str, object]]) -> tuple[list[str], Counter[str]]:
    lines, infos = [], Counter()
    for f in findings:
        if f["severity"] == "info":
            infos[str(f["code"])] += 1
            continue
        rel = Path(str(f["path"])).resolve().relative_to(root.resolve()).as_posix()
        lines.append(f"{f['code']} {f['severity']} {rel} {f['line']}")
    return sorted(lines), infos


def _expected(name: str) -> tuple[list[str], Counter[str]]:
    lines, infos = [], Counter()
    for raw in (EXPECTED / f"realworld-{name}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("info "):
            _, code, count = line.split()
            infos[code] = int(count)
        else:
            lines.append(line)
    return sorted(lines), infos


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_every_finding_is_reviewed(name: str, tmp_path: Path) -> None:
    root = corpus_path(*HISTORIES[name])
    findings = _check(root, _config(tmp_path, name))
    assert not [f for f in findings if "internal error" in str(f["message"])]
    assert _seen(root, findings) == _expected(name)


def _variant(tmp_path: Path, name: str, variant: str) -> Path:
    """A copy of history ``name`` with the file ``variant`` as it was first released."""
    source = corpus_path(*HISTORIES[name])
    replacement = corpus_path("realworld", "bug_variants", name, *variant.split("/"))
    root = tmp_path / "history"
    shutil.copytree(source, root)
    shutil.copyfile(replacement, root / variant)
    return root


def test_pingvin_first_release_of_v0_5_1_is_an_error_quoting_sqlite(tmp_path: Path) -> None:
    root = _variant(tmp_path, "pingvin-share", "20230104145733_v0_5_1/migration.sql")
    findings = _check(root, _config(tmp_path, "pingvin-share"))
    hits = [f for f in findings if f["code"] == "NN003" and f["severity"] == "error"
            and "20230104145733_v0_5_1" in str(f["path"])]
    assert hits, findings
    assert "NOT NULL constraint failed: new_RefreshToken.id" in str(hits[0]["message"])
    assert "SQLite confirms on synthetic rows" in str(hits[0]["message"])


def test_stash_35_as_first_released_flags_the_copies_without_on_conflict(
        tmp_path: Path) -> None:
    root = _variant(tmp_path, "stash", "35_assoc_tables.up.sql")
    released = corpus_path(*HISTORIES["stash"])
    config = _config(tmp_path, "stash")
    before = [f for f in _check(root, config)
              if f["code"] == "DL007" and "35_assoc_tables" in str(f["path"])]
    after = [f for f in _check(released, config)
             if f["code"] == "DL007" and "35_assoc_tables" in str(f["path"])]
    assert any("performer_stash_ids_new" in str(f["message"]) for f in before), before
    assert not any("performer_stash_ids_new" in str(f["message"]) for f in after), after
    assert len(before) > len(after)
