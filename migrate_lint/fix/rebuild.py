"""Build the statements of a SQLite table rebuild (REBUILD.md "Shape").

The statements are derived from a real database holding the schema to change (the
sandbox after replaying the history): the stored CREATE TABLE text, the saved SQL
of indexes and triggers, which views and triggers mention the table, which tables
reference it. Nothing is regenerated from metadata.
"""

from __future__ import annotations

import re
import sqlite3

from migrate_lint.fix.model import ColumnTarget
from migrate_lint.fix.sqltext import edit_create, lit, parse_create, q, splice_column
from migrate_lint.settings import Settings
from migrate_lint.values import value_class

GUARD_TABLE = "_migrate_lint_fk_guard"


class RefuseError(Exception):
    """The rebuild cannot be made safe for this runner; the message says what to do."""


@value_class
class Rebuild:
    """The statements of one rebuild and what the file must say about them."""

    table: str
    statements: tuple[str, ...]  # the rebuild proper (inside the transaction)
    own_transaction: bool  # True: wrap in PRAGMA foreign_keys=OFF; BEGIN ... COMMIT
    assumptions: tuple[str, ...]
    down: tuple[str, ...] = ()  # statements restoring the previous definition


def table_sql(conn: sqlite3.Connection, table: str) -> str:
    """The stored CREATE TABLE text of ``table``."""
    row = conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
        (table,),
    ).fetchone()
    if row is None:
        raise RefuseError(f"table `{table}` does not exist at this point of the history")
    return str(row[0])


