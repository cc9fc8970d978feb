"""The progress of a first sync, as "cases received of about how many".

The server sends a first sync's scope in pages keyed by case id, and case ids are random UUIDs:
the highest id received so far tells, in proportion, how far through the id space the pages
have come. `received / fraction` estimates the whole, without the protocol having to say it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection

from operator_app.store import Changes, PageSummary

# Below this share of the id space the estimate is too noisy to show.
MIN_FRACTION = 0.02
_HEX_DIGITS = 12


def id_fraction(case_id: str) -> float:
    """Where a UUID lies in the id space, from 0 to 1 (0 for anything else)."""
    digits = case_id.replace("-", "")[:_HEX_DIGITS]
    try:
        return int(digits, 16) / 16**_HEX_DIGITS if len(digits) == _HEX_DIGITS else 0.0
    except ValueError:
        return 0.0


def estimate_total(received: int, highest_id: str) -> int:
    """The whole scope, estimated from the cases received and the highest id among them."""
    fraction = max(id_fraction(highest_id), MIN_FRACTION)
    return max(received + 1, round(received / fraction))


Progress = Callable[[int, int], None]


class FirstSyncProgress:
    """Counts the cases a first sync brings and reports (done, estimated total).

    `on_changes` and `on_page` run on the store's writer and the sync worker threads; `report`
    must be thread-safe (a `ChangeRelay`). The last report has done == total: finished.
    """

    def __init__(self, report: Progress) -> None:
        self._report = report
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._highest = ""
        self._active = True

    @property
    def active(self) -> bool:
        return self._active

    def on_changes(self, changes: Changes) -> None:
        if changes.outbox and not changes.sync_state:
            return  # a local save, not a pulled chunk
        self._received(changes.case_ids)

    def _received(self, case_ids: Collection[str]) -> None:
        if not case_ids:
            return
        with self._lock:
            if not self._active:
                return
            before = len(self._seen)
            self._seen.update(case_ids)
            done = len(self._seen)
            if done == before:
                return
            self._highest = max(self._highest, max(case_ids))
            total = estimate_total(done, self._highest)
        self._report(done, total)

    def on_page(self, summary: PageSummary) -> None:
        if not summary.has_more:
            self.finish()

    def finish(self) -> None:
        with self._lock:
            if not self._active:
                return
            self._active = False
            done = len(self._seen)
            self._seen.clear()
        self._report(done, done)
