"""Render the schema model for people: SQL text, JSON data, and provenance (blame).

This renders the model for reading only; fixes never execute SQL rendered here
(they splice the original statement text instead).
"""

from __future__ import annotations

from typing import Any

from migrate_lint.ddl import ForeignKeyDef
from migrate_lint.replay import Timeline
from migrate_lint.schema import Column, Origin, Schema, Table, all_foreign_keys


def _ident(name: str) -> str:
    if name.replace("_", "a").isalnum() and not name[:1].isdigit():
        return name
    return '"' + name.replace('"', '""') + '"'


def _fk_sql(fk: ForeignKeyDef) -> str:
    text = f"REFERENCES {_ident(fk.parent)}"
    if fk.parent_columns:
        text += "(" + ", ".join(_ident(c) for c in fk.parent_columns) + ")"
    if fk.on_update != "NO ACTION":
        text += f" ON UPDATE {fk.on_update}"
    if fk.on_delete != "NO ACTION":
        text += f" ON DELETE {fk.on_delete}"
    return text


def _column_sql(table: Table, col: Column) -> str:
    parts = [_ident(col.name)]
    if col.type:
        parts.append(col.type)
    single_pk = len(table.primary_key) == 1 and col.pk == 1
    if single_pk:
        parts.append("PRIMARY KEY")
        if table.autoincrement:
            parts.append("AUTOINCREMENT")
    if col.notnull:
        parts.append("NOT NULL")
    if col.unique:
        parts.append("UNIQUE")
    if col.default is not None:
        default = col.default if col.default_kind != "expr" else f"({col.default})"
        parts.append(f"DEFAULT {default}")
    if col.collate:
        parts.append(f"COLLATE {col.collate}")
    parts.extend(f"CHECK ({check})" for check in col.checks)
    if col.references is not None:
        parts.append(_fk_sql(col.references))
    if col.generated:
        parts.append(f"GENERATED ALWAYS AS ({col.generated_expr}) {col.generated}")
    return " ".join(parts)


def table_sql(table: Table) -> str:
    """A CREATE TABLE statement describing the table as the model knows it now."""
    if table.virtual_module:
        return table.sql.strip() + ";"
    lines = [_column_sql(table, c) for c in table.columns]
    if len(table.primary_key) > 1:
        lines.append("PRIMARY KEY (" + ", ".join(_ident(c) for c in table.primary_key) + ")")
    for key in table.keys:
        if not key.primary and len(key.columns) > 1:
            lines.append("UNIQUE (" + ", ".join(_ident(c or "?") for c in key.columns) + ")")
    lines.extend(f"CHECK ({check})" for check in table.checks)
    for fk in table.foreign_keys:
        cols = ", ".join(_ident(c) for c in fk.columns)
        lines.append(f"FOREIGN KEY ({cols}) {_fk_sql(fk)}")
    options = []
    if table.without_rowid:
        options.append("WITHOUT ROWID")
    if table.strict:
        options.append("STRICT")
    body = ",\n  ".join(lines)
    tail = (" " + ", ".join(options)) if options else ""
    return f"CREATE TABLE {_ident(table.name)} (\n  {body}\n){tail};"


def _tables(schema: Schema) -> list[Table]:
    return sorted((t for t in schema.tables.values() if not t.temporary),
                  key=lambda t: t.name.lower())


def schema_sql(schema: Schema) -> str:
    """The whole schema as SQL, each object preceded by where it comes from."""
    out: list[str] = []
    for table in _tables(schema):
        out.append(f"-- {table.name}: created by {table.origin}")
        if table.changed:
            out.append(f"-- last changed by {table.changed}")
        if table.incomplete:
            out.append(f"-- INCOMPLETE: {table.incomplete}")
        out.append(table_sql(table))
        for index in sorted(schema.indexes_of(table.name), key=lambda i: i.name.lower()):
            out.append(index.sql.strip() + ";")
        for trigger in sorted(schema.triggers_of(table.name), key=lambda t: t.name.lower()):
            out.append(trigger.sql.strip() + ";")
        out.append("")
    for view in sorted(schema.views.values(), key=lambda v: v.name.lower()):
        if not view.temporary:
            out.append(f"-- {view.name}: created by {view.origin}")
            out.append(view.sql.strip() + ";")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _origin_data(origin: Origin | None) -> dict[str, Any] | None:
    if origin is None:
        return None
    return {"migration": origin.migration, "path": origin.span.path,
            "line": origin.span.line, "column": origin.span.col}


def schema_data(schema: Schema) -> dict[str, Any]:
    """The whole schema as JSON-ready data (the shape is documented in the README)."""
    tables = []
    for table in _tables(schema):
        tables.append({
            "name": table.name,
            "strict": table.strict,
            "without_rowid": table.without_rowid,
            "autoincrement": table.autoincrement,
            "virtual_module": table.virtual_module,
            "incomplete": table.incomplete,
            "origin": _origin_data(table.origin),
            "changed": _origin_data(table.changed),
            "columns": [
                {
                    "name": c.name, "type": c.type, "notnull": c.notnull, "default": c.default,
                    "pk": c.pk, "unique": c.unique, "collate": c.collate,
                    "generated": c.generated, "hidden": c.hidden,
                    "origin": _origin_data(c.origin), "changed": _origin_data(c.changed),
                }
                for c in table.columns
            ],
            "foreign_keys": [
                {"columns": list(fk.columns), "parent": fk.parent,
                 "parent_columns": list(fk.parent_columns), "on_delete": fk.on_delete,
                 "on_update": fk.on_update}
                for fk in all_foreign_keys(table)
            ],
            "indexes": [
                {"name": i.name, "unique": i.unique,
                 "columns": [k.name if k.name is not None else k.expr for k in i.columns],
                 "where": i.where, "origin": _origin_data(i.origin)}
                for i in sorted(schema.indexes_of(table.name), key=lambda i: i.name.lower())
            ],
            "triggers": [
                {"name": t.name, "origin": _origin_data(t.origin)}
                for t in sorted(schema.triggers_of(table.name), key=lambda t: t.name.lower())
            ],
        })
    views = [{"name": v.name, "origin": _origin_data(v.origin)}
             for v in sorted(schema.views.values(), key=lambda v: v.name.lower())
             if not v.temporary]
    return {"tables": tables, "views": views}


def blame(timeline: Timeline, table: str, column: str | None = None) -> list[str] | None:
    """Every statement that created or changed ``table`` (or its ``column``), in order.

    Returns None when the table (or column) never existed in the history.
    """
    low = table.lower()
    lines: list[str] = []
    seen = False
    for index, step in enumerate(timeline.steps):
        before = step.before.table(low)
        after = step.after.table(low)
        if column is None:
            changed = before != after
            seen = seen or after is not None
        else:
            col_before = before.column(column) if before else None
            col_after = after.column(column) if after else None
            changed = col_before != col_after
            seen = seen or col_after is not None
        stmt = step.statement
        if not changed and stmt.kind == "update" and column is not None:
            changed = any(w.step == index and w.table.lower() == low
                          and column.lower() in (c.lower() for c in w.columns)
                          for w in timeline.writes)
        if changed:
            migration = timeline.history.migrations[step.migration].label
            first = " ".join(stmt.text.split())
            if len(first) > 100:
                first = first[:97] + "..."
            lines.append(f"{stmt.span}: {migration}: {first}")
    return lines if seen else None
