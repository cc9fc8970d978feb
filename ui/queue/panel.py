"""The queue panel: filter bar, table and legend, driven by a base filter from the navigation."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from operator_app.store import Changes, Facet, QueueFilter
from ui.context import DeskContext
from ui.directory_names import DirectoryNames
from ui.queue.filter_bar import FilterBar
from ui.queue.filters import combine
from ui.queue.legend import QueueLegend
from ui.queue.model import QueueModel
from ui.queue.query import QueueQuery, is_identifier
from ui.queue.view import QueueView
from ui.retranslate import Retranslatable

log = logging.getLogger(__name__)

FACETS = (
    Facet.STATUS,
    Facet.ASSIGNEE,
    Facet.DEADLINE,
    Facet.TYPE,
    Facet.CATEGORY,
    Facet.CENTRE,
    Facet.CHANNEL,
    Facet.PRIORITY,
    Facet.SYNC,
)
# Counting is a GROUP BY per facet over the matching cases: cheap for a team's queue, not for
# a million. Past this many the drop-downs go without counts.
FACET_COUNT_LIMIT = 100_000
# After live refreshes: a first sync refreshes every second or two for minutes, and counting
# then would only compete with it for the processor.
FACETS_AFTER_CHANGE_MS = 3000
# Clicking through filters asks several questions in a row: count only the one settled on.
FACETS_AFTER_QUERY_MS = 300
DEADLINE_TICK_MS = 60_000


class QueuePanel(Retranslatable, QWidget):
    """Shows the cases of the navigation's queue, narrowed by the filter bar."""

    current_case_changed = Signal(str)
    case_activated = Signal(str)
    counts_loaded = Signal()

    def __init__(self, context: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QueuePanel")
        self._context = context
        self._base = QueueFilter()
        self._facet_seq = 0
        self._stopped = False
        self.model = QueueModel(context.store, context.runner, clock=context.clock, parent=self)
        self.filter_bar = FilterBar(context.actor.id, self)
        self.view = QueueView(self.model, context.settings, self)
        self.legend = QueueLegend(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.legend)
        self.filter_bar.filter_changed.connect(self._apply)
        self.filter_bar.lookup_changed.connect(self._apply)
        self.view.current_case_changed.connect(self.current_case_changed)
        self.view.case_activated.connect(self.case_activated)
        self.model.snapshot_applied.connect(self._on_snapshot)
        self.model.query_failed.connect(self._on_query_failed)
        self._facet_timer = QTimer(self)
        self._facet_timer.setSingleShot(True)
        self._facet_timer.setInterval(FACETS_AFTER_CHANGE_MS)
        self._facet_timer.timeout.connect(self.refresh_counts)
        self._tick = QTimer(self)
        self._tick.setInterval(DEADLINE_TICK_MS)
        self._tick.timeout.connect(self.model.tick)
        self._tick.start()
        self.setTabOrder(self.filter_bar.clear_button, self.view)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setAccessibleName(self.tr("Case queue with filters"))

    def stop(self) -> None:
        """No more questions to the store (the window is closing; the runner may be gone)."""
        self._stopped = True
        self._facet_timer.stop()
        self._facet_seq += 1  # a facet count on its way asks for no next facet
        self._tick.stop()
        self.filter_bar.stop()
        self.model.stop()

    # -- what is shown -------------------------------------------------------------------------

    def set_base_filter(self, base: QueueFilter) -> None:
        """The navigation's queue ("My cases", "Team queue"...), before the filter bar's choices."""
        self._base = base
        self._apply()

    def base_filter(self) -> QueueFilter:
        return self._base

    def set_names(self, names: DirectoryNames) -> None:
        self.model.set_names(names)
        centres = names.centre_ids() or sorted(self._context.actor.centres)
        self.filter_bar.set_centres(names, centres)

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def effective_filter(self) -> QueueFilter | None:
        return combine(self._base, self.filter_bar.current_filter())

    @Slot()
    def _apply(self) -> None:
        query = QueueQuery(self.effective_filter(), self.model.query.sort, self.filter_bar.lookup())
        if query != self.model.query:
            self.legend.set_count(None)
            self._facet_seq += 1  # counts of the old question are not worth finishing
        self.model.set_query(query)

    @Slot(bool)
    def _on_snapshot(self, live: bool) -> None:
        self.legend.set_count(self.model.rowCount())
        if self._stopped:
            return
        # Counted once the answer is in: whether to count depends on its size, and counting
        # meanwhile would only slow the answer down.
        self._facet_timer.start(FACETS_AFTER_CHANGE_MS if live else FACETS_AFTER_QUERY_MS)

    @Slot(object)
    def _on_query_failed(self, _exc: BaseException) -> None:
        # Logged by the model; here the operator learns that the list is not to be trusted.
        self.legend.set_failed()

    def on_store_changed(self, changes: Changes) -> None:
        self.model.on_store_changed(changes)  # a live refresh follows, and the counts after it

    # -- facet counts --------------------------------------------------------------------------

    @Slot()
    def refresh_counts(self) -> None:
        """Count each facet's values on a reader thread (skipped where it would not be cheap)."""
        query = self.model.query
        self._facet_seq += 1
        seq = self._facet_seq
        if self._stopped:
            return
        if (
            query.filter is None
            or is_identifier(query.lookup)
            or self.model.rowCount() > FACET_COUNT_LIMIT
        ):
            self.filter_bar.set_counts({})
            return
        counted = replace(query.filter, text=query.lookup.strip())
        self._count_next(seq, counted, list(FACETS), {})

    def _count_next(
        self,
        seq: int,
        counted: QueueFilter,
        facets: list[Facet],
        counts: dict[Facet, dict[str, int]],
    ) -> None:
        # One facet per reader task: once the operator asks something new, at most one facet's
        # count is still running to slow the new answer down, not all nine.
        if seq != self._facet_seq:
            return
        if not facets:
            self.filter_bar.set_counts(counts)
            self.counts_loaded.emit()
            return
        facet, rest = facets[0], facets[1:]
        store = self._context.store

        def done(found: dict[Facet, dict[str, int]]) -> None:
            self._count_next(seq, counted, rest, {**counts, **found})

        self._context.runner.run_query(
            lambda: store.facet_counts(counted, (facet,)),
            done,
            lambda exc: log.warning("Facet counts failed: %s", exc),
            receiver=self,
        )
