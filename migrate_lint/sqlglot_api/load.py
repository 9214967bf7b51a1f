"""Loading sqlglot once: compiled (sqlglotc) when it matches sqlglot exactly, else pure
Python; and the handles the other modules of this package reach sqlglot through.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from types import ModuleType
from typing import Any

from migrate_lint.sqlglot_api import PURE_ENV
from migrate_lint.values import value_class

PINNED_VERSION = "30.30.0"


@value_class
class EngineInfo:
    """Which sqlglot runs, and why the compiled one does not where it does not."""

    version: str
    compiled: bool
    note: str = ""


class _PurePythonFinder:
    """Loads sqlglot's ``.py`` sources, skipping sqlglotc's compiled overlays. (A meta
    path finder by its `find_spec`, not by deriving from importlib.abc's: that module
    imports importlib.resources and tempfile, for every run that parses.)

    sqlglotc drops ``.so`` files beside sqlglot's modules and the import system
    prefers them; a mismatched pair must not load, so this finder answers first.
    """

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "sqlglot" and not fullname.startswith("sqlglot."):
            return None
        leaf = fullname.rpartition(".")[2]
        for entry in path if path is not None else sys.path:
            package = os.path.join(entry, leaf)
            init = os.path.join(package, "__init__.py")
            if os.path.isfile(init):
                return importlib.util.spec_from_file_location(
                    fullname, init, submodule_search_locations=[package]
                )
            module = package + ".py"
            if os.path.isfile(module):
                return importlib.util.spec_from_file_location(fullname, module)
        return None


def _dist_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None when it is not installed.

    Read from the name of its ``<name>-<version>.dist-info`` folder on ``sys.path``,
    where `importlib.metadata` looks first: importing that module (and the email parser
    it reads METADATA with) costs a warm `check FILES` more than the rest of this
    loader. Anything else (an egg, a zip, a folder name that is no version) is
    left to `importlib.metadata`.
    """
    version = _dist_info_version(name, sys.path)
    if version is not None:
        return version or None
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _dist_info_version(name: str, entries: Sequence[str]) -> str | None:
    """The version in the first ``<name>-<version>.dist-info`` folder of ``entries``
    (folders, in order); "" when no entry holds ``name`` in any form; None when one
    might and only `importlib.metadata` can tell (an egg, a zip, an odd folder name)."""
    wanted = _normalized(name)
    for entry in entries:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            if entry and os.path.isfile(entry):
                return None  # a zip on sys.path: importlib.metadata reads it
            continue
        for child in names:
            stem, dot, suffix = child.rpartition(".")
            if suffix.lower() not in ("dist-info", "egg-info", "egg") or not dot:
                continue
            dist, _, version = stem.partition("-")
            if _normalized(dist) != wanted:
                continue
            if suffix.lower() != "dist-info" or not version[:1].isdigit() or "-" in version:
                return None
            return version
    return ""


def _normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return "_".join(part for part in name.lower().replace("-", "_").replace(".", "_")
                    .split("_") if part)


@lru_cache(maxsize=1)
def engine() -> EngineInfo:
    """Load sqlglot once, compiled when sqlglotc matches it exactly, else pure Python."""
    core = _dist_version("sqlglot") or "unknown"
    compiled = _dist_version("sqlglotc")
    note = ""
    if "sqlglot" not in sys.modules and compiled is not None:
        if os.environ.get(PURE_ENV):
            note = f"pure-Python sqlglot forced by {PURE_ENV}"
        elif compiled != core:
            note = (
                f"sqlglotc {compiled} does not match sqlglot {core}; using pure-Python "
                f"sqlglot (pip install 'sqlglotc=={core}' to speed it up)"
            )
        if note:
            sys.meta_path.insert(0, _PurePythonFinder())
    with _metadata_on_demand():
        from sqlglot import tokens

    return EngineInfo(core, bool(tokens.SQLGLOTC_INSTALLED), note)


@contextmanager
def _metadata_on_demand() -> Iterator[None]:
    """While sqlglot loads, `importlib.metadata` is a stand-in that imports the module
    when one of its names is first used: sqlglot's dialect module imports its
    `entry_points` for dialect plugins, which a run never asks for (it names SQLite),
    and importing it (with the email parser it reads METADATA with) was a tenth of
    loading sqlglot. The stand-in is gone once sqlglot is loaded: a later import gets
    the module itself."""
    name = "importlib.metadata"
    if name in sys.modules:
        yield
        return
    stand_in = ModuleType(name)

    def real() -> ModuleType:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return importlib.import_module(name)

    def entry_points(**params: Any) -> Any:
        return real().entry_points(**params)

    def attribute(attr: str) -> Any:
        if attr.startswith("__"):  # what the import system asks (`__path__`): not a use
            raise AttributeError(attr)
        return getattr(real(), attr)

    stand_in.entry_points = entry_points  # type: ignore[attr-defined]
    stand_in.__getattr__ = attribute  # type: ignore[method-assign]
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


@lru_cache(maxsize=1)
def sqlite_dialect() -> Any:
    engine()
    from sqlglot.dialects.sqlite import SQLite

    return SQLite()


@lru_cache(maxsize=1)
def sqlite_tokenizer() -> Any:
    """One tokenizer for the process: ``Tokenizer.tokenize`` resets its state on every
    call (making one per file built its keyword tables again: a history of 100,000
    small files made 100,000)."""
    return sqlite_dialect().tokenizer()


@lru_cache(maxsize=1)
def sqlite_generator() -> Any:
    """One generator for the process: ``Generator.generate`` resets its state on every
    call (making one per call was a third of rendering a value)."""
    return sqlite_dialect().generator()


@lru_cache(maxsize=1)
def sqlite_parser() -> Any:
    """One parser for the process: ``Parser.parse`` resets its state on every call."""
    return sqlite_dialect().parser()


@lru_cache(maxsize=1)
def exp_module() -> Any:
    """sqlglot's expressions module, imported once: an import statement inside the
    helpers below would run the import machinery on every call."""
    engine()
    from sqlglot import exp

    return exp


@lru_cache(maxsize=1)
def tokens_module() -> Any:
    """sqlglot's tokens module (see ``exp_module``)."""
    engine()
    from sqlglot import tokens

    return tokens


@lru_cache(maxsize=1)
def errors_module() -> Any:
    """sqlglot's errors module (see ``exp_module``)."""
    engine()
    from sqlglot import errors

    return errors
