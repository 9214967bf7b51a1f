"""Start-up: `--help`, `rules` and `explain` import click and their own modules only.

The command list of `--help` comes from the summaries in `migrate_lint.cli.COMMANDS`,
and `rules` / `explain` read the rule catalogue (`migrate_lint.rulebook`): these tests
keep both equal to what they stand for, and check in fresh interpreters what the
three commands import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from migrate_lint import rulebook
from migrate_lint.cli import COMMANDS, cli

LIGHT = [["--help"], ["rules"], ["rules", "--format", "json"], ["explain", "NN001"],
         ["explain", "add-not-null-without-default"]]
HEAVY = ("sqlglot", "sqlglotc", "jinja2", "tree_sitter", "immutables")
# the project modules each light command may load: the group, its own, what they read
OWN = {"migrate_lint", "migrate_lint.__main__", "migrate_lint.cli", "migrate_lint.errors",
       "migrate_lint.version"}
# (values: the rule book's entries are value classes; it imports the standard library only)
RULES_OWN = OWN | {"migrate_lint.cli.rules_cmd", "migrate_lint.rulebook", "migrate_lint.ruledocs",
                   "migrate_lint.values"}


def _run(args: list[str], *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *flags, "-m", "migrate_lint", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)


@pytest.mark.parametrize("args", LIGHT, ids=" ".join)
def test_light_commands_import_neither_sqlglot_nor_jinja2(args: list[str]) -> None:
    done = _run(args, "-X", "importtime")
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "click" in imported  # the list is read at all
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert not heavy, f"`migrate-lint {' '.join(args)}` imports {heavy}"


_SYS_MODULES = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
from migrate_lint.cli import main
sys.argv = ["migrate-lint", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("args", LIGHT, ids=" ".join)
def test_light_commands_load_only_their_own_modules(args: list[str]) -> None:
    """`-X importtime` misses what importlib.import_module loads: sys.modules does not."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _SYS_MODULES, *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stderr.splitlines()[-1])
    own = {m for m in loaded if m.split(".")[0] == "migrate_lint"}
    allowed = OWN if args == ["--help"] else RULES_OWN
    assert own <= allowed, f"`migrate-lint {' '.join(args)}` loads {sorted(own - allowed)}"
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def _first_paragraph(command: click.Command) -> str:
    return " ".join((command.help or "").split("\n\n")[0].split())


def test_command_summaries_are_the_commands_help() -> None:
    ctx = click.Context(cli)
    for name, (_, _, summary) in COMMANDS.items():
        command = click.Group.get_command(cli, ctx, name) or cli.get_command(ctx, name)
        assert command is not None
        assert summary == _first_paragraph(command), (
            f"COMMANDS[{name!r}] in migrate_lint/cli/__init__.py: make its summary the first "
            f"paragraph of the command's help: {_first_paragraph(command)!r}")


@pytest.mark.parametrize("width", [80, 60, 45, 120])
def test_help_lists_the_commands_as_click_would(width: int) -> None:
    ctx = click.Context(cli)
    ours, clicks = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    cli.format_commands(ctx, ours)
    click.Group.format_commands(cli, ctx, clicks)  # imports every command for its help
    assert ours.getvalue() == clicks.getvalue()
    assert "check" in ours.getvalue()


def test_rule_catalogue_is_written_from_the_rule_classes(tmp_path: Path) -> None:
    fresh = tmp_path / "rules.json"
    done = CliRunner().invoke(cli, ["rules", "--write-catalogue", str(fresh)])
    assert done.exit_code == 0, done.output
    assert fresh.read_text(encoding="utf-8") == Path(rulebook.PATH).read_text(encoding="utf-8"), (
        "migrate_lint/data/rules.json is stale: run "
        "`migrate-lint rules --write-catalogue migrate_lint/data/rules.json`")


def test_catalogue_finds_rules_as_the_rule_registry_does() -> None:
    from migrate_lint.registry import find_rule, rule_infos

    entries = rulebook.load()
    infos = rule_infos()
    assert [e.code for e in entries] == [i.code for i in infos]
    asks = [w for i in infos for w in (i.code, i.code.lower(), i.name, i.name.upper(),
                                       f" {i.code} ")]
    asks += ["NN", "XX999", "", "add-not-null", "nn00l"]
    for ask in asks:
        entry, info = rulebook.find(entries, ask), find_rule(ask)
        assert (entry.code if entry else None) == (info.code if info else None), ask


