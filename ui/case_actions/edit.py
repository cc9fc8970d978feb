"""Editing a case's fields: only what changed is sent, each with the value it was changed from."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import format_phone, normalize_phone, parse_registration_number
from operator_app.domain.model import Case, CaseType, Priority
from operator_app.domain.mutations import (
    FieldChange,
    MutationArgs,
    UpdateCaseFields,
    validate_field_value,
)
from operator_app.domain.mutators import field_value
from operator_app.reference import categories
from ui import labels
from ui.case_actions.base import ActionDialog
from ui.field_errors import field_error_text
from ui.widgets.error_label import FieldErrorLabel
from ui.widgets.place_picker import PlacePicker
from ui.widgets.type_ahead import Choice, TypeAheadCombo


class EditDialog(ActionDialog):
    """The case's editable fields; the server resolves concurrent edits field by field."""

    def __init__(self, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EditDialog")
        self._case = case
        self.subject = QLineEdit(case.subject, self)
        self.subject.setObjectName("EditSubject")
        self.description = QPlainTextEdit(case.description, self)
        self.description.setTabChangesFocus(True)
        self.case_type = TypeAheadCombo(self)
        self.category = TypeAheadCombo(self)
        self.priority = QComboBox(self)
        self.citizen_name = QLineEdit(case.citizen_name, self)
        self.phone = QLineEdit(format_phone(case.phone) if case.phone else "", self)
        self.reg_no = QLineEdit(case.reg_no or "", self)
        self.address = QLineEdit(case.address, self)
        self.place = PlacePicker(self)
        self.place.set_value(case.location)
        self._labels: dict[str, QLabel] = {}
        self._errors: dict[str, FieldErrorLabel] = {}
        for name, field in self._fields().items():
            label = QLabel(self)
            label.setBuddy(field.aimag if isinstance(field, PlacePicker) else field)
            self._labels[name] = label
            error = FieldErrorLabel(field, self)
            self._errors[name] = error
            self.form.addRow(label, field)
            self.form.addRow("", error)
        self.retranslate_ui()
        self.case_type.set_value(case.type.value)
        self.category.set_value(case.category)
        self.priority.setCurrentIndex(max(self.priority.findData(case.priority.value), 0))
        self._at_start = self._typed()
        self.subject.setFocus()
        self.setMinimumWidth(620)

    def _fields(self) -> dict[str, QWidget]:
        return {
            "subject": self.subject,
            "description": self.description,
            "type": self.case_type,
            "category": self.category,
            "priority": self.priority,
            "citizen_name": self.citizen_name,
            "phone": self.phone,
            "reg_no": self.reg_no,
            "address": self.address,
            "location": self.place,
        }

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(self.tr("Edit the case"))
        for name, label in self._labels.items():
            label.setText(self.tr("{field}:").format(field=labels.field_label(name)))
        self.case_type.set_choices(
            Choice(t.value, labels.type_label(t), labels.TYPE_SEARCH_WORDS[t]) for t in CaseType
        )
        self.category.set_choices(
            Choice(c.code, labels.category_name(c.code, full=True), f"{c.name_mn} {c.name_en}")
            for c in categories()
        )
        priority = self.priority.currentData()
        self.priority.clear()
        for p in Priority:
            self.priority.addItem(labels.priority_label(p), p.value)
        if priority:
            self.priority.setCurrentIndex(max(self.priority.findData(priority), 0))

    def _typed(self) -> tuple[object, ...]:
        """The form as typed, untranslated where it can be (a language switch changes no value)."""
        place = self.place
        return (
            self.subject.text(),
            self.description.toPlainText(),
            self.case_type.value() or self.case_type.currentText(),
            self.category.value() or self.category.currentText(),
            self.priority.currentData(),
            self.citizen_name.text(),
            self.phone.text(),
            self.reg_no.text(),
            self.address.text(),
            tuple(c.value() or c.currentText() for c in (place.aimag, place.soum, place.bag)),
        )

    def has_typed_text(self) -> bool:
        return self._typed() != self._at_start

    def _new_values(self) -> dict[str, str | None] | None:
        """Every field's typed value in the case's own form; None after showing a problem."""
        values: dict[str, str | None] = {
            "subject": self.subject.text().strip(),
            "description": self.description.toPlainText().strip(),
            "type": self.case_type.resolve() or None,
            "category": self.category.resolve() or None,
            "priority": str(self.priority.currentData()),
            "citizen_name": self.citizen_name.text().strip(),
            "address": self.address.text().strip(),
            "location": self.place.resolve() or None,
        }
        phone = self.phone.text().strip()
        values["phone"] = None
        if phone:
            normal = normalize_phone(phone, "phone")
            values["phone"] = normal if isinstance(normal, str) else phone
        reg = self.reg_no.text().strip()
        values["reg_no"] = None
        if reg:
            parsed = parse_registration_number(reg)
            values["reg_no"] = reg if isinstance(parsed, FieldError) else str(parsed)
        ok = True
        for name, value in values.items():
            problem = validate_field_value(name, value)
            self._errors[name].show_error(field_error_text(problem) if problem else "")
            ok = ok and problem is None
        return values if ok else None

    def mutation(self) -> MutationArgs | None:
        values = self._new_values()
        if values is None:
            self.show_problem(self.tr("Correct the fields marked in red."))
            return None
        changes = {}
        for name, new in values.items():
            base = field_value(self._case, name)
            if (base or None) != (new or None):
                changes[name] = FieldChange(base, new)
        if not changes:
            self.show_problem(self.tr("Nothing was changed."))
            return None
        return UpdateCaseFields(self._case.id, changes)
