"""The queue's view, filter bar and panel: selection and scrolling kept, widths remembered,
filters, sort and quick search."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from operator_app.domain.model import CaseType, Channel, Status
from operator_app.domain.mutations import CitizenInfo, CreateCase
from operator_app.store import CaseSyncState, Facet, QueueFilter, Store
from tests.ui.a11y import assert_accessible
from tests.ui.desk import NOW, SUPERVISOR, WAIT_MS
from ui.bridge import TaskRunner
from ui.context import DeskContext
from ui.language import LanguageSwitcher
from ui.queue.columns import COLUMN_KEYS, Column
from ui.queue.filter_bar import ME, OPEN, UNASSIGNED, FilterBar
from ui.queue.filters import combine
from ui.queue.model import CASE_ID_ROLE, QueueModel
from ui.queue.panel import QueuePanel
from ui.queue.query import QueueQuery
from ui.queue.view import QueueView
from ui.settings import QUEUE_COLUMN_WIDTHS, Settings
from ui.store_events import StoreEvents


def _new_case(subject: str = "Шинэ хандалт") -> CreateCase:
    return CreateCase(
        case_id=str(uuid.uuid4()),
        centre="c1111",
        channel=Channel.PHONE,
        type=CaseType.COMPLAINT,
        category="utilities_and_heating.hot_water",
        subject=subject,
        citizen=CitizenInfo(name="Оюунчимэг Дорж", phone="88112233"),
        registered_at=NOW,
    )


def _view(qtbot: QtBot, store: Store, runner: TaskRunner, settings: Settings) -> QueueView:
    model = QueueModel(store, runner, clock=lambda: NOW)
    view = QueueView(model, settings)
    model.setParent(view)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    model.set_query(QueueQuery())
    return view


def test_a_live_refresh_keeps_the_selection_and_the_rows_on_screen(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner, settings: Settings
) -> None:
    view = _view(qtbot, desk_store, sync_runner, settings)
    model = view.model()
    assert isinstance(model, QueueModel)
    events = StoreEvents(desk_store, view)
    events.changed.connect(model.on_store_changed)
    view.scrollTo(model.index(60, 0), view.ScrollHint.PositionAtTop)
    view.select_row(65)
    selected = view.current_case_id()
    top_case = model.data(model.index(view.rowAt(0), 0), CASE_ID_ROLE)
    top_offset = view.rowViewportPosition(view.rowAt(0))

    # Two new cases sort in above (newest first): every row below moves down by two.
    for subject in ("Шинэ хандалт А", "Шинэ хандалт Б"):
        desk_store.submit(_new_case(subject), SUPERVISOR)
    qtbot.waitUntil(lambda: model.rowCount() == 402, timeout=WAIT_MS)

    assert view.current_case_id() == selected
    assert view.selected_case_ids() == [selected]
    assert view.currentIndex().row() == 67
    top = view.rowAt(0)
    assert model.data(model.index(top, 0), CASE_ID_ROLE) == top_case
    assert view.rowViewportPosition(top) == top_offset


def test_a_new_sort_keeps_the_selected_case_in_view(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner, settings: Settings
) -> None:
    view = _view(qtbot, desk_store, sync_runner, settings)
    model = view.model()
    view.select_row(10)
    selected = view.current_case_id()
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        view.sortByColumn(Column.SUBJECT, Qt.SortOrder.AscendingOrder)
    assert view.current_case_id() == selected
    row = view.currentIndex().row()
    assert view.rowAt(0) <= row <= view.rowAt(view.viewport().height() - 1)


def test_an_unsortable_column_keeps_the_sort_indicator(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner, settings: Settings
) -> None:
    view = _view(qtbot, desk_store, sync_runner, settings)
    header = view.horizontalHeader()
    before = (header.sortIndicatorSection(), header.sortIndicatorOrder())
    header.setSortIndicator(Column.PHONE, Qt.SortOrder.AscendingOrder)
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == before


def test_column_widths_are_remembered(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner, settings: Settings
) -> None:
    view = _view(qtbot, desk_store, sync_runner, settings)
    view.setColumnWidth(Column.SUBJECT, 333)
    view.save_widths()
    assert settings.get(QUEUE_COLUMN_WIDTHS)[COLUMN_KEYS[Column.SUBJECT]] == 333
    again = _view(qtbot, desk_store, sync_runner, settings)
    assert again.columnWidth(Column.SUBJECT) == 333


def test_enter_opens_the_current_case(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner, settings: Settings
) -> None:
    view = _view(qtbot, desk_store, sync_runner, settings)
    view.select_row(4)
    with qtbot.waitSignal(view.case_activated, timeout=WAIT_MS) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [view.current_case_id()]


def test_the_view_is_set_up_for_big_tables(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner, settings: Settings
) -> None:
    view = _view(qtbot, desk_store, sync_runner, settings)
    assert not view.wordWrap()
    assert view.verticalHeader().sectionResizeMode(0).name == "Fixed"
    assert view.accessibleName() == "Case queue"


# --- filters ----------------------------------------------------------------------------------


def test_combining_filters_ands_them_and_spots_contradictions() -> None:
    mine = QueueFilter(assignees=frozenset({"op-1"}))
    open_health = QueueFilter(open_only=True, categories=frozenset({"health"}))
    both = combine(mine, open_health)
    assert both == QueueFilter(
        assignees=frozenset({"op-1"}), open_only=True, categories=frozenset({"health"})
    )
    assert combine(mine, QueueFilter(unassigned=True)) is None
    assert (
        combine(
            QueueFilter(statuses=frozenset({Status.NEW})),
            QueueFilter(statuses=frozenset({Status.CLOSED})),
        )
        is None
    )
    assert combine(QueueFilter(), QueueFilter()) == QueueFilter()


def test_the_filter_bar_builds_the_filter_it_shows(qtbot: QtBot) -> None:
    bar = FilterBar("op-demo")
    qtbot.addWidget(bar)
    assert bar.current_filter() == QueueFilter(open_only=True)  # open cases by default
    with qtbot.waitSignal(bar.filter_changed, timeout=WAIT_MS) as changed:
        bar.assignee.set_value(ME)
    assert changed.args[0].assignees == frozenset({"op-demo"})
    bar.assignee.set_value(UNASSIGNED)
    bar.status.set_value(Status.WAITING.value)
    bar.sync.set_value(CaseSyncState.CONFLICT.value)
    bar.category.set_value("health")
    assert bar.current_filter() == QueueFilter(
        statuses=frozenset({Status.WAITING}),
        unassigned=True,
        sync=frozenset({CaseSyncState.CONFLICT}),
        categories=frozenset({"health"}),
    )
    bar.clear()
    assert bar.current_filter() == QueueFilter(open_only=True)
    assert_accessible(bar)


def test_facet_counts_show_in_the_drop_downs(qtbot: QtBot) -> None:
    bar = FilterBar("op-demo")
    qtbot.addWidget(bar)
    bar.set_counts(
        {
            Facet.STATUS: {"new": 5, "in_progress": 7, "closed": 2},
            Facet.ASSIGNEE: {"op-demo": 4, "": 9},
            Facet.CATEGORY: {"health.medicines": 3, "health.hospital_services": 2},
        }
    )
    assert bar.status.itemText(0) == "Open cases (12)"
    assert bar.status.itemText(bar.status.findData("closed")) == "Closed (2)"
    assert bar.assignee.itemText(bar.assignee.findData(ME)) == "Me (4)"
    assert bar.category.itemText(bar.category.findData("health")) == "Health (5)"


def test_quick_search_waits_for_the_operator_to_pause(qtbot: QtBot) -> None:
    bar = FilterBar("op-demo")
    qtbot.addWidget(bar)
    received: list[str] = []
    bar.lookup_changed.connect(received.append)
    qtbot.keyClicks(bar.search, "bat-erdene")
    assert received == []  # debounced: not a query per key
    qtbot.waitUntil(lambda: received == ["bat-erdene"], timeout=WAIT_MS)


def test_the_panel_filters_sorts_and_searches(
    qtbot: QtBot, desk: DeskContext, languages: LanguageSwitcher
) -> None:
    languages.switch("en")  # the English catalog has the plural forms
    panel = QueuePanel(desk)
    qtbot.addWidget(panel)
    panel.set_base_filter(QueueFilter(centres=frozenset({"c1111"})))
    model = panel.model
    everything_open = model.rowCount()
    assert 0 < everything_open < 400
    assert panel.legend.count_label.text() == f"{everything_open} cases"

    panel.filter_bar.status.set_value(Status.NEW.value)
    statuses = {model.data(model.index(r, Column.STATUS)) for r in range(model.rowCount())}
    assert statuses == {"New"}

    panel.filter_bar.status.set_value(OPEN)
    model.sort(Column.CITIZEN, Qt.SortOrder.AscendingOrder)
    names = [model.data(model.index(r, Column.CITIZEN)) for r in range(20)]
    assert names == sorted(names)

    with qtbot.waitSignal(panel.counts_loaded, timeout=WAIT_MS):
        panel.refresh_counts()
    assert panel.filter_bar.status.itemText(0) == f"Open cases ({everything_open})"

    panel.filter_bar.search.setText("emneleg")
    panel.filter_bar.search.returnPressed.emit()
    subjects = {model.data(model.index(r, Column.SUBJECT)) for r in range(model.rowCount())}
    assert subjects and all("Эмнэл" in s or "эмнэл" in s.lower() for s in subjects)
    assert_accessible(panel)


class _WholeListGate:
    """Forwards to a store, holding the queries for a whole id list (no `limit`) until the
    test opens the gate: the first screen can be seen painted before the rest arrives."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.gate = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def queue_ids(self, f: QueueFilter, *args: Any, **kwargs: Any) -> list[int]:
        limit = args[1] if len(args) > 1 else kwargs.get("limit")
        if limit is None:
            self.gate.wait(10)
        return self._store.queue_ids(f, *args, **kwargs)


