"""Time `check --against DB` on generated databases of growing size; show RSS stays flat.

For each size a database is generated (a `media` table of paths and 1 KB blobs, an
`event` table pointing at it), migration 0001 applied and recorded in migrate-lint's
history table; migration 0002 is pending: a UNIQUE index over `media.path` (the
data-decided kind) and an added column. `migrate-lint check --against` then runs in
a child process; the script prints the copy time and pre-flight time the command
reports, its wall time and the child's peak RSS (``wait4``), and the RSS ratio of
the largest size to the smallest.

    python benchmarks/bench_against.py [--sizes 64,256,1024] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import migrate_lint

MIGRATIONS = {
    "0001_media.sql": (
        "CREATE TABLE media (id integer PRIMARY KEY, path text NOT NULL, body blob);\n"
        "CREATE TABLE event (id integer PRIMARY KEY, "
        "media_id integer REFERENCES media (id) ON DELETE CASCADE, kind text);\n"
        "CREATE INDEX event_media ON event (media_id);\n"
    ),
    "0002_unique_path.sql": (
        "CREATE UNIQUE INDEX media_path_unique ON media (path);\n"
        "ALTER TABLE media ADD note text;\n"
    ),
}
ROW_BYTES = 1100  # a 1 KB blob, the path and the row overhead


def generate(folder: Path, megabytes: int) -> tuple[Path, Path]:
    root = folder / "migrations"
    root.mkdir()
    for name, text in MIGRATIONS.items():
        (root / name).write_text(text)
    db = folder / "app.db"
    db.write_bytes(b"")
    migrate_lint.apply(str(db), str(root), to="0001_media", force=True, run_preflight=False,
                       keep_backups=0)
    rows = megabytes * 1024 * 1024 // ROW_BYTES
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
        "INSERT INTO media (id, path, body) SELECT x, printf('/media/%08d.mp4', x), "
        "randomblob(1024) FROM c", (rows,))
    conn.execute(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
        "INSERT INTO event (media_id, kind) SELECT x, 'view' FROM c", (rows,))
    conn.commit()
    conn.close()
    return root, db


def measure(root: Path, db: Path, tmp: Path) -> dict[str, float]:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "migrate_lint", "check", str(root), "--no-cache", "--against", str(db),
         "--tmp-dir", str(tmp), "--select", "DB"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate()
    wall = time.perf_counter() - started
    found = re.search(r"in ([\d.]+) s \(deleted\).* in ([\d.]+) s", err)
    if child.returncode not in (0, 1) or found is None:
        raise SystemExit(f"check --against failed ({child.returncode}): {err or out}")
    return {"copy": float(found.group(1)), "preflight": float(found.group(2)), "wall": wall}


def peak_rss(root: Path, db: Path, tmp: Path) -> float:
    """Peak RSS in MB of one `check --against` run (wait4 on that child alone)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "migrate_lint", "check", str(root), "--no-cache", "--against", str(db),
         "--tmp-dir", str(tmp), "--select", "DB"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, _status, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped here: Popen must not wait for it again
    return usage.ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,256,1024", help="database sizes in MB")
    parser.add_argument("--dir", default=None, help="where to generate (default: temp)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=args.dir) as folder:
            base = Path(folder)
            started = time.perf_counter()
            root, db = generate(base, size)
            made = time.perf_counter() - started
            tmp = base / "scratch"
            tmp.mkdir()
            timing = measure(root, db, tmp)
            rss = peak_rss(root, db, tmp)
            actual = db.stat().st_size / 2**20
            results.append((actual, rss))
            print(f"{actual:7.0f} MB (generated in {made:5.1f} s): copy {timing['copy']:6.2f} s,"
                  f" pre-flight {timing['preflight']:6.2f} s, wall {timing['wall']:6.2f} s,"
                  f" peak RSS {rss:6.1f} MB", flush=True)
    if len(results) > 1:
        (small, small_rss), (big, big_rss) = results[0], results[-1]
        print(f"size x{big / small:.1f} -> peak RSS x{big_rss / small_rss:.2f}")


if __name__ == "__main__":
    main()
