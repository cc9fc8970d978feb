"""The queue's table model: an ordered snapshot of case rids, rows fetched lazily a page at a time.

Anki's browser `DataModel`, over the local store:

- the filter and the sort are one query that returns rids, run on a reader thread; a new sort
  or filter is a new query (never a proxy model);
- `data()` serves rows from an LRU cache; a missing row asks for its page on a reader thread
  and shows a placeholder until it arrives; `flags()` and `data()` never touch the store;
- store changes mark the changed rows stale and refetch them, and re-run the snapshot query
  (debounced), since any change may move a case in or out of the queue or along the sort.

The model owns no selection: the view keeps it across new snapshots (see `QueueView`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from operator_app.store import Changes, QueueFilter, QueueRow, Sort, Store
from ui.bridge import TaskRunner
from ui.context import system_clock
from ui.directory_names import DirectoryNames
from ui.queue.cells import cell_data
from ui.queue.columns import COLUMN_OF_SORT, SORT_KEYS, Column, column_title
from ui.queue.query import QueueQuery, Snapshot, build_snapshot
from ui.queue.row_cache import RowCache

log = logging.getLogger(__name__)

PAGE_SIZE = 100
CACHE_ROWS = 3000
# Pulled pages arrive in bursts during a sync: one snapshot query per burst is enough.
LIVE_REFRESH_MS = 250
PLACEHOLDER = "…"
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RID_ROLE = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class QueueModel(QAbstractTableModel):
    """Cases of one queue query, in order; rows are fetched on reader threads."""

    snapshot_applied = Signal(bool)  # after every answered query; True for a live refresh
    rows_arrived = Signal()
    sort_refused = Signal(int)  # the column clicked cannot be sorted
    query_failed = Signal(object)  # the exception

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        *,
        clock: Callable[[], datetime] = system_clock,
        page_size: int = PAGE_SIZE,
        cache_rows: int = CACHE_ROWS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self._clock = clock
        self._page_size = page_size
        self._cache = RowCache(max(cache_rows, 2 * page_size))
        self._names = DirectoryNames()
        self._now = clock()
        self._query = QueueQuery()
        self._asked = False  # no snapshot asked for yet
        self._seq = 0
        self._live = False
        self._rids: list[int] = []
        self._row_of: dict[int, int] = {}
        self._inflight: set[int] = set()
        self._stale: set[int] = set()
        self._missing: set[int] = set()  # asked for, but gone from the store
        self._stopped = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(LIVE_REFRESH_MS)
        self._refresh_timer.timeout.connect(lambda: self._run_snapshot(live=True))

    # -- Qt's model interface ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # Never fetches: Anki's lesson, a table asks for flags of every visible cell.
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column_title(Column(section))
        if role == Qt.ItemDataRole.ToolTipRole:
            return column_title(Column(section))
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rids):
            return None
        rid = self._rids[index.row()]
        if role == RID_ROLE:
            return rid
        row = self._cache.get(rid)
        if row is None:
            if rid not in self._missing:
                self._request_page(index.row() // self._page_size)
                row = self._cache.get(rid)  # a synchronous runner (tests) has it already
            if row is None:
                return PLACEHOLDER if role == Qt.ItemDataRole.DisplayRole else None
        if role == CASE_ID_ROLE:
            return row.id
        return cell_data(row, Column(index.column()), role, self._names, self._now)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A new query in the new order (the store sorts); some columns cannot be sorted."""
        key = SORT_KEYS.get(Column(column)) if 0 <= column < len(Column) else None
        if key is None:
            self.sort_refused.emit(column)
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_sort(Sort(key, descending))

    # -- the query -----------------------------------------------------------------------------

    @property
    def query(self) -> QueueQuery:
        return self._query

    @property
    def sort_column(self) -> int:
        return int(COLUMN_OF_SORT.get(self._query.sort.key, Column.RECEIVED))

    @property
    def sort_order(self) -> Qt.SortOrder:
        if self._query.sort.descending:
            return Qt.SortOrder.DescendingOrder
        return Qt.SortOrder.AscendingOrder

    @property
    def last_refresh_was_live(self) -> bool:
        return self._live

    def set_query(self, query: QueueQuery) -> None:
        """Show the cases `query` finds (a reader thread answers; the rows stay until then)."""
        if query == self._query and self._asked:
            return
        self._query = query
        self._run_snapshot(live=False)

    def set_filter(self, queue_filter: QueueFilter | None) -> None:
        self.set_query(QueueQuery(queue_filter, self._query.sort, self._query.lookup))

    def set_sort(self, sort: Sort) -> None:
        self.set_query(QueueQuery(self._query.filter, sort, self._query.lookup))

    def set_lookup(self, text: str) -> None:
        self.set_query(QueueQuery(self._query.filter, self._query.sort, text))

    def stop(self) -> None:
        """Ask nothing more of the store: a live refresh waiting to run is dropped."""
        self._refresh_timer.stop()
        self._stopped = True

    def refresh(self) -> None:
        """Ask the same question again now, keeping what is selected and scrolled to."""
        self._run_snapshot(live=True)

    def _run_snapshot(self, *, live: bool) -> None:
        if self._stopped:
            return
        self._asked = True
        self._refresh_timer.stop()
        self._seq += 1
        seq, store, query = self._seq, self._store, self._query
        self._runner.run_query(
            lambda: build_snapshot(store, query),
            partial(self._snapshot_done, seq, live),
            self._snapshot_failed,
            receiver=self,
        )

    def _snapshot_done(self, seq: int, live: bool, snapshot: Snapshot) -> None:
        if seq != self._seq:
            return  # a newer question is on its way
        self._now = self._clock()
        self._live = live
        self._missing.clear()
        if snapshot.rids != self._rids:
            self.beginResetModel()
            self._rids, self._row_of = snapshot.rids, snapshot.row_of
            self.endResetModel()
        self.snapshot_applied.emit(live)

    def _snapshot_failed(self, exc: BaseException) -> None:
        log.error("Queue query failed", exc_info=exc)
        self.query_failed.emit(exc)

    # -- rows ----------------------------------------------------------------------------------

    def rid_at(self, row: int) -> int | None:
        return self._rids[row] if 0 <= row < len(self._rids) else None

    def row_of_rid(self, rid: int) -> int | None:
        return self._row_of.get(rid)

    def row_at(self, row: int) -> QueueRow | None:
        """The cached row (None until fetched); never fetches."""
        rid = self.rid_at(row)
        return None if rid is None else self._cache.get(rid)

    def case_id_at(self, row: int) -> str | None:
        item = self.row_at(row)
        return item.id if item is not None else None

    def rid_of_case(self, case_id: str) -> int | None:
        """The rid of a cached case, by its id (the view keeps selections by case id)."""
        for item in self._cache.rows():
            if item.id == case_id:
                return item.rid
        return None

    def rids(self) -> Sequence[int]:
        return self._rids

    def fetch_rows(self, first: int, last: int) -> None:
        """Ask for the pages holding rows first..last (the view prefetches what it shows)."""
        if not self._rids:
            return
        last = min(last, len(self._rids) - 1)
        for page in range(max(first, 0) // self._page_size, last // self._page_size + 1):
            self._request_page(page)

    def _request_page(self, page: int) -> None:
        start = page * self._page_size
        wanted = [
            rid
            for rid in self._rids[start : start + self._page_size]
            if rid not in self._inflight and rid not in self._missing and rid not in self._cache
        ]
        self._fetch(wanted)

    def _fetch(self, rids: list[int]) -> None:
        if not rids or self._stopped:
            return
        self._inflight.update(rids)
        store = self._store
        self._runner.run_query(
            lambda: store.rows(rids),
            partial(self._rows_done, rids),
            partial(self._rows_failed, rids),
            receiver=self,
        )

    def _rows_done(self, asked: list[int], rows: list[QueueRow]) -> None:
        self._inflight.difference_update(asked)
        found = {row.rid: row for row in rows}
        gone = False
        for rid in asked:
            row = found.get(rid)
            if row is None:
                # Left the store's view meanwhile: the next snapshot drops it.
                self._cache.discard(rid)
                self._missing.add(rid)
                gone = True
            else:
                self._cache.put(row)
            self._stale.discard(rid)
        self._emit_rows(asked)
        if gone:
            self._refresh_timer.start()
        self.rows_arrived.emit()

    def _rows_failed(self, asked: list[int], exc: BaseException) -> None:
        self._inflight.difference_update(asked)
        self._missing.update(asked)  # no retry loop from data(); the next snapshot retries
        log.error("Loading %d queue rows failed", len(asked), exc_info=exc)
        self.query_failed.emit(exc)

    def _emit_rows(self, rids: Iterable[int]) -> None:
        rows = [row for row in map(self._row_of.get, rids) if row is not None]
        if rows:
            self._emit_range(min(rows), max(rows))

    def _emit_range(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1), [])

    # -- live refresh --------------------------------------------------------------------------

    def on_store_changed(self, changes: Changes) -> None:
        """The store committed `changes`: refetch those rows, and ask the query again soon."""
        if not (changes.rids or changes.case_ids):
            return
        stale = set(changes.rids)
        if changes.case_ids:
            stale.update(r.rid for r in self._cache.rows() if r.id in changes.case_ids)
        stale &= {r.rid for r in self._cache.rows()}
        self._stale |= stale
        self._fetch([rid for rid in stale if rid not in self._inflight])
        self._refresh_timer.start()

    def set_names(self, names: DirectoryNames) -> None:
        self._names = names
        self._emit_all()

    def tick(self) -> None:
        """Count deadlines from a new "now" (called by a timer)."""
        self._now = self._clock()
        self._emit_all()

    def retranslate(self) -> None:
        """Header and cell texts in the new language (models get no LanguageChange)."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        self._emit_all()

    def _emit_all(self) -> None:
        if self._rids:
            self._emit_range(0, len(self._rids) - 1)
