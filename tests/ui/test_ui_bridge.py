"""The bridge: work off the GUI thread, outcomes back on it; news from any thread as signals."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ui.bridge import ChangeRelay, TaskRunner, keep_latest

WAIT_MS = 5000


class Outcome:
    """Records what a callback received and on which thread."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.threads: list[QThread] = []

    def __call__(self, value: Any) -> None:
        self.values.append(value)
        self.threads.append(QThread.currentThread())


def test_a_query_result_arrives_on_the_gui_thread(
    qtbot: QtBot, qapp: QApplication, runner: TaskRunner
) -> None:
    worker_threads: list[int] = []

    def query() -> int:
        worker_threads.append(threading.get_ident())
        return 42

    done = Outcome()
    runner.run_query(query, done)
    qtbot.waitUntil(lambda: done.values == [42], timeout=WAIT_MS)
    assert worker_threads and worker_threads[0] != threading.get_ident()
    assert done.threads == [qapp.thread()]


def test_writes_run_one_at_a_time_in_order_on_one_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    ran: list[tuple[int, int]] = []
    done = Outcome()
    for i in range(20):
        runner.run_write(lambda i=i: ran.append((i, threading.get_ident())) or i, done)
    qtbot.waitUntil(lambda: len(done.values) == 20, timeout=WAIT_MS)
    assert [i for i, _ in ran] == list(range(20))
    assert len({ident for _, ident in ran}) == 1
    assert done.values == list(range(20))


def test_queries_run_side_by_side(qtbot: QtBot, runner: TaskRunner) -> None:
    # Each query waits for the other: run one after the other, the barrier would break.
    barrier = threading.Barrier(2, timeout=WAIT_MS / 1000)
    done, failed = Outcome(), Outcome()
    for _ in range(2):
        runner.run_query(barrier.wait, done, failed)
    qtbot.waitUntil(lambda: len(done.values) + len(failed.values) == 2, timeout=WAIT_MS)
    assert failed.values == []


def test_a_worker_exception_reaches_on_error_on_the_gui_thread(
    qtbot: QtBot, qapp: QApplication, runner: TaskRunner
) -> None:
    def broken() -> None:
        raise ValueError("disk full")

    done, failed = Outcome(), Outcome()
    runner.run_write(broken, done, failed)
    qtbot.waitUntil(lambda: len(failed.values) == 1, timeout=WAIT_MS)
    (error,) = failed.values
    assert isinstance(error, ValueError) and str(error) == "disk full"
    assert error.__traceback__ is not None  # the support desk needs to see where
    assert failed.threads == [qapp.thread()]
    assert done.values == []


def test_without_on_error_the_exception_reaches_the_error_hook(qtbot: QtBot) -> None:
    hooked: list[BaseException] = []
    runner = TaskRunner(error_hook=hooked.append)
    try:
        runner.run_query(lambda: 1 / 0)
        qtbot.waitUntil(lambda: len(hooked) == 1, timeout=WAIT_MS)
    finally:
        runner.shutdown()
    assert isinstance(hooked[0], ZeroDivisionError)


def test_the_default_error_hook_is_the_crash_hook(qtbot: QtBot, runner: TaskRunner) -> None:
    with qtbot.captureExceptions() as exceptions:
        runner.run_query(lambda: 1 / 0)
        qtbot.waitUntil(lambda: len(exceptions) == 1, timeout=WAIT_MS)
    exc_type, _exc, _tb = exceptions[0]
    assert exc_type is ZeroDivisionError


def test_an_exception_in_a_callback_is_not_swallowed(qtbot: QtBot) -> None:
    hooked: list[BaseException] = []
    runner = TaskRunner(error_hook=hooked.append)

    def clumsy(_: object) -> None:
        raise KeyError("row")

    try:
        runner.run_query(lambda: 1, clumsy)
        qtbot.waitUntil(lambda: len(hooked) == 1, timeout=WAIT_MS)
    finally:
        runner.shutdown()
    assert isinstance(hooked[0], KeyError)


class Panel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[object] = []

    def show_result(self, value: object) -> None:
        self.got.append(value)


@pytest.mark.parametrize("explicit_receiver", [False, True])
def test_results_for_a_destroyed_widget_are_dropped(
    qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture, explicit_receiver: bool
) -> None:
    caplog.set_level(logging.ERROR, logger="ui.bridge")
    panel = Panel()
    gate = threading.Event()
    delivered: list[object] = []

    def slow() -> int:
        gate.wait(WAIT_MS / 1000)
        raise RuntimeError("too late")

    if explicit_receiver:
        future = runner.run_query(slow, delivered.append, delivered.append, receiver=panel)
    else:
        future = runner.run_query(slow, panel.show_result, panel.show_result)
    shiboken6.delete(panel)  # the window closed while the query ran
    gate.set()
    qtbot.waitUntil(lambda: "after its window closed" in caplog.text, timeout=WAIT_MS)
    assert future.done()
    assert delivered == [] and panel.got == []


