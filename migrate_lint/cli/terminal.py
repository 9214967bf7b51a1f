"""What the terminal shows: whether to colour, and how a diff is coloured."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO

import click


def use_color(no_color: bool, stream: IO[str], env: Mapping[str, str]) -> bool:
    """Colour only on a terminal, never with ``--no-color`` or ``NO_COLOR`` set.

    ``FORCE_COLOR`` (non-empty) turns it on where there is no terminal.
    """
    if no_color or "NO_COLOR" in env:
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def color_diff(text: str) -> str:
    """A unified diff coloured as git colours one: headers bold, hunks cyan, removed
    lines red, added lines green.

    >>> color_diff("+a\\n") == click.style("+a", fg="green") + "\\n"
    True
    """
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = line[len(body):]
        if body.startswith(("--- ", "+++ ")):
            body = click.style(body, bold=True)
        elif body.startswith("@@"):
            body = click.style(body, fg="cyan")
        elif body.startswith("-"):
            body = click.style(body, fg="red")
        elif body.startswith("+"):
            body = click.style(body, fg="green")
        out.append(body + end)
    return "".join(out)
