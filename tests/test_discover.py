"""Tests for migrate_lint.discover: layouts, order, sections, diagnostics, errors."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from conftest import corpus_path

from migrate_lint.discover import discover
from migrate_lint.errors import MigrateLintError
from migrate_lint.pipeline import load_timeline
from migrate_lint.source import Discovery, MigrationSource, Section

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "layouts"
# The module, not the function of the same name a package re-export could shadow it with.
discover_common = importlib.import_module("migrate_lint.discover.common")


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative path -> content) under ``root``, byte for byte."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
    return root


def up_sql(migration: MigrationSource, i: int = 0) -> str:
    section = migration.up[i]
    return section.text[section.start : section.end]


def sql_of(section: Section) -> str:
    return section.text[section.start : section.end]


def labels(found: Discovery) -> list[str]:
    return [m.label for m in found.migrations]


def codes(found: Discovery) -> list[tuple[str, str]]:
    """(code, file name) of each diagnostic."""
    return [(d.code, os.path.basename(d.path)) for d in found.diagnostics]


# --- every layout, from the fixtures --------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "layout", "runner", "expected"),
    [
        (
            "flat",
            "flat",
            "generic",
            ["0001_create_users", "0002_create_posts", "0010_add_users_name"],
        ),
        ("folder", "folder", "drizzle", ["20260101120000_init", "20260115093000_add_posts"]),
        ("prisma", "folder", "prisma", ["20260101120000_init", "20260201080000_add_post_author"]),
        (
            "diesel",
            "diesel",
            "diesel",
            [
                "00000000000000_diesel_initial_setup",
                "2026-01-01-120000_create_users",
                "2026-02-01-080000_rebuild_posts",
            ],
        ),
        (
            "updown",
            "updown",
            "golang-migrate",
            ["000001_create_accounts", "000002_create_sessions", "000003_index_sessions"],
        ),
        (
            "goose",
            "goose",
            "goose",
            [
                "20260101120000_create_items",
                "20260110090000_items_trigger",
                "20260201080000_rebuild_items",
            ],
        ),
        (
            "dbmate",
            "dbmate",
            "dbmate",
            ["20260101120000_create_notes", "20260201080000_rebuild_notes"],
        ),
        (
            "drizzle",
            "flat",
            "drizzle",
            ["0000_steep_wolverine", "0001_brave_hulk", "0002_quiet_storm"],
        ),
        (
            "flyway",
            "flyway",
            "flyway",
            [
                "V1__create_users",
                "V1_1__create_posts",
                "V1.2__add_users_name",
                "V1_10__index_posts",
                "R__user_post_counts",
            ],
        ),
    ],
)
def test_fixture_layouts(fixture: str, layout: str, runner: str, expected: list[str]) -> None:
    found = discover(FIXTURES / fixture)
    assert (found.layout, found.runner) == (layout, runner)
    assert labels(found) == expected
    assert found.diagnostics == ()
    assert all(m.layout == layout for m in found.migrations)
    orders = [m.order for m in found.migrations]
    assert orders == sorted(orders)


def test_whole_file_layouts_cover_the_whole_file() -> None:
    for fixture in ("flat", "folder", "prisma", "diesel", "updown", "drizzle", "flyway"):
        for migration in discover(FIXTURES / fixture).migrations:
            for section in (*migration.up, *migration.down):
                assert (section.start, section.end) == (0, len(section.text))
                assert section.text == Path(section.path).read_text(encoding="utf-8")


def test_flat_fixture_ignores_readme_and_keeps_versions() -> None:
    found = discover(FIXTURES / "flat")
    first = found.migrations[0]
    assert (first.version, first.name) == ("0001", "create_users")
    assert first.down == ()
    assert not any(m.path.endswith("README.md") for m in found.migrations)


def test_folder_fixture_reads_only_migration_sql() -> None:
    found = discover(FIXTURES / "folder")
    for migration in found.migrations:
        assert len(migration.up) == 1
        assert migration.path.endswith(os.path.join("", "migration.sql"))
        assert "--> statement-breakpoint" in up_sql(migration)


def test_diesel_fixture_down_and_metadata() -> None:
    found = discover(FIXTURES / "diesel")
    setup, users, rebuild = found.migrations
    assert setup.version == "00000000000000" and setup.name == "diesel_initial_setup"
    assert users.version == "2026-01-01-120000"
    assert users.order[1] == 20260101120000
    assert sql_of(users.down[0]) == "DROP TABLE posts;\nDROP TABLE users;\n"
    assert users.down[0].path.endswith(os.path.join("2026-01-01-120000_create_users", "down.sql"))
    assert not users.no_transaction
    assert rebuild.no_transaction


def test_updown_fixture_pairs() -> None:
    found = discover(FIXTURES / "updown")
    accounts, sessions, index = found.migrations
    assert accounts.name == "create_accounts"
    assert accounts.path.endswith("000001_create_accounts.up.sql")
    assert sql_of(accounts.down[0]) == "DROP TABLE accounts;\n"
    assert sessions.down[0].path.endswith("000002_create_sessions.down.sql")
    assert index.down == ()


def test_goose_fixture_sections() -> None:
    items, trigger, rebuild = discover(FIXTURES / "goose").migrations
    assert up_sql(items) == (
        "CREATE TABLE items (\n    id INTEGER PRIMARY KEY,\n    label TEXT NOT NULL\n);\n\n"
    )
    assert sql_of(items.down[0]) == "DROP TABLE items;\n"
    # StatementBegin/End stay inside the section for the statement splitter.
    assert "-- +goose StatementBegin\n" in up_sql(trigger)
    assert up_sql(trigger).rstrip().endswith("-- +goose StatementEnd")
    assert "-- +goose" not in up_sql(trigger).replace("-- +goose Statement", "")
    assert not items.no_transaction and not trigger.no_transaction
    assert rebuild.no_transaction
    assert up_sql(rebuild).startswith("PRAGMA foreign_keys=OFF;\n")
    assert rebuild.down == ()


def test_dbmate_fixture_sections() -> None:
    notes, rebuild = discover(FIXTURES / "dbmate").migrations
    assert (
        up_sql(notes)
        == "CREATE TABLE notes (\n    id INTEGER PRIMARY KEY,\n    body TEXT NOT NULL\n);\n\n"
    )
    assert sql_of(notes.down[0]) == "DROP TABLE notes;\n"
    assert not notes.no_transaction
    assert rebuild.no_transaction
    assert up_sql(rebuild).startswith("PRAGMA foreign_keys=OFF;\n")
    assert up_sql(rebuild).endswith("PRAGMA foreign_keys=ON;\n\n")


def test_drizzle_fixture_journal_ranks() -> None:
    found = discover(FIXTURES / "drizzle")
    assert [m.order[0] for m in found.migrations] == [0, 1, 2]


def test_flyway_fixture_versions_undo_and_repeatable() -> None:
    users, posts, name, index, view = discover(FIXTURES / "flyway").migrations
    assert (users.version, users.name) == ("1", "create_users")
    assert (name.version, index.version) == ("1.2", "1_10")  # as written; 1.10 after 1.2
    assert sql_of(posts.down[0]) == "DROP TABLE posts;\n"
    assert posts.down[0].path.endswith("U1_1__create_posts.sql")
    assert users.down == () and view.down == ()
    assert (view.version, view.name, view.label) == (
        "R__user_post_counts", "user_post_counts", "R__user_post_counts")
    assert not any(m.no_transaction for m in (users, posts, name, index, view))


# --- Flyway ---------------------------------------------------------------------------


def test_flyway_orders_versions_numerically_part_by_part(tmp_path: Path) -> None:
    write(tmp_path, {
        "V1_10__j.sql": "SELECT 10;", "V1.9__i.sql": "SELECT 9;", "V2__k.sql": "SELECT 2;",
        "V1__a.sql": "SELECT 1;", "V1.0.5__b.sql": "SELECT 0;", "V01.2__c.sql": "SELECT 2;",
        "V2026_01_01_1200__late.sql": "SELECT 3;", "V3.sql": "SELECT 4;",
    })
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("flyway", "flyway")
    assert labels(found) == ["V1__a", "V1.0.5__b", "V01.2__c", "V1.9__i", "V1_10__j",
                             "V2__k", "V3", "V2026_01_01_1200__late"]
    assert found.diagnostics == ()


def test_flyway_repeatables_run_last_by_description(tmp_path: Path) -> None:
    write(tmp_path, {
        "R__b_view.sql": "SELECT 1;", "R__a_z.sql": "SELECT 2;", "R__aA.sql": "SELECT 3;",
        "V2__two.sql": "SELECT 4;", "V1__one.sql": "SELECT 5;",
    })
    found = discover(tmp_path)
    # Flyway compares descriptions with `_` read as a space: "a z" < "aA" < "b view".
    assert labels(found) == ["V1__one", "V2__two", "R__a_z", "R__aA", "R__b_view"]
    orders = [m.order for m in found.migrations]
    assert orders == sorted(orders)
    assert found.diagnostics == ()


def test_flyway_undo_is_the_down_of_its_version(tmp_path: Path) -> None:
    write(tmp_path, {
        "V1__a.sql": "CREATE TABLE a (id INTEGER);", "U1.0__a.sql": "DROP TABLE a;",
        "U2__gone.sql": "SELECT 2;",
    })
    found = discover(tmp_path)
    (one,) = found.migrations
    assert sql_of(one.down[0]) == "DROP TABLE a;"
    assert codes(found) == [("MG000", "U2__gone.sql")]
    assert "nothing to undo" in found.diagnostics[0].message


def test_flyway_second_undo_of_a_version(tmp_path: Path) -> None:
    write(tmp_path, {"V1__a.sql": "SELECT 1;", "U1__a.sql": "SELECT 2;", "U1_0__b.sql": "SELECT 3;"})
    found = discover(tmp_path)
    assert sql_of(found.migrations[0].down[0]) == "SELECT 3;"  # the first by file name
    assert codes(found) == [("MG000", "U1__a.sql")]


def test_flyway_equal_versions_are_duplicates(tmp_path: Path) -> None:
    write(tmp_path, {"V1__a.sql": "SELECT 1;", "V1.0__b.sql": "SELECT 2;", "V1_1__c.sql": "SELECT 3;"})
    found = discover(tmp_path)
    assert labels(found) == ["V1__a", "V1.0__b", "V1_1__c"]  # both kept, by description
    (diag,) = found.diagnostics
    assert diag.code == "MG003"
    assert "V1.0__b.sql" in diag.message and "V1__a.sql" in diag.message


def test_flyway_conf_execute_in_transaction_false(tmp_path: Path) -> None:
    write(tmp_path, {
        "V1__a.sql": "SELECT 1;",
        "V2__rebuild.sql": "PRAGMA foreign_keys=OFF;\nBEGIN;\nSELECT 2;\nCOMMIT;\n",
        "V2__rebuild.sql.conf": "# per-script config\nexecuteInTransaction = false\n",
        "V3__c.sql": "SELECT 3;",
        "V3__c.sql.conf": "executeInTransaction=true\nencoding=UTF-8\n",
        "R__v.sql": "SELECT 4;",
        "R__v.sql.conf": "executeInTransaction=FALSE\n",
    })
    found = discover(tmp_path)
    assert [m.no_transaction for m in found.migrations] == [False, True, False, True]
    assert found.diagnostics == ()


def test_flyway_conf_problems(tmp_path: Path) -> None:
    write(tmp_path, {
        "V1__a.sql": "SELECT 1;",
        "V1__a.sql.conf": "executeInTransaction=nope\n",
        "V9__gone.sql.conf": "executeInTransaction=false\n",
    })
    found = discover(tmp_path)
    assert not found.migrations[0].no_transaction
    assert codes(found) == [("MG000", "V1__a.sql.conf"), ("MG000", "V9__gone.sql.conf")]


def test_flyway_strays(tmp_path: Path) -> None:
    write(tmp_path, {
        "V1__a.sql": "SELECT 1;", "V2__b.sql": "SELECT 2;", "V3__c.sql": "SELECT 3;",
        "v4__lower.sql": "SELECT 4;",  # Flyway's prefixes are case-sensitive
        "V5_single.sql": "SELECT 5;",  # version "5_single" is not a number
        "R1__versioned_repeatable.sql": "SELECT 6;",
        "0007_plain.sql": "SELECT 7;",
        "afterMigrate.sql": "SELECT 8;",
        "nested/V6__deeper.sql": "SELECT 9;",
    })
    found = discover(tmp_path)
    assert labels(found) == ["V1__a", "V2__b", "V3__c", "V6__deeper"]  # Flyway reads sub-folders
    assert codes(found) == [
        ("MG000", "0007_plain.sql"), ("MG000", "R1__versioned_repeatable.sql"),
        ("MG000", "V5_single.sql"), ("MG000", "afterMigrate.sql"),
        ("MG000", "v4__lower.sql"),
    ]
    messages = {os.path.basename(d.path): d.message for d in found.diagnostics}
    assert "V0007__plain.sql" in messages["0007_plain.sql"]
    assert "callback" in messages["afterMigrate.sql"]


def test_flyway_reads_sub_folders_at_any_depth_in_version_order(tmp_path: Path) -> None:
    """Flyway scans a location's sub-folders and orders every migration by version; a
    folder named for another database is another history (`db/migration/{vendor}`)."""
    write(tmp_path, {
        "V1__users.sql": "CREATE TABLE users (id integer PRIMARY KEY);",
        "sqlite/V2__posts.sql": "CREATE TABLE posts (id integer PRIMARY KEY);",
        "sqlite/V2__posts.sql.conf": "executeInTransaction=false\n",
        "sqlite/U2__posts.sql": "DROP TABLE posts;",
        "release/2.0/V3__drop_posts.sql": "DROP TABLE posts;",
        "release/R__view.sql": "CREATE VIEW IF NOT EXISTS v AS SELECT 1;",
        "release/notes.sql": "SELECT 1;",
        "postgresql/V2__posts.sql": "CREATE TABLE posts (id serial PRIMARY KEY);",
    })
    (tmp_path / "release" / "loop").symlink_to(tmp_path / "release")
    found = discover(tmp_path)
    assert (found.layout, labels(found)) == (
        "flyway", ["V1__users", "V2__posts", "V3__drop_posts", "R__view"])
    posts = found.migrations[1]
    assert posts.no_transaction and posts.down[0].path.endswith("U2__posts.sql")
    assert codes(found) == [("MG000", "postgresql"), ("MG000", "notes.sql")]
    assert "another database" in found.diagnostics[0].message
    timeline = load_timeline(tmp_path)
    assert set(timeline.final.tables) == {"users"}  # made in one folder, dropped in another


def test_flyway_duplicate_version_across_folders(tmp_path: Path) -> None:
    write(tmp_path, {"V1__a.sql": "SELECT 1;", "more/V1__b.sql": "SELECT 2;"})
    assert ("MG003" in [c for c, _n in codes(discover(tmp_path))])


def test_flyway_names_in_a_flat_layout_are_strays(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a.sql": "SELECT 1;", "0002_b.sql": "SELECT 2;", "V3__c.sql": "SELECT 3;"})
    found = discover(tmp_path)
    assert found.layout == "flat"
    assert codes(found) == [("MG000", "V3__c.sql")]


def test_flyway_layout_override(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a.sql": "SELECT 1;", "V1__a.sql": "SELECT 1;", "0002_b.sql": "SELECT 2;"})
    found = discover(tmp_path, layout="flyway")
    assert (found.layout, found.runner, labels(found)) == ("flyway", "flyway", ["V1__a"])
    assert [c for c, _n in codes(found)] == ["MG000", "MG000"]


# --- ordering -------------------------------------------------------------------------


def test_flat_orders_by_numeric_version_not_text(tmp_path: Path) -> None:
    write(tmp_path, {"10_b.sql": "SELECT 10;", "9_a.sql": "SELECT 9;", "100_c.sql": "SELECT 100;"})
    assert labels(discover(tmp_path)) == ["9_a", "10_b", "100_c"]


@pytest.mark.parametrize(
    "names",
    [
        ["20260101000000_a.sql", "20260102000000_b.sql", "20261231235959_c.sql"],
        ["2026-01-01-000000_a.sql", "2026-01-02-000000_b.sql", "2026-12-31-235959_c.sql"],
        ["1767225600000_a.sql", "1767312000000_b.sql", "1798761599000_c.sql"],
        ["1_a.sql", "2_b.sql", "3_c.sql"],
    ],
)
def test_flat_version_styles(tmp_path: Path, names: list[str]) -> None:
    # Written in reverse so that directory order cannot pass for history order.
    write(tmp_path, {name: "SELECT 1;\n" for name in reversed(names)})
    found = discover(tmp_path)
    assert found.layout == "flat"
    assert labels(found) == [n[:-4] for n in names]


def test_dashed_and_plain_timestamps_compare_numerically(tmp_path: Path) -> None:
    write(tmp_path, {"2026-01-02-000000_b.sql": "SELECT 2;", "20260101000000_a.sql": "SELECT 1;"})
    assert labels(discover(tmp_path)) == ["20260101000000_a", "2026-01-02-000000_b"]


def test_version_without_name(tmp_path: Path) -> None:
    write(tmp_path, {"0002.sql": "SELECT 2;", "0001_first.sql": "SELECT 1;"})
    found = discover(tmp_path)
    assert [(m.version, m.name, m.label) for m in found.migrations] == [
        ("0001", "first", "0001_first"),
        ("0002", "", "0002"),
    ]


# --- paths ----------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["migrations", "migrations/", "./migrations"])
def test_paths_keep_the_roots_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    write(tmp_path / "migrations", {"0001_x.sql": "SELECT 1;", "0002_y.sql": "SELECT 2;"})
    monkeypatch.chdir(tmp_path)
    found = discover(spelling)
    assert found.root == spelling
    assert found.migrations[0].path == os.path.join(spelling, "0001_x.sql")


def test_folder_paths_keep_the_roots_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "m", {"0001_x/migration.sql": "SELECT 1;"})
    monkeypatch.chdir(tmp_path)
    found = discover("m")
    assert found.migrations[0].path == os.path.join("m", "0001_x", "migration.sql")


# --- overrides ------------------------------------------------------------------------


def test_layout_override_flat_reads_goose_files_whole() -> None:
    found = discover(FIXTURES / "goose", layout="flat")
    assert (found.layout, found.runner) == ("flat", "generic")
    assert len(found.migrations) == 3
    for migration in found.migrations:
        assert up_sql(migration) == migration.up[0].text
        assert migration.down == ()
    # Each annotated file is reported: a flat runner would run its Down part too.
    assert {c for c, _ in codes(found)} == {"MG000"}
    assert len(found.diagnostics) == 3


def test_layout_override_goose_on_plain_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"1_a.sql": "CREATE TABLE a (x);\n", "2_b.sql": "-- +goose Up\nCREATE TABLE b (x);\n"},
    )
    found = discover(tmp_path, layout="goose")
    assert (found.layout, found.runner) == ("goose", "goose")
    a, b = found.migrations
    assert up_sql(a) == "CREATE TABLE a (x);\n"
    assert up_sql(b) == "CREATE TABLE b (x);\n"
    assert codes(found) == [("MG000", "1_a.sql")]
    assert "goose Up" in found.diagnostics[0].message


def test_layout_override_dbmate(tmp_path: Path) -> None:
    write(tmp_path, {"1_a.sql": "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n"})
    found = discover(tmp_path, layout="dbmate")
    assert up_sql(found.migrations[0]) == "SELECT 1;\n"


def test_layout_override_without_matching_files_is_an_error() -> None:
    with pytest.raises(MigrateLintError, match=r"no folder migrations found in .*flat"):
        discover(FIXTURES / "flat", layout="folder")


def test_unknown_layout_is_an_error() -> None:
    with pytest.raises(MigrateLintError, match="unknown layout 'alembic'"):
        discover(FIXTURES / "flat", layout="alembic")


def test_layout_override_diesel_on_folder_fixture() -> None:
    with pytest.raises(MigrateLintError, match="no diesel migrations"):
        discover(FIXTURES / "folder", layout="diesel")


# --- goose / dbmate sections ----------------------------------------------------------


def test_goose_without_down(tmp_path: Path) -> None:
    write(tmp_path, {"00001_a.sql": "-- +goose Up\nCREATE TABLE a (x);"})
    (migration,) = discover(tmp_path).migrations
    assert up_sql(migration) == "CREATE TABLE a (x);"
    assert migration.down == ()


def test_goose_annotations_are_case_and_space_tolerant(tmp_path: Path) -> None:
    text = "--  +goose up\nSELECT 1;\n  -- +GOOSE DOWN\nSELECT 2;\n-- +goose no transaction\n"
    write(tmp_path, {"1_a.sql": text})
    (migration,) = discover(tmp_path).migrations
    assert up_sql(migration) == "SELECT 1;\n"
    assert sql_of(migration.down[0]).startswith("SELECT 2;\n")
    assert migration.no_transaction


def test_goose_annotation_as_last_line_without_newline(tmp_path: Path) -> None:
    write(tmp_path, {"1_a.sql": "-- +goose Up\nSELECT 1;\n-- +goose Down"})
    (migration,) = discover(tmp_path).migrations
    assert up_sql(migration) == "SELECT 1;\n"
    assert sql_of(migration.down[0]) == ""


def test_goose_two_up_annotations_are_reported(tmp_path: Path) -> None:
    write(tmp_path, {"1_a.sql": "-- +goose Up\nSELECT 1;\n-- +goose Up\nSELECT 2;\n"})
    found = discover(tmp_path)
    assert [up_sql(found.migrations[0], i) for i in (0, 1)] == ["SELECT 1;\n", "SELECT 2;\n"]
    assert codes(found) == [("MG000", "1_a.sql")]


def test_dbmate_transaction_false_only_counts_on_up(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "1_a.sql": "-- migrate:up\nSELECT 1;\n-- migrate:down transaction:false\nSELECT 2;\n",
            "2_b.sql": "-- migrate:up   transaction:false\nSELECT 3;\n",
        },
    )
    a, b = discover(tmp_path).migrations
    assert not a.no_transaction
    assert b.no_transaction
    assert up_sql(b) == "SELECT 3;\n"


def test_dbmate_marker_must_be_exact(tmp_path: Path) -> None:
    # `-- migrate:upgrade` is not an annotation, so this is a plain flat file.
    write(tmp_path, {"1_a.sql": "-- migrate:upgrade\nSELECT 1;\n"})
    found = discover(tmp_path)
    assert found.layout == "flat"
    assert found.diagnostics == ()



def test_one_marked_file_among_plain_ones_is_found(tmp_path: Path) -> None:
    # `_detect` looks at every text together first: a mark in the last of many plain
    # files still counts (a minority: flat, and the goose file is said to be one)
    files = {f"{n}_t{n}.sql": f"CREATE TABLE t{n} (x);\n" for n in range(1, 6)}
    files["6_g.sql"] = "-- +goose Up\nCREATE TABLE g (x);\n"
    write(tmp_path, files)
    plain = discover(tmp_path)
    assert plain.layout == "flat"
    assert [d.path for d in plain.diagnostics] == [str(tmp_path / "6_g.sql")]
    write(tmp_path, {f"{n}_g{n}.sql": "-- +GOOSE UP\nCREATE TABLE g (x);\n"
                     for n in range(7, 12)})
    assert discover(tmp_path).layout == "goose"

# --- CRLF and BOM ---------------------------------------------------------------------


def test_crlf_is_kept(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a.sql": "CREATE TABLE a (x);\r\nCREATE TABLE b (y);\r\n"})
    (migration,) = discover(tmp_path).migrations
    assert up_sql(migration) == "CREATE TABLE a (x);\r\nCREATE TABLE b (y);\r\n"


def test_crlf_goose_sections(tmp_path: Path) -> None:
    text = "-- +goose Up\r\nCREATE TABLE a (x);\r\n\r\n-- +goose Down\r\nDROP TABLE a;\r\n"
    write(tmp_path, {"1_a.sql": text})
    (migration,) = discover(tmp_path).migrations
    assert migration.up[0].text == text
    assert up_sql(migration) == "CREATE TABLE a (x);\r\n\r\n"
    assert sql_of(migration.down[0]) == "DROP TABLE a;\r\n"


def test_crlf_dbmate_sections(tmp_path: Path) -> None:
    text = "-- migrate:up transaction:false\r\nSELECT 1;\r\n-- migrate:down\r\nSELECT 2;\r\n"
    write(tmp_path, {"1_a.sql": text})
    (migration,) = discover(tmp_path).migrations
    assert up_sql(migration) == "SELECT 1;\r\n"
    assert migration.no_transaction


def test_bom_stays_in_text_and_section_starts_after_it(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a.sql": b"\xef\xbb\xbfCREATE TABLE a (x);\n"})
    (migration,) = discover(tmp_path).migrations
    section = migration.up[0]
    assert section.text[0] == "\ufeff"
    assert section.start == 1
    assert up_sql(migration) == "CREATE TABLE a (x);\n"


def test_bom_before_goose_annotation(tmp_path: Path) -> None:
    write(
        tmp_path, {"1_a.sql": b"\xef\xbb\xbf-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n"}
    )
    found = discover(tmp_path)
    assert found.layout == "goose"
    assert up_sql(found.migrations[0]) == "SELECT 1;\n"


def test_bom_before_dbmate_annotation(tmp_path: Path) -> None:
    write(tmp_path, {"1_a.sql": b"\xef\xbb\xbf-- migrate:up\nSELECT 1;\n"})
    found = discover(tmp_path)
    assert found.layout == "dbmate"
    assert up_sql(found.migrations[0]) == "SELECT 1;\n"


def test_bom_in_folder_and_pairs(tmp_path: Path) -> None:
    write(
        tmp_path, {"1_a.up.sql": b"\xef\xbb\xbfSELECT 1;", "1_a.down.sql": b"\xef\xbb\xbfSELECT 2;"}
    )
    (migration,) = discover(tmp_path).migrations
    assert up_sql(migration) == "SELECT 1;"
    assert sql_of(migration.down[0]) == "SELECT 2;"


# --- drizzle journal ------------------------------------------------------------------


def journal(*entries: tuple[int, int, str]) -> str:
    rows = ",\n".join(
        f'    {{"idx": {idx}, "version": "6", "when": {when}, "tag": "{tag}", "breakpoints": true}}'
        for idx, when, tag in entries
    )
    return f'{{\n  "version": "7",\n  "dialect": "sqlite",\n  "entries": [\n{rows}\n  ]\n}}\n'


def test_journal_order_wins_over_versions(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0000_a.sql": "SELECT 0;",
            "0001_b.sql": "SELECT 1;",
            "0002_c.sql": "SELECT 2;",
            "meta/_journal.json": journal(
                (0, 1000, "0000_a"), (2, 3000, "0001_b"), (1, 2000, "0002_c")
            ),
        },
    )
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("flat", "drizzle")
    assert labels(found) == ["0000_a", "0002_c", "0001_b"]
    assert found.diagnostics == ()


def test_journal_entry_without_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0000_a.sql": "SELECT 0;",
            "meta/_journal.json": journal((0, 1000, "0000_a"), (1, 2000, "0001_gone")),
        },
    )
    found = discover(tmp_path)
    assert labels(found) == ["0000_a"]
    (diag,) = found.diagnostics
    assert diag.code == "MG000"
    assert diag.path == os.path.join(str(tmp_path), "meta", "_journal.json")
    assert "0001_gone" in diag.message
    assert diag.span is not None and diag.span.line == 6  # the second entry's line
    assert diag.span.path == diag.path


def test_file_not_in_journal_goes_last(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0000_a.sql": "SELECT 0;",
            "0001_b.sql": "SELECT 1;",
            "0002_c.sql": "SELECT 2;",
            "meta/_journal.json": journal((0, 1000, "0000_a"), (1, 2000, "0002_c")),
        },
    )
    found = discover(tmp_path)
    assert labels(found) == ["0000_a", "0002_c", "0001_b"]
    assert codes(found) == [("MG000", "0001_b.sql")]
    assert "not listed in meta/_journal.json" in found.diagnostics[0].message


def test_journal_when_must_strictly_increase(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0000_a.sql": "SELECT 0;",
            "0001_b.sql": "SELECT 1;",
            "0002_c.sql": "SELECT 2;",
            "0003_d.sql": "SELECT 3;",
            # 0002_c is older than 0001_b; 0003_d is equal to 0001_b: both are skipped.
            "meta/_journal.json": journal(
                (0, 1000, "0000_a"), (1, 3000, "0001_b"), (2, 2000, "0002_c"), (3, 3000, "0003_d")
            ),
        },
    )
    found = discover(tmp_path)
    assert labels(found) == ["0000_a", "0001_b", "0002_c", "0003_d"]
    messages = [d.message for d in found.diagnostics]
    assert len(messages) == 2
    assert "'0002_c' has when=2000" in messages[0] and "'0001_b'" in messages[0]
    assert "'0003_d' has when=3000" in messages[1] and "skips it forever" in messages[1]
    assert all(d.code == "MG000" for d in found.diagnostics)


def test_journal_duplicate_tag(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0000_a.sql": "SELECT 0;",
            "meta/_journal.json": journal((0, 1000, "0000_a"), (1, 2000, "0000_a")),
        },
    )
    found = discover(tmp_path)
    assert len(found.migrations) == 1
    assert [d.code for d in found.diagnostics] == ["MG000"]
    assert "twice" in found.diagnostics[0].message


def test_broken_journal_falls_back_to_version_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0001_b.sql": "SELECT 1;",
            "0000_a.sql": "SELECT 0;",
            "meta/_journal.json": '{"entries": [',
        },
    )
    found = discover(tmp_path)
    assert found.runner == "drizzle"
    assert labels(found) == ["0000_a", "0001_b"]
    (diag,) = found.diagnostics
    assert diag.code == "MG000" and "not valid JSON" in diag.message


def test_journal_entries_not_a_list(tmp_path: Path) -> None:
    write(tmp_path, {"0000_a.sql": "SELECT 0;", "meta/_journal.json": '{"entries": {}}'})
    found = discover(tmp_path)
    assert labels(found) == ["0000_a"]
    assert "no 'entries' list" in found.diagnostics[0].message


def test_journal_malformed_entry_is_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0000_a.sql": "SELECT 0;",
            "0001_b.sql": "SELECT 1;",
            "meta/_journal.json": '{"entries": [{"idx": 0, "when": 1, "tag": "0000_a"}, '
            '{"idx": true, "tag": "0001_b"}]}',
        },
    )
    found = discover(tmp_path)
    assert labels(found) == ["0000_a", "0001_b"]
    assert [os.path.basename(d.path) for d in found.diagnostics] == ["0001_b.sql", "_journal.json"]


def test_journal_with_folder_layout(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0000_a/migration.sql": "SELECT 0;",
            "0001_b/migration.sql": "SELECT 1;",
            "meta/_journal.json": journal((0, 1000, "0001_b"), (1, 2000, "0000_a")),
        },
    )
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("folder", "drizzle")
    assert labels(found) == ["0001_b", "0000_a"]


# --- runner inference -----------------------------------------------------------------


def test_breakpoints_make_flat_drizzle(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"0000_a.sql": "SELECT 1;\n--> statement-breakpoint\nSELECT 2;", "0001_b.sql": "SELECT 3;"},
    )
    assert discover(tmp_path).runner == "drizzle"


def test_folder_without_markers_is_generic(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a/migration.sql": "SELECT 1;"})
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("folder", "generic")


def test_folder_in_prismas_shape_is_prisma(tmp_path: Path) -> None:
    """`<14-digit timestamp>_<name>/migration.sql` without drizzle's snapshot.json is how
    Prisma names migrations (issue 8: recognised even without migration_lock.toml)."""
    write(tmp_path, {"20260101000000_a/migration.sql": "SELECT 1;"})
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("folder", "prisma")


def test_prisma_applies_its_folders_in_name_order(tmp_path: Path) -> None:
    """A folder renamed by hand (`20250221_watcher`) keeps the history Prisma's, and
    takes its place by name, as Prisma applies them: after `20250221093000_b`
    ('_' sorts after digits), not first by its shorter number; two folders of one
    number are no duplicate (a name is Prisma's key)."""
    write(tmp_path, {
        "20250101000000_a/migration.sql": "CREATE TABLE p (id INTEGER PRIMARY KEY);",
        "20250221093000_b/migration.sql": "ALTER TABLE p ADD b TEXT;",
        "20250221_watcher/migration.sql": "ALTER TABLE p ADD w TEXT;",
        "20250301000000_c/migration.sql": "ALTER TABLE p ADD c TEXT;",
        "20250301000000_d/migration.sql": "ALTER TABLE p ADD d TEXT;",
    })
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("folder", "prisma")
    assert labels(found) == ["20250101000000_a", "20250221093000_b", "20250221_watcher",
                             "20250301000000_c", "20250301000000_d"]
    assert codes(found) == []
    assert labels(found) == sorted(labels(found))  # as Prisma sorts directory names


def test_folder_with_snapshot_is_drizzle(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"20260101000000_a/migration.sql": "SELECT 1;", "20260101000000_a/snapshot.json": "{}"},
    )
    assert discover(tmp_path).runner == "drizzle"


