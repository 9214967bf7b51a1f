"""The rule registry: what each code is (name, default severity, summary, fix title),
and which codes a run selects.

The rule classes (``rules/<name>.py``, loaded by :mod:`migrate_lint.engine`) and the
built-in codes of the reader and the run (MG000-MG003, MG006) answer here;
``check``, ``fix``, ``rules`` and ``against`` read codes and selections through it.
Codes, names and selections are read from the rule catalogue (`migrate_lint.rulebook`,
kept equal to the rule classes by tests/test_startup.py): checking a configuration
imports no rule, and a run answered from the cache never does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from migrate_lint import rulebook
from migrate_lint.config import LEVELS, Config
from migrate_lint.diagnostics import Diagnostic
from migrate_lint.errors import MigrateLintError
from migrate_lint.findings import Finding, Worded
from migrate_lint.result import RuleInfo
from migrate_lint.span import Span

if TYPE_CHECKING:
    from migrate_lint.engine import Rule

# Codes produced by the reader and by the run (migrate_lint.lint), with their defaults for when the
# rule class (rules/<name>.py) is not registered.
BUILTIN: Mapping[str, tuple[str, str, str]] = {
    "MG000": ("discovery-problem", "warning",
              "A file or folder in the migrations directory that discovery could not place."),
    "MG001": ("parse-error", "error", "A statement the tool could not understand."),
    "MG002": ("missing-separator", "error",
              "Two statements merged into one by a missing `;` or breakpoint."),
    "MG003": ("duplicate-version", "error", "Two migrations share a version."),
    "MG006": ("unused-suppression", "warning",
              "A suppression that matched nothing or names an unknown rule."),
}
# Rule families of the catalogue: a prefix selects every rule of the family.
FAMILIES = ("NN", "SQ", "RB", "DL", "MG", "FK", "DB")
_PREFIX = re.compile(r"^[A-Z]{1,2}\d{0,3}$")


def rule_infos() -> tuple[RuleInfo, ...]:
    """Every registered rule, plus the built-in codes no rule class covers yet: read
    from the rule classes (what the catalogue is written from)."""
    from migrate_lint import engine

    return _with_builtins(_info(cls) for cls in engine.all_rules())


@lru_cache(maxsize=1)
def catalogue() -> tuple[rulebook.RuleEntry, ...]:
    """The rule catalogue's entries, read once."""
    return rulebook.load()


@lru_cache(maxsize=1)
def catalogue_infos() -> tuple[RuleInfo, ...]:
    """What `rule_infos` says, read from the rule catalogue without importing a rule."""
    return _with_builtins(RuleInfo(e.code, e.name, e.severity, e.summary, e.doc, e.fix_title)
                          for e in catalogue())


def catalogue_is_whole() -> bool:
    """Whether the catalogue lists exactly the rule modules there are (in a source tree a
    rule may have been added or removed since it was written)."""
    from migrate_lint import engine

    return engine.rule_modules() == {e.module for e in catalogue()}


def run_infos() -> tuple[RuleInfo, ...]:
    """Every rule's `RuleInfo` for a run's result: the catalogue's, which imports no
    rule, where it lists every rule module; else the rule classes'."""
    return catalogue_infos() if catalogue_is_whole() else rule_infos()


def rules_for(config: Config, kinds: frozenset[str] | None, problems: bool
              ) -> tuple[type[Rule], ...]:
    """The rules ``config`` selects that can report on statements of ``kinds`` (None:
    every rule): each whose check runs on one of them, each that checks the whole
    history, and, where ``problems`` (a statement the reader could not understand is
    among them), each that claims statements (`Rule.claims`).

    `check NEW.sql` imports only these: a rule module costs about a millisecond to
    import, more than checking one file with it. What each rule reads comes from the
    catalogue (`rulebook.RuleEntry`, kept equal to the rule classes by
    tests/test_startup.py); where it does not list every rule module, every selected
    rule is loaded.
    """
    from migrate_lint import engine

    if kinds is None or not catalogue_is_whole():
        return tuple(cls for cls in engine.all_rules()
                     if is_selected(cls.code, config.select, config.ignore))
    return engine.rules_in(
        e.module for e in catalogue()
        if is_selected(e.code, config.select, config.ignore)
        and (e.history or (problems and e.claims) or not kinds.isdisjoint(e.kinds)))


def rule_class(code: str) -> type[Rule] | None:
    """The rule class of ``code`` (or kebab name), importing its module only when the
    catalogue names it; None for a code no rule class has."""
    from migrate_lint import engine

    entry = rulebook.find(catalogue(), code) if catalogue_is_whole() else None
    if entry is not None:
        cls = engine.rules_in([entry.module])[0]
        if cls.code == entry.code:
            return cls
    return engine.rule_by_code(code)


def _with_builtins(registered: Iterable[RuleInfo]) -> tuple[RuleInfo, ...]:
    infos = {info.code: info for info in registered}
    for code, (name, severity, summary) in BUILTIN.items():
        infos.setdefault(code, RuleInfo(code, name, severity, summary, summary))
    return tuple(infos[c] for c in sorted(infos))


def selected_codes(config: Config) -> tuple[str, ...]:
    """The codes ``config`` selects, by the catalogue (built-in codes included)."""
    return tuple(i.code for i in catalogue_infos()
                 if is_selected(i.code, config.select, config.ignore))


