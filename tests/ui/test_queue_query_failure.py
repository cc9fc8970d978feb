"""A queue query that fails says so under the queue (not "Loading…" for ever), and a refresh
that waited for it still runs."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from typing import Any

from pytestqt.qtbot import QtBot

from operator_app.store import Changes, QueueFilter, Store
from tests.ui.desk import WAIT_MS
from ui.bridge import TaskRunner
from ui.context import DeskContext
from ui.queue.panel import QueuePanel


class FailingQueries:
    """The store, but its next `failures` queue queries fail as a damaged disk would."""

    def __init__(self, store: Store, failures: int) -> None:
        self._store = store
        self.failures = failures
        self.gate: threading.Event | None = None  # a failing query waits for it (reader thread)

    def queue_ids(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures > 0:
            if self.gate is not None:
                assert self.gate.wait(WAIT_MS / 1000)
            self.failures -= 1
            raise sqlite3.OperationalError("disk I/O error")
        return self._store.queue_ids(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _panel(qtbot: QtBot, desk: DeskContext, store: FailingQueries) -> QueuePanel:
    failures, store.failures = store.failures, 0  # the panel's first question succeeds
    panel = QueuePanel(replace(desk, store=store))  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    panel.show()
    store.failures = failures  # the next ones fail
    return panel


def test_a_failed_queue_query_is_said_under_the_queue(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    store = FailingQueries(desk_store, failures=1)
    panel = _panel(qtbot, desk, store)
    with qtbot.waitSignal(panel.model.query_failed, timeout=WAIT_MS):
        panel.set_base_filter(QueueFilter(centres=frozenset({"c1111"})))
    text = panel.legend.count_label.text()
    assert text == "The queue could not be read. Press F5 to try again."
    assert panel.legend.failed
    # F5 (the window's refresh) asks again; the answer replaces the message with the count.
    with qtbot.waitSignal(panel.model.snapshot_applied, timeout=WAIT_MS):
        panel.model.refresh()
    assert not panel.legend.failed
    assert panel.legend.count_label.text() == f"{panel.model.rowCount()} case(s)"
    panel.stop()


def test_a_refresh_waiting_for_a_failed_query_still_runs(
    qtbot: QtBot, desk: DeskContext, desk_store: Store, runner: TaskRunner
) -> None:
    store = FailingQueries(desk_store, failures=0)
    panel = _panel(qtbot, replace(desk, runner=runner), store)
    qtbot.waitUntil(lambda: "case" in panel.legend.count_label.text(), timeout=WAIT_MS)
    failed: list[BaseException] = []
    panel.model.query_failed.connect(failed.append)
    store.failures, store.gate = 1, threading.Event()
    panel.set_base_filter(QueueFilter(centres=frozenset({"c1111"})))
    # The store changes while that query is on its way: a refresh waits for its answer.
    panel.on_store_changed(Changes(rids=frozenset({10**9})))
    with qtbot.waitSignal(panel.model.snapshot_applied, timeout=WAIT_MS) as refreshed:
        store.gate.set()  # the query fails now, after the change was noticed
    assert len(failed) == 1
    assert refreshed.args == [True]  # the live refresh that waited
    assert panel.model.rowCount() > 0
    assert panel.legend.count_label.text() == f"{panel.model.rowCount()} case(s)"
    panel.stop()
