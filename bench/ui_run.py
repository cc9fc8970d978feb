"""One cold run of the desk's queue (`QueuePanel`) in the queue benchmark (a child process of
`bench.ui`): every action, timed to the paint that shows its answer."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bench.ui_cache import clock
from bench.ui_probe import SIZE, PaintWatch, StallProbe, _since
from bench.ui_trace import StallTracer
from operator_app.domain.model import Actor, Channel, Role, Status
from operator_app.store import Store
from ui.bridge import TaskRunner
from ui.context import DeskContext
from ui.garbage_collection import tune_garbage_collector
from ui.queue.columns import Column
from ui.queue.panel import QueuePanel
from ui.settings import Settings

SUPERVISOR = Actor(
    "sup-bench",
    Role.SUPERVISOR,
    frozenset({"c1111", "c1800", "c1900"}),
    frozenset({"t1111-a", "t1111-b", "t1111-f"}),
    "t1111-a",
)
# Each repetition asks something new, so no answer is served from a cache of the last one;
# bench/ui_qsql.py asks the same in SQL.
SORTS = (
    (Column.SUBJECT, Qt.SortOrder.AscendingOrder),
    (Column.DEADLINE, Qt.SortOrder.AscendingOrder),
    (Column.CITIZEN, Qt.SortOrder.DescendingOrder),
    (Column.NUMBER, Qt.SortOrder.AscendingOrder),
    (Column.RECEIVED, Qt.SortOrder.AscendingOrder),
)
FILTERS = (
    ("status", Status.IN_PROGRESS.value),
    ("channel", Channel.WEB.value),
    ("status", Status.NEW.value),
    ("channel", Channel.PHONE.value),
    ("status", Status.WAITING.value),
)
SEARCHES = ("халаалт", "zam", "цахилгаан", "hog", "ус")


# -- the desk's queue ------------------------------------------------------------------------


def run_ours(
    path: Path, started: float, repeats: int, out: dict[str, Any], trace: bool = False
) -> None:
    app = QApplication.instance() or QApplication([])
    tracer = StallTracer(sample=False) if trace else None
    if tracer is not None:
        tracer.watch_events(app)
    probe = StallProbe(tracer)
    opened = time.perf_counter()
    store = Store.open(path, clock=clock)
    runner = TaskRunner()
    settings = Settings.open(Path(tempfile.mkdtemp(prefix="bench-ui-")) / "settings.ini")
    panel = QueuePanel(DeskContext(store, runner, SUPERVISOR, settings, clock=clock))
    tune_garbage_collector()  # as the desk does once it is built (ui/app.py)
    model, view = panel.model, panel.view
    watch = PaintWatch(view.viewport())
    answered = [0]
    model.snapshot_applied.connect(lambda _live: answered.__setitem__(0, answered[0] + 1))
    # A first screen of a new answer is an answer painted (the whole list follows).
    model.first_screen_applied.connect(lambda: answered.__setitem__(0, answered[0] + 1))

    def top_loaded() -> bool:
        top = max(view.rowAt(0), 0)
        return model.rowCount() == 0 or model.row_at(top) is not None

    def answer_shown(before: int) -> Callable[[], bool]:
        return lambda: answered[0] > before and top_loaded()

    def show() -> None:
        panel.resize(*SIZE)
        panel.set_base_filter(panel.base_filter())
        panel.show()

    watch.until(lambda: answered[0] > 0 and top_loaded(), show)
    out["cold"] = (time.time() - started) * 1000 - _since(watch)
    out["open_to_paint"] = (watch._done or 0) * 1000 - opened * 1000
    out["rows"] = model.rowCount()
    app.processEvents()
    probe.reset()
    bar = panel.filter_bar
    stalls: list[float] = []
    busy: list[float] = []

    def timed(key: str, action: Callable[[], object]) -> None:
        probe.reset()
        out.setdefault(key, []).append(watch.until(answer_shown(answered[0]), action))
        stalls.append(probe.worst)
        busy.append(probe.worst_busy)

    for i in range(repeats):
        column, order = SORTS[i % len(SORTS)]
        timed("sort", lambda c=column, o=order: view.sortByColumn(c, o))
    for i in range(repeats):
        combo, value = FILTERS[i % len(FILTERS)]
        other = bar.channel if combo == "status" else bar.status

        def pick(combo: str = combo, value: str = value, other: Any = other) -> None:
            other.blockSignals(True)
            other.setCurrentIndex(0)
            other.blockSignals(False)
            getattr(bar, combo).set_value(value)

        timed("filter", pick)
    bar.status.set_value("")
    bar.channel.set_value("")
    for i in range(repeats):
        text = SEARCHES[i % len(SEARCHES)]

        def search(text: str = text) -> None:
            bar.search.setText(text)
            bar.search.returnPressed.emit()

        timed("search", search)
    out["stall_actions"] = max(stalls)
    out["busy_actions"] = max(busy)
    whole = [0]  # the whole answers: scrolling to the end waits for the whole list
    model.snapshot_applied.connect(lambda _live: whole.__setitem__(0, whole[0] + 1))
    watch.until(lambda: whole[0] > 0 and top_loaded(), bar.search.clear)

    def at_the_end() -> bool:
        last = model.rowCount() - 1
        return view.rowAt(view.viewport().height() - 2) == last and model.row_at(last) is not None

    probe.reset()
    out["scroll_end"] = watch.until(at_the_end, view.scrollToBottom)
    out["stall_all"] = max(max(stalls), probe.worst)
    out["private"] = probe.peak_private
    panel.stop()
    runner.shutdown()
    store.close()
    if tracer is not None:
        tracer.stop()
