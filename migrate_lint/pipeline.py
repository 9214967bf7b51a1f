"""The stages glued in their one direction: discover -> parse -> replay.

Commands call these; nothing here prints or exits.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from migrate_lint.discover import discover
from migrate_lint.history import History
from migrate_lint.parse import parse_history
from migrate_lint.replay import Timeline, replay
from migrate_lint.settings import Origin, Requested
from migrate_lint.source import Discovery


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Reading and replaying allocate millions of small objects and no cycles; the
    collector's repeated passes over them cost a third of the run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Run the cyclic garbage collector on what the block makes, and only on that.

    Rules make cyclic garbage (sqlglot trees and their parent links, generators): with
    the collector paused it piled up until the run ended (~1 KB a statement, issue 13).
    The objects made before the block (the history and its replay, millions of them,
    no cycles) are frozen, so the collector's passes cost only what the block makes.
    The collector's state is restored after (the CLI keeps it off).
    """
    was_enabled = gc.isenabled()
    thresholds = gc.get_threshold()
    gc.freeze()
    # fewer, larger young passes: the rules keep most of what they make (memos,
    # findings), which the default thresholds would scan again and again
    gc.set_threshold(_YOUNG, *thresholds[1:])
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


_YOUNG = 10_000  # objects made between two passes of the collector in `gc_frozen`


def load_history(root: str | os.PathLike[str], layout: str | None = None,
                 runner: str | None = None, *, requested: Requested | None = None,
                 found: Discovery | None = None) -> History:
    """Discover and parse the migrations under ``root``.

    ``requested`` carries the connection settings asked for by flags and config
    (`History.settings` resolves them); ``layout`` and ``runner`` override its own.
    ``found`` is a discovery of ``root`` this run already made (with that layout).
    Raises :class:`migrate_lint.errors.MigrateLintError` on unreadable input.
    """
    asked = requested or Requested()
    if layout:
        asked = replace(asked, layout=layout, layout_from=(
            asked.layout_from if asked.layout == layout else Origin("flag", "--layout")))
    if runner:
        asked = replace(asked, runner=runner, runner_from=(
            asked.runner_from if asked.runner == runner else Origin("flag", "--runner")))
    if found is None:
        found = discover(root, asked.layout)
    with gc_paused():
        history = parse_history(found)
    return replace(history, runner=asked.runner or history.runner, requested=asked)


def load_timeline(root: str | os.PathLike[str], layout: str | None = None,
                  runner: str | None = None, upto: int | None = None, *,
                  requested: Requested | None = None, found: Discovery | None = None
                  ) -> Timeline:
    """Discover, parse and replay the migrations under ``root`` (see `load_history`)."""
    history = load_history(root, layout, runner, requested=requested, found=found)
    with gc_paused():
        return replay(history, upto)
