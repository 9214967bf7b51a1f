"""The replayed model must agree with SQLite itself after every migration."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, corpus_path

from migrate_lint.pipeline import load_history
from migrate_lint.replay import replay
from migrate_lint.sandbox import Sandbox
from migrate_lint.snapshot import SchemaSnapshot


def _diff(model: SchemaSnapshot, real: SchemaSnapshot) -> str:
    """A readable difference between two snapshots (empty when equal)."""
    lines = []
    mine = {t.name: t for t in model.tables}
    theirs = {t.name: t for t in real.tables}
    for name in sorted(set(mine) | set(theirs)):
        a, b = mine.get(name), theirs.get(name)
        if a == b:
            continue
        if a is None or b is None:
            lines.append(f"table {name}: model has it={a is not None}, sqlite has it={b is not None}")
            continue
        for attr in ("columns", "indexes", "foreign_keys", "strict", "without_rowid", "virtual"):
            if getattr(a, attr) != getattr(b, attr):
                lines.append(f"{name}.{attr}:\n  model  {getattr(a, attr)}\n  sqlite {getattr(b, attr)}")
    if model.views != real.views:
        lines.append(f"views: model {model.views} sqlite {real.views}")
    if model.triggers != real.triggers:
        lines.append(f"triggers: model {model.triggers} sqlite {real.triggers}")
    return "\n".join(lines)


def assert_agrees_after_every_migration(root: Path) -> int:
    """Replay ``root`` and apply it to SQLite; compare after each migration."""
    history = load_history(root)
    timeline = replay(history)
    with Sandbox(history.runner) as sandbox:
        for index, migration in enumerate(history.migrations):
            error = sandbox.apply(migration.up.statements,
                                  no_transaction=migration.source.no_transaction)
            assert error is None, f"{migration.label} failed on SQLite: {error}"
            difference = _diff(timeline.after_migration(index).snapshot(), sandbox.snapshot())
            assert not difference, f"after {migration.label}:\n{difference}"
    return len(history.migrations)


def test_opencode_agrees_after_each_of_33_migrations() -> None:
    assert assert_agrees_after_every_migration(corpus_path("opencode", "migration")) == 33


def test_karakeep_agrees_after_each_of_94_migrations() -> None:
    root = corpus_path("karakeep", "packages", "db", "drizzle")
    assert assert_agrees_after_every_migration(root) == 94


@pytest.mark.parametrize(
    "layout", ["dbmate", "diesel", "drizzle", "flat", "folder", "goose", "prisma", "updown"]
)
def test_each_layout_fixture_agrees(layout: str) -> None:
    assert assert_agrees_after_every_migration(FIXTURES / "layouts" / layout) >= 2


def test_constructs_fixture_agrees() -> None:
    """STRICT, WITHOUT ROWID, AUTOINCREMENT, generated, COLLATE, CHECK, FK actions,
    partial and expression indexes, triggers, views, FTS5, renames, drop column,
    temp tables, CREATE ... AS SELECT and a drizzle-style rebuild."""
    assert assert_agrees_after_every_migration(FIXTURES / "constructs") == 4


def test_no_statement_of_the_constructs_is_misunderstood() -> None:
    history = load_history(FIXTURES / "constructs")
    assert [d for d in history.diagnostics if d.code != "MG000"] == []
    final = replay(history).final
    assert all(t.incomplete is None for t in final.tables.values())
