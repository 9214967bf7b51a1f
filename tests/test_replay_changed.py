"""`replay.replay_changed`: an edited history (the fixer's corrected files) replayed
from its first edited migration on equals replaying all of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_lint.fix.edited import edited_history
from migrate_lint.fix.inplace import Splice
from migrate_lint.pipeline import load_timeline
from migrate_lint.replay import Timeline, replay, replay_changed

FILES = {
    "0001_init.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
                     "CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id));\n",
    "0002_fill.sql": "INSERT INTO t (a) SELECT 'x' FROM u;\nUPDATE t SET a = 'y' WHERE a IS NULL;\n",
    "0003_add.sql": "ALTER TABLE t ADD b INTEGER NOT NULL;\nCREATE INDEX t_b ON t (b);\n",
    "0004_more.sql": "ALTER TABLE u ADD c TEXT;\nDELETE FROM u WHERE c IS NULL;\n",
    "0005_drop.sql": "DROP INDEX t_b;\nCREATE TABLE v (x);\n",
}


def _same(a: Timeline, b: Timeline) -> None:
    assert a.boundaries == b.boundaries
    assert a.writes == b.writes
    assert len(a.steps) == len(b.steps)
    for x, y in zip(a.steps, b.steps, strict=True):
        assert (x.migration, x.statement, x.error, x.touched) == (
            y.migration, y.statement, y.error, y.touched)
        assert x.before == y.before and x.after == y.after


@pytest.mark.parametrize("edited", ["0001_init.sql", "0003_add.sql", "0005_drop.sql"])
def test_replaying_from_the_first_edit_is_replaying_everything(tmp_path: Path,
                                                               edited: str) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    timeline = load_timeline(tmp_path)
    path = str(tmp_path / edited)
    text = timeline.history.texts[path]
    # the first statement of the file gains a column (a comment, past the first table)
    at = text.index(")") if edited == "0001_init.sql" else text.index(";")
    new = ", z INT" if edited == "0001_init.sql" else " /* edited */"
    fixed = edited_history(timeline.history, {path: [Splice(path, at, at, new)]})
    assert fixed is not timeline.history
    _same(replay_changed(timeline, fixed), replay(fixed))
    if edited == "0001_init.sql":
        table = replay_changed(timeline, fixed).final.table("t")
        assert table is not None and table.column("z") is not None
