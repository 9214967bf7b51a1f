"""The history with fix's in-place corrections applied, made in memory.

The corrections are splices inside statements of a few files; every other file is
unchanged. So only the edited migrations are read again, from their corrected text,
with their sections (goose and dbmate regions, whole files elsewhere) moved by the
splices; the rest of the history is shared with the original. Nothing is copied or
written: on a history of 100,000 files the scratch copy and its second reading were
most of the cost of `fix`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from migrate_lint.diagnostics import Diagnostic
from migrate_lint.fix.inplace import Splice, apply_splices
from migrate_lint.history import History, Migration
from migrate_lint.parse import parse_migration
from migrate_lint.source import MigrationSource, Section


def _moved(pos: int, splices: Sequence[Splice], *, end: bool) -> int:
    """Where offset ``pos`` of the old text is in the new one.

    A splice that ends at or before ``pos`` moves it by its change in length; an
    insertion exactly at ``pos`` lies inside the section whose start or end ``pos`` is
    (after a section's start, before its end).
    """
    shift = 0
    for s in splices:
        inserted_here = s.start == s.end == pos
        if s.end < pos or (s.end == pos and not inserted_here) or (inserted_here and end):
            shift += len(s.new) - (s.end - s.start)
    return pos + shift


def _section(section: Section, texts: Mapping[str, str],
             splices: Mapping[str, Sequence[Splice]]) -> Section:
    mine = splices.get(section.path)
    if not mine:
        return section
    return Section(section.path, texts[section.path], _moved(section.start, mine, end=False),
                   _moved(section.end, mine, end=True))


def _source(source: MigrationSource, texts: Mapping[str, str],
            splices: Mapping[str, Sequence[Splice]]) -> MigrationSource:
    return replace(source, up=tuple(_section(s, texts, splices) for s in source.up),
                   down=tuple(_section(s, texts, splices) for s in source.down))


def edited_history(history: History, splices: Mapping[str, Sequence[Splice]]) -> History:
    """``history`` with ``splices`` (by path) applied to its files, read again where
    they changed; the same object when there are none."""
    if not any(splices.values()):
        return history
    texts = dict(history.texts)
    for path, mine in splices.items():
        texts[path] = apply_splices(history.texts[path], mine)
    edited = set(splices)
    migrations: list[Migration] = []
    fresh: list[Diagnostic] = []
    for migration in history.migrations:
        source = migration.source
        if not edited.intersection(s.path for s in (*source.up, *source.down)):
            migrations.append(migration)
            continue
        read, diagnostics = parse_migration(_source(source, texts, splices), texts)
        migrations.append(read)
        fresh.extend(diagnostics)
    # the reader's diagnostics (MG001, MG002) of the edited files are those of their new
    # text; discovery's stay
    kept = [d for d in history.diagnostics
            if d.path not in edited or d.code not in ("MG001", "MG002")]
    return replace(history, migrations=tuple(migrations),
                   diagnostics=tuple([*kept, *fresh]), texts=texts)
