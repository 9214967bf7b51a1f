"""The content-hash cache: a cached run reports exactly what a cold one does.

`check` keeps replay checkpoints and results (migrate_lint.lintcache). These tests run
the real command on the real histories and on generated ones, cold (`--no-cache`),
filling the cache, and warm (results read back, or the replay resumed from a
checkpoint for a new file), and compare the JSON output byte for byte; then they
break the cache (truncated, garbage, another version, an unwritable place, several
writers at once) and check that it is ignored and rebuilt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT, corpus_path
from test_check_files import CORPORA, _generator

from migrate_lint.cache import DIRECTORY, MAGIC, Codec, Store
from migrate_lint.checkpoint import CODEC
from migrate_lint.cli import cli
from migrate_lint.lintcache import ENV
from migrate_lint.pipeline import load_timeline

CLEAN_ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "FORCE_COLOR": None}


def check(*args: str) -> Result:
    result = CliRunner(env=CLEAN_ENV).invoke(cli, ["check", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result


def _config(tmp_path: Path, settings: dict[str, object]) -> Path:
    """A configuration file with the settings a project runs with (CORPORA)."""
    lines = []
    if settings.get("foreign_keys") is False:
        lines.append('foreign-keys = "off"')
    if settings.get("sql_functions"):
        lines.append(f"sql-functions = {json.dumps(list(settings['sql_functions']))}")
    path = tmp_path / "config" / ".migrate-lint.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def notes(result: Result) -> str:
    """What --verbose said about the cache."""
    return "\n".join(line for line in result.stderr.splitlines() if line.startswith("cache:"))


def _entries(cache: Path, prefix: str = "") -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.name.startswith(prefix or ("ckpt-",
                                                                                   "res-")))


# --- cached equals cold on the real histories ------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(CORPORA))
def test_cached_run_equals_cold_run_on_real_history(name: str, tmp_path: Path) -> None:
    parts, settings = CORPORA[name]
    root = str(corpus_path(*parts))
    config = str(_config(tmp_path, settings))
    cache = tmp_path / "cache"
    common = ["--config", config]
    cold = check(root, *common, "--no-cache")
    filling = check(root, *common, "--cache-dir", str(cache), "--verbose")
    assert "results read" not in notes(filling)
    warm = check(root, *common, "--cache-dir", str(cache), "--verbose")
    assert "results read from" in notes(warm)
    assert filling.stdout == cold.stdout == warm.stdout
    assert json.loads(cold.stdout)["findings"], "the comparison needs findings"
    assert _entries(cache, "ckpt-") and _entries(cache, "res-")

    # the pre-commit case: the newest migration's files, resumed from the checkpoint
    # kept before the last migration
    files = sorted({f["path"] for f in json.loads(cold.stdout)["findings"]})
    last = max(files, key=lambda p: Path(p).parent.name if Path(p).name in (
        "migration.sql", "up.sql") else Path(p).name)
    alone_cold = check(last, *common, "--no-cache")
    alone = check(last, *common, "--cache-dir", str(cache), "--verbose")
    assert alone.stdout == alone_cold.stdout
    assert "results read" not in notes(alone)


# --- cached equals cold on generated histories -----------------------------------------


def _history(root: Path, seed: int) -> list[Path]:
    """A generated history of about twenty migrations (tables with foreign keys, some
    dangling or not unique, rebuilds, renames, writes)."""
    gen = _generator()
    if seed % 2:
        gen.generate_growing_history(root, statements=120, per_migration=6, seed=seed)
    else:
        gen.generate_history(root, migrations=18, per_migration=6, seed=seed)
    return sorted(root.glob("*.sql"))


@pytest.mark.parametrize("seed", range(50))
def test_cached_run_equals_cold_run_on_generated_history(seed: int, tmp_path: Path) -> None:
    root = tmp_path / "migrations"
    files = _history(root, seed)
    cache = tmp_path / "cache"
    newest = files[-1]
    held = newest.read_text()
    newest.unlink()
    # yesterday's history, checked whole: fills the cache
    before = check(str(root), "--cache-dir", str(cache))
    assert before.stdout == check(str(root), "--no-cache").stdout
    # today's new migration, checked alone as pre-commit does: resumed, or (when a rule
    # needs more of the history than a checkpoint keeps) replayed
    newest.write_text(held)
    alone = check(str(newest), "--cache-dir", str(cache), "--verbose")
    assert alone.stdout == check(str(newest), "--no-cache").stdout
    assert "resumed after migration" in notes(alone)
    # then the whole history: cold, then warm from the results
    whole = check(str(root), "--cache-dir", str(cache))
    assert whole.stdout == check(str(root), "--no-cache").stdout
    assert check(str(root), "--cache-dir", str(cache), "--verbose").stdout == whole.stdout


def test_edited_new_file_resumes_before_it(tmp_path: Path) -> None:
    """A migration edited again and again before its commit: each run resumes from
    the checkpoint before it, and reports the file as it now is."""
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY, a text);\n")
    (root / "0002_more.sql").write_text("ALTER TABLE t ADD b text;\n")
    new = root / "0003_new.sql"
    cache = tmp_path / "cache"
    for text, codes in (("ALTER TABLE t ADD c integer NOT NULL;\n", ["NN001"]),
                        ("ALTER TABLE t ADD c integer NOT NULL DEFAULT 0;\n", []),
                        ("ALTER TABLE t DROP COLUMN a;\n", ["DL002"])):
        new.write_text(text)
        result = check(str(new), "--cache-dir", str(cache), "--verbose")
        assert [f["code"] for f in json.loads(result.stdout)["findings"]] == codes
        assert result.stdout == check(str(new), "--no-cache").stdout
    assert "resumed after migration 2 of 3" in notes(result)


def test_resumed_timeline_makes_the_old_writes_on_demand(tmp_path: Path) -> None:
    """A resumed timeline holds the kept writes as rows until a rule asks for them:
    then they are the cold replay's, in order, with the new file's after them."""
    from migrate_lint import checkpoint
    from migrate_lint.discover import discover
    from migrate_lint.settings import Requested

    root = tmp_path / "migrations"
    _generator().generate_growing_history(root, statements=200, per_migration=10, seed=4)
    cold = load_timeline(root)
    found = discover(str(root))
    count = len(found.migrations) - 1
    data = checkpoint.encode(cold, found, [count])
    assert data is not None and data["writes"]
    resumed = checkpoint.resume(found, data, count, Requested())
    assert type(resumed.writes) is not list  # not made yet
    assert list(resumed.writes) == cold.writes and len(resumed.writes) == len(cold.writes)
    assert resumed.writes[-1] == cold.writes[-1] and resumed.writes[:3] == cold.writes[:3]
    table = cold.writes[0].table
    end = len(cold.steps)
    assert resumed.writes_to(table, 0, end) == cold.writes_to(table, 0, end)


def test_resumed_history_reads_old_comments_on_demand(tmp_path: Path) -> None:
    """A checkpoint keeps each old migration's comments (directives among them) as a
    blob read when asked for: the resumed history has the same comments as the parsed
    one, up and down, and the same paths."""
    from migrate_lint import checkpoint
    from migrate_lint.discover import discover
    from migrate_lint.settings import Requested

    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.up.sql").write_text(
        "-- migrate-lint: ignore-file DL001 -- old\nCREATE TABLE t (id integer); -- why\n")
    (root / "0001_init.down.sql").write_text("/* gone */ DROP TABLE t;\n")
    (root / "0002_more.up.sql").write_text("ALTER TABLE t ADD b text;\n-- trailing\n")
    (root / "0002_more.down.sql").write_text("ALTER TABLE t DROP COLUMN b;\n")
    (root / "0003_new.up.sql").write_text("-- new\nDROP TABLE t;\n")
    found = discover(str(root))
    timeline = load_timeline(root)
    data = checkpoint.encode(timeline, found, [2])
    assert data is not None
    resumed = checkpoint.resume(found, data, 2, Requested())
    assert checkpoint.resumed_at(resumed) == 2
    seen = 0
    for old, new in zip(timeline.history.migrations, resumed.history.migrations,
                        strict=True):
        for before, after in ((old.up, new.up), (old.down, new.down)):
            assert (after is None) == (before is None)
            if after is not None and before is not None:
                assert after.comments == before.comments
                assert after.paths == before.paths
                seen += len(after.comments)
    assert seen == 5


def test_rule_that_needs_old_statements_falls_back_to_a_full_replay(tmp_path: Path) -> None:
    """NN003 asks whether an earlier migration backfilled a column: the checkpoint keeps
    old statements in outline only, so the run replays the whole history instead."""
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "0001_init.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY, a text);\n"
                                        "INSERT INTO t (a) VALUES ('x');\n")
    (root / "0002_fill.sql").write_text("UPDATE t SET a = 'y' WHERE a IS NULL;\n")
    cache = tmp_path / "cache"
    check(str(root), "--cache-dir", str(cache))
    new = root / "0003_rebuild.sql"
    new.write_text(
        "CREATE TABLE t_new (id integer PRIMARY KEY, a text NOT NULL);\n"
        "INSERT INTO t_new (id, a) SELECT id, a FROM t;\n"
        "DROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n")
    result = check(str(new), "--cache-dir", str(cache), "--verbose")
    assert result.stdout == check(str(new), "--no-cache").stdout
    assert "replayed it all" in notes(result)


# --- a broken cache is ignored and rebuilt ---------------------------------------------


def _small_history(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    root.mkdir(parents=True)
    (root / "0001_init.sql").write_text("CREATE TABLE t (id integer PRIMARY KEY);\n")
    (root / "0002_bad.sql").write_text("ALTER TABLE t ADD c integer NOT NULL;\n")
    (root / "0003_more.sql").write_text("ALTER TABLE t ADD d text;\nDROP TABLE t;\n")
    return root


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other-version",
                                    "wrong-shape"])
def test_damaged_cache_is_rebuilt(damage: str, tmp_path: Path) -> None:
    root = _small_history(tmp_path)
    cache = tmp_path / "cache"
    cold = check(str(root), "--no-cache").stdout
    assert check(str(root), "--cache-dir", str(cache)).stdout == cold
    for entry in _entries(cache):
        path = cache / entry
        data = path.read_bytes()
        if damage == "truncate":  # a writer killed half way (were writes not atomic)
            path.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            path.write_bytes(os.urandom(len(data)))
        elif damage == "empty":
            path.write_bytes(b"")
        elif damage == "other-version":
            path.write_bytes(data.replace(b'"format": 1', b'"format": 99', 1))
        else:  # valid file, checksum and all, holding something else
            Store(str(cache), []).write(entry, {"count": "x", "findings": [7]})
    warm = check(str(root), "--cache-dir", str(cache), "--verbose")
    assert warm.stdout == cold
    assert "; ignored" in notes(warm)
    assert "results read" not in notes(warm)
    # rebuilt: the next run reads valid entries again
    again = check(str(root), "--cache-dir", str(cache), "--verbose")
    assert again.stdout == cold and "results read from" in notes(again)
    assert "; ignored" not in notes(again)
    new = root / "0004_new.sql"
    new.write_text("ALTER TABLE t2 ADD x text;\n")
    resumed = check(str(new), "--cache-dir", str(cache), "--verbose")
    assert resumed.stdout == check(str(new), "--no-cache").stdout


def test_no_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _small_history(tmp_path)
    monkeypatch.delenv(ENV)
    monkeypatch.chdir(tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    check(str(root), "--no-cache")
    check(str(root / "0002_bad.sql"), "--no-cache")
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    both = CliRunner().invoke(cli, ["check", str(root), "--no-cache", "--cache-dir", "x"])
    assert both.exit_code == 2 and "--no-cache" in both.output


def test_default_place_is_beside_the_configuration_else_the_migrations(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV)
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "project"
    root = _small_history(project)
    check(str(root))
    assert _entries(project / DIRECTORY)
    assert (project / DIRECTORY / ".gitignore").read_text() == "*\n"
    shutil.rmtree(project / DIRECTORY)
    (project / "db").mkdir()
    config = project / "db" / ".migrate-lint.toml"
    config.write_text('path = "../migrations"\n')
    check(str(root), "--config", str(config))
    assert _entries(project / "db" / DIRECTORY)
    assert not (project / DIRECTORY).exists()
    monkeypatch.setenv(ENV, str(tmp_path / "from-env"))
    check(str(root), "--config", str(config))
    assert _entries(tmp_path / "from-env")


def test_cache_inside_the_migrations_directory_is_no_migration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration file kept in the migrations directory puts the cache there:
    discovery passes over it (a hidden folder), so the findings do not change."""
    monkeypatch.delenv(ENV)
    for layout in ("flat", "folder"):
        root = tmp_path / layout
        names = (["0001_a.sql", "0002_b.sql"] if layout == "flat"
                 else ["20240101000000_a/migration.sql", "20240102000000_b/migration.sql"])
        for name, text in zip(names, ("CREATE TABLE t (id integer PRIMARY KEY);\n",
                                      "ALTER TABLE t ADD c integer NOT NULL;\n"), strict=True):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        config = root / ".migrate-lint.toml"
        config.write_text('select = ["ALL"]\n')
        cold = check(str(root), "--config", str(config), "--no-cache").stdout
        assert check(str(root), "--config", str(config)).stdout == cold
        assert _entries(root / DIRECTORY)
        assert check(str(root), "--config", str(config)).stdout == cold
        assert "MG000" not in cold


