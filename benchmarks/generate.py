"""Generate a large synthetic migration history (drizzle-style flat files)."""

from __future__ import annotations

import random
from pathlib import Path


def generate_history(root: Path, migrations: int = 1000, per_migration: int = 20,
                     seed: int = 7) -> int:
    """Write ``migrations`` files of ``per_migration`` statements; return the count."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[str]] = {}
    indexes: list[str] = []
    counter = 0
    total = 0
    for number in range(migrations):
        statements: list[str] = []
        while len(statements) < per_migration:
            counter += 1
            choice = rng.random()
            if not tables or (choice < 0.12 and len(tables) < 60):
                name = f"table_{counter}"
                cols = [f"col_{counter}_{i}" for i in range(rng.randint(2, 8))]
                tables[name] = cols
                body = ",\n\t".join(
                    ["`id` integer PRIMARY KEY AUTOINCREMENT"]
                    + [f"`{c}` text DEFAULT 'x' NOT NULL" for c in cols]
                )
                statements.append(f"CREATE TABLE `{name}` (\n\t{body}\n)")
                continue
            table = rng.choice(sorted(tables))
            cols = tables[table]
            if choice < 0.35:
                col = f"col_{counter}"
                cols.append(col)
                statements.append(f"ALTER TABLE `{table}` ADD `{col}` integer DEFAULT 0 NOT NULL")
            elif choice < 0.5:
                name = f"idx_{counter}"
                indexes.append(name)
                statements.append(f"CREATE INDEX `{name}` ON `{table}` (`{rng.choice(cols)}`)")
            elif choice < 0.7:
                col = rng.choice(cols)
                statements.append(
                    f"INSERT INTO `{table}` (`{col}`) VALUES ('v{counter}') "
                    f"ON CONFLICT DO NOTHING"
                )
            elif choice < 0.85:
                col = rng.choice(cols)
                statements.append(
                    f"UPDATE `{table}` SET `{col}` = coalesce(`{col}`, 'y') WHERE `id` > {counter}"
                )
            elif choice < 0.9 and indexes:
                statements.append(f"DROP INDEX IF EXISTS `{indexes.pop()}`")
            elif choice < 0.95 and len(cols) > 3:
                old = cols.pop(rng.randrange(len(cols)))
                new = f"{old}_r{counter}"
                cols.append(new)
                statements.append(f"ALTER TABLE `{table}` RENAME COLUMN `{old}` TO `{new}`")
            else:
                statements.append(
                    f"DELETE FROM `{table}` WHERE `id` IN (SELECT `id` FROM `{table}` LIMIT 1)"
                )
        text = ";\n--> statement-breakpoint\n".join(statements) + ";\n"
        (root / f"{number:04d}_generated_{number}.sql").write_text(text)
        total += len(statements)
    return total


def generate_growing_history(root: Path, statements: int = 20_000, per_migration: int = 20,
                             seed: int = 11) -> tuple[int, int]:
    """Write a history whose tables grow with it, the way real long histories do.

    About 15% of the statements are CREATE TABLE (20,000 statements make about 3,000
    tables), some with foreign keys to earlier tables; the rest add and rename
    columns, add and drop indexes, write rows, rebuild a table drizzle-style (now and
    then changing a column's type) and drop a table now and then, so the
    whole-history rules (FK001/FK002, DL006) have work at every size. Portable SQL,
    drizzle-style flat files. Returns (statements, tables created).
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[str]] = {}
    counter = 0
    created = 0
    total = 0
    number = 0
    while total < statements:
        out: list[str] = []
        while len(out) < per_migration:
            counter += 1
            choice = rng.random()
            if len(tables) < 2 or choice < 0.15:
                name = f"t_{counter}"
                cols = [f"c_{counter}_{i}" for i in range(rng.randint(2, 6))]
                body = ["`id` integer PRIMARY KEY AUTOINCREMENT"]
                body += [f"`{c}` text DEFAULT 'x' NOT NULL" for c in cols]
                if rng.random() < 0.3 and tables:  # the first table has no parent
                    parent = rng.choice(sorted(tables))
                    target = "`id`"
                    if rng.random() < 0.05:
                        parent = f"gone_{counter}"  # a dangling key: FK001
                    elif rng.random() < 0.05:
                        target = f"`{tables[parent][0]}`"  # not unique: FK002
                    cols.append(f"ref_{counter}")
                    body.append(f"`ref_{counter}` integer REFERENCES `{parent}`({target})")
                tables[name] = cols
                created += 1
                out.append(f"CREATE TABLE `{name}` (\n\t" + ",\n\t".join(body) + "\n)")
                continue
            table = rng.choice(sorted(tables)) if rng.random() < 0.1 else list(tables)[
                -1 - min(len(tables) - 1, int(rng.expovariate(0.05)))]
            cols = tables[table]
            if choice < 0.40:
                col = f"c_{counter}"
                cols.append(col)
                out.append(f"ALTER TABLE `{table}` ADD `{col}` integer DEFAULT 0 NOT NULL")
            elif choice < 0.52:
                out.append(f"CREATE INDEX `idx_{counter}` ON `{table}` (`{rng.choice(cols)}`)")
            elif choice < 0.70:
                col = rng.choice(cols)
                out.append(f"INSERT INTO `{table}` (`{col}`) VALUES ('v{counter}')")
            elif choice < 0.85:
                col = rng.choice(cols)
                out.append(f"UPDATE `{table}` SET `{col}` = coalesce(`{col}`, 'y') "
                           f"WHERE `id` > {counter}")
            elif choice < 0.90 and len(cols) > 3:
                old = cols.pop(rng.randrange(len(cols) - 1))
                new = f"{old}_r{counter}"
                cols.insert(0, new)
                out.append(f"ALTER TABLE `{table}` RENAME COLUMN `{old}` TO `{new}`")
            elif choice < 0.94 and per_migration - len(out) >= 5:
                # a drizzle-style rebuild; now and then the copy changes a column's type
                new_name = f"__new_{table}"
                kinds = ["integer" if rng.random() < 0.1 else "text" for _ in cols]
                body = ["`id` integer PRIMARY KEY AUTOINCREMENT"] + [
                    f"`{c}` {k}" for c, k in zip(cols, kinds, strict=True)]
                listed = ", ".join(["`id`"] + [f"`{c}`" for c in cols])
                out.append("PRAGMA foreign_keys=OFF")
                out.append(f"CREATE TABLE `{new_name}` (\n\t" + ",\n\t".join(body) + "\n)")
                out.append(f"INSERT INTO `{new_name}` ({listed}) SELECT {listed} FROM `{table}`")
                out.append(f"DROP TABLE `{table}`")
                out.append(f"ALTER TABLE `{new_name}` RENAME TO `{table}`")
                out.append("PRAGMA foreign_keys=ON")
            elif choice < 0.95 and len(tables) > 50:
                out.append(f"DROP TABLE `{table}`")
                del tables[table]
            else:
                out.append(f"DELETE FROM `{table}` WHERE `id` IN "
                           f"(SELECT `id` FROM `{table}` LIMIT 1)")
        text = ";\n--> statement-breakpoint\n".join(out) + ";\n"
        (root / f"{number:05d}_grow_{number}.sql").write_text(text)
        total += len(out)
        number += 1
    return total, created


