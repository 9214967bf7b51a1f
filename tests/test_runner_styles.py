"""Every finding of `check` on small histories in each runner's style, reviewed
(tests/expected/styles.txt): the false findings they once drew (a renamed unique
index, the runner's own history table, tables the application makes) stay gone, and
what they hold that is wrong stays found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli

HERE = Path(__file__).resolve().parent
STYLES = HERE / "fixtures" / "styles"
EXPECTED = HERE / "expected" / "styles.txt"


def _expected() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {d.name: [] for d in STYLES.iterdir() if d.is_dir()}
    for raw in EXPECTED.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, rest = line.split(" ", 1)
            out[name].append(rest)
    return out


@pytest.mark.parametrize("name", sorted(_expected()))
def test_every_finding_is_reviewed(name: str, tmp_path: Path) -> None:
    root = STYLES / name
    config = tmp_path / ".migrate-lint.toml"
    config.write_text("")  # the runner's defaults, not this repository's settings
    done = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--no-cache",
                                    "--config", str(config)])
    assert done.exit_code in (0, 1), done.output
    findings = json.loads(done.stdout)["findings"]
    assert not [f for f in findings if "internal error" in f["message"]]
    seen = sorted(f"{f['code']} {f['severity']} "
                  f"{Path(f['path']).resolve().relative_to(root).as_posix()} {f['line']}"
                  for f in findings)
    assert seen == sorted(_expected()[name])