def test_unusable_cache_place_is_skipped_with_a_note(tmp_path: Path) -> None:
    """A cache directory that cannot be made (here under a file; a read-only checkout
    alike): the run goes on without a cache and says so under --verbose only."""
    root = _small_history(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cold = check(str(root), "--no-cache")
    quiet = check(str(root), "--cache-dir", str(blocker / "cache"))
    assert quiet.stdout == cold.stdout and quiet.stderr == ""
    loud = check(str(root), "--cache-dir", str(blocker / "cache"), "--verbose")
    assert loud.stdout == cold.stdout and "not caching" in notes(loud)


def test_concurrent_runs_share_one_cache(tmp_path: Path) -> None:
    """Pre-commit runs hooks in parallel: writers rename complete files into place, so
    each run reads a whole entry or none, and every run reports the same."""
    root = _small_history(tmp_path)
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "migrate_lint", "check", str(root), "--format", "json",
               "--cache-dir", str(cache)]
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, cwd=ROOT) for _ in range(4)]
    outputs = {run.communicate()[0] for run in runs}
    assert len(outputs) == 1
    assert not [p for p in cache.iterdir() if p.name.startswith(".tmp-")]
    cold = subprocess.run([*command[:-2], "--no-cache"], capture_output=True, env=env,
                          cwd=ROOT, check=False)
    assert outputs == {cold.stdout}