def test_diesel_fourteen_digit_versions(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "20260102000000_b/up.sql": "SELECT 2;",
            "20260101000000_a/up.sql": "SELECT 1;",
            "20260101000000_a/down.sql": "SELECT -1;",
        },
    )
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("diesel", "diesel")
    assert labels(found) == ["20260101000000_a", "20260102000000_b"]
    assert found.migrations[1].down == ()


# --- mixed directories ----------------------------------------------------------------


def test_pairs_win_over_plain_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "1_a.up.sql": "CREATE TABLE a (x);",
            "1_a.down.sql": "DROP TABLE a;",
            "2_b.up.sql": "CREATE TABLE b (x);",
            "2_b.down.sql": "DROP TABLE b;",
            "3_c.sql": "CREATE TABLE c (x);",
        },
    )
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("updown", "golang-migrate")
    # `1_a.up.sql` is never a flat file named `a.up`: no duplicate of version 1.
    assert labels(found) == ["1_a", "2_b", "3_c"]
    assert [m.layout for m in found.migrations] == ["updown", "updown", "flat"]
    assert codes(found) == [("MG000", "3_c.sql")]


def test_pairs_among_more_plain_files_stay_pairs(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "1_a.sql": "SELECT 1;",
            "2_b.sql": "SELECT 2;",
            "3_c.sql": "SELECT 3;",
            "4_d.up.sql": "SELECT 4;",
            "4_d.down.sql": "SELECT -4;",
        },
    )
    found = discover(tmp_path)
    assert found.layout == "flat"
    assert labels(found) == ["1_a", "2_b", "3_c", "4_d"]
    assert sql_of(found.migrations[3].down[0]) == "SELECT -4;"
    assert found.diagnostics == ()


