"""`fix` on a history of many small files: a bounded multiple of `check` on the same files.

Generates ``--files`` migrations of one or two statements (`generate.generate_many_files`,
``--tables`` tables) with one fixable NN001 near the end, then runs `migrate-lint check`
and `migrate-lint fix` (the dry run: it plans and proves everything `--write` would
write) on it, each in a fresh interpreter. The baseline is `check --no-cache` on the same
files in the same run; the figure is the ratio of CPU seconds (the children's user + system
time, which other work on a shared machine does not inflate as it does wall time),
fastest of ``--repeat`` runs. ``--before PYTHON`` also times `fix` of another
installation on the same files (e.g. a venv with an older commit installed).

Target (issue #14, "fix on a 100k-file history did not finish in 120 s"): fix within
3x check. fix must apply the history to SQLite to prove its plans, which check does
not: SQLite reparses the whole schema at every ADD COLUMN, so that part grows with
files x tables and dominates with thousands of tables (``--tables 10000``).

    python benchmarks/bench_fix.py [--files 100000] [--tables 500] [--repeat 1] [--before PYTHON]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_many_files

TARGET = 3.0
_RSS = ("import atexit, resource, sys; atexit.register(lambda: print('peak-rss-kb', "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)); ")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(*args: str, python: str, cwd: Path) -> tuple[float, float, float, str]:
    """``migrate-lint ARGS`` in a fresh ``python``: CPU s, wall s, peak RSS MB, stdout.

    Run from ``cwd``, outside any source tree, so ``python -c`` imports the installed
    migrate_lint and not one in the current directory."""
    cpu, wall = _cpu(), time.perf_counter()
    done = subprocess.run(
        [python, "-c", _RSS + "import sys; from migrate_lint.cli import main; "
         "sys.argv = ['migrate-lint', *sys.argv[1:]]; main()", *args],
        capture_output=True, text=True, check=False, cwd=cwd)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    if done.returncode not in (0, 1):
        raise SystemExit(f"migrate-lint {' '.join(args)} failed ({done.returncode}): "
                         f"{done.stderr[-800:]}")
    rss = [int(line.split()[1]) for line in done.stderr.splitlines()
           if line.startswith("peak-rss-kb")]
    return cpu, wall, (rss[-1] / 1024 if rss else float("nan")), done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--before", metavar="PYTHON",
                        help="the Python of another installation whose fix is timed too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="migrate-lint-bench-fix-") as tmp:
        root = Path(tmp) / "migrations"
        defect = generate_many_files(root, args.files, tables=args.tables)
        print(f"{args.files:,} files, {args.tables:,} tables, NN001 in file {defect:,}")
        best: dict[str, tuple[float, float, float]] = {}
        for _ in range(args.repeat):
            runs = [("check", ("check", str(root), "--format", "json", "--no-cache"),
                     sys.executable),
                    ("fix", ("fix", str(root)), sys.executable)]
            if args.before:
                runs.append(("fix (before)", ("fix", str(root)), args.before))
            for name, argv, python in runs:
                cpu, wall, rss, out = _run(*argv, python=python, cwd=Path(tmp))
                if name.startswith("fix") and out.count("[ready]") < 2:  # in place + follow-up
                    raise SystemExit(f"fix did not plan both fixes:\n{out[-2000:]}")
                if name not in best or cpu < best[name][0]:
                    best[name] = (cpu, wall, rss)
        for name, (cpu, wall, rss) in best.items():
            print(f"{name:>12}: {cpu:7.1f} s CPU  {wall:7.1f} s wall  peak RSS {rss:6.0f} MB")
        ratio = best["fix"][0] / best["check"][0]
        verdict = "OK" if ratio <= TARGET else "ABOVE TARGET"
        print(f"fix / check (CPU): {ratio:.2f} (target <= {TARGET}): {verdict}")
        if ratio > TARGET:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