# --- the store and the codec -----------------------------------------------------------


def test_store_keeps_its_bounds_least_recently_used_first(tmp_path: Path) -> None:
    store = Store(str(tmp_path), [])
    for number in range(6):
        store.write(f"res-{number}", {"n": number, "pad": "x" * 1000})
        os.utime(tmp_path / f"res-{number}", (1000 + number, 1000 + number))
    assert store.read("res-0") == {"n": 0, "pad": "x" * 1000}  # used: now the newest
    store.evict(max_entries=3)
    assert sorted(store.names()) == ["res-0", "res-4", "res-5"]
    store.evict(max_entries=10, max_bytes=2500)
    assert sorted(store.names()) == ["res-0", "res-5"]
    stale = tmp_path / ".tmp-killed"
    stale.write_bytes(MAGIC)
    os.utime(stale, (0, 0))
    store.evict()
    assert not stale.exists()


def test_codec_round_trips_replayed_schemas(tmp_path: Path) -> None:
    """Every schema of a generated history survives the cache: equal after decoding,
    down to the fields equality leaves out (touched names, referrers)."""
    root = tmp_path / "migrations"
    _generator().generate_growing_history(root, statements=300, per_migration=10, seed=3)
    timeline = load_timeline(root)
    for index in range(0, len(timeline.history.migrations), 3):
        schema = timeline.after_migration(index)
        back = CODEC.decode(CODEC.encode(schema))
        assert back == schema
        assert (back.touched, back.referrers) == (schema.touched, schema.referrers)
        for key, table in schema.tables.items():
            assert back.tables[key].columns == table.columns
            assert back.tables[key].parents == table.parents