def test_unreadable_catalogue_is_one_line_and_exit_2(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "rules.json"
    broken.write_text('{"format": 1, "rules": [{"code": "NN001"', encoding="utf-8")
    monkeypatch.setattr(rulebook, "PATH", str(broken))
    for args in (["rules"], ["explain", "NN001"]):
        done = CliRunner().invoke(cli, args)
        assert done.exit_code == 2
        message = done.output.strip()
        assert "\n" not in message and str(broken) in message
        assert "cannot read the rule catalogue" in message and "reinstall" in message


# What a `check` answered from the cache (its results stored) may not load: sqlglot and
# jinja2, the rules, and the model and replay they are checked on.
NOT_WHEN_CACHED = ("migrate_lint.rules", "migrate_lint.engine", "migrate_lint.replay",
                   "migrate_lint.history", "migrate_lint.schema", "migrate_lint.parse",
                   "migrate_lint.checkpoint", "migrate_lint.confirm", "migrate_lint.fix",
                   "migrate_lint.inserts",
                   # sqlglot's loader: it reads versions through importlib.metadata
                   "migrate_lint.sqlglot_api.load", "importlib.metadata",
                   # the standard library's temporary files (the cache writes its own)
                   # and close matches (only a message with a suggestion needs them)
                   "tempfile", "difflib", "migrate_lint.gitbase")


def _cached_history(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n"
                                        "CREATE TABLE u (id integer PRIMARY KEY, t_id integer "
                                        "REFERENCES t (id));\n")
    (root / "0002_bad.sql").write_text("ALTER TABLE t ADD c integer NOT NULL;\n"
                                       "-- migrate-lint: ignore NN999\n"
                                       "ALTER TABLE u ADD d text;\n")
    (root / "0003_drop.sql").write_text("DROP TABLE t;\n")
    return root


@pytest.mark.parametrize("args", [["--format", "json"], ["--format", "sarif"], [],
                                  ["--format", "json", "0003_drop.sql"]], ids=" ".join)
def test_fully_cached_check_loads_neither_sqlglot_nor_the_rules(args: list[str],
                                                                tmp_path: Path) -> None:
    root = _cached_history(tmp_path)
    files = [a for a in args if a.endswith(".sql")]
    paths = [str(root / f) for f in files] or [str(root)]
    command = ["check", *paths, *[a for a in args if a not in files],
               "--cache-dir", str(tmp_path / "cache")]
    cold = _run(command)
    assert cold.returncode == 1, cold.stderr[-2000:]  # findings, the comparison needs them
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    warm = subprocess.run([sys.executable, "-X", "importtime", "-c", _SYS_MODULES, *command],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    assert warm.returncode == 1, warm.stderr[-2000:]
    assert warm.stdout == cold.stdout
    loaded = json.loads(warm.stderr.splitlines()[-1])
    timed = {line.split("|")[-1].strip() for line in warm.stderr.splitlines()
             if line.startswith("import time:")}
    assert "migrate_lint.lintcache" in timed  # the list is read at all
    for modules in (loaded, timed):
        heavy = sorted(m for m in modules if m.split(".")[0] in ("sqlglot", "sqlglotc", "jinja2")
                       or m.startswith(NOT_WHEN_CACHED))
        assert not heavy, f"`migrate-lint {' '.join(command)}` from the cache imports {heavy}"


# What `check NEW.sql` resumed from a checkpoint may not load (no --since, no claim to
# run on SQLite, no DROP COLUMN): git's modules, SQLite's sandbox and its row filler,
# the trigger reader, the fix's modules (only `fix` calls the rules' fix methods)
# (issue 13: each costs the warm pre-commit run milliseconds).
NOT_WHEN_RESUMED = ("migrate_lint.gitbase", "migrate_lint.gitread", "migrate_lint.sandbox",
                    "migrate_lint.synth", "migrate_lint.resolve", "migrate_lint.fix")


def test_resumed_check_of_a_new_file_loads_only_what_it_uses(tmp_path: Path) -> None:
    root = _cached_history(tmp_path)
    new = root / "0004_new.sql"
    cache = str(tmp_path / "cache")
    assert _run(["check", str(root), "--cache-dir", cache]).returncode == 1
    new.write_text("ALTER TABLE u ADD e integer NOT NULL DEFAULT 0;\n"
                   "INSERT INTO u (id) VALUES (1);\nUPDATE u SET d = 'x';\n")
    command = ["check", str(new), "--cache-dir", cache, "--verbose"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    warm = subprocess.run([sys.executable, "-c", _SYS_MODULES, *command],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    assert warm.returncode in (0, 1), warm.stderr[-2000:]
    assert "resumed after migration 3 of 4" in warm.stdout + warm.stderr
    loaded = json.loads(warm.stderr.splitlines()[-1])
    assert "migrate_lint.checkpoint" in loaded  # the list is read at all
    # the rules with fix methods the new file's statements need are loaded
    assert {f"migrate_lint.rules.{name}" for name in (
        "_common", "non_constant_default_on_add", "insert_omits_required_column",
        "backfill_may_yield_null")} <= set(loaded)
    extra = sorted(m for m in loaded if m.startswith(NOT_WHEN_RESUMED))
    assert not extra, f"`migrate-lint {' '.join(command)}` resumed imports {extra}"
    # pathlib (with urllib.parse and ipaddress: 2% of the warm run) is not ours to load;
    # an editable install's finder loads it at start-up, before any module of ours
    bare = subprocess.run([sys.executable, "-c", "import sys, json; "
                           "print(json.dumps(sorted(sys.modules)))"],
                          capture_output=True, text=True, env=env, check=True)
    if "pathlib" not in json.loads(bare.stdout):
        assert "pathlib" not in loaded


# --- `check FILES` loads the rules that can report on the files' statements ----------


def test_catalogue_says_what_each_rule_reads_as_its_class_does() -> None:
    """What `registry.rules_for` chooses by; the written catalogue is compared whole
    above, this names the rule whose reads drifted."""
    from migrate_lint import engine

    entries = {e.code: e for e in rulebook.load()}
    for cls in engine.all_rules():
        entry = entries[cls.code]
        assert (entry.kinds, entry.history, entry.claims) == engine.rule_reads(cls), cls.code
    assert entries["NN002"].history and entries["NN002"].kinds == ("insert",)
    assert entries["FK001"].history and not entries["FK001"].kinds  # no per-statement check
    assert entries["SQ004"].claims and not entries["DB001"].kinds


def test_rules_for_chooses_by_kinds_history_claims_and_selection(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from migrate_lint import engine, registry
    from migrate_lint.config import Config

    config = Config()
    every = {cls.code for cls in engine.all_rules()}
    assert {cls.code for cls in registry.rules_for(config, None, False)} == every
    alter = {cls.code for cls in registry.rules_for(config, frozenset({"alter_table"}), False)}
    history = {e.code for e in rulebook.load() if e.history}
    assert history <= alter and {"DL004", "SQ005", "NN001"} <= alter
    assert not alter & {"DL003", "DL008", "DB001", "MG001", "RB001"}
    assert "SQ004" in alter  # it reads alter_table too
    claims = {cls.code for cls in registry.rules_for(config, frozenset({"delete"}), True)}
    assert "SQ004" in claims and "SQ004" not in {
        cls.code for cls in registry.rules_for(config, frozenset({"delete"}), False)}
    narrow = Config(select=("DL",), ignore=("DL004",))
    assert {cls.code for cls in registry.rules_for(narrow, frozenset({"alter_table"}), False)
            } == {"DL002", "DL005", "DL006"}
    # a rule module the catalogue does not list (added since it was written): all run
    monkeypatch.setattr(registry, "catalogue", lambda: rulebook.load()[1:])
    assert {cls.code for cls in registry.rules_for(config, frozenset({"alter_table"}), False)
            } == every


def test_check_of_a_file_loads_the_rules_its_statements_need(tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY, a text);\n"
                                        "INSERT INTO t (a) VALUES ('x');\n")
    new = root / "0002_rename.sql"
    new.write_text("ALTER TABLE t RENAME COLUMN a TO b;\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = []
    for args in (["check", str(new), "--format", "json", "--no-cache"],
                 ["check", str(root), "--format", "json", "--no-cache"]):
        # run where no configuration file is found (nor a `migrations` directory)
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(exist_ok=True)
        done = subprocess.run([sys.executable, "-c", _SYS_MODULES, *args], capture_output=True,
                              text=True, cwd=elsewhere, env=env, check=False)
        assert done.returncode == 1, done.stderr[-2000:]
        outputs.append((json.loads(done.stdout), json.loads(done.stderr.splitlines()[-1])))
    (report, loaded), (whole, every) = outputs
    assert [f["code"] for f in report["findings"]] == ["DL004"]
    assert [f for f in whole["findings"] if f["path"] == str(new)] == report["findings"]
    assert "migrate_lint.rules.rename_column" in loaded
    assert "migrate_lint.rules.insert_omits_required_column" in loaded  # a history rule
    for skipped in ("delete_all_rows", "drop_table", "positional_copy", "unbalanced_transaction"):
        assert f"migrate_lint.rules.{skipped}" not in loaded
        assert f"migrate_lint.rules.{skipped}" in every
    assert "tomllib" not in loaded  # no configuration file, no diesel layout: no TOML read
