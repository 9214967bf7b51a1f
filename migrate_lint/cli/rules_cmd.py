"""`migrate-lint rules` and `migrate-lint explain`: what the rules are and why."""

from __future__ import annotations

import json
import os

import click

from migrate_lint.fix.requests import FIXABLE
from migrate_lint.registry import find_rule, rule_infos, suggest
from migrate_lint.ruledocs import doc_path, doc_url, render_page


@click.command()
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="Output format.")
@click.option("--write-docs", "docs_dir", metavar="DIR", type=click.Path(path_type=str),
              help="Write one Markdown page per rule into DIR (docs/rules in this repository).")
def rules(fmt: str, docs_dir: str | None) -> None:
    """List every rule: code, name, default severity and summary."""
    infos = rule_infos()
    fixable = frozenset(FIXABLE)
    if docs_dir is not None:
        _write_docs(docs_dir, fixable)
        return
    if fmt == "json":
        payload = [{"code": i.code, "name": i.name, "severity": i.severity,
                    "summary": i.summary, "fix_title": i.fix_title,
                    "fixable": i.code in fixable, "doc": i.doc,
                    "doc_path": doc_path(i.code), "url": doc_url(i.code)} for i in infos]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    width = max((len(i.name) for i in infos), default=0)
    for info in infos:
        click.echo(f"{info.code}  {info.name:<{width}}  {info.severity:<7}  {info.summary}")


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation of rule CODE (a code like NN001 or a kebab name)."""
    info = find_rule(code)
    if info is None:
        guess = suggest(code)
        hint = f"; did you mean `{guess}`?" if guess else "; see `migrate-lint rules`"
        raise click.UsageError(f"unknown rule `{code}`{hint}")
    click.echo(f"# {info.code} {info.name} ({info.severity})\n")
    click.echo(info.doc)
    if info.fix_title:
        click.echo(f"\nFix: {info.fix_title}")


def _write_docs(directory: str, fixable: frozenset[str]) -> None:
    """Write ``<CODE>.md`` for every rule; remove pages of rules that no longer exist."""
    os.makedirs(directory, exist_ok=True)
    infos = rule_infos()
    wanted = {f"{i.code}.md" for i in infos}
    for name in os.listdir(directory):
        if name.endswith(".md") and name not in wanted:
            os.remove(os.path.join(directory, name))
    for info in infos:
        with open(os.path.join(directory, f"{info.code}.md"), "w", encoding="utf-8",
                  newline="\n") as handle:
            handle.write(render_page(info, info.code in fixable))
    click.echo(f"{directory}: {len(infos)} rule pages written")