def test_lazy_fields_decode_on_first_use(tmp_path: Path) -> None:
    """A checkpoint's tables keep their columns (and indexes their details) encoded
    until first read: until then the schema holds stand-ins, which compare, hash, copy,
    print and re-encode as the objects themselves and become them when read; the foreign
    keys a table derives are kept with it, answered without decoding the columns."""
    import copy
    import dataclasses

    from migrate_lint.schema import Index, Table, all_foreign_keys

    root = tmp_path / "migrations"
    _generator().generate_growing_history(root, statements=300, per_migration=10, seed=5)
    timeline = load_timeline(root)
    schema = timeline.after_migration(len(timeline.history.migrations) - 1)
    for table in schema.tables.values():
        all_foreign_keys(table)
    assert any(all_foreign_keys(t) for t in schema.tables.values())
    assert schema.indexes
    encoded = CODEC.encode(schema)
    back = CODEC.decode(encoded)
    tables = list(back.tables.values())
    assert tables and all(type(t) is not Table and isinstance(t, Table) for t in tables)
    assert all(type(i) is not Index for i in back.indexes.values())
    # derived foreign keys and parents: no decoding
    for key, table in schema.tables.items():
        assert back.tables[key].parents == table.parents
        assert all_foreign_keys(back.tables[key]) == all_foreign_keys(table)
    assert all(type(t) is not Table for t in back.tables.values())
    first, second, third, fourth, fifth, *_ = sorted(back.tables, key=str)
    original = schema.tables
    # reading a lazy field decodes the object into the class itself
    assert back.tables[first].columns == original[first].columns
    assert type(back.tables[first]) is Table
    # equality both ways (a stand-in against a plain object), hashing, printing
    assert original[second] == back.tables[second] and back.tables[third] == original[third]
    assert type(back.tables[second]) is Table and type(back.tables[third]) is Table
    assert hash(back.tables[fourth]) == hash(original[fourth])
    assert repr(back.tables[fifth]) == repr(original[fifth])
    # copies and `dataclasses.replace` make the class itself
    lazy = [t for t in back.tables.values() if type(t) is not Table]
    assert len(lazy) >= 3
    assert copy.copy(lazy[0]) == copy.deepcopy(lazy[0]) == original[lazy[0].name.lower()]
    every = {f.name: getattr(original[lazy[1].name.lower()], f.name)
             for f in dataclasses.fields(Table) if f.init}
    made = dataclasses.replace(lazy[1], **every)
    assert type(made) is Table and made == original[lazy[1].name.lower()]
    # re-encoding a decoded schema (a resumed run keeping a checkpoint) decodes the rest
    again = CODEC.decode(CODEC.encode(back))
    assert again == schema
    assert all(a.columns == b.columns for a, b in zip(
        (again.tables[k] for k in schema.tables), schema.tables.values(), strict=True))
    index = next(iter(again.indexes))
    assert again.indexes[index].origin == schema.indexes[index].origin


