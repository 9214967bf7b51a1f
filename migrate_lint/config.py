"""Settings: `[tool.migrate-lint]` in pyproject.toml or `.migrate-lint.toml`, and flags.

The file is found by walking up from each migrations directory or file a run is
given (the nearest one applies), else from the current directory: in each directory a
``.migrate-lint.toml`` (top-level keys) wins over a ``pyproject.toml`` that has a
``[tool.migrate-lint]`` table; a ``pyproject.toml`` without the table is passed over.
Paths in the file (``path``, ``insert-paths``) are relative to the file's directory.
Unknown keys and values of the wrong type are errors naming the key and the file.
Rule codes are checked against the rule registry by :mod:`migrate_lint.registry`, which
knows the rules; this module does not.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field, replace
from types import ModuleType
from typing import Any

from migrate_lint import bounded
from migrate_lint.errors import MigrateLintError
from migrate_lint.settings import TRANSACTIONS, Origin
from migrate_lint.source import LAYOUTS, RUNNERS
from migrate_lint.values import value_class


def _toml() -> ModuleType:
    """tomllib (tomli before Python 3.11), imported where a TOML file is read: its
    import compiles regular expressions a run without a configuration file never uses."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib


DEFAULT_SQLITE_VERSION = (3, 40)
LEVELS = ("error", "warning", "info")
CONFIG_FILES = (".migrate-lint.toml", "pyproject.toml")


