"""New migrations follow each layout's naming and sections, and apply as written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate_lint.fix.layout import next_version
from migrate_lint.fix.model import Options
from migrate_lint.fix.planner import plan_fixes
from migrate_lint.fix.write import write_all
from migrate_lint.pipeline import load_history
from migrate_lint.sandbox import Sandbox
from migrate_lint.synth import fill

CREATE = ("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
          "CREATE TABLE tag (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES item(id) "
          "ON DELETE CASCADE);")
ADD = "ALTER TABLE item ADD qty integer NOT NULL;"
NOW = 1767225600000  # 2026-01-01T00:00:00Z


def _layout(root: Path, kind: str) -> None:
    if kind == "goose":
        (root / "20250101000000_init.sql").write_text(f"-- +goose Up\n{CREATE}\n")
        (root / "20250201000000_qty.sql").write_text(f"-- +goose Up\n{ADD}\n")
    elif kind == "dbmate":
        (root / "20250101000000_init.sql").write_text(
            f"-- migrate:up\n{CREATE}\n\n-- migrate:down\nDROP TABLE tag;\n")
        (root / "20250201000000_qty.sql").write_text(f"-- migrate:up\n{ADD}\n\n-- migrate:down\n")
    elif kind == "diesel":
        for name, sql in (("2025-01-01-000000_init", CREATE), ("2025-02-01-000000_qty", ADD)):
            (root / name).mkdir()
            (root / name / "up.sql").write_text(sql + "\n")
            (root / name / "down.sql").write_text("SELECT 1;\n")
    elif kind == "drizzle":
        (root / "0000_init.sql").write_text(
            CREATE.replace(";\n", ";\n--> statement-breakpoint\n") + "\n")
        (root / "0001_qty.sql").write_text(ADD + "\n")
        (root / "meta").mkdir()
        entries = [{"idx": i, "version": "6", "when": 1735689600000 + i, "tag": tag,
                    "breakpoints": True} for i, tag in enumerate(["0000_init", "0001_qty"])]
        (root / "meta" / "_journal.json").write_text(json.dumps(
            {"version": "7", "dialect": "sqlite", "entries": entries}, indent=2))
    elif kind == "updown":
        # golang-migrate wraps every file: only an unreferenced table can be rebuilt
        (root / "000001_init.up.sql").write_text(CREATE.split("\n")[0] + "\n")
        (root / "000001_init.down.sql").write_text("DROP TABLE tag;\n")
        (root / "000002_qty.up.sql").write_text(ADD + "\n")
        (root / "000002_qty.down.sql").write_text("SELECT 1;\n")
    elif kind == "flyway":
        # Flyway wraps every migration too: only an unreferenced table can be rebuilt
        (root / "V1__init.sql").write_text(CREATE.split("\n")[0] + "\n")
        (root / "V1_1__qty.sql").write_text(ADD + "\n")


EXPECTED = {
    "goose": ("20260101000000_fix_item_qty.sql", "-- +goose NO TRANSACTION"),
    "dbmate": ("20260101000000_fix_item_qty.sql", "-- migrate:up transaction:false"),
    "diesel": ("2026-01-01-000000_fix_item_qty/up.sql", "BEGIN IMMEDIATE;"),
    "updown": ("000003_fix_item_qty.up.sql", ""),
    "flyway": ("V1_2__fix_item_qty.sql", "BEGIN IMMEDIATE;"),
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_new_migration_follows_layout_and_applies(tmp_path: Path, kind: str) -> None:
    root = tmp_path / kind
    root.mkdir()
    _layout(root, kind)
    original = load_history(root)
    plans = plan_fixes(str(root), Options(now_ms=NOW))
    ready = [p for p in plans if p.files]
    assert ready and all(p.ok for p in ready), [str(c) for p in plans for c in p.failed_checks]
    changes = {c.path: c for p in ready for c in p.files}
    write_all(list(changes.values()), str(root))
    path, marker = EXPECTED[kind]
    new = root / path
    assert new.exists(), sorted(str(p) for p in root.rglob("*"))
    assert marker in new.read_text()
    if kind == "flyway":  # Flyway's opt-out of its transaction: the script's .conf file
        assert "executeInTransaction=false" in (root / f"{path}.conf").read_text()
    if kind == "diesel":
        assert "run_in_transaction = false" in (new.parent / "metadata.toml").read_text()
        assert "CREATE TABLE `new_item` (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty " \
               "integer NOT NULL);" in (new.parent / "down.sql").read_text()
    fixed = load_history(root)
    assert fixed.migrations[-1].label.endswith("fix_item_qty")
    # rows before the corrected migration; and the original applied on an empty table
    with Sandbox(fixed.runner, foreign_keys=True) as box:
        assert box.apply(fixed.migrations[0].up.statements) is None
        fill(box.connection)
        for m in fixed.migrations[1:]:
            assert box.apply(m.up.statements, no_transaction=m.source.no_transaction) is None
        if kind not in ("updown", "flyway"):  # their fixtures have no child table
            tags = box.connection.execute("SELECT count(*) FROM tag").fetchone()[0]
            assert tags > 0  # no cascade from the rebuild of item
        end_a = box.snapshot()
    with Sandbox(fixed.runner, foreign_keys=True) as box:
        for m in original.migrations:
            assert box.apply(m.up.statements) is None
        fill(box.connection)
        last = fixed.migrations[-1]
        assert box.apply(last.up.statements, no_transaction=last.source.no_transaction) is None
        assert box.snapshot() == end_a


def test_flyway_fixes_are_versioned_before_repeatables_and_apply(tmp_path: Path) -> None:
    (tmp_path / "V1__init.sql").write_text(CREATE.split("\n")[0] + "\n")
    (tmp_path / "V1_9__qty.sql").write_text(
        "ALTER TABLE item ADD qty integer NOT NULL;\nALTER TABLE item ADD cost integer NOT NULL;\n")
    (tmp_path / "R__item_names.sql").write_text(
        "DROP VIEW IF EXISTS item_names;\nCREATE VIEW item_names AS SELECT name FROM item;\n")
    plans = plan_fixes(str(tmp_path), Options(now_ms=NOW))
    ready = [p for p in plans if p.files]
    assert ready and all(p.ok for p in ready), [str(c) for p in plans for c in p.failed_checks]
    assert any("flyway repair" in note for p in ready for note in p.notes)
    changes = {c.path: c for p in ready for c in p.files}
    write_all(list(changes.values()), str(tmp_path))
    fixed = load_history(tmp_path)
    assert [m.label for m in fixed.migrations] == [
        "V1__init", "V1_9__qty", "V1_10__fix_item_qty", "V1_11__fix_item_cost", "R__item_names"]
    assert fixed.diagnostics == ()
    with Sandbox(fixed.runner, foreign_keys=True) as box:
        assert box.apply(fixed.migrations[0].up.statements) is None
        fill(box.connection)
        for m in fixed.migrations[1:]:
            assert box.apply(m.up.statements, no_transaction=m.source.no_transaction) is None
        assert box.connection.execute("SELECT count(*) FROM item_names").fetchone()[0] > 0


def test_flyway_no_transaction_fix_gets_a_script_configuration(tmp_path: Path) -> None:
    from migrate_lint.fix.layout import render_new_migration

    (tmp_path / "V1__init.sql").write_text(CREATE + "\n")
    files = render_new_migration(load_history(tmp_path), "fix_item_qty", ["SELECT 1;"], [], [],
                                 "item", True, NOW)
    assert [Path(f.path).name for f in files] == ["V2__fix_item_qty.sql",
                                                  "V2__fix_item_qty.sql.conf"]
    assert files[1].text == "executeInTransaction=false\n"
    write_all(list(files), str(tmp_path))
    assert load_history(tmp_path).migrations[-1].source.no_transaction


def test_drizzle_refuses_referenced_table_and_journal_is_appended(tmp_path: Path) -> None:
    root = tmp_path / "drizzle"
    root.mkdir()
    _layout(root, "drizzle")
    plans = plan_fixes(str(root), Options(now_ms=NOW))
    refused = [p for p in plans if p.refused]
    assert refused and "foreign_keys=OFF` before migrate()" in (refused[0].refused or "")
    # without the child table the rebuild is safe inside drizzle's transaction
    (root / "0000_init.sql").write_text(CREATE.split("\n")[0] + "\n")
    plans = plan_fixes(str(root), Options(now_ms=NOW))
    files = {Path(c.path).name: c for p in plans for c in p.files}
    journal = json.loads(files["_journal.json"].text)
    assert journal["entries"][-1]["tag"] == "0002_fix_item_qty"
    assert journal["entries"][-1]["when"] > journal["entries"][-2]["when"]
    assert "--> statement-breakpoint" in files["0002_fix_item_qty.sql"].text


def test_next_version_formats() -> None:
    assert next_version(["20260101000000"], NOW) == "20260101000001"  # clock not ahead
    assert next_version(["20250101000000"], NOW) == "20260101000000"
    assert next_version(["2025-01-01-000000"], NOW) == "2026-01-01-000000"
    assert next_version(["1735689600000"], NOW) == str(NOW)
    assert next_version(["0009", "0010"], NOW) == "0011"
    assert next_version(["000002"], NOW) == "000003"
    flyway = ["1", "1_1", "1.2", "1_9", "R__views"]
    assert next_version(flyway, NOW, "flyway") == "1_10"  # 1.9 is the highest, not 1.2
    assert next_version(["1.2.3", "1.10"], NOW, "flyway") == "1.11"
    assert next_version(["2026_01_01_1200"], NOW, "flyway") == "2026_01_01_1201"
    assert next_version(["001", "002"], NOW, "flyway") == "003"
    assert next_version(["R__views"], NOW, "flyway") == "1"
