"""Taking a call from the keyboard alone: caller found, case saved, number shown at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from operator_app.store import QueueFilter, QueueRow, Store
from tests.ui.a11y import assert_accessible, assert_tab_order
from tests.ui.desk import WAIT_MS, focused, press, type_text
from ui.call_flow import CallFlowDialog
from ui.context import DeskContext
from ui.language import LanguageSwitcher

Key = Qt.Key


@pytest.fixture
def dialog(qtbot: QtBot, desk: DeskContext) -> Iterator[CallFlowDialog]:
    flow = CallFlowDialog(desk)
    qtbot.addWidget(flow)
    with qtbot.waitActive(flow):
        flow.show()
        flow.activateWindow()
    yield flow


def _known_caller(store: Store) -> QueueRow:
    """A caller of an open case in the operator's centre, with a phone number."""
    rids = store.queue_ids(QueueFilter(centres=frozenset({"c1111"}), open_only=True))
    return next(r for r in store.rows(rids[:100]) if r.phone and r.citizen_name)


def test_the_tab_order_follows_the_form(dialog: CallFlowDialog) -> None:
    assert_tab_order(
        dialog,
        [
            dialog.phone,
            dialog.name,
            dialog.reg_no,
            dialog.new_case_radio,
            dialog.case_type,
            dialog.category,
            dialog.place.aimag,
            dialog.subject,
            dialog.description,
            dialog.priority,
            dialog.confidential,
            dialog.assign_to_me,
            dialog.save_button,
            dialog.close_button,
        ],
    )
    assert_accessible(dialog)


def test_a_new_case_from_the_keyboard_alone(
    qtbot: QtBot, dialog: CallFlowDialog, desk_store: Store
) -> None:
    assert focused() is dialog.phone
    type_text("9911-2233")
    press(Key.Key_Tab)
    assert focused() is dialog.name  # no earlier caller: the empty lists are skipped
    type_text("Бат-Эрдэнэ Болд")
    press(Key.Key_Tab)
    type_text("уб99112233")  # lower case, normalised on the way out
    press(Key.Key_Tab)
    assert focused() is dialog.new_case_radio
    press(Key.Key_Tab)
    assert focused() is dialog.case_type
    type_text("хүсэлт")  # Mongolian typed while the desk speaks English
    press(Key.Key_Tab)
    assert focused() is dialog.category
    type_text("hot water")
    press(Key.Key_Tab)
    type_text("darkhan")
    press(Key.Key_Tab)
    assert focused() is dialog.place.soum  # the aimag chosen, its soums offered
    type_text("khongor")
    press(Key.Key_Tab)
    press(Key.Key_Tab)  # no bag: leave it empty
    assert focused() is dialog.subject
    type_text("Халуун ус ирэхгүй байна")
    press(Key.Key_Tab)
    type_text("Гурав хоног халуун усгүй байна.")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        press(Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    create, call = desk_store.pending()[-2:]
    assert (create.name, call.name) == ("create_case", "log_call")
    args = create.args
    assert args["type"] == "request"
    assert args["category"] == "utilities_and_heating.hot_water"
    assert args["location"].startswith("45")  # Darkhan-Uul
    assert args["citizen"] == {
        "citizen_id": None,
        "name": "Бат-Эрдэнэ Болд",
        "reg_no": "УБ99112233",
        "phone": "+97699112233",
        "address": "",
    }
    assert args["assignee"] == "op-demo" and args["team"] == "t1111-a"
    assert call.args["case_id"] == create.case_id and call.args["phone"] == "+97699112233"

    number = saved.args[0].number
    assert number == args["provisional_ref"] and number.startswith("P-")
    assert dialog.number.text() == number and dialog.number.isVisible()
    assert dialog.number.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert focused() is dialog.number  # the number is read out next: a screen reader speaks it


def test_f12_saves_too(qtbot: QtBot, dialog: CallFlowDialog, desk_store: Store) -> None:
    dialog.subject.setText("Мэдээлэл авах")
    dialog.category.set_value("other.general")
    dialog.subject.setFocus()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        press(Key.Key_F12)
    assert desk_store.pending()[-2].args["subject"] == "Мэдээлэл авах"


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("9911 223", "A phone number has 8 digits; this one has 7."),
        ("11-11", "This is a short service number, not a citizen's phone number."),
        ("99a11", "Not a Mongolian phone number: type 8 digits, e.g. 9911 2233."),
    ],
)
def test_a_bad_phone_number_says_why_next_to_the_field(
    dialog: CallFlowDialog, desk_store: Store, phone: str, reason: str
) -> None:
    before = len(desk_store.pending())
    type_text(phone)
    dialog.subject.setText("Тест")
    dialog.category.set_value("other.general")
    dialog.save()
    assert dialog.phone_error.text() == reason and dialog.phone_error.isVisible()
    assert dialog.phone.accessibleDescription() == reason
    assert focused() is dialog.phone
    assert len(desk_store.pending()) == before and not dialog.is_saved