def test_codec_makes_objects_as_their_init_does() -> None:
    """The codec sets the slots of frozen dataclasses directly: every field, the
    fields outside __init__ at their defaults (a fresh dict each), as __init__ would;
    a class with a __post_init__ or its own __init__ is made by calling it."""
    from dataclasses import dataclass, field, fields

    from migrate_lint.lintcache import RESULTS
    from migrate_lint.schema import Table
    from migrate_lint.span import Span

    for codec in (CODEC, RESULTS):
        codec.decode(None)  # the makers are made on the first decode
        for cls, make in zip(codec.classes, codec._makers, strict=True):
            names = [f.name for f in fields(cls) if f.init]
            args = [object() for _ in names]  # any values: neither checks its arguments
            made, built = make(*args), cls(*args)
            assert type(made) is cls
            for f in fields(cls):
                assert getattr(made, f.name) == getattr(built, f.name), (cls, f.name)
    span = Span("a.sql", 0, 1, 1, 1, 1, 2)
    first, second = (CODEC.decode(CODEC.encode(Table("t", (), None, "CREATE TABLE t (a)")))  # type: ignore[arg-type]
                     for _ in range(2))
    assert first.derived == {} and first.derived is not second.derived
    assert CODEC.decode(CODEC.encode(span)) == span

    @dataclass(frozen=True, slots=True)
    class Checked:
        value: int
        doubled: int = field(init=False, default=0)

        def __post_init__(self) -> None:
            object.__setattr__(self, "doubled", self.value * 2)

    @dataclass(frozen=True, slots=True, init=False)
    class Own:
        value: int

        def __init__(self, value: int) -> None:
            object.__setattr__(self, "value", value + 1)

    codec = Codec((Checked, Own))
    assert codec.decode(codec.encode(Checked(2))).doubled == 4
    assert codec._makers == [Checked, Own]
    assert codec.decode(codec.encode(Own(1))).value == 3  # stored 2, made by its __init__


