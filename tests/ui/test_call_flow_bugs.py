"""The call flow's lifecycle with the desk around it: a closed call dialog is gone for good, an
unsaved call survives a quit the operator cancels, a save is never half done nor done twice, the
next call is one key away, and a save under way is not thrown away."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from operator_app.domain.mutations import AddNote, LogCall, MutationArgs
from operator_app.domain.mutators import Code, rejected
from operator_app.store import LocalResult, QueueFilter, QueueRow, Store
from tests.ui.desk import OPERATOR, WAIT_MS, clock, focused, type_text
from ui.bridge import TaskRunner
from ui.call_flow import CallFlowDialog
from ui.context import DeskContext
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow
from ui.settings import Settings

Key = Qt.Key
Mod = Qt.KeyboardModifier


def _window(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> MainWindow:
    window = MainWindow(settings, languages, context=desk)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _dialog(qtbot: QtBot, desk: DeskContext) -> CallFlowDialog:
    flow = CallFlowDialog(desk)
    qtbot.addWidget(flow)
    flow.show()
    flow.activateWindow()
    qtbot.waitUntil(flow.isActiveWindow, timeout=WAIT_MS)
    return flow


def _fill_new_case(dialog: CallFlowDialog) -> None:
    dialog.phone.setText("9911 2233")
    dialog.subject.setText("Мэдээлэл авах")
    dialog.category.set_value("other.general")


def _saved_call(qtbot: QtBot, window: MainWindow) -> CallFlowDialog:
    """A new call from the window, filled in and saved."""
    dialog = window.new_call()
    assert dialog is not None
    _fill_new_case(dialog)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.save()
    return dialog


def _names(store: Store, before: int) -> list[str]:
    """The mutations saved since `before` entries were pending."""
    return [entry.name for entry in store.pending()[before:]]


def _known_case(dialog: CallFlowDialog, qtbot: QtBot, store: Store) -> QueueRow:
    """Choose, in the dialog, an open case of a known caller that the operator works."""
    rids = store.queue_ids(
        QueueFilter(
            centres=frozenset({"c1111"}), open_only=True, assignees=frozenset({OPERATOR.id})
        )
    )
    row = next(r for r in store.rows(rids[:200]) if r.phone and r.citizen_name)
    assert row.phone is not None
    dialog.phone.setText(row.phone[-8:])
    dialog.phone.textEdited.emit(dialog.phone.text())  # as typing does: the lookup is due
    cases = dialog.caller_panel.cases
    qtbot.waitUntil(
        lambda: any(
            cases.topLevelItem(i).text(0) == row.display_number
            for i in range(cases.topLevelItemCount())
        ),
        timeout=WAIT_MS,
    )
    dialog.caller_panel.select_case(
        next(
            i
            for i in range(cases.topLevelItemCount())
            if cases.topLevelItem(i).text(0) == row.display_number
        )
    )
    assert dialog.caller_panel.selected_case_id() == row.id
    dialog.existing_radio.setChecked(True)
    return row


class FailingOnce:
    """A store whose first save of one kind of mutation fails (an error raised, or a refusal
    returned as the store would give it); every `submit` is recorded with its arguments."""

    def __init__(self, store: Store, kind: type, how: str) -> None:
        self._store = store
        self._kind = kind
        self._how = how
        self._failed = False
        self.submitted: list[MutationArgs] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def submit(self, args: MutationArgs, actor: Any) -> Future[LocalResult]:
        self.submitted.append(args)
        if isinstance(args, self._kind) and not self._failed:
            self._failed = True
            if self._how == "error":
                raise OSError("disk I/O error")
            refused = rejected(Code.SERVER_ERROR, "try again")
            future: Future[LocalResult] = Future()
            future.set_result(LocalResult(refused, args.case_id, None))
            return future
        return self._store.submit(args, actor)


class GatedSaves:
    """A store whose saves wait until the test opens the gate: a save can be seen under way."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.gate = threading.Event()
        self.entered = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def submit(self, args: MutationArgs, actor: Any) -> Future[LocalResult]:
        self.entered.set()
        self.gate.wait(WAIT_MS / 1000)
        return self._store.submit(args, actor)


@pytest.fixture
def gated(desk_store: Store) -> Iterator[GatedSaves]:
    store = GatedSaves(desk_store)
    yield store
    store.gate.set()  # a failed test must not leave the writer waiting


# -- 1. a closed call dialog is deleted: the next F2 opens a new one -------------------------------


def test_f2_after_a_call_was_closed_opens_a_new_call(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages)
    first = window.new_call()
    assert first is not None
    first.close_button.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=WAIT_MS)  # deleted
    assert window.call_dialog is None
    window.new_call_action.trigger()  # F2: raised "C++ object already deleted"
    second = window.call_dialog
    assert second is not None and shiboken6.isValid(second) and second.isVisible()


def test_f2_after_a_saved_call_was_closed_opens_a_new_call(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages)
    first = _saved_call(qtbot, window)
    first.reject()
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=WAIT_MS)  # deleted
    second = window.new_call()
    assert second is not None and second.isVisible() and not second.is_saved