def test_missing_subject_and_bad_registration_number_are_shown_together(
    dialog: CallFlowDialog, desk_store: Store, languages: LanguageSwitcher
) -> None:
    languages.switch("mn")
    dialog.reg_no.setText("УБ99133233")  # month 13: not a birth date
    dialog.category.set_value("other.general")
    dialog.save()
    assert dialog.reg_error.text() == (
        "Регистрийн дугаарын эхний 6 орон нь төрсөн огноо байх ёстой; энэ нь огноо биш байна."
    )
    assert dialog.subject_error.text() == "Заавал бөглөнө."
    assert focused() is dialog.reg_no
    assert not dialog.is_saved


def test_a_known_caller_shows_with_their_cases(
    qtbot: QtBot, dialog: CallFlowDialog, desk_store: Store
) -> None:
    known = _known_caller(desk_store)
    assert known.phone is not None
    type_text(known.phone[-8:])
    qtbot.waitUntil(lambda: dialog.caller_panel.callers.count() > 0, timeout=WAIT_MS)
    caller = dialog.caller_panel.selected_caller()
    assert caller is not None and caller.phone == known.phone
    numbers = [
        dialog.caller_panel.cases.topLevelItem(i).text(0)
        for i in range(dialog.caller_panel.cases.topLevelItemCount())
    ]
    assert known.display_number in numbers
    assert dialog.name.text() == known.citizen_name  # filled from the cache


def test_a_call_added_to_an_earlier_case(
    qtbot: QtBot, dialog: CallFlowDialog, desk_store: Store
) -> None:
    known = _known_caller(desk_store)
    assert known.phone is not None
    type_text(known.phone[-8:])
    qtbot.waitUntil(lambda: dialog.caller_panel.cases.topLevelItemCount() > 0, timeout=WAIT_MS)
    cases = dialog.caller_panel.cases
    row = next(
        i
        for i in range(cases.topLevelItemCount())
        if cases.topLevelItem(i).text(0) == known.display_number
    )
    dialog.caller_panel.select_case(row)
    assert dialog.existing_radio.isEnabled()
    dialog.existing_radio.setChecked(True)
    assert not dialog.subject.isEnabled()
    dialog.description.setPlainText("Иргэн дахин залгаж, хариуг асуув.")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.save()
    call, note = desk_store.pending()[-2:]
    assert (call.name, note.name) == ("log_call", "add_note")
    assert call.case_id == note.case_id == known.id
    assert saved.args[0].number == known.display_number and not saved.args[0].new_case
    assert dialog.result_caption.text() == "Call added to case:"


def test_the_dialog_speaks_mongolian(
    dialog: CallFlowDialog, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    languages.switch("mn")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Шинэ дуудлага", timeout=WAIT_MS)
    assert dialog.case_type.currentText() == "Гомдол"
    assert dialog.place.aimag.accessibleName() == "Аймаг эсвэл нийслэл"
    languages.switch("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "New call", timeout=WAIT_MS)
    assert dialog.case_type.currentText() == "Complaint"


def test_closing_with_unsaved_typing_asks_first(
    qtbot: QtBot, desk: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = CallFlowDialog(desk)
    qtbot.addWidget(flow)
    flow.show()
    flow.subject.setText("Хагас бичсэн")
    asked: list[bool] = []
    monkeypatch.setattr(flow, "_confirm_discard", lambda: asked.append(True) or False)
    flow.reject()  # Esc: the operator said "keep it"
    assert asked == [True] and flow.isVisible()
    monkeypatch.setattr(flow, "_confirm_discard", lambda: True)
    flow.reject()
    assert not flow.isVisible()
