"""The architecture, checked: imports run one way, and no rule imports another rule.

The import graph of ``migrate_lint/`` and ``rules/`` (shipped as ``migrate_lint.rules``)
is read with ``ast``: every ``import`` and ``from ... import``, at module level, inside
functions and under ``TYPE_CHECKING`` alike (a lazy import is still a dependency).
A module may import modules of its own layer or of a lower one, never of a higher one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

# Lowest first. Each entry: layer name and the modules in it (``x.*``: every module
# under the package x, not x itself). A module not listed here fails the test, so a
# new module has to be placed.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Leaves: no knowledge of SQL parsing, the model or the run.
    ("base", ("errors", "span", "scratch", "snapshot", "runners", "bounded", "diagnostics",
              "claims", "evidence", "file_ignores", "lockholders", "version", "tokens",
              "sqlbasics", "tempdirs", "facts", "facts.types", "cache", "realpaths", "values",
              "escape", "outfile")),
    # The sqlglot and SQLite-grammar layers.
    ("sql", ("sqlglot_api", "sqlglot_api.*", "grammar", "ddl", "ddl_fallback", "seed")),
    # Facts read from SQL text alone (migrate_lint/facts: each shared fact answered once;
    # its modules sit at the layer their inputs need, so the model may ask these).
    ("text facts", ("facts.literals", "facts.conditions")),
    # The model: discovery, statements, the schema and its replay, settings, sandboxes.
    ("model", ("source", "split", "history", "parse", "discover", "discover.*", "schema", "ctas",
               "resolve", "replay", "settings", "config", "pipeline", "gitread", "gitbase",
               "verify", "render", "diagram", "lanes", "bookkeeping", "scaffold", "sandbox",
               "synth", "inserts", "inserts.*", "checkpoint", "chain")),
    # Facts over the replayed history: is a table empty at a step, can a column be NULL.
    ("facts", ("facts.tables", "facts.nulls", "facts.keys", "facts.inserts")),
    # What rules are written against: the Rule base class, findings, their confirmation
    # on SQLite, suppressions, the baseline, and the result reporters read; the rule
    # catalogue the registry reads codes from without importing the rules.
    ("engine", ("findings", "engine", "registry", "suppress", "baseline", "confirm", "result",
                "rulebook")),
    # What a rule's fix(facts, ctx) is written in: the plan, edits, expectations, the
    # rebuild builder. The driver that proves and writes plans sits above the rules.
    ("fix vocabulary", ("fix.model", "fix.inplace", "fix.sqltext", "fix.rebuild",
                        "fix.expect")),
    ("rules", ("rules", "rules.*")),
    # Reporters sit below the run: they read a LintResult, never the orchestrator.
    ("report", ("report", "report.*", "ruledocs")),
    # Orchestration: one lint run, fix planning, --against, apply.
    ("run", ("lint", "lintcache", "fix", "fix.*", "against", "applier")),
    ("commands", ("cli.*",)),
    # Entry points: the click group, `python -m`, the Python API and its pytest fixture.
    ("entry", ("", "__main__", "cli", "testing")),
)

# Imports that break the layering, each with the reason it stays. None today: the four
# there were are fixed (reporters took LintResult from lint.py, now migrate_lint.result;
# json/sarif took __version__ from the package API, now migrate_lint.version; confirm
# took the row filler from fix.synth, now migrate_lint.synth; ruledocs read the fixable
# codes from fix.requests, now the rules command does).
LAYER_EXCEPTIONS: dict[tuple[str, str], str] = {}

# Rule modules that import another rule module, each with the reason it stays. None
# today: the foreign-key helpers FK001, FK002, FK003 and DL001 shared now live in
# rules/_fk.py.
RULE_EXCEPTIONS: dict[tuple[str, str], str] = {}

PACKAGE = "migrate_lint"


def _module_name(path: Path) -> str:
    """``migrate_lint.x.y`` for migrate_lint/x/y.py; rules/z.py is migrate_lint.rules.z."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts
    if parts[0] == "rules":
        parts = (PACKAGE, "rules", *parts[1:])
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for top in ("migrate_lint", "rules"):
        for path in sorted((ROOT / top).rglob("*.py")):
            out[_module_name(path)] = path
    return out


def _imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The project modules ``name`` imports (``from pkg import mod`` names the module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            if base.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield sub if sub in known else base


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: {m for m in _imports(name, path, known) if m != name}
            for name, path in known.items()}


def _short(name: str) -> str:
    return name[len(PACKAGE) + 1:] if name.startswith(PACKAGE + ".") else ""


def _layer(short: str) -> int | None:
    for rank, (_, members) in enumerate(LAYERS):
        for member in members:
            if short == member or (member.endswith(".*")
                                   and short.startswith(member[:-1])):
                return rank
    return None


def _is_rule(short: str) -> bool:
    """A rule module: rules/<name>.py, not a shared helper rules/_*.py."""
    return short.startswith("rules.") and not short.split(".")[1].startswith("_")


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(_short(m) or PACKAGE for m in _graph() if _layer(_short(m)) is None)
    assert not unplaced, f"add these modules to LAYERS in {__file__}: {unplaced}"


def test_imports_run_one_way() -> None:
    wrong: list[str] = []
    seen: set[tuple[str, str]] = set()
    for importer, imported in sorted(_graph().items()):
        for target in sorted(imported):
            a, b = _short(importer), _short(target)
            low, high = _layer(a), _layer(b)
            if low is None or high is None or high <= low:
                continue
            seen.add((a, b))
            if (a, b) not in LAYER_EXCEPTIONS:
                wrong.append(f"{a or PACKAGE} ({LAYERS[low][0]}) imports "
                             f"{b or PACKAGE} ({LAYERS[high][0]})")
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)
    stale = sorted(set(LAYER_EXCEPTIONS) - seen)
    assert not stale, f"exceptions that no longer happen, remove them: {stale}"


def test_no_rule_imports_another_rule() -> None:
    wrong: list[str] = []
    seen: set[tuple[str, str]] = set()
    for importer, imported in sorted(_graph().items()):
        a = _short(importer)
        if not a.startswith("rules."):
            continue
        for target in sorted(imported):
            b = _short(target)
            if not _is_rule(b):
                continue
            seen.add((a, b))
            if (a, b) not in RULE_EXCEPTIONS:
                wrong.append(f"{a} imports {b}: move the shared part to rules/_*.py")
    assert not wrong, "\n".join(wrong)
    stale = sorted(set(RULE_EXCEPTIONS) - seen)
    assert not stale, f"exceptions that no longer happen, remove them: {stale}"


def test_reporters_do_not_import_the_orchestrator() -> None:
    graph = _graph()
    wrong = sorted(f"{_short(m)} imports {_short(t)}" for m, targets in graph.items()
                   if _short(m).startswith("report") for t in targets
                   if _short(t) in {"lint", "fix", "against", "applier"}
                   or _short(t).startswith("fix."))
    assert not wrong, wrong


def test_the_walker_sees_lazy_and_relative_imports() -> None:
    """The graph is only as good as the walker: it must see what a reader sees."""
    graph = _graph()
    # Relative, from rules/: `from ._common import ...`.
    assert "migrate_lint.rules._common" in graph["migrate_lint.rules.drop_column"]
    # Function-level: the package API loads the applier only when called.
    assert "migrate_lint.applier" in graph["migrate_lint"]
    # `from migrate_lint import engine` names the module, not the package.
    assert "migrate_lint.engine" in graph["migrate_lint.lint"]
