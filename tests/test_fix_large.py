"""`fix` on long histories: the corrected history is made in memory and each history
prefix is applied to SQLite once (the timing is benchmarks/bench_fix.py's; these pin
the structure that makes it linear, and that the shortcut reads as the files would)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_lint import bounded
from migrate_lint.cli import cli
from migrate_lint.fix.edited import edited_history
from migrate_lint.fix.inplace import Splice
from migrate_lint.fix.prefixes import Prefixes, apply_migrations
from migrate_lint.history import History
from migrate_lint.pipeline import load_history
from migrate_lint.sandbox import Sandbox

# layout, files: the second file's statements are edited (the ALTER TABLE line)
LAYOUTS = {
    "flat": {
        "0001_init.sql": "CREATE TABLE t (id integer PRIMARY KEY, a text);\n",
        "0002_add.sql": "-- adds b\nALTER TABLE t ADD b integer NOT NULL;\nCREATE INDEX t_a ON t (a);\n",
        "0003_more.sql": "CREATE INDEX t_b ON t (b);\n",
    },
    "goose": {
        "0001_init.sql": "-- +goose Up\nCREATE TABLE t (id integer PRIMARY KEY, a text);\n"
                         "-- +goose Down\nDROP TABLE t;\n",
        "0002_add.sql": "-- +goose Up\nALTER TABLE t ADD b integer NOT NULL;\n"
                        "CREATE INDEX t_a ON t (a);\n\n-- +goose Down\nDROP INDEX t_a;\n"
                        "ALTER TABLE t DROP COLUMN b;\n",
        "0003_more.sql": "-- +goose Up\nCREATE INDEX t_b ON t (b);\n-- +goose Down\n"
                         "DROP INDEX t_b;\n",
    },
    "dbmate": {
        "0001_init.sql": "-- migrate:up\nCREATE TABLE t (id integer PRIMARY KEY, a text);\n\n"
                         "-- migrate:down\nDROP TABLE t;\n",
        "0002_add.sql": "-- migrate:up\nALTER TABLE t ADD b integer NOT NULL;\n"
                        "CREATE INDEX t_a ON t (a);\n\n-- migrate:down\nDROP INDEX t_a;\n",
        "0003_more.sql": "-- migrate:up\nCREATE INDEX t_b ON t (b);\n\n-- migrate:down\n"
                         "DROP INDEX t_b;\n",
    },
}


def _write(root: Path, files: dict[str, str]) -> None:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def _shape(history: History, root: str) -> list[object]:
    """Everything parsing made, with paths relative to the history's root."""
    def rel(path: str) -> str:
        return str(Path(path).relative_to(root))

    out: list[object] = []
    for m in history.migrations:
        for direction, script in (("up", m.up), ("down", m.down)):
            if script is None:
                continue
            for s in script.statements:
                sp = s.span
                out.append((m.label, direction, s.index, s.kind, s.text, rel(sp.path),
                            sp.start, sp.end, sp.line, sp.col, sp.end_line, sp.end_col))
    out.append(sorted((d.code, rel(d.path), d.message) for d in history.diagnostics
                      if d.code in ("MG001", "MG002")))
    return out


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_edited_history_reads_as_the_edited_files_would(tmp_path: Path, layout: str) -> None:
    root = tmp_path / "migrations"
    _write(root, LAYOUTS[layout])
    history = load_history(root)
    path = str(root / "0002_add.sql")
    text = history.texts[path]
    stmt = history.migrations[1].up.statements[0]
    line_start = text.rfind("\n", 0, stmt.span.start) + 1
    default_at = text.index("NOT NULL") + len("NOT NULL")
    splices = [
        Splice(path, line_start, line_start, "-- migrate-lint: fixed NN001 in place\n"),
        Splice(path, default_at, default_at, " DEFAULT 0"),
        # a statement added after the last one of the up section, and one that no
        # longer parses, so the reader's diagnostics are those of the new text
        Splice(path, stmt.span.end, stmt.span.end, ";\nUPDATE t SET b = 1"),
        Splice(path, text.index("CREATE INDEX t_a"), text.index("CREATE INDEX t_a"),
               "CREATE TABLEX nope;\n"),
    ]
    made = edited_history(history, {path: splices})

    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    from migrate_lint.fix.inplace import apply_splices

    (copy / "0002_add.sql").write_text(apply_splices(text, splices), encoding="utf-8")
    read = load_history(copy)
    assert _shape(made, str(root)) == _shape(read, str(copy))
    assert made.migrations[0] is history.migrations[0]  # unchanged files are shared
    assert made.migrations[2] is history.migrations[2]
    assert edited_history(history, {}) is history


