"""The cyclic garbage collector, tuned for a desk that syncs a large cache, and run on the GUI
thread only.

A full collection walks every tracked object holding the interpreter lock, on whichever thread
allocated last: during a 100,000-case first sync the default thresholds ran a dozen of them,
85–180 ms each (the decoded pages make many short-lived containers), and the GUI thread waited
for every one. Freezing what start-up built and collecting less often took the worst event-loop
stall of that sync from 161 ms to 69 ms here. Reference counting still frees everything that
is not in a cycle at once.

Where a collection runs matters too. A widget in a reference cycle (a slot that is a lambda
holding its own dialog, say) is freed by the collector, and freed on a store reader's or the
sync engine's thread when that thread's allocations triggered the collection: Qt then deletes
a widget off the GUI thread, and the process died of a segmentation fault (seen once in the
test suite, in a queue reader collecting during a test's teardown). `GuiThreadCollector` turns
automatic collection off and collects on the GUI thread instead, on a timer, at the same
thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

# One setting for the window and the headless desk (sync.headless, bench.sync).
from sync.garbage_collection import THRESHOLDS, tune_garbage_collector

__all__ = ["THRESHOLDS", "GuiThreadCollector", "tune_garbage_collector"]

# How often the GUI thread looks whether a collection is due.
CHECK_MS = 500


class GuiThreadCollector(QObject):
    """Automatic collection off; the GUI thread collects when the counts pass the thresholds.

    Create and start it on the GUI thread; `stop()` turns automatic collection back on."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def check(self) -> int | None:
        """Collect the generation that is due, as automatic collection would; which one."""
        first, second, third = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        if third and count2 > third:
            generation = 2
        elif second and count1 > second:
            generation = 1
        elif first and count0 > first:
            generation = 0
        else:
            return None
        gc.collect(generation)
        return generation