def test_codec_refuses_what_it_does_not_know() -> None:
    codec = Codec(())
    with pytest.raises(TypeError):
        codec.encode(object())
    with pytest.raises(ValueError):
        codec.decode(["not a tag"])
    with pytest.raises((ValueError, IndexError)):
        codec.decode([5, 1, 2])


def test_fully_cached_run_does_not_load_sqlglot(tmp_path: Path) -> None:
    root = _small_history(tmp_path)
    cache = tmp_path / "cache"
    # main() ends the process itself (after flushing and running atexit handlers)
    code = ("import atexit, sys; from migrate_lint.cli import main\n"
            "atexit.register(lambda: print('sqlglot loaded' if 'sqlglot' in sys.modules "
            "else 'no sqlglot', file=sys.stderr))\n"
            "main()")
    args = [sys.executable, "-c", code, "check", str(root), "--cache-dir", str(cache)]
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    cold = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    warm = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert cold.stderr.strip().endswith("sqlglot loaded")
    assert warm.stderr.strip().endswith("no sqlglot")
    assert warm.stdout == cold.stdout


@pytest.mark.corpus
def test_cached_findings_keep_their_facts(tmp_path: Path) -> None:
    """The findings read back are equal objects, facts included (each rule's own Facts
    dataclass, which the HTML report and the fixer read), not only the same JSON."""
    from migrate_lint.config import Config
    from migrate_lint.lint import lint
    from migrate_lint.lintcache import CacheChoice

    root = str(corpus_path(*CORPORA["navidrome"][0]))
    config = Config(path=root)
    cold = lint([root], config)
    choice = CacheChoice(str(tmp_path / "cache"))
    lint([root], config, cache=choice)
    warm = lint([root], config, cache=choice)
    assert any("results read from" in note for note in warm.notes)
    assert warm.findings == cold.findings
    assert [type(f.facts) for f in warm.findings] == [type(f.facts) for f in cold.findings]
    assert (warm.suppressed, warm.settings) == (cold.suppressed, cold.settings)
