"""Merging two edits of one field by hand: both values shown, the operator writes the result."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from operator_app.domain.model import FieldConflict
from operator_app.domain.mutations import MutationArgs, ResolveConflict, validate_field_value
from ui import labels
from ui.case_actions.base import ActionDialog
from ui.field_errors import field_error_text


class MergeDialog(ActionDialog):
    """The server's value and this desk's, and an editor for the merged one."""

    def __init__(self, conflict: FieldConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MergeDialog")
        self._conflict = conflict
        self.server_label, self.server = QLabel(self), QLabel(_text(conflict.current), self)
        self.mine_label, self.mine = QLabel(self), QLabel(_text(conflict.proposed), self)
        for value in (self.server, self.mine):
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.merged_label, self.merged = (
            QLabel(self),
            QPlainTextEdit(_text(conflict.proposed), self),
        )
        self.merged.setObjectName("MergedValue")
        self.merged.setTabChangesFocus(True)
        self.merged_label.setBuddy(self.merged)
        self.form.addRow(self.server_label, self.server)
        self.form.addRow(self.mine_label, self.mine)
        self.form.addRow(self.merged_label, self.merged)
        self.retranslate_ui()
        self.merged.setFocus()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(
            self.tr("Merge “{field}”").format(field=labels.field_label(self._conflict.field))
        )
        self.server_label.setText(self.tr("On the server:"))
        self.mine_label.setText(self.tr("From this desk:"))
        self.merged_label.setText(self.tr("&Merged value:"))

    def mutation(self) -> MutationArgs | None:
        value = self.merged.toPlainText().strip()
        problem = validate_field_value(self._conflict.field, value)
        if problem is not None:
            self.show_problem(field_error_text(problem))
            return None
        return ResolveConflict(self._conflict.id, self._conflict.case_id, "merge", value)

    def has_typed_text(self) -> bool:
        return self.merged.toPlainText() != _text(self._conflict.proposed)

    def text_fields(self) -> dict[str, QWidget]:
        return {"value": self.merged}


def _text(value: object) -> str:
    return "" if value is None else str(value)
