"""Time discover + split + parse + replay (and `check` when available) on a large history.

Prints statements per second, peak RSS, and ratios against baselines measured in the
same run on the same files: reading the files, tokenizing them with sqlglot alone,
and SQLite itself executing every statement. Targets (issue #2 / #3, 2-core machine):
>= 10,000 statements/s for discover+parse+replay with sqlglotc, peak RSS < 400 MB,
>= 8,000 statements/s for `check` end to end.

    python benchmarks/bench_pipeline.py [--migrations 1000] [--per-migration 20]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generate import generate_history

from migrate_lint import sqlglot_api
from migrate_lint.pipeline import load_history
from migrate_lint.replay import replay


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", type=int, default=1000)
    parser.add_argument("--per-migration", type=int, default=20)
    args = parser.parse_args()
    info = sqlglot_api.engine()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "migrations"
        total = generate_history(root, args.migrations, args.per_migration)
        files = sorted(root.glob("*.sql"))

        start = time.perf_counter()
        texts = [f.read_text() for f in files]
        read_s = time.perf_counter() - start

        start = time.perf_counter()
        for text in texts:
            sqlglot_api.tokenize(text)
        tokenize_s = time.perf_counter() - start

        conn = sqlite3.connect(":memory:")
        start = time.perf_counter()
        for text in texts:
            conn.executescript(text)
        sqlite_s = time.perf_counter() - start
        conn.close()

        gc.collect()
        start = time.perf_counter()
        history = load_history(root)
        loaded_s = time.perf_counter() - start
        timeline = replay(history)
        pipeline_s = time.perf_counter() - start
        steps = len(timeline.steps)
        assert steps == total, (steps, total)

        check_s = None
        try:
            from click.testing import CliRunner

            from migrate_lint.cli import cli

            start = time.perf_counter()
            result = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
            check_s = time.perf_counter() - start
            if result.exit_code not in (0, 1):
                print(f"check failed ({result.exit_code}): {result.output[-400:]}")
                check_s = None
        except ImportError:
            pass

    rate = total / pipeline_s
    print(f"sqlglot {info.version} compiled={info.compiled} {info.note}")
    print(f"history: {len(files)} migrations, {total} statements")
    print(f"read files        {read_s:8.3f} s")
    print(f"tokenize only     {tokenize_s:8.3f} s  (baseline)")
    print(f"sqlite executes   {sqlite_s:8.3f} s  (baseline)")
    print(f"discover+parse    {loaded_s:8.3f} s")
    print(f"+ replay          {pipeline_s:8.3f} s  -> {rate:,.0f} statements/s "
          f"(target >= 10,000): {'OK' if rate >= 10_000 else 'BELOW TARGET'}")
    print(f"ratio pipeline / tokenize-only: {pipeline_s / tokenize_s:.1f}x; "
          f"pipeline / sqlite: {pipeline_s / sqlite_s:.1f}x")
    if check_s is not None:
        check_rate = total / check_s
        print(f"check end to end  {check_s:8.3f} s  -> {check_rate:,.0f} statements/s "
              f"(target >= 8,000): {'OK' if check_rate >= 8_000 else 'BELOW TARGET'}; "
              f"ratio check / pipeline: {check_s / pipeline_s:.2f}x")
    peak = _peak_rss_mb()
    print(f"peak RSS          {peak:8.1f} MB (target < 400): {'OK' if peak < 400 else 'ABOVE TARGET'}")


if __name__ == "__main__":
    main()