def test_goose_majority_decides(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "1_a.sql": "-- +goose Up\nSELECT 1;\n",
            "2_b.sql": "-- +goose Up\nSELECT 2;\n",
            "3_c.sql": "SELECT 3;\n",
        },
    )
    found = discover(tmp_path)
    assert found.layout == "goose"
    assert codes(found) == [("MG000", "3_c.sql")]
    assert up_sql(found.migrations[2]) == "SELECT 3;\n"


def test_goose_minority_is_flat(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "1_a.sql": "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT -1;\n",
            "2_b.sql": "SELECT 2;\n",
            "3_c.sql": "SELECT 3;\n",
        },
    )
    found = discover(tmp_path)
    assert found.layout == "flat"
    # A flat runner runs the whole file, Down part included: say so, read it whole.
    assert up_sql(found.migrations[0]).endswith("SELECT -1;\n")
    assert codes(found) == [("MG000", "1_a.sql")]


def test_dbmate_majority_decides(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "1_a.sql": "-- migrate:up\nSELECT 1;\n",
            "2_b.sql": "-- migrate:up\nSELECT 2;\n",
            "3_c.sql": "SELECT 3;\n",
        },
    )
    found = discover(tmp_path)
    assert (found.layout, found.runner) == ("dbmate", "dbmate")
    assert codes(found) == [("MG000", "3_c.sql")]


