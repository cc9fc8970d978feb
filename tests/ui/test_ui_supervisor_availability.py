"""Availability: an operator sets theirs from the status bar control (real central over HTTP);
the supervisor's workload board shows it live, and falls back to the last known state when the
central service cannot be reached; the team auto-assignment dialog saves to the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from sync.supervisor import AssignmentMode, Availability
from tests.sync.harness import Central, Desks
from tests.ui.a11y import assert_accessible
from tests.ui.desk import WAIT_MS
from tests.ui.supervisor_central import desk_context, running_central, supervisor_api
from ui.bridge import TaskRunner
from ui.language import LanguageSwitcher
from ui.settings import Settings
from ui.supervisor.availability import AvailabilityControl
from ui.supervisor.desk import SupervisorDesk
from ui.supervisor.team_settings import TeamAssignmentDialog


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    with running_central(tmp_path, 40) as service:
        yield service


def _action(control: AvailabilityControl, value: Availability) -> QAction:
    return next(a for a in control.menu_.actions() if a.data() == value.value)


def test_an_operator_sets_their_availability_and_the_supervisor_sees_it(
    qtbot: QtBot,
    central: Central,
    desks: Desks,
    runner: TaskRunner,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    languages.switch("en")
    operator = desks.new(central.url, "t1111-a-0")
    supervisor = desks.new(central.url, "demo-supervisor")
    assert supervisor.sync_until_clean().ok

    control = AvailabilityControl(desk_context(operator, runner, settings))
    qtbot.addWidget(control)
    qtbot.waitUntil(lambda: control.current is Availability.AVAILABLE, timeout=WAIT_MS)
    assert control.text() == "Availability: Available"
    assert control.accessibleName() == "Your availability"
    with qtbot.waitSignal(control.changed, timeout=WAIT_MS) as changed:
        _action(control, Availability.AWAY).trigger()
    assert changed.args == ["away"]
    assert control.text() == "Availability: Away"
    assert supervisor_api(operator).my_availability().availability is Availability.AWAY

    page = SupervisorDesk(desk_context(supervisor, runner, settings))
    qtbot.addWidget(page)
    with qtbot.waitSignals([page.loaded, page.availability_loaded], timeout=WAIT_MS):
        page.show_workload()
    board = page.board
    row = board.row_of(board.operators, "op-t1111-a-0")
    assert row is not None
    qtbot.waitUntil(lambda: board.operators.item(row, 2).text() == "Away", timeout=WAIT_MS)

    # The central service goes away: the board keeps the last pulled state, and says so.
    central.stop()
    with qtbot.waitSignal(page.availability_loaded, timeout=30_000) as loaded:
        page.refresh_availability()
    assert loaded.args == [False]
    assert "(last known)" in board.operators.item(row, 2).text()
    with qtbot.waitSignal(control.failed, timeout=30_000):
        _action(control, Availability.AVAILABLE).trigger()
    assert "could not reach" in control.text()
    assert control.current is Availability.AWAY
    page.stop()


def test_the_team_auto_assignment_dialog_saves_to_the_server(
    qtbot: QtBot,
    central: Central,
    desks: Desks,
    runner: TaskRunner,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    languages.switch("en")
    supervisor = desks.new(central.url, "demo-supervisor")
    assert supervisor.sync_until_clean().ok
    directory = supervisor.store.directory()
    api = supervisor_api(supervisor)
    dialog = TeamAssignmentDialog(api, runner, directory, ["t1111-a", "t1111-b"], "t1111-b")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS):
        dialog.show()
    assert_accessible(dialog)
    dialog.mode.setCurrentIndex(dialog.mode.findData(AssignmentMode.LEAST_LOADED.value))
    dialog.cap.setValue(7)
    assert dialog.skills.rowCount() >= 6  # the team's operators
    dialog.skills.item(0, 1).setText("complaint, petition")
    dialog.skills.item(0, 2).setText("mn")
    person = dialog.skills.item(0, 0).data(Qt.ItemDataRole.UserRole)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.save()
    stored = api.team_assignment("t1111-b")
    assert stored.mode is AssignmentMode.LEAST_LOADED and stored.cap == 7
    assert stored.skills[person].case_types == ("complaint", "petition")
    assert stored.skills[person].languages == ("mn",)
