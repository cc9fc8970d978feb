"""The cyclic garbage collector, tuned for a desk that syncs a large cache.

A full collection walks every tracked object holding the interpreter lock, on whichever thread
allocated last: during a 100,000-case first sync the default thresholds ran a dozen of them,
85–180 ms each (the decoded pages make many short-lived containers), and the GUI thread waited
for every one. Freezing what start-up built and collecting less often took the worst event-loop
stall of that sync from 161 ms to 69 ms here. Reference counting still frees everything that
is not in a cycle at once.
"""

from __future__ import annotations

# One setting for the window and the headless desk (sync.headless, bench.sync).
from sync.garbage_collection import THRESHOLDS, tune_garbage_collector

__all__ = ["THRESHOLDS", "tune_garbage_collector"]
