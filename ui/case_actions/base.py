"""What every action dialog shares: a form, a line for what is wrong, Save (F12) and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from operator_app.domain.mutations import MutationArgs
from ui.retranslate import Retranslatable
from ui.widgets.error_label import ERROR_COLOUR

SAVE_KEYS = ("Ctrl+Return", "Ctrl+Enter", "F12")


class ActionDialog(Retranslatable, QDialog):
    """Subclasses fill `form` and implement `mutation()`; the dialog accepts only with one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mutation: MutationArgs | None = None
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

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    @Slot()
    def try_accept(self) -> None:
        mutation = self.mutation()
        if mutation is not None:
            self._mutation = mutation
            self.accept()
