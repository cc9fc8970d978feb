"""What the operator sees of sync ("Offline · 12 changes waiting · last synced 14:02"), Qt-free.

The sync worker writes a `SyncStatus` snapshot to a `StatusBoard`; the UI subscribes and
re-emits each snapshot as a Qt signal (the words are the UI's job: it translates them).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

CLOCK_WARNING_SECONDS = 5 * 60

_log = logging.getLogger(__name__).getChild("StatusBoard")


class SyncState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    SYNCING = "syncing"
    UNAUTHENTICATED = "unauthenticated"
    UPGRADE_REQUIRED = "upgrade_required"


@dataclass(frozen=True)
class SyncProblem:
    """The last error: a stable code for the UI to translate, and a short English text for logs."""

    code: str
    text: str = ""


@dataclass(frozen=True)
class SyncStatus:
    """One consistent snapshot of the sync state."""

    state: SyncState = SyncState.OFFLINE
    pending: int = 0
    rejected: int = 0
    conflicts: int = 0
    last_synced_at: datetime | None = None
    last_error: SyncProblem | None = None
    clock_offset_s: float = 0.0  # server time minus local time
    keyring_available: bool = True

    def __post_init__(self) -> None:
        if min(self.pending, self.rejected, self.conflicts) < 0:
            raise ValueError("counts cannot be negative")
        if self.last_synced_at is not None and self.last_synced_at.tzinfo is None:
            raise ValueError("last_synced_at must be timezone-aware")

    @property
    def clock_warning(self) -> bool:
        """The local clock is off the server's by more than 5 minutes (warn, never block)."""
        return abs(self.clock_offset_s) > CLOCK_WARNING_SECONDS


Subscriber = Callable[[SyncStatus], None]


class StatusBoard:
    """Holds the current `SyncStatus` and tells subscribers when it changes. Thread-safe.

    Callbacks run on whichever thread is delivering (the one that changed the status, or one
    already delivering), never under the board's lock; they must be quick and hand off to their
    own thread (the UI bridge emits a queued Qt signal). A subscriber never sees an older
    snapshot after a newer one, and always ends up having seen the latest; a callback that
    changes the board is delivered the new snapshot after the current round.
    """

    def __init__(self, initial: SyncStatus | None = None) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._delivering = threading.Lock()
        self._current = initial or SyncStatus()
        self._version = 0
        self._delivered = 0
        self._subscribers: list[Subscriber] = []

    @property
    def current(self) -> SyncStatus:
        with self._lock:
            return self._current

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(status)` on every change; returns a function that unsubscribes."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def set(self, status: SyncStatus) -> SyncStatus:
        """Replace the snapshot (subscribers are told only if it differs)."""
        return self.apply(lambda _old: status)

    def update(self, **changes: Any) -> SyncStatus:
        """Change some fields, as `dataclasses.replace` does."""
        return self.apply(lambda old: dataclasses.replace(old, **changes))

    def apply(self, change: Callable[[SyncStatus], SyncStatus]) -> SyncStatus:
        """Compute the next snapshot from the current one atomically."""
        with self._lock:
            new = change(self._current)
            if new == self._current:
                return new
            self._current = new
            self._version += 1
            self._changed.notify_all()
        self._deliver()
        return new

    def wait_for(
        self, predicate: Callable[[SyncStatus], bool], timeout: float
    ) -> SyncStatus | None:
        """Block until the snapshot satisfies `predicate`; None on timeout (for tests, tools)."""
        with self._lock:
            if self._changed.wait_for(lambda: predicate(self._current), timeout):
                return self._current
            return None

    def _deliver(self) -> None:
        # One thread delivers at a time, always the newest snapshot; a thread that finds
        # delivery under way leaves its change to that thread, so writers never wait on
        # subscribers. The re-check after releasing closes the gap where a change lands just
        # as the deliverer finishes.
        while True:
            if not self._delivering.acquire(blocking=False):
                return
            try:
                while True:
                    with self._lock:
                        if self._version == self._delivered:
                            break
                        snapshot, self._delivered = self._current, self._version
                        subscribers = tuple(self._subscribers)
                    for callback in subscribers:
                        try:
                            callback(snapshot)
                        except Exception:
                            _log.exception("A status subscriber failed")
            finally:
                self._delivering.release()
            with self._lock:
                if self._version == self._delivered:
                    return
