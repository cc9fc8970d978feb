"""The store's "something changed" news, from the writer thread to a signal on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from operator_app.store import Changes, Store
from ui.bridge import ChangeRelay


def merge_changes(older: Changes, newer: Changes) -> Changes:
    """Two announcements as one: what either changed."""
    return Changes(
        case_ids=older.case_ids | newer.case_ids,
        rids=older.rids | newer.rids,
        reference=older.reference | newer.reference,
        citizens=older.citizens or newer.citizens,
        outbox=older.outbox or newer.outbox,
        sync_state=older.sync_state or newer.sync_state,
    )


class StoreEvents(QObject):
    """Subscribes to a store; `changed(Changes)` arrives on the GUI thread, bursts merged."""

    changed = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = ChangeRelay(self, merge=merge_changes)
        self._relay.changed.connect(self.changed)
        self._unsubscribe = _once(store.subscribe(self._relay.notify))
        # The store may outlive this window: stop listening when it goes.
        self.destroyed.connect(self._unsubscribe)

    def close(self) -> None:
        """Stop listening (idempotent)."""
        self._unsubscribe()


def _once(unsubscribe: Callable[[], None]) -> Callable[[], None]:
    done: list[bool] = []

    def run(*_: object) -> None:
        if not done:
            done.append(True)
            unsubscribe()

    return run
