"""Rule documentation outside the terminal: ``docs/rules/<CODE>.md`` and its URL.

The pages are generated from the rule docstrings (``migrate-lint rules --write-docs
docs/rules``) and a test fails when one is stale, so the docstring stays the only
place a rule is documented. Reporters link findings to these pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrate_lint.result import RuleInfo

REPOSITORY = "https://github.com/migrate-lint/migrate-lint"
DOCS_DIR = "docs/rules"


def doc_path(code: str) -> str:
    """The page's path inside the repository.

    >>> doc_path("NN001")
    'docs/rules/NN001.md'
    """
    return f"{DOCS_DIR}/{code}.md"


def doc_url(code: str) -> str:
    """The page's address on the repository's default branch."""
    return f"{REPOSITORY}/blob/main/{doc_path(code)}"


def render_page(info: RuleInfo, fixable: bool) -> str:
    """The Markdown page of one rule: title, facts, then the docstring as written."""
    lines = [
        f"# {info.code} {info.name}",
        "",
        "<!-- generated from the rule's docstring by `migrate-lint rules --write-docs "
        "docs/rules`; edit the docstring, not this file -->",
        "",
        f"- Default severity: **{info.severity}**",
        f"- Fixable by `migrate-lint fix`: **{'yes' if fixable else 'no'}**",
    ]
    if info.fix_title:
        lines.append(f"- Fix: {info.fix_title}")
    lines += ["", info.doc.strip(), ""]
    return "\n".join(lines)