def test_prefixes_apply_each_shared_migration_once(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "migrations"
    _write(root, {f"{n:04d}_m.sql": f"CREATE TABLE t{n} (id integer PRIMARY KEY);\n"
                  for n in range(1, 21)})
    history = load_history(root)
    path = history.migrations[15].path
    fixed = edited_history(history, {path: [Splice(path, 0, 0, "-- edited\n")]})
    applied: list[int] = []
    real_apply = Sandbox.apply

    def counting(self: Sandbox, pieces, **kwargs):  # type: ignore[no-untyped-def]
        applied.append(1)
        return real_apply(self, pieces, **kwargs)

    monkeypatch.setattr(Sandbox, "apply", counting)
    with Prefixes(lambda: Sandbox.for_settings(history.settings)) as prefixes:
        a, error = prefixes.start(fixed.migrations, 15)  # the shared part: 15 applied
        assert error is None and len(applied) == 15
        b, error = prefixes.start(history.migrations, 20)  # only the last five
        assert error is None and len(applied) == 20
        c, error = prefixes.start(fixed.migrations, 20)  # its own 15..19
        assert error is None and len(applied) == 25
        again, _ = prefixes.start(history.migrations, 20)  # a copy of what was made
        assert len(applied) == 25
        fresh = Sandbox.for_settings(history.settings)
        assert apply_migrations(fresh, history.migrations) is None
        assert again.snapshot() == fresh.snapshot() == b.snapshot()
        b.connection.execute("CREATE TABLE mine (x)")  # a copy: the kept one is untouched
        other, _ = prefixes.start(history.migrations, 20)
        assert other.snapshot() == fresh.snapshot()
        assert a.snapshot() != b.snapshot()
        for box in (a, b, c, again, fresh, other):
            box.close()


def test_a_filled_prefix_is_filled_once_and_handed_out_as_copies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-place proof and the end-state comparison start from the same filled prefix:
    `Prefixes.filled` fills it once; each caller gets a copy holding the same rows as a
    prefix filled on its own."""
    from migrate_lint.fix import prefixes as prefixes_module
    from migrate_lint.synth import fill

    root = tmp_path / "migrations"
    _write(root, {f"{n:04d}_m.sql": f"CREATE TABLE t{n} (id integer PRIMARY KEY, v text);\n"
                  for n in range(1, 6)})
    history = load_history(root)
    fills: list[int] = []

    def counting(conn):  # type: ignore[no-untyped-def]
        fills.append(1)
        return fill(conn)

    monkeypatch.setattr(prefixes_module, "fill", counting)

    def rows(box: Sandbox) -> list[tuple[object, ...]]:
        return [row for n in range(1, 4) for row in box.connection.execute(
            f"SELECT {n}, * FROM t{n} ORDER BY rowid").fetchall()]

    with Prefixes(lambda: Sandbox.for_settings(history.settings)) as prefixes:
        first, error = prefixes.filled(history.migrations, 3)
        assert error is None and len(fills) == 1
        first.connection.execute("DELETE FROM t1")  # a copy: the kept one keeps its rows
        second, error = prefixes.filled(history.migrations, 3)
        assert error is None and len(fills) == 1
        alone = Sandbox.for_settings(history.settings)
        assert apply_migrations(alone, history.migrations[:3]) is None
        fill(alone.connection)
        assert rows(second) == rows(alone) and rows(alone)
        assert second.snapshot() == alone.snapshot()
        unfilled, _ = prefixes.start(history.migrations, 3)  # `start` stays empty
        assert unfilled.connection.execute("SELECT count(*) FROM t1").fetchone() == (0,)
        other, _ = prefixes.filled(history.migrations, 4)  # another prefix: filled anew
        assert len(fills) == 2
        for box in (first, second, alone, unfilled, other):
            box.close()


def test_fix_applies_the_shared_prefix_once_and_copies_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The history of 300 files is applied to SQLite about once for all proofs (not once
    per proof), and the only scratch history fix reads is its own new file (check 19)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from generate import generate_many_files

    root = tmp_path / "migrations"
    files = 300
    generate_many_files(root, files, defect_from_end=5)
    read: list[str] = []
    real_read = bounded.read_regular

    def counting_read(path: str, *args: object, **kwargs: object) -> bytes:
        read.append(path)
        return real_read(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bounded, "read_regular", counting_read)
    applied: list[int] = []
    real_apply = Sandbox.apply

    def counting_apply(self: Sandbox, pieces, **kwargs):  # type: ignore[no-untyped-def]
        applied.append(1)
        return real_apply(self, pieces, **kwargs)

    monkeypatch.setattr(Sandbox, "apply", counting_apply)
    result = CliRunner().invoke(cli, ["fix", str(root)])
    assert result.exit_code == 1, result.output  # a dry run that would change files
    assert result.output.count("[ready]") == 2, result.output
    outside = {p for p in read if not Path(p).resolve().is_relative_to(root.resolve())}
    assert len([p for p in outside if p.endswith(".sql")]) <= 1, outside  # the new file
    assert files <= len(applied) < 2 * files, len(applied)


def test_a_copy_goes_on_with_the_connection_the_history_left(tmp_path: Path) -> None:
    """A migration run outside any transaction that turns foreign keys off and leaves
    them off: the rest of the history runs with them off, on a copy as in one go."""
    root = tmp_path / "migrations"
    _write(root, {
        "0001_init.sql": "CREATE TABLE p (id integer PRIMARY KEY);\n"
                         "CREATE TABLE c (id integer PRIMARY KEY, p integer REFERENCES p (id));\n",
        "0002_off.sql": "PRAGMA foreign_keys=OFF;\nPRAGMA legacy_alter_table=ON;\n",
        "0003_orphan.sql": "INSERT INTO c (id, p) VALUES (1, 99);\n",
    })
    history = load_history(root, runner="prisma")

    def new() -> Sandbox:
        return Sandbox.for_settings(history.settings, foreign_keys=True)

    in_one_go = new()
    assert apply_migrations(in_one_go, history.migrations) is None  # the orphan goes in
    with Prefixes(new) as prefixes:
        first, error = prefixes.start(history.migrations, 2)
        assert error is None
        rest, error = prefixes.start(history.migrations, 3)  # a copy of the first two, + 1
        assert error is None, error
        assert rest.connection.execute("PRAGMA legacy_alter_table").fetchone() == (1,)
        assert rest.connection.execute("SELECT count(*) FROM c").fetchone() == (1,)
        for box in (first, rest, in_one_go):
            box.close()
