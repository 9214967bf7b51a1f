"""`per-file-ignores`: rule codes not reported in migration files matching a glob.

Keyed by glob, as ruff's are. A glob holding a `/` was made absolute from the
configuration file's directory when it was read; a glob without one matches the
file's name or the name of the folder it sits in (a migration folder such as
``0003_add_tags/migration.sql``), so ``"0003_*"`` covers every layout.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fnmatch import fnmatchcase

Rules = Sequence[tuple[str, Sequence[str]]]


def _matches(glob: str, path: str) -> bool:
    full = os.path.abspath(path)
    if os.path.isabs(glob):
        return fnmatchcase(full.replace(os.sep, "/"), os.path.normpath(glob).replace(os.sep, "/"))
    parent = os.path.basename(os.path.dirname(full))
    return fnmatchcase(os.path.basename(full), glob) or fnmatchcase(parent, glob)


def ignored(code: str, path: str, rules: Rules) -> bool:
    """Whether ``code`` is ignored in ``path``: a matching glob lists it or a prefix of it.

    >>> ignored("DL001", "db/0001_init.sql", [("0001_*", ["DL"])])
    True
    >>> ignored("DL001", "db/0002_more.sql", [("0001_*", ["DL"])])
    False
    """
    return any(
        _matches(glob, path) and any(c == "ALL" or code.startswith(c) for c in codes)
        for glob, codes in rules
    )
