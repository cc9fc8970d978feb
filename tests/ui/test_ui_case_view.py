"""The case view: each action submits the right mutation; what a role may not do is hidden;
sync decisions (conflicts, rejections) are resolved from here."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from operator_app.domain.model import Actor, Status
from operator_app.domain.mutations import ChangeStatus, FieldChange, UpdateCaseFields
from operator_app.store import OutboxEntry, QueueFilter, QueueRow, Store
from tests.ui.a11y import assert_accessible
from tests.ui.desk import AUDITOR, NOW, OPERATOR, SUPERVISOR, WAIT_MS
from ui.case_actions.edit import EditDialog
from ui.case_actions.merge import MergeDialog
from ui.case_actions.note_call import CallDialog, NoteDialog
from ui.case_actions.status import StatusDialog
from ui.case_actions.transfer_link import LinkDialog, TransferDialog
from ui.case_view import CaseView
from ui.context import DeskContext
from ui.language import LanguageSwitcher


def _case(store: Store, actor: Actor = OPERATOR, status: Status = Status.IN_PROGRESS) -> QueueRow:
    rids = store.queue_ids(
        QueueFilter(assignees=frozenset({actor.id}), statuses=frozenset({status}))
    )
    return next(row for row in store.rows(rids) if row.phone and not row.confidential)


def _view(qtbot: QtBot, desk: DeskContext, case_id: str, actor: Actor | None = None) -> CaseView:
    context = replace(desk, actor=actor) if actor is not None else desk
    view = CaseView(context)
    qtbot.addWidget(view)
    view.resize(700, 700)
    view.show()
    view.show_case(case_id)
    assert view.snapshot is not None and view.snapshot.case.id == case_id
    return view


def _last(store: Store) -> OutboxEntry:
    return store.pending()[-1]


def _visible_actions(view: CaseView) -> set[str]:
    actions = {
        "note": view.note_action,
        "call": view.call_action,
        "status": view.status_action,
        "transfer": view.transfer_action,
        "link": view.link_action,
        "edit": view.edit_action,
    }
    return {key for key, action in actions.items() if action.isVisible()}


def test_adding_a_note(qtbot: QtBot, desk: DeskContext, desk_store: Store) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    view.note_action.trigger()
    dialog = view.active_dialog
    assert isinstance(dialog, NoteDialog)
    dialog.try_accept()
    assert dialog.problem.text() == "Write the note first." and dialog.isVisible()
    dialog.body.setPlainText("Иргэнд хариуг утсаар тайлбарлав.")
    dialog.for_citizen.setChecked(True)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.body, Qt.Key.Key_F12)  # F12 saves in every action dialog
    entry = _last(desk_store)
    assert entry.name == "add_note" and entry.case_id == case.id
    assert entry.args["body"] == "Иргэнд хариуг утсаар тайлбарлав."
    assert entry.args["visibility"] == "citizen"
    assert "Note: Иргэнд хариуг утсаар тайлбарлав." in view.timeline_text()


def test_logging_a_call(qtbot: QtBot, desk: DeskContext, desk_store: Store) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    view.call_action.trigger()
    dialog = view.active_dialog
    assert isinstance(dialog, CallDialog)
    dialog.minutes.setValue(3)
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        dialog.try_accept()
    args = _last(desk_store).args
    assert (args["direction"], args["duration_s"], args["phone"]) == ("outbound", 180, case.phone)
    assert args["started_at"] == NOW.isoformat()


def test_the_status_menu_offers_only_the_role_s_next_steps(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    targets = [a.text() for a in view.status_menu.actions()]
    # An operator cannot close (a supervisor does); transferring has its own action.
    assert targets == ["Waiting for the citizen", "Resolved"]
    supervisor = _view(qtbot, desk, case.id, SUPERVISOR)
    assert [a.text() for a in supervisor.status_menu.actions()] == [
        "Waiting for the citizen",
        "Resolved",
        "Closed",
    ]


def test_resolving_records_the_answer(qtbot: QtBot, desk: DeskContext, desk_store: Store) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    view.change_status(Status.RESOLVED)
    dialog = view.active_dialog
    assert isinstance(dialog, StatusDialog) and dialog.answer.isVisibleTo(dialog)
    dialog.answer.setPlainText("Дүүргийн ЗДТГ-аас засвар хийхээр болсон.")
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        dialog.try_accept()
    entry = _last(desk_store)
    assert entry.name == "change_status"
    assert (entry.args["from"], entry.args["to"]) == ("in_progress", "resolved")
    assert entry.args["resolution"] == "Дүүргийн ЗДТГ-аас засвар хийхээр болсон."
    assert view.status_chip.text() == "Resolved"


def test_closing_needs_a_reason(qtbot: QtBot, desk: DeskContext, desk_store: Store) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id, SUPERVISOR)
    view.change_status(Status.CLOSED)
    dialog = view.active_dialog
    assert isinstance(dialog, StatusDialog)
    assert dialog.reason_label.text() == "&Reason (required):"
    dialog.try_accept()
    assert dialog.problem.text() == "Say why: this step needs a reason."
    dialog.reason.setText("Давхардсан хандалт")
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        dialog.try_accept()
    assert _last(desk_store).args["reason"] == "Давхардсан хандалт"


def test_transferring_to_an_agency_typed_ahead(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    view.transfer_action.trigger()
    dialog = view.active_dialog
    assert isinstance(dialog, TransferDialog)
    dialog.agency.setEditText("нийслэлийн засаг")
    dialog.note.setPlainText("Халаалтын асуудлаар.")
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        dialog.try_accept()
    args = _last(desk_store).args
    assert (args["agency"], args["note"]) == ("capital_city_governor", "Халаалтын асуудлаар.")
    assert "Transferred to Capital City Governor's Office (Халаалтын асуудлаар.)" in (
        view.timeline_text()
    )
    assert view.status_chip.text() == "Transferred" and not view.transfer_action.isVisible()


def test_linking_a_duplicate_by_its_number(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    other = (
        _case(desk_store, status=Status.NEW) if False else _case(desk_store, status=Status.WAITING)
    )
    view = _view(qtbot, desk, case.id)
    view.link_action.trigger()
    dialog = view.active_dialog
    assert isinstance(dialog, LinkDialog)
    dialog.number.setText(case.display_number)
    dialog.try_accept()
    assert dialog.problem.text() == "That is this case's own number."
    dialog.number.setText("2026-999999")
    dialog.try_accept()
    assert dialog.problem.text() == "No case with this number in this desk's cache."
    dialog.number.setText(other.display_number)
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        dialog.try_accept()
    args = _last(desk_store).args
    assert (args["other_case_id"], args["kind"]) == (other.id, "duplicate")


def test_editing_sends_only_what_changed(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    view.edit_action.trigger()
    dialog = view.active_dialog
    assert isinstance(dialog, EditDialog)
    dialog.try_accept()
    assert dialog.problem.text() == "Nothing was changed."
    dialog.phone.setText("8811-2233")
    dialog.subject.setText(case.subject + " (давтан)")
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        dialog.try_accept()
    changes = _last(desk_store).args["changes"]
    assert changes == {
        "phone": {"base": case.phone, "new": "+97688112233"},
        "subject": {"base": case.subject, "new": case.subject + " (давтан)"},
    }


def test_a_bad_value_in_the_edit_is_shown_at_its_field(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    view.edit_action.trigger()
    dialog = view.active_dialog
    assert isinstance(dialog, EditDialog)
    dialog.reg_no.setText("AB123")
    dialog.try_accept()
    assert dialog._errors["reg_no"].text().startswith("A registration number is two Cyrillic")
    assert dialog.isVisible()


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (OPERATOR, {"note", "call", "status", "transfer", "link", "edit"}),
        (AUDITOR, set()),
    ],
)
def test_actions_a_role_may_not_take_are_hidden(
    qtbot: QtBot, desk: DeskContext, desk_store: Store, actor: Actor, expected: set[str]
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id, actor)
    assert _visible_actions(view) == expected


def test_another_centre_s_case_offers_nothing_to_an_operator(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    rids = desk_store.queue_ids(QueueFilter(centres=frozenset({"c1800"})))
    case = desk_store.rows(rids[:1])[0]
    view = _view(qtbot, desk, case.id)
    assert _visible_actions(view) == set()


def test_a_closed_case_can_only_be_reopened_by_a_supervisor(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store, status=Status.CLOSED)
    operator = _view(qtbot, desk, case.id)
    assert "status" not in _visible_actions(operator)
    assert "transfer" not in _visible_actions(operator)
    supervisor = _view(qtbot, desk, case.id, SUPERVISOR)
    assert [a.text() for a in supervisor.status_menu.actions()] == ["In progress"]


def test_a_refusal_is_explained_not_raised(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS) as result:
        view.submit(ChangeStatus(case.id, Status.CLOSED, "spam", from_=Status.IN_PROGRESS))
    assert result.args[0].refused is not None
    assert view.message.text() == "Your role does not allow this change for this case."
    assert view.message.isVisible()


def _conflicted(desk_store: Store, case: QueueRow) -> None:
    stale = UpdateCaseFields(case.id, {"subject": FieldChange("Хуучин агуулга", "Шинэ агуулга")})
    assert desk_store.submit(stale, OPERATOR).result().queued


@pytest.mark.parametrize("choice", ["keep_server", "reapply"])
def test_a_conflict_is_resolved_from_the_case(
    qtbot: QtBot, desk: DeskContext, desk_store: Store, choice: str
) -> None:
    case = _case(desk_store)
    _conflicted(desk_store, case)
    view = _view(qtbot, desk, case.id)
    assert view.decisions.isVisible()
    button = view.decisions.findChild(QPushButton, f"conflict-{choice}")
    assert button is not None
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        button.click()
    entry = _last(desk_store)
    assert entry.name == "resolve_conflict" and entry.args["choice"] == choice
    qtbot.waitUntil(lambda: not view.decisions.isVisible(), timeout=WAIT_MS)


def test_merging_a_conflict_by_hand(qtbot: QtBot, desk: DeskContext, desk_store: Store) -> None:
    case = _case(desk_store)
    _conflicted(desk_store, case)
    view = _view(qtbot, desk, case.id)
    view.decisions.findChild(QPushButton, "conflict-merge").click()
    dialog = view.active_dialog
    assert isinstance(dialog, MergeDialog)
    assert dialog.server.text() == case.subject and dialog.mine.text() == "Шинэ агуулга"
    dialog.merged.setPlainText(case.subject + " — шинэ")
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        dialog.try_accept()
    args = _last(desk_store).args
    assert (args["choice"], args["value"]) == ("merge", case.subject + " — шинэ")
    assert view.subject.text() == case.subject + " — шинэ"


def _rejected(desk_store: Store, case: QueueRow) -> int:
    result = desk_store.submit(ChangeStatus(case.id, Status.WAITING), OPERATOR).result()
    assert result.mutation_id is not None
    # The server's answer acknowledges the mutation: the desk's view goes back to the server's.
    page = {
        "cursor": "test-1",
        "has_more": False,
        "last_mutation_id": result.mutation_id,
        "server_time": NOW.isoformat(),
        "ops": [],
        "mutation_results": [
            {"id": result.mutation_id, "status": "rejected", "code": "ILLEGAL_TRANSITION"}
        ],
    }
    desk_store.apply_page(page).result()
    return result.mutation_id


def test_a_rejection_is_re_applied_against_the_case_as_it_is(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    mutation_id = _rejected(desk_store, case)
    view = _view(qtbot, desk, case.id)
    texts = [label.text() for label in view.decisions.findChildren(type(view.message))]
    assert any(
        t.startswith("Refused by the server (Status change): The case's status") for t in texts
    )
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        view.decisions.findChild(QPushButton, "inbox-reapply").click()
    entry = _last(desk_store)
    assert entry.id > mutation_id and entry.name == "change_status"
    assert entry.args["to"] == "waiting" and entry.args["from"] == "in_progress"
    assert desk_store.inbox() == []


def test_keeping_the_server_s_word_clears_the_rejection(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    _rejected(desk_store, case)
    view = _view(qtbot, desk, case.id)
    view.decisions.findChild(QPushButton, "inbox-keep").click()
    assert desk_store.inbox() == []
    assert not view.decisions.isVisible()


def test_the_case_view_speaks_both_languages(
    qtbot: QtBot, desk: DeskContext, desk_store: Store, languages: LanguageSwitcher
) -> None:
    languages.switch("mn")
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    assert view.note_action.text() == "Тэмдэглэл… (F6)"
    assert view.status_chip.text() == "Шийдвэрлэж байна"
    assert "Ангилал:" in view.details_text()
    languages.switch("en")
    qtbot.waitUntil(lambda: view.note_action.text() == "Add note… (F6)", timeout=WAIT_MS)
    assert view.status_chip.text() == "In progress" and "Category:" in view.details_text()
    assert_accessible(view)
