"""Names of history prefixes: what a replay checkpoint and a run's results are keyed by.

Apart from `migrate_lint.checkpoint` (which imports the parser, the replay and the
schema model) so that a run answered from the cache (`migrate_lint.lintcache`) names
its entries without importing them.
"""

from __future__ import annotations

import hashlib

from migrate_lint.source import Discovery
from migrate_lint.version import __version__

FORMAT = 6  # bump when what a checkpoint holds changes shape


def chain(found: Discovery, stamp: str, hashed: dict[str, str] | None = None) -> list[str]:
    """``names[k]`` names the first k migrations of ``found`` (``names[0]``: none of them).

    ``stamp`` says what else the replay depends on (the tool's code, sqlglot).
    ``hashed``: the hash of each file's text by path (`text_hash_of`), filled in here; the
    hashes it holds already are not computed again (`lintcache.TextMemo` keeps them
    with the texts it serves: hashing a long history's files is milliseconds).
    """
    h = hashlib.sha256(repr((FORMAT, __version__, stamp, found.root, found.layout,
                             found.runner)).encode())
    names = [h.hexdigest()]
    # a file's text once, though several sections share it (a file is read once)
    hashed = {} if hashed is None else hashed
    for source in found.migrations:
        sections = []
        for section in (*source.up, *source.down):
            text_hash = hashed.get(section.path)
            if text_hash is None:
                text_hash = hashed[section.path] = text_hash_of(section.text)
            sections.append((section.path, section.start, section.end, text_hash))
        h.update(repr((source.version, source.name, source.order, source.layout,
                       source.no_transaction, source.stem, source.code, len(source.up),
                       tuple(sections))).encode("utf-8", "surrogatepass"))
        names.append(h.hexdigest())
    return names


def text_hash_of(text: str) -> str:
    """What `chain` knows a file's text by."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def texts_of(found: Discovery) -> dict[str, str]:
    """Every file's text, in the order `parse.parse_history` collects them."""
    texts: dict[str, str] = {}
    for source in found.migrations:
        for section in (*source.up, *source.down):
            texts.setdefault(section.path, section.text)
    return texts