def _gated_view(
    qtbot: QtBot, store: Store, runner: TaskRunner, settings: Settings
) -> tuple[QueueView, QueueModel, _WholeListGate]:
    gated = _WholeListGate(store)
    model = QueueModel(gated, runner, clock=lambda: NOW, first_screen_rows=50)  # type: ignore[arg-type]
    view = QueueView(model, settings)
    model.setParent(view)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    return view, model, gated


def test_the_first_screen_is_painted_before_the_whole_list(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner, settings: Settings
) -> None:
    view, model, gated = _gated_view(qtbot, desk_store, runner, settings)
    with qtbot.waitSignal(model.first_screen_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery())
    assert model.rowCount() == 50 and model.is_partial
    whole = desk_store.queue_ids(QueueFilter(), model.query.sort)
    assert list(model.rids()) == whole[:50]
    view.select_row(20)
    qtbot.waitUntil(lambda: bool(view.current_case_id()), timeout=WAIT_MS)
    selected = view.current_case_id()
    top = view.rowAt(0)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))

    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        gated.gate.set()
    # The rest appended: no reset, the selection and the scroll position as they were.
    assert not resets and not model.is_partial
    assert list(model.rids()) == whole and model.rowCount() == 400
    assert view.current_case_id() == selected and view.currentIndex().row() == 20
    assert view.rowAt(0) == top


