"""The lint engine: run every selected rule over a replayed history.

A rule sees the world, not files: the statement, the schema before and after it,
the timeline and the insert sites. It yields findings and keeps no state. A rule
that raises becomes a finding ("internal error in rule X") instead of ending the run.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, ClassVar

from migrate_lint.claims import Claim
from migrate_lint.config import Config
from migrate_lint.findings import Facts, Finding, Related, Worded
from migrate_lint.history import STATEMENT_KINDS, History, Migration, Statement, StatementKind
from migrate_lint.replay import Step, Timeline
from migrate_lint.schema import Schema
from migrate_lint.span import Span

if TYPE_CHECKING:  # read from git only with --since: the module (and git's) stays unloaded
    from migrate_lint.gitbase import GitBase

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_CODE = re.compile(r"^[A-Z]{2}\d{3}$")


@dataclass(frozen=True)
class Context:
    """What a rule may look at for one statement."""

    timeline: Timeline
    step_index: int
    config: Config
    inserts: tuple[object, ...] = ()  # InsertSite objects (see migrate_lint.inserts)
    base: GitBase | None = None  # the migration files at `--since REV`, when given

    @property
    def step(self) -> Step:
        """The step being checked."""
        return self.timeline.steps[self.step_index]

    @property
    def before(self) -> Schema:
        """The schema before the statement."""
        return self.step.before

    @property
    def after(self) -> Schema:
        """The schema after the statement."""
        return self.step.after

    @property
    def migration_index(self) -> int:
        """Index of the statement's migration in the history."""
        return self.step.migration

    @property
    def migration(self) -> Migration:
        """The statement's migration."""
        return self.timeline.history.migrations[self.step.migration]


@dataclass(frozen=True)
class HistoryContext:
    """What a whole-history rule may look at."""

    timeline: Timeline
    config: Config
    inserts: tuple[object, ...] = ()
    diagnostics: tuple[object, ...] = field(default=())
    base: GitBase | None = None  # the migration files at `--since REV`, when given
    # The migrations whose findings the run reports (`check FILES`); None: all of them.
    # A rule may skip work whose findings can only land in other migrations' files;
    # findings outside every migration file (insert sites) are always wanted.
    scope: frozenset[int] | None = None

    @property
    def history(self) -> History:
        """The parsed history."""
        return self.timeline.history

    def wants(self, migration: int | None) -> bool:
        """Whether findings in migration ``migration`` (an index) are reported."""
        return self.scope is None or migration in self.scope


class Rule:
    """Base of every rule. Subclasses set the class attributes and override a check.

    The class docstring is the user documentation, in the sections of
    ``DOC_SECTIONS``; ``migrate-lint explain CODE`` prints it and a test runs its
    Example (must fire) and Use instead (must not).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str] = "error"
    # Statement kinds (history.Statement.kind) `check` is called for; empty: never.
    kinds: ClassVar[frozenset[StatementKind]] = frozenset()
    fix_title: ClassVar[str | None] = None
    # What happens to a finding whose claim (Finding.claim) SQLite does not bear out
    # on synthetic rows: "drop" it, or "warn" (keep it as a warning that says so).
    unconfirmed: ClassVar[str] = "drop"
    # With `--since REV` only findings in files added or changed since are reported;
    # a rule about what disappeared since anchors on a file that may be unchanged and
    # is reported all the same.
    anchored_anywhere: ClassVar[bool] = False

    def check(self, stmt: Statement, ctx: Context) -> Iterable[Finding]:
        """Findings for one statement of the up direction."""
        return ()

    @classmethod
    def claims(cls, stmt: Statement) -> bool:
        """True when this rule explains a statement the reader could not understand.

        The engine then leaves out that statement's generic MG001 parse error.
        """
        return False

    def check_history(self, ctx: HistoryContext) -> Iterable[Finding]:
        """Findings that need the whole history (called once per run)."""
        return ()

    def report(
        self,
        facts: Facts,
        span: Span,
        *,
        related: Sequence[Related] = (),
        severity: str | None = None,
        claim: Claim | None = None,
        statement: Span | None = None,
        migration: str | None = None,
    ) -> Finding:
        """The finding of ``facts`` at ``span`` (the most precise place).

        Message, help and fix title come from ``facts``. In ``check`` leave ``statement``
        and ``migration`` out: the engine fills in the statement being checked and its
        migration. A whole-history rule names them when the finding sits in a statement.
        """
        return Finding(
            self.code, self.name, severity or self.severity, facts.message(), span,
            facts.help(), statement, migration, tuple(related),
            facts.fix_title() or self.fix_title, facts, claim,
        )

    def finding(
        self,
        span: Span,
        message: str,
        *,
        help: str = "",
        statement: Span | None = None,
        migration: str | None = None,
        related: Sequence[Related] = (),
    ) -> Finding:
        """A finding worded by hand (a stand-in rule in a test): its facts are its words.
        The rules of the package report their own :class:`Facts` with :meth:`report`."""
        return self.report(Worded(message, help), span, statement=statement,
                           migration=migration, related=related)

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation (its docstring, dedented)."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation."""
        return cls.doc().splitlines()[0] if cls.__doc__ else ""


