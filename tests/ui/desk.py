"""Helpers for the desk's widget tests: fixed time, sample actors, typing as a keyboard does, and
a store proxy that records which thread ran each call."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from operator_app.domain.model import Actor, Role

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Ulaanbaatar
WAIT_MS = 5000

OPERATOR = Actor("op-demo", Role.OPERATOR, frozenset({"c1111"}), frozenset({"t1111-a"}), "t1111-a")
SUPERVISOR = Actor(
    "sup-demo",
    Role.SUPERVISOR,
    frozenset({"c1111", "c1800", "c1900"}),
    frozenset({"t1111-a", "t1111-b", "t1111-f"}),
    "t1111-a",
)
AUDITOR = Actor("aud-demo", Role.AUDITOR, frozenset({"c1111", "c1800", "c1900"}))


def clock() -> datetime:
    return NOW


def type_text(text: str, widget: QWidget | None = None) -> None:
    """Type `text` into the focused widget, one key press per character (Cyrillic too: QTest's
    keyClicks only knows ASCII)."""
    for char in text:
        target = widget or QApplication.focusWidget()
        assert target is not None, "nothing has the keyboard focus"
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press and release one key on the focused widget."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers))


def focused() -> QWidget | None:
    return QApplication.focusWidget()


# Registering a listener and reading the clock are not SQL.
NOT_SQL = frozenset({"subscribe", "today"})


class RecordingStore:
    """Forwards to a store, recording (method, thread) for every call."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.recorded: list[tuple[str, threading.Thread]] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def recorded(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.recorded.append((name, threading.current_thread()))
            return attr(*args, **kwargs)

        return recorded

    def sql_calls_on(self, thread: threading.Thread) -> list[str]:
        with self._lock:
            return [name for name, t in self.recorded if t is thread and name not in NOT_SQL]

    def names(self) -> set[str]:
        with self._lock:
            return {name for name, _ in self.recorded}


class GatedStore(RecordingStore):
    """Holds `rows()` until the test opens the gate: rows can be seen arriving late."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.gate = threading.Event()

    def __getattr__(self, name: str) -> Any:
        inner: Callable[..., Any] = super().__getattr__(name)
        if name != "rows":
            return inner

        def gated(*args: Any, **kwargs: Any) -> Any:
            self.gate.wait(10)
            return inner(*args, **kwargs)

        return gated
