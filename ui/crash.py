"""One crash hook: every unhandled exception is logged and shown in a dialog on the GUI thread.

`CrashReporter.install()` takes over ``sys.excepthook`` (the GUI thread, and exceptions PySide
reports from slots and virtual methods) and ``threading.excepthook`` (worker threads). An
exception raised off the GUI thread travels there through a queued signal. The desk never exits
silently: the dialog says what happened and lets the user copy the details for the support desk.
While the dialog is open, later errors are added to it rather than opening a dialog each.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.bridge import is_gui_thread
from ui.retranslate import Retranslatable

log = logging.getLogger(__name__)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class CrashDialog(Retranslatable, QDialog):
    """Tells the user something went wrong, with the technical details to copy."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reports: list[str] = []
        self._heading = QLabel(self)
        self._heading.setWordWrap(True)
        self._explanation = QLabel(self)
        self._explanation.setWordWrap(True)
        self._details_label = QLabel(self)
        self._details = QPlainTextEdit(self)
        self._details.setReadOnly(True)
        self._details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._details_label.setBuddy(self._details)
        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self._copy = QPushButton(self)
        self._buttons.addButton(self._copy, QDialogButtonBox.ButtonRole.ActionRole)
        self._copy.clicked.connect(self.copy_details)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self._heading)
        layout.addWidget(self._explanation)
        layout.addWidget(self._details_label)
        layout.addWidget(self._details)
        layout.addWidget(self._buttons)
        self.setTabOrder(self._details, self._copy)
        self.setTabOrder(self._copy, self._buttons.button(QDialogButtonBox.StandardButton.Close))
        self.resize(640, 420)
        self.retranslate_ui()

    @property
    def details(self) -> str:
        return self._details.toPlainText()

    @property
    def heading(self) -> str:
        return self._heading.text()

    @property
    def report_count(self) -> int:
        return len(self._reports)

    def add_report(self, text: str) -> None:
        self._reports.append(text)
        self._details.setPlainText("\n".join(self._reports))
        self.retranslate_ui()  # the heading counts the errors

    @Slot()
    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Unexpected error"))
        if len(self._reports) > 1:
            self._heading.setText(
                self.tr("%n unexpected error(s) occurred.", "", len(self._reports))
            )
        else:
            self._heading.setText(self.tr("An unexpected error occurred."))
        self._explanation.setText(
            self.tr(
                "Your saved work is safe. Copy the details below and send them to the support "
                "desk, together with what you were doing."
            )
        )
        self._details_label.setText(self.tr("&Details:"))
        self._details.setAccessibleName(self.tr("Error details"))
        self._copy.setText(self.tr("&Copy details"))


class CrashReporter(QObject):
    """The process-wide exception hook; create it on the GUI thread, then `install()` it."""

    _reported = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dialog: CrashDialog | None = None
        self._installed = False
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    @property
    def dialog(self) -> CrashDialog | None:
        """The open crash dialog, if any."""
        return self._dialog

    def install(self) -> None:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        self._installed = True

    def uninstall(self) -> None:
        """Put back the hooks found at `install` (tests, and the end of main())."""
        if self._installed:
            sys.excepthook = self._previous_hook
            threading.excepthook = self._previous_thread_hook
            self._installed = False

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """``sys.excepthook``: an unhandled exception on any thread."""
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            self._previous_hook(exc_type, exc, tb)  # Ctrl+C in a terminal, sys.exit(): not bugs
            return
        self.report((exc_type, exc, tb), threading.current_thread().name)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """``threading.excepthook``: an exception that ended a worker thread."""
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return  # a thread calling sys.exit() has merely stopped, as Python's own hook holds
        where = args.thread.name if args.thread is not None else "a worker thread"
        self.report((args.exc_type, args.exc_value, args.exc_traceback), where)

    def report(self, exc_info: ExcInfo, where: str = "") -> None:
        """Log an exception and show it to the user; callable from any thread."""
        log.error("Unhandled exception in %s", where or "the desk", exc_info=exc_info)
        text = "".join(traceback.format_exception(*exc_info))
        if QApplication.instance() is None:
            sys.__excepthook__(*exc_info)  # no GUI (yet): the terminal is all there is
        elif is_gui_thread():
            self._show(text)
        else:
            self._reported.emit(text)

    def report_fatal(self, exc_info: ExcInfo, close_after_ms: int | None = None) -> None:
        """Report an error the desk cannot start after; wait until the user has read it.

        `close_after_ms` closes the dialog by itself: smoke tests must end, not hang.
        """
        self.report(exc_info, "start-up")
        if self._dialog is not None:
            if close_after_ms is not None:
                QTimer.singleShot(close_after_ms, self._dialog.reject)
            self._dialog.exec()

    @Slot(str)
    def _show(self, text: str) -> None:
        try:
            if self._dialog is None:
                self._dialog = CrashDialog(QApplication.activeWindow())
                self._dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                self._dialog.destroyed.connect(self._forget_dialog)
                self._dialog.add_report(text)
                self._dialog.show()
            else:
                self._dialog.add_report(text)
            self._dialog.raise_()
            self._dialog.activateWindow()
        except Exception:
            # The dialog itself failed: the log and stderr still get the original error.
            log.exception("Could not show the crash dialog")
            print(text, file=sys.stderr)

    @Slot()
    def _forget_dialog(self) -> None:
        self._dialog = None
