"""diesel's typed inserts: ``table!`` definitions and ``insert_into(t::table).values(...)``.

``diesel::table! { t (id) { id -> Integer, c -> Text, } }`` (usually in ``schema.rs``)
names the table and its columns, with ``#[sql_name = "..."]`` where the SQL name
differs from the Rust one (on the table or a column). ``insert_into(t::table)`` (or
``insert_into(t)`` with the dsl imported, ``replace_into``, ``insert_or_ignore_into``)
``.values((t::c.eq(x), ...))`` supplies the columns named by the ``.eq`` calls;
``.default_values()`` none. Values given as an ``Insertable`` struct or a vector are
built elsewhere: an unknown site. Resolved across files, since the schema lives in
its own module.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrate_lint.inserts.model import NAMED, UNKNOWN, InsertSite
from migrate_lint.span import Span
from migrate_lint.values import value_class


@value_class
class DieselTable:
    """A ``table!`` definition: its Rust module name, SQL name and columns (Rust name,
    SQL name)."""

    module: str
    name: str
    columns: tuple[tuple[str, str], ...]
    path: str


@value_class
class DieselInsert:
    """``insert_into(target)...`` before the target is resolved; ``columns`` are the
    Rust column names given (``None``: built elsewhere)."""

    target: str
    columns: tuple[str, ...] | None
    span: Span
    conflict: str | None = None
    source: str = "values"
    revision: str | None = None
    note: str = ""


def resolve_diesel(tables: Sequence[DieselTable],
                   inserts: Sequence[DieselInsert]) -> list[InsertSite]:
    """Sites of diesel inserts, names mapped through the ``table!`` definitions."""
    by_module: dict[str, list[DieselTable]] = {}
    for defined in tables:
        by_module.setdefault(defined.module, []).append(defined)
    sites: list[InsertSite] = []
    for ins in inserts:
        found = by_module.get(ins.target, [])
        same = [t for t in found if t.path == ins.span.path] or found
        table = same[0] if len({t.name for t in same}) == 1 else None
        name = table.name if table is not None else ins.target
        note = ins.note
        if table is None and found:
            note = note or f"`{ins.target}` names several table! definitions"
        if ins.columns is None:
            sites.append(InsertSite(name, UNKNOWN, ins.span, "diesel", conflict=ins.conflict,
                                    source=ins.source, revision=ins.revision,
                                    note=note or "values built elsewhere (an Insertable "
                                                 "struct or a vector)"))
            continue
        mapping = dict(table.columns) if table is not None else {}
        columns = tuple(dict.fromkeys(mapping.get(c, c) for c in ins.columns))
        if table is None and not note:
            note = f"no table! definition of `{ins.target}` under the insert paths: " \
                   "names taken as written"
        rows = (len(columns),) if ins.source == "values" else ()
        sites.append(InsertSite(name, NAMED, ins.span, "diesel", columns=columns, rows=rows,
                                source=ins.source, conflict=ins.conflict,
                                revision=ins.revision, note=note))
    return sites
