"""Random migration histories: the replayed model must agree with SQLite after each one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint.pipeline import load_history
from migrate_lint.replay import replay
from migrate_lint.sandbox import Sandbox
from migrate_lint.verify import snapshot_difference

TYPES = ["INTEGER", "TEXT", "REAL", "BLOB", "int", "VARCHAR(10)", "", "numeric", "unsigned big int"]
STRICT_TYPES = ["INTEGER", "TEXT", "REAL", "BLOB", "ANY", "INT"]


@dataclass
class Col:
    name: str
    sql: str
    unique: bool = False
    pk: bool = False


@dataclass
class Tab:
    name: str
    cols: list[Col]
    options: str = ""
    indexed: set[str] = field(default_factory=set)
    indexes: list[str] = field(default_factory=list)


def _column(draw: st.DrawFn, name: str, strict: bool, allow_unique: bool) -> Col:
    typ = draw(st.sampled_from(STRICT_TYPES if strict else TYPES))
    parts = [f'"{name}"' if draw(st.booleans()) else name, typ]
    unique = allow_unique and draw(st.integers(0, 5)) == 0
    if draw(st.booleans()):
        parts.append("NOT NULL DEFAULT 0" if typ != "BLOB" else "NOT NULL DEFAULT x'00'")
    elif draw(st.integers(0, 3)) == 0:
        parts.append(draw(st.sampled_from(["DEFAULT 'a'", "DEFAULT -1", "DEFAULT (1 + 2)",
                                           "DEFAULT NULL", "COLLATE NOCASE"])))
    if unique:
        parts.append("UNIQUE")
    return Col(name, " ".join(p for p in parts if p), unique=unique)


@st.composite
def histories(draw: st.DrawFn) -> list[list[str]]:
    tables: dict[str, Tab] = {}
    counter = [0]

    def fresh(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    migrations: list[list[str]] = []
    for _ in range(draw(st.integers(1, 6))):
        statements: list[str] = []
        for _ in range(draw(st.integers(1, 4))):
            ops = ["create"]
            if tables:
                ops += ["add", "rename_col", "rename_table", "index", "rebuild", "drop_col",
                        "drop_index", "drop_table"]
            op = draw(st.sampled_from(ops))
            if op == "create" or not tables:
                name = fresh("t")
                strict = draw(st.integers(0, 4)) == 0
                without_rowid = draw(st.integers(0, 4)) == 0
                pk_type = draw(st.sampled_from(["INTEGER", "TEXT", "int"]))
                cols = [Col("id", f"id {pk_type} PRIMARY KEY", pk=True)]
                cols += [_column(draw, fresh("c"), strict, True) for _ in range(draw(st.integers(0, 4)))]
                options = ", ".join(o for o, on in (("WITHOUT ROWID", without_rowid), ("STRICT", strict)) if on)
                tables[name] = Tab(name, cols, options)
                body = ",\n  ".join(c.sql for c in cols)
                statements.append(f"CREATE TABLE {name} (\n  {body}\n) {options}")
                continue
            table = tables[draw(st.sampled_from(sorted(tables)))]
            if op == "add":
                col = _column(draw, fresh("c"), "STRICT" in table.options, False)
                table.cols.append(col)
                statements.append(f"ALTER TABLE {table.name} ADD COLUMN {col.sql}")
            elif op == "rename_col":
                col = draw(st.sampled_from(table.cols))
                new = fresh("r")
                statements.append(f"ALTER TABLE {table.name} RENAME COLUMN {col.name} TO {new}")
                col.sql = col.sql.replace(col.name, new, 1) if not col.sql.startswith('"') else f'"{new}"' + col.sql[len(col.name) + 2:]
                if col.name in table.indexed:
                    table.indexed.discard(col.name)
                    table.indexed.add(new)
                col.name = new
            elif op == "rename_table":
                new = fresh("t")
                statements.append(f"ALTER TABLE {table.name} RENAME TO {new}")
                del tables[table.name]
                table.name = new
                tables[new] = table
            elif op == "index":
                col = draw(st.sampled_from(table.cols))
                name = fresh("i")
                unique = "UNIQUE " if draw(st.booleans()) and col.pk else ""
                where = f" WHERE {col.name} IS NOT NULL" if draw(st.booleans()) else ""
                statements.append(f"CREATE {unique}INDEX {name} ON {table.name} ({col.name}){where}")
                table.indexed.add(col.name)
                table.indexes.append(name)
            elif op == "drop_index" and table.indexes:
                statements.append(f"DROP INDEX {table.indexes.pop()}")
                table.indexed = set()  # conservative: no column counts as free to drop
                table.indexed.update(c.name for c in table.cols)
            elif op == "drop_col":
                free = [c for c in table.cols if not c.pk and not c.unique and c.name not in table.indexed]
                if free and len(table.cols) > 1:
                    col = draw(st.sampled_from(free))
                    table.cols.remove(col)
                    statements.append(f"ALTER TABLE {table.name} DROP COLUMN {col.name}")
            elif op == "rebuild":
                new = fresh("new_")
                body = ",\n  ".join(c.sql for c in table.cols)
                names = ", ".join(c.name for c in table.cols)
                statements += [
                    f"CREATE TABLE {new} (\n  {body}\n) {table.options}",
                    f"INSERT INTO {new} ({names}) SELECT {names} FROM {table.name}",
                    f"DROP TABLE {table.name}",
                    f"ALTER TABLE {new} RENAME TO {table.name}",
                ]
                table.indexed = set()
                table.indexes = []
            elif op == "drop_table":
                statements.append(f"DROP TABLE {table.name}")
                del tables[table.name]
        migrations.append(statements)
    return migrations


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_random_histories_agree_with_sqlite(history: list[list[str]], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    root: Path = tmp_path_factory.mktemp("random")
    for number, statements in enumerate(history, 1):
        (root / f"{number:04d}_step.sql").write_text(";\n".join(statements) + ";\n")
    loaded = load_history(root)
    assert not [d for d in loaded.diagnostics if d.code != "MG000"]
    timeline = replay(loaded)
    with Sandbox("generic") as sandbox:
        for index, migration in enumerate(loaded.migrations):
            error = sandbox.apply(migration.up.statements)
            assert error is None, f"generator produced SQL SQLite rejects: {error}"
            assert not any(s.error for s in timeline.steps_of(index))
            difference = snapshot_difference(timeline.after_migration(index).snapshot(), sandbox.snapshot())
            assert not difference, f"after migration {index + 1}:\n{difference}"
