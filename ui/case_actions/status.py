"""Moving a case along the workflow: only the steps the role may take are offered."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from operator_app.domain.model import Case, Role, Status
from operator_app.domain.mutations import ChangeStatus, MutationArgs
from operator_app.domain.workflow import next_statuses, requires_reason
from ui import labels
from ui.case_actions.base import ActionDialog


def status_targets(role: Role, case: Case) -> tuple[Status, ...]:
    """Where the role may move the case; a transfer has its own action (it names an agency)."""
    return tuple(s for s in next_statuses(role, case.status) if s is not Status.TRANSFERRED)


class StatusDialog(ActionDialog):
    """The new status, with the reason or the answer the step needs."""

    def __init__(
        self, case: Case, role: Role, target: Status | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("StatusDialog")
        self._case = case
        self._targets = status_targets(role, case)
        self.target_label, self.target = QLabel(self), QComboBox(self)
        self.reason_label, self.reason = QLabel(self), QLineEdit(self)
        self.reason.setObjectName("StatusReason")
        self.answer_label, self.answer = QLabel(self), QPlainTextEdit(self)
        self.answer.setObjectName("StatusAnswer")
        self.answer.setTabChangesFocus(True)
        for label, field in (
            (self.target_label, self.target),
            (self.reason_label, self.reason),
            (self.answer_label, self.answer),
        ):
            label.setBuddy(field)
            self.form.addRow(label, field)
        for status in self._targets:
            self.target.addItem("", status.value)
        if target is not None:
            self.target.setCurrentIndex(max(self.target.findData(target.value), 0))
        self.target.currentIndexChanged.connect(lambda _i: self._show_fields())
        self.retranslate_ui()
        self.target.setFocus()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(self.tr("Change the status"))
        self.target_label.setText(self.tr("&New status:"))
        for i, status in enumerate(self._targets):
            self.target.setItemText(i, labels.status_label(status))
        self.answer_label.setText(self.tr("&Answer given to the citizen:"))
        self._show_fields()

    def chosen(self) -> Status | None:
        data = self.target.currentData()
        return Status(data) if data else None

    def _show_fields(self) -> None:
        target = self.chosen()
        needed = target is not None and requires_reason(self._case.status, target)
        self.reason_label.setText(self.tr("&Reason (required):") if needed else self.tr("&Reason:"))
        resolving = target is Status.RESOLVED
        self.answer.setVisible(resolving)
        self.answer_label.setVisible(resolving)

    def mutation(self) -> MutationArgs | None:
        target = self.chosen()
        if target is None:
            return None
        reason = self.reason.text().strip()
        if requires_reason(self._case.status, target) and not reason:
            self.show_problem(self.tr("Say why: this step needs a reason."))
            self.reason.setFocus()
            return None
        answer = self.answer.toPlainText().strip() if target is Status.RESOLVED else ""
        return ChangeStatus(self._case.id, target, reason, answer, from_=self._case.status)

    def has_typed_text(self) -> bool:
        return bool(self.reason.text().strip() or self.answer.toPlainText().strip())

    def text_fields(self) -> dict[str, QWidget]:
        return {"reason": self.reason, "resolution": self.answer}
