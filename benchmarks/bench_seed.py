"""A large data-seeding migration: `check` must stay linear and bounded in memory.

Generates seed files of single-row ``INSERT ... VALUES`` (the shape that cost 9 KB of
RSS per statement before seed INSERTs were kept as facts) and times `check` on them in
fresh interpreters. Baseline, measured in the same run on the same files: sqlite3
itself running the seed file (``executescript``). Targets (issue #14, 2-core machine):
peak RSS of `check` on the 50 MB file < 500 MB, and time growing linearly with size
(the 50 MB / 10 MB time ratio within 1.5x of the size ratio).

    python benchmarks/bench_seed.py [--sizes 10,50]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_RSS = ("import atexit, resource, sys; atexit.register(lambda: print('peak-rss-kb', "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)); ")


def generate(root: Path, megabytes: int) -> int:
    """Write ``root``/0001_init.sql and a seed of about ``megabytes`` MB; return rows."""
    root.mkdir(parents=True)
    (root / "0001_init.sql").write_text(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, tag TEXT);\n")
    rows = 0
    with open(root / "0002_seed.sql", "w", encoding="utf-8") as fh:
        while fh.tell() < megabytes * 1024 * 1024:
            fh.write(f"INSERT INTO item (id, name, price, tag) VALUES ({rows}, 'name {rows} "
                     f"lorem ipsum', {rows * 1.5}, 'tag{rows % 7}');\n")
            rows += 1
    return rows


def _child(code: str, *args: str) -> tuple[float, float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _RSS + code, *args], capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"failed ({done.returncode}): {done.stderr[-800:]}")
    rss = [int(line.split()[1]) for line in done.stderr.splitlines()
           if line.startswith("peak-rss-kb")]
    return elapsed, (rss[0] / 1024 if rss else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50", help="seed sizes in MB, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: list[tuple[int, float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="migrate-lint-bench-seed-") as tmp:
        for size in sizes:
            root = Path(tmp) / f"seed{size}"
            rows = generate(root, size)
            seed = str(root / "0002_seed.sql")
            base, _ = _child("import sqlite3, sys; c = sqlite3.connect(':memory:'); "
                             "c.execute('CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT "
                             "NOT NULL, price REAL, tag TEXT)'); "
                             "c.executescript(open(sys.argv[1]).read())", seed)
            check, rss = _child("import sys; from migrate_lint.cli import cli; "
                                "cli(['check', sys.argv[1], '--no-cache'], standalone_mode=False)",
                                str(root))
            results.append((size, check, rss, base))
            print(f"{size:>4} MB  {rows:>9,} INSERTs  check {check:6.2f} s  peak RSS "
                  f"{rss:6.0f} MB  (sqlite3 executescript {base:5.2f} s, ratio "
                  f"{check / base:4.1f}x)")
    small, large = results[0], results[-1]
    worst_rss = max(r[2] for r in results)
    print(f"peak RSS {worst_rss:.0f} MB (target < 500): "
          f"{'OK' if worst_rss < 500 else 'ABOVE TARGET'}")
    if len(results) > 1:
        growth = (large[1] / small[1]) / (large[0] / small[0])
        print(f"time growth / size growth {growth:.2f} (target <= 1.5): "
              f"{'OK' if growth <= 1.5 else 'SUPER-LINEAR'}")


if __name__ == "__main__":
    main()
