"""Taking a call (F2, Ctrl+N): who is calling, their earlier cases, and the new case or the call
added to an earlier one, saved locally at once with a provisional number to read out.

The whole flow works from the keyboard: type the phone number, Tab through the fields (empty
lists are skipped), Ctrl+Enter or F12 saves, F2 or Ctrl+N takes the next call. Lookups run on a
reader thread (debounced), saves on the writer; the GUI thread only validates with the domain's
pure parsers and rules.

A call is saved as two mutations (the new case and the call, or the call and its note), each its
own local transaction. So that a refusal in between never leaves half a call or a second copy,
the domain's rules run on the whole call before anything is written, each mutation's id is made
once per call, and a retry sends only the parts not saved yet.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFont, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.identifiers import (
    format_phone,
    normalize_phone,
    parse_registration_number,
)
from operator_app.domain.model import CallDirection, CaseType, Channel, Priority
from operator_app.domain.mutations import (
    AddNote,
    CitizenInfo,
    CreateCase,
    LogCall,
    MutationArgs,
    parse_mutation,
    to_json,
)
from operator_app.domain.mutators import (
    Applied,
    CaseState,
    Code,
    Refused,
    apply_mutation,
)
from operator_app.reference import categories, default_rules
from operator_app.store import CitizenMatch, LocalResult
from ui import labels
from ui.caller_lookup import CallerHistory, lookup_caller
from ui.context import DeskContext
from ui.directory_names import DirectoryNames
from ui.field_errors import field_error_text
from ui.refusals import refused_text
from ui.retranslate import Retranslatable
from ui.widgets.caller_panel import CallerPanel
from ui.widgets.error_label import FieldErrorLabel
from ui.widgets.place_picker import PlacePicker
from ui.widgets.type_ahead import Choice, TypeAheadCombo

log = logging.getLogger(__name__)

LOOKUP_DEBOUNCE_MS = 150
SAVE_KEYS = ("Ctrl+Return", "Ctrl+Enter", "F12")
NEXT_CALL_KEYS = ("F2", "Ctrl+N")  # the main window's keys for a new call


@dataclass(frozen=True, slots=True)
class SavedCall:
    """What a save did: the case (new or earlier) and the number to read to the citizen."""

    case_id: str
    number: str
    new_case: bool


@dataclass(frozen=True, slots=True)
class _CallIds:
    """The ids of one call's mutations, made once: every retry sends the same ones."""

    case_id: str
    call_id: str
    note_id: str

    @classmethod
    def new(cls) -> _CallIds:
        return cls(str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()))


@dataclass(frozen=True, slots=True)
class _Written:
    """What one save attempt did on the writer: each part's result (by mutation name) up to the
    first refusal, and the error that stopped it, if any."""

    results: tuple[tuple[str, LocalResult], ...]
    error: BaseException | None = None


