"""The composite GitHub Action (action.yml), its shell steps run here as GitHub runs them.

A temporary repository with a base branch pushed to a bare `origin`, a pull-request
branch adding a bad migration, and the environment variables GitHub sets
(GITHUB_WORKSPACE, GITHUB_BASE_REF, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, ...). The
install step installs the action's own files into a fresh virtual environment (its
dependencies come from the test environment); the lint step then writes annotations,
a Markdown job summary and a SARIF file that must validate against the schema.
`uses:` steps (setup-python, upload-sarif) are GitHub's and are not run here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-2.1.0.json"
COPIED = ("pyproject.toml", "README.md", "LICENSE", "migrate_lint", "rules", "action.yml",
          "action")
MIGRATIONS = "packages/db/migrations"


def _action() -> dict[str, Any]:
    data = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _inputs(action: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(given)
    return values


def _expand(text: str, inputs: dict[str, str]) -> str:
    """``${{ inputs.x }}`` as GitHub substitutes it; nothing else is expected here."""
    def sub(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        assert expr.startswith("inputs."), f"unexpected expression {expr!r} in a run step"
        return inputs[expr.removeprefix("inputs.")]
    return re.sub(r"\$\{\{(.*?)\}\}", sub, text)


def _git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _repository(tmp_path: Path, env: dict[str, str]) -> Path:
    """A workspace on branch `pr` whose base `main` lives in a bare `origin`."""
    ws = tmp_path / "workspace"
    migrations = ws / MIGRATIONS
    migrations.mkdir(parents=True)
    _git(ws, "init", "-q", "-b", "main", env=env)
    (migrations / "0001_init.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE TABLE u (id integer);\n")
    # An old finding on the base branch: --since keeps it out of the pull request.
    (migrations / "0002_drop_u.sql").write_text("DROP TABLE u;\n")
    _git(ws, "add", "-A", env=env)
    _git(ws, "commit", "-q", "-m", "base", env=env)
    _git(tmp_path, "init", "-q", "--bare", "origin.git", env=env)
    _git(ws, "remote", "add", "origin", str(tmp_path / "origin.git"), env=env)
    _git(ws, "push", "-q", "origin", "main", env=env)
    # actions/checkout of a pull request has no origin/<base> ref: the step fetches it.
    _git(ws, "update-ref", "-d", "refs/remotes/origin/main", env=env)
    _git(ws, "checkout", "-q", "-b", "pr", env=env)
    (migrations / "0003_add_seq.sql").write_text(
        "-- order messages\nALTER TABLE t ADD seq integer NOT NULL;\n")
    _git(ws, "add", "-A", env=env)
    _git(ws, "commit", "-q", "-m", "add seq", env=env)
    return ws


def _venv(tmp_path: Path) -> Path:
    """A fresh virtual environment that sees the test environment's dependencies."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    site = next((venv / "lib").glob("python*/site-packages"), None)
    if site is None:  # Windows layout
        site = venv / "Lib" / "site-packages"
    (site / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_action_steps_write_annotations_summary_and_valid_sarif(tmp_path: Path) -> None:
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.skip("git and bash are needed to run the action's steps")
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    runs = [s for s in steps if "run" in s]
    assert [s["name"] for s in runs] == ["Install migrate-lint", "Lint migrations"]
    assert all(s["shell"] == "bash" for s in runs)
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses == ["actions/setup-python", "github/codeql-action/upload-sarif"]

    action_path = tmp_path / "action-checkout"
    action_path.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, action_path / name, ignore=ignore)
        else:
            shutil.copy2(source, action_path / name)

    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("GIT_", "GITHUB_", "INPUT_", "VIRTUAL_ENV"))}
    base_env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
                    GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.com",
                    GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.com")
    ws = _repository(tmp_path, base_env)
    venv = _venv(tmp_path)
    summary = tmp_path / "step_summary.md"
    summary.write_text("")
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        **base_env,
        "PATH": f"{venv / 'bin'}{os.pathsep}{base_env.get('PATH', '')}",
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_WORKSPACE": str(ws), "GITHUB_ACTION_PATH": str(action_path),
        "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "pr",
        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
    }
    inputs = _inputs(action, {"path": MIGRATIONS, "sarif": "true"})
    results = []
    for step in runs:
        step_env = {**env, **{k: _expand(str(v), inputs) for k, v in step.get("env", {}).items()}}
        # Steps start in the workspace, as GitHub starts them.
        results.append(subprocess.run(["bash", "-e", "-c", _expand(step["run"], inputs)],
                                      cwd=ws, env=step_env, capture_output=True, text=True,
                                      timeout=900))
    install, lint = results
    assert install.returncode == 0, install.stdout + install.stderr
    assert (venv / "bin" / "migrate-lint").exists()

    assert lint.returncode == 1, lint.stdout + lint.stderr
    annotations = [line for line in lint.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 1, lint.stdout
    assert annotations[0].startswith(f"::error file={MIGRATIONS}/0003_add_seq.sql,line=2,")
    assert "NN001" in annotations[0]

    md = summary.read_text(encoding="utf-8")
    assert md.startswith("## migrate-lint\n")
    assert f"`{MIGRATIONS}/0003_add_seq.sql:2:" in md
    assert "2 | ALTER TABLE t ADD seq integer NOT NULL;" in md  # the code frame
    assert "0002_drop_u" not in md  # --since: the base branch's finding stays out

    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
    sarif_path = ws / outputs["sarif-file"]
    log = json.loads(sarif_path.read_text(encoding="utf-8"))
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()),
                        cls=jsonschema.Draft4Validator)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "NN001"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": f"{MIGRATIONS}/0003_add_seq.sql", "uriBaseId": "%SRCROOT%"}
    assert result["partialFingerprints"]["migrateLint/v1"]