def test_folders_win_over_loose_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "20260101000000_a/migration.sql": "SELECT 1;",
            "20260102000000_b/migration.sql": "SELECT 2;",
            "20260103000000_c.sql": "SELECT 3;",
            "notes.sql": "SELECT 4;",
        },
    )
    found = discover(tmp_path)
    assert found.layout == "folder"
    assert labels(found) == ["20260101000000_a", "20260102000000_b"]
    assert codes(found) == [("MG000", "20260103000000_c.sql"), ("MG000", "notes.sql")]


def test_files_win_over_a_stray_folder(tmp_path: Path) -> None:
    write(
        tmp_path, {"1_a.sql": "SELECT 1;", "2_b.sql": "SELECT 2;", "3_c/migration.sql": "SELECT 3;"}
    )
    found = discover(tmp_path)
    assert found.layout == "flat"
    assert labels(found) == ["1_a", "2_b"]
    assert codes(found) == [("MG000", "3_c")]


# --- non-fatal problems ---------------------------------------------------------------


def test_unversioned_sql_among_versioned(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a.sql": "SELECT 1;", "0002_b.sql": "SELECT 2;", "seed.sql": "SELECT 3;"})
    found = discover(tmp_path)
    assert labels(found) == ["0001_a", "0002_b"]
    assert codes(found) == [("MG000", "seed.sql")]
    assert "version prefix" in found.diagnostics[0].message


def test_unrelated_files_are_ignored_silently(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "0001_a.sql": "SELECT 1;",
            "README.md": "# docs",
            "schema.json": "{}",
            "config.toml": "x = 1",
            ".gitkeep": "",
            ".hidden.sql": "SELECT 0;",
            "notes/todo.txt": "later",
        },
    )
    found = discover(tmp_path)
    assert labels(found) == ["0001_a"]
    assert found.diagnostics == ()


