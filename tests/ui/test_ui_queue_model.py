"""The queue model: a well-behaved Qt model over rid snapshots, rows fetched off the GUI thread."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import CaseType, Channel, Status
from operator_app.domain.mutations import AddNote, CitizenInfo, CreateCase
from operator_app.store import CaseSyncState, QueueFilter, Sort, SortKey, Store
from tests.ui.desk import NOW, SUPERVISOR, WAIT_MS, GatedStore, RecordingStore, clock
from ui.bridge import TaskRunner
from ui.queue.cells import NO_VALUE
from ui.queue.columns import Column
from ui.queue.model import CASE_ID_ROLE, PLACEHOLDER, QueueModel
from ui.queue.palette import DEADLINE_SWATCHES, SYNC_GLYPHS
from ui.queue.query import QueueQuery

assert NO_VALUE  # the cells module's "no value" mark exists for empty optional cells


def _model(store: object, runner: TaskRunner, **kwargs: object) -> QueueModel:
    model = QueueModel(store, runner, clock=clock, **kwargs)  # type: ignore[arg-type]
    model.set_query(QueueQuery())
    return model


def _column(model: QueueModel, column: Column, rows: int | None = None) -> list[str]:
    count = model.rowCount() if rows is None else rows
    return [model.data(model.index(r, column)) for r in range(count)]


def test_the_model_passes_qtmodeltester(
    qtmodeltester: ModelTester, desk_store: Store, sync_runner: TaskRunner
) -> None:
    model = _model(desk_store, sync_runner)
    assert model.rowCount() == 400
    # The Python tester reads every cell several times: a smaller snapshot keeps it quick.
    model.set_filter(QueueFilter(statuses=frozenset({Status.WAITING})))
    assert 0 < model.rowCount() < 100
    qtmodeltester.check(model, force_py=True)
    # It keeps watching: new snapshots (a sort, a wider filter) are checked as they land.
    model.sort(Column.DEADLINE, Qt.SortOrder.DescendingOrder)
    model.set_filter(QueueFilter(statuses=frozenset({Status.NEW, Status.WAITING})))
    assert model.rowCount() > 30


def test_rows_show_the_store_s_values(desk_store: Store, sync_runner: TaskRunner) -> None:
    model = _model(desk_store, sync_runner)
    first = desk_store.rows(
        [desk_store.queue_ids(QueueFilter(), Sort(SortKey.REGISTERED_AT, True))[0]]
    )[0]
    assert model.data(model.index(0, Column.NUMBER)) == first.display_number
    assert model.data(model.index(0, Column.SUBJECT)) == first.subject
    assert model.data(model.index(0, Column.NUMBER), CASE_ID_ROLE) == first.id
    assert model.data(model.index(0, Column.SYNC)) == SYNC_GLYPHS[first.sync_state]
    assert model.data(model.index(0, Column.SYNC), Qt.ItemDataRole.ToolTipRole) == "Synced"


def test_deadline_cells_count_down_and_are_coloured(
    desk_store: Store, sync_runner: TaskRunner
) -> None:
    model = _model(desk_store, sync_runner)
    model.set_filter(QueueFilter(deadline=frozenset({DeadlineState.OVERDUE})))
    assert model.rowCount() > 0
    index = model.index(0, Column.DEADLINE)
    assert model.data(index).endswith("overdue")
    swatch = DEADLINE_SWATCHES[DeadlineState.OVERDUE]
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) == swatch.background
    assert model.data(index, Qt.ItemDataRole.ForegroundRole) == swatch.foreground
    model.set_filter(QueueFilter(deadline=frozenset({DeadlineState.ON_TIME})))
    assert model.data(model.index(0, Column.DEADLINE)).startswith("in ")


def test_sorting_is_a_new_query_in_the_store(desk_store: Store, sync_runner: TaskRunner) -> None:
    store = RecordingStore(desk_store)
    model = _model(store, sync_runner)
    before = store.names()
    model.sort(Column.SUBJECT, Qt.SortOrder.AscendingOrder)
    assert "queue_ids" in store.names() and before <= store.names()
    expected = desk_store.queue_ids(QueueFilter(), Sort(SortKey.SUBJECT))
    assert list(model.rids()) == expected
    assert model.sort_column == Column.SUBJECT
    subjects = _column(model, Column.SUBJECT, 50)
    assert subjects == sorted(subjects)


def test_a_column_the_store_cannot_sort_keeps_the_order(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner
) -> None:
    model = _model(desk_store, sync_runner)
    order = list(model.rids())
    with qtbot.waitSignal(model.sort_refused, timeout=WAIT_MS):
        model.sort(Column.PHONE)
    assert list(model.rids()) == order


def test_flags_never_touch_the_store(desk_store: Store, sync_runner: TaskRunner) -> None:
    store = RecordingStore(desk_store)
    model = _model(store, sync_runner)
    store.recorded.clear()
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            assert model.flags(model.index(row, column)) & Qt.ItemFlag.ItemIsSelectable
    assert store.recorded == []


def test_rows_come_a_page_at_a_time_into_a_bounded_cache(
    desk_store: Store, sync_runner: TaskRunner
) -> None:
    store = RecordingStore(desk_store)
    model = _model(store, sync_runner, page_size=50, cache_rows=100)
    store.recorded.clear()
    model.data(model.index(120, Column.SUBJECT))
    assert [name for name, _ in store.recorded] == ["rows"]  # one page for row 120
    for row in range(0, 400, 50):
        model.data(model.index(row, Column.SUBJECT))
    assert store.names() == {"rows"}
    assert model.row_at(0) is None  # evicted: the cache holds 100 rows
    assert model.data(model.index(0, Column.NUMBER))  # fetched again on demand


def test_missing_rows_show_placeholders_until_the_reader_delivers(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner
) -> None:
    store = GatedStore(desk_store)
    model = QueueModel(store, runner, clock=clock)  # type: ignore[arg-type]
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery())
    # The GUI thread asks and moves on: the rows are still held behind the gate.
    assert model.data(model.index(5, Column.SUBJECT)) == PLACEHOLDER
    assert model.data(model.index(5, Column.SUBJECT), CASE_ID_ROLE) is None
    with qtbot.waitSignal(model.rows_arrived, timeout=WAIT_MS):
        store.gate.set()
    assert model.data(model.index(5, Column.SUBJECT)) not in (PLACEHOLDER, None)
    assert store.sql_calls_on(threading.main_thread()) == []


def test_a_store_change_refetches_the_row_and_asks_again(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner
) -> None:
    model = _model(desk_store, sync_runner)
    case_id = model.data(model.index(3, 0), CASE_ID_ROLE)
    unsubscribe = desk_store.subscribe(model.on_store_changed)
    try:
        desk_store.submit(AddNote(str(uuid.uuid4()), case_id, "Нэмэлт мэдээлэл"), SUPERVISOR)
        assert model.data(model.index(3, Column.SYNC)) == SYNC_GLYPHS[CaseSyncState.PENDING]
        create = CreateCase(
            case_id=str(uuid.uuid4()),
            centre="c1111",
            channel=Channel.PHONE,
            type=CaseType.REQUEST,
            category="health.medicines",
            subject="Эмийн сангийн цагийн хуваарь",
            citizen=CitizenInfo(name="Бат-Эрдэнэ Дорж", phone="99112233"),
            registered_at=NOW,
        )
        with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
            desk_store.submit(create, SUPERVISOR)
    finally:
        unsubscribe()
    assert model.rowCount() == 401
    assert model.data(model.index(0, 0), CASE_ID_ROLE) == create.case_id
    assert model.data(model.index(0, Column.NUMBER)).startswith("P-")


def test_filters_narrow_the_snapshot(desk_store: Store, sync_runner: TaskRunner) -> None:
    model = _model(desk_store, sync_runner)
    model.set_filter(QueueFilter(statuses=frozenset({Status.NEW})))
    assert 0 < model.rowCount() < 400
    assert set(_column(model, Column.STATUS)) == {"New"}
    model.set_filter(None)  # contradictory filters: nothing, without asking the store
    assert model.rowCount() == 0


@pytest.mark.parametrize(
    ("typed", "expect"),
    [
        ("Эмнэлэгт", "Эмнэлэгт дугаар авч чадахгүй байна"),
        ("emnelegt", "Эмнэлэгт дугаар авч чадахгүй байна"),
        ("halaalt", "Байрны халаалт муу"),
    ],
)
def test_quick_search_finds_words_in_either_script(
    desk_store: Store, sync_runner: TaskRunner, typed: str, expect: str
) -> None:
    model = _model(desk_store, sync_runner)
    model.set_lookup(typed)
    assert model.rowCount() > 0
    assert set(_column(model, Column.SUBJECT)) == {expect}


def test_quick_search_finds_case_numbers_and_phones(
    desk_store: Store, sync_runner: TaskRunner
) -> None:
    model = _model(desk_store, sync_runner)
    row = desk_store.rows(desk_store.queue_ids(QueueFilter())[:40])
    with_phone = next(r for r in row if r.phone)
    model.set_lookup(with_phone.number or "")
    assert _column(model, Column.NUMBER) == [with_phone.number]
    model.set_lookup(with_phone.phone[-8:-4] + " " + with_phone.phone[-4:])
    assert with_phone.number in _column(model, Column.NUMBER)
    assert {r for r in _column(model, Column.PHONE)} == {
        f"+976 {with_phone.phone[-8:-4]} {with_phone.phone[-4:]}"
    }


def test_the_deadline_countdown_follows_the_clock(
    desk_store: Store, sync_runner: TaskRunner
) -> None:
    now = [NOW]
    model = QueueModel(desk_store, sync_runner, clock=lambda: now[0])
    model.set_query(QueueQuery(QueueFilter(deadline=frozenset({DeadlineState.ON_TIME}))))
    before = model.data(model.index(0, Column.DEADLINE))
    now[0] = NOW + timedelta(days=1)
    model.tick()
    assert model.data(model.index(0, Column.DEADLINE)) != before
