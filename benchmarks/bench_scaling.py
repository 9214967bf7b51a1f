"""`check` stays linear as the history grows in statements and in tables (issue #13).

Generates histories whose tables grow with them (``generate_growing_history``: 15%
CREATE TABLE, so 20,000 statements make about 3,000 tables, with foreign keys,
rebuilds and drops) and, for each size, measures in the same run on the same files:

- the baseline: ``sqlglot.parse`` of every file (what a tool without a model costs);
- ``migrate-lint check DIR --format json`` end to end, in a fresh interpreter.

Both are CPU seconds (the parse in this process, `check` from the child's rusage), so a
busy shared machine moves both alike. It prints `check` as a ratio to the parse and
the CPU time per statement; linear means the ratio stays flat. It fails (exit 1) when
the ratio at the largest size is more than 1.5x the ratio at the smallest, or when
`check`'s peak RSS at 80,000 statements or more is above 400 MB (memory is not
scaled down for smaller sizes: a fixed share of it is the interpreter and imports).

    python benchmarks/bench_scaling.py [--sizes 5000,10000,20000,40000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_growing_history

_REPORT_RSS = ("import atexit, resource, sys; atexit.register(lambda: print('peak-rss-kb', "
               "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)); ")
FLAT = 1.5  # the largest size's ratio may be at most this times the smallest size's
RSS_LIMIT_MB = 400  # peak RSS of `check` ...
RSS_FROM = 80_000  # ... at this many statements or more


def _parse_cpu(files: list[Path]) -> float:
    """CPU seconds of ``sqlglot.parse`` of every file (texts read beforehand)."""
    import sqlglot

    texts = [f.read_text() for f in files]
    start = time.process_time()
    for text in texts:
        sqlglot.parse(text, read="sqlite")
    return time.process_time() - start


def _check_cpu(root: Path) -> tuple[float, float, float, int]:
    """`check ROOT` in a fresh interpreter: (CPU s, wall s, peak RSS MB, findings)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _REPORT_RSS + "from migrate_lint.cli import main; main()",
         "check", str(root), "--format", "json", "--no-cache"],
        capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_kb = [line.split()[1] for line in done.stderr.splitlines()
              if line.startswith("peak-rss-kb")]
    return cpu, wall, float(rss_kb[-1]) / 1024, len(json.loads(done.stdout)["findings"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000,20000,40000",
                        help="statement counts, comma-separated (default %(default)s)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    over: list[tuple[int, float]] = []  # (statements, peak RSS MB) above the limit
    print(f"{'statements':>10} {'tables':>7} {'parse cpu':>10} {'check cpu':>10} "
          f"{'check wall':>10} {'ratio':>6} {'us/stmt':>8} {'RSS MB':>7} {'findings':>8}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "migrations"
            total, tables = generate_growing_history(root, size)
            parse = _parse_cpu(sorted(root.glob("*.sql")))
            cpu, wall, rss, findings = _check_cpu(root)
        ratio = cpu / parse
        rows.append(ratio)
        if size >= RSS_FROM and rss > RSS_LIMIT_MB:
            over.append((total, rss))
        print(f"{total:>10,} {tables:>7,} {parse:>9.2f}s {cpu:>9.2f}s {wall:>9.2f}s "
              f"{ratio:>5.2f}x {cpu / total * 1e6:>8.0f} {rss:>7.0f} {findings:>8,}", flush=True)
    growth = rows[-1] / rows[0]
    verdict = "OK (linear)" if growth <= FLAT else "GROWS FASTER THAN THE HISTORY"
    print(f"check/parse ratio grows {growth:.2f}x from {sizes[0]:,} to {sizes[-1]:,} "
          f"statements (limit {FLAT}x): {verdict}")
    if max(sizes) >= RSS_FROM:
        print(f"peak RSS at >= {RSS_FROM:,} statements (limit {RSS_LIMIT_MB} MB): " + (
            "OK" if not over else "ABOVE LIMIT: " + ", ".join(
                f"{rss:.0f} MB at {total:,}" for total, rss in over)))
    else:
        print(f"peak RSS not checked: no size >= {RSS_FROM:,} statements")
    return 0 if growth <= FLAT and not over else 1


if __name__ == "__main__":
    sys.exit(main())
