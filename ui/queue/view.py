"""The queue's table view: set up for big tables, keeping selection and scroll across queries."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.queue.columns import COLUMN_KEYS, DEFAULT_WIDTHS, Column
from ui.queue.delegate import QueueDelegate
from ui.queue.model import QueueModel
from ui.retranslate import Retranslatable
from ui.settings import QUEUE_COLUMN_WIDTHS, Settings

SAVE_WIDTHS_MS = 400
PREFETCH_ROWS = 50  # beyond the last row on screen: the next flick's worth
KEEP = 1000  # selected rows carried over to a new answer
Select = QItemSelectionModel.SelectionFlag
# What the delegate takes from the view once (see `QueueDelegate.restyle`).
_RESTYLE = frozenset((QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange))


@dataclass(frozen=True, slots=True)
class _Kept:
    """What the view keeps across a new snapshot: by rid, the store's key of a case id."""

    selected: tuple[int, ...]
    current: int | None
    current_column: int
    visible: tuple[int, ...]  # the rids on screen, top first
    top_offset: int  # pixels of the top row scrolled out of sight


class QueueView(Retranslatable, QTableView):
    """Shows a `QueueModel`; says which case is current and which one the operator opens."""

    current_case_changed = Signal(str)  # "" when no case is current
    case_activated = Signal(str)

    def __init__(
        self, model: QueueModel, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("QueueView")
        self._queue = model
        self._settings = settings
        self._kept: _Kept | None = None
        # Kept cases not among a first screen (see `QueueModel.is_partial`): restored when
        # the rest of the answer is appended, unless the operator picked another row meanwhile.
        self._carry: _Kept | None = None
        self._restoring = False
        self._current_case = ""
        self.setModel(model)
        self._delegate = QueueDelegate(model, self)
        self.setItemDelegate(self._delegate)
        self._configure()
        self._restore_widths()
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_WIDTHS_MS)
        self._save_timer.timeout.connect(self.save_widths)
        self.horizontalHeader().sectionResized.connect(lambda *_: self._save_timer.start())
        model.set_keep(self._selected_rids)
        model.modelAboutToBeReset.connect(self._keep_state)
        model.modelReset.connect(self._restore_state)
        model.rows_arrived.connect(self._rows_arrived)
        model.modelReset.connect(self._prefetch)
        model.rowsInserted.connect(self._restore_carry)
        self.verticalScrollBar().valueChanged.connect(self._prefetch)
        self._pending_activation: int | None = None
        model.sort_refused.connect(self._show_model_sort)
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.doubleClicked.connect(self._activate_index)
        self.retranslate_ui()

    def _configure(self) -> None:
        # Big-table settings: fixed row heights (no per-row size hints), no word wrap, no grid
        # of per-cell widgets; rows are selected whole.
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table, as a keyboard user expects
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        rows.setMinimumSectionSize(self.fontMetrics().height() + 4)
        rows.hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self._queue.sort_column, self._queue.sort_order)
        self.setSortingEnabled(True)

    def retranslate_ui(self) -> None:
        self.setAccessibleName(self.tr("Case queue"))
        self.setAccessibleDescription(
            self.tr("Press Enter to open the selected case; click a column title to sort.")
        )
        self._queue.retranslate()

    # -- what is current -----------------------------------------------------------------------

    def current_case_id(self) -> str | None:
        index = self.currentIndex()
        return self._queue.case_id_at(index.row()) if index.isValid() else None

    def selected_case_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        return [case_id for row in rows if (case_id := self._queue.case_id_at(row))]

    def select_row(self, row: int) -> None:
        """Make `row` current and the only one selected."""
        index = self._queue.index(row, 0)
        if index.isValid():
            self.selectionModel().setCurrentIndex(index, Select.ClearAndSelect | Select.Rows)
            self.scrollTo(index)

    @Slot(QModelIndex, QModelIndex)
    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._restoring:
            self._carry = None  # the operator's own choice wins over one kept from before
            self._announce_current()

    @Slot()
    def _announce_current(self) -> None:
        # A row scrolled to faster than it loads has no id yet: told once it arrives.
        case_id = self.current_case_id()
        if case_id is None and self.currentIndex().isValid():
            return
        case_id = case_id or ""
        if case_id != self._current_case:
            self._current_case = case_id
            self.current_case_changed.emit(case_id)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in _RESTYLE:
            self._delegate.restyle()
            self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._prefetch()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activate_index(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    @Slot(QModelIndex)
    def _activate_index(self, index: QModelIndex) -> None:
        case_id = self._queue.case_id_at(index.row())
        if case_id:
            self._pending_activation = None
            self.case_activated.emit(case_id)
        else:
            # Not loaded yet (Enter pressed right after a jump): open it once it arrives.
            self._pending_activation = index.row()
            self._queue.fetch_rows(index.row(), index.row())

    @Slot()
    def _rows_arrived(self) -> None:
        self._announce_current()
        if self._pending_activation is not None:
            self._activate_index(self._queue.index(self._pending_activation, 0))

    @Slot()
    def _prefetch(self) -> None:
        """Ask for the rows on screen (and the next page) before they are painted."""
        top = max(self.rowAt(0), 0)
        bottom = self.rowAt(self.viewport().height() - 1)
        if bottom < 0:
            bottom = top + self.viewport().height() // max(
                self.verticalHeader().defaultSectionSize(), 1
            )
        self._queue.fetch_rows(top, bottom + PREFETCH_ROWS)

    # -- keeping the selection and the scroll position across snapshots --------------------------

    def _selected_rids(self, *, with_current: bool = True) -> tuple[int, ...]:
        """The current case and the selected ones (the first KEEP: a selection of a whole
        million-row queue is not carried over to a new answer)."""
        model = self._queue
        rows: list[int] = []
        current = self.currentIndex()
        if with_current and current.isValid():
            rows.append(current.row())
        for selected in self.selectionModel().selection():
            rows.extend(range(selected.top(), min(selected.bottom() + 1, selected.top() + KEEP)))
            if len(rows) >= KEEP:
                break
        return tuple(rid for row in rows[:KEEP] if (rid := model.rid_at(row)) is not None)

    @Slot()
    def _keep_state(self) -> None:
        model = self._queue
        if self._carry is not None:
            # A new answer before the rest of the last one: what was kept still is.
            self._kept, self._carry = self._carry, None
            return
        selected = self._selected_rids(with_current=False)
        current = self.currentIndex()
        top = self.rowAt(0)
        visible: tuple[int, ...] = ()
        offset = 0
        if top >= 0:
            bottom = self.rowAt(self.viewport().height() - 1)
            bottom = bottom if bottom >= 0 else model.rowCount() - 1
            visible = tuple(rid for row in range(top, bottom + 1) if (rid := model.rid_at(row)))
            offset = -self.rowViewportPosition(top)
        self._kept = _Kept(
            selected,
            model.rid_at(current.row()) if current.isValid() else None,
            max(current.column(), 0),
            visible,
            offset,
        )

    @Slot()
    def _restore_state(self) -> None:
        kept, self._kept = self._kept, None
        if kept is None:
            return
        model = self._queue
        if model.is_partial and (
            (kept.current is not None and model.row_of_rid(kept.current) is None)
            or any(model.row_of_rid(rid) is None for rid in kept.selected)
        ):
            self._carry = kept
        self._restore(kept)

    @Slot()
    def _restore_carry(self) -> None:
        kept, self._carry = self._carry, None
        if kept is not None and not self._queue.is_partial:
            self._restore(kept)

    def _restore(self, kept: _Kept) -> None:
        model = self._queue
        self._restoring = True
        try:
            selection = QItemSelection()
            for row in sorted(
                r for rid in kept.selected if (r := model.row_of_rid(rid)) is not None
            ):
                selection.select(model.index(row, 0), model.index(row, len(Column) - 1))
            selection_model = self.selectionModel()
            selection_model.select(selection, Select.ClearAndSelect)
            current_row = model.row_of_rid(kept.current) if kept.current is not None else None
            if current_row is not None:
                selection_model.setCurrentIndex(
                    model.index(current_row, kept.current_column), Select.NoUpdate
                )
            # The scroll bars learn the new row count only at the next layout: now, not later.
            self.updateGeometries()
            self._restore_scroll(kept, current_row)
        finally:
            self._restoring = False
        self._announce_current()

    def _restore_scroll(self, kept: _Kept, current_row: int | None) -> None:
        model = self._queue
        if model.last_refresh_was_live:
            # A live refresh keeps the rows on screen where they were, even as rows come and go
            # above them: the first of them still present stays at the same height.
            for rid in kept.visible:
                row = model.row_of_rid(rid)
                if row is not None:
                    height = self.verticalHeader().defaultSectionSize()
                    self.verticalScrollBar().setValue(row * height + kept.top_offset)
                    return
        if current_row is not None:
            self.scrollTo(model.index(current_row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        elif not model.last_refresh_was_live:
            self.scrollToTop()

    @Slot(int)
    def _show_model_sort(self, _column: int) -> None:
        header = self.horizontalHeader()
        blocked = header.blockSignals(True)
        header.setSortIndicator(self._queue.sort_column, self._queue.sort_order)
        header.blockSignals(blocked)
        header.viewport().update()

    # -- column widths -------------------------------------------------------------------------

    def _restore_widths(self) -> None:
        stored = self._settings.get(QUEUE_COLUMN_WIDTHS)
        for column in Column:
            width = stored.get(COLUMN_KEYS[column], DEFAULT_WIDTHS[column])
            self.setColumnWidth(column, max(24, min(int(width), 2000)))

    @Slot()
    def save_widths(self) -> None:
        widths = {COLUMN_KEYS[c]: self.columnWidth(c) for c in Column if self.columnWidth(c) > 0}
        self._settings.set(QUEUE_COLUMN_WIDTHS, widths)
