"""The bundled demo through the real CLI: `check migrations/ --insert-paths examples/chat-app/src`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint.cli import cli

PROJECT = Path(__file__).resolve().parent.parent


def test_demo_app_reports_nn002(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    for key in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(key, raising=False)
    result = CliRunner().invoke(cli, [
        "check", "migrations/", "--insert-paths", "examples/chat-app/src", "--format", "json",
        "--select", "NN002"])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    findings = payload["findings"] if isinstance(payload, dict) else payload
    assert len(findings) == 1
    text = json.dumps(findings[0])
    assert "NN002" in text and "`seq`" in text
    assert os.path.join("examples", "chat-app", "src", "message.ts") in text
    message = (PROJECT / "examples" / "chat-app" / "src" / "message.ts").read_text()
    values_line = next(i for i, line in enumerate(message.splitlines(), 1) if ".values(" in line)
    assert f'"line": {values_line}' in text or f"message.ts:{values_line}" in text
