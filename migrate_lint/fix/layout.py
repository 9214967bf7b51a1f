"""Where a new migration goes and how it looks: the directory's layout and naming.

The next version follows the newest one's format: a 14-digit UTC timestamp,
diesel's ``YYYY-MM-DD-HHMMSS``, epoch milliseconds, or the next zero-padded
number; Flyway's next version increments the last part of the highest one
(``1_9`` -> ``1_10``). Files are rendered from the jinja2 templates shipped in
``templates/``.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Sequence
from datetime import datetime, timezone

import jinja2

from migrate_lint.discover.flyway import flyway_version_key
from migrate_lint.errors import MigrateLintError
from migrate_lint.fix.model import FileChange
from migrate_lint.fix.sqltext import comment_text
from migrate_lint.history import History

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("migrate_lint.fix", "templates"),
    autoescape=False,  # SQL, not HTML
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
# Raw names and notes never reach a comment line as written (a newline would end it).
_ENV.filters["comment"] = comment_text


# A Flyway version as written in V<version>__<description>.sql (repeatables have none).
_FLYWAY_VERSION = re.compile(r"\d+(?:[._]\d+)*")


def next_version(versions: Sequence[str], now_ms: int | None = None,
                 layout: str | None = None) -> str:
    """The version after the newest of ``versions``, in the same format."""
    if layout == "flyway":
        return _next_flyway(versions)
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    now = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    newest = max(versions, key=lambda v: (len(v), v)) if versions else "0000"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}-\d{6}", newest):
        candidate = now.strftime("%Y-%m-%d-%H%M%S")
        if candidate > newest:
            return candidate
        stamp = datetime.strptime(newest, "%Y-%m-%d-%H%M%S").timestamp() + 1
        return datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%Y-%m-%d-%H%M%S")
    if re.fullmatch(r"\d{14}", newest):
        candidate = now.strftime("%Y%m%d%H%M%S")
        # The clock may be behind the newest migration: never sort before it.
        return candidate if candidate > newest else str(int(newest) + 1)
    if re.fullmatch(r"\d{13}", newest):
        return str(max(ms, int(newest) + 1))
    if newest.isdigit():
        return str(int(newest) + 1).zfill(len(newest))
    return now.strftime("%Y%m%d%H%M%S")


def _next_flyway(versions: Sequence[str]) -> str:
    """The highest Flyway version with its last part incremented, separators and
    zero padding kept: ``1.2.3`` -> ``1.2.4``, ``2026_01_01_1200`` -> ``2026_01_01_1201``."""
    written = [v for v in versions if _FLYWAY_VERSION.fullmatch(v)]
    if not written:
        return "1"
    newest = max(written, key=lambda v: (flyway_version_key(v), len(v), v))
    last = re.split(r"[._]", newest)[-1]
    return newest[: len(newest) - len(last)] + str(int(last) + 1).zfill(len(last))


def flyway_file_version(path: str) -> str:
    """``.../V1_2__fix_t_c.sql`` -> ``1_2``: the version of a new Flyway migration file."""
    match = re.match(r"V(\d+(?:[._]\d+)*)__", os.path.basename(path))
    return match.group(1) if match else ""


def render_new_migration(history: History, name: str, up: Sequence[str], down: Sequence[str],
                         header: Sequence[str], table: str, no_transaction: bool,
                         now_ms: int | None = None, journal_base: str | None = None
                         ) -> tuple[FileChange, ...]:
    """The files of a new migration ``name`` following the directory's layout.

    ``journal_base``: drizzle's journal as earlier fixes of this run leave it.
    """
    root = history.root
    version = next_version([m.version for m in history.migrations], now_ms, history.layout)
    label = f"V{version}__{name}" if history.layout == "flyway" else f"{version}_{name}"
    layout, runner = history.layout, history.runner
    style = layout if layout in ("goose", "dbmate") else (
        "drizzle" if runner == "drizzle" else "plain")
    template = _ENV.get_template("migration.sql.j2")
    context = {"style": style, "no_transaction": no_transaction, "header_lines": list(header),
               "up": list(up), "down": list(down), "table": table}
    text = template.render(**context)
    files: list[FileChange] = []
    if layout == "folder":
        files.append(FileChange(os.path.join(root, label, "migration.sql"), text))
    elif layout == "diesel":
        files.append(FileChange(os.path.join(root, label, "up.sql"), text))
        files.append(FileChange(os.path.join(root, label, "down.sql"),
                                _ENV.get_template("down.sql.j2").render(**context)))
        if no_transaction:
            files.append(FileChange(os.path.join(root, label, "metadata.toml"),
                                    _ENV.get_template("metadata.toml.j2").render(**context)))
    elif layout == "updown":
        files.append(FileChange(os.path.join(root, f"{label}.up.sql"), text))
        files.append(FileChange(os.path.join(root, f"{label}.down.sql"),
                                _ENV.get_template("down.sql.j2").render(**context)))
    elif layout == "flyway":
        # Never a repeatable: the fix is a versioned step. Flyway's only opt-out of its
        # transaction is the script configuration file next to the migration.
        files.append(FileChange(os.path.join(root, f"{label}.sql"), text))
        if no_transaction:
            files.append(FileChange(os.path.join(root, f"{label}.sql.conf"),
                                    "executeInTransaction=false\n"))
    else:
        files.append(FileChange(os.path.join(root, f"{label}.sql"), text))
    journal = os.path.join(root, "meta", "_journal.json")
    if runner == "drizzle" and os.path.isfile(journal):
        files.append(_journal_entry(journal, label, now_ms, journal_base))
    for change in files:
        ensure_inside(root, change.path)
    return tuple(files)


def ensure_inside(root: str, path: str) -> None:
    """Refuse a path that does not lie inside ``root`` once resolved (symlinks included).

    Names in a new file's path are slugged already; this is the last line of defence
    against a path that escapes the migrations directory.
    """
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root or real == real_root:
        raise MigrateLintError(f"{path}: outside the migrations directory {root}; not written")


def _journal_entry(path: str, tag: str, now_ms: int | None, base: str | None = None
                   ) -> FileChange:
    """drizzle's journal with one more entry; ``when`` strictly increases (RUNNERS.md).

    ``base`` is the journal as an earlier fix of the same run leaves it, so that every
    new migration of the run is listed (drizzle never runs one that is not).
    """
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            old = fh.read()
        data = json.loads(old if base is None else base)
        entries = data.setdefault("entries", [])
        last = entries[-1] if entries else {}
        idx, version, when = int(last.get("idx", -1)), last.get("version", "6"), \
            int(last.get("when", 0))
    except (OSError, ValueError, TypeError, AttributeError) as err:
        raise MigrateLintError(f"{path}: cannot read drizzle's journal ({err}); fix it or "
                               "restore it from git, then run again") from None
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    entries.append({
        "idx": idx + 1,
        "version": version,
        "when": max(ms, when + 1),
        "tag": tag,
        "breakpoints": True,
    })
    text = json.dumps(data, indent=2) + "\n"
    return FileChange(path, text, old_text=old)