def test_a_cancelled_query_never_calls_back(qtbot: QtBot) -> None:
    runner = TaskRunner(query_workers=1)
    gate = threading.Event()
    first, second = Outcome(), Outcome()
    try:
        runner.run_query(lambda: gate.wait(WAIT_MS / 1000), first)
        queued = runner.run_query(lambda: "never", second, second)
        assert queued.cancel()
        gate.set()
        qtbot.waitUntil(lambda: first.values == [True], timeout=WAIT_MS)
    finally:
        runner.shutdown()
    assert second.values == []


def test_shutdown_finishes_queued_writes(qapp: QApplication) -> None:
    runner = TaskRunner()
    gate = threading.Event()
    written: list[int] = []
    runner.run_write(lambda: gate.wait(WAIT_MS / 1000))
    for i in range(3):
        runner.run_write(lambda i=i: written.append(i))
    gate.set()
    runner.shutdown()
    assert written == [0, 1, 2]


def test_a_query_asked_for_after_shutdown_is_dropped_and_a_write_still_refused(
    qapp: QApplication,
) -> None:
    # A closing window's timer may still fire: its read must not blow up in a Qt slot.
    runner = TaskRunner()
    runner.shutdown()
    called = Outcome()
    future = runner.run_query(lambda: 1, called)
    assert future.cancelled() and called.values == []
    with pytest.raises(RuntimeError):
        runner.run_write(lambda: 1)  # a save is never silently dropped


def test_synchronous_mode_runs_everything_inline(sync_runner: TaskRunner) -> None:
    done, failed = Outcome(), Outcome()
    here = threading.get_ident()
    future = sync_runner.run_write(threading.get_ident, done, failed)
    assert future.done() and done.values == [here]  # delivered before run_write returned

    def broken() -> None:
        raise ValueError("nope")

    sync_runner.run_query(broken, done, failed)
    assert len(failed.values) == 1 and isinstance(failed.values[0], ValueError)
    assert sync_runner.synchronous


def test_synchronous_mode_drops_results_for_destroyed_widgets(
    qtbot: QtBot, sync_runner: TaskRunner
) -> None:
    panel = Panel()
    shiboken6.delete(panel)
    sync_runner.run_query(lambda: 1, panel.show_result)
    assert panel.got == []


# --- ChangeRelay ------------------------------------------------------------------------------


def test_the_relay_emits_on_the_gui_thread(qtbot: QtBot, qapp: QApplication) -> None:
    relay = ChangeRelay()
    seen = Outcome()
    relay.changed.connect(seen)
    worker = threading.Thread(target=relay.notify, args=(frozenset({7}),))
    with qtbot.waitSignal(relay.changed, timeout=WAIT_MS) as blocker:
        worker.start()
    worker.join()
    assert blocker.args == [frozenset({7})]
    assert seen.threads == [qapp.thread()]


def test_the_relay_merges_a_burst_into_one_signal(qtbot: QtBot, qapp: QApplication) -> None:
    relay = ChangeRelay()
    seen = Outcome()
    relay.changed.connect(seen)

    def burst() -> None:
        for ids in ({1}, {2, 3}, {3, 4}):
            relay(frozenset(ids))

    worker = threading.Thread(target=burst)
    worker.start()
    worker.join()  # the whole burst is in before the GUI thread gets to it
    qtbot.waitUntil(lambda: len(seen.values) >= 1, timeout=WAIT_MS)
    qapp.processEvents()
    assert seen.values == [frozenset({1, 2, 3, 4})]


def test_separate_turns_make_separate_signals(qtbot: QtBot) -> None:
    relay = ChangeRelay()
    seen = Outcome()
    relay.changed.connect(seen)
    for ids in ({1}, {2}):
        with qtbot.waitSignal(relay.changed, timeout=WAIT_MS):
            relay.notify(frozenset(ids))
    assert seen.values == [frozenset({1}), frozenset({2})]


def test_a_status_relay_keeps_only_the_latest(qtbot: QtBot, qapp: QApplication) -> None:
    relay = ChangeRelay(merge=keep_latest)
    seen = Outcome()
    relay.changed.connect(seen)
    for status in ("pushing", "pulling", "idle"):
        relay.notify(status)
    qtbot.waitUntil(lambda: len(seen.values) >= 1, timeout=WAIT_MS)
    qapp.processEvents()
    assert seen.values == ["idle"]


def test_notifying_a_deleted_relay_is_harmless(qapp: QApplication) -> None:
    relay = ChangeRelay()
    shiboken6.delete(relay)
    relay.notify(frozenset({1}))  # the store's thread must not be hurt by a closed window
