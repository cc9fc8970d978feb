"""The supervisor's dialogs in trouble: a reassignment whose cases all left the cache is not
left busy, the team settings say what went wrong in the supervisor's language, and a refused
deadline extension brings its notice back."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from operator_app.domain.model import Actor, Role, Status
from operator_app.domain.mutations import ExtendDeadline
from operator_app.store import QueueFilter, Store
from sync.errors import AuthExpired, Forbidden, HttpError, Offline, ProtocolError
from sync.supervisor import TeamAssignment
from tests.ui.desk import WAIT_MS
from ui.context import DeskContext
from ui.language import LanguageSwitcher
from ui.supervisor.desk import SupervisorDesk
from ui.supervisor.extend import ExtendDeadlineDialog
from ui.supervisor.reassign import ReassignDialog
from ui.supervisor.team_settings import TeamAssignmentDialog

HEAD = Actor("sup-c1111", Role.SUPERVISOR, frozenset({"c1111"}), frozenset({"t1111-a"}))


def test_a_queue_selection_gone_from_the_cache_leaves_the_dialog_usable(
    qtbot: QtBot, desk: DeskContext
) -> None:
    context = replace(desk, actor=HEAD)
    gone = [10**9, 10**9 + 1]  # queue rows removed from the cache since they were selected
    dialog = ReassignDialog(context, rids=gone)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.target.count() > 0, timeout=WAIT_MS)
    dialog.choose_target("team:t1111-a")
    dialog.reason.setText("Shift change")
    dialog.try_save()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=WAIT_MS)
    assert dialog.problem.text() == (
        "None of these cases is in this desk's cache any more: nothing to do."
    )
    assert dialog.reassign_button.isEnabled() and dialog.target.isEnabled()
    assert dialog.reason.isEnabled() and not dialog.progress.isVisible()
    assert "Saving" not in dialog.status.text()


class FailingApi:
    """The supervisor API, failing as the central service or the network can."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def team_assignment(self, team_id: str) -> TeamAssignment:
        raise self.error

    def set_team_assignment(self, team_id: str, settings: TeamAssignment) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (Offline("connection refused"), "The central service could not be reached."),
        (Forbidden(403, "FORBIDDEN", "supervisor rights required"), "Your role does not allow"),
        (AuthExpired(401, "UNAUTHORIZED", "token expired"), "Your sign-in has expired."),
        (HttpError(422, "INVALID", "cap must be between 1 and 10000"), "a value is not valid"),
        (HttpError(500, "SERVER_ERROR", "boom"), "(error 500)"),
        (ProtocolError("malformed answer (mode)"), "does not understand"),
        (RuntimeError("KeyError: 'mode'"), "The settings could not be read."),
    ],
    ids=["offline", "forbidden", "expired", "invalid", "server", "protocol", "other"],
)
def test_team_settings_say_what_failed_in_the_supervisor_s_words(
    qtbot: QtBot, desk_store: Store, desk: DeskContext, error: BaseException, text: str
) -> None:
    api = FailingApi(error)
    directory = desk_store.directory()
    dialog = TeamAssignmentDialog(api, desk.runner, directory, ["t1111-a"], "t1111-a")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=WAIT_MS)
    shown = dialog.problem.text()
    assert text in shown
    assert str(error) not in shown  # the technical text stays in the log


def test_team_settings_failures_are_translated(
    qtbot: QtBot, desk_store: Store, desk: DeskContext, languages: LanguageSwitcher
) -> None:
    languages.switch("mn")
    api = FailingApi(Forbidden(403, "FORBIDDEN", "supervisor rights required"))
    dialog = TeamAssignmentDialog(api, desk.runner, desk_store.directory(), ["t1111-a"], "t1111-a")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=WAIT_MS)
    assert "Your role" not in dialog.problem.text() and "FORBIDDEN" not in dialog.problem.text()


def test_a_refused_extension_brings_the_notice_back(
    qtbot: QtBot, desk_store: Store, desk: DeskContext
) -> None:
    rids = desk_store.queue_ids(
        QueueFilter(centres=frozenset({"c1111"}), statuses=frozenset({Status.IN_PROGRESS}))
    )
    case = next(
        c
        for row in desk_store.rows(rids)
        if (c := desk_store.case(row.id)) is not None and c.due_date and not c.extension_days
    )
    page = SupervisorDesk(replace(desk, actor=HEAD))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.dialog_opened, timeout=WAIT_MS) as opened:
        page.extend_deadline(case.id)
    dialog = opened.args[0]
    assert isinstance(dialog, ExtendDeadlineDialog)
    dialog.days.setValue(5)
    dialog.notice.setPlainText("Иргэнд утсаар мэдэгдсэн")
    # Meanwhile another supervisor's extension reached this desk: a second one is refused.
    done = desk_store.submit(ExtendDeadline(case.id, 3, "өөр"), HEAD).result()
    assert done.refused is None
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.problem.isVisible(), timeout=WAIT_MS)
    assert dialog.problem.text() == "The deadline was already extended once."
    assert dialog.notice.toPlainText() == "Иргэнд утсаар мэдэгдсэн"
    assert page.active_dialog is dialog
    page.stop()