def test_folder_without_migration_sql(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "20260101000000_a/migration.sql": "SELECT 1;",
            "20260101000000_a/snapshot.json": "{}",
            "20260102000000_b/snapshot.json": "{}",
        },
    )
    found = discover(tmp_path)
    assert labels(found) == ["20260101000000_a"]
    assert codes(found) == [("MG000", "20260102000000_b")]
    assert "without migration.sql" in found.diagnostics[0].message


def test_extra_sql_in_folder(tmp_path: Path) -> None:
    write(tmp_path, {"1_a/migration.sql": "SELECT 1;", "1_a/rollback.sql": "SELECT 2;"})
    found = discover(tmp_path)
    assert codes(found) == [("MG000", "rollback.sql")]


def test_unversioned_folder_with_migration_sql(tmp_path: Path) -> None:
    write(tmp_path, {"1_a/migration.sql": "SELECT 1;", "init/migration.sql": "SELECT 0;"})
    found = discover(tmp_path)
    assert labels(found) == ["1_a"]
    assert codes(found) == [("MG000", "migration.sql")]
    assert "init" in found.diagnostics[0].path


def test_diesel_folder_without_up_sql(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "2026-01-01-000000_a/up.sql": "SELECT 1;",
            "2026-01-02-000000_b/up.sql": "SELECT 2;",
            "2026-01-03-000000_c/down.sql": "SELECT 3;",
        },
    )
    found = discover(tmp_path)
    assert found.layout == "diesel"
    assert codes(found) == [("MG000", "2026-01-03-000000_c")]


