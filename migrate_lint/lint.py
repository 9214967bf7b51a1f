"""Lint a run: find the histories, replay them, run the rules, shape the findings.

``lint(paths, config)`` is what ``migrate-lint check`` calls. For each path:

- a directory is a migrations directory: every finding of its history is reported;
- a file is looked up in its history (the directory discovery accepts above it:
  ``<dir>`` for ``<dir>/0001_x.sql`` and for ``<dir>/0001_x/migration.sql``); the whole
  history is replayed and only findings in the given files are reported;
- a file under the configured insert paths is handed to the insert-path helper
  (``migrate_lint.inserts.collect_sites``) and checked against the configured history.

Then history diagnostics (MG000-MG003) become findings, per-rule severity overrides
and ``select``/``ignore`` apply, and inline suppressions silence what they name
(unused or unknown ones become MG006). Nothing here prints or exits.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from migrate_lint import baseline as baseline_file
from migrate_lint import bounded
from migrate_lint.cache import Store
from migrate_lint.chain import texts_of
from migrate_lint.config import Config, load_config
from migrate_lint.discover import discover
from migrate_lint.errors import MigrateLintError
from migrate_lint.file_ignores import ignored
from migrate_lint.findings import Finding
from migrate_lint.lintcache import CacheChoice, HistoryCache, TextMemo, directory_for
from migrate_lint.realpaths import real, reals
from migrate_lint.registry import (
    BUILTIN,
    anchored_anywhere,
    catalogue_infos,
    defaults,
    diagnostic_finding,
    find_rule,
    is_selected,
    rules_for,
    run_infos,
    selected_codes,
    validate,
)
from migrate_lint.result import LintResult
from migrate_lint.settings import Requested, Settings
from migrate_lint.source import Discovery

if TYPE_CHECKING:
    # Imported where a history is read, replayed or checked: a run answered from the
    # cache imports neither the model nor the rules nor sqlglot.
    from migrate_lint.engine import Rule
    from migrate_lint.gitbase import GitBase
    from migrate_lint.history import History
    from migrate_lint.replay import Timeline

def _placeholder_note(finding: Finding, history: History) -> Finding:
    """An MG001 on a statement holding a placeholder its runner replaces before SQLite
    reads the file (Flyway's `${name}`): the tool reads the text as written, which is not
    what runs, so it is information, not an error."""
    runner = history.settings.runner
    if finding.code != "MG001" or runner.placeholder is None:
        return finding
    text = history.texts.get(finding.span.path, "")
    # the statement around the spot the reader stopped at: from the `;` before it to the next
    start = text.rfind(";", 0, finding.span.start) + 1
    end = text.find(";", finding.span.start)
    statement = text[start:end if end >= 0 else len(text)]
    if runner.placeholder not in statement:
        return finding
    return replace(finding, severity="info", message=(
        f"{runner.name.capitalize()} replaces the `{runner.placeholder}...}}` placeholders of this statement "
        f"before SQLite reads it, so it is not checked ({finding.message})"))


# --- finding the histories ------------------------------------------------------------

# The texts of a directory's files that need not be read again (`TextMemo.known`).
Known = Callable[[str], Mapping[str, str] | None]


def _real(path: str) -> str:
    return real(path)


def _under(path: str, roots: Iterable[str]) -> bool:
    real = _real(path)
    for root in roots:
        top = _real(root)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False


def _history_files(root: str, layout: str | None, found: dict[str, Discovery | None],
                   files: dict[str, dict[str, str]], known: Known | None = None
                   ) -> set[str] | None:
    """Real paths of every migration file under ``root``, or None if it is no history.

    Each directory is discovered once per run: ``found`` keeps what was read (by real
    path), and the replay of the history that holds the file reuses it; ``files``
    keeps the real path of each of its files (see `_file_reals`). ``known``: the texts
    of a directory's files the run need not read (`TextMemo`).
    """
    key = _real(root)
    if key not in found:
        try:
            found[key] = discover(root, layout, known(root) if known else None)
        except MigrateLintError:
            found[key] = None
    discovery = found[key]
    if discovery is None:
        return None
    return set(_file_reals(key, discovery, files).values())


def _file_reals(key: str, found: Discovery, files: dict[str, dict[str, str]]
                ) -> dict[str, str]:
    """The real path of each file of history ``found`` (real root ``key``), by its
    spelling: resolved once per run (a system call or more per file), kept in ``files``."""
    known = files.get(key)
    if known is None:
        known = files[key] = reals(p for source in found.migrations
                                   for p in source.files())
    return known


def _given_reals(found: Discovery, known: Mapping[str, str] | None) -> Mapping[str, str]:
    """The real path of each file of a given history ``found``, by its spelling: those
    ``known`` holds from an earlier run, the others resolved."""
    spellings = [p for source in found.migrations for p in source.files()]
    if known is None:
        return reals(spellings)
    missing = [p for p in spellings if p not in known]
    if not missing and len(known) == len(spellings):
        return known  # the same files (fix's corrected history: as a rule)
    resolved = reals(missing)
    return {p: resolved[p] if p in resolved else known[p] for p in spellings}


def history_root(file: str, config: Config,
                 found: dict[str, Discovery | None] | None = None,
                 files: dict[str, dict[str, str]] | None = None,
                 known: Known | None = None) -> str | None:
    """The migrations directory whose history holds ``file``, spelled for display
    (``found`` and ``files``: the directories discovered so far in this run and their
    files' real paths, see `_history_files`)."""
    found = {} if found is None else found
    files = {} if files is None else files
    real = _real(file)
    parent = os.path.dirname(file) or "."
    candidates = []
    if _under(file, [config.path]):
        candidates.append(config.path)
    candidates += [parent, os.path.dirname(parent) or "."]
    seen: set[str] = set()
    for candidate in candidates:
        key = _real(candidate)
        if key in seen or not os.path.isdir(candidate):
            continue
        seen.add(key)
        held = _history_files(candidate, config.layout, found, files, known)
        if held is not None and real in held:
            return candidate
    return None


@dataclass
class _Plan:
    """Which histories to replay and which of their files to report."""

    roots: dict[str, str] = field(default_factory=dict)  # real root -> spelling
    wanted: dict[str, set[str] | None] = field(default_factory=dict)  # real root -> files
    insert_files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # non-SQL files outside any history
    # real path -> what discovery read there (None: no history), read once per run
    found: dict[str, Discovery | None] = field(default_factory=dict)
    # real root -> the real path of each of its files, by spelling (`_file_reals`)
    files: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, root: str, file: str | None) -> None:
        key = _real(root)
        self.roots.setdefault(key, root)
        if file is None:
            self.wanted[key] = None
        elif key not in self.wanted:
            self.wanted[key] = {_real(file)}
        else:
            files = self.wanted[key]
            if files is not None:
                files.add(_real(file))


def _plan(paths: Sequence[str], config: Config, insert_paths: Sequence[str],
          known: Known | None = None) -> _Plan:
    plan = _Plan()
    for path in paths or [config.path]:
        if os.path.isdir(path):
            plan.add(path, None)
            continue
        if not os.path.exists(path):
            if not paths:
                raise MigrateLintError(
                    f"{path}: no such directory (the default); pass the directory that holds "
                    "your migrations, or set `path` under [tool.migrate-lint]"
                )
            raise MigrateLintError(f"{path}: no such file or directory")
        root = history_root(path, config, plan.found, plan.files, known)
        if root is not None:
            plan.add(root, path)
        elif insert_paths and _under(path, insert_paths):
            plan.insert_files.append(path)
        elif os.path.splitext(path)[1].lower() != ".sql":
            # pre-commit hands over whatever matches a user's `files:` (drizzle's
            # meta/_journal.json beside a new migration): not ours to judge, not an error.
            plan.skipped.append(path)
        else:
            raise MigrateLintError(
                f"{path}: not part of any migration history (no migrations directory above "
                "it) and not under the configured insert-paths"
            )
    if plan.insert_files:
        key = _real(config.path)
        if key not in plan.roots:
            if not os.path.isdir(config.path):
                raise MigrateLintError(
                    f"{config.path}: no such directory; insert-path files are checked against "
                    "the configured `path` (set `path` in the configuration)"
                )
            plan.roots[key] = config.path
            plan.wanted[key] = set()
    return plan


def _claimed_statements(timeline: Timeline, rules: Sequence[type[Rule]],
                        scope: frozenset[int] | None = None) -> list[tuple[str, int, int]]:
    """Statements some selected rule explains better than MG001 (``Rule.claims``), in
    the migrations of ``scope`` (None: all)."""
    from migrate_lint.engine import Rule

    claimers = [r for r in rules if r.claims is not Rule.claims]
    bounds = timeline.boundaries
    steps = timeline.steps if scope is None else [
        step for m in sorted(scope) for step in timeline.steps[bounds[m]:bounds[m + 1]]]
    return [
        (stmt.span.path, stmt.span.start, stmt.span.end)
        for step in steps
        if (stmt := step.statement).problem is not None
        and any(rule.claims(stmt) for rule in claimers)
    ]


def _read_in(timeline: Timeline, scope: frozenset[int] | None
             ) -> tuple[frozenset[str] | None, bool]:
    """The statement kinds of the up scripts of the migrations in ``scope`` (None: any
    kind, for a whole history), and whether a statement the reader could not
    understand is among them."""
    if scope is None:
        return None, True
    bounds, steps = timeline.boundaries, timeline.steps
    statements = [steps[i].statement for m in sorted(scope)
                  for i in range(bounds[m], bounds[m + 1])]
    return (frozenset(stmt.kind.value for stmt in statements),
            any(stmt.problem is not None for stmt in statements))


def _found_in(history: History) -> Discovery:
    """The discovery ``history`` was read from: its migrations' sources (the discovery's
    diagnostics are among the history's own)."""
    return Discovery(history.root, history.layout, history.runner,
                     tuple(m.source for m in history.migrations))


def scope_of(found: Discovery, wanted: set[str] | None,
             known: Mapping[str, str] | None = None) -> frozenset[int] | None:
    """The indices of the migrations holding the ``wanted`` files (real paths); None
    when every file is wanted. ``known``: the real path of each file, when resolved."""
    if wanted is None:
        return None
    files = [source.files() for source in found.migrations]
    known = known or reals(path for paths in files for path in paths)
    return frozenset(i for i, paths in enumerate(files)
                     if any(known[path] in wanted for path in paths))


def _insert_sites(paths: Sequence[str], exclude: Sequence[str], writers_from: str | None
                  ) -> tuple[tuple[object, ...], tuple[str, ...]]:
    """Insert sites under ``paths`` (and at ``writers_from``), and notes for --verbose."""
    if not paths:
        return (), ()
    from migrate_lint.inserts import collect_sites

    collection = collect_sites(list(paths), list(exclude), writers_from=writers_from)
    notes = [f"{len(collection.sites)} insert site(s) checked in {collection.files} file(s); "
             f"{len(collection.unknown)} whose columns are only known at run time (not checked)"]
    notes += [f"  unchecked: {site.describe()}" for site in collection.unknown]
    notes += [f"{s.path}{'@' + s.revision if s.revision else ''}: skipped: {s.reason}"
              for s in collection.skipped]
    return tuple(collection), tuple(notes)


# --- findings ----------------------------------------------------------------------------


def _with_severity(finding: Finding, config: Config) -> Finding:
    level = config.severity_of(finding.code)
    return finding if level is None or level == finding.severity else replace(
        finding, severity=level)


# cc: the whole run in one reading order (histories, insert sites, rules, diagnostics, severities,
#   suppressions, baseline); issue 10 splits it
def lint(
    paths: Sequence[str] = (),
    config: Config | None = None,
    *,
    insert_paths: Sequence[str] | None = None,
    apply_baseline: bool = True,
    timelines: Mapping[str, Timeline] | None = None,
    cache: CacheChoice | None = None,
    facts: bool = True,
    real_paths: Mapping[str, str] | None = None,
) -> LintResult:
    """Check ``paths`` (default: the configured migrations directory).

    ``config`` defaults to the configuration file found from the current directory;
    ``insert_paths`` to ``config.insert_paths``. Findings carry fingerprints; the
    configured baseline hides those it lists unless ``apply_baseline`` is false (the
    ``baseline`` command, which writes it). ``timelines`` (by history root) are histories
    the caller already read and replayed with this configuration: they are not read again.
    With ``cache`` the run reads and keeps results and replay checkpoints there
    (`migrate_lint.lintcache`): the findings are the same, and a history answered from
    the cache has no timeline in the result. Findings read from the cache carry their
    facts unless ``facts`` is false (``check``, which renders none: reading them
    imports the rules that declare them). ``real_paths``: the real path of files of the
    given ``timelines`` the caller already knows, by spelling (`fix` lints its corrected
    history, whose files are the first run's, with the first run's `LintResult.real_paths`):
    they are not resolved again. Raises :class:`MigrateLintError` on bad
    input or configuration (a path outside any history, an unknown rule code).
    """
    config = validate(config if config is not None else load_config())
    inserts_from = tuple(insert_paths) if insert_paths is not None else config.insert_paths
    started = time.time_ns()  # what the files' texts are kept against (`TextMemo`)
    memos: dict[str, TextMemo] = {}
    cache_notes: list[str] = []

    def known(root: str) -> Mapping[str, str] | None:
        """The texts of ``root``'s files unchanged since a cached run read them."""
        if cache is None or config.since:  # --since reads git: its runs are not cached
            return None
        memo = memos.get(_real(root))
        if memo is None:
            # the store is not made here: discovery also looks at directories that
            # turn out to hold no history
            store = Store(directory_for(cache, config, root), cache_notes)
            memo = memos[_real(root)] = TextMemo(store, root)
        return memo.known()

    plan = _plan(paths, config, inserts_from, known)
    codes = selected_codes(config)

    def resolve(written: str) -> str | None:
        info = find_rule(written)
        return info.code if info is not None else None

    # Given insert-path files: their sites only; a whole directory: every insert path.
    whole = any(w is None for w in plan.wanted.values())
    site_paths: Sequence[str] = plan.insert_files or (inserts_from if whole else ())
    sites, notes = _insert_sites(site_paths, config.insert_exclude, config.writers_from)
    notes = tuple(f"{path}: not an SQL migration file; skipped" for path in plan.skipped) + notes
    primary = _real(config.path) if _real(config.path) in plan.roots else next(
        iter(plan.roots), None)
    insert_real = {_real(p) for p in plan.insert_files}

    texts: dict[str, str] = {}
    findings: list[Finding] = []
    settings: list[tuple[str, Settings]] = []
    suppressed = 0
    stamp_base = os.path.dirname(os.path.abspath(config.baseline)) if config.baseline \
        else os.getcwd()
    # each history (None when read from the cache), its findings, its files' real paths
    per_root: list[tuple[History | None, list[Finding], Mapping[str, str]]] = []
    scope: set[str] = set()  # real paths of the migration files this run reports on
    real_cache: dict[str, str] = {}

    def real(path: str) -> str:
        if path not in real_cache:
            real_cache[path] = _real(path)
        return real_cache[path]

    given = {_real(root): t for root, t in (timelines or {}).items()}
    replayed: list[Timeline] = []
    requested = Requested.from_config(config)

    def checked(timeline: Timeline, root_sites: tuple[object, ...],
                scoped: frozenset[int] | None, wanted: set[str] | None
                ) -> tuple[list[Finding], int, GitBase | None, Settings]:
        """The findings of one history after suppressions, how many they silenced, the
        `--since` base and the connection settings."""
        # the rules are loaded where a history is checked, never for results read back
        from migrate_lint import confirm, engine, suppress
        from migrate_lint.pipeline import gc_frozen

        # `check FILES`: the rules that can report on the given files' statements
        kinds, problems = _read_in(timeline, scoped)
        rules = list(rules_for(config, kinds, problems))
        active = {cls.code for cls in rules}

        def is_active(code: str) -> bool:
            return code in active or (
                code in BUILTIN and is_selected(code, config.select, config.ignore))

        history = timeline.history
        base = None
        if config.since:  # git is read only for --since
            from migrate_lint.gitbase import load_base

            base = load_base(history, config.since)
        with gc_frozen():
            produced = engine.run_rules(timeline, config, rules, root_sites, base=base,
                                        scope=scoped)
            # SQLite is the judge: what a finding claims is run before it is reported
            produced = confirm.judge(timeline, produced)
        seen = {(f.code, f.path, f.span.line, f.span.col) for f in produced}
        claimed = _claimed_statements(timeline, rules, scoped)
        for diag in history.diagnostics:
            if not is_active(diag.code):
                continue
            if diag.code == "MG001" and diag.span is not None and any(
                path == diag.span.path and start <= diag.span.start < end
                for path, start, end in claimed
            ):
                continue  # a rule reports this statement with a precise message
            finding = _placeholder_note(diagnostic_finding(diag), history)
            if (finding.code, finding.path, finding.span.line, finding.span.col) not in seen:
                produced.append(finding)
        produced = [_with_severity(f, config) for f in produced]
        outcome = suppress.apply(produced, history, resolve=resolve, active=is_active,
                                 severity=defaults(suppress.UNUSED_CODE)[1], scope=scoped)
        # what a directive silenced in a file the run reports on (`check FILES`: not
        # the other files, whose rules did not run)
        count = len(outcome.suppressed) if wanted is None else sum(
            1 for f in outcome.suppressed if real(f.path) in wanted)
        kept = list(outcome.kept)
        if is_active(suppress.UNUSED_CODE):
            kept += [_with_severity(f, config) for f in outcome.unused]
        return kept, count, base, history.settings

    # results to store once stamped: cache, entry name, suppressed, settings, the files
    # of the history, and the index of its findings in per_root
    to_store: list[tuple[HistoryCache, str, int, Settings, set[str], int]] = []
    for key, root in plan.roots.items():
        wanted = plan.wanted.get(key)
        # a given timeline brings its discovery (fix's corrected history is made in
        # memory: reading the directory again would read the uncorrected files)
        found = plan.found.get(key) or (_found_in(given[key].history) if key in given
                                        else discover(root, config.layout, known(root)))
        file_reals = _file_reals(key, found, plan.files) if key not in given else \
            _given_reals(found, real_paths)
        # `check FILES`: rules look at the given files' migrations only
        scoped = scope_of(found, wanted, file_reals)
        root_sites = sites if key == primary else ()
        # --since reads git: its runs are not cached
        cached = None if cache is None or config.since else HistoryCache.open(
            cache, config, root, found, cache_notes,
            # the texts discovery took from the memo, and their hashes (not a given
            # history's, read apart from this run)
            memos.get(key) if key not in given else None)
        if cached is not None and key not in given:
            # the texts this run read, for the next one (a given history's are its own)
            memo = memos.get(key) or TextMemo(cached.store, root)
            memo.keep(found, started, cached.hashed)
        name = cached.results_name(config, codes, root_sites, wanted) if cached else ""
        hit = cached.results(name, facts) if cached and key not in given else None
        history: History | None = None
        base: GitBase | None = None
        if hit is not None:
            kept, count, root_settings = hit
            texts.update(texts_of(found))
        else:
            from migrate_lint.checkpoint import PrefixMiss
            from migrate_lint.pipeline import load_timeline

            # `check FILES` resumes the replay from a checkpoint before the first file
            resumed = cached.timeline(requested, min(scoped, default=0)) if (
                cached and scoped is not None and key not in given) else None
            timeline = given.get(key) or resumed or load_timeline(
                root, requested=requested, found=found)
            try:
                kept, count, base, root_settings = checked(timeline, root_sites, scoped, wanted)
            except PrefixMiss:
                cache_notes.append(f"cache: {root}: the rules needed more of the history "
                                   "than the checkpoint keeps; replayed it all")
                timeline = load_timeline(root, requested=requested, found=found)
                kept, count, base, root_settings = checked(timeline, root_sites, scoped, wanted)
            replayed.append(timeline)
            history = timeline.history
            texts.update(history.texts)
            if cached is not None:
                cached.keep(timeline)
        settings.append((root, root_settings))
        history_files = set(file_reals.values())
        reported = set(history_files)
        if base is not None and history is not None:
            # --since: only migrations added or changed since the revision are reported
            changed = base.changed_files(history)
            reported &= changed
            kept = [f for f in kept if real(f.path) not in history_files or real(f.path) in changed
                    or anchored_anywhere(f.code)]
        if hit is None:
            if wanted is not None:
                allowed = wanted | insert_real
                kept = [f for f in kept if real(f.path) in allowed]
            if config.per_file_ignores:
                before = len(kept)
                kept = [f for f in kept if not ignored(f.code, f.path, config.per_file_ignores)]
                count += before - len(kept)
            if cached is not None:
                to_store.append((cached, name, count, root_settings, history_files,
                                 len(per_root)))
        suppressed += count
        scope |= reported if wanted is None else reported & wanted
        per_root.append((history, kept, file_reals))
    for path in {f.path for _, kept, _ in per_root for f in kept} - texts.keys():
        if not os.path.isfile(path) or bounded.problem(path, os.path.dirname(path)):
            continue  # a FIFO or a device is reported by name, never opened
        try:
            texts[path] = bounded.read_regular(path).decode("utf-8")
        except (MigrateLintError, UnicodeDecodeError):
            continue
    stamped: list[list[Finding]] = []
    for history, kept, its_reals in per_root:
        # stored results carry the fingerprints of their history's findings
        fingerprints = baseline_file.Fingerprinter(history, texts, stamp_base, its_reals)
        stamped.append([f if f.fingerprint else fingerprints.stamp_one(f) for f in kept])
        findings.extend(stamped[-1])
    for cached, name, count, root_settings, history_files, index in to_store:
        # a fingerprint outside the history depends on where the run stands: not stored
        cached.keep_results(name, [f if real(f.path) in history_files
                                   else replace(f, fingerprint="") for f in stamped[index]],
                            count, root_settings)
    findings.sort(key=Finding.sort_key)
    outcome_base = None
    if config.baseline and apply_baseline:
        every_file = not plan.insert_files and whole and not config.since

        def in_scope(entry: baseline_file.Entry) -> bool:
            path = real(os.path.join(stamp_base, entry.path))
            return path in scope or (every_file and bool(site_paths) and _under(path, site_paths))

        outcome_base = baseline_file.apply(findings, baseline_file.load(config.baseline),
                                           in_scope)
        findings = list(outcome_base.kept)
    return LintResult(tuple(findings), texts, tuple(plan.roots.values()), config, suppressed,
                      # the rules that ran describe themselves; a run read from the
                      # cache loaded none, and reads their catalogue
                      run_infos() if replayed else catalogue_infos(),
                      notes + tuple(cache_notes), tuple(settings),
                      baselined=outcome_base.hidden if outcome_base else 0,
                      stale=outcome_base.stale if outcome_base else (),
                      timelines=tuple(replayed),
                      real_paths=tuple(its_reals for _, _, its_reals in per_root))


def settings_of(paths: Sequence[str], config: Config | None = None
                ) -> tuple[tuple[str, Settings], ...]:
    """The connection settings of each history ``paths`` name, without linting them.

    What ``check --show-settings`` prints; raises :class:`MigrateLintError` as `lint` does.
    """
    from migrate_lint.pipeline import load_history

    config = validate(config if config is not None else load_config())
    plan = _plan(paths, config, config.insert_paths)
    requested = Requested.from_config(config)
    return tuple((root, load_history(root, requested=requested).settings)
                 for root in plan.roots.values())
