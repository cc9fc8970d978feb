"""The queue's own delegate paints what Qt's stock delegate paints, from cells worked out on the
reader that fetched the rows."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QStyledItemDelegate
from pytestqt.qtbot import QtBot

from operator_app.domain.deadlines import DeadlineState
from operator_app.store import QueueFilter, Store
from tests.ui.desk import WAIT_MS, GatedStore, clock
from ui.bridge import TaskRunner
from ui.directory_names import DirectoryNames
from ui.queue import model as model_module
from ui.queue.columns import Column
from ui.queue.delegate import QueueDelegate
from ui.queue.model import PLACEHOLDER, QueueModel
from ui.queue.query import QueueQuery
from ui.queue.view import QueueView
from ui.settings import Settings


def _grab(view: QueueView) -> QImage:
    view.viewport().update()
    return view.viewport().grab().toImage()


def _differing_columns(view: QueueView, ours: QImage, stock: QImage) -> set[Column]:
    columns: set[Column] = set()
    for y in range(ours.height()):
        for x in range(ours.width()):
            if ours.pixel(x, y) != stock.pixel(x, y):
                column = view.columnAt(x)
                columns.add(Column(column) if column >= 0 else Column.NUMBER)
    return columns


def test_cells_look_as_the_stock_delegate_paints_them(
    qtbot: QtBot, desk_store: Store, sync_runner: TaskRunner, settings: Settings
) -> None:
    model = QueueModel(desk_store, sync_runner, clock=clock)
    # Overdue cases: a coloured, bold deadline cell on every row.
    model.set_query(QueueQuery(QueueFilter(deadline=frozenset({DeadlineState.OVERDUE}))))
    assert model.rowCount() > 3
    view = QueueView(model, settings)
    qtbot.addWidget(view)
    view.resize(1500, 260)
    view.show()
    qtbot.waitExposed(view)
    view.setFocus()
    view.select_row(1)  # the selection and the focus frame too
    assert isinstance(view.itemDelegate(), QueueDelegate)
    ours = _grab(view)
    view.setItemDelegate(QStyledItemDelegate(view))
    stock = _grab(view)
    # The centred sync glyph may land a fraction of a pixel apart (a static text's position
    # against a text layout's); everything else is the same, pixel for pixel.
    assert _differing_columns(view, ours, stock) <= {Column.SYNC}


def test_rows_arrive_with_their_cells_worked_out_on_the_reader(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[str] = set()
    work_out = model_module.row_cells

    def recording(*args: Any) -> Any:
        threads.add(threading.current_thread().name)
        return work_out(*args)

    monkeypatch.setattr(model_module, "row_cells", recording)
    model = QueueModel(desk_store, runner, clock=clock)
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery())
    with qtbot.waitSignal(model.rows_arrived, timeout=WAIT_MS):
        model.fetch_rows(0, 10)
    painted = model.painted(0)
    assert painted is not None and painted[1] is not None
    assert threads and threading.main_thread().name not in threads


def test_cells_worked_out_before_a_change_of_names_are_not_kept(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner
) -> None:
    directory = desk_store.directory()
    store = GatedStore(desk_store)
    model = QueueModel(store, runner, clock=clock)  # type: ignore[arg-type]
    model.set_names(DirectoryNames(directory))
    operator = next(
        o
        for o in directory.operators
        if o.display_name and desk_store.queue_ids(QueueFilter(assignees=frozenset({o.id})))
    )
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery(QueueFilter(assignees=frozenset({operator.id}))))
    model.fetch_rows(0, 10)  # held at the gate: its cells are worked out with the names...
    model.set_names(DirectoryNames())  # ...that this replaces: ids shown as they are
    with qtbot.waitSignal(model.rows_arrived, timeout=WAIT_MS):
        store.gate.set()
    painted = model.painted(0)
    assert painted is not None and painted[1] is not None
    assert painted[1][Column.ASSIGNEE][0] == operator.id != operator.display_name


def test_a_row_not_yet_arrived_paints_a_placeholder(
    qtbot: QtBot, desk_store: Store, runner: TaskRunner, settings: Settings
) -> None:
    store = GatedStore(desk_store)
    model = QueueModel(store, runner, clock=clock)  # type: ignore[arg-type]
    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        model.set_query(QueueQuery())
    view = QueueView(model, settings)
    qtbot.addWidget(view)
    view.resize(600, 200)
    view.show()
    qtbot.waitExposed(view)
    waiting = _grab(view)
    assert model.painted(0) == (model.rids()[0], None)
    assert model.data(model.index(0, Column.NUMBER)) == PLACEHOLDER
    with qtbot.waitSignal(model.rows_arrived, timeout=WAIT_MS):
        store.gate.set()
    assert _grab(view) != waiting
