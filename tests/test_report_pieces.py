"""`check --format json` writes its report as it is encoded (issue 13): the same text as
`json.dumps`, without holding tens of megabytes of it at once for a long history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli
from migrate_lint.lint import lint
from migrate_lint.report import json as json_report
from migrate_lint.report import render, render_pieces
from migrate_lint.report.json import json_pieces, result_dict

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("piece", [1, 100, 1 << 16])
def test_json_pieces_are_the_text_json_dumps_makes(monkeypatch: pytest.MonkeyPatch,
                                                     piece: int) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setattr(json_report, "_PIECE", piece)
    result = lint(["migrations"])
    assert result.findings
    want = json.dumps(result_dict(result), indent=2, ensure_ascii=False) + "\n"
    pieces = list(json_pieces(result))
    assert "".join(pieces) == want
    assert len(pieces) > 1 if piece < 1000 else len(pieces) == 1
    assert "".join(render_pieces("json", result, root=str(PROJECT))) == render(
        "json", result, root=str(PROJECT))
    assert list(render_pieces("text", result)) == [render("text", result)]


def test_check_writes_the_json_report_it_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setattr(json_report, "_PIECE", 64)
    done = CliRunner().invoke(cli, ["check", "--format", "json", "--no-cache", "migrations"],
                              catch_exceptions=False)
    assert done.exit_code == 1
    assert done.stdout == render("json", lint(["migrations"]), root=None)
