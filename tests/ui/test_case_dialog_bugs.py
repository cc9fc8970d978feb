"""Text typed in a case's dialogs is not lost: values past the domain's limits are shown in the
dialog (still open), Esc or Cancel with typed text asks first, and a save refused after the
dialog closed brings it back as typed. A refusal's numbers reach its sentence. A double click
on Re-apply sends the change once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from operator_app.domain.model import Actor, Status
from operator_app.domain.mutations import MAX_LONG_TEXT, AddNote, ChangeStatus
from operator_app.store import QueueFilter, QueueRow, Store
from tests.ui.desk import NOW, OPERATOR, WAIT_MS
from ui.case_actions.base import ActionDialog
from ui.case_actions.edit import EditDialog
from ui.case_actions.note_call import NoteDialog
from ui.case_actions.status import StatusDialog
from ui.case_actions.transfer_link import TransferDialog
from ui.case_snapshot import load_case
from ui.case_view import CaseView
from ui.context import DeskContext
from ui.refusals import refused_text
from ui.supervisor.extend import ExtendDeadlineDialog
from ui.widgets.type_ahead import VALUE_ROLE

TOO_LONG = "ж" * (MAX_LONG_TEXT + 1)


def _case(store: Store, actor: Actor = OPERATOR) -> QueueRow:
    rids = store.queue_ids(
        QueueFilter(assignees=frozenset({actor.id}), statuses=frozenset({Status.IN_PROGRESS}))
    )
    return next(row for row in store.rows(rids) if row.phone and not row.confidential)


def _view(qtbot: QtBot, desk: DeskContext, case_id: str) -> CaseView:
    view = CaseView(desk)
    qtbot.addWidget(view)
    view.resize(700, 700)
    view.show()
    view.show_case(case_id)
    assert view.snapshot is not None and view.snapshot.case.id == case_id
    return view


# -- each dialog, opened as the operator (or supervisor) opens it, with a field to type in -----

Opener = Callable[[CaseView], ActionDialog]


def _note(view: CaseView) -> ActionDialog:
    view.note_action.trigger()
    assert isinstance(view.active_dialog, NoteDialog)
    return view.active_dialog


def _status(view: CaseView) -> ActionDialog:
    view.change_status(Status.WAITING)
    assert isinstance(view.active_dialog, StatusDialog)
    return view.active_dialog


def _resolve(view: CaseView) -> ActionDialog:
    view.change_status(Status.RESOLVED)
    assert isinstance(view.active_dialog, StatusDialog)
    return view.active_dialog


def _transfer(view: CaseView) -> ActionDialog:
    view.transfer_action.trigger()
    assert isinstance(view.active_dialog, TransferDialog)
    dialog = view.active_dialog
    dialog.agency.set_value(dialog.agency.itemData(0, VALUE_ROLE))
    return dialog


def _edit(view: CaseView) -> ActionDialog:
    view.edit_action.trigger()
    assert isinstance(view.active_dialog, EditDialog)
    return view.active_dialog


def _extend(view: CaseView) -> ActionDialog:
    # The supervisor desk opens it over a case of the watch; the dialog is the same.
    assert view.snapshot is not None
    dialog = ExtendDeadlineDialog(view.snapshot.case, 30, view)
    dialog.open()
    return dialog


def _field(dialog: ActionDialog) -> QWidget:
    """The free-text field each dialog is about."""
    match dialog:
        case NoteDialog():
            return dialog.body
        case StatusDialog():
            return dialog.answer if dialog.answer.isVisible() else dialog.reason
        case TransferDialog():
            return dialog.note
        case EditDialog():
            return dialog.subject
        case ExtendDeadlineDialog():
            return dialog.notice
    raise AssertionError(dialog)


def _type(field: QWidget, text: str) -> None:
    if hasattr(field, "setPlainText"):
        field.setPlainText(text)
    else:
        field.setText(text)


def _text(field: QWidget) -> str:
    return field.toPlainText() if hasattr(field, "toPlainText") else field.text()


@pytest.mark.parametrize(
    ("opener", "text", "problem"),
    [
        (_note, TOO_LONG, f"Note: Too long: at most {MAX_LONG_TEXT} characters."),
        (_status, TOO_LONG, f"Too long: at most {MAX_LONG_TEXT} characters."),
        (_resolve, TOO_LONG, f"Too long: at most {MAX_LONG_TEXT} characters."),
        (_transfer, TOO_LONG, f"Too long: at most {MAX_LONG_TEXT} characters."),
        (_extend, TOO_LONG, f"Too long: at most {MAX_LONG_TEXT} characters."),
    ],
    ids=["note", "status-reason", "resolution-answer", "transfer-note", "extension-notice"],
)
def test_a_text_past_its_limit_keeps_the_dialog_open(
    qtbot: QtBot,
    desk: DeskContext,
    desk_store: Store,
    opener: Opener,
    text: str,
    problem: str,
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    dialog = opener(view)
    field = _field(dialog)
    _type(field, text)
    pending = len(desk_store.pending())
    dialog.try_accept()
    assert dialog.isVisible() and dialog.result_mutation is None
    assert dialog.problem.isVisible() and dialog.problem.text().endswith(problem)
    assert "?" not in dialog.problem.text()
    assert _text(field) == text  # nothing typed is lost
    assert len(desk_store.pending()) == pending  # and nothing was saved


@pytest.mark.parametrize(
    "opener",
    [_note, _status, _resolve, _transfer, _edit, _extend],
    ids=["note", "status-reason", "resolution-answer", "transfer-note", "edit", "extension"],
)
def test_esc_or_cancel_with_typed_text_asks_before_discarding(
    qtbot: QtBot, desk: DeskContext, desk_store: Store, opener: Opener
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    dialog = opener(view)
    field = _field(dialog)
    _type(field, "Иргэн дахин залгана гэсэн")
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # not closed on a single Esc
    box = dialog.discard_question
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()  # keep it
    assert dialog.isVisible() and _text(field) == "Иргэн дахин залгана гэсэн"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    box = dialog.discard_question
    assert box is not None and box.isVisible() and dialog.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    dialog.close()  # the window's close button asks too
    box = dialog.discard_question
    assert box is not None and box.isVisible() and dialog.isVisible()
    box.button(QMessageBox.StandardButton.Discard).click()
    assert not dialog.isVisible()
    assert view.active_dialog is None


@pytest.mark.parametrize(
    "opener", [_note, _status, _edit, _extend], ids=["note", "status", "edit", "extension"]
)
def test_an_untouched_dialog_closes_without_asking(
    qtbot: QtBot, desk: DeskContext, desk_store: Store, opener: Opener
) -> None:
    view = _view(qtbot, desk, _case(desk_store).id)
    dialog = opener(view)
    qtbot.keyClick(_field(dialog), Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert getattr(dialog, "discard_question", None) is None


def test_a_save_refused_after_the_dialog_closed_brings_it_back_as_typed(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    dialog = _status(view)
    assert isinstance(dialog, StatusDialog)
    dialog.reason.setText("Иргэн бичиг баримтаа авчрах хүртэл хүлээнэ")
    # Meanwhile the case was resolved (from the queue, say): waiting is no longer a step.
    resolved = ChangeStatus(case.id, Status.RESOLVED, "", "Шийдсэн", from_=Status.IN_PROGRESS)
    assert desk_store.submit(resolved, OPERATOR).result().refused is None
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS) as submitted:
        dialog.try_accept()
    assert submitted.args[0].refused is not None
    assert dialog.isVisible() and view.active_dialog is dialog
    assert dialog.reason.text() == "Иргэн бичиг баримтаа авчрах хүртэл хүлээнэ"
    assert dialog.problem.text() == refused_text(submitted.args[0].refused)
    assert not view.message.isVisible()  # said once, in the dialog
    # Cancelling it now still asks: the text was typed and never saved.
    dialog.reject()
    assert dialog.discard_question is not None and dialog.isVisible()


def test_a_saved_note_closes_its_dialog_for_good(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    view = _view(qtbot, desk, case.id)
    dialog = _note(view)
    assert isinstance(dialog, NoteDialog)
    dialog.body.setPlainText("Иргэнд хариу өгсөн")
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS) as submitted:
        dialog.try_accept()
    assert submitted.args[0].refused is None
    assert not dialog.isVisible() and view.active_dialog is None
    assert desk_store.pending()[-1].args["body"] == "Иргэнд хариу өгсөн"


# -- refusals say their numbers -----------------------------------------------------------------


def test_a_refused_note_says_the_limit(desk_store: Store) -> None:
    case = _case(desk_store)
    result = desk_store.submit(AddNote(str(uuid.uuid4()), case.id, TOO_LONG), OPERATOR).result()
    assert result.refused is not None
    assert refused_text(result.refused) == f"Too long: at most {MAX_LONG_TEXT} characters."


def test_a_refused_phone_says_how_many_digits_it_had(desk_store: Store) -> None:
    from operator_app.domain.model import CallDirection
    from operator_app.domain.mutations import LogCall

    case = _case(desk_store)
    call = LogCall(str(uuid.uuid4()), case.id, CallDirection.OUTBOUND, NOW, phone="99112")
    result = desk_store.submit(call, OPERATOR).result()
    assert result.refused is not None
    assert refused_text(result.refused) == "A phone number has 8 digits; this one has 5."


def test_a_refusal_saved_without_its_numbers_shows_no_question_mark() -> None:
    from ui.refusals import refusal_text

    assert refusal_text("INVALID", {"field": "body", "reason": "too_long"}) == "A text is too long."
    text = refusal_text("INVALID", {"field": "citizen.phone", "reason": "bad_length"})
    assert "?" not in text


# -- Re-apply, clicked twice ----------------------------------------------------------------------


def _refused_note(store: Store, case: QueueRow) -> int:
    note = AddNote(str(uuid.uuid4()), case.id, "Иргэнд хариу өгсөн")
    result = store.submit(note, OPERATOR).result()
    assert result.mutation_id is not None
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
    store.apply_page(page).result()
    return result.mutation_id


def _notes(store: Store, case_id: str) -> int:
    snapshot = load_case(store, case_id)
    assert snapshot is not None
    return len(snapshot.notes)


def test_a_double_click_on_re_apply_sends_the_note_once(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    _refused_note(desk_store, case)
    view = _view(qtbot, desk, case.id)
    before = _notes(desk_store, case.id)
    button = view.decisions.findChild(QPushButton, "inbox-reapply")
    keep = view.decisions.findChild(QPushButton, "inbox-keep")
    assert button is not None and button.isEnabled()
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        button.click()
        assert not button.isEnabled() and not keep.isEnabled()  # the row's choice is made
        button.click()
    assert _notes(desk_store, case.id) == before + 1
    assert desk_store.inbox() == []


def test_re_apply_asked_twice_before_the_first_is_saved_sends_once(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    case = _case(desk_store)
    mutation_id = _refused_note(desk_store, case)
    view = _view(qtbot, desk, case.id)
    item = next(i for i in desk_store.inbox() if i.mutation_id == mutation_id)
    before = _notes(desk_store, case.id)
    with qtbot.waitSignal(view.submitted, timeout=WAIT_MS):
        view.reapply(item)
        view.reapply(replace(item))  # the same item, from a row not yet rebuilt
    assert _notes(desk_store, case.id) == before + 1
