"""`migrate-lint report --html`, opened in the system's headless Chromium.

The page is generated from real histories (a small one written here, and opencode and
karakeep from the shared corpus), loaded from a file with every network request
refused by its Content-Security-Policy, and driven through chromedriver: the tables'
timelines and the ER diagram must render, and clicking a finding marker must open
that finding. A screenshot of each page goes to test-output/report-html/ (kept for
people and CI artifacts; ignored by git). Without Chromium and chromedriver (Debian:
`apt-get install chromium chromium-driver`) the browser tests skip saying so.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, corpus_path
from webdriver import Browser, find_chromium

from migrate_lint.cli import cli
from migrate_lint.lanes import table_lanes
from migrate_lint.pipeline import load_timeline

OUTPUT = ROOT / "test-output" / "report-html"


def _small_history(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "0001_init.sql").write_text(
        "CREATE TABLE author (id integer PRIMARY KEY, name text);\n"
        "CREATE TABLE post (id integer PRIMARY KEY, author_id integer REFERENCES author(id), "
        "title text, legacy text);\n")
    (root / "0002_rename.sql").write_text(
        "ALTER TABLE post RENAME COLUMN title TO headline;\nALTER TABLE post DROP COLUMN legacy;\n")
    (root / "0003_seq.sql").write_text("ALTER TABLE post ADD seq integer NOT NULL;\n")
    (root / "0004_rebuild.sql").write_text(
        "CREATE TABLE author_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');\n"
        "INSERT INTO author_new (id, name) SELECT id, coalesce(name, '') FROM author;\n"
        "DROP TABLE author;\nALTER TABLE author_new RENAME TO author;\n")
    return root


def test_lanes_tell_each_columns_story(tmp_path: Path) -> None:
    lanes = {lane.name: lane for lane in table_lanes(load_timeline(
        _small_history(tmp_path / "migrations")))}
    post = {c.name: [(e.migration, e.kind) for e in c.events] for c in lanes["post"].columns}
    assert post["headline"] == [(0, "added"), (1, "renamed")]
    assert post["legacy"] == [(0, "added"), (1, "dropped")]
    assert post["seq"] == [(2, "added")]
    author = lanes["author"]
    assert [(e.migration, e.kind) for e in author.events] == [(0, "created"), (3, "rebuilt")]
    assert [e.kind for e in author.columns[1].events] == ["added", "rebuilt"]
    assert "author_new" not in lanes


def _report(history: Path, out: Path) -> str:
    result = CliRunner().invoke(cli, ["report", str(history), "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    # Self-contained: nothing is fetched (the CSP forbids it; nothing asks for it).
    assert not re.search(r"""(src|href)=["']https?:""", page.replace(
        'href="https://github.com/migrate-lint', ""))
    return page


def test_report_is_one_self_contained_page(tmp_path: Path) -> None:
    page = _report(_small_history(tmp_path / "migrations"), tmp_path / "r.html")
    assert "default-src 'none'" in page
    assert page.count('class="lane"') == 2
    assert 'class="marker"' in page  # NN001 on post.seq


def test_bad_directory_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "nope"), "--html",
                                      str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "no such directory" in result.stderr


HISTORIES = {
    "small": None,
    "opencode": ("opencode", "migration"),
    "karakeep": ("karakeep", "packages", "db", "drizzle"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HISTORIES))
def test_report_renders_in_headless_chromium(name: str, tmp_path: Path) -> None:
    parts = HISTORIES[name]
    history = _small_history(tmp_path / "migrations") if parts is None else corpus_path(*parts)
    found = find_chromium()
    if found is None:
        pytest.skip("chromium and chromedriver are not installed "
                    "(Debian: apt-get install chromium chromium-driver)")
    out = tmp_path / f"{name}.html"
    _report(history, out)
    tables = len(table_lanes(load_timeline(history)))
    with Browser(*found, profile=tmp_path / "profile") as browser:
        browser.open(out.as_uri())
        lanes = browser.script("return document.querySelectorAll('.lane svg.timeline').length")
        assert lanes == tables
        drawn = browser.script("return document.querySelectorAll('#er-svg .er-table').length")
        assert drawn > 0
        # The ER diagram at the first migration has fewer or as many tables.
        first = browser.script(
            "const s = document.getElementById('er-version'); s.value = '0';"
            "s.dispatchEvent(new Event('change'));"
            "return document.querySelectorAll('#er-svg .er-table').length")
        assert 0 < first <= max(drawn, first)
        browser.script(
            "const s = document.getElementById('er-version');"
            "s.value = String(s.options.length - 1); s.dispatchEvent(new Event('change'));")
        # The diamond a person clicks is the marker link's shape.
        markers = browser.find_all(".marker path")
        assert markers, "no finding marker on any timeline"
        target = browser.script(
            "const m = document.querySelectorAll('.marker')[0];"
            "m.scrollIntoView({block: 'center'}); return m.getAttribute('data-finding')")
        assert browser.script(f"return document.getElementById('{target}').open") is False
        browser.click(markers[0])
        assert browser.script(f"return document.getElementById('{target}').open") is True
        assert browser.script(
            f"return document.getElementById('{target}').querySelector('pre') !== null")
        OUTPUT.mkdir(parents=True, exist_ok=True)
        browser.screenshot(OUTPUT / f"{name}-finding.png")  # the opened finding, centred
        browser.script("window.scrollTo(0, 0)")
        browser.screenshot(OUTPUT / f"{name}.png")
        shutil.copy2(out, OUTPUT / f"{name}.html")
    assert (OUTPUT / f"{name}.png").stat().st_size > 10_000