def test_diesel_bad_metadata(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "2026-01-01-000000_a/up.sql": "SELECT 1;",
            "2026-01-01-000000_a/metadata.toml": "run_in_transaction = ",
        },
    )
    found = discover(tmp_path)
    assert not found.migrations[0].no_transaction
    assert codes(found) == [("MG000", "metadata.toml")]


def test_diesel_metadata_true_or_commented(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "2026-01-01-000000_a/up.sql": "SELECT 1;",
            "2026-01-01-000000_a/metadata.toml": "# run_in_transaction = false\n",
            "2026-01-02-000000_b/up.sql": "SELECT 1;",
            "2026-01-02-000000_b/metadata.toml": "run_in_transaction = true\n",
        },
    )
    assert [m.no_transaction for m in discover(tmp_path).migrations] == [False, False]


def test_orphan_down_file(tmp_path: Path) -> None:
    write(tmp_path, {"1_a.up.sql": "SELECT 1;", "2_b.down.sql": "SELECT 2;"})
    found = discover(tmp_path)
    assert labels(found) == ["1_a"]
    assert codes(found) == [("MG000", "2_b.down.sql")]


def test_duplicate_versions(tmp_path: Path) -> None:
    write(
        tmp_path, {"0001_a.sql": "SELECT 1;", "0002_c.sql": "SELECT 2;", "0002_b.sql": "SELECT 3;"}
    )
    found = discover(tmp_path)
    # Both are kept (never drop SQL silently), ordered by name within the version.
    assert labels(found) == ["0001_a", "0002_b", "0002_c"]
    (diag,) = found.diagnostics
    assert diag.code == "MG003"
    assert os.path.join(str(tmp_path), "0002_b.sql") in diag.message
    assert os.path.join(str(tmp_path), "0002_c.sql") in diag.message