def test_a_selected_case_beyond_the_first_screen_is_kept_once_the_rest_arrives(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner, settings: Settings
) -> None:
    view, model, gated = _gated_view(qtbot, desk_store, runner, settings)
    gated.gate.set()
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery())
    view.select_row(5)
    qtbot.waitUntil(lambda: bool(view.current_case_id()), timeout=WAIT_MS)
    selected = view.current_case_id()
    rid = model.rid_at(5)
    gated.gate.clear()

    # Oldest first: the case, among the newest, is far beyond the first screen.
    with qtbot.waitSignal(model.first_screen_applied, timeout=WAIT_MS):
        view.sortByColumn(Column.RECEIVED, Qt.SortOrder.AscendingOrder)
    assert model.is_partial and model.row_of_rid(rid or 0) is None
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        gated.gate.set()
    assert view.current_case_id() == selected
    assert view.selected_case_ids() == [selected]
    row = view.currentIndex().row()
    assert row >= 50
    assert view.rowAt(0) <= row <= view.rowAt(view.viewport().height() - 1)


class _StopsOnFirstCount:
    """Forwards to a store; the first facet count closes the panel while it runs (as a window
    closing under a count on its reader would)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.panel: QueuePanel | None = None
        self.counted: list[Facet] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def facet_counts(self, f: QueueFilter, facets: Any = tuple(Facet)) -> Any:
        self.counted.extend(facets)
        if self.panel is not None:
            self.panel.stop()
        return self._store.facet_counts(f, facets)


def test_stopping_the_panel_ends_its_facet_counts_and_its_search_timer(
    qtbot: QtBot, desk: DeskContext
) -> None:
    store = _StopsOnFirstCount(desk.store)
    panel = QueuePanel(replace(desk, store=store))  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    panel.show()
    panel.set_base_filter(QueueFilter())
    assert panel.model.rowCount() > 0
    qtbot.keyClicks(panel.filter_bar.search, "halaalt")  # waits for the operator's pause
    store.panel = panel
    counted: list[bool] = []
    panel.counts_loaded.connect(lambda: counted.append(True))

    panel.refresh_counts()  # one facet per task: the panel stops during the first
    assert store.counted == [Facet.STATUS] and not counted
    assert [timer for timer in panel.findChildren(QTimer) if timer.isActive()] == []
    panel.refresh_counts()  # asked once stopped: nothing is counted
    assert store.counted == [Facet.STATUS]
