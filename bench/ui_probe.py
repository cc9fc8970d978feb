"""What the queue benchmark measures with: a stall probe on the GUI thread, a paint watch, and
the process's memory."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from bench.ui_trace import STALL_MS, StallTracer

PROBE_MS = 5
WAIT_MS = 120_000
SIZE = (1400, 900)
_STATUS = Path("/proc/self/status")


def private_mib() -> float:
    """Resident anonymous memory now (the heap: no mapped file pages), in MiB; 0 if unknown."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StallProbe(QObject):
    """A precise timer on the GUI thread; its lateness is how long the event loop was held."""

    def __init__(self, tracer: StallTracer | None = None) -> None:
        super().__init__()
        self._tracer = tracer  # told of every stall (diagnostic runs)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.worst = 0.0
        self.worst_busy = 0.0  # the GUI thread's own processor time in its longest stretch
        self._ticks = 0
        self.peak_private = private_mib()
        self._timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        late = (now - self._last) * 1000 - PROBE_MS
        self.worst = max(self.worst, late)
        # How late the timer fires also counts the time the thread waited for a processor
        # (other programs) or the interpreter lock; its processor time is what it did.
        self.worst_busy = max(self.worst_busy, (cpu - self._last_cpu) * 1000)
        if self._tracer is not None and late >= STALL_MS:
            self._tracer.report(self._last, now, late)
        self._last, self._last_cpu = now, cpu
        self._ticks += 1
        if self._ticks % 20 == 0:
            self.peak_private = max(self.peak_private, private_mib())

    def reset(self) -> None:
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self.worst = 0.0
        self.worst_busy = 0.0


class PaintWatch(QObject):
    """Waits (running the event loop) until a paint of the viewport shows what `ready` says."""

    def __init__(self, viewport: QWidget) -> None:
        super().__init__()
        self._ready: Callable[[], bool] | None = None
        self._done: float | None = None
        self._loop: QEventLoop | None = None
        viewport.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._ready is not None and self._ready():
            self._ready = None
            # Stamped once this paint has finished: the next turn of the event loop.
            QTimer.singleShot(0, self._stamp)
        return False

    def _stamp(self) -> None:
        self._done = time.perf_counter()
        if self._loop is not None:
            self._loop.quit()

    def until(self, ready: Callable[[], bool], action: Callable[[], object]) -> float:
        """Milliseconds from `action` to the end of the first paint for which `ready` holds."""
        self._done = None
        self._ready = ready
        self._loop = QEventLoop()
        QTimer.singleShot(WAIT_MS, self._loop.quit)
        start = time.perf_counter()
        action()
        if self._done is None:
            self._loop.exec()
        self._loop = None
        if self._done is None:
            raise TimeoutError("no paint showed the answer")
        return (self._done - start) * 1000


def _since(watch: PaintWatch) -> float:
    """Milliseconds since the watch's last stamp (the process clock is wall time, not ours)."""
    return (time.perf_counter() - (watch._done or time.perf_counter())) * 1000
