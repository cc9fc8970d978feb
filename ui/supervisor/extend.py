"""Extending a case's deadline: once, within the rule's limit, with the notice the citizen got."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSpinBox, QWidget

from i18n import formatting
from operator_app.domain.model import Case
from operator_app.domain.mutations import ExtendDeadline, MutationArgs
from operator_app.domain.mutators import Rules
from ui.case_actions.base import ActionDialog


def extension_limit(case: Case, rules: Rules) -> int:
    """The most days the case's rule allows (0: it cannot be extended)."""
    rule = rules.deadlines.rule_for(case.type, case.priority)
    return rule.extension_limit_days if rule.days is not None else 0


class ExtendDeadlineDialog(ActionDialog):
    """How many days, and the notice text given to the citizen (required)."""

    def __init__(self, case: Case, limit: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ExtendDeadlineDialog")
        self._case = case
        self._limit = limit
        self.current = QLabel(self)
        self.current.setObjectName("ExtendCurrentDeadline")
        self.days_label, self.days = QLabel(self), QSpinBox(self)
        self.days.setObjectName("ExtendDays")
        self.days.setRange(1, max(limit, 1))
        self.days.setValue(max(limit, 1))
        self.notice_label, self.notice = QLabel(self), QPlainTextEdit(self)
        self.notice.setObjectName("ExtendNotice")
        self.notice.setTabChangesFocus(True)
        self.form.addRow(self.current)
        for label, field in ((self.days_label, self.days), (self.notice_label, self.notice)):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.retranslate_ui()
        self.days.setFocus()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(self.tr("Extend the deadline"))
        due = self._case.due_date
        when = formatting.format_date(due) if due else self.tr("none")
        self.current.setText(
            self.tr("Case {number}: answer due {date}. Up to {limit} more days, once.").format(
                number=self._case.number or self._case.provisional_ref or "",
                date=when,
                limit=self._limit,
            )
        )
        self.days_label.setText(self.tr("&Days to add:"))
        self.notice_label.setText(self.tr("&Notice given to the citizen (required):"))

    def mutation(self) -> MutationArgs | None:
        if self._limit <= 0:
            self.show_problem(self.tr("This case's deadline cannot be extended."))
            return None
        notice = self.notice.toPlainText().strip()
        if not notice:
            self.show_problem(self.tr("Write the notice the citizen was given."))
            self.notice.setFocus()
            return None
        return ExtendDeadline(self._case.id, self.days.value(), notice)

    def has_typed_text(self) -> bool:
        return bool(self.notice.toPlainText().strip())

    def text_fields(self) -> dict[str, QWidget]:
        return {"notice": self.notice}
