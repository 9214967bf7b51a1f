"""The migration connection: one runner table, settings with their origins, inference.

Every claim is checked on a real SQLite through the sandbox built from the same
resolved settings the rules read: a drizzle rebuild cascades into child rows only
when its file does not step out of the batch, and the RB findings follow; a
connection with foreign keys off cascades nothing, and RB001/RB002 go; a
golang-migrate file with its own BEGIN runs unwrapped, so verify and fix work.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import corpus_path

from migrate_lint.cli import cli
from migrate_lint.config import Config, load_config
from migrate_lint.engine import rule_by_code, run_rules
from migrate_lint.fix.model import Options
from migrate_lint.fix.planner import plan_fixes
from migrate_lint.pipeline import load_history, load_timeline
from migrate_lint.runners import RUNNERS
from migrate_lint.sandbox import Sandbox
from migrate_lint.settings import Origin, Requested
from migrate_lint.source import RUNNERS as RUNNER_CHOICES

_BP = "\n--> statement-breakpoint\n"

PARENT_CHILD = [
    "CREATE TABLE `board` (`id` text PRIMARY KEY NOT NULL, `name` text)",
    "CREATE TABLE `item` (`id` text PRIMARY KEY NOT NULL, `board_id` text NOT NULL "
    "REFERENCES `board`(`id`) ON DELETE cascade)",
]
REBUILD = [
    "CREATE TABLE `__new_board` (`id` text PRIMARY KEY NOT NULL, `name` text DEFAULT '' "
    "NOT NULL)",
    "INSERT INTO `__new_board`(`id`, `name`) SELECT `id`, coalesce(`name`, '') FROM `board`",
    "DROP TABLE `board`",
    "ALTER TABLE `__new_board` RENAME TO `board`",
]
# What drizzle-kit generates: the pragma inside drizzle's one batch transaction.
PLAIN = ["PRAGMA foreign_keys=OFF", *REBUILD, "PRAGMA foreign_keys=ON"]
# What homarr writes at the top and bottom of five files to step out of the batch.
ESCAPED = ["COMMIT TRANSACTION", "PRAGMA foreign_keys = OFF", "BEGIN TRANSACTION", *REBUILD,
           "COMMIT TRANSACTION", "PRAGMA foreign_keys = ON", "BEGIN TRANSACTION"]


def _drizzle(root: Path, second: list[str]) -> Path:
    """A drizzle-kit folder: journal, breakpoints, the parent/child tables, a rebuild."""
    (root / "meta").mkdir(parents=True)
    tags = ["0000_init", "0001_rebuild", "0002_later"]
    bodies = [PARENT_CHILD, second, ["CREATE TABLE `later` (`id` integer PRIMARY KEY)"]]
    entries = []
    for idx, (tag, body) in enumerate(zip(tags, bodies, strict=True)):
        (root / f"{tag}.sql").write_text(_BP.join(s + ";" for s in body) + "\n")
        entries.append({"idx": idx, "version": "6", "when": 1715334238443 + idx, "tag": tag,
                        "breakpoints": True})
    (root / "meta" / "_journal.json").write_text(json.dumps(
        {"version": "6", "dialect": "sqlite", "entries": entries}))
    return root


def _codes(root: Path, config: Config | None = None) -> list[tuple[str, str, int]]:
    config = config or Config()
    timeline = load_timeline(root, requested=Requested.from_config(config))
    rules = [rule_by_code(c) for c in ("RB001", "RB002")]
    found = run_rules(timeline, config, [r for r in rules if r is not None])
    return sorted((f.code, Path(f.path).name, f.span.line) for f in found)


def _children_after_rebuild(root: Path, *, foreign_keys: bool | None = None,
                            config: Config | None = None) -> int:
    """Apply the history on the connection its settings describe, with rows; count items."""
    history = load_history(root, requested=Requested.from_config(config or Config()))
    first, *pending = history.migrations
    with Sandbox.for_settings(history.settings, foreign_keys=foreign_keys) as box:
        assert box.apply(first.up.statements) is None
        box.connection.execute("INSERT INTO board VALUES ('b1', NULL), ('b2', 'x')")
        box.connection.execute("INSERT INTO item VALUES ('i1', 'b1'), ('i2', 'b2')")
        failed = box.apply_batch([(m.up.statements, m.source.no_transaction) for m in pending])
        assert failed is None, failed
        return int(box.connection.execute("SELECT count(*) FROM item").fetchone()[0])


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})


# -- the runner table ----------------------------------------------------------------


def test_every_runner_name_is_described_once() -> None:
    assert tuple(RUNNERS) == RUNNER_CHOICES
    assert all(r.name == name for name, r in RUNNERS.items())
    with pytest.raises(TypeError):
        RUNNERS["goose"] = RUNNERS["drizzle"]  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(RUNNERS))
def test_sandbox_follows_the_table(name: str) -> None:
    runner = RUNNERS[name]
    with Sandbox(name) as box:
        assert box.transaction == runner.transaction
        on = box.connection.execute("PRAGMA foreign_keys").fetchone()[0]
        assert bool(on) == runner.foreign_keys


# -- drizzle: stepping out of the batch ----------------------------------------------


def test_drizzle_cascade_happens_only_inside_the_batch(tmp_path: Path) -> None:
    plain = _drizzle(tmp_path / "plain", PLAIN)
    escaped = _drizzle(tmp_path / "escaped", ESCAPED)
    # SQLite: the pragma is a no-op inside drizzle's transaction, so DROP TABLE cascades.
    assert _children_after_rebuild(plain) == 0
    assert _children_after_rebuild(escaped) == 2
    # The findings follow what SQLite did.
    assert [c for c, _, _ in _codes(plain)] == ["RB001", "RB002"]
    assert _codes(escaped) == []


def test_drizzle_step_out_is_recorded_with_its_file(tmp_path: Path) -> None:
    escaped = _drizzle(tmp_path / "escaped", ESCAPED)
    settings = load_history(escaped).settings
    assert settings.transaction == "batch" and settings.runner.name == "drizzle"
    assert [Path(s.path).name for s in settings.step_outs] == ["0001_rebuild.sql"]
    assert load_history(_drizzle(tmp_path / "plain", PLAIN)).settings.step_outs == ()


# -- foreign keys off on the connection ----------------------------------------------

UPDOWN_REBUILD = [
    "PRAGMA foreign_keys=OFF;", "BEGIN;",
    "CREATE TABLE board_new (id text PRIMARY KEY NOT NULL, name text NOT NULL DEFAULT '');",
    "INSERT INTO board_new (id, name) SELECT id, coalesce(name, '') FROM board;",
    "DROP TABLE board;", "ALTER TABLE board_new RENAME TO board;", "COMMIT;",
    "PRAGMA foreign_keys=ON;",
]


def _stash_like(root: Path) -> Path:
    """golang-migrate naming; the rebuild puts its pragma inside the wrapped file."""
    root.mkdir(parents=True)
    (root / "1_init.up.sql").write_text(";\n".join(PARENT_CHILD) + ";\n")
    body = [s for s in UPDOWN_REBUILD if s not in ("BEGIN;", "COMMIT;")]
    (root / "2_rebuild.up.sql").write_text("\n".join(body) + "\n")
    return root


def test_foreign_keys_off_removes_rb001_and_rb002(tmp_path: Path) -> None:
    root = _stash_like(tmp_path / "m")
    # A Go driver's default off is no proof (apps turn them on in the DSN): reported.
    assert [c for c, _, _ in _codes(root)] == ["RB001", "RB002"]
    stated = Config(foreign_keys=False, in_file=frozenset({"foreign_keys"}), source="x.toml")
    assert _codes(root, stated) == []
    # SQLite agrees: on that connection the DROP deletes no child row; with them on it does.
    assert _children_after_rebuild(root, config=stated) == 2
    assert _children_after_rebuild(root, config=stated, foreign_keys=True) == 0


def test_foreign_keys_on_makes_restrict_children_a_warning(tmp_path: Path) -> None:
    root = _stash_like(tmp_path / "m")
    init = (root / "1_init.up.sql").read_text().replace("ON DELETE cascade", "")
    (root / "1_init.up.sql").write_text(init)
    assert "RB002" not in [c for c, _, _ in _codes(root)]
    on = Config(foreign_keys=True, flags=frozenset({"foreign_keys"}))
    assert "RB002" in [c for c, _, _ in _codes(root, on)]


# -- golang-migrate with the files' own BEGIN ----------------------------------------


def _own_begin(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "1_init.up.sql").write_text(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, secs INTEGER);\n")
    (root / "2_dur.up.sql").write_text(
        "BEGIN;\nALTER TABLE item ADD COLUMN mins INTEGER;\n"
        "UPDATE item SET mins = durationToTinyInt(secs);\nCOMMIT;\n")
    (root / "3_flag.up.sql").write_text(
        "BEGIN;\nALTER TABLE item ADD COLUMN flag INTEGER NOT NULL;\nCOMMIT;\n")
    return root


def test_own_begin_means_unwrapped_and_verify_agrees(tmp_path: Path) -> None:
    root = _own_begin(tmp_path / "m")
    settings = load_history(root).settings
    assert (settings.transaction, settings.transaction_from.kind) == ("file", "inferred")
    assert "2_dur.up.sql:1" in settings.transaction_from.detail
    ok = _cli("schema", str(root), "--verify", "--sql-function", "durationToTinyInt")
    assert ok.exit_code == 0, ok.output
    # Told to wrap every file, SQLite refuses the file's BEGIN, as the runner would.
    wrapped = _cli("schema", str(root), "--verify", "--sql-function", "durationToTinyInt",
                   "--transaction", "migration")
    assert wrapped.exit_code == 1
    assert "cannot start a transaction within a transaction" in wrapped.output


def test_fix_plans_with_own_begin_and_an_app_function(tmp_path: Path) -> None:
    root = _own_begin(tmp_path / "m")
    (tmp_path / "m" / ".migrate-lint.toml").write_text('sql-functions = ["durationToTinyInt"]\n')
    plans = plan_fixes(str(root), Options(select=frozenset({"NN001"}), now_ms=1767300000000))
    assert plans and all(p.refused is None for p in plans), [p.refused for p in plans]
    assert all(p.ok for p in plans)
    new = [c for p in plans for c in p.files if c.old_text is None]
    # The runner opens no transaction: the rebuild brings its own, foreign keys off first.
    assert any(c.text.find("PRAGMA foreign_keys=OFF;\nBEGIN") >= 0 for c in new)


def test_fix_cli_takes_the_connection_flags(tmp_path: Path) -> None:
    root = _own_begin(tmp_path / "m")
    refused = _cli("fix", str(root), "--select", "NN001")
    assert "refused" in refused.stdout and "--sql-function durationToTinyInt" in refused.stdout
    planned = _cli("fix", str(root), "--select", "NN001", "--sql-function", "durationToTinyInt")
    # A dry run with fixes to write exits 1 (as ruff --diff); nothing refused or failed.
    assert "refused" not in planned.stdout and "[ready]" in planned.stdout, planned.output
    assert "dry run: nothing written" in planned.stdout
    written = _cli("fix", str(root), "--select", "NN001", "--sql-function", "durationToTinyInt",
                   "--write")
    assert written.exit_code == 0, written.output
    assert _cli("schema", str(root), "--verify", "--sql-function",
                "durationToTinyInt").exit_code == 0


def test_fix_without_the_function_says_which(tmp_path: Path) -> None:
    root = _own_begin(tmp_path / "m")
    plans = plan_fixes(str(root), Options(select=frozenset({"NN001"})))
    assert plans and all(p.refused and "--sql-function durationToTinyInt" in p.refused
                         for p in plans)


# -- where each setting came from ----------------------------------------------------


def test_show_settings_names_every_origin(tmp_path: Path) -> None:
    root = _own_begin(tmp_path / "m")
    config = tmp_path / "conf.toml"
    config.write_text('foreign-keys = "off"\nsql-functions = ["durationToTinyInt"]\n')
    result = _cli("check", str(root), "--config", str(config), "--show-settings",
                  "--sql-function", "other_fn", "--runner", "golang-migrate")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"settings for {root}:"
    assert lines[1] == f"  layout: updown (inferred from the files under {root})"
    assert lines[2] == "  runner: golang-migrate (flag --runner)"
    assert lines[3] == f"  foreign keys: off (config {config})"
    assert lines[4].startswith(f"  transaction: file (inferred from {root}/2_dur.up.sql:1,")
    assert lines[5] == (f"  functions: durationToTinyInt (config {config}), "
                        "other_fn (flag --sql-function)")
    again = _cli("check", str(root), "--config", str(config), "--show-settings",
                 "--sql-function", "other_fn", "--runner", "golang-migrate")
    assert again.stdout == result.stdout
    flagged = _cli("check", str(root), "--show-settings", "--foreign-keys", "on",
                   "--transaction", "migration")
    assert "  foreign keys: on (flag --foreign-keys)" in flagged.stdout
    assert "  transaction: migration (flag --transaction)" in flagged.stdout
    assert "  runner: golang-migrate (inferred from the updown layout)" in flagged.stdout
    schema = _cli("schema", str(root), "--show-settings", "--config", str(config))
    assert schema.stdout.splitlines()[1:] == [*lines[1:2],
                                              "  runner: golang-migrate (inferred from the "
                                              "updown layout)", *lines[3:5],
                                              f"  functions: durationToTinyInt (config "
                                              f"{config})"]


def test_verbose_prints_the_settings_on_stderr(tmp_path: Path) -> None:
    root = _stash_like(tmp_path / "m")
    result = _cli("check", str(root), "--verbose", "--foreign-keys", "off")
    assert "foreign keys: off (flag --foreign-keys)" in result.stderr
    assert "RB00" not in result.stdout


@pytest.mark.parametrize(("text", "message"), [
    ('foreign-keys = "maybe"\n', "`foreign-keys` must be on or off, not 'maybe'"),
    ('transaction = "sometimes"\n', "`transaction` must be one of none, migration, batch, "
                                    "file, not 'sometimes'"),
])
def test_bad_settings_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / ".migrate-lint.toml"
    config.write_text(text)
    result = _cli("check", str(tmp_path), "--config", str(config))
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_config_keys_read(tmp_path: Path) -> None:
    file = tmp_path / ".migrate-lint.toml"
    file.write_text('foreign-keys = false\ntransaction = "batch"\n')
    config = load_config(file)
    assert (config.foreign_keys, config.transaction) == (False, "batch")
    assert config.origin_of("foreign_keys") == Origin("config", config.origin)
    assert config.origin_of("runner") == Origin("default")
    assert config.merged(transaction="file").origin_of("transaction").kind == "flag"


# -- the four real histories ---------------------------------------------------------

# How SOURCE.md says each project runs its migrations, as configuration.
REALWORLD = {
    "navidrome": ("navidrome/db/migrations", ""),
    "homarr": ("homarr/packages/db/migrations/sqlite", ""),
    "stash": ("stash/pkg/sqlite/migrations",
              'foreign-keys = "off"\nsql-functions = ["durationToTinyInt"]\n'),
    "pingvin-share": ("pingvin-share/backend/prisma/migrations", ""),
}
# Gaps other work owns: Go code migrations (navidrome), CTE statements split in two.
_NOT_OURS = ("no such table", "incomplete input", "disagree")


@pytest.mark.parametrize("name", sorted(REALWORLD))
def test_realworld_verify_runs_as_source_md_says(tmp_path: Path, name: str) -> None:
    folder, settings = REALWORLD[name]
    root = corpus_path("realworld", *folder.split("/"))
    config = tmp_path / "settings.toml"
    config.write_text(settings)
    result = _cli("schema", str(root), "--verify", "--config", str(config))
    if result.exit_code == 0:
        assert "the model agrees with SQLite" in result.stdout
        return
    assert name in ("navidrome", "stash"), result.output
    assert "transaction" not in result.stderr and "no such function" not in result.stderr
    assert any(text in result.stderr for text in _NOT_OURS), result.stderr


def test_realworld_settings_match_source_md(tmp_path: Path) -> None:
    expected = {
        "navidrome": ("goose", "off", "migration"),
        "homarr": ("drizzle", "on", "batch"),
        "stash": ("golang-migrate", "off", "migration"),
        "pingvin-share": ("prisma", "on", "none"),
    }
    for name, (folder, settings) in REALWORLD.items():
        root = corpus_path("realworld", *folder.split("/"))
        config = tmp_path / f"{name}.toml"
        config.write_text(settings)
        out = _cli("check", str(root), "--config", str(config), "--show-settings").stdout
        runner, fk, tx = expected[name]
        assert f"  runner: {runner} (" in out, out
        assert f"  foreign keys: {fk} (" in out, out
        assert f"  transaction: {tx} (" in out, out
    homarr = corpus_path("realworld", *REALWORLD["homarr"][0].split("/"))
    steps = sorted(Path(s.path).name[:4] for s in load_history(homarr).settings.step_outs)
    assert steps == ["0001", "0006", "0023", "0025", "0030"]


def test_homarr_rb_findings_only_where_sqlite_cascades() -> None:
    root = corpus_path("realworld", *REALWORLD["homarr"][0].split("/"))
    found = {(code, file[:4]) for code, file, _ in _codes(root)}
    assert {file for _, file in found} <= {"0012", "0015", "0016", "0039"}
    assert {("RB002", "0012"), ("RB002", "0016"), ("RB002", "0039")} <= found
    assert not {f for _, f in found} & {"0001", "0006", "0023", "0025", "0030"}


def test_stash_settings_remove_its_rb_findings(tmp_path: Path) -> None:
    root = corpus_path("realworld", *REALWORLD["stash"][0].split("/"))
    assert _codes(root)  # the Go driver default: may be on
    stated = Config(foreign_keys=False, in_file=frozenset({"foreign_keys"}), source="s.toml")
    assert _codes(root, stated) == []
