"""What one paint of the queue costs the GUI thread: `python -m bench.ui_paint`.

Repaints the whole viewport of the desk's queue (`QueuePanel` at the benchmark's window size)
again and again, with the queue's own delegate (`ui/queue/delegate.py`) and with Qt's stock
`QStyledItemDelegate` over the same model, side by side in one process; each alone and while
another thread runs Python (as a reader does when a new answer or its rows arrive: the paint
then waits for the interpreter lock between cells). Medians of the repaints.

- rows painted before: the rows' texts are laid out already (ours keeps them);
- first paint: ours lays every text out anew (texts shared with rows painted before are not
  kept either: the worst case); the stock delegate does so on every paint anyway.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QStyledItemDelegate

from bench.ui_cache import NOW, clock
from bench.ui_probe import SIZE
from bench.ui_run import SUPERVISOR
from operator_app.store import Store
from ui.bridge import TaskRunner
from ui.context import DeskContext
from ui.queue.delegate import QueueDelegate
from ui.queue.panel import QueuePanel
from ui.sample_store import fill
from ui.settings import Settings


class Busy:
    """A thread running Python while it is on (it asks for the interpreter lock, as a reader)."""

    def __init__(self) -> None:
        self._on = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            self._on.wait()
            n = 0
            while self._on.is_set() and not self._stop:
                n += 1

    def __enter__(self) -> None:
        self._on.set()

    def __exit__(self, *_: object) -> None:
        self._on.clear()

    def close(self) -> None:
        self._stop = True
        self._on.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=60, help="repaints per figure")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench-ui-paint-"))
    store = Store.open(folder / "cache.sqlite3", clock=clock)
    fill(store, args.cases, now=NOW, children=False)
    runner = TaskRunner()
    settings = Settings.open(folder / "settings.ini")
    panel = QueuePanel(DeskContext(store, runner, SUPERVISOR, settings, clock=clock))
    panel.resize(*SIZE)
    panel.set_base_filter(panel.base_filter())
    panel.show()
    model, view = panel.model, panel.view
    viewport = view.viewport()

    def loaded() -> bool:
        bottom = view.rowAt(viewport.height() - 1)
        return model.rowCount() > 0 and bottom >= 0 and model.row_at(bottom) is not None

    deadline = time.monotonic() + 60
    while not loaded():
        if time.monotonic() > deadline:
            raise SystemExit("the queue did not load")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    rows = view.rowAt(viewport.height() - 1) - view.rowAt(0) + 1
    columns = sum(1 for c in range(model.columnCount()) if view.columnViewportPosition(c) < 1400)
    ours = view.itemDelegate()
    assert isinstance(ours, QueueDelegate)
    stock = QStyledItemDelegate(view)
    busy = Busy()

    def median_ms(before_each: Callable[[], None] | None = None) -> float:
        times = []
        for _ in range(args.repeats):
            if before_each is not None:
                before_each()
            start = time.perf_counter()
            viewport.repaint()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times[3:])

    def forget() -> None:
        ours._shown.clear()
        ours._texts.clear()

    results: list[tuple[str, float, float]] = []
    for label, reset in (("rows painted before", None), ("first paint", forget)):
        for loaded_label, load in (("", None), (", a reader busy", busy)):
            figures = []
            for delegate in (ours, stock):
                view.setItemDelegate(delegate)
                median_ms()  # warm
                if load is None:
                    figures.append(median_ms(reset if delegate is ours else None))
                else:
                    with load:
                        figures.append(median_ms(reset if delegate is ours else None))
            results.append((label + loaded_label, *figures))
    busy.close()
    print(f"{rows} rows × {columns} columns on screen; medians of {args.repeats} repaints")
    print(f"{'one repaint of the viewport':<36}{'ours':>10}{'stock':>10}{'ratio':>8}")
    for label, mine, theirs in results:
        print(f"{label:<36}{mine:>7.1f} ms{theirs:>7.1f} ms{theirs / mine:>7.1f}×")
    panel.close()
    runner.shutdown()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
