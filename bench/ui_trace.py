"""What the GUI thread was doing when the event loop stalled (`python -m bench.ui --trace`).

A diagnostic, not a figure: sampling costs the interpreter lock, so traced runs are slower.
A sampler thread records the GUI thread's Python stack every millisecond; a gap in its own
samples means some thread held the interpreter lock that long. Garbage collections are timed
through `gc.callbacks`. `report(since, until)` prints what was seen in that interval (the
stall probe calls it for each stall above `STALL_MS`).
"""

from __future__ import annotations

import collections
import gc
import sys
import threading
import time
from typing import Any

STALL_MS = 25.0
SAMPLE_S = 0.001
_KEEP = 20_000


def _where(frame: Any, depth: int = 5) -> str:
    parts = []
    while frame is not None and len(parts) < depth:
        code = frame.f_code
        parts.append(f"{code.co_filename.rsplit('/', 2)[-1]}:{code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(parts) or "(C++: event loop)"


class StallTracer:
    """Samples the GUI thread's stack; reports what ran during a stall."""

    def __init__(self, sample: bool = True) -> None:
        self._gui = threading.get_ident()
        self._samples: collections.deque[tuple[float, str, float]] = collections.deque(maxlen=_KEEP)
        self._collections: collections.deque[tuple[float, float, int, str]] = collections.deque(
            maxlen=1000
        )
        self._gc_started = 0.0
        self._stop = threading.Event()
        gc.callbacks.append(self._on_gc)
        self._thread = threading.Thread(target=self._sample, name="stall-tracer", daemon=True)
        if sample:
            self._thread.start()

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = now
        else:
            name = threading.current_thread().name
            self._collections.append((self._gc_started, now, info["generation"], name))

    def _sample(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(SAMPLE_S)
            now = time.perf_counter()
            frame = sys._current_frames().get(self._gui)
            self._samples.append((now, _where(frame), (now - last) * 1000))
            last = now

    def watch_events(self, app: Any) -> None:
        """Also record every event the GUI thread delivers (costly: diagnostics only)."""
        from PySide6.QtCore import QObject

        tracer = self

        class _Events(QObject):
            def eventFilter(self, obj: Any, event: Any) -> bool:
                tracer._events.append(
                    (
                        time.perf_counter(),
                        f"{event.type().name} to {type(obj).__name__}",
                        time.thread_time(),
                    )
                )
                return False

        self._events: collections.deque[tuple[float, str, float]] = collections.deque(maxlen=_KEEP)
        self._filter = _Events()
        app.installEventFilter(self._filter)

    def report(self, since: float, until: float, stall_ms: float) -> None:
        out = [f"stall {stall_ms:.0f} ms:"]
        events = [e for e in getattr(self, "_events", ()) if since <= e[0] <= until]
        ends = [*events[1:], (until, "", time.thread_time())]
        for (t, what, cpu), (t_next, _, cpu_next) in zip(events, ends, strict=True):
            if (t_next - t) * 1000 >= 3:
                busy = 1000 * (cpu_next - cpu)
                out.append(f"  {1000 * (t_next - t):5.0f} ms ({busy:.0f} busy) from {what}")
        for start, end, generation, thread in self._collections:
            if end >= since and start <= until and (end - start) * 1000 >= 2:
                out.append(f"  gc gen{generation} {1000 * (end - start):.0f} ms on {thread}")
        counts: collections.Counter[str] = collections.Counter()
        for t, where, gap in self._samples:
            if since <= t <= until:
                counts[where] += 1
                if gap > 8:
                    out.append(f"  lock held elsewhere ~{gap:.0f} ms before: {where}")
        for where, n in counts.most_common(8):
            out.append(f"  {n:>4} × {where}")
        print("\n".join(out), file=sys.stderr, flush=True)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        gc.callbacks.remove(self._on_gc)