@value_class
class Config:
    """Everything a run is configured with; the CLI merges flags over the file."""

    path: str = "migrations"
    layout: str | None = None
    runner: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "warning"
    sqlite_version: tuple[int, int] = DEFAULT_SQLITE_VERSION
    severity: tuple[tuple[str, str], ...] = ()  # per-rule overrides (code, severity)
    sql_functions: tuple[str, ...] = ()  # functions the application registers at run time
    flag_functions: tuple[str, ...] = ()  # more of them, given as --sql-function
    # The migration connection: foreign keys on/off and where its transactions are
    # (None: the runner's default, or what the files show).
    foreign_keys: bool | None = None
    transaction: str | None = None
    insert_paths: tuple[str, ...] = ()
    insert_exclude: tuple[str, ...] = ()
    source: str | None = field(default=None, compare=False)  # file the settings came from
    # Passed through to the insert-path helper (older writers, progress output).
    writers_from: str | None = None
    # Report only migrations added or changed since this git revision (MG004/MG005 too).
    since: str | None = None
    verbose: bool = False
    show_settings: bool = False
    # Which fields the file set and which flags set (for `--show-settings`).
    in_file: frozenset[str] = field(default=frozenset(), compare=False)
    flags: frozenset[str] = field(default=frozenset(), compare=False)
    # Accepted findings (migrate_lint.baseline): a file path, resolved like `path`.
    baseline: str | None = None
    # (glob, codes): findings of those codes in matching migration files are not
    # reported. A glob with a `/` is absolute (resolved from the file's directory);
    # one without matches a file's name or its migration folder's name.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def merged(self, **overrides: Any) -> Config:
        """A copy with every override that is not None applied (flags over the file)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        # A flag that repeats the file's value leaves the file as the origin.
        flagged = {k for k, v in given.items() if getattr(self, k) != v}
        return replace(self, flags=self.flags | flagged, **given)

    def origin_of(self, name: str) -> Origin:
        """Where the value of field ``name`` came from: a flag, the file, or the default."""
        if name in self.flags:
            return Origin("flag", "--" + name.replace("_", "-"))
        if name in self.in_file:
            return Origin("config", self.origin)
        return Origin("default")

    def severity_of(self, code: str) -> str | None:
        """The configured severity override for ``code``, if any."""
        for key, level in self.severity:
            if key == code:
                return level
        return None

    @property
    def origin(self) -> str:
        """Where the settings came from, for messages."""
        return self.source or "the defaults"


def parse_sqlite_version(value: str, where: str = "--sqlite-version") -> tuple[int, int]:
    """``"3.40"`` -> ``(3, 40)``; raise MigrateLintError naming ``where`` otherwise.

    >>> parse_sqlite_version("3.35")
    (3, 35)
    """
    match = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.\d+)?\s*", value)
    if match is None:
        raise MigrateLintError(
            f"{where}: sqlite version {value!r} is not like 3.40; write MAJOR.MINOR"
        )
    return int(match.group(1)), int(match.group(2))


def find_config(start: str | os.PathLike[str] | None = None) -> str | None:
    """The configuration file that applies in ``start`` (default: the current directory).

    Walks up to the file system root; returns None when there is none.
    """
    here = os.path.abspath(os.fspath(start) if start is not None else os.getcwd())
    while True:
        dotfile = os.path.join(here, CONFIG_FILES[0])
        if os.path.isfile(dotfile):
            return dotfile
        pyproject = os.path.join(here, CONFIG_FILES[1])
        if os.path.isfile(pyproject) and _pyproject_table(pyproject) is not None:
            return pyproject
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def load_config(path: str | os.PathLike[str] | None = None,
                start: str | os.PathLike[str] | None = None) -> Config:
    """Read the configuration file ``path``, or the one :func:`find_config` finds.

    Returns the defaults when there is no file. Raises :class:`MigrateLintError`
    (one line naming file and key) on unreadable TOML, an unknown key or a bad value.
    """
    if path is None:
        found = find_config(start)
        if found is None:
            return Config()
        file = found
    else:
        file = os.fspath(path)
        if not os.path.isfile(file):
            raise MigrateLintError(f"{file}: no such configuration file")
    table = _read_table(file)
    return config_from_table(table, file)


def configs_for(paths: Sequence[str], config_file: str | None = None
                ) -> list[tuple[Config, tuple[str, ...]]]:
    """The paths of a run grouped by the configuration that applies to each.

    With ``config_file`` every path gets it. Otherwise each path gets the nearest
    configuration above it (a monorepo's ``packages/db/.migrate-lint.toml`` applies to
    ``packages/db/drizzle`` when the run starts at the repository root), falling back
    to the one found from the current directory. No paths: the current directory's.
    """
    if config_file is not None or not paths:
        return [(load_config(config_file), tuple(paths))]
    here = find_config()
    groups: dict[str | None, list[str]] = {}
    for path in paths:
        start = path if os.path.isdir(path) else (os.path.dirname(path) or ".")
        found = find_config(start) if os.path.isdir(start) else None
        groups.setdefault(found or here, []).append(path)
    return [(load_config(file) if file is not None else Config(), tuple(group))
            for file, group in groups.items()]


def _display(file: str) -> str:
    """``file`` relative to the current directory when it is below it."""
    try:
        rel = os.path.relpath(file)
    except ValueError:  # pragma: no cover - another drive on Windows
        return file
    return file if rel.startswith("..") else rel


def _load_toml(file: str) -> dict[str, Any]:
    tomllib = _toml()
    try:
        return tomllib.loads(bounded.read_regular(file, 1024 * 1024).decode("utf-8"))
    except UnicodeDecodeError as err:
        raise MigrateLintError(f"{_display(file)}: not UTF-8 text ({err.reason} at byte "
                               f"{err.start}); save it as UTF-8") from err
    except tomllib.TOMLDecodeError as err:
        raise MigrateLintError(f"{_display(file)}: invalid TOML: {err}") from err
    except OSError as err:
        raise MigrateLintError(f"{_display(file)}: cannot read ({err.strerror})") from err


def _pyproject_table(file: str) -> dict[str, Any] | None:
    data = _load_toml(file)
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    table = tool.get("migrate-lint")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise MigrateLintError(f"{_display(file)}: [tool.migrate-lint] must be a table")
    return table


def _read_table(file: str) -> dict[str, Any]:
    if os.path.basename(file) == "pyproject.toml":
        return _pyproject_table(file) or {}
    return _load_toml(file)


# --- values -------------------------------------------------------------------------


def _str(key: str, value: object, where: str) -> str:
    if not isinstance(value, str):
        raise MigrateLintError(
            f"{where}: `{key}` must be a string, not {_type_name(value)}"
        )
    return value


def _str_list(key: str, value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MigrateLintError(
            f"{where}: `{key}` must be a list of strings, not {_type_name(value)}"
        )
    return tuple(value)


def _choice(key: str, value: object, where: str, choices: tuple[str, ...]) -> str:
    text = _str(key, value, where)
    if text not in choices:
        raise MigrateLintError(
            f"{where}: `{key}` must be one of {', '.join(choices)}, not {text!r}"
        )
    return text


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _resolve(base: str, value: str) -> str:
    """A path from the file, relative to ``base``, as the run should spell it."""
    if os.path.isabs(value):
        return value
    full = os.path.normpath(os.path.join(base, value))
    try:
        return os.path.relpath(full)
    except ValueError:  # pragma: no cover - another drive on Windows
        return full


def _codes(key: str, value: object, where: str) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in _str_list(key, value, where) if c.strip())


def _severity_table(key: str, value: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise MigrateLintError(
            f"{where}: `{key}` must be a table of rule code = level, not {_type_name(value)}"
        )
    out: list[tuple[str, str]] = []
    for code, level in value.items():
        out.append((code.strip().upper(), _choice(f"{key}.{code}", level, where, LEVELS)))
    return tuple(out)


def _version(key: str, value: object, where: str) -> tuple[int, int]:
    if isinstance(value, float):
        raise MigrateLintError(
            f"{where}: `{key}` must be a string like \"3.40\" (a TOML number loses the "
            f"trailing zero), not {value!r}"
        )
    return parse_sqlite_version(_str(key, value, where), f"{where}: `{key}`")


def parse_on_off(value: object, where: str) -> bool:
    """``on``/``off`` (or a TOML boolean) -> bool; raise MigrateLintError naming ``where``.

    >>> parse_on_off("off", "--foreign-keys")
    False
    """
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in ("on", "true", "1", "yes"):
        return True
    if text in ("off", "false", "0", "no"):
        return False
    raise MigrateLintError(f"{where} must be on or off, not {value!r}")


def _per_file_ignores(key: str, value: object, where: str
                      ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise MigrateLintError(
            f"{where}: `{key}` must be a table of glob = [rule codes], not {_type_name(value)}"
        )
    return tuple((glob, _codes(f"{key}.{glob}", codes, where)) for glob, codes in value.items())


def _bool(key: str, value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise MigrateLintError(f"{where}: `{key}` must be true or false, not {_type_name(value)}")
    return value


# key -> (Config field, reader)
_KEYS: Mapping[str, tuple[str, Callable[[str, object, str], object]]] = {
    "path": ("path", _str),
    "layout": ("layout", lambda k, v, w: _choice(k, v, w, LAYOUTS)),
    "runner": ("runner", lambda k, v, w: _choice(k, v, w, RUNNERS)),
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "fail-on": ("fail_on", lambda k, v, w: _choice(k, v, w, LEVELS)),
    "sqlite-version": ("sqlite_version", _version),
    "severity": ("severity", _severity_table),
    "sql-functions": ("sql_functions", _str_list),
    "foreign-keys": ("foreign_keys", lambda k, v, w: parse_on_off(v, f"{w}: `{k}`")),
    "transaction": ("transaction", lambda k, v, w: _choice(k, v, w, TRANSACTIONS)),
    "insert-paths": ("insert_paths", _str_list),
    "insert-exclude": ("insert_exclude", _str_list),
    "writers-from": ("writers_from", _str),
    "since": ("since", _str),
    "verbose": ("verbose", _bool),
    "baseline": ("baseline", _str),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
}
KNOWN_KEYS = tuple(_KEYS)


def config_from_table(table: Mapping[str, Any], file: str) -> Config:
    """Build a Config from the settings table read from ``file``."""
    where = _display(file)
    section = "[tool.migrate-lint]" if os.path.basename(file) == "pyproject.toml" else ""
    base = os.path.dirname(os.path.abspath(file))
    values: dict[str, Any] = {}
    for key, value in table.items():
        entry = _KEYS.get(key)
        if entry is None:
            import difflib  # for this message only

            guess = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            hint = f"; did you mean `{guess[0]}`?" if guess else (
                f"; known keys: {', '.join(KNOWN_KEYS)}")
            inside = f" in {section}" if section else ""
            raise MigrateLintError(f"{where}: unknown key `{key}`{inside}{hint}")
        name, reader = entry
        values[name] = reader(key, value, where)
    if "path" in values:
        values["path"] = _resolve(base, str(values["path"]))
    if "insert_paths" in values:
        paths = values["insert_paths"]
        assert isinstance(paths, tuple)
        values["insert_paths"] = tuple(_resolve(base, str(p)) for p in paths)
    if "baseline" in values:
        values["baseline"] = _resolve(base, str(values["baseline"]))
    if "per_file_ignores" in values:
        values["per_file_ignores"] = tuple(
            (os.path.join(base, glob) if "/" in glob else glob, codes)
            for glob, codes in values["per_file_ignores"])
    return replace(Config(source=where, in_file=frozenset(values)), **values)
