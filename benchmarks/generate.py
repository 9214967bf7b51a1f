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
