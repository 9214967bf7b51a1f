"""Every `>>>` example in the package runs, as in sqlglot: one test over all modules."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import migrate_lint
from migrate_lint.engine import all_rules


def _modules() -> list[str]:
    all_rules()  # loads the rules package (migrate_lint.rules, from rules/ in a checkout)
    names = [m.name for m in pkgutil.walk_packages(migrate_lint.__path__, "migrate_lint.")]
    rules = importlib.import_module("migrate_lint.rules")
    names += [f"migrate_lint.rules.{m.name}" for m in pkgutil.iter_modules(rules.__path__)]
    return sorted(n for n in names if not n.endswith("__main__"))


@pytest.mark.parametrize("name", _modules())
def test_module_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"
