"""The updown layout: ``<version>_<name>.up.sql`` with its ``.down.sql`` partner, as
golang-migrate and sqlx read them."""

from __future__ import annotations

import os
import re

from migrate_lint.discover import common
from migrate_lint.discover.common import Candidate, Collector, Scan, whole_file
from migrate_lint.source import Section

# golang-migrate's file name pattern, `^([0-9]+)_(.*)\.(down|up)\.(.*)$` (source/parse.go,
# Regex): digits only, then `_`, then anything, `2_x..up.sql` included; `3.up.sql` and
# diesel-style `2024-01-01-000000_x.up.sql` never run. sqlx also wants the `_` (it splits
# the name at the first one and ignores files without it).
UPDOWN = re.compile(r"(?P<version>[0-9]+)_(?P<name>.*)", re.S)
# The whole pattern: the extension after `.up.` is anything, so `30_x.up..sql` (a stray
# dot, as in stash's history) is migration 30 up, run by golang-migrate.
UPDOWN_FILE = re.compile(r"(?P<stem>[0-9]+_.*)\.(?P<dir>up|down)\.(?P<ext>.*)", re.S)


def pair_stem(name: str) -> str:
    """The stem of an up/down file: `30_x.up.sql` and `30_x.up..sql` -> `30_x`."""
    match = UPDOWN_FILE.fullmatch(name)
    return match.group("stem") if match is not None else name.rsplit(".", 2)[0]


def pairs(root: str, scan: Scan, col: Collector) -> list[Candidate]:
    """`.up.sql` files with their `.down.sql` partner (same stem)."""
    downs = {pair_stem(name): name for name, _v in scan.downs}
    cands: list[Candidate] = []
    for name, version in scan.ups:
        stem = pair_stem(name)
        path = os.path.join(root, name)
        up = (whole_file(path, common.read_text(path)),)
        down: tuple[Section, ...] = ()
        down_name = downs.pop(stem, None)
        if down_name is not None:
            down_path = os.path.join(root, down_name)
            down = (whole_file(down_path, common.read_text(down_path)),)
        cands.append(Candidate(stem, version, "updown", up, down))
    for down_name in downs.values():
        col.warn(
            os.path.join(root, down_name),
            "down file without a matching .up.sql: nothing runs it forward; "
            "add the .up.sql or remove it",
        )
    return cands