class CallFlowDialog(Retranslatable, QDialog):
    """One call: find the caller, then open a new case or add the call to an earlier one."""

    saved = Signal(object)  # SavedCall
    open_case = Signal(str)  # the operator asks to see the saved case
    next_call = Signal()

    def __init__(
        self,
        context: DeskContext,
        names: DirectoryNames | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CallFlowDialog")
        self._context = context
        self._names = names or DirectoryNames()
        self._started_at: datetime = context.clock()
        self._lookup_seq = 0
        self._saving = False
        self._discarding = False
        self._result: SavedCall | None = None
        self._refusal = ""
        self._ids = _CallIds.new()
        # The parts of this call already saved (by mutation name): never sent again.
        self._applied: dict[str, LocalResult] = {}
        self._build()
        self._lookup_timer = QTimer(self)
        self._lookup_timer.setSingleShot(True)
        self._lookup_timer.setInterval(LOOKUP_DEBOUNCE_MS)
        self._lookup_timer.timeout.connect(self._look_up)
        # The main window may close while this call is open (the dialog, a window of its own,
        # stays up): a lookup due after that would reach a store being closed.
        self._watched = parent.window() if parent is not None else None
        if self._watched is not None:
            self._watched.installEventFilter(self)
        self._connect()
        self.resize(1040, 700)
        self.retranslate_ui()
        self.phone.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.caller_box = QGroupBox(self)
        self.phone_label, self.phone = QLabel(self), QLineEdit(self)
        self.phone.setObjectName("CallerPhone")
        self.phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.name_label, self.name = QLabel(self), QLineEdit(self)
        self.name_error = FieldErrorLabel(self.name, self)
        self.reg_label, self.reg_no = QLabel(self), QLineEdit(self)
        self.phone_error = FieldErrorLabel(self.phone, self)
        self.reg_error = FieldErrorLabel(self.reg_no, self)
        self.caller_panel = CallerPanel(self)
        self.new_case_radio = QRadioButton(self)
        self.existing_radio = QRadioButton(self)
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.new_case_radio)
        self.mode_group.addButton(self.existing_radio)
        self.new_case_radio.setChecked(True)
        self.existing_radio.setEnabled(False)
        self.mode_error = FieldErrorLabel(self.existing_radio, self)

        self.case_box = QGroupBox(self)
        self.type_label, self.case_type = QLabel(self), TypeAheadCombo(self)
        self.case_type.setObjectName("CaseType")
        self.category_label, self.category = QLabel(self), TypeAheadCombo(self)
        self.category.setObjectName("Category")
        self.type_error = FieldErrorLabel(self.case_type, self)
        self.category_error = FieldErrorLabel(self.category, self)
        self.place_label, self.place = QLabel(self), PlacePicker(self)
        self.subject_label, self.subject = QLabel(self), QLineEdit(self)
        self.subject.setObjectName("Subject")
        self.subject.setMaxLength(300)
        self.subject_error = FieldErrorLabel(self.subject, self)
        self.description_label, self.description = QLabel(self), QPlainTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.description.setObjectName("Description")
        self.description_error = FieldErrorLabel(self.description, self)
        self.priority_label, self.priority = QLabel(self), QComboBox(self)
        self.confidential = QCheckBox(self)
        self.assign_to_me = QCheckBox(self)
        self.assign_to_me.setChecked(True)
        self.assign_error = FieldErrorLabel(self.assign_to_me, self)
        self.centre_label, self.centre = QLabel(self), QComboBox(self)
        self.centre.setObjectName("Centre")

        self.result_box = QFrame(self)
        self.result_box.setObjectName("SavedBanner")
        self.result_box.setStyleSheet(
            "QFrame#SavedBanner { background: #fff4ce; border: 1px solid #d9b650;"
            " border-radius: 4px; } QFrame#SavedBanner QLabel { background: transparent; }"
        )
        self.result_caption = QLabel(self.result_box)
        self.number = QLabel(self.result_box)
        self.number.setObjectName("ProvisionalNumber")
        font = QFont(self.number.font())
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.number.setFont(font)
        self.number.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.number.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.result_hint = QLabel(self.result_box)
        self.result_hint.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setObjectName("CallFlowMessage")
        self.message.setStyleSheet("QLabel { color: #a3001b; }")
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("SaveCall")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.open_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.close_button = QPushButton(self)
        for button in (self.open_button, self.next_button, self.close_button):
            button.setAutoDefault(False)
        self.open_button.hide()
        self.next_button.hide()
        self._fill_choices()
        self._lay_out()

    def _lay_out(self) -> None:
        for label, field in (
            (self.phone_label, self.phone),
            (self.name_label, self.name),
            (self.reg_label, self.reg_no),
            (self.type_label, self.case_type),
            (self.category_label, self.category),
            (self.place_label, self.place.aimag),
            (self.subject_label, self.subject),
            (self.description_label, self.description),
            (self.priority_label, self.priority),
            (self.centre_label, self.centre),
        ):
            label.setBuddy(field)

        caller_form = QFormLayout()
        caller_form.addRow(self.phone_label, _stacked(self.phone, self.phone_error))
        caller_form.addRow(self.name_label, _stacked(self.name, self.name_error))
        caller_form.addRow(self.reg_label, _stacked(self.reg_no, self.reg_error))
        caller_layout = QVBoxLayout(self.caller_box)
        caller_layout.addLayout(caller_form)
        caller_layout.addWidget(self.caller_panel, 1)
        caller_layout.addWidget(self.new_case_radio)
        caller_layout.addWidget(self.existing_radio)
        caller_layout.addWidget(self.mode_error)

        case_form = QFormLayout(self.case_box)
        case_form.addRow(self.type_label, _stacked(self.case_type, self.type_error))
        case_form.addRow(self.category_label, _stacked(self.category, self.category_error))
        case_form.addRow(self.place_label, self.place)
        case_form.addRow(self.subject_label, _stacked(self.subject, self.subject_error))
        case_form.addRow(self.description_label, _stacked(self.description, self.description_error))
        case_form.addRow(self.priority_label, self.priority)
        case_form.addRow("", self.confidential)
        case_form.addRow("", _stacked(self.assign_to_me, self.assign_error))
        case_form.addRow(self.centre_label, self.centre)
        self._show_centre = len(self._context.actor.centres) > 1
        self.centre.setVisible(self._show_centre)
        self.centre_label.setVisible(self._show_centre)

        result = QHBoxLayout(self.result_box)
        result.setContentsMargins(10, 6, 10, 6)
        result.addWidget(self.result_caption)
        result.addWidget(self.number)
        result.addWidget(self.result_hint, 1)
        self.result_box.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        for button in (self.open_button, self.next_button, self.save_button, self.close_button):
            buttons.addWidget(button)

        grid = QGridLayout(self)
        grid.addWidget(self.caller_box, 0, 0)
        grid.addWidget(self.case_box, 0, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        grid.addWidget(self.result_box, 1, 0, 1, 2)
        grid.addLayout(buttons, 2, 0, 1, 2)

        order = [
            self.phone,
            self.caller_panel.callers,
            self.caller_panel.cases,
            self.name,
            self.reg_no,
            self.new_case_radio,
            self.existing_radio,
            self.case_type,
            self.category,
            self.place.aimag,
            self.place.soum,
            self.place.bag,
            self.subject,
            self.description,
            self.priority,
            self.confidential,
            self.assign_to_me,
            self.centre,
            self.save_button,
            self.number,
            self.open_button,
            self.next_button,
            self.close_button,
        ]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    def _fill_choices(self) -> None:
        self.case_type.set_choices(
            Choice(t.value, labels.type_label(t), labels.TYPE_SEARCH_WORDS[t]) for t in CaseType
        )
        if not self.case_type.value():
            self.case_type.set_value(CaseType.COMPLAINT.value)
        # Sub-categories are what cases carry; each answers to its parent's name too.
        self.category.set_choices(
            Choice(c.code, labels.category_name(c.code, full=True), f"{c.name_mn} {c.name_en}")
            for c in sorted(categories(), key=lambda c: labels.category_name(c.code, full=True))
        )
        priority = self.priority.currentData() or Priority.NORMAL.value
        self.priority.clear()
        for p in Priority:
            self.priority.addItem(labels.priority_label(p), p.value)
        self.priority.setCurrentIndex(max(self.priority.findData(priority), 0))
        centre = self.centre.currentData() or self._context.home_centre
        self.centre.clear()
        for code in sorted(self._context.actor.centres):
            self.centre.addItem(self._names.centre(code), code)
        self.centre.setCurrentIndex(max(self.centre.findData(centre), 0))

    def _connect(self) -> None:
        self.phone.textEdited.connect(self._schedule_lookup)
        self.reg_no.textEdited.connect(self._schedule_lookup)
        self.phone.editingFinished.connect(self._check_phone)
        self.reg_no.editingFinished.connect(self._check_reg_no)
        self.subject.textEdited.connect(lambda _t: self.subject_error.clear_error())
        self.name.textEdited.connect(lambda _t: self.name_error.clear_error())
        self.description.textChanged.connect(self._description_changed)
        self.assign_to_me.toggled.connect(lambda _on: self.assign_error.clear_error())
        self.confidential.toggled.connect(lambda _on: self.assign_error.clear_error())
        self.category.value_changed.connect(self._category_chosen)
        self.case_type.value_changed.connect(lambda _v: self.type_error.clear_error())
        self.caller_panel.caller_chosen.connect(self._caller_chosen)
        self.caller_panel.case_chosen.connect(self._case_chosen)
        self.mode_group.buttonToggled.connect(lambda *_: self._mode_changed())
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.close)
        self.open_button.clicked.connect(self._open_saved)
        self.next_button.clicked.connect(self._next_call)
        for keys in SAVE_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)
        # "Next call (F2)" once the call is saved; the main window's own keys do not reach here.
        self._next_call_shortcuts: list[QShortcut] = []
        for keys in NEXT_CALL_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setEnabled(False)
            shortcut.activated.connect(self._next_call)
            self._next_call_shortcuts.append(shortcut)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("New call"))
        self.caller_box.setTitle(self.tr("Caller"))
        self.phone_label.setText(self.tr("&Phone:"))
        self.phone.setPlaceholderText(self.tr("e.g. 9911 2233"))
        self.name_label.setText(self.tr("&Name:"))
        self.reg_label.setText(self.tr("&Registration no.:"))
        self.reg_no.setPlaceholderText(self.tr("e.g. УБ99112233"))
        self.new_case_radio.setText(self.tr("Open a &new case"))
        self.existing_radio.setText(self.tr("&Add the call to the selected case"))
        self.case_box.setTitle(self.tr("Case"))
        self.type_label.setText(self.tr("&Type:"))
        self.category_label.setText(self.tr("Ca&tegory:"))
        self.category.lineEdit().setPlaceholderText(self.tr("Type to search"))
        self.place_label.setText(self.tr("P&lace:"))
        self.subject_label.setText(self.tr("&Subject:"))
        self.description_label.setText(self.tr("&Description:"))
        self.priority_label.setText(self.tr("Pr&iority:"))
        self.confidential.setText(self.tr("C&onfidential (the citizen asked, or misconduct)"))
        self.assign_to_me.setText(self.tr("Assign to &me"))
        self.centre_label.setText(self.tr("Ce&ntre:"))
        self.save_button.setText(self.tr("Save (Ctrl+Enter, F12)"))
        self.open_button.setText(self.tr("Open the case"))
        self.next_button.setText(self.tr("Next call (F2)"))
        self.close_button.setText(self.tr("Close"))
        self.number.setAccessibleName(self.tr("Case number to read to the citizen"))
        self._fill_choices()
        self._mode_changed()
        self._show_result()
        if self._refusal:
            self.message.setText(self._refusal_message())

    # -- the caller ----------------------------------------------------------------------------

    @Slot()
    def _schedule_lookup(self) -> None:
        self.phone_error.clear_error()
        self.reg_error.clear_error()
        self._lookup_timer.start()

    @Slot()
    def _look_up(self) -> None:
        phone, reg_no = self.phone.text().strip(), self.reg_no.text().strip()
        if len(phone) < 3 and len(reg_no) < 2:
            self.caller_panel.clear()
            return
        self._lookup_seq += 1
        seq = self._lookup_seq
        store, registry = self._context.store, self._context.lookup_registry
        self.caller_panel.set_looking()
        self._context.runner.run_query(
            lambda: lookup_caller(store, phone=phone, reg_no=reg_no, registry=registry),
            lambda history: self._history_arrived(seq, history),
            lambda exc: log.warning("Caller lookup failed: %s", exc),
            receiver=self,
        )

    def stop_lookups(self) -> None:
        """No lookup from now on: the debounce timer stops, and one under way is ignored."""
        self._lookup_timer.stop()
        self._lookup_seq += 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched and event.type() == QEvent.Type.Close:
            self.stop_lookups()
        return super().eventFilter(watched, event)

    def _history_arrived(self, seq: int, history: CallerHistory) -> None:
        if seq == self._lookup_seq:
            self.caller_panel.show_history(history)

    @Slot(object)
    def _caller_chosen(self, caller: CitizenMatch | None) -> None:
        if caller is None:
            return
        # Known callers fill what the operator has not typed; typed text always wins.
        if not self.name.text().strip() and caller.name:
            self.name.setText(caller.name)
        if not self.reg_no.text().strip() and caller.reg_no:
            self.reg_no.setText(caller.reg_no)
        if caller.location and not self.place.value():
            self.place.set_value(caller.location)

    @Slot(str)
    def _case_chosen(self, case_id: str) -> None:
        self.existing_radio.setEnabled(bool(case_id))
        if not case_id and self.existing_radio.isChecked():
            self.new_case_radio.setChecked(True)
        self.mode_error.clear_error()

    @Slot()
    def _check_phone(self) -> bool:
        text = self.phone.text().strip()
        if not text:
            self.phone_error.clear_error()
            return True
        normal = normalize_phone(text)
        if isinstance(normal, FieldError):
            self.phone_error.show_error(field_error_text(normal))
            return False
        self.phone_error.clear_error()
        self.phone.setText(format_phone(normal))
        return True

    @Slot()
    def _check_reg_no(self) -> bool:
        text = self.reg_no.text().strip()
        if not text:
            self.reg_error.clear_error()
            return True
        parsed = parse_registration_number(text)
        if isinstance(parsed, FieldError):
            self.reg_error.show_error(field_error_text(parsed))
            return False
        self.reg_error.clear_error()
        self.reg_no.setText(str(parsed))
        return True

    @Slot()
    def _description_changed(self) -> None:
        if self.description_error.has_error:
            self.description_error.clear_error()

    @Slot(str)
    def _category_chosen(self, code: str) -> None:
        self.category_error.clear_error()
        category = next((c for c in categories() if c.code == code), None)
        if category is not None and category.confidential:
            self.confidential.setChecked(True)

    def _mode_changed(self) -> None:
        new_case = self.new_case_radio.isChecked()
        for widget in (
            self.case_type,
            self.category,
            self.place,
            self.subject,
            self.priority,
            self.confidential,
            self.assign_to_me,
            self.centre,
        ):
            widget.setEnabled(new_case)
        self.description_label.setText(
            self.tr("&Description:") if new_case else self.tr("&Note (optional):")
        )

    # -- saving --------------------------------------------------------------------------------

    @property
    def is_saved(self) -> bool:
        return self._result is not None

    @property
    def result_call(self) -> SavedCall | None:
        return self._result

    @Slot()
    def save(self) -> None:
        """Check the form and the domain's rules, then save on the writer thread; the number
        shows when it is done. A retry saves only what the last attempt did not."""
        if self._saving or self._result is not None:
            return
        mutations = self._mutations()
        if mutations is None:
            return
        todo = [args for args in mutations if args.NAME not in self._applied]
        if not todo:  # the rest was left empty (a note taken out): the call is complete
            self._finish()
            return
        if not self._may_save(todo):
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.message.setText(self.tr("Saving…"))
        store, actor = self._context.store, self._context.actor

        def write() -> _Written:
            results: list[tuple[str, LocalResult]] = []
            try:
                for args in todo:
                    result = store.submit(args, actor).result()
                    results.append((args.NAME, result))
                    if result.refused is not None:
                        break  # the call goes with its case or not at all
            except Exception as exc:  # reported on the GUI thread, with the parts saved before
                return _Written(tuple(results), exc)
            return _Written(tuple(results))

        self._context.runner.run_write(write, self._saved, self._save_failed, receiver=self)

    def _may_save(self, todo: list[MutationArgs]) -> bool:
        """Whether the domain would take every part of the call, shown when not.

        Its parsers and rules are pure: they run here, on the parts still to save, before
        anything is written, so that a part refused after an earlier one was saved (a note too
        long, a confidential case its creator may not add a call to) cannot leave half a call.
        The store still decides; this only keeps a refusal from coming halfway.
        """
        for args in todo:
            problem = parse_mutation(args.NAME, to_json(args))
            if isinstance(problem, FieldError):
                self._show_problem(field_error_text(problem), problem.field)
                return False
        create = next((args for args in todo if isinstance(args, CreateCase)), None)
        if create is None:
            return True  # the earlier case is in the store: the store's answer comes first
        actor, now = self._context.actor, self._context.clock()
        try:
            rules = default_rules()
            outcome = apply_mutation(create, CaseState(None), actor, now, rules)
            if isinstance(outcome, Refused):
                self._show_refused(outcome)
                return False
            for args in todo:
                if args is create:
                    continue
                later = apply_mutation(args, CaseState(outcome.case), actor, now, rules)
                if isinstance(later, Refused):
                    if later.code is Code.FORBIDDEN and outcome.case.confidential:
                        self._show_unassigned_confidential()
                    else:
                        self._show_refused(later)
                    return False
        except Exception:  # only a forecast: the store's own check still runs
            log.exception("Checking a call before saving it failed")
        return True

    def _show_unassigned_confidential(self) -> None:
        self._refusal = self.tr(
            "Only the operator a confidential case is assigned to may add a call to it: tick "
            "“Assign to me” to save this call."
        )
        self.assign_error.show_error(self._refusal)
        self.assign_to_me.setFocus(Qt.FocusReason.OtherFocusReason)
        self.message.setText(self._refusal_message())

    def _mutations(self) -> list[MutationArgs] | None:
        """The mutations the form asks for, or None after showing what to fix."""
        # Both checks run, so that every problem shows at once.
        fields_ok = self._check_phone() & self._check_reg_no()
        now = self._context.clock()
        phone = self._normal_phone()
        call = LogCall(
            call_id=self._ids.call_id,
            case_id="",
            direction=CallDirection.INBOUND,
            started_at=self._started_at,
            duration_s=max(0, min(int((now - self._started_at).total_seconds()), 24 * 3600)),
            phone=phone,
        )
        if self.existing_radio.isChecked():
            # Once the call is in a case, its note goes there too, whatever the list shows.
            saved = self._applied.get(LogCall.NAME)
            case_id = saved.case_id if saved is not None else self.caller_panel.selected_case_id()
            if not case_id:
                self.mode_error.show_error(self.tr("Choose the case in the list first."))
            if not (fields_ok and case_id):
                self._focus_first_error()
                return None
            out: list[MutationArgs] = [_with_case(call, case_id)]
            note = self.description.toPlainText().strip()
            if note:
                out.append(AddNote(self._ids.note_id, case_id, note))
            return out
        create = self._create_args(now, phone)
        if create is None or not fields_ok:
            self._focus_first_error()
            return None
        return [create, _with_case(call, create.case_id)]

    def _create_args(self, now: datetime, phone: str | None) -> CreateCase | None:
        ok = True
        case_type = self.case_type.resolve()
        if not case_type:
            self.type_error.show_error(field_error_text(FieldError("type", Reason.UNKNOWN_VALUE)))
            ok = False
        category = self.category.resolve()
        if not category:
            reason = (
                Reason.UNKNOWN_VALUE if self.category.currentText().strip() else Reason.REQUIRED
            )
            self.category_error.show_error(field_error_text(FieldError("category", reason)))
            ok = False
        subject = self.subject.text().strip()
        if not subject:
            self.subject_error.show_error(field_error_text(FieldError("subject", Reason.REQUIRED)))
            ok = False
        if not ok:
            return None
        centre = str(self.centre.currentData() or self._context.home_centre)
        actor = self._context.actor
        reg = self.reg_no.text().strip() or None
        caller = self.caller_panel.selected_caller()
        citizen_id = None
        if (
            caller is not None
            and caller.citizen_id
            and ((reg and caller.reg_no == reg) or (phone and caller.phone == phone))
        ):
            citizen_id = caller.citizen_id
        return CreateCase(
            case_id=self._ids.case_id,
            centre=centre,
            channel=Channel.PHONE,
            type=CaseType(case_type),
            category=category,
            subject=subject,
            description=self.description.toPlainText().strip(),
            citizen=CitizenInfo(
                citizen_id=citizen_id,
                name=self.name.text().strip(),
                reg_no=reg,
                phone=phone,
            ),
            location=self.place.resolve() or None,
            priority=Priority(self.priority.currentData()),
            confidential=self.confidential.isChecked(),
            team=self._team_in(centre),
            assignee=actor.id if self.assign_to_me.isChecked() else None,
            registered_at=self._started_at,
        )

    def _team_in(self, centre: str) -> str | None:
        actor = self._context.actor
        teams = {t.id: t.centre for t in self._names.directory.teams}
        if actor.primary_team and teams.get(actor.primary_team, centre) == centre:
            return actor.primary_team
        return next((t for t in sorted(actor.teams) if teams.get(t) == centre), None)

    def _normal_phone(self) -> str | None:
        normal = normalize_phone(self.phone.text()) if self.phone.text().strip() else None
        return normal if isinstance(normal, str) else None

    def _focus_first_error(self) -> None:
        for label in (
            self.phone_error,
            self.name_error,
            self.reg_error,
            self.mode_error,
            self.type_error,
            self.category_error,
            self.subject_error,
            self.description_error,
            self.assign_error,
        ):
            if label.has_error:
                label.field.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _saved(self, written: _Written) -> None:
        self._saving = False
        for name, result in written.results:
            if result.refused is None:
                self._applied[name] = result
        refused = next((r.refused for _, r in written.results if r.refused is not None), None)
        if written.error is not None:
            self._save_failed(written.error)
        elif refused is not None or not written.results:
            self.save_button.setEnabled(True)
            self._show_refused(refused)
        else:
            self._finish()
            return
        self._lock_saved_parts()

    def _finish(self) -> None:
        """Every part is saved: show the number to read out."""
        first = self._applied.get(CreateCase.NAME) or self._applied[LogCall.NAME]
        self._result = SavedCall(first.case_id, _number_of(first), CreateCase.NAME in self._applied)
        self.message.clear()
        self._refusal = ""
        self._lock_form()
        self._show_result()
        self.number.setFocus(Qt.FocusReason.OtherFocusReason)
        self.saved.emit(self._result)

    def _lock_saved_parts(self) -> None:
        """What a saved part recorded can no longer change here: the caller and the case, or
        (a call added to an earlier case) all but the note still to save."""
        if self._applied:
            self.caller_box.setEnabled(False)
            self.stop_lookups()
        if CreateCase.NAME in self._applied:
            self.case_box.setEnabled(False)

    def _show_refused(self, refused: Refused | None) -> None:
        if refused is None:
            self._show_problem(self.tr("The call could not be saved."))
        else:
            self._show_problem(refused_text(refused), str(refused.details.get("field")))

    def _show_problem(self, text: str, field: str = "") -> None:
        """Say why the call is not saved: in the message line, and under its field if shown."""
        self._refusal = text
        target = self._error_label_for(field)
        if target is not None:
            target.show_error(text)
            target.field.setFocus(Qt.FocusReason.OtherFocusReason)
        self.message.setText(self._refusal_message())

    def _error_label_for(self, field: str) -> FieldErrorLabel | None:
        return {
            "citizen.phone": self.phone_error,
            "citizen.reg_no": self.reg_error,
            "citizen.name": self.name_error,
            "phone": self.phone_error,
            "type": self.type_error,
            "subject": self.subject_error,
            "category": self.category_error,
            "description": self.description_error,
            "body": self.description_error,
        }.get(field)

    def _refusal_message(self) -> str:
        """Why the last save stopped, after what of the call is saved already."""
        if CreateCase.NAME in self._applied:
            saved = self.tr(
                "Case {number} is saved, but the call is not added to it yet; Save again to add it."
            )
        elif LogCall.NAME in self._applied:
            saved = self.tr(
                "The call is added to case {number}, but the note is not saved yet; Save again "
                "to save it."
            )
        else:
            return self._refusal
        first = self._applied.get(CreateCase.NAME) or self._applied[LogCall.NAME]
        return saved.format(number=_number_of(first)) + "\n" + self._refusal

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        log.error("Saving a call failed", exc_info=exc)
        self._refusal = self.tr(
            "The call could not be saved on this computer. Try again; if it keeps failing, "
            "call the support desk."
        )
        self.message.setText(self._refusal_message())

    def _lock_form(self) -> None:
        for widget in (self.caller_box, self.case_box, self.save_button):
            widget.setEnabled(False)
        self.save_button.hide()
        self.open_button.show()
        self.next_button.show()
        for shortcut in self._next_call_shortcuts:
            shortcut.setEnabled(True)

    def _show_result(self) -> None:
        if self._result is None:
            self.result_box.hide()
            return
        if self._result.new_case:
            self.result_caption.setText(self.tr("Saved. Case number:"))
            self.result_hint.setText(
                self.tr(
                    "Read this number to the citizen. It may change once synced; they can "
                    "still use it to ask about the case."
                )
                if self._result.number.startswith("P-")
                else ""
            )
        else:
            self.result_caption.setText(self.tr("Call added to case:"))
            self.result_hint.setText("")
        self.number.setText(self._result.number)
        self.result_box.show()

    @Slot()
    def _open_saved(self) -> None:
        if self._result is not None:
            self.open_case.emit(self._result.case_id)
            self.accept()

    @Slot()
    def _next_call(self) -> None:
        if self._result is None:
            return
        self.next_call.emit()
        self.accept()

    # -- leaving -------------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        """Typed and not saved (or being saved): closing would lose it."""
        if self._saving:
            return True
        if self._result is not None:
            return False
        return any(
            (
                self.phone.text().strip(),
                self.name.text().strip(),
                self.reg_no.text().strip(),
                self.subject.text().strip(),
                self.description.toPlainText().strip(),
            )
        )

    def reject(self) -> None:
        # While saving, the dialog stays: the number to read out comes with the result.
        if self._saving:
            return
        if self.is_dirty() and not self._discarding and not self._confirm_discard():
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._saving:
            event.ignore()
            return
        if self.is_dirty() and not self._confirm_discard():
            event.ignore()
            return
        # QDialog's closeEvent rejects: answered once, not asked again there.
        self._discarding = True
        try:
            super().closeEvent(event)
        finally:
            self._discarding = False

    def hideEvent(self, event: QHideEvent) -> None:
        # Closed, accepted or rejected: nobody is left to show a lookup's answer.
        if not self.isMinimized():
            self.stop_lookups()
        super().hideEvent(event)

    def _confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Discard this call?"),
            self.tr("What you typed for this call is not saved. Discard it?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard


def _number_of(result: LocalResult) -> str:
    """The number of a saved part's case, as the citizen hears it."""
    outcome = result.outcome
    case = outcome.case if isinstance(outcome, Applied) else None
    return (case.number or case.provisional_ref or "") if case is not None else ""


def _with_case(call: LogCall, case_id: str) -> LogCall:
    return replace(call, case_id=case_id)


def _stacked(field: QWidget, error: QLabel) -> QWidget:
    """A field with its error line under it."""
    box = QWidget(field.parentWidget())
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    field.setParent(box)
    error.setParent(box)
    layout.addWidget(field)
    layout.addWidget(error)
    return box
