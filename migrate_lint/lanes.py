"""Per-table, per-column life stories of a replayed history, migration by migration.

For the HTML report's timeline: when each table and column was created or added,
rebuilt (a new table copied over the old one), renamed, changed or dropped, and by
which migration. Computed by comparing the schema after each migration with the
one before it; an object renamed keeps its origin, which is how a rename is told
from a drop and an add.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migrate_lint.replay import Timeline
from migrate_lint.schema import Column, Origin, Schema, Table

KINDS = ("created", "added", "rebuilt", "renamed", "changed", "dropped")


@dataclass(frozen=True)
class Event:
    """One thing that happened to a table or column in one migration."""

    migration: int  # index in the history
    kind: str  # one of KINDS
    detail: str  # e.g. "renamed from `old`"
    path: str  # where: the statement that did it, or the migration's file
    line: int


@dataclass
class ColumnLane:
    """Every event of one column (under its latest name)."""

    name: str
    events: list[Event] = field(default_factory=list)


@dataclass
class TableLane:
    """A table's own events, and one lane per column that ever existed in it."""

    name: str
    events: list[Event] = field(default_factory=list)
    columns: list[ColumnLane] = field(default_factory=list)

    def column(self, name: str) -> ColumnLane:
        """The lane of column ``name`` (case-insensitive), made when missing."""
        for lane in self.columns:
            if lane.name.lower() == name.lower():
                return lane
        lane = ColumnLane(name)
        self.columns.append(lane)
        return lane


def _in(origin: Origin | None, label: str) -> bool:
    return origin is not None and origin.migration == label


def _where(origin: Origin | None, fallback: tuple[str, int]) -> tuple[str, int]:
    return (origin.span.path, origin.span.line) if origin is not None else fallback


def _tables(schema: Schema) -> dict[str, Table]:
    return {t.name.lower(): t for t in schema.tables.values() if not t.temporary}


def _columns(table: Table) -> dict[str, Column]:
    return {c.name.lower(): c for c in table.columns if not c.hidden}


# cc: one pass over the timeline telling each event apart (created, renamed, rebuilt, dropped,
#   column changes)
def table_lanes(timeline: Timeline) -> list[TableLane]:
    """One lane per table that ever existed, in order of first appearance."""
    lanes: dict[str, TableLane] = {}
    history = timeline.history
    before = _tables(Schema())
    for index, migration in enumerate(history.migrations):
        after = _tables(timeline.after_migration(index))
        label = migration.label
        fallback = (migration.path, 1)

        def event(kind: str, detail: str, origin: Origin | None, i: int = index,
                  fb: tuple[str, int] = fallback) -> Event:
            path, line = _where(origin, fb)
            return Event(i, kind, detail, path, line)

        gone = {k: t for k, t in before.items() if k not in after}
        new = {k: t for k, t in after.items() if k not in before}
        renamed: dict[str, str] = {}  # new key -> old key
        for key, table in new.items():
            for gone_key, gone_table in gone.items():
                if gone_table.origin == table.origin and gone_key not in renamed.values():
                    renamed[key] = gone_key
                    break
        for key, table in after.items():
            old_key = renamed.get(key, key)
            old = before.get(old_key)
            if old_key != key:
                lane = lanes.pop(old_key)
                lane.name = table.name
                lanes[key] = lane
                lane.events.append(event("renamed", f"renamed from `{old.name if old else old_key}`",
                                         table.changed))
            lane = lanes.setdefault(key, TableLane(table.name))
            cols = _columns(table)
            if old is None:
                lane.events.append(event("created", "created", table.origin))
                for col in cols.values():
                    lane.column(col.name).events.append(event("added", "added with the table",
                                                              col.origin))
                continue
            rebuilt = table.origin != old.origin
            if rebuilt:
                lane.events.append(event("rebuilt", "rebuilt (new table copied over)",
                                         table.origin))
            old_cols = _columns(old)
            col_gone = {k: c for k, c in old_cols.items() if k not in cols}
            col_renamed: dict[str, str] = {}
            positions = {k: i for i, k in enumerate(old_cols)}
            for position, (ck, col) in enumerate(cols.items()):
                if ck in old_cols:
                    continue
                # Columns of one CREATE share its origin: the one in the same place wins.
                candidates = sorted(
                    (abs(positions[gk] - position), gk) for gk, was in col_gone.items()
                    if was.origin == col.origin and gk not in col_renamed.values())
                if candidates:
                    col_renamed[ck] = candidates[0][1]
            for ck, col in cols.items():
                prev_key = col_renamed.get(ck, ck)
                prev = old_cols.get(prev_key)
                if prev_key != ck and prev is not None:
                    lane.column(prev.name).name = col.name
                    lane.column(col.name).events.append(
                        event("renamed", f"renamed from `{prev.name}`", col.changed))
                elif prev is None:
                    lane.column(col.name).events.append(event("added", "added", col.origin))
                elif rebuilt:
                    lane.column(col.name).events.append(
                        event("rebuilt", "copied into the rebuilt table", col.origin))
                elif col != prev and _in(col.changed, label):
                    lane.column(col.name).events.append(event("changed", "changed", col.changed))
            for gk, was in col_gone.items():
                if gk not in col_renamed.values():
                    lane.column(was.name).events.append(event("dropped", "dropped", None))
        for key in gone:
            if key in renamed.values():
                continue
            lane = lanes[key]
            lane.events.append(event("dropped", "dropped", None))
            for col_lane in lane.columns:
                if not col_lane.events or col_lane.events[-1].kind != "dropped":
                    col_lane.events.append(event("dropped", "dropped with the table", None))
            # A later table of the same name is another table: keep this lane apart.
            lanes[f"{key}\0{index}"] = lanes.pop(key)
        before = after
    return list(lanes.values())
