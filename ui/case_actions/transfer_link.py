"""Transferring a case to the responsible agency, and linking it to another case."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QButtonGroup, QLabel, QLineEdit, QPlainTextEdit, QRadioButton, QWidget

from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import parse_case_number
from operator_app.domain.model import Case, LinkKind
from operator_app.domain.mutations import LinkCases, MutationArgs, TransferCase
from operator_app.reference import agencies
from operator_app.store import QueueRow, Store
from ui import labels
from ui.bridge import TaskRunner
from ui.case_actions.base import ActionDialog
from ui.case_snapshot import case_rows_by_number
from ui.widgets.type_ahead import Choice, TypeAheadCombo


class TransferDialog(ActionDialog):
    """The agency, typed ahead, and a note for it."""

    def __init__(self, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TransferDialog")
        self._case = case
        self.agency_label, self.agency = QLabel(self), TypeAheadCombo(self)
        self.agency.setObjectName("Agency")
        self.note_label, self.note = QLabel(self), QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        for label, field in ((self.agency_label, self.agency), (self.note_label, self.note)):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.retranslate_ui()
        self._agency_at_start = self.agency.currentText()
        self.agency.setFocus()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(self.tr("Transfer to an agency"))
        self.agency_label.setText(self.tr("&Agency:"))
        self.agency.lineEdit().setPlaceholderText(self.tr("Type to search"))
        self.note_label.setText(self.tr("&Note for the agency:"))
        self.agency.set_choices(
            Choice(a.code, labels.agency_name(a.code), f"{a.name_mn} {a.name_en}")
            for a in sorted(agencies(), key=lambda a: labels.agency_name(a.code))
        )

    def mutation(self) -> MutationArgs | None:
        agency = self.agency.resolve()
        if not agency:
            self.show_problem(self.tr("Choose the agency from the list."))
            self.agency.setFocus()
            return None
        return TransferCase(self._case.id, agency, self.note.toPlainText().strip())

    def has_typed_text(self) -> bool:
        typed_agency = self.agency.currentText() != self._agency_at_start
        return bool(self.note.toPlainText().strip()) or typed_agency

    def text_fields(self) -> dict[str, QWidget]:
        return {"note": self.note}


class LinkDialog(ActionDialog):
    """The other case's number; it is looked up in this desk's cache before linking."""

    def __init__(
        self, case: Case, store: Store, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LinkDialog")
        self._case = case
        self._store = store
        self._runner = runner
        self._found: QueueRow | None = None
        self.number_label, self.number = QLabel(self), QLineEdit(self)
        self.number.setObjectName("LinkNumber")
        self.number_label.setBuddy(self.number)
        self.duplicate = QRadioButton(self)
        self.related = QRadioButton(self)
        self.kind = QButtonGroup(self)
        self.kind.addButton(self.duplicate)
        self.kind.addButton(self.related)
        self.duplicate.setChecked(True)
        self.form.addRow(self.number_label, self.number)
        self.form.addRow("", self.duplicate)
        self.form.addRow("", self.related)
        self.number.textEdited.connect(lambda _t: self.show_problem(""))
        self.retranslate_ui()
        self.number.setFocus()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(self.tr("Link to another case"))
        self.number_label.setText(self.tr("&Case number:"))
        self.number.setPlaceholderText(self.tr("e.g. 2026-000123 or P-7K3Q-17"))
        self.duplicate.setText(self.tr("This case &duplicates it"))
        self.related.setText(self.tr("The cases are &related"))

    @Slot()
    def try_accept(self) -> None:
        """Look the number up first (reader thread); accept once the case is found."""
        text = self.number.text().strip()
        if isinstance(parse_case_number(text), FieldError):
            self.show_problem(self.tr("Not a case number: e.g. 2026-000123 or P-7K3Q-17."))
            return
        store = self._store
        self.buttons.setEnabled(False)
        self._runner.run_query(
            lambda: case_rows_by_number(store, text),
            self._looked_up,
            self._lookup_failed,
            receiver=self,
        )

    def _looked_up(self, rows: list[QueueRow]) -> None:
        self.buttons.setEnabled(True)
        others = [row for row in rows if row.id != self._case.id]
        if not others:
            if rows:
                self.show_problem(self.tr("That is this case's own number."))
            else:
                self.show_problem(self.tr("No case with this number in this desk's cache."))
            return
        self._found = others[0]
        super().try_accept()

    def _lookup_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.show_problem(self.tr("The case could not be looked up."))

    def mutation(self) -> MutationArgs | None:
        if self._found is None:
            return None
        kind = LinkKind.DUPLICATE if self.duplicate.isChecked() else LinkKind.RELATED
        return LinkCases(self._case.id, self._found.id, kind)

    def has_typed_text(self) -> bool:
        return bool(self.number.text().strip())