def _mentions(sql: str, name: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", sql, re.I) is not None


def referencing_tables(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(child table, ON DELETE action) for every OTHER table with a foreign key to ``table``."""
    out: list[tuple[str, str]] = []
    names = [r[0] for r in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for name in names:
        if name.lower() == table.lower():
            continue
        for row in conn.execute("SELECT \"table\", on_delete FROM pragma_foreign_key_list(?)",
                                (name,)):
            if str(row[0]).lower() == table.lower():
                out.append((name, str(row[1])))
    return out


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, int]]:
    """(name, hidden) of every column of ``table`` in order."""
    return [(str(r[0]), int(r[1])) for r in conn.execute(
        "SELECT name, hidden FROM pragma_table_xinfo(?)", (table,))]


def rowid_copied(conn: sqlite3.Connection, table: str) -> bool:
    """True when the copy must carry ``rowid`` explicitly (a rowid table without alias)."""
    parsed = parse_create(table_sql(conn, table))
    if parsed.table.without_rowid:
        return False
    pk = [c for c in parsed.table.columns if c.primary_key]
    table_pk = [k for k in parsed.table.constraints if k.kind == "PRIMARY KEY"]
    if len(pk) == 1 and not table_pk:
        only = pk[0]
        return not (only.type.upper() == "INTEGER" and not only.pk_desc)
    if not pk and len(table_pk) == 1 and len(table_pk[0].columns) == 1:
        name = table_pk[0].columns[0]
        col = parsed.column(name) if name else None
        return not (col is not None and col.type.upper() == "INTEGER")
    return True


def build_rebuild(conn: sqlite3.Connection, target: ColumnTarget, settings: Settings, *,
                  add_column: str | None = None, own_transaction: bool | None = None
                  ) -> Rebuild:
    """Plan the rebuild of ``target.table`` so that ``target.column`` looks as asked.

    With ``add_column`` (a column definition's text), the column is not edited but
    added to the new table's definition, before the table constraints, where
    ``ALTER TABLE ADD COLUMN`` would have put it (used for STORED generated columns,
    which ALTER TABLE cannot add to a populated table). ``own_transaction`` False
    forces the shape that stays correct inside a runner's transaction (an in-place
    correction lives in a file the runner wraps). By default a file may hold its own
    BEGIN/COMMIT where ``settings`` allow it (a per-file opt-out marker, or a runner
    that opens no transaction). Raises :class:`RefuseError` when no safe shape exists.
    """
    runner = settings.runner.name
    table = target.table
    original = table_sql(conn, table)
    parsed = parse_create(original)
    real = parsed.table.name
    own_tx = settings.file_may_own_transaction if own_transaction is None else own_transaction
    children = referencing_tables(conn, real)
    if not own_tx:
        # A self-reference makes the new table a child of the old one: DROP TABLE of
        # the old one then cascades into (or fails on) the copied rows.
        children += [(f"{real} itself", str(r[0])) for r in conn.execute(
            'SELECT on_delete FROM pragma_foreign_key_list(?) WHERE "table" = ? COLLATE NOCASE',
            (real, real))]
    # With foreign keys off on the connection, DROP TABLE runs no ON DELETE action.
    if children and not own_tx and settings.foreign_keys_may_be_on:
        listed = ", ".join(f"`{c}` (ON DELETE {a})" for c, a in children)
        raise RefuseError(
            f"`{real}` is referenced by {listed}; the {runner} runner wraps the migration in "
            "a transaction where PRAGMA foreign_keys=OFF does nothing, so DROP TABLE would "
            "cascade or fail. Turn foreign keys off around the runner in your code: "
            "`PRAGMA foreign_keys=OFF` before migrate(), then `PRAGMA foreign_key_check` "
            "(must return nothing) and `PRAGMA foreign_keys=ON` after it; then re-run with "
            "--foreign-keys off (or `foreign-keys = \"off\"` in the configuration)"
        )
    existing = {str(r[0]).lower() for r in conn.execute("SELECT name FROM main.sqlite_master")}
    new_name = f"new_{real}"
    while new_name.lower() in existing:
        new_name = "_" + new_name
    if add_column is not None:
        renamed = original[: parsed.name_start] + q(new_name) + original[parsed.name_end :]
        create = splice_column(renamed, add_column)
    else:
        create = edit_create(parsed, new_name, target.column, notnull=target.notnull,
                             default=target.default)
    # Generated columns (hidden 2/3) are never copied into: SQLite computes them.
    names: list[str] = [n for n, h in _columns(conn, real) if h == 0]
    exprs: list[str] = []
    for n in names:
        if n.lower() == target.column.lower() and target.backfill is not None:
            exprs.append(f"COALESCE({q(n)}, {target.backfill})")
        else:
            exprs.append(q(n))
    if rowid_copied(conn, real):
        names = ["rowid", *names]
        exprs = ["rowid", *exprs]
    statements = [create + ";"]
    statements.append(
        f"INSERT INTO {q(new_name)} ({', '.join(q(n) if n != 'rowid' else n for n in names)})"
        f"\n  SELECT {', '.join(exprs)} FROM {q(real)};"
    )
    autoinc = parsed.table.columns and any(c.autoincrement for c in parsed.table.columns)
    if autoinc:
        # Dropping the old table deletes its counter row: carry it over first so
        # rowids of deleted rows are never reused (check 12).
        statements.append(f"DELETE FROM sqlite_sequence WHERE name = {lit(new_name)};")
        statements.append(
            f"INSERT INTO sqlite_sequence (name, seq) SELECT {lit(new_name)}, seq "
            f"FROM sqlite_sequence WHERE name = {lit(real)};"
        )
    statements.append(f"DROP TABLE {q(real)};")
    others = conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type IN ('view', 'trigger') "
        "AND tbl_name <> ? COLLATE NOCASE AND sql IS NOT NULL", (real,)).fetchall()
    legacy = any(_mentions(str(s), real) for (s,) in others)
    if legacy:
        # Views and triggers of other tables naming the table would make the rename
        # fail (their text is re-checked); legacy mode leaves them untouched. The new
        # table's own foreign keys already name the old table (its text was copied),
        # so self-references come out right either way.
        statements.append("PRAGMA legacy_alter_table=ON;")
    statements.append(f"ALTER TABLE {q(new_name)} RENAME TO {q(real)};")
    if legacy:
        statements.append("PRAGMA legacy_alter_table=OFF;")
    saved = conn.execute(
        "SELECT type, sql FROM main.sqlite_master WHERE tbl_name = ? COLLATE NOCASE "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type = 'trigger', rowid",
        (real,)).fetchall()
    for _kind, sql in saved:
        statements.append(str(sql).rstrip().rstrip(";") + ";")
    if target.assign_trigger:
        statements.append(target.assign_trigger.rstrip().rstrip(";") + ";")
    assumptions = _assumptions(settings, own_tx, legacy, bool(autoinc))
    down = () if add_column is not None else _down(conn, real, new_name, original, names,
                                                    target)
    return Rebuild(real, tuple(statements), own_tx, assumptions, down)


def _down(conn: sqlite3.Connection, real: str, new_name: str, original: str,
          names: list[str], target: ColumnTarget) -> tuple[str, ...]:
    """Statements that rebuild the table back to its previous definition."""
    parsed = parse_create(original)
    create = original[: parsed.name_start] + q(new_name) + original[parsed.name_end :]
    col = parsed.column(target.column)
    exprs = []
    for n in names:
        if col is not None and n.lower() == target.column.lower() and col.notnull \
                and not target.notnull:
            # Rows inserted while the column was nullable need a value to go back.
            exprs.append(f"COALESCE({q(n)}, {target.default or '0'})")
        else:
            exprs.append(q(n) if n != "rowid" else n)
    out = []
    if target.assign_trigger_name:
        out.append(f"DROP TRIGGER IF EXISTS {q(target.assign_trigger_name)};")
    out.append(create.rstrip().rstrip(";") + ";")
    out.append(f"INSERT INTO {q(new_name)} ({', '.join(q(n) if n != 'rowid' else n for n in names)})"
               f"\n  SELECT {', '.join(exprs)} FROM {q(real)};")
    out.append(f"DROP TABLE {q(real)};")
    out.append("PRAGMA legacy_alter_table=ON;")
    out.append(f"ALTER TABLE {q(new_name)} RENAME TO {q(real)};")
    out.append("PRAGMA legacy_alter_table=OFF;")
    for (sql,) in conn.execute(
            "SELECT sql FROM main.sqlite_master WHERE tbl_name = ? COLLATE NOCASE "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL "
            "ORDER BY type = 'trigger', rowid", (real,)):
        out.append(str(sql).rstrip().rstrip(";") + ";")
    return tuple(out)


def _assumptions(settings: Settings, own_tx: bool, legacy: bool, autoinc: bool
                 ) -> tuple[str, ...]:
    runner = settings.runner.name
    out = []
    if own_tx:
        where = (f"The {runner} runner opens no transaction around it "
                 f"(transaction = {settings.transaction}, {settings.transaction_from})"
                 if settings.unwrapped else
                 f"Runs outside the {runner} runner's transaction (opt-out marker below)")
        out.append(f"{where}: foreign keys are turned off before BEGIN so DROP TABLE cascades "
                   "nothing, and a foreign_key_check guard aborts before COMMIT on any "
                   "violation.")
    elif settings.foreign_keys_may_be_on:
        out.append(f"The {runner} runner wraps this file in its transaction: it holds no "
                   "BEGIN/COMMIT and no PRAGMA foreign_keys (a no-op there). Safe with "
                   "foreign keys ON because no other table references the rebuilt table.")
    else:
        out.append(f"The {runner} runner wraps this file in its transaction, on a connection "
                   f"with foreign keys off ({settings.foreign_keys_from}): DROP TABLE runs no "
                   "ON DELETE action there. Not safe where foreign keys are on.")
    if legacy:
        out.append("legacy_alter_table is on around the rename so views and triggers naming "
                   "the table keep their text.")
    if autoinc:
        out.append("The AUTOINCREMENT counter is carried over to the new table.")
    return tuple(out)


def wrap(rebuild: Rebuild) -> list[str]:
    """The full statement list as it goes into the file."""
    if not rebuild.own_transaction:
        return list(rebuild.statements)
    guard = [
        f"CREATE TEMP TABLE {q(GUARD_TABLE)} (n INTEGER CHECK (n = 0));",
        f"INSERT INTO {q(GUARD_TABLE)} SELECT count(*) FROM pragma_foreign_key_check;",
        f"DROP TABLE {q(GUARD_TABLE)};",
    ]
    return ["PRAGMA foreign_keys=OFF;", "BEGIN IMMEDIATE;", *rebuild.statements, *guard,
            "COMMIT;", "PRAGMA foreign_keys=ON;"]


def wrap_down(rebuild: Rebuild) -> list[str]:
    """The down statements as they go into the file."""
    if not rebuild.own_transaction:
        return list(rebuild.down)
    return ["PRAGMA foreign_keys=OFF;", "BEGIN IMMEDIATE;", *rebuild.down, "COMMIT;",
            "PRAGMA foreign_keys=ON;"]