def _rules_package() -> ModuleType:
    """``migrate_lint.rules``: in the wheel a subpackage; in a source tree ``rules/``."""
    try:
        return importlib.import_module("migrate_lint.rules")
    except ModuleNotFoundError:
        rules = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))),
                             "rules")
        spec = importlib.util.spec_from_file_location(
            "migrate_lint.rules", os.path.join(rules, "__init__.py"),
            submodule_search_locations=[rules]
        )
        if spec is None or spec.loader is None:
            raise
        module = importlib.util.module_from_spec(spec)
        sys.modules["migrate_lint.rules"] = module
        spec.loader.exec_module(module)
        return module


def is_fixable(cls: type[Rule]) -> bool:
    """A rule is fixable when it defines ``fix(facts, ctx) -> Plan | None`` beside its
    check (``migrate_lint.fix.model``); nothing else lists fixable codes."""
    return callable(getattr(cls, "fix", None))


def validate_rule(cls: type[Rule], stem: str) -> None:
    """Check a rule's metadata at registration; raise TypeError naming what is wrong."""
    where = f"rule {cls.__name__} in rules/{stem}.py"
    if not _CODE.match(getattr(cls, "code", "")):
        raise TypeError(f"{where}: code must look like NN001")
    if cls.name.replace("-", "_") != stem:
        raise TypeError(f"{where}: name {cls.name!r} must equal the file stem {stem!r}")
    if cls.severity not in ("error", "warning", "info"):
        raise TypeError(f"{where}: severity must be error, warning or info")
    unknown = sorted(set(cls.kinds) - STATEMENT_KINDS)
    if unknown:
        raise TypeError(f"{where}: kinds {unknown} are no statement kind the parser produces "
                        f"({', '.join(sorted(STATEMENT_KINDS))})")
    if is_fixable(cls) != (cls.fix_title is not None):
        raise TypeError(f"{where}: a rule with fix() needs a fix_title, and only such a rule")
    doc = cls.doc()
    positions = [doc.find(f"## {section}") for section in DOC_SECTIONS]
    if -1 in positions or positions != sorted(positions):
        raise TypeError(f"{where}: docstring needs sections {', '.join(DOC_SECTIONS)} in order")


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, one per module of the rules package, sorted by code."""
    found: dict[str, type[Rule]] = {}
    for name in sorted(rule_modules()):
        cls = _rule_in(name)
        if cls.code in found:
            raise TypeError(f"rule code {cls.code} is defined twice")
        found[cls.code] = cls
    return tuple(found[c] for c in sorted(found))


@lru_cache(maxsize=1)
def rule_modules() -> frozenset[str]:
    """The names of the rule modules (``rules/<name>.py``), without importing them."""
    package = _rules_package()
    return frozenset(info.name for info in pkgutil.iter_modules(package.__path__)
                     if not info.name.startswith(("_", "test")))


def rules_in(modules: Iterable[str]) -> tuple[type[Rule], ...]:
    """The rule classes of ``modules`` (names in `rule_modules`), sorted by code,
    importing those modules only."""
    return tuple(sorted((_rule_in(name) for name in set(modules)), key=lambda c: c.code))


@cache
def _rule_in(name: str) -> type[Rule]:
    """The one rule class of module ``rules/<name>.py``, checked (`validate_rule`)."""
    package = _rules_package()
    module = importlib.import_module(f"{package.__name__}.{name}")
    rules = [
        obj for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule
        and obj.__module__ == module.__name__
    ]
    if len(rules) != 1:
        raise TypeError(f"rules/{name}.py must define exactly one rule")
    validate_rule(rules[0], name)
    return rules[0]


def rule_by_code(code: str) -> type[Rule] | None:
    """The rule with ``code`` (case-insensitive), or with that kebab name."""
    wanted = code.upper()
    for cls in all_rules():
        if cls.code == wanted or cls.name == code.lower():
            return cls
    return None


def rule_reads(cls: type[Rule]) -> tuple[tuple[str, ...], bool, bool]:
    """What ``cls`` reads, as the rule catalogue keeps it (`rulebook.RuleEntry`): the
    statement kinds its `Rule.check` runs on (none without one), whether it has a
    `Rule.check_history`, and whether it has a `Rule.claims`."""
    kinds = tuple(sorted(k.value for k in cls.kinds)) if cls.check is not Rule.check else ()
    claims = getattr(cls.claims, "__func__", None) is not getattr(Rule.claims, "__func__", None)
    return kinds, cls.check_history is not Rule.check_history, claims


def run_rules(
    timeline: Timeline,
    config: Config,
    rules: Sequence[type[Rule]],
    inserts: Sequence[object] = (),
    base: GitBase | None = None,
    scope: frozenset[int] | None = None,
) -> list[Finding]:
    """Run ``rules`` over every up statement and the whole history.

    ``base`` (from ``--since REV``) tells history rules which migration files existed
    at that revision and what they held. ``scope`` (the migrations of the files
    `check FILES` was given) limits the per-statement rules to those migrations'
    statements and is passed on to the history rules (`HistoryContext.scope`): a
    statement's findings sit in its own migration's files.
    """
    instances = [cls() for cls in rules]
    by_kind: dict[str, list[Rule]] = {}
    for rule in instances:
        if type(rule).check is Rule.check:
            continue  # a whole-history rule: nothing to call per statement
        for kind in rule.kinds:
            by_kind.setdefault(kind, []).append(rule)
    findings: list[Finding] = []
    insert_tuple = tuple(inserts)
    # Rules read a statement's tree while its migration is checked, seldom after: each
    # migration's trees go once it is done, and are made again if asked (issue 13).
    from migrate_lint.parse import TreeMaker  # the reader: loaded once rules run

    maker = TreeMaker(timeline.history)
    steps = timeline.steps
    for first, stop in _step_ranges(timeline, scope):
        for index in range(first, stop):
            step = steps[index]
            interested = by_kind.get(step.statement.kind)
            if not interested:
                continue
            ctx = Context(timeline, index, config, insert_tuple, base)
            label = ""
            for rule in interested:
                # This loop runs rules x statements times: no wrapper objects per call.
                try:
                    for finding in rule.check(step.statement, ctx):
                        if finding.migration is None and finding.statement is None:
                            # the statement checked and its migration, filled in here once
                            label = label or ctx.migration.label
                            finding = replace(finding, statement=step.statement.span,
                                              migration=label)
                        findings.append(finding)
                except Exception as err:  # a broken rule must not end the run
                    findings.append(_internal_error(rule, err, step.statement.span))
        for index in range(first, stop):
            maker.release(steps[index].statement)
    hctx = HistoryContext(timeline, config, insert_tuple, timeline.history.diagnostics, base,
                          scope)
    anchor = timeline.steps[0].statement.span if timeline.steps else Span(
        timeline.history.root, 0, 0, 1, 1, 1, 1)
    for rule in instances:
        try:
            findings.extend(rule.check_history(hctx))
        except Exception as err:  # a broken rule must not end the run
            findings.append(_internal_error(rule, err, anchor))
    return findings


def _step_ranges(timeline: Timeline, scope: frozenset[int] | None) -> Iterator[tuple[int, int]]:
    """The steps of each migration in ``scope`` (every one when None), in order, as
    (first, stop) ranges."""
    bounds = timeline.boundaries
    for m in range(len(bounds) - 1) if scope is None else sorted(scope):
        yield bounds[m], bounds[m + 1]


def _internal_error(rule: Rule, err: Exception, span: Span) -> Finding:
    """The finding that reports a rule that raised, instead of ending the run."""
    last = traceback.extract_tb(err.__traceback__)[-1]
    return Finding(
        rule.code, rule.name, "error",
        f"internal error in rule {rule.code} ({type(err).__name__}: {err} at "
        f"{os.path.basename(last.filename)}:{last.lineno}); please report it",
        span,
    )
