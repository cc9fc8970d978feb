"""What painting the queue costs the GUI thread: one call per cell (`multiData`), each page asked
for once however often its placeholders are painted, and rows that arrive after a new answer
still reach the screen."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from operator_app.domain.deadlines import DeadlineState
from operator_app.store import QueueFilter, Sort, SortKey, Store
from tests.ui.desk import WAIT_MS, GatedStore, RecordingStore, clock
from ui.bridge import TaskRunner
from ui.queue.columns import Column
from ui.queue.model import PLACEHOLDER, QueueModel
from ui.queue.query import QueueQuery, locate, snapshot_of


def _option(model: QueueModel, row: int, column: Column) -> QStyleOptionViewItem:
    """What a delegate paints for a cell (it asks the model through `multiData`)."""
    option = QStyleOptionViewItem()
    QStyledItemDelegate().initStyleOption(option, model.index(row, column))
    return option


def test_a_delegate_paints_what_data_says(desk_store: Store, sync_runner: TaskRunner) -> None:
    model = QueueModel(desk_store, sync_runner, clock=clock)
    model.set_query(QueueQuery(QueueFilter(deadline=frozenset({DeadlineState.OVERDUE}))))
    assert model.rowCount() > 0
    for column in Column:
        option = _option(model, 0, column)
        assert option.text == model.data(model.index(0, column))
    overdue = _option(model, 0, Column.DEADLINE)
    assert overdue.font.bold()
    background = model.data(model.index(0, Column.DEADLINE), Qt.ItemDataRole.BackgroundRole)
    assert overdue.backgroundBrush.color() == background


def test_placeholders_ask_for_their_page_once(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner
) -> None:
    store = GatedStore(desk_store)
    model = QueueModel(store, runner, clock=clock, page_size=50)  # type: ignore[arg-type]
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery())
    for _paint in range(5):  # a screen of placeholders painted again and again
        for row in range(40):
            for column in Column:
                assert _option(model, row, column).text == PLACEHOLDER
    with qtbot.waitSignal(model.rows_arrived, timeout=WAIT_MS):
        store.gate.set()
    assert [name for name, _ in store.recorded].count("rows") == 1  # (recorded once let through)
    assert _option(model, 0, Column.NUMBER).text not in ("", PLACEHOLDER)


def test_rows_asked_for_before_a_new_answer_still_reach_the_screen(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner
) -> None:
    store = GatedStore(desk_store)
    model = QueueModel(store, runner, clock=clock)  # type: ignore[arg-type]
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery())
    model.fetch_rows(0, 30)  # on their way, held at the gate
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_sort(Sort(SortKey.REGISTERED_AT))  # the same cases, the other way round
    last = model.rowCount() - 1
    assert model.data(model.index(last, Column.NUMBER)) == PLACEHOLDER
    changed: list[tuple[int, int]] = []

    def record(top: QModelIndex, bottom: QModelIndex, _roles: object) -> None:
        changed.append((top.row(), bottom.row()))

    model.dataChanged.connect(record)
    with qtbot.waitSignal(model.rows_arrived, timeout=WAIT_MS):
        store.gate.set()
    # The rows came for the old order; the view is told where they are in the new one.
    assert any(top <= last <= bottom for top, bottom in changed)
    assert model.data(model.index(last, Column.NUMBER)) != PLACEHOLDER


def test_a_new_answer_is_compared_and_located_off_the_gui_thread(
    desk_store: Store, sync_runner: TaskRunner
) -> None:
    store = RecordingStore(desk_store)
    model = QueueModel(store, sync_runner, clock=clock)  # type: ignore[arg-type]
    model.set_query(QueueQuery())
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.refresh()  # the same answer: no reset, the view keeps everything as it is
    assert resets == []
    rids = list(range(1_000_000, 0, -1))
    assert locate(rids, {5, 999_999, -1}) == {5: 999_995, 999_999: 1}
    assert snapshot_of(rids, list(rids), set()).same
    assert not snapshot_of(rids, rids[:-1], set()).same
