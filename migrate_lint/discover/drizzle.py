"""drizzle-kit: numbered files (flat) or timestamped folders (folder layout), statements
separated by breakpoints, ordered by ``meta/_journal.json`` where there is one."""

from __future__ import annotations

import json
import os

from migrate_lint.discover.common import BOM, Candidate, Collector
from migrate_lint.span import LineIndex, Span

BREAKPOINT = "--> statement-breakpoint"


def _journal_entries(
    path: str, text: str, col: Collector
) -> list[tuple[int, str, int | None]] | None:
    """(idx, tag, when) of each well-formed journal entry, or None if unusable."""
    try:
        data = json.loads(text.lstrip(BOM))
    except json.JSONDecodeError as exc:
        col.warn(
            path,
            f"not valid JSON (line {exc.lineno}: {exc.msg}): drizzle cannot "
            "migrate; ordering by version instead",
        )
        return None
    raw = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        col.warn(path, "no 'entries' list: drizzle cannot migrate; ordering by version instead")
        return None
    entries: list[tuple[int, str, int | None]] = []
    for i, entry in enumerate(raw):
        idx = entry.get("idx") if isinstance(entry, dict) else None
        tag = entry.get("tag") if isinstance(entry, dict) else None
        # bool is an int subclass; `true` is no index.
        if not isinstance(idx, int) or isinstance(idx, bool) or not isinstance(tag, str):
            col.warn(path, f"entry #{i} lacks an integer 'idx' or a string 'tag'; ignored")
            continue
        when = entry.get("when")
        ok_when = isinstance(when, int) and not isinstance(when, bool)
        entries.append((idx, tag, when if ok_when else None))
    entries.sort(key=lambda e: e[0])
    return entries


def journal_path(root: str) -> str:
    """Where drizzle-kit keeps the journal of the migrations in ``root``."""
    return os.path.join(root, "meta", "_journal.json")


def journal_dialect(text: str) -> str | None:
    """The database the journal says drizzle-kit wrote the migrations for (``sqlite``,
    ``turso``, ``postgresql``, older ``pg``...), None where it does not say."""
    try:
        data = json.loads(text.lstrip(BOM))
    except json.JSONDecodeError:
        return None  # apply_journal says what is wrong with it
    dialect = data.get("dialect") if isinstance(data, dict) else None
    return dialect if isinstance(dialect, str) else None


def apply_journal(root: str, cands: list[Candidate], col: Collector, text: str) -> None:
    """Order by drizzle's journal (``text``) and report what drizzle would trip over."""
    path = journal_path(root)
    entries = _journal_entries(path, text, col)
    if entries is None:
        return
    index = LineIndex(path, text)
    by_stem: dict[str, Candidate] = {}
    for known in cands:
        by_stem.setdefault(known.stem, known)
    seen: set[str] = set()
    latest: tuple[int, str] | None = None  # highest `when` so far and its tag
    for idx, tag, when in entries:
        span = _tag_span(index, text, tag)
        if tag in seen:
            col.warn(path, f"journal lists {tag!r} twice; drizzle runs it twice", span)
            continue
        seen.add(tag)
        found = by_stem.get(tag)
        if found is None:
            col.warn(
                path,
                f"journal entry {tag!r} (idx {idx}) has no migration file: "
                "drizzle's migrate() fails with 'No file ... found'",
                span,
            )
        else:
            found.rank = idx
        if when is None:
            continue
        # drizzle runs only entries whose `when` is later than the last applied one's.
        if latest is not None and when <= latest[0]:
            col.warn(
                path,
                f"journal entry {tag!r} has when={when}, not later than "
                f"{latest[1]!r} (when={latest[0]}): drizzle skips it forever on "
                f"databases that already applied {latest[1]!r}; give it a later when",
                span,
            )
        else:
            latest = (when, tag)
    after = max((e[0] for e in entries), default=-1) + 1
    for cand in cands:
        if cand.rank is None:
            cand.rank = after
            col.warn(
                cand.path,
                "not listed in meta/_journal.json: drizzle never runs it; "
                "regenerate it with drizzle-kit or add a journal entry",
            )


def _tag_span(index: LineIndex, text: str, tag: str) -> Span | None:
    """Where ``"tag"`` is written in the journal, to point diagnostics at the entry."""
    quoted = json.dumps(tag)
    pos = text.find(quoted)
    return None if pos < 0 else index.span(pos, pos + len(quoted))
