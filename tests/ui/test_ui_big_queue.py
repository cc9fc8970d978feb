"""Twenty thousand cases, the real threaded task runner: scrolling, sorting, filtering and
searching all work, and not one store call runs on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from operator_app.domain.model import Status
from operator_app.store import Store
from tests.ui.desk import NOW, SUPERVISOR, RecordingStore, clock
from ui.bridge import TaskRunner
from ui.context import DeskContext
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow
from ui.navigation import NavTarget
from ui.queue.columns import Column
from ui.sample_store import fill
from ui.settings import Settings

BIG = 20_000
WAIT_MS = 15_000


@pytest.fixture(scope="session")
def big_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big-queue") / "cache.sqlite3"
    store = Store.open(path, clock=clock)  # threaded: pages apply while the next is made
    # Cases alone (no notes or calls): the queue reads only the case rows.
    fill(store, BIG, now=NOW, children=False)
    store.close()
    return path


@pytest.fixture
def big_store(big_store_file: Path) -> Iterator[RecordingStore]:
    store = Store.open(big_store_file, clock=clock)  # threaded, as the desk runs it
    yield RecordingStore(store)
    store.close()


def test_a_big_queue_never_runs_sql_on_the_gui_thread(
    qtbot: QtBot,
    big_store: RecordingStore,
    runner: TaskRunner,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    context = DeskContext(big_store, runner, SUPERVISOR, settings, clock=clock)  # type: ignore[arg-type]
    window = MainWindow(settings, languages, context=context)
    qtbot.addWidget(window)
    window.show()
    model, view = window.queue.model, window.queue.view

    def loaded(row: int) -> bool:
        return 0 <= row < model.rowCount() and model.row_at(row) is not None

    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        window.navigation.choose(NavTarget.CENTRE)
    assert model.rowCount() > 5_000  # the supervisor's open cases across three centres
    qtbot.waitUntil(lambda: loaded(0), timeout=WAIT_MS)

    # Scrolling to the end fetches the last page on a reader; until then, placeholders.
    view.scrollToBottom()
    qtbot.waitUntil(lambda: loaded(model.rowCount() - 1), timeout=WAIT_MS)

    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        view.sortByColumn(Column.SUBJECT, Qt.SortOrder.DescendingOrder)
    view.scrollToTop()
    qtbot.waitUntil(lambda: loaded(30), timeout=WAIT_MS)
    subjects = [model.data(model.index(r, Column.SUBJECT)) for r in range(30)]
    assert subjects == sorted(subjects, reverse=True)

    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        window.queue.filter_bar.status.set_value(Status.WAITING.value)
    qtbot.waitUntil(lambda: loaded(0), timeout=WAIT_MS)
    assert 0 < model.rowCount() < 5_000
    assert model.data(model.index(0, Column.STATUS)) == "Waiting for the citizen"

    with qtbot.waitSignal(model.snapshot_applied, timeout=WAIT_MS):
        window.queue.filter_bar.status.set_value("")
        window.queue.filter_bar.search.setText("halaalt")
        window.queue.filter_bar.search.returnPressed.emit()
    qtbot.waitUntil(lambda: loaded(0), timeout=WAIT_MS)
    assert model.data(model.index(0, Column.SUBJECT)) == "Байрны халаалт муу"
    qtbot.waitUntil(
        lambda: window.queue.filter_bar.status.itemText(0).endswith(")"), timeout=WAIT_MS
    )

    view.select_row(0)
    qtbot.waitUntil(lambda: window.case_view.snapshot is not None, timeout=WAIT_MS)

    main = threading.main_thread()
    assert big_store.sql_calls_on(main) == []
    assert {"queue_ids", "rows", "facet_counts", "case", "directory"} <= big_store.names()
    window.close()
