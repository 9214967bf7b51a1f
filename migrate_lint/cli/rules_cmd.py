"""`migrate-lint rules` and `migrate-lint explain`: what the rules are and why.

Both read the rule catalogue (`migrate_lint.rulebook`), not the rule classes, so they
import neither the rules nor the SQL layer; writing the pages and the catalogue reads
the rule classes themselves.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import click

from migrate_lint import rulebook
from migrate_lint.errors import MigrateLintError
from migrate_lint.ruledocs import doc_path, doc_url, render_page

if TYPE_CHECKING:
    from migrate_lint.result import RuleInfo


@click.command()
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="Output format.")
@click.option("--write-docs", "docs_dir", metavar="DIR", type=click.Path(path_type=str),
              help="Write one Markdown page per rule into DIR (docs/rules in this repository).")
@click.option("--write-catalogue", "catalogue", metavar="FILE", type=click.Path(path_type=str),
              hidden=True,
              help="Write the rule catalogue `rules` and `explain` read "
                   "(migrate_lint/data/rules.json in this repository).")
def rules(fmt: str, docs_dir: str | None, catalogue: str | None) -> None:
    """List every rule: code, name, default severity and summary."""
    if docs_dir is not None or catalogue is not None:
        _write(docs_dir, catalogue)
        return
    entries = rulebook.load()
    if fmt == "json":
        payload = [{"code": e.code, "name": e.name, "severity": e.severity,
                    "summary": e.summary, "fix_title": e.fix_title,
                    "fixable": e.fixable, "doc": e.doc,
                    "doc_path": doc_path(e.code), "url": doc_url(e.code)} for e in entries]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    width = max((len(e.name) for e in entries), default=0)
    for entry in entries:
        click.echo(f"{entry.code}  {entry.name:<{width}}  {entry.severity:<7}  {entry.summary}")


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation of rule CODE (a code like NN001 or a kebab name)."""
    info = rulebook.find(rulebook.load(), code)
    if info is None:
        from migrate_lint.registry import suggest  # the rules themselves, for the hint only

        guess = suggest(code)
        hint = f"; did you mean `{guess}`?" if guess else "; see `migrate-lint rules`"
        raise click.UsageError(f"unknown rule `{code}`{hint}")
    click.echo(f"# {info.code} {info.name} ({info.severity})\n")
    click.echo(info.doc)
    if info.fix_title:
        click.echo(f"\nFix: {info.fix_title}")


def _write(docs_dir: str | None, catalogue: str | None) -> None:
    """Write the rule pages and/or the catalogue, from the rule classes."""
    from migrate_lint import engine
    from migrate_lint.fix.requests import fixable_codes
    from migrate_lint.outfile import write_pieces
    from migrate_lint.registry import rule_infos

    infos = rule_infos()
    fixable = frozenset(fixable_codes())  # a rule is fixable when it defines fix()
    target = docs_dir
    try:
        if docs_dir is not None:
            _write_docs(docs_dir, infos, fixable)
        if catalogue is not None:
            target = catalogue
            reads = {cls.code: engine.rule_reads(cls) for cls in engine.all_rules()}
            write_pieces(catalogue, [rulebook.dumps(rulebook.entries_of(infos, fixable, reads))],
                         newline="\n")
            click.echo(f"{catalogue}: {len(infos)} rules written")
    except OSError as err:
        raise MigrateLintError(
            f"{err.filename or target}: cannot write ({err.strerror or err})") from None


def _write_docs(directory: str, infos: tuple[RuleInfo, ...],
                fixable: frozenset[str]) -> None:
    """Write ``<CODE>.md`` for every rule; remove pages of rules that no longer exist."""
    os.makedirs(directory, exist_ok=True)
    wanted = {f"{i.code}.md" for i in infos}
    for name in os.listdir(directory):
        if name.endswith(".md") and name not in wanted:
            os.remove(os.path.join(directory, name))
    for info in infos:
        with open(os.path.join(directory, f"{info.code}.md"), "w", encoding="utf-8",
                  newline="\n") as handle:
            handle.write(render_page(info, info.code in fixable))
    click.echo(f"{directory}: {len(infos)} rule pages written")
