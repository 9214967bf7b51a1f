"""drizzle ORM: table definitions and ``.insert(T).values(...)`` calls, resolved to sites.

drizzle's SQLite dialect writes *every* column of the table definition on insert:
a value left out of ``.values()`` becomes the column's app-side default
(``.default()``, ``$defaultFn``/``$default``, ``$onUpdate``/``$onUpdateFn``) or an
explicit NULL (drizzle-orm ``SQLiteDialect.buildInsertQuery``). So the columns an
insert sends are the definition's, known even when the values object is built at
run time, and a database column the definition lacks is always omitted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from migrate_lint.inserts.builders import BuilderInsert, CamelCaseOptions
from migrate_lint.inserts.diesel import DieselInsert, DieselTable
from migrate_lint.inserts.model import NAMED, UNKNOWN, InsertSite
from migrate_lint.span import Span
from migrate_lint.values import value_class

APP_DEFAULTS = frozenset({"default", "$default", "$defaultFn", "$onUpdate", "$onUpdateFn"})
# drizzle's own word splitter (drizzle-orm/casing.ts), so names match what it sends.
_WORDS = re.compile(r"[\da-z]+|[A-Z]+(?![a-z])|[A-Z][\da-z]+")


def to_snake_case(key: str) -> str:
    """drizzle's ``toSnakeCase``: ``createdAt`` -> ``created_at``."""
    return "_".join(w.lower() for w in _WORDS.findall(key.replace("'", "")))


def to_camel_case(key: str) -> str:
    """drizzle's ``toCamelCase``: ``created_at`` -> ``createdAt``."""
    words = _WORDS.findall(key.replace("'", ""))
    return "".join(w.lower() if i == 0 else w[0].upper() + w[1:] for i, w in enumerate(words))


@value_class
class DrizzleColumn:
    """One property of a ``sqliteTable`` columns object."""

    key: str
    name: str | None  # the builder's explicit name; None: the key (after casing)
    app_default: bool
    generated: bool  # generatedAlwaysAs: drizzle never inserts it

    def column_name(self, casing: str | None) -> str:
        """The database column drizzle writes for this property."""
        if self.name is not None:
            return self.name
        if casing == "snake_case":
            return to_snake_case(self.key)
        if casing == "camelCase":
            return to_camel_case(self.key)
        return self.key


@value_class
class DrizzleTable:
    """``const Binding = sqliteTable("name", { ... })``.

    ``spreads`` name objects spread into the columns (``...timestamps``), resolved
    against ``const timestamps = { ... }`` objects found under the insert paths.
    """

    binding: str
    name: str
    columns: tuple[DrizzleColumn, ...]
    path: str
    spreads: tuple[str, ...] = ()
    complete: bool = True  # False: a computed key or an unresolvable property


@value_class
class DrizzleInsert:
    """``X.insert(Target).values(rows)`` before the target is resolved.

    ``rows`` holds the keys of each row object, ``None`` when built at run time.
    """

    target: str
    rows: tuple[tuple[str, ...], ...] | None
    span: Span
    conflict: str | None
    revision: str | None


@value_class
class DrizzleFacts:
    """What one file contributes to resolution across files: drizzle's tables,
    inserts, column objects and casing, the Kysely/Knex inserts with the Kysely
    ``CamelCasePlugin`` options (:mod:`migrate_lint.inserts.builders`), and diesel's
    ``table!`` definitions and typed inserts (:mod:`migrate_lint.inserts.diesel`)."""

    tables: tuple[DrizzleTable, ...] = ()
    inserts: tuple[DrizzleInsert, ...] = ()
    objects: tuple[tuple[str, tuple[DrizzleColumn, ...], bool], ...] = ()  # name, cols, complete
    casing: tuple[str, ...] = ()
    builders: tuple[BuilderInsert, ...] = ()
    camel: tuple[CamelCaseOptions, ...] = ()
    diesel_tables: tuple[DieselTable, ...] = ()
    diesel_inserts: tuple[DieselInsert, ...] = ()


# What a file without drizzle, Kysely, Knex or diesel facts contributes (most files):
# one immutable value shared, not one made per file.
NO_FACTS = DrizzleFacts()


def _expand(table: DrizzleTable, objects: dict[str, tuple[tuple[DrizzleColumn, ...], bool]]
            ) -> tuple[tuple[DrizzleColumn, ...], bool]:
    columns = list(table.columns)
    complete = table.complete
    for name in table.spreads:
        found = objects.get(name)
        if found is None:
            complete = False
            continue
        columns.extend(found[0])
        complete = complete and found[1]
    return tuple(columns), complete


def resolve(facts: Sequence[DrizzleFacts]) -> list[InsertSite]:
    """Turn every drizzle insert into a site, using the definitions of all files."""
    casing_values = {c for f in facts for c in f.casing}
    casing = "snake_case" if "snake_case" in casing_values else (
        "camelCase" if "camelCase" in casing_values else None)
    objects = {name: (cols, ok) for f in facts for name, cols, ok in f.objects}
    by_binding: dict[str, list[DrizzleTable]] = {}
    for f in facts:
        for table in f.tables:
            by_binding.setdefault(table.binding, []).append(table)
    sites: list[InsertSite] = []
    for f in facts:
        for ins in f.inserts:
            sites.append(_site(ins, by_binding.get(ins.target, []), objects, casing))
    return sites


def _site(ins: DrizzleInsert, candidates: list[DrizzleTable],
          objects: dict[str, tuple[tuple[DrizzleColumn, ...], bool]],
          casing: str | None) -> InsertSite:
    same_file = [t for t in candidates if t.path == ins.span.path]
    pool = same_file or candidates
    if not pool:
        return InsertSite(ins.target, UNKNOWN, ins.span, "drizzle", revision=ins.revision,
                          conflict=ins.conflict,
                          note=f"no sqliteTable definition bound to `{ins.target}` "
                               "under the insert paths")
    if len({t.name for t in pool}) > 1:
        return InsertSite(ins.target, UNKNOWN, ins.span, "drizzle", revision=ins.revision,
                          conflict=ins.conflict,
                          note=f"`{ins.target}` names several sqliteTable definitions")
    table = pool[0]
    columns, complete = _expand(table, objects)
    if not complete:
        return InsertSite(table.name, UNKNOWN, ins.span, "drizzle", revision=ins.revision,
                          conflict=ins.conflict,
                          note=f"the columns of sqliteTable `{table.name}` are partly built "
                               "at run time")
    sent = [c for c in columns if not c.generated]
    nulls: list[str] = []
    note = ""
    if ins.rows is None:
        note = "values built at run time: only the columns drizzle always sends are checked"
    else:
        for col in sent:
            if col.app_default:
                continue
            if any(col.key not in row for row in ins.rows) or not ins.rows:
                nulls.append(col.column_name(casing))
    names = tuple(dict.fromkeys(c.column_name(casing) for c in sent))
    return InsertSite(table.name, NAMED, ins.span, "drizzle", columns=names,
                      conflict=ins.conflict, nulls=tuple(nulls), revision=ins.revision,
                      note=note)