def _info(cls: type[Rule]) -> RuleInfo:
    return RuleInfo(cls.code, cls.name, cls.severity, cls.summary(), cls.doc(), cls.fix_title)


def find_rule(code_or_name: str) -> RuleInfo | None:
    """The rule with that code or kebab name (case-insensitive), or None. The catalogue
    answers first; a code it lacks is looked up among the rule classes (a rule added
    since the catalogue was written)."""
    wanted = code_or_name.strip()
    for infos in (catalogue_infos, rule_infos):
        for info in infos():
            if wanted.upper() == info.code or wanted.lower() == info.name:
                return info
    return None


def suggest(code_or_name: str) -> str | None:
    """The closest known code or name, for "did you mean" hints."""
    infos = rule_infos()
    pool = [i.code for i in infos] + [i.name for i in infos]
    up = code_or_name.strip()
    import difflib  # for this message only

    guess = difflib.get_close_matches(up.upper(), [i.code for i in infos], n=1) or \
        difflib.get_close_matches(up.lower(), pool, n=1)
    return guess[0] if guess else None


def check_codes(codes: Iterable[str], origin: str) -> tuple[str, ...]:
    """Normalise rule codes or prefixes (``NN``, ``NN001``, ``ALL``, a kebab name).

    Raises :class:`MigrateLintError` naming ``origin`` and the first unknown code.
    The catalogue answers; codes it lacks are looked up among the rule classes (a rule
    added since the catalogue was written), which also make the "did you mean" hint.
    """
    codes = [c for c in codes if c.strip()]
    if not codes:
        return ()  # nothing to check: no rule catalogue to read
    try:
        return _check_codes(codes, origin, catalogue_infos())
    except MigrateLintError:
        return _check_codes(codes, origin, rule_infos())


def _check_codes(codes: Sequence[str], origin: str, infos: Sequence[RuleInfo]
                 ) -> tuple[str, ...]:
    known = [i.code for i in infos]
    names = {i.name: i.code for i in infos}
    out: list[str] = []
    for raw in codes:
        text = raw.strip()
        if not text:
            continue
        upper = text.upper()
        if upper == "ALL":
            out.append("ALL")
        elif text.lower() in names:
            out.append(names[text.lower()])
        elif _PREFIX.match(upper) and (upper in FAMILIES
                                       or any(k.startswith(upper) for k in known)):
            out.append(upper)
        else:
            guess = suggest(text)
            hint = f"; did you mean `{guess}`?" if guess else "; see `migrate-lint rules`"
            raise MigrateLintError(f"{origin}: unknown rule code `{text}`{hint}")
    return tuple(dict.fromkeys(out))


def _matches(prefix: str, code: str) -> bool:
    return prefix == "ALL" or code.startswith(prefix)


def is_selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether ``code`` runs: the most specific matching prefix decides; ties ignore.

    >>> is_selected("NN001", ("NN",), ("NN001",))
    False
    >>> is_selected("NN001", ("NN001",), ("NN",))
    True
    """
    chosen = select or ("ALL",)
    best_select = max((len(p) if p != "ALL" else 0 for p in chosen if _matches(p, code)),
                      default=-1)
    best_ignore = max((len(p) if p != "ALL" else 0 for p in ignore if _matches(p, code)),
                      default=-1)
    return best_select >= 0 and best_select > best_ignore


def validate(config: Config) -> Config:
    """Check and normalise the rule codes a configuration names (select, ignore, severity)."""
    origin = config.origin
    severity = []
    for code, level in config.severity:
        resolved = check_codes([code], f"{origin}: severity")
        if level not in LEVELS:
            raise MigrateLintError(f"{origin}: severity of {code} must be one of "
                                   f"{', '.join(LEVELS)}")
        for c in resolved:
            severity.append((c, level))
    if config.fail_on not in LEVELS:
        raise MigrateLintError(f"{origin}: fail-on must be one of {', '.join(LEVELS)}")
    per_file = tuple((glob, check_codes(codes, f"{origin}: per-file-ignores.{glob}"))
                     for glob, codes in config.per_file_ignores)
    return replace(
        config,
        select=check_codes(config.select, f"{origin}: select"),
        ignore=check_codes(config.ignore, f"{origin}: ignore"),
        severity=tuple(severity),
        per_file_ignores=per_file,
    )


def defaults(code: str) -> tuple[str, str, type[Rule] | None]:
    cls = rule_class(code)
    if cls is not None:
        return cls.name, cls.severity, cls
    name, severity, _ = BUILTIN.get(code, (code.lower(), "error", ""))
    return name, severity, None


def diagnostic_finding(diag: Diagnostic) -> Finding:
    """A history diagnostic as a finding of its rule (span None: line 1, column 1)."""
    name, severity, cls = defaults(diag.code)
    span = diag.span or Span.file_start(diag.path)
    help_text = getattr(cls, "help", "") if cls is not None else ""
    facts = Worded(diag.message, help_text if isinstance(help_text, str) else "",
                   tuple(diag.tables))
    return Finding(diag.code, name, severity, facts.message(), span, facts.help(), facts=facts)


def anchored_anywhere(code: str) -> bool:
    cls = rule_class(code)
    return cls is not None and cls.anchored_anywhere
