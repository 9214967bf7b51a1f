"""Entity-relationship diagrams of a schema: Mermaid (GitHub renders it in Markdown) and DOT.

Tables with their columns (type, PK, FK, NOT NULL), and one edge per foreign key from
the child to the parent it references, labelled with the child's columns. Views,
indexes and triggers are left out: the picture is about what references what.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate_lint.ddl import ForeignKeyDef
from migrate_lint.schema import Schema, Table, all_foreign_keys

_WORD = re.compile(r"[^A-Za-z0-9_]")


def _tables(schema: Schema) -> list[Table]:
    return sorted((t for t in schema.tables.values() if not t.virtual_module),
                  key=lambda t: t.name.lower())


def _edges(schema: Schema) -> Iterator[tuple[Table, ForeignKeyDef, Table | None]]:
    for table in _tables(schema):
        for fk in all_foreign_keys(table):
            yield table, fk, schema.table(fk.parent)


def _fk_columns(table: Table) -> set[str]:
    return {c.lower() for fk in all_foreign_keys(table) for c in fk.columns}


def _mermaid_name(name: str) -> str:
    """An entity name Mermaid accepts (letters, digits, `_`, `-`).

    >>> _mermaid_name("order items")
    'order_items'
    """
    return _WORD.sub("_", name) or "_"


def mermaid(schema: Schema) -> str:
    """The schema as a Mermaid ``erDiagram``."""
    out = ["erDiagram"]
    for table in _tables(schema):
        fks = _fk_columns(table)
        out.append(f"    {_mermaid_name(table.name)} {{")
        for col in table.columns:
            keys = [k for k, on in (("PK", col.pk > 0), ("FK", col.name.lower() in fks)) if on]
            kind = _WORD.sub("_", col.type.split("(")[0].strip()) or "any"
            comment = ' "NOT NULL"' if col.notnull and not col.pk else ""
            out.append(f"        {kind} {_mermaid_name(col.name)}"
                       f"{' ' + ', '.join(keys) if keys else ''}{comment}")
        out.append("    }")
    for child, fk, parent in _edges(schema):
        required = all(c.notnull for c in child.columns if c.name.lower() in
                       {x.lower() for x in fk.columns})
        # parent ||/o| --o{ child: one parent, any number of children
        left = "||" if required else "|o"
        label = ", ".join(fk.columns).replace('"', "'")
        target = parent.name if parent is not None else fk.parent
        out.append(f'    {_mermaid_name(target)} {left}--o{{ {_mermaid_name(child.name)} '
                   f': "{label}"')
    return "\n".join(out) + "\n"


def _dot_id(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def dot(schema: Schema) -> str:
    """The schema as a Graphviz ``digraph`` (``dot -Tsvg``)."""
    out = ["digraph schema {", "  rankdir=LR;",
           '  node [shape=plaintext, fontname="Helvetica"];',
           '  edge [fontname="Helvetica", fontsize=10];']
    for table in _tables(schema):
        fks = _fk_columns(table)
        rows = [f'<tr><td bgcolor="#dbe8f5" colspan="2"><b>{_html(table.name)}</b></td></tr>']
        for index, col in enumerate(table.columns):
            marks = ("PK " if col.pk else "") + ("FK " if col.name.lower() in fks else "")
            name = _html(col.name) + (" *" if col.notnull and not col.pk else "")
            rows.append(f'<tr><td port="c{index}" align="left">{marks}{name}</td>'
                        f'<td align="left">{_html(col.type or "")}</td></tr>')
        label = ('<<table border="0" cellborder="1" cellspacing="0">' + "".join(rows)
                 + "</table>>")
        out.append(f"  {_dot_id(table.name)} [label={label}];")
    for child, fk, parent in _edges(schema):
        names = [c.name.lower() for c in child.columns]
        first = fk.columns[0].lower() if fk.columns else ""
        tail = f"{_dot_id(child.name)}:c{names.index(first)}" if first in names \
            else _dot_id(child.name)
        head = _dot_id(parent.name if parent is not None else fk.parent)
        style = "" if parent is not None else ", style=dashed"
        out.append(f'  {tail} -> {head} [label={_dot_id(", ".join(fk.columns))}{style}];')
    out.append("}")
    return "\n".join(out) + "\n"
