"""`migrate-lint rules` and `migrate-lint explain`: what the rules are and why."""

from __future__ import annotations

import json

import click

from migrate_lint.lint import find_rule, rule_infos, suggest


@click.command()
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="Output format.")
def rules(fmt: str) -> None:
    """List every rule: code, name, default severity and summary."""
    infos = rule_infos()
    if fmt == "json":
        payload = [{"code": i.code, "name": i.name, "severity": i.severity,
                    "summary": i.summary, "fix_title": i.fix_title} for i in infos]
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
