"""The pre-commit case, cold and warm: `check one-new-file.sql` in a long history (issue 13).

Generates a 1,000-migration history (``generate_history``: 20,000 statements) and a
1,001st migration in the same style, then measures, each in a fresh interpreter as the
hook runs it (wall seconds, the fastest of ``--repeat`` runs; CPU seconds beside):

- **cold**: ``check DIR --no-cache``, the whole directory: the baseline;
- **fill**: ``check DIR`` into an empty cache (what the first run after a clone pays);
- **warm new file**: the new migration is added and ``check NEW.sql`` runs with the
  cache of the 1,000 before it: the replay resumes from the checkpoint, so only the
  new file is parsed, replayed and checked (the cache is reset before each run);
- **warm again**: the same command once more (its results are cached);
- **warm karakeep**: ``check`` on ../shared/corpus/karakeep's history, cache filled.

Prints the figures and the ratios to the cold run, and exits 1 when a target is
missed: warm new file <= 0.3 s wall and <= 10% of cold; warm karakeep < 150 ms.

    python benchmarks/bench_precommit.py [--migrations 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_history

PROJECT = Path(__file__).resolve().parents[1]
KARAKEEP = PROJECT.parent / "shared" / "corpus" / "karakeep" / "packages" / "db" / "drizzle"
WARM_SECONDS = 0.3
WARM_RATIO = 0.10
KARAKEEP_SECONDS = 0.15
_MAIN = "from migrate_lint.cli import main; main()"


def _compile_bytecode() -> None:
    """Write the bytecode of migrate-lint and its rules, as `pip install` does: an
    editable install under PYTHONDONTWRITEBYTECODE would compile every module in every
    child, which no installed user pays."""
    import compileall

    for package in ("migrate_lint", "rules"):
        compileall.compile_dir(str(PROJECT / package), quiet=1)


def _run(args: list[str], cwd: Path) -> tuple[float, float]:
    """``migrate-lint ARGS`` in a fresh interpreter: (wall seconds, CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MAIN, *args], cwd=cwd, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"migrate-lint {' '.join(args)} failed ({done.returncode}): "
                         f"{done.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", type=int, default=1000)
    parser.add_argument("--per-migration", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each warm measurement; the fastest counts")
    args = parser.parse_args()
    _compile_bytecode()
    missed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = work / "migrations"
        generate_history(root, args.migrations + 1, args.per_migration)
        new = sorted(root.glob("*.sql"))[-1]
        aside = work / new.name
        new.rename(aside)
        cache = work / "cache"
        flags = ["--format", "json", "--cache-dir", str(cache)]

        # Paths as the hook spells them, relative to the project (`work`): a checkpoint
        # belongs to the history as spelled, since findings quote their paths.
        dir_arg, new_arg = root.name, f"{root.name}/{new.name}"
        cold = _run(["check", dir_arg, "--format", "json", "--no-cache"], work)
        fill = _run(["check", dir_arg, *flags], work)
        filled = work / "cache-filled"
        shutil.copytree(cache, filled)
        aside.rename(new)
        warm_runs = []
        for _ in range(args.repeat):
            shutil.rmtree(cache)
            shutil.copytree(filled, cache)
            warm_runs.append(_run(["check", new_arg, *flags], work))
        warm = _best(warm_runs)
        again = _best([_run(["check", new_arg, *flags], work) for _ in range(args.repeat)])
        cold_file = _run(["check", new_arg, "--format", "json", "--no-cache"], work)

        statements = args.migrations * args.per_migration
        print(f"history: {args.migrations} migrations, {statements} statements; "
              f"new file: {new.name} ({args.per_migration} statements)")
        print(f"{'run':<34}{'wall s':>9}{'cpu s':>9}{'/ cold':>9}")
        rows = [("cold: check DIR --no-cache", cold), ("fill: check DIR (empty cache)", fill),
                ("cold: check NEW.sql --no-cache", cold_file),
                ("warm: check NEW.sql (resumed)", warm), ("warm again: check NEW.sql", again)]
        for label, (wall, cpu) in rows:
            print(f"{label:<34}{wall:>9.3f}{cpu:>9.3f}{wall / cold[0]:>9.1%}")
        if warm[0] > WARM_SECONDS:
            missed.append(f"warm check NEW.sql took {warm[0]:.3f} s wall "
                          f"(target <= {WARM_SECONDS} s)")
        if warm[0] > WARM_RATIO * cold[0]:
            missed.append(f"warm check NEW.sql is {warm[0] / cold[0]:.1%} of the cold run "
                          f"(target <= {WARM_RATIO:.0%})")

        if KARAKEEP.is_dir():
            kcache = work / "karakeep-cache"
            kflags = ["check", str(KARAKEEP), "--format", "json", "--cache-dir", str(kcache)]
            kcold = _run(["check", str(KARAKEEP), "--format", "json", "--no-cache"], work)
            _run(kflags, work)
            kwarm = _best([_run(kflags, work) for _ in range(args.repeat)])
            print(f"{'karakeep cold (--no-cache)':<34}{kcold[0]:>9.3f}{kcold[1]:>9.3f}")
            print(f"{'karakeep warm':<34}{kwarm[0]:>9.3f}{kwarm[1]:>9.3f}"
                  f"{kwarm[0] / kcold[0]:>9.1%}")
            if kwarm[0] >= KARAKEEP_SECONDS:
                missed.append(f"warm karakeep took {kwarm[0]:.3f} s wall "
                              f"(target < {KARAKEEP_SECONDS} s)")
        else:
            print(f"karakeep: skipped, {KARAKEEP} not found")
        python = _run(["--version"], work)
        print(f"{'(interpreter + click: --version)':<34}{python[0]:>9.3f}{python[1]:>9.3f}")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
