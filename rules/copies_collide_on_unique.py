"""DL009: two copies from different tables into one unique key of the same table."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate_lint.engine import Context, Rule
from migrate_lint.facts.conditions import always_true
from migrate_lint.findings import Facts, Finding, Related
from migrate_lint.history import Statement, StatementKind
from migrate_lint.sqlglot_api.copies import CopyValue
from migrate_lint.sqlglot_api.dml import where_condition
from migrate_lint.values import value_class

from ._copies import Copy, copy_at, unique_keys, written_value
from ._rebuild import mentions, names


@value_class(kw_only=True)
class CopiesMeetOnKey(Facts):
    """The copy from ``sources`` into ``table`` and earlier ones from ``other_sources``
    (at ``other_lines``) fill the unique key ``columns``; ``meetings`` says, per
    earlier copy, where their values meet."""

    table: str
    columns: tuple[str, ...]
    sources: tuple[str, ...]
    other_sources: tuple[str, ...]
    other_lines: tuple[int, ...]
    meetings: tuple[str, ...]

    def message(self) -> str:
        """Where the two copies collide."""
        many = len(self.other_lines) > 1
        shown = ", ".join(f"`{c}`" for c in self.columns)
        error = "UNIQUE constraint failed: " + ", ".join(f"{self.table}.{c}"
                                                         for c in self.columns)
        return (f"the copy from {names(self.sources)} into `{self.table}` and the "
                f"earlier {'ones' if many else 'one'} from {names(self.other_sources)} "
                f"(line{'s' if many else ''} {', '.join(map(str, self.other_lines))}) both "
                f"fill the unique key ({shown}): it fails with '{error}' on every database "
                f"where {'; or '.join(self.meetings)}; only the data decides, so no synthetic "
                "row can confirm it")

    def help(self) -> str:
        """Skip, merge, or separate the keys."""
        return ("skip or merge the rows that collide (`ON CONFLICT DO NOTHING`, or a "
                "`WHERE NOT EXISTS` on the key), or give them keys that cannot meet")


class CopiesCollideOnUnique(Rule):
    """Two copies from different tables fill the same unique key.

    ## What it does
    Reports an `INSERT INTO t (...) SELECT ... FROM b` when an earlier copy of the
    same migration, `INSERT INTO t (...) SELECT ... FROM a`, filled `t` from another
    table and both write values into every column of a UNIQUE or PRIMARY KEY of `t`
    that may be equal: the same column of both sources, or expressions over them
    (two different constants in one key column keep the rows apart; a NULL or a new
    rowid never collides). Copies with `OR IGNORE`, `OR REPLACE` or `ON CONFLICT`,
    and copies whose SELECT reads `t` (a `NOT EXISTS` guard), are not reported.

    ## Why is this bad?
    On every database where a row of `a` and a row of `b` give the same key (a path
    that is both an image and a scene), the second copy fails with 'UNIQUE
    constraint failed' and the migration stops. Only the data decides: synthetic
    rows cannot stand for it, so the message says which values must meet.

    ## Example
    ```sql
    CREATE TABLE images (id integer PRIMARY KEY, path text NOT NULL UNIQUE);
    CREATE TABLE scenes (id integer PRIMARY KEY, path text NOT NULL UNIQUE);
    -- migration
    CREATE TABLE files (id integer PRIMARY KEY, folder_id integer NOT NULL, basename text NOT NULL, UNIQUE (folder_id, basename));
    INSERT INTO files (basename, folder_id) SELECT path, 1 FROM images;
    INSERT INTO files (basename, folder_id) SELECT path, 1 FROM scenes;
    ```

    ## Use instead
    ```sql
    CREATE TABLE images (id integer PRIMARY KEY, path text NOT NULL UNIQUE);
    CREATE TABLE scenes (id integer PRIMARY KEY, path text NOT NULL UNIQUE);
    -- migration
    CREATE TABLE files (id integer PRIMARY KEY, folder_id integer NOT NULL, basename text NOT NULL, UNIQUE (folder_id, basename));
    INSERT INTO files (basename, folder_id) SELECT path, 1 FROM images;
    INSERT INTO files (basename, folder_id) SELECT path, 1 FROM scenes WHERE true ON CONFLICT DO NOTHING;
    ```

    ## Confirmation
    None: synthetic rows differ between tables, as real ids and paths usually do;
    whether two real rows meet is a property of each database. The finding stays a
    warning that names both sources and the values that must be equal.

    ## References
    - https://www.sqlite.org/lang_createtable.html#unique_constraints
    - https://www.sqlite.org/lang_upsert.html
    - https://github.com/stashapp/stash/issues/2941
    """

    code = "DL009"
    name = "copies-collide-on-unique"
    severity = "warning"
    kinds = frozenset({StatementKind.INSERT})

    def check(self, stmt: Statement, ctx: Context) -> Iterator[Finding]:
        """Findings for one INSERT ... SELECT."""
        copy = copy_at(ctx.timeline, ctx.step_index)
        if copy is None or not copy.fails_on_duplicates or not copy.sources:
            return
        if _reads_target(stmt, copy):
            return  # a guard against rows already there (NOT EXISTS, a join)
        target = copy.target
        earlier = _earlier_copies(ctx, copy)
        if not earlier:
            return
        for key in unique_keys(ctx.before, target):
            mine = [written_value(copy, c) for c in key]
            if not _may_collide_alone(mine):
                continue
            hits = [(other, meet) for other in earlier
                    if (meet := _meeting(key, [written_value(other, c) for c in key], mine,
                                         other, copy)) is not None]
            if not hits:
                continue
            yield self._finding(stmt, ctx, copy, key, hits)
            return  # one key names the problem; the copy fails at the first

    def _finding(self, stmt: Statement, ctx: Context, copy: Copy, key: tuple[str, ...],
                 hits: list[tuple[Copy, str]]) -> Finding:
        target = copy.target
        cols = tuple(getattr(target.column(c), "name", c) for c in key)
        facts = CopiesMeetOnKey(
            table=target.name, columns=cols, sources=tuple(s.name for s in copy.sources),
            other_sources=tuple(dict.fromkeys(s.name for o, _ in hits for s in o.sources)),
            other_lines=tuple(ctx.timeline.steps[o.step].statement.span.line for o, _ in hits),
            meetings=tuple(m for _, m in hits))
        related = [Related(f"the earlier copy into `{target.name}` from "
                           f"{names([s.name for s in o.sources])}",
                           ctx.timeline.steps[o.step].statement.span) for o, _ in hits]
        return self.report(facts, stmt.span, related=related)


def _reads_target(stmt: Statement, copy: Copy) -> bool:
    if any(s.origin == copy.target.origin for s in copy.sources):
        return True
    upper = stmt.text.upper()
    at = upper.find("SELECT")
    return at >= 0 and mentions(stmt.text[at:], copy.target.name)


def _earlier_copies(ctx: Context, copy: Copy) -> list[Copy]:
    """Copies earlier in the migration into the same table from other tables, since
    the last DELETE that emptied it."""
    start = ctx.timeline.boundaries[ctx.migration_index]
    for write in ctx.timeline.writes_to(copy.target.name, start, ctx.step_index):
        stmt = ctx.timeline.steps[write.step].statement
        if write.kind == "delete" and stmt.ast is not None and always_true(
                where_condition(stmt.ast)):
            start = write.step + 1
    mine = {s.origin for s in copy.sources}
    out = []
    for index in range(start, ctx.step_index):
        if ctx.timeline.steps[index].statement.kind != "insert":
            continue
        other = copy_at(ctx.timeline, index)
        if other is None or other.target.origin != copy.target.origin or not other.sources:
            continue
        if mine & {s.origin for s in other.sources}:
            continue  # the same source split by WHERE: its own key keeps rows apart
        if not any(ctx.timeline.holds_old_rows(s, ctx.migration_index, index)
                   for s in other.sources):
            continue  # rows the migration wrote itself, visible in the file
        out.append(other)
    return out


def _may_collide_alone(values: list[CopyValue | None]) -> bool:
    """A NULL or a new rowid in any key column keeps every row apart."""
    return all(v is not None and not v.null for v in values)


_RANDOM = re.compile(r"\b(?:random|randomblob|uuid|uuid4|gen_random_uuid)\s*\(", re.I)
_PREFIX = re.compile(r"^\s*'((?:[^']|'')*)'\s*\|\|")


def _fresh(value: CopyValue) -> bool:
    """A value made random per row (``lower(hex(randomblob(16)))``) never repeats."""
    return _RANDOM.search(value.sql) is not None


def _apart(a: CopyValue, b: CopyValue) -> bool:
    """Values built on different literal prefixes (``'img-' || id``, ``'scn-' || id``)."""
    pa, pb = _PREFIX.match(a.sql), _PREFIX.match(b.sql)
    if pa is None or pb is None:
        return False
    x, y = pa.group(1), pb.group(1)
    return not (x.startswith(y) or y.startswith(x))


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _meeting(key: tuple[str, ...], theirs: list[CopyValue | None], mine: list[CopyValue | None],
             other: Copy, copy: Copy) -> str | None:
    """Which values must be equal for a row of ``other`` and one of ``copy`` to collide
    on ``key``; None when they cannot."""
    if not _may_collide_alone(theirs):
        return None
    equal: list[str] = []
    fixed: list[str] = []
    for column, a, b in zip(key, theirs, mine, strict=True):
        assert a is not None and b is not None
        if _fresh(a) or _fresh(b) or _apart(a, b):
            return None
        if a.constant is not None and b.constant is not None:
            if _norm(a.constant) != _norm(b.constant):
                return None  # a constant per copy that differs: the rows never meet
            fixed.append(f"`{column}` is {b.constant} in both")
            continue
        equal.append(f"{_described(a, other)} equals {_described(b, copy)}")
    what = " and ".join(equal) if equal else "each copy yields a row"
    if equal and (other.where or copy.where):
        what += " for rows the WHERE clauses keep"
    return what + (f" ({', '.join(fixed)})" if fixed else "")


def _described(value: CopyValue, copy: Copy) -> str:
    if value.column is not None:
        qualifier, name = value.column
        if qualifier is None and len(copy.sources) == 1:
            qualifier = copy.sources[0].name
        return f"`{qualifier}.{name}`" if qualifier else f"`{name}`"
    where = names([s.name for s in copy.sources])
    return f"`{' '.join(value.sql.split())}` (from {where})"
