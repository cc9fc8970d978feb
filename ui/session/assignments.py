"""Cases newly assigned to the signed-in operator by someone else, found in what sync pulls.

The watch keeps the set of cases assigned to the operator (a baseline taken once the cache is
in step, so that a first sync's hundreds of cases are not announced). Every committed change
is then looked at on a reader thread: a case assigned to the operator that was not before is
new, unless the operator's own save did it (a local change, seen before the pull confirms it).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from operator_app.store import Changes, QueueFilter, QueueRow, Store
from ui.bridge import ChangeRelay, TaskRunner
from ui.notifications import AssignedCase

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Touched:
    local: frozenset[int] = frozenset()  # rows the operator's own saves changed
    pulled: frozenset[int] = frozenset()  # rows changed by the server's pages


def _merge(older: _Touched, newer: _Touched) -> _Touched:
    return _Touched(older.local | newer.local, older.pulled | newer.pulled)


class AssignmentWatch(QObject):
    """Emits `assigned` (a list of `AssignedCase`) on the GUI thread."""

    assigned = Signal(object)

    def __init__(
        self, store: Store, runner: TaskRunner, operator_id: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self._me = operator_id
        self._known: set[int] | None = None  # None until the baseline is in
        self._waiting = _Touched()
        self._busy = False
        self._relay = ChangeRelay(self, merge=_merge)
        self._relay.changed.connect(self._touched)
        self._unsubscribe = store.subscribe(self._on_changes)

    def stop(self) -> None:
        """Stop listening to the store (before it closes)."""
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            with contextlib.suppress(ValueError):  # the store forgot its subscribers already
                unsubscribe()

    def take_baseline(self) -> None:
        """Note what is assigned now; only what changes after this is announced."""
        self._waiting = _Touched()
        self._busy = True
        store, me = self._store, self._me
        self._runner.run_query(
            lambda: frozenset(store.queue_ids(QueueFilter(assignees=frozenset({me})))),
            self._baseline_taken,
            self._failed,
            receiver=self,
        )

    # --- on the writer thread ------------------------------------------------------------

    def _on_changes(self, changes: Changes) -> None:
        if not changes.rids:
            return
        if changes.outbox and not changes.sync_state:
            self._relay.notify(_Touched(local=changes.rids))
        else:
            self._relay.notify(_Touched(pulled=changes.rids))

    # --- on the GUI thread ---------------------------------------------------------------

    @Slot(object)
    def _touched(self, touched: _Touched) -> None:
        self._waiting = _merge(self._waiting, touched)
        self._next()

    def _baseline_taken(self, rids: frozenset[int]) -> None:
        self._known = set(rids)
        self._busy = False
        self._next()

    def _next(self) -> None:
        if self._busy or self._known is None:
            return
        touched, self._waiting = self._waiting, _Touched()
        rids = sorted(touched.local | touched.pulled)
        if not rids:
            return
        self._busy = True
        store = self._store
        self._runner.run_query(
            lambda: store.rows(rids),
            lambda rows: self._rows_read(touched, rids, rows),
            self._failed,
            receiver=self,
        )

    def _rows_read(self, touched: _Touched, rids: list[int], rows: list[QueueRow]) -> None:
        assert self._known is not None
        self._busy = False
        new: list[AssignedCase] = []
        mine = {row.rid for row in rows if row.assignee == self._me}
        for row in rows:
            if row.rid not in mine or row.rid in self._known:
                continue
            self._known.add(row.rid)
            if row.rid in touched.pulled and row.rid not in touched.local:
                new.append(AssignedCase(row.id, row.display_number, row.subject))
        self._known.difference_update(set(rids) - mine)
        if new:
            log.info("%d case(s) newly assigned to the operator", len(new))
            self.assigned.emit(new)
        self._next()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        log.warning("Looking for newly assigned cases failed: %s", type(exc).__name__)
