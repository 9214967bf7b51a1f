"""Insert sites as plain data: what a piece of code writes into which table, and where."""

from __future__ import annotations

from collections.abc import Iterator

from migrate_lint.span import Span
from migrate_lint.values import value_class

# Where a site was found. "migration": a statement of the history; "sql-file": a .sql
# file under the insert paths; "python" / "typescript" / "javascript": SQL in a string
# literal; "sqlite3": the literal is passed to execute/executemany/executescript;
# "drizzle" / "sqlalchemy": an ORM insert built from a table definition; "go" / "rust":
# SQL in a Go or Rust string literal; "kysely" / "knex": a query-builder insert;
# "diesel": a typed insert_into(t::table).values(...).
ORIGINS = ("migration", "sql-file", "python", "typescript", "javascript", "drizzle",
           "sqlalchemy", "sqlite3", "go", "rust", "kysely", "knex", "diesel")

# Shapes of the supplied columns.
NAMED = "named"  # ``columns`` lists what is given
POSITIONAL = "positional"  # no column list; ``rows`` values per row
UNKNOWN = "unknown"  # built at run time; never guessed, only counted and listed


@value_class
class InsertSite:
    """One place that inserts rows into a table.

    ``columns`` are the columns given a value (named shape); ``nulls`` the subset
    given an explicit NULL (drizzle sends NULL for every column of its table
    definition that ``.values()`` leaves out and that has no app-side default).
    ``rows`` are the values per row: one count per VALUES row, or one for an
    ``INSERT ... SELECT`` whose select list has a static width, not counting the
    ``*`` that reads every column of ``star_source`` (the width is then known once
    that table is); empty when not known (ORM inserts, a ``*`` over a join).
    ``null_positions`` are the positions (from 0) of the values given an explicit
    NULL in some row (how a positional insert's NULLs find their columns).
    ``source`` is ``values``, ``select`` or ``default_values``; ``conflict`` the
    conflict clause (``replace``, ``ignore``, ``abort``, ``fail``, ``rollback``, or
    ``upsert`` for ON CONFLICT). ``revision`` is set for sites read from an older
    git revision (``--writers-from``). ``note`` says why a site is unknown, or what
    was assumed.
    """

    table: str
    shape: str
    span: Span
    origin: str
    columns: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()
    source: str = "values"
    conflict: str | None = None
    nulls: tuple[str, ...] = ()
    star_source: str | None = None
    revision: str | None = None
    note: str = ""
    null_positions: tuple[int, ...] = ()

    @property
    def arity(self) -> int | None:
        """Values per row of a positional insert, when the same for every row and known
        without the schema (``None`` for a ``*`` source, ragged or unknown rows)."""
        if self.shape != POSITIONAL or self.star_source is not None or len(set(self.rows)) != 1:
            return None
        return self.rows[0]

    @property
    def known(self) -> bool:
        """True when the supplied columns are known statically."""
        return self.shape != UNKNOWN

    @property
    def where(self) -> str:
        """``path:line`` of the site."""
        return f"{self.span.path}:{self.span.line}"

    def describe(self) -> str:
        """One line for ``--verbose`` listings."""
        if self.shape == NAMED:
            what = f"columns ({', '.join(self.columns)})" if self.columns else "no columns"
            if self.rows:
                star = f"`{self.star_source}`.* + " if self.star_source else ""
                what += f", {star}{'/'.join(str(n) for n in self.rows)} values"
        elif self.shape == POSITIONAL:
            star = f"`{self.star_source}`.* + " if self.star_source else ""
            width = "/".join(str(n) for n in self.rows) or "?"
            what = f"{star}{width} positional values"
        else:
            what = "columns unknown"
        rev = f" @ {self.revision}" if self.revision else ""
        note = f": {self.note}" if self.note else ""
        return f"{self.span}{rev} [{self.origin}] insert into `{self.table}`, {what}{note}"


@value_class
class SkippedFile:
    """A file under the insert paths that was not read, or read only in part, and why."""

    path: str
    reason: str
    revision: str | None = None


@value_class
class SiteCollection:
    """Everything collected from the insert paths.

    ``sites`` are the sites whose columns are known (checkable); ``unknown`` those
    built at run time (shown with ``--verbose``, never checked); ``skipped`` the
    files not read (too large, minified, binary, unparseable) and files read only
    in part (syntax errors that the parser recovered from).
    """

    sites: tuple[InsertSite, ...] = ()
    unknown: tuple[InsertSite, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    files: int = 0  # source files read

    @property
    def all_sites(self) -> tuple[InsertSite, ...]:
        """Known and unknown sites together."""
        return self.sites + self.unknown

    def __iter__(self) -> Iterator[InsertSite]:
        # Iterating yields every site, so ``tuple(collect_sites(...))`` is what a
        # rule context takes; rules skip the unknown ones themselves.
        return iter(self.all_sites)

    def __len__(self) -> int:
        return len(self.sites) + len(self.unknown)
