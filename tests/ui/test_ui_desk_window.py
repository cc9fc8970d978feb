"""The main window with a desk: queues by role, sync status, shortcuts, notifications, and both
languages on every new widget."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from operator_app.domain.model import Actor
from operator_app.domain.mutations import AddNote
from operator_app.store import CaseSyncState, QueueFilter, Store
from sync.status import StatusBoard, SyncState, SyncStatus
from tests.ui.a11y import assert_accessible
from tests.ui.desk import OPERATOR, SUPERVISOR, WAIT_MS, focused
from ui.context import DeskContext
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow
from ui.navigation import NavTarget
from ui.notifications import AssignedCase
from ui.queue.columns import Column
from ui.settings import DESK_SPLITTER, Settings


def _window(
    qtbot: QtBot,
    desk: DeskContext,
    settings: Settings,
    languages: LanguageSwitcher,
    *,
    actor: Actor = OPERATOR,
    board: StatusBoard | None = None,
) -> MainWindow:
    context = replace(desk, actor=actor, status_board=board)
    window = MainWindow(settings, languages, context=context)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _today_at(hour: int, minute: int) -> datetime:
    return datetime.now().astimezone().replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.mark.parametrize(
    ("actor", "targets"),
    [
        (OPERATOR, ["My cases", "Team queue", "Search", "Conflicts and rejections"]),
        (
            SUPERVISOR,
            [
                "My cases",
                "Team queue",
                "Centre queue",
                "Search",
                "Conflicts and rejections",
                "Workload board",
                "Deadline watch",
            ],
        ),
    ],
)
def test_the_queues_on_the_left_depend_on_the_role(
    qtbot: QtBot,
    desk: DeskContext,
    settings: Settings,
    languages: LanguageSwitcher,
    actor: Actor,
    targets: list[str],
) -> None:
    languages.switch("en")
    window = _window(qtbot, desk, settings, languages, actor=actor)
    nav = window.navigation
    assert [nav.item(i).text() for i in range(nav.count())] == targets


def test_the_navigation_drives_the_queue_filter(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages)
    model = window.queue.model
    assert model.query.filter == QueueFilter(assignees=frozenset({"op-demo"}), open_only=True)
    mine = model.rowCount()
    window.navigation.choose(NavTarget.TEAM)
    assert model.query.filter == QueueFilter(teams=frozenset({"t1111-a"}), open_only=True)
    assert model.rowCount() > mine
    window.navigation.choose(NavTarget.INBOX)
    assert model.query.filter == QueueFilter(
        sync=frozenset({CaseSyncState.REJECTED, CaseSyncState.CONFLICT})
    )
    window.navigation.choose(NavTarget.SEARCH)
    assert model.query.filter == QueueFilter() and focused() is window.queue.filter_bar.search


def test_choosing_a_row_shows_its_case(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages)
    window.queue.view.select_row(2)
    case_id = window.queue.view.current_case_id()
    qtbot.waitUntil(lambda: window.case_view.case_id == case_id, timeout=WAIT_MS)
    assert window.case_view.snapshot is not None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("mn", "Офлайн · 12 өөрчлөлт хүлээгдэж байна · сүүлд 14:02 синк хийсэн"),
        ("en", "Offline · 12 changes waiting · last synced 2:02\u202fPM"),
    ],
)
def test_the_status_bar_shows_the_sync_state(
    qtbot: QtBot,
    desk: DeskContext,
    settings: Settings,
    languages: LanguageSwitcher,
    code: str,
    expected: str,
) -> None:
    languages.switch(code)
    board = StatusBoard(SyncStatus(SyncState.OFFLINE, pending=12, last_synced_at=_today_at(14, 2)))
    window = _window(qtbot, desk, settings, languages, board=board)
    assert window.sync_status.text == expected
    # The sync worker reports from its own thread; the relay brings it to the GUI thread.
    worker = threading.Thread(target=lambda: board.update(pending=1, state=SyncState.SYNCING))
    worker.start()
    worker.join()
    one = {
        "mn": "Синк хийж байна… · 1 өөрчлөлт хүлээгдэж байна",
        "en": "Syncing… · 1 change waiting",
    }
    qtbot.waitUntil(lambda: window.sync_status.text.startswith(one[code]), timeout=WAIT_MS)


def test_without_a_sync_engine_the_outbox_is_counted(
    qtbot: QtBot,
    desk: DeskContext,
    desk_store: Store,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    languages.switch("en")
    window = _window(qtbot, desk, settings, languages)
    assert window.sync_status.text == "Not connected"
    case_id = (
        window.queue.view.current_case_id()
        or desk_store.rows(desk_store.queue_ids(QueueFilter(assignees=frozenset({"op-demo"})))[:1])[
            0
        ].id
    )
    desk_store.submit(AddNote(str(uuid.uuid4()), case_id, "Тэмдэглэл"), OPERATOR)
    qtbot.waitUntil(
        lambda: window.sync_status.text == "Not connected · 1 change waiting", timeout=WAIT_MS
    )


def test_a_first_sync_shows_its_progress(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    languages.switch("en")
    window = _window(qtbot, desk, settings, languages)
    bar = window.sync_status.progress
    window.set_first_sync_progress(2_500, 20_000)
    assert bar.isVisible() and bar.value() == 2_500 and bar.maximum() == 20_000
    assert bar.format() == "First sync: 2,500 of 20,000"
    window.set_first_sync_progress(20_000, 20_000)
    assert not bar.isVisible()


def test_newly_assigned_cases_are_announced(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    languages.switch("en")
    window = _window(qtbot, desk, settings, languages)
    cases = [
        AssignedCase("c-1", "2026-000101", "Халаалт муу"),
        AssignedCase("c-2", "2026-000102", "Хог ачихгүй байна"),
    ]
    with qtbot.waitSignal(window.notifier.shown, timeout=WAIT_MS) as shown:
        window.notify_assigned(cases)
    assert shown.args == ["2 cases assigned to you", "2026-000101, 2026-000102"]
    if not window.notifier.has_tray:  # offscreen: no tray, the status bar says it
        assert window.statusBar().currentMessage().startswith("2 cases assigned to you")


def test_f_keys_and_ctrl_keys_open_a_call_and_find(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages)
    qtbot.keyClick(window.queue.view, Qt.Key.Key_F3)
    assert focused() is window.queue.filter_bar.search
    window.queue.view.setFocus()
    qtbot.keyClick(window.queue.view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert focused() is window.queue.filter_bar.search
    qtbot.keyClick(window.queue.view, Qt.Key.Key_F2)
    dialog = window.call_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window.queue.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.call_dialog is not dialog and window.call_dialog.isVisible()


def test_a_saved_call_opens_its_case(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages)
    dialog = window.new_call()
    assert dialog is not None
    dialog.subject.setText("Мэдээлэл авах")
    dialog.category.set_value("other.general")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.save()
    qtbot.waitUntil(lambda: window.case_view.case_id == saved.args[0].case_id, timeout=WAIT_MS)


def test_every_new_widget_follows_a_language_switch(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    languages.switch("mn")
    window = _window(qtbot, desk, settings, languages)
    model = window.queue.model
    header = model.headerData(Column.STATUS, Qt.Orientation.Horizontal)
    assert header == "Төлөв"
    assert window.navigation.item(0).text() == "Миний хандалт"
    assert window.queue.filter_bar.status.itemText(0).startswith("Нээлттэй хандалт")
    assert window.menuBar().actions()[1].text() == "Ха&ндалт"
    assert window.sync_status.text == "Холбогдоогүй"

    languages.switch("en")
    qtbot.waitUntil(lambda: window.navigation.item(0).text() == "My cases", timeout=WAIT_MS)
    assert model.headerData(Column.STATUS, Qt.Orientation.Horizontal) == "Status"
    assert window.queue.filter_bar.status.itemText(0).startswith("Open cases")
    assert window.menuBar().actions()[1].text() == "&Case"
    assert window.sync_status.text == "Not connected"
    assert window.queue.legend.count_label.text().endswith(("case", "cases"))
    row_status = model.data(model.index(0, Column.STATUS))
    assert row_status in {"New", "In progress", "Waiting for the citizen", "Transferred"}


def test_the_desk_window_is_accessible(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    languages.switch("mn")
    window = _window(qtbot, desk, settings, languages)
    window.queue.view.select_row(0)
    qtbot.waitUntil(lambda: window.case_view.snapshot is not None, timeout=WAIT_MS)
    assert_accessible(window)


def test_closing_remembers_the_layout(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages)
    window.close()
    assert settings.get(DESK_SPLITTER)
    QApplication.processEvents()
