"""Cycles are collected on the GUI thread only: Qt must never delete a widget elsewhere."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from ui.garbage_collection import GuiThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self
        self.widget = QObject()


def test_a_worker_thread_never_collects_and_the_gui_thread_does(qapp: QApplication) -> None:
    collector = GuiThreadCollector(interval_ms=10_000)  # checked by hand below
    collecting: list[str] = []

    def seen(phase: str, _info: dict) -> None:
        if phase == "start":
            collecting.append(threading.current_thread().name)

    gc.callbacks.append(seen)
    collector.start()
    try:
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        del cycle

        kept: list[list[object]] = []

        def allocate() -> None:  # far past every threshold: automatic collection would run
            kept.extend([] for _ in range(200_000))

        worker = threading.Thread(target=allocate, name="store-reader")
        worker.start()
        worker.join(60)
        assert collecting == []
        assert gone() is not None
        assert collector.check() is not None
        assert gone() is None
        assert collecting == [threading.current_thread().name]
        assert not gc.isenabled()
    finally:
        collector.stop()
        gc.callbacks.remove(seen)
