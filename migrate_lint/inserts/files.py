"""Which files under the insert paths are read, and which are skipped and why."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence

from migrate_lint.values import value_class

DEFAULT_EXCLUDES = ("node_modules", ".venv", "venv", ".git", "dist", "build", "__pycache__",
                    ".next", "target", "coverage", "vendor")
MAX_BYTES = 2 * 1024 * 1024
# A line this long is generated or minified code, never hand-written SQL-bearing
# source; parsing it costs time and yields positions nobody can read.
MAX_LINE = 5000

LANGUAGES = {
    ".sql": "sql",
    ".py": "python",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".go": "go",
    ".rs": "rust",
}


@value_class
class SourceFile:
    """A file to read: its display path and language."""

    path: str
    language: str


def language_of(path: str) -> str | None:
    """The language a file is read as, from its extension; ``None``: not read."""
    name = path.lower()
    if name.endswith((".min.js", ".d.ts")):
        return None  # minified bundles and type declarations hold no inserts
    return LANGUAGES.get(os.path.splitext(name)[1])


@value_class
class Excludes:
    """Exclude patterns sorted once per walk: plain names, plain paths and globs."""

    names: frozenset[str]  # node_modules, dist: a part of the path equals one
    paths: tuple[str, ...]  # src/gen: the path is it or under it
    globs: tuple[str, ...]

    @classmethod
    def of(cls, patterns: Sequence[str]) -> Excludes:
        """The patterns, each in its kind (a trailing ``/`` means nothing)."""
        names: set[str] = set()
        paths: list[str] = []
        globs: list[str] = []
        for pattern in patterns:
            pat = pattern.rstrip("/")
            if any(ch in pat for ch in "*?["):
                globs.append(pat)
            elif "/" in pat:
                paths.append(pat)
            else:
                names.add(pat)
        return cls(frozenset(names), tuple(paths), tuple(globs))

    @property
    def names_only(self) -> bool:
        """True when every pattern is a plain name: then a file under a directory the
        walk entered (none of its parts matched) is excluded by its own name alone."""
        return not self.paths and not self.globs

    def match(self, rel: str) -> bool:
        """True when ``rel`` (a relative path) or one of its parts matches a pattern."""
        rel = rel.replace(os.sep, "/")
        parts = rel.split("/")
        if not self.names.isdisjoint(parts):
            return True
        if any(rel == pat or rel.startswith(pat + "/") for pat in self.paths):
            return True
        return any(fnmatch.fnmatch(rel, pat) or any(fnmatch.fnmatch(p, pat) for p in parts)
                   for pat in self.globs)


def walk(paths: Sequence[str], exclude: Sequence[str] = ()) -> Iterator[SourceFile]:
    """Source files under ``paths`` (files or directories), sorted, excludes applied."""
    patterns = Excludes.of((*DEFAULT_EXCLUDES, *exclude))
    seen: set[str] = set()
    for root in paths:
        if os.path.isfile(root):
            lang = language_of(root)
            if lang and root not in seen:
                seen.add(root)
                yield SourceFile(root, lang)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = os.path.relpath(dirpath, root)
            dirnames[:] = sorted(
                d for d in dirnames
                if not patterns.match(os.path.normpath(os.path.join(rel_dir, d)))
            )
            for name in sorted(filenames):
                lang = language_of(name)
                if lang is None:
                    continue
                full = os.path.join(dirpath, name)
                if full in seen or (name in patterns.names if patterns.names_only else
                                    patterns.match(os.path.normpath(os.path.join(rel_dir, name)))):
                    continue
                seen.add(full)
                yield SourceFile(full, lang)


def decode(data: bytes) -> tuple[str | None, str]:
    """The text of a file's bytes, or ``None`` and the reason it is skipped."""
    if len(data) > MAX_BYTES:
        return None, f"larger than {MAX_BYTES // (1024 * 1024)} MB ({len(data)} bytes)"
    if b"\0" in data[:8192]:
        return None, "binary file (NUL bytes)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, f"not UTF-8 text (byte {err.start})"
    longest = max(map(len, text.split("\n"))) if len(text) > MAX_LINE else 0
    if longest > MAX_LINE:
        return None, f"looks minified or generated (a line of {longest} characters)"
    return text.lstrip("\ufeff") if text.startswith("\ufeff") else text, ""
