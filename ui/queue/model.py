"""The queue's table model: an ordered snapshot of case rids, rows fetched lazily a page at a time.

Anki's browser `DataModel`, over the local store:

- the filter and the sort are one query that returns rids, run on a reader thread; a new sort
  or filter is a new query (never a proxy model), asked first for its first screen (painted at
  once) and then for the whole list, appended when it comes; a question replaced by a newer
  one stops on its reader;
- `data()` serves rows from an LRU cache; a missing row asks for its page (once) on a reader
  thread and shows a placeholder until it arrives; `flags()` and `data()` never touch the store;
- what a row's cells paint is worked out once, on the reader that fetched the row, and kept;
  the view's `QueueDelegate` paints a cell from it in one trip into Python, drawing no more
  than a rectangle and a prepared text (a stock delegate's `multiData()` call is served from
  the same values);
- the GUI thread never walks the whole id list: a new answer is compared with the old one, and
  the rows of the cached and selected cases are located, on the reader (no rid-to-row map of
  a million entries);
- store changes mark the changed rows stale and refetch them, and re-run the snapshot query
  (throttled, not debounced: a first sync commits pages for minutes), since any change may
  move a case in or out of the queue or along the sort.

The model owns no selection: the view keeps it across new snapshots (see `QueueView`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from itertools import islice
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from operator_app.domain.deadlines import local_date
from operator_app.store import Changes, QueueFilter, QueueRow, Sort, Store
from ui.bridge import TaskRunner
from ui.context import system_clock
from ui.directory_names import DirectoryNames
from ui.queue.cells import PAINTED_ROLES, Cells, cell_data, row_cells
from ui.queue.columns import COLUMN_OF_SORT, SORT_KEYS, Column, column_title
from ui.queue.query import QueueQuery, Snapshot, build_first_screen, build_snapshot
from ui.queue.row_cache import RowCache

log = logging.getLogger(__name__)

PAGE_SIZE = 100
CACHE_ROWS = 3000
# A new question is answered in two steps: the first rows (a screenful and the next page,
# an index walk that stops early) are painted at once; the whole ordered list follows and is
# swapped in (appended, keeping selection and scroll) when it arrives.
FIRST_SCREEN_ROWS = 200
# Pulled pages arrive in bursts during a sync: one snapshot query per burst is enough (and
# never more often than twice what the last one took).
LIVE_REFRESH_MS = 250
PLACEHOLDER = "…"
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RID_ROLE = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex
_PAINTED = frozenset(int(role) for role in PAINTED_ROLES)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
# Asked for every painted cell too, never answered here.
_NEVER_SET = frozenset(
    int(role) for role in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.CheckStateRole)
)
_COLUMNS = len(Column)


class QueueModel(QAbstractTableModel):
    """Cases of one queue query, in order; rows are fetched on reader threads."""

    snapshot_applied = Signal(bool)  # after every answered query; True for a live refresh
    first_screen_applied = Signal()  # the first rows of a new answer, the rest on its way
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
        first_screen_rows: int = FIRST_SCREEN_ROWS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self._clock = clock
        self._page_size = page_size
        self._first_screen_rows = max(first_screen_rows, 0)
        self._partial = False  # the rids shown are the first screen of a longer answer
        self._cache = RowCache(max(cache_rows, 2 * page_size))
        self._names = DirectoryNames()
        self._now = clock()
        self._query = QueueQuery()
        self._asked = False  # no snapshot asked for yet
        self._seq = 0
        self._live = False
        self._rids: list[int] = []
        self._row_of: dict[int, int] = {}  # rows of the rids cached or kept, not of all
        self._keep: Callable[[], Iterable[int]] = tuple
        self._inflight: set[int] = set()
        self._pages_asked: set[int] = set()  # pages of the current snapshot on their way
        self._cells: dict[int, Cells] = {}  # by rid: what its cells paint, worked out once
        self._cells_capacity = max(cache_rows, 2 * page_size)
        # Counts what makes cells stale (a new day, language or names): cells worked out on a
        # reader for an older count are not kept.
        self._cells_epoch = 0
        self._stale: set[int] = set()
        self._missing: set[int] = set()  # asked for, but gone from the store
        self._stopped = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(LIVE_REFRESH_MS)
        self._refresh_timer.timeout.connect(lambda: self._run_snapshot(live=True))
        self._answer_pending = False  # a snapshot query is on its way
        self._refresh_due = False  # and the store changed since it was asked
        self._asked_at = time.monotonic()
        self._answer_ms = 0.0  # what the last answer took

    # -- Qt's model interface ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    # flags() is QAbstractTableModel's own (enabled, selectable, no children): it never
    # fetches (Anki's lesson: a table asks for the flags of every cell it paints), and, not
    # overridden, costs a paint no call into Python per cell.

    def index(
        self,
        row: int,
        column: int,
        parent: AnyIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        # Qt's own asks rowCount() and columnCount() (two calls into Python) for every cell a
        # paint draws; a screenful is some 500 cells, and each call costs microseconds.
        if 0 <= row < len(self._rids) and 0 <= column < _COLUMNS and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

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
        row_number = index.row()
        rid = self._rids[row_number]
        if role == RID_ROLE:
            return rid
        role = int(role)
        if role in _PAINTED:
            cells = self._cells_of(rid, row_number)
            if cells is None:
                return PLACEHOLDER if role == _DISPLAY else None
            return cells[index.column()].get(role)
        row = self._row(rid, row_number)
        if row is None:
            return None
        if role == CASE_ID_ROLE:
            return row.id
        return cell_data(row, Column(index.column()), role, self._names, self._now)

    def multiData(self, index: AnyIndex, role_data_span: QModelRoleDataSpan) -> None:
        """Every role a delegate asks of a cell, in one call (one trip into Python per cell)."""
        row_number = index.row()  # -1 for an invalid index
        if not 0 <= row_number < len(self._rids):
            for item in role_data_span:
                item.clearData()
            return
        cells = self._cells_of(self._rids[row_number], row_number)
        column = index.column()
        for item in role_data_span:
            role = item.role()
            if role in _PAINTED:
                if cells is None:
                    value = PLACEHOLDER if role == _DISPLAY else None
                else:
                    value = cells[column].get(role)
            elif role in _NEVER_SET:
                value = None
            else:
                value = self.data(index, role)
            if value is None:
                item.clearData()
            else:
                item.setData(value)

    def _row(self, rid: int, row_number: int) -> QueueRow | None:
        """The cached row, or None after asking for its page (once) on a reader thread."""
        row = self._cache.get(rid)
        if row is None and rid not in self._missing:
            page = row_number // self._page_size
            if page not in self._pages_asked:
                self._request_page(page)
                row = self._cache.get(rid)  # a synchronous runner (tests) has it already
        return row

    def _cells_of(self, rid: int, row_number: int) -> Cells | None:
        cells = self._cells.get(rid)
        if cells is not None:
            return cells
        row = self._row(rid, row_number)
        if row is None:
            return None
        # Rows arrive with their cells (see `_fetch`); these were made stale by a new day, a
        # new language or new names.
        cells = row_cells(row, self._names, self._now)
        self._keep_cells(rid, cells)
        return cells

    def _keep_cells(self, rid: int, cells: Cells) -> None:
        if len(self._cells) >= self._cells_capacity:
            # The older half goes (kept in arrival order): clearing all of them made the rows
            # on screen work their cells out again on the GUI thread.
            for old in list(islice(self._cells, len(self._cells) // 2)):
                del self._cells[old]
        self._cells[rid] = cells

    def painted(self, row_number: int) -> tuple[int, Cells | None] | None:
        """For a delegate: the rid at a row and what its cells paint (None until it arrives;
        asks for its page once); None for no such row. Never touches the store."""
        if not 0 <= row_number < len(self._rids):
            return None
        rid = self._rids[row_number]
        cells = self._cells.get(rid)
        return rid, cells if cells is not None else self._cells_of(rid, row_number)

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

    @property
    def is_partial(self) -> bool:
        """Only the first screen of the answer is shown; the whole list is on its way."""
        return self._partial

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
        """Ask nothing more of the store: a live refresh waiting to run is dropped, and so is
        every answer still on its way (a first screen's would ask for the whole list)."""
        self._refresh_timer.stop()
        self._stopped = True
        self._seq += 1

    def refresh(self) -> None:
        """Ask the same question again now, keeping what is selected and scrolled to."""
        self._run_snapshot(live=True)

    def _schedule_refresh(self) -> None:
        """Ask again soon: at most one live refresh on its way and one waiting, spaced by what
        the last answer cost (a first sync commits pages for minutes: a refresh that waited
        for a quiet moment would never run, one after every page would keep a reader busy)."""
        if self._stopped or self._refresh_timer.isActive():
            return
        if self._answer_pending:
            self._refresh_due = True
            return
        self._refresh_timer.start(max(LIVE_REFRESH_MS, int(2 * self._answer_ms)))

    def _run_snapshot(self, *, live: bool) -> None:
        if self._stopped:
            return
        self._asked = True
        self._refresh_timer.stop()
        self._refresh_due = False
        self._answer_pending = True
        self._asked_at = time.monotonic()
        self._seq += 1
        seq, store, query, previous = self._seq, self._store, self._query, self._rids
        # Where the rows cached, on their way or kept by the view will be, found on the reader.
        wanted = frozenset(self._cache.rids()) | frozenset(self._keep()) | self._inflight
        limit = self._first_screen_rows
        if live or not limit:
            self._run_whole(seq, live, previous, wanted)
            return
        cancelled = self._superseded(seq)
        self._runner.run_query(
            lambda: build_first_screen(store, query, limit, previous, wanted, cancelled),
            partial(self._first_screen_done, seq, wanted),
            partial(self._snapshot_failed, seq),
            receiver=self,
        )

    def _run_whole(self, seq: int, live: bool, previous: list[int], wanted: frozenset[int]) -> None:
        store, query = self._store, self._query
        cancelled = self._superseded(seq)
        self._runner.run_query(
            lambda: build_snapshot(store, query, previous, wanted, cancelled),
            partial(self._snapshot_done, seq, live),
            partial(self._snapshot_failed, seq),
            receiver=self,
        )

    def _superseded(self, seq: int) -> Callable[[], bool]:
        """Whether a newer question replaced question `seq` (asked on the reader, which then
        stops its query: the answer would be dropped anyway)."""
        return lambda: self._seq != seq or self._stopped

    def _first_screen_done(self, seq: int, wanted: frozenset[int], snapshot: Snapshot) -> None:
        if seq != self._seq:
            return
        if not snapshot.partial:
            self._snapshot_done(seq, False, snapshot)
            return
        self._apply(snapshot, live=False, partial_answer=True)
        self.first_screen_applied.emit()
        # The whole list next, on a reader; the rids kept before are located in it too.
        wanted = wanted | frozenset(self._cache.rids()) | frozenset(self._keep()) | self._inflight
        self._run_whole(seq, False, self._rids, wanted)

    def _snapshot_done(self, seq: int, live: bool, snapshot: Snapshot) -> None:
        if seq != self._seq:
            return  # a newer question is on its way
        self._answered()
        self._apply(snapshot, live=live, partial_answer=False)
        self.snapshot_applied.emit(live)

    def _apply(self, snapshot: Snapshot, *, live: bool, partial_answer: bool) -> None:
        now = self._clock()
        if local_date(now) != local_date(self._now):
            self._forget_cells()  # deadlines count in days: a new day, new countdowns
        self._now = now
        self._live = live
        shown, was_partial = self._rids, self._partial
        self._partial = partial_answer
        rids = snapshot.rids
        if (
            not snapshot.same
            and was_partial
            and len(rids) > len(shown)
            and rids[: len(shown)] == shown
        ):
            # The rest of the answer whose first screen is shown: appended, so the selection,
            # the current row and the scroll position stay as they are.
            self.beginInsertRows(QModelIndex(), len(shown), len(rids) - 1)
            self._rids = rids
            self._row_of.update(snapshot.row_of)
            self.endInsertRows()
            return
        self._missing.clear()
        self._pages_asked.clear()
        if snapshot.same:
            self._row_of.update(snapshot.row_of)
            return
        self.beginResetModel()
        self._rids, self._row_of = rids, dict(snapshot.row_of)
        self.endResetModel()

    def _answered(self) -> None:
        self._answer_pending = False
        self._answer_ms = (time.monotonic() - self._asked_at) * 1000
        if self._refresh_due:
            self._refresh_due = False
            self._schedule_refresh()

    def _snapshot_failed(self, seq: int, exc: BaseException) -> None:
        log.error("Queue query failed", exc_info=exc)
        if seq != self._seq:
            return  # a newer question is on its way: its answer is the one that counts
        # As after an answer: a refresh that waited for this one runs now (the store changed
        # meanwhile, and the next question may well succeed).
        self._answered()
        self.query_failed.emit(exc)

    # -- rows ----------------------------------------------------------------------------------

    def rid_at(self, row: int) -> int | None:
        return self._rids[row] if 0 <= row < len(self._rids) else None

    def row_of_rid(self, rid: int) -> int | None:
        """The row of a case on screen, cached or kept by the view (see `set_keep`); None for
        others (finding any rid would take a map of every row: too big at a million)."""
        return self._row_of.get(rid)

    def set_keep(self, keep: Callable[[], Iterable[int]]) -> None:
        """Rids whose rows the next snapshots must locate (the view's selection)."""
        self._keep = keep

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
        if wanted:
            self._pages_asked.add(page)
        self._fetch(wanted, page)

    def _fetch(self, rids: list[int], page: int | None = None) -> None:
        if not rids or self._stopped:
            return
        self._inflight.update(rids)
        store, names, now, epoch = self._store, self._names, self._now, self._cells_epoch

        def load() -> list[tuple[QueueRow, Cells]]:
            # The cells too, here on the reader: the paint that shows the rows formats nothing.
            return [(row, row_cells(row, names, now)) for row in store.rows(rids)]

        self._runner.run_query(
            load,
            partial(self._rows_done, rids, self._seq, page, epoch),
            partial(self._rows_failed, rids, self._seq, page),
            receiver=self,
        )

    def _rows_done(
        self,
        asked: list[int],
        seq: int,
        page: int | None,
        epoch: int,
        loaded: list[tuple[QueueRow, Cells]],
    ) -> None:
        self._inflight.difference_update(asked)
        if seq == self._seq and page is not None:
            self._pages_asked.discard(page)
            self._locate_page(page)
        found = {row.rid: (row, cells) for row, cells in loaded}
        fresh = epoch == self._cells_epoch
        gone = False
        for rid in asked:
            item = found.get(rid)
            self._cells.pop(rid, None)
            if item is None:
                # Left the store's view meanwhile: the next snapshot drops it.
                self._cache.discard(rid)
                self._missing.add(rid)
                gone = True
            else:
                self._cache.put(item[0])
                if fresh:
                    self._keep_cells(rid, item[1])
            self._stale.discard(rid)
        self._emit_rows(asked)
        if gone:
            self._schedule_refresh()
        self.rows_arrived.emit()

    def _locate_page(self, page: int) -> None:
        if len(self._row_of) > 4 * self._cells_capacity:
            cached = frozenset(self._cache.rids()) | frozenset(self._keep())
            self._row_of = {rid: row for rid, row in self._row_of.items() if rid in cached}
        start = page * self._page_size
        for row, rid in enumerate(self._rids[start : start + self._page_size], start):
            self._row_of[rid] = row

    def _rows_failed(
        self, asked: list[int], seq: int, page: int | None, exc: BaseException
    ) -> None:
        self._inflight.difference_update(asked)
        if seq == self._seq and page is not None:
            self._pages_asked.discard(page)
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
        self._schedule_refresh()

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

    def _forget_cells(self) -> None:
        self._cells.clear()
        self._cells_epoch += 1

    def _emit_all(self) -> None:
        self._forget_cells()
        if self._rids:
            self._emit_range(0, len(self._rids) - 1)