def test_duplicate_versions_compare_numerically(tmp_path: Path) -> None:
    write(tmp_path, {"1_a.up.sql": "SELECT 1;", "0001_b.up.sql": "SELECT 2;"})
    found = discover(tmp_path)
    assert [d.code for d in found.diagnostics] == ["MG003"]


def test_duplicate_versions_in_folders(tmp_path: Path) -> None:
    """Folders of a runner that keys migrations by number (not Prisma, which keys them
    by name: see test_prisma_applies_its_folders_in_name_order)."""
    write(
        tmp_path,
        {
            "0001_a/migration.sql": "SELECT 1;",
            "0001_b/migration.sql": "SELECT 2;",
        },
    )
    found = discover(tmp_path)
    assert found.runner == "generic"
    assert [d.code for d in found.diagnostics] == ["MG003"]
    assert "0001_a" in found.diagnostics[0].message


# --- errors ---------------------------------------------------------------------------


def test_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(MigrateLintError, match="no such directory") as info:
        discover(missing)
    assert str(missing) in str(info.value)


def test_root_is_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"0001_a.sql": "SELECT 1;"}) / "0001_a.sql"
    with pytest.raises(MigrateLintError, match="is a file") as info:
        discover(path)
    assert str(path) in str(info.value)


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(MigrateLintError, match="is empty") as info:
        discover(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_only_unrelated_files(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# hi", "notes.txt": "x", "schema.sql": "SELECT 1;"})
    with pytest.raises(MigrateLintError, match="no migrations found") as info:
        discover(tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    assert "--layout" in message
    assert "\n" not in message


def test_non_utf8_file(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a.sql": "SELECT 1;", "0002_b.sql": b"SELECT 1;\nSELECT 'caf\xe9';\n"})
    with pytest.raises(MigrateLintError, match="not valid UTF-8") as info:
        discover(tmp_path)
    assert os.path.join(str(tmp_path), "0002_b.sql") + ":2:" in str(info.value)


def test_binary_file(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a.sql": b"SQLite format 3\x00\x10\x00"})
    with pytest.raises(MigrateLintError, match="binary") as info:
        discover(tmp_path)
    assert os.path.join(str(tmp_path), "0001_a.sql") in str(info.value)


def test_utf16_file(tmp_path: Path) -> None:
    write(tmp_path, {"1_a/migration.sql": "SELECT 1;".encode("utf-16")})
    with pytest.raises(MigrateLintError, match="UTF-16") as info:
        discover(tmp_path)
    assert "migration.sql" in str(info.value)


def test_non_utf8_down_file_names_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"2026-01-01-000000_a/up.sql": "SELECT 1;", "2026-01-01-000000_a/down.sql": b"\xff"},
    )
    with pytest.raises(MigrateLintError) as info:
        discover(tmp_path)
    assert os.path.join("2026-01-01-000000_a", "down.sql") in str(info.value)


# --- performance ----------------------------------------------------------------------


def test_each_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {f"{i}_m.sql": f"-- +goose Up\nSELECT {i};\n" for i in range(1, 6)})
    reads: list[str] = []
    real = discover_common.read_text

    def counting(path: str) -> str:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(discover_common, "read_text", counting)
    found = discover(tmp_path)
    assert found.layout == "goose"
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 5


@pytest.mark.parametrize("shape", ["flat", "folder", "goose"])
def test_thousand_migrations_in_order(tmp_path: Path, shape: str) -> None:
    """A long history is read completely and in order (its speed is measured in
    benchmarks/bench_pipeline.py, not asserted here)."""
    files: dict[str, str | bytes] = {}
    for i in range(1000):
        body = f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, v TEXT);\n" * 5
        if shape == "flat":
            files[f"{i:04d}_m{i}.sql"] = body
        elif shape == "folder":
            files[f"{20260101000000 + i}_m{i}/migration.sql"] = body
        else:
            # goose versions start at 1: it refuses version 0
            files[f"{i + 1:05d}_m{i}.sql"] = (
                f"-- +goose Up\n{body}-- +goose Down\nDROP TABLE t{i};\n")
    write(tmp_path, files)
    found = discover(tmp_path)
    assert [m.name for m in found.migrations] == [f"m{i}" for i in range(1000)]
    assert found.diagnostics == ()


# --- real corpora ---------------------------------------------------------------------


corpus_dir = corpus_path  # skips, saying why, where ../shared/corpus is absent


@pytest.mark.corpus
def test_corpus_opencode() -> None:
    root = corpus_dir("opencode", "migration")
    found = discover(root)
    assert (found.layout, found.runner) == ("folder", "drizzle")
    assert len(found.migrations) == 33
    assert found.diagnostics == ()
    versions = [m.version for m in found.migrations]
    assert versions == sorted(versions)
    assert labels(found)[0] == "20260127222353_familiar_lady_ursula"
    assert "20260603040000_session_message_projection_order" in labels(found)
    assert all(m.path.endswith("migration.sql") for m in found.migrations)


@pytest.mark.corpus
def test_corpus_karakeep() -> None:
    root = corpus_dir("karakeep", "packages", "db", "drizzle")
    found = discover(root)
    assert (found.layout, found.runner) == ("flat", "drizzle")
    assert len(found.migrations) == 94
    assert found.diagnostics == ()
    assert [int(m.version) for m in found.migrations] == list(range(94))
    assert labels(found)[61] == "0061_merge_user_settings"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_diesel_reads_the_version_before_the_first_underscore_without_dashes(
        tmp_path: Path) -> None:
    """diesel: `2024-03-13_170000_b` is version "20240313", which sorts (as text) before
    "20240313120000"; the folder runs and reaches the replay and SQLite."""
    from migrate_lint.pipeline import load_history
    from migrate_lint.replay import replay
    from migrate_lint.verify import verify

    root = _tree(tmp_path, {
        "2024-03-13-120000_a/up.sql": "ALTER TABLE b ADD note text;\n",
        "2024-03-13_170000_b/up.sql": "CREATE TABLE b (id integer PRIMARY KEY);\n",
        "2024-03-14-000000_c/up.sql": "CREATE INDEX b_note ON b (note);\n",
    })
    found = discover(root)
    assert found.layout == "diesel" and found.diagnostics == ()
    assert [m.label for m in found.migrations] == [
        "2024-03-13_170000_b", "2024-03-13-120000_a", "2024-03-14-000000_c"]
    timeline = replay(load_history(root))
    assert all(step.error is None for step in timeline.steps)
    assert verify(timeline).ok


def test_golang_migrate_names_follow_its_pattern(tmp_path: Path) -> None:
    """`^([0-9]+)_(.*)\\.(down|up)\\.(.*)$`: `2_x..up.sql` runs; `3.up.sql` and
    `2024-01-01-000000_d.up.sql` do not (MG000), and neither becomes a flat file."""
    root = _tree(tmp_path, {
        "1_a.up.sql": "CREATE TABLE a (id integer);\n",
        "1_a.down.sql": "DROP TABLE a;\n",
        "2_x..up.sql": "CREATE TABLE b (id integer);\n",
        "3.up.sql": "CREATE TABLE c (id integer);\n",
        "2024-01-01-000000_d.up.sql": "CREATE TABLE d (id integer);\n",
    })
    found = discover(root)
    assert found.runner == "golang-migrate"
    assert [(m.version, m.path.rsplit(os.sep, 1)[1]) for m in found.migrations] == [
        ("1", "1_a.up.sql"), ("2", "2_x..up.sql")]
    assert sorted(Path(d.path).name for d in found.diagnostics if d.code == "MG000") == [
        "2024-01-01-000000_d.up.sql", "3.up.sql"]


def test_prisma_is_recognised_by_its_folders_without_the_lock_file(tmp_path: Path) -> None:
    src = corpus_path("realworld", "pingvin-share", "backend", "prisma", "migrations")
    import shutil

    copy = tmp_path / "migrations"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("migration_lock.toml"))
    assert not (copy / "migration_lock.toml").exists()
    assert discover(copy).runner == "prisma"
    # drizzle-kit's folders carry snapshot.json; a hand-named folder is not Prisma's
    _tree(tmp_path / "other", {"0001_init/migration.sql": "CREATE TABLE t (id integer);\n"})
    assert discover(tmp_path / "other").runner == "generic"


