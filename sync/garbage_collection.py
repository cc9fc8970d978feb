"""The cyclic garbage collector, tuned for a process that syncs a large cache.

A full collection walks every tracked object holding the interpreter lock, whichever thread
triggers it: a first sync allocates millions of short-lived containers (each decoded page is
5,000 ops of nested dicts, and the store builds rows from them), and with the default
thresholds the headless desk spent 2–2.5 s of a 100,000-case first sync collecting. Freezing
what start-up built and collecting less often took a 50,000-case first sync from 4,660 to
4,980 cases/s here (medians of three). Reference counting still frees everything that is not
in a cycle at once. The desk's window tunes it the same way (ui/garbage_collection.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collector() -> tuple[int, int, int]:
    """Call once the desk is built: freeze what exists, collect less often; the old thresholds."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    return previous


@contextmanager
def tuned_garbage_collector() -> Iterator[None]:
    """The collector tuned for the block; the old settings come back for whatever runs after."""
    previous = tune_garbage_collector()
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
