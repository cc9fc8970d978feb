"""What every action dialog shares: a form, a line for what is wrong, Save (F12) and Cancel.

Before accepting, the mutation is checked the way the store will check it (`parse_mutation` on
its wire form): a note past the length limit is shown here, with the text still in the form,
instead of being refused after the dialog has gone. Cancel, Esc or closing a form with typed
text first asks whether to discard it; the question is window-modal and never blocks.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from operator_app.domain.errors import FieldError
from operator_app.domain.mutations import MutationArgs, parse_mutation, to_json
from ui.field_errors import field_error_text
from ui.retranslate import Retranslatable
from ui.widgets.error_label import ERROR_COLOUR

SAVE_KEYS = ("Ctrl+Return", "Ctrl+Enter", "F12")


class ActionDialog(Retranslatable, QDialog):
    """Subclasses fill `form` and implement `mutation()`; the dialog accepts only with one.

    Subclasses with free text also implement `has_typed_text()` (closing asks first) and
    `text_fields()` (which widget holds which argument, to point at a value that is too long).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mutation: MutationArgs | None = None
        self._discard_confirmed = False
        self.discard_question: QMessageBox | None = None
        self.form = QFormLayout()
        self.problem = QLabel(self)
        self.problem.setObjectName("ActionProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"QLabel {{ color: {ERROR_COLOUR}; }}")
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for keys in SAVE_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.try_accept)
        self.setMinimumWidth(460)

    def retranslate_ui(self) -> None:
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        # Plain translate with an explicit context: PySide's tr() would take the subclass's.
        save.setToolTip(QCoreApplication.translate("ActionDialog", "Save (Ctrl+Enter, F12)"))

    @property
    def result_mutation(self) -> MutationArgs | None:
        return self._mutation

    def mutation(self) -> MutationArgs | None:
        """The mutation the form asks for; None after showing what is wrong."""
        raise NotImplementedError

    def has_typed_text(self) -> bool:
        """Whether closing without saving would lose something the operator typed."""
        return False

    def text_fields(self) -> dict[str, QWidget]:
        """The form's widget for each text argument of the mutation, by its wire name."""
        return {}

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    @Slot()
    def try_accept(self) -> None:
        mutation = self.mutation()
        if mutation is None:
            return
        # The store refuses what does not parse back from its wire form: say so here, while
        # the text is still in the form.
        problem = parse_mutation(mutation.NAME, to_json(mutation))
        if isinstance(problem, FieldError):
            self._show_field_problem(problem)
            return
        self._mutation = mutation
        self._discard_confirmed = False
        self.accept()

    def _show_field_problem(self, problem: FieldError) -> None:
        widget = self.text_fields().get(_argument(problem.field))
        text = field_error_text(problem)
        label = self.form.labelForField(widget) if widget is not None else None
        if isinstance(label, QLabel) and label.text():
            name = label.text().replace("&", "").strip().rstrip(":：").strip()
            text = QCoreApplication.translate("ActionDialog", "{field}: {problem}").format(
                field=name, problem=text
            )
        self.show_problem(text)
        if widget is not None:
            widget.setFocus()

    def reopen(self, problem: str) -> None:
        """Show the form again, as it was typed, with why the save was refused."""
        self._mutation = None
        self._discard_confirmed = False
        self.show_problem(problem)
        self.open()

    @Slot()
    def reject(self) -> None:
        if self._discard_confirmed or not self.has_typed_text():
            super().reject()
            return
        self._ask_discard()

    def close_without_asking(self) -> None:
        """Close even with typed text (the window is closing and has asked already)."""
        self._discard_confirmed = True
        self.close()

    def _ask_discard(self) -> None:
        if self.discard_question is not None and self.discard_question.isVisible():
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            QCoreApplication.translate("ActionDialog", "Discard what you typed?"),
            QCoreApplication.translate(
                "ActionDialog", "What you typed here is not saved. Discard it?"
            ),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("DiscardQuestion")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._discard_answered(box, button))
        self.discard_question = box
        box.open()

    def _discard_answered(self, box: QMessageBox, button: QAbstractButton) -> None:
        if self.discard_question is box:
            self.discard_question = None
        if box.standardButton(button) == QMessageBox.StandardButton.Discard:
            self._discard_confirmed = True
            self.reject()


def _argument(path: str) -> str:
    """The argument a problem's path names: "body", or "reason" for "changes.reason.new"."""
    parts = path.split(".")
    if parts[0] == "changes" and len(parts) > 1:
        return parts[1]
    return parts[-1]
