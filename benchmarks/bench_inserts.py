"""Time insert-site collection over a generated tree of 2,000 source files.

About 200 lines per file, a tenth holding SQL inserts (sqlite3 calls, drizzle
inserts, template literals), half Python and half TypeScript. Prints files/s for
``collect_sites`` and the ratio against a baseline measured in the same run: reading
every file (bytes and UTF-8 decode), which no extractor can beat.

    python benchmarks/bench_inserts.py [--files 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from migrate_lint.inserts import collect_sites

PY_FILLER = '''
def helper_{i}_{j}(values: list[int]) -> int:
    """Sum the even values (filler, insert-free)."""
    total = 0
    for value in values:
        if value % 2 == 0:
            total += value
    return total
'''
PY_INSERT = '''
def append_{i}_{j}(conn, row):
    conn.execute(
        "INSERT INTO session_message (id, session_id, type, time_created, data) "
        "VALUES (?, ?, ?, ?, ?)",
        row,
    )
'''
TS_FILLER = '''
export function helper{i}x{j}(values: number[]): number {{
  // filler, insert-free
  let total = 0;
  for (const value of values) {{
    if (value % 2 === 0) total += value;
  }}
  return total;
}}
'''
TS_INSERT = '''
export async function append{i}x{j}(id: string, sessionId: string) {{
  await db.insert(SessionMessageTable).values({{ id, session_id: sessionId, type: "t" }});
  await db.run(`INSERT INTO session_message (id, session_id) VALUES (${{id}}, ?)`);
}}
'''
TS_SCHEMA = '''import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
export const SessionMessageTable = sqliteTable("session_message", {
  id: text("id").primaryKey(),
  session_id: text("session_id").notNull(),
  type: text("type").notNull(),
  seq: integer("seq").notNull(),
});
'''


def generate(root: Path, count: int) -> int:
    """Write ``count`` files under ``root``; return the number of lines written."""
    lines = 0
    (root / "schema.ts").write_text(TS_SCHEMA)
    for i in range(count):
        python = i % 2 == 0
        with_sql = i % 10 == 0
        filler, insert = (PY_FILLER, PY_INSERT) if python else (TS_FILLER, TS_INSERT)
        parts = []
        for j in range(22):  # ~9 lines each: ~200 lines per file
            parts.append((insert if with_sql and j % 7 == 0 else filler).format(i=i, j=j))
        text = "".join(parts)
        lines += text.count("\n")
        folder = root / f"pkg{i // 100:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"mod{i:04d}.{'py' if python else 'ts'}").write_text(text)
    return lines


def baseline(root: Path) -> int:
    """Read and decode every file: the floor any extraction pays."""
    size = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            size += len((Path(dirpath) / name).read_bytes().decode("utf-8"))
    return size


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = generate(root, args.files)
        files = args.files + 1
        collect_sites([str(root)])  # warm-up: imports, grammar loading
        result = collect_sites([str(root)])
        t_base = best(lambda: baseline(root), args.repeat)
        t_collect = best(lambda: collect_sites([str(root)]), args.repeat)
    print(f"tree: {files} files, {lines} lines; sites: {len(result.sites)} known, "
          f"{len(result.unknown)} unknown, {len(result.skipped)} skipped")
    print(f"baseline (read + decode): {t_base:.3f}s  {files / t_base:,.0f} files/s")
    print(f"collect_sites:            {t_collect:.3f}s  {files / t_collect:,.0f} files/s "
          f"({t_collect / t_base:.1f}x the baseline)")
    target = 500
    print(f"target {target} files/s: {'met' if files / t_collect >= target else 'MISSED'}")


if __name__ == "__main__":
    main()
