"""Desktop notifications: newly assigned cases, through the system tray where there is one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon

MESSAGE_MS = 8000


@dataclass(frozen=True, slots=True)
class AssignedCase:
    case_id: str
    number: str
    subject: str


def desk_icon() -> QIcon:
    """A plain round icon in the desk's colour (no image files to ship)."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#0a4f94"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(4, 4, 56, 56)
    painter.setPen(QColor("white"))
    font = painter.font()
    font.setPixelSize(26)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "11")
    painter.end()
    return QIcon(pixmap)


class Notifier(QObject):
    """Says "a case was assigned to you" in the tray; `fallback` gets the text without one."""

    case_clicked = Signal(str)  # the case of the last message, when the operator clicks it
    shown = Signal(str, str)  # title, text (whether through the tray or the fallback)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._last_case = ""
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(desk_icon(), self)
            self._tray.messageClicked.connect(self._clicked)
            self._tray.show()

    @property
    def has_tray(self) -> bool:
        return self._tray is not None

    def notify_assigned(self, cases: Sequence[AssignedCase]) -> tuple[str, str] | None:
        """Tell the operator these cases are theirs now; the title and text shown."""
        if not cases:
            return None
        first = cases[0]
        self._last_case = first.case_id
        title = self.tr("%n case(s) assigned to you", "", len(cases))
        if len(cases) == 1:
            text = self.tr("{number}: {subject}").format(number=first.number, subject=first.subject)
        else:
            text = ", ".join(case.number for case in cases[:5])
            if len(cases) > 5:
                text = self.tr("{numbers} and %n more", "", len(cases) - 5).format(numbers=text)
        if self._tray is not None:
            self._tray.setToolTip(title)
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS)
        self.shown.emit(title, text)
        return title, text

    @Slot()
    def _clicked(self) -> None:
        if self._last_case:
            self.case_clicked.emit(self._last_case)
