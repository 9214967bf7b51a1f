"""Per-rule precision of `check` on every real history we have (issue #9, section 4).

Runs `check` (confirmation by SQLite included) on the four histories of
../shared/corpus/realworld and on opencode and karakeep, with the settings each
project migrates with, and counts each rule's errors and warnings: accepted when the
finding is listed, with its justification, in tests/expected/ (reviewed as a finding
we would defend to the project's maintainers), rejected otherwise. Information
(severity info) is advice and is counted apart.

    python benchmarks/precision.py [--markdown]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
EXPECTED = ROOT / "tests" / "expected"
HISTORIES = {
    "navidrome": "realworld/navidrome/db/migrations",
    "homarr": "realworld/homarr/packages/db/migrations/sqlite",
    "stash": "realworld/stash/pkg/sqlite/migrations",
    "pingvin-share": "realworld/pingvin-share/backend/prisma/migrations",
    "opencode": "opencode/migration",
    "karakeep": "karakeep/packages/db/drizzle",
}
SETTINGS = {"stash": 'foreign-keys = "off"\nsql-functions = ["durationToTinyInt"]\n'}


def _accepted(name: str) -> set[tuple[str, str, int]]:
    """(code, path, line) of every reviewed error and warning of history ``name``."""
    files = [EXPECTED / f"realworld-{name}.txt"] if (
        EXPECTED / f"realworld-{name}.txt").exists() else sorted(EXPECTED.glob(f"{name}*.txt"))
    out = set()
    for path in files:
        for raw in path.read_text(encoding="utf-8").splitlines():
            parts = raw.split("#", 1)[0].split()
            if not parts or parts[0] == "info":
                continue
            code, rel, line = (parts[0], parts[-2], parts[-1])
            out.add((code, rel, int(line)))
    return out


def _findings(name: str, root: Path, tmp: Path) -> list[dict[str, object]]:
    config = tmp / f"{name}.toml"
    config.write_text(SETTINGS.get(name, ""))
    done = subprocess.run([sys.executable, "-m", "migrate_lint", "check", str(root),
                           "--format", "json", "--no-cache", "--config", str(config)],
                          capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{name}: check failed: {done.stderr.strip()}")
    findings: list[dict[str, object]] = json.loads(done.stdout)["findings"]
    return findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"shared corpus not found at {CORPUS}")
    found: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    info: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="migrate-lint-precision-") as tmp:
        for name, rel in HISTORIES.items():
            root = CORPUS / rel
            reviewed = _accepted(name)
            for f in _findings(name, root, Path(tmp)):
                code = str(f["code"])
                if f["severity"] == "info":
                    info[code] += 1
                    continue
                found[code] += 1
                path = Path(str(f["path"])).resolve().relative_to(root.resolve()).as_posix()
                if (code, path, int(str(f["line"]))) in reviewed:
                    accepted[code] += 1
    codes = sorted(set(found) | set(info))
    rows = [(c, found[c], accepted[c], found[c] - accepted[c], info[c]) for c in codes]
    total = sum(found.values())
    if args.markdown:
        print("| rule | errors + warnings | accepted | rejected | precision | info |")
        print("|---|---|---|---|---|---|")
        for code, n, ok, bad, notes in rows:
            precision = f"{ok / n:.0%}" if n else "-"
            print(f"| {code} | {n} | {ok} | {bad} | {precision} | {notes} |")
    else:
        for code, n, ok, bad, notes in rows:
            precision = f"{ok / n:6.0%}" if n else "     -"
            print(f"{code}  {n:4}  accepted {ok:4}  rejected {bad:3}  {precision}  info {notes}")
    print(f"{'' if not args.markdown else chr(10)}all rules: {total} errors and warnings, "
          f"{sum(accepted.values())} accepted ({sum(accepted.values()) / max(total, 1):.0%}) "
          f"on {len(HISTORIES)} histories")


if __name__ == "__main__":
    main()