def test_the_next_call_is_kept_when_the_saved_one_is_deleted(
    qtbot: QtBot, desk: DeskContext, settings: Settings, languages: LanguageSwitcher
) -> None:
    window = _window(qtbot, desk, settings, languages)
    first = _saved_call(qtbot, window)
    first.next_button.click()  # the next call opens before the saved one is deleted
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=WAIT_MS)  # deleted
    second = window.call_dialog
    assert second is not None and second is not first and second.isVisible()
    second.subject.setText("Дараагийн дуудлага")
    assert window.new_call() is second  # an unsaved call comes forward, not a second one


# -- 2. quitting with an unsaved call --------------------------------------------------------------


def test_quitting_with_an_unsaved_call_keeps_it_when_the_operator_cancels(
    qtbot: QtBot,
    desk: DeskContext,
    settings: Settings,
    languages: LanguageSwitcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = _window(qtbot, desk, settings, languages)
    dialog = window.new_call()
    assert dialog is not None
    dialog.subject.setText("Иргэний гомдол бичиж байна")
    asked: list[bool] = []
    monkeypatch.setattr(
        CallFlowDialog, "_confirm_discard", lambda _self: asked.append(False) or False
    )
    window._quit_action.trigger()  # Ctrl+Q
    assert asked == [False]
    assert window.isVisible() and dialog.isVisible()
    assert dialog.subject.text() == "Иргэний гомдол бичиж байна"
    assert window.store_events is not None and window.queue.isVisible()

    monkeypatch.setattr(
        CallFlowDialog, "_confirm_discard", lambda _self: asked.append(True) or True
    )
    assert window.close()  # Alt+F4: this time the operator discards
    assert asked == [False, True]  # asked once, not once more by the dialog's own reject
    assert not window.isVisible() and not dialog.isVisible()


def test_closing_the_main_window_closes_a_discarded_call_with_its_lookup(
    qtbot: QtBot,
    desk: DeskContext,
    desk_store: Store,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    # The desk shuts its runner and store down after its window: a lookup still due must not
    # fire then. The typed call is asked about first (the fixture answers Discard).
    window = _window(qtbot, desk, settings, languages)
    flow = window.new_call()
    assert flow is not None
    rids = desk_store.queue_ids(QueueFilter(centres=frozenset({"c1111"}), open_only=True))
    known = next(r for r in desk_store.rows(rids[:100]) if r.phone and r.citizen_name)
    assert known.phone is not None
    type_text(known.phone[-8:], flow.phone)  # the lookup is due in LOOKUP_DEBOUNCE_MS
    assert window.close()
    assert not flow.isVisible()
    # Deleted, with its debounce timer: no lookup is left to fire.
    qtbot.waitUntil(lambda: not shiboken6.isValid(flow), timeout=WAIT_MS)


def test_quitting_with_a_saved_call_asks_nothing(
    qtbot: QtBot,
    desk: DeskContext,
    settings: Settings,
    languages: LanguageSwitcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = _window(qtbot, desk, settings, languages)
    _saved_call(qtbot, window)
    monkeypatch.setattr(CallFlowDialog, "_confirm_discard", lambda _self: pytest.fail("asked"))
    assert window.close()


# -- 3. a call is saved whole, once ----------------------------------------------------------------


def test_a_confidential_case_not_assigned_to_the_operator_is_stopped_before_saving(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    dialog = _dialog(qtbot, desk)
    _fill_new_case(dialog)
    dialog.confidential.setChecked(True)
    dialog.assign_to_me.setChecked(False)
    before = len(desk_store.pending())
    for _attempt in range(3):
        dialog.save()
        assert not dialog.is_saved
    assert _names(desk_store, before) == []  # was one case per attempt, each without its call
    assert dialog.assign_error.isVisible()
    assert "Assign to me" in dialog.assign_error.text()
    assert dialog.message.text() == dialog.assign_error.text()
    assert focused() is dialog.assign_to_me

    dialog.assign_to_me.setChecked(True)
    assert not dialog.assign_error.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.save()
    create, call = desk_store.pending()[before:]
    assert (create.name, call.name) == ("create_case", "log_call")
    assert create.args["confidential"] and create.args["assignee"] == OPERATOR.id


def test_a_note_too_long_is_stopped_before_the_call_is_logged(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    dialog = _dialog(qtbot, desk)
    row = _known_case(dialog, qtbot, desk_store)
    dialog.description.setPlainText("н" * 20_001)
    before = len(desk_store.pending())
    dialog.save()
    assert _names(desk_store, before) == []  # the call was logged, then the note refused
    assert dialog.description_error.isVisible()
    assert dialog.description_error.text() == "Too long: at most 20000 characters."
    assert focused() is dialog.description
    assert not dialog.is_saved and dialog.save_button.isEnabled()

    dialog.description.setPlainText("Иргэн дахин залгав.")
    assert not dialog.description_error.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.save()
    call, note = desk_store.pending()[before:]
    assert (call.name, note.name) == ("log_call", "add_note")
    assert call.case_id == note.case_id == row.id


@pytest.mark.parametrize("how", ["error", "refusal"])
def test_a_new_case_whose_call_failed_is_not_saved_again(
    qtbot: QtBot, desk: DeskContext, desk_store: Store, how: str
) -> None:
    store = FailingOnce(desk_store, LogCall, how)
    dialog = _dialog(qtbot, replace(desk, store=store))  # type: ignore[arg-type]
    _fill_new_case(dialog)
    before = len(desk_store.pending())
    dialog.save()
    assert _names(desk_store, before) == ["create_case"]
    create = desk_store.pending()[-1]
    number = create.args["provisional_ref"]
    assert not dialog.is_saved and dialog.save_button.isEnabled()
    assert dialog.message.text().startswith(f"Case {number} is saved, but the call is not added")
    assert not dialog.caller_box.isEnabled() and not dialog.case_box.isEnabled()

    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.save()
    assert _names(desk_store, before) == ["create_case", "log_call"]  # one case, one call
    call = desk_store.pending()[-1]
    assert call.case_id == create.case_id
    first_try, retry = (args for args in store.submitted if isinstance(args, LogCall))
    assert retry.call_id == first_try.call_id  # the same call, not a second one
    assert [type(args).__name__ for args in store.submitted] == [
        "CreateCase",
        "LogCall",
        "LogCall",
    ]
    assert saved.args[0].number == number and saved.args[0].new_case


def test_a_note_that_failed_after_its_call_is_saved_alone_on_retry(
    qtbot: QtBot, desk: DeskContext, desk_store: Store
) -> None:
    store = FailingOnce(desk_store, AddNote, "error")
    dialog = _dialog(qtbot, replace(desk, store=store))  # type: ignore[arg-type]
    row = _known_case(dialog, qtbot, desk_store)
    dialog.description.setPlainText("Иргэн хариуг асуув.")
    before = len(desk_store.pending())
    dialog.save()
    assert _names(desk_store, before) == ["log_call"]
    assert dialog.message.text().startswith(
        f"The call is added to case {row.display_number}, but the note is not saved yet"
    )
    assert not dialog.caller_box.isEnabled() and dialog.description.isEnabled()

    dialog.description.setPlainText("Иргэн хариуг дахин асуув.")  # still editable, then sent
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.save()
    assert _names(desk_store, before) == ["log_call", "add_note"]
    note = desk_store.pending()[-1]
    assert note.args["body"] == "Иргэн хариуг дахин асуув." and note.case_id == row.id
    first_try, retry = (args for args in store.submitted if isinstance(args, AddNote))
    assert retry.note_id == first_try.note_id
    assert saved.args[0].case_id == row.id and not saved.args[0].new_case


# -- 4. F2 and Ctrl+N in the saved call ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "modifier"), [(Key.Key_F2, Mod.NoModifier), (Key.Key_N, Mod.ControlModifier)]
)
def test_the_next_call_keys_work_in_the_saved_call(
    qtbot: QtBot,
    desk: DeskContext,
    settings: Settings,
    languages: LanguageSwitcher,
    key: Key,
    modifier: Mod,
) -> None:
    window = _window(qtbot, desk, settings, languages)
    dialog = window.new_call()
    assert dialog is not None
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)  # the keys go to the active window
    _fill_new_case(dialog)
    qtbot.keyClick(dialog.subject, key, modifier)  # not saved yet: the keys do nothing
    assert window.call_dialog is dialog and dialog.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.keyClick(dialog.subject, Key.Key_F12)
    assert dialog.next_button.text() == "Next call (F2)"
    with qtbot.waitSignal(dialog.next_call, timeout=WAIT_MS):
        qtbot.keyClick(dialog.number, key, modifier)
    qtbot.waitUntil(lambda: window.call_dialog is not dialog, timeout=WAIT_MS)
    second = window.call_dialog
    assert second is not None and second.isVisible() and not second.is_saved


# -- 5. a save under way --------------------------------------------------------------------------


def test_esc_during_a_save_keeps_the_call_until_its_number_shows(
    qtbot: QtBot,
    desk: DeskContext,
    runner: TaskRunner,
    gated: GatedSaves,
    desk_store: Store,
    settings: Settings,
    languages: LanguageSwitcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context = DeskContext(gated, runner, OPERATOR, desk.settings, clock=clock)  # type: ignore[arg-type]
    window = _window(qtbot, context, settings, languages)
    dialog = window.new_call()
    assert dialog is not None
    _fill_new_case(dialog)
    asked: list[bool] = []
    monkeypatch.setattr(
        CallFlowDialog, "_confirm_discard", lambda _self: asked.append(True) or True
    )
    dialog.save()
    assert gated.entered.wait(WAIT_MS / 1000)
    assert dialog.is_dirty()

    dialog.reject()  # Esc
    assert not dialog.close()  # the window's X
    assert not window.close()  # the desk's Quit: the save is under way
    assert dialog.isVisible() and window.isVisible() and asked == []

    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        gated.gate.set()
    assert dialog.isVisible() and dialog.number.text() == saved.args[0].number
    assert saved.args[0].number.startswith("P-")
    assert [e.name for e in desk_store.pending()[-2:]] == ["create_case", "log_call"]
    assert window.close() and asked == []  # saved: nothing to ask
