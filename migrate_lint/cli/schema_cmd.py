"""`migrate-lint schema`: print the replayed schema, or where a table or column came from."""

from __future__ import annotations

import click


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=str))
def schema(directory: str | None) -> None:
    """Print the schema after the history in DIRECTORY (default: migrations/)."""
    raise click.UsageError("not implemented yet")
