"""Live refresh while the store keeps changing: a first sync commits a page every few tens of
milliseconds for minutes, and the queue must fill up meanwhile, not only once it stops."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from operator_app.store import Changes, Store
from tests.ui.desk import WAIT_MS, clock
from ui.bridge import TaskRunner
from ui.queue.model import QueueModel
from ui.queue.query import QueueQuery

COMMIT_EVERY_MS = 40


def test_a_steady_stream_of_changes_still_refreshes_the_queue(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner
) -> None:
    model = QueueModel(desk_store, runner, clock=clock)
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery())
    pages = QTimer()
    pages.setInterval(COMMIT_EVERY_MS)
    # Cases the queue has not seen yet, as a pulled page announces them.
    pages.timeout.connect(lambda: model.on_store_changed(Changes(rids=frozenset({10**9}))))
    pages.start()
    try:
        with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS) as refreshed:
            pass
        assert refreshed.args == [True]  # a live refresh, while the pages still come
        assert pages.isActive()
    finally:
        pages.stop()
        model.stop()