def generate_many_files(root: Path, files: int = 100_000, defect_from_end: int = 10,
                        tables: int = 500) -> int:
    """Write ``files`` small migrations (one or two statements each, flat ``.sql`` files
    numbered ``000001_...``) with one fixable defect ``defect_from_end`` files before the
    end: an NN001 (``ADD ... NOT NULL`` without DEFAULT on ``t_0``, a table the
    application fills and no migration writes).

    The shape of a long-lived project's folder: many files, each small; a new table
    every tenth file until there are ``tables``, rows, updates, columns and indexes
    spread over them. Returns the number of the file holding the defect.

    ``tables`` matters to SQLite, not to migrate-lint: every ``ADD COLUMN`` makes
    SQLite reparse the whole schema (sqlite 3.40: ~0.1 s with 10,000 tables), so any
    application of such a history to a real database (fix's proofs) grows with
    files x tables.
    """
    root.mkdir(parents=True, exist_ok=True)
    width = max(6, len(str(files)))
    defect = files - defect_from_end
    made = ["t_0"]
    for number in range(1, files + 1):
        table = made[1 + (number * 7) % (len(made) - 1)] if len(made) > 1 else "t_0"
        kind = number % 10
        if number == 1:
            text = "CREATE TABLE t_0 (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');\n"
        elif number == defect:
            text = "ALTER TABLE t_0 ADD COLUMN required integer NOT NULL;\n"
        elif (kind == 0 and len(made) < tables) or number == 2:
            made.append(f"t_{number}")
            text = (f"CREATE TABLE t_{number} (id integer PRIMARY KEY, name text NOT NULL "
                    "DEFAULT '', n integer);\n")
        elif kind in (0, 1, 2, 7):
            text = f"INSERT INTO {table} (name) VALUES ('row {number}');\n"
        elif kind == 3:
            text = f"UPDATE {table} SET name = name || 'x' WHERE id = {number % 97};\n"
        elif kind == 4:
            text = f"ALTER TABLE {table} ADD COLUMN c_{number} text;\n"
        elif kind == 5:
            text = f"CREATE INDEX i_{number} ON {table} (name);\n"
        elif kind == 6:
            text = f"DELETE FROM {table} WHERE id = {number % 89};\n"
        elif kind == 8:
            text = (f"UPDATE {table} SET name = 'y' WHERE id = {number % 83};\n"
                    f"DELETE FROM {table} WHERE name = 'z';\n")
        else:
            text = f"DROP INDEX IF EXISTS i_{number - 4};\n"
        (root / f"{number:0{width}d}_m{number}.sql").write_text(text)
    return defect
