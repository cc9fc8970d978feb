"""The GUI never stalls during a big first sync: a timer on the GUI thread measures how late the
event loop runs it while a real central service (its own process, HTTP on 127.0.0.1) sends
100,000 cases into a real cache, and the real main window shows the centre queue filling up."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from operator_app.store import QueueFilter
from sync.credentials import ALLOWED_KEYRING_BACKENDS
from sync.keyring_memory import MEMORY_KEYRING_ID, MemoryKeyring
from tests.sync.harness import CentralProcess
from tests.ui.embedded_central import (
    CHEAP_KDF,
    FAST_CENTRAL,
    PASSWORD,
    QUICK_ENGINE,
    SUPERVISOR,
    seed_template,
)
from ui.garbage_collection import tune_garbage_collector
from ui.language import LanguageSwitcher
from ui.navigation import NavTarget
from ui.session.desk import DeskOpener, SignInRequest
from ui.session.keyrings import KeyringChoice
from ui.session.live import LiveDesk
from ui.settings import Settings

CASES = 100_000
STALL_LIMIT_MS = 100
PROBE_MS = 10
SYNC_WAIT_MS = 240_000


class StallProbe(QObject):
    """A precise timer on the GUI thread. How late it fires is how long the event loop was held
    (`worst_ms`); the GUI thread's own processor time over the same interval is how much of
    that the GUI thread spent working (`worst_busy_ms`), the rest it spent waiting for a
    processor or the interpreter lock."""

    def __init__(self) -> None:
        super().__init__()
        self.worst_ms = 0.0
        self.worst_busy_ms = 0.0
        self.ticks = 0
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.worst_ms = max(self.worst_ms, (now - self._last) * 1000 - PROBE_MS)
        self.worst_busy_ms = max(self.worst_busy_ms, (cpu - self._last_cpu) * 1000)
        self._last, self._last_cpu = now, cpu
        self.ticks += 1

    def stop(self) -> None:
        self._timer.stop()


@pytest.fixture(scope="module")
def big_central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralProcess]:
    """100,000 demo cases, seeded in bulk through central's data layer, served by its own
    process (so the service's work does not share this process's interpreter lock)."""
    path = seed_template(tmp_path_factory.mktemp("central-100k") / "central.sqlite3", CASES)
    server = CentralProcess(FAST_CENTRAL.with_(database_url=f"sqlite:///{path}"))
    server.start()
    yield server
    server.stop()


def test_the_gui_never_stalls_during_a_100k_case_first_sync(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    big_central: CentralProcess,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    languages.switch("en")
    keyring = KeyringChoice(
        MemoryKeyring(), frozenset(ALLOWED_KEYRING_BACKENDS | {MEMORY_KEYRING_ID})
    )
    opener = DeskOpener(
        tmp_path / "cache", keyring, device_name="test", engine_config=QUICK_ENGINE, kdf=CHEAP_KDF
    )
    desk = opener.open(SignInRequest(big_central.url, SUPERVISOR, PASSWORD))
    assert desk.first_sync
    live = LiveDesk(desk, settings, languages)
    window, model = live.window, live.window.queue.model
    # As the desk's start-up must (ui/garbage_collection.py): with the default thresholds,
    # full collections of 85-180 ms, holding the interpreter lock, stall the GUI thread.
    thresholds = tune_garbage_collector()
    probe = StallProbe()
    try:
        with qtbot.waitSignal(live.first_sync_finished, timeout=SYNC_WAIT_MS):
            live.start()
            window.navigation.choose(NavTarget.CENTRE)
            window.queue.filter_bar.set_status_choice("")  # every case, open or not
        synced = len(desk.store.queue_ids(QueueFilter()))
        assert synced > CASES // 2  # the supervisor's centres: most of the service's cases
        # The queue catches up with the last pages, and paints them.
        qtbot.waitUntil(lambda: model.rowCount() == synced, timeout=SYNC_WAIT_MS)
        qtbot.waitUntil(lambda: model.row_at(0) is not None, timeout=SYNC_WAIT_MS)
        probe.stop()
        assert probe.ticks > 100
        # The GUI thread never works for 100 ms at a stretch. (How late the timer fires also
        # counts the time the thread waits for a processor: on a loaded machine that alone
        # exceeds 100 ms, whatever the desk does; it is reported, not asserted.)
        stall, busy = probe.worst_ms, probe.worst_busy_ms
        report = f"worst stall {stall:.0f} ms, GUI thread busy {busy:.0f} ms"
        print(report)
        assert probe.worst_busy_ms < STALL_LIMIT_MS, report
    finally:
        probe.stop()
        live.close()
        gc.unfreeze()
        gc.set_threshold(*thresholds)