@pytest.mark.parametrize("layout_files", [
    {"20240101000000_a.sql": "-- no-transaction\nCREATE TABLE t (id integer);\n",
     "20240102000000_b.sql": "CREATE TABLE u (id integer);\n"},
    {"20240101000000_a.up.sql": "-- no-transaction\nCREATE TABLE t (id integer);\n",
     "20240101000000_a.down.sql": "DROP TABLE t;\n"},
])
def test_sqlx_is_recognised_by_its_no_transaction_header(
        tmp_path: Path, layout_files: dict[str, str]) -> None:
    assert discover(_tree(tmp_path, layout_files)).runner == "sqlx"
    # without the header the same names stay with the other runners
    plain = {k: v.replace("-- no-transaction\n", "") for k, v in layout_files.items()}
    assert discover(_tree(tmp_path / "plain", plain)).runner in ("generic", "golang-migrate")


def test_goose_names_follow_numeric_component(tmp_path: Path) -> None:
    """goose: the integer before the first `_`, above zero; other names are refused."""
    up = "-- +goose Up\nCREATE TABLE {} (id integer);\n"
    root = _tree(tmp_path, {"00001_a.sql": up.format("a"), "00002_b.sql": up.format("b"),
                            "0_zero.sql": up.format("z"), "00003.sql": up.format("c")})
    found = discover(root)
    assert found.layout == "goose"
    assert [m.label for m in found.migrations] == ["00001_a", "00002_b"]
    assert sorted(Path(d.path).name for d in found.diagnostics) == ["00003.sql", "0_zero.sql"]


def test_dbmate_names_and_order_follow_dbmate(tmp_path: Path) -> None:
    """dbmate: `^(\\d+).*\\.sql$`, version = the leading digits, files run in name order."""
    up = "-- migrate:up\nCREATE TABLE {} (id integer);\n-- migrate:down\n"
    root = _tree(tmp_path, {"9_a.sql": up.format("a"), "10_b.sql": up.format("b"),
                            "20200101-c.sql": up.format("c"), "notes.sql": up.format("n")})
    found = discover(root)
    assert found.layout == "dbmate"
    assert [(m.version, m.label) for m in found.migrations] == [
        ("10", "10_b"), ("20200101", "20200101-c"), ("9", "9_a")]
    assert [Path(d.path).name for d in found.diagnostics] == ["notes.sql"]


def test_golang_migrate_runs_an_up_file_with_a_stray_dot(tmp_path: Path) -> None:
    """golang-migrate's pattern `^([0-9]+)_(.*)\\.(down|up)\\.(.*)$` takes any extension:
    `30_x.up..sql` (as in stash's history) is migration 30 up, not a stray file."""
    (tmp_path / "29_a.up.sql").write_text("CREATE TABLE a (id integer);\n")
    (tmp_path / "30_b.up..sql").write_text("CREATE TABLE b (id integer);\n")
    (tmp_path / "30_b.down..sql").write_text("DROP TABLE b;\n")
    found = discover(tmp_path)
    assert [m.version for m in found.migrations] == ["29", "30"]
    assert found.migrations[1].down and not found.diagnostics


@pytest.mark.parametrize(("layout", "up", "warning"), [
    ("goose", "-- +goose Up", "more than one '-- +goose Up' annotation: goose rejects this file"),
    ("dbmate", "-- migrate:up",
     "more than one '-- migrate:up' section: dbmate rejects this file"),
])
def test_second_up_section_is_warned_about(tmp_path: Path, layout: str, up: str,
                                           warning: str) -> None:
    write(tmp_path, {"1_a.sql": f"{up}\nSELECT 1;\n{up}\nSELECT 2;\n"})
    found = discover(tmp_path, layout=layout)
    (migration,) = found.migrations
    assert up_sql(migration) == "SELECT 1;\n"
    assert [d.message for d in found.diagnostics] == [warning]


def test_python_migrations_beside_sql_files_are_code_migrations(tmp_path: Path) -> None:
    """A project runner's `<version>.py` among its SQL files runs in the sequence (yoyo,
    or a runner of the project's own): a code migration the tool cannot read, and a
    `.py` and a `.sql` of one version both run, in file-name order (no duplicate)."""
    write(tmp_path, {
        "20170101.sql": "CREATE TABLE t (a TEXT);",
        "20171230.py": "def apply(conn):\n    conn.execute('ALTER TABLE t ADD b TEXT')\n",
        "20181010.py": "def apply(conn):\n    pass\n",
        "20181010.sql": "UPDATE t SET b = a;",
        "helpers.py": "X = 1\n",
    })
    found = discover(tmp_path)
    assert labels(found) == ["20170101", "20171230", "20181010", "20181010"]
    assert [m.code for m in found.migrations] == ["", "python", "python", ""]
    assert codes(found) == []


def test_a_folder_of_python_files_alone_is_no_history(tmp_path: Path) -> None:
    write(tmp_path, {"0001_a.py": "x = 1\n"})
    with pytest.raises(MigrateLintError, match="no migrations found"):
        discover(tmp_path)
