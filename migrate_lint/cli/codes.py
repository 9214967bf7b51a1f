"""Rule-code flags (``--select``, ``--ignore``), read the same way by every command.

``check`` and ``fix`` both take them: one reading means ``fix --select XX999`` fails
as ``check --select XX999`` does (exit 2, "unknown rule code"), not "nothing to fix".
"""

from __future__ import annotations

from collections.abc import Iterable


def split_codes(values: str | Iterable[str]) -> tuple[str, ...]:
    """The comma-separated codes of one flag value, or of a repeated flag's values."""
    parts = (values,) if isinstance(values, str) else tuple(values)
    return tuple(c.strip() for v in parts for c in v.split(",") if c.strip())


def rule_codes(values: str | Iterable[str], flag: str) -> tuple[str, ...]:
    """The normalised codes of a rule-code flag; MigrateLintError names ``flag``."""
    # the registry imports the engine and the model: loaded when a flag is read, not
    # when a command is listed
    from migrate_lint.registry import check_codes

    return check_codes(split_codes(values), flag)
