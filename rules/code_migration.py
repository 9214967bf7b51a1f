"""MG007: a code migration (goose Go file, a project runner's Python file) in the sequence,
which the tool cannot read."""

from __future__ import annotations

import os
from collections.abc import Iterator

from migrate_lint.engine import HistoryContext, Rule
from migrate_lint.findings import Facts, Finding
from migrate_lint.span import Span
from migrate_lint.values import value_class


@value_class
class CodeRunsHere(Facts):
    """Code migration ``file`` (in ``language``) runs here; ``later`` SQL migrations follow."""

    file: str
    language: str
    later: int

    def message(self) -> str:
        """What the tool cannot see."""
        return (f"code migration `{self.file}` ({self.language}) runs here: the tool cannot "
                "see what it does, so the schema after it may hold objects the model lacks; "
                f"{self.later} SQL migration(s) after it are checked with that in mind")


class CodeMigration(Rule):
    """A migration written as code (a goose `.go` file, a `.py` file) runs between the SQL files.

    ## What it does
    Reports each code migration of the history once, as information, naming its file.
    goose runs registered Go migrations in the same version sequence as its SQL
    files; a flat folder's `<version>.py` or `<version>_<name>.py` beside its SQL files
    is a project runner's Python migration (yoyo, or a runner of the project's own),
    run in the same sequence (a `.py` and a `.sql` of one version both run, in
    file-name order). The tool does not run or read the code, so from that point on the
    replayed schema may lack tables, columns and indexes the code made: a later
    statement that needs one of them is reported as information naming the code
    migration (SQ007, FK001), not as an error that fails on every database: only
    the code can say whether the object exists.

    ## Why is this bad?
    It is not wrong in itself. It says where the tool's view of the schema stops
    being complete, so that the notes after it can be read for what they are.

    ## Example
    ```sql
    -- +goose Up
    CREATE TABLE track (id integer PRIMARY KEY);
    -- migration: 0002_import_tracks.go
    package migrations
    ```

    ## Use instead
    ```sql
    -- +goose Up
    CREATE TABLE track (id integer PRIMARY KEY);
    -- migration: 0002_import_tracks.sql
    -- +goose Up
    ALTER TABLE track ADD title text;
    ```

    ## References
    - https://pressly.github.io/goose/documentation/go-migrations/
    """

    code = "MG007"
    name = "code-migration"
    severity = "info"
    help = ("nothing to change; where a later SQL migration needs what the code makes, "
            "the notes after it name this file")

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        """One finding per code migration."""
        for index, migration in enumerate(ctx.history.migrations):
            source = migration.source
            if not source.code:
                continue
            text = source.up[0].text if source.up else ""
            first = text.split("\n", 1)[0].rstrip("\r")
            span = Span(source.path, 0, len(first), 1, 1, 1, max(len(first), 1))
            later = sum(1 for m in ctx.history.migrations[index + 1:] if not m.source.code)
            yield self.report(CodeRunsHere(os.path.basename(source.path), source.code, later),
                              span, migration=migration.label)
