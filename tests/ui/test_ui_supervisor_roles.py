"""What the desk shows by role: an operator sees no reassignment, extension, workload or centre
queue; a supervisor gets the Supervisor menu and the pages in the navigation, by keyboard."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from operator_app.domain.model import Actor
from tests.ui.a11y import assert_accessible
from tests.ui.desk import AUDITOR, OPERATOR, SUPERVISOR, WAIT_MS
from ui.context import DeskContext
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow
from ui.navigation import NavTarget
from ui.settings import Settings
from ui.supervisor.desk import SupervisorDesk
from ui.supervisor.menu import EXTEND_KEYS, REASSIGN_KEYS
from ui.supervisor.reassign import ReassignDialog


def _window(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher, actor: Actor
) -> MainWindow:
    languages.switch("en")
    window = MainWindow(settings, languages, context=replace(desk, actor=actor))
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _shortcuts(window: MainWindow) -> set[str]:
    return {
        s.toString()
        for action in window.findChildren(QAction)
        for s in action.shortcuts()
        if action.isVisible()
    }


def test_an_operator_sees_none_of_the_supervisor_desk(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages, OPERATOR)
    assert window.supervisor is None
    assert window.supervisor_menu is None
    assert window.findChildren(SupervisorDesk) == []
    targets = window.navigation.targets()
    for hidden in (NavTarget.CENTRE, NavTarget.WORKLOAD, NavTarget.DEADLINES):
        assert hidden not in targets
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Supervisor" not in titles
    keys = _shortcuts(window)
    for combo in (*REASSIGN_KEYS, *EXTEND_KEYS):
        assert QKeySequence(combo).toString() not in keys
    # Everyone sets their own availability: the control is there (not connected here).
    assert window.availability is not None and window.availability.isVisibleTo(window)
    assert "not connected" in window.availability.text()
    # Shift+F9 in the queue opens nothing.
    window.queue.view.setFocus()
    qtbot.keyClick(window.queue.view, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    opened = [w for w in QApplication.topLevelWidgets() if isinstance(w, ReassignDialog)]
    assert not [w for w in opened if w.isVisible()]


def test_a_supervisor_gets_the_menu_and_the_pages_by_keyboard(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages, SUPERVISOR)
    assert window.supervisor is not None and window.supervisor_menu is not None
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Supervisor" in titles
    menu = [a.text() for a in window.supervisor_menu.actions() if not a.isSeparator()]
    assert any("Reassign" in t for t in menu) and any("Extend" in t for t in menu)
    # The workload board takes the queue's place, from the keyboard (Shift+F5)...
    with qtbot.waitSignal(window.supervisor.loaded, timeout=WAIT_MS):
        qtbot.keyClick(window.queue.view, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert window.navigation.current_target() is NavTarget.WORKLOAD
    assert window.supervisor.isVisible() and not window.queue.isVisible()
    assert window.supervisor.board.operators.hasFocus()
    assert window.supervisor.board.load_of(window.supervisor.board.operators, "op-demo")
    assert_accessible(window)
    # ...the deadline watch from the navigation, and back to a queue.
    window.navigation.choose(NavTarget.DEADLINES)
    assert window.supervisor.pages.currentWidget() is window.supervisor.watch
    window.navigation.choose(NavTarget.MY_CASES)
    assert window.queue.isVisible() and not window.supervisor.isVisible()
    assert window.splitter.sizes()[window.splitter.indexOf(window.queue)] > 0


def test_an_auditor_gets_neither_the_supervisor_desk_nor_availability(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages, AUDITOR)
    assert window.supervisor is None and window.supervisor_menu is None
    assert window.availability is None
