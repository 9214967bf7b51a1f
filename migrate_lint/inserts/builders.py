"""Kysely and Knex query-builder inserts, resolved to sites once every file is read.

Kysely: ``db.insertInto('t').values({...})`` / ``.values([{...}, ...])``,
``.replaceInto('t')`` (REPLACE), ``.orIgnore()`` / ``.orReplace()``,
``.onConflict(...)`` (an upsert), ``.defaultValues()``, ``.columns([...])`` with
``.expression(...)`` (INSERT ... SELECT). The column names are the object keys, mapped
to snake_case as Kysely's ``CamelCasePlugin`` does when a ``new CamelCasePlugin(...)``
appears anywhere under the insert paths. Knex: ``knex('t').insert({...})``,
``knex.insert({...}).into('t')``, ``knex('t').insert([{...}])``, with
``.onConflict(...).merge()`` (upsert) or ``.ignore()`` (OR IGNORE).

Several rows: both send the union of the rows' keys and an explicit NULL where a row
lacks one (Kysely's SQLite compiler writes ``null`` for a missing value, Knex with
``useNullAsDefault``, its only mode that works on SQLite); a key whose value is
``undefined`` is left out, as both builders do. A values object built at run time
(a variable, a spread, a computed key) gives an unknown site: listed, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrate_lint.inserts.model import NAMED, UNKNOWN, InsertSite
from migrate_lint.span import Span
from migrate_lint.values import value_class


@value_class
class CamelCaseOptions:
    """The options of one ``new CamelCasePlugin({...})`` that change column names."""

    upper_case: bool = False
    underscore_before_digits: bool = False
    underscore_between_uppercase_letters: bool = False


_NO_OPTIONS = CamelCaseOptions()


def kysely_snake_case(key: str, options: CamelCaseOptions = _NO_OPTIONS) -> str:
    """Kysely's ``createSnakeCaseMapper``: ``createdAt`` -> ``created_at``."""
    if not key:
        return key
    upper, lower = key.upper(), key.lower()
    if len(upper) != len(key) or len(lower) != len(key):
        return key  # a letter whose case mapping changes length: leave it as written
    out = lower[0]
    for i in range(1, len(key)):
        char, prev = key[i], key[i - 1]
        if options.underscore_before_digits and char.isdigit() and not prev.isdigit():
            out += "_" + char
            continue
        if char == upper[i] and upper[i] != lower[i]:
            prev_upper = prev == upper[i - 1] and upper[i - 1] != lower[i - 1]
            out += ("_" + lower[i]) if (options.underscore_between_uppercase_letters
                                         or not prev_upper) else lower[i]
        else:
            out += char
    return out.upper() if options.upper_case else out


@value_class
class BuilderInsert:
    """One builder insert before name mapping.

    ``rows`` holds the keys of each row object, ``None`` when built at run time;
    ``nulls`` the keys given an explicit ``null`` in some row.
    """

    origin: str  # "kysely" | "knex"
    table: str
    rows: tuple[tuple[str, ...], ...] | None
    span: Span
    conflict: str | None = None
    source: str = "values"
    nulls: tuple[str, ...] = ()
    revision: str | None = None
    note: str = ""


def resolve_builders(inserts: Sequence[BuilderInsert],
                     camel: Sequence[CamelCaseOptions]) -> list[InsertSite]:
    """Sites of builder inserts; Kysely keys mapped when a CamelCasePlugin is used."""
    options = camel[0] if len(set(camel)) == 1 else None
    sites: list[InsertSite] = []
    for ins in inserts:
        if ins.rows is None:
            sites.append(InsertSite(ins.table, UNKNOWN, ins.span, ins.origin,
                                    conflict=ins.conflict, source=ins.source,
                                    revision=ins.revision,
                                    note=ins.note or "values built at run time"))
            continue
        if ins.origin == "kysely" and len(set(camel)) > 1:
            sites.append(InsertSite(ins.table, UNKNOWN, ins.span, ins.origin,
                                    conflict=ins.conflict, source=ins.source,
                                    revision=ins.revision,
                                    note="CamelCasePlugin configured with different options"))
            continue

        def name(key: str, origin: str = ins.origin) -> str:
            if origin == "kysely" and options is not None:
                return kysely_snake_case(key, options)
            return key

        keys = list(dict.fromkeys(k for row in ins.rows for k in row))
        nulls = dict.fromkeys(ins.nulls)
        for key in keys:
            if any(key not in row for row in ins.rows):
                nulls[key] = None
        note = ins.note or ("column names mapped by CamelCasePlugin"
                            if ins.origin == "kysely" and options is not None else "")
        rows = tuple(len(keys) for _ in ins.rows) if ins.source == "values" else ()
        sites.append(InsertSite(ins.table, NAMED, ins.span, ins.origin,
                                columns=tuple(name(k) for k in keys), rows=rows,
                                source=ins.source, conflict=ins.conflict,
                                nulls=tuple(name(k) for k in nulls), revision=ins.revision,
                                note=note))
    return sites
