"""The translated reason a field was refused, shown right under the field."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

ERROR_COLOUR = "#a3001b"


class FieldErrorLabel(QLabel):
    """Hidden while the field is fine; says why when it is not, and tells the field too."""

    def __init__(self, field: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._field = field
        self.setWordWrap(True)
        self.setStyleSheet(f"QLabel {{ color: {ERROR_COLOUR}; }}")
        self.hide()

    @property
    def field(self) -> QWidget:
        return self._field

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        # A screen reader announces the description when the field gets focus again.
        self._field.setAccessibleDescription(text)

    def clear_error(self) -> None:
        self.show_error("")

    @property
    def has_error(self) -> bool:
        return bool(self.text())
