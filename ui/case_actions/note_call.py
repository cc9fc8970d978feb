"""Adding a note, and logging a call on a case."""

from __future__ import annotations

import uuid
from datetime import datetime

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import format_phone, normalize_phone
from operator_app.domain.model import CallDirection, CallOutcome, Case, NoteVisibility
from operator_app.domain.mutations import AddNote, LogCall, MutationArgs
from ui import labels
from ui.case_actions.base import ActionDialog
from ui.field_errors import field_error_text
from ui.widgets.error_label import FieldErrorLabel


class NoteDialog(ActionDialog):
    """A note on the case: internal, or part of the answer to the citizen."""

    def __init__(self, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoteDialog")
        self._case = case
        self.body_label = QLabel(self)
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("NoteBody")
        self.body.setTabChangesFocus(True)
        self.body_label.setBuddy(self.body)
        self.for_citizen = QCheckBox(self)
        self.form.addRow(self.body_label, self.body)
        self.form.addRow("", self.for_citizen)
        self.retranslate_ui()
        self.body.setFocus()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(self.tr("Add a note to {number}").format(number=_number(self._case)))
        self.body_label.setText(self.tr("&Note:"))
        self.for_citizen.setText(self.tr("Part of the &answer to the citizen"))

    def mutation(self) -> MutationArgs | None:
        body = self.body.toPlainText().strip()
        if not body:
            self.show_problem(self.tr("Write the note first."))
            self.body.setFocus()
            return None
        visibility = (
            NoteVisibility.CITIZEN if self.for_citizen.isChecked() else NoteVisibility.INTERNAL
        )
        return AddNote(str(uuid.uuid4()), self._case.id, body, visibility)

    def has_typed_text(self) -> bool:
        return bool(self.body.toPlainText().strip())

    def text_fields(self) -> dict[str, QWidget]:
        return {"body": self.body}


class CallDialog(ActionDialog):
    """A call about the case: usually the operator calling the citizen back."""

    def __init__(self, case: Case, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CallDialog")
        self._case = case
        self._now = now
        self.direction_label, self.direction = QLabel(self), QComboBox(self)
        self.outcome_label, self.outcome = QLabel(self), QComboBox(self)
        self.minutes_label, self.minutes = QLabel(self), QSpinBox(self)
        self.minutes.setRange(0, 24 * 60)
        self.phone_label, self.phone = QLabel(self), QLineEdit(self)
        self.phone.setObjectName("CallPhone")
        self.phone.setText(format_phone(case.phone) if case.phone else "")
        self.phone_error = FieldErrorLabel(self.phone, self)
        for label, field in (
            (self.direction_label, self.direction),
            (self.outcome_label, self.outcome),
            (self.minutes_label, self.minutes),
            (self.phone_label, self.phone),
        ):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.form.addRow("", self.phone_error)
        self.retranslate_ui()
        self.direction.setFocus()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(self.tr("Log a call on {number}").format(number=_number(self._case)))
        self.direction_label.setText(self.tr("&Direction:"))
        self.outcome_label.setText(self.tr("&Outcome:"))
        self.minutes_label.setText(self.tr("&Length (minutes):"))
        self.phone_label.setText(self.tr("&Phone:"))
        _fill(
            self.direction,
            [(d.value, labels.direction_label(d)) for d in CallDirection],
            CallDirection.OUTBOUND.value,
        )
        _fill(
            self.outcome,
            [(o.value, labels.outcome_label(o)) for o in CallOutcome],
            CallOutcome.ANSWERED.value,
        )

    def mutation(self) -> MutationArgs | None:
        phone: str | None = None
        if self.phone.text().strip():
            normal = normalize_phone(self.phone.text())
            if isinstance(normal, FieldError):
                self.phone_error.show_error(field_error_text(normal))
                self.phone.setFocus()
                return None
            phone = normal
        self.phone_error.clear_error()
        return LogCall(
            call_id=str(uuid.uuid4()),
            case_id=self._case.id,
            direction=CallDirection(self.direction.currentData()),
            started_at=self._now,
            duration_s=self.minutes.value() * 60,
            outcome=CallOutcome(self.outcome.currentData()),
            phone=phone,
        )


def _number(case: Case) -> str:
    return case.number or case.provisional_ref or ""


def _fill(combo: QComboBox, items: list[tuple[str, str]], default: str) -> None:
    """(Re)fill a combo with translated items, keeping the choice."""
    current = combo.currentData() or default
    combo.clear()
    for value, text in items:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(combo.findData(current), 0))
