"""The crash hook: logged, shown on the GUI thread, copyable, translatable, never silent."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from types import TracebackType

import pytest
from PySide6.QtCore import QThread
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.a11y import assert_accessible, assert_tab_order
from ui.crash import CrashDialog, CrashReporter
from ui.language import LanguageSwitcher

WAIT_MS = 5000


@pytest.fixture
def reporter(qapp: QApplication) -> Iterator[CrashReporter]:
    crash = CrashReporter()
    crash.install()
    yield crash
    crash.uninstall()
    if crash.dialog is not None:
        crash.dialog.close()


def _exc_info(message: str) -> tuple[type[BaseException], BaseException, TracebackType | None]:
    try:
        raise ValueError(message)
    except ValueError:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None and exc is not None
        return exc_type, exc, tb


def test_a_worker_thread_exception_opens_the_dialog_on_the_gui_thread(
    qtbot: QtBot, qapp: QApplication, reporter: CrashReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown_on: list[QThread] = []
    original = CrashDialog.add_report

    def spy(self: CrashDialog, text: str) -> None:
        shown_on.append(QThread.currentThread())
        original(self, text)

    monkeypatch.setattr(CrashDialog, "add_report", spy)

    def work() -> None:
        raise ValueError("the worker broke")

    worker = threading.Thread(target=work, name="desk-test-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(
        lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = reporter.dialog
    assert dialog is not None
    assert shown_on == [qapp.thread()]
    assert "ValueError: the worker broke" in dialog.details
    assert "in work" in dialog.details  # the traceback, not just the message

    dialog.close()  # closing deletes it; the next error opens a fresh one
    qtbot.waitUntil(lambda: reporter.dialog is None, timeout=WAIT_MS)


def test_an_exception_on_the_gui_thread_shows_at_once(reporter: CrashReporter) -> None:
    sys.excepthook(*_exc_info("in a slot"))
    assert reporter.dialog is not None and reporter.dialog.isVisible()
    assert "in a slot" in reporter.dialog.details


def test_later_errors_join_the_open_dialog(
    reporter: CrashReporter, languages: LanguageSwitcher
) -> None:
    languages.switch("en")
    reporter.excepthook(*_exc_info("first"))
    first_dialog = reporter.dialog
    reporter.excepthook(*_exc_info("second"))
    assert reporter.dialog is first_dialog
    assert first_dialog is not None and first_dialog.report_count == 2
    assert "first" in first_dialog.details and "second" in first_dialog.details
    assert first_dialog.heading == "2 unexpected errors occurred."


def test_the_exception_is_logged_with_its_traceback(
    reporter: CrashReporter, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="ui.crash"):
        reporter.excepthook(*_exc_info("logged"))
    (record,) = caplog.records
    assert record.exc_info is not None and str(record.exc_info[1]) == "logged"


def test_copy_puts_the_details_on_the_clipboard(reporter: CrashReporter) -> None:
    reporter.excepthook(*_exc_info("copy me"))
    assert reporter.dialog is not None
    copy = next(b for b in reporter.dialog.findChildren(QPushButton) if "Copy" in b.text())
    copy.click()
    assert "ValueError: copy me" in QGuiApplication.clipboard().text()


def test_keyboard_interrupt_goes_to_the_previous_hook(qapp: QApplication) -> None:
    seen: list[type[BaseException]] = []
    saved = sys.excepthook
    sys.excepthook = lambda t, e, tb: seen.append(t)
    crash = CrashReporter()
    crash.install()
    try:
        sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    finally:
        crash.uninstall()
        restored = sys.excepthook
        sys.excepthook = saved
    assert seen == [KeyboardInterrupt]
    assert crash.dialog is None
    assert restored is not crash.excepthook


def test_install_and_uninstall_restore_both_hooks(qapp: QApplication) -> None:
    before = (sys.excepthook, threading.excepthook)
    crash = CrashReporter()
    crash.install()
    assert sys.excepthook == crash.excepthook
    assert threading.excepthook == crash.thread_excepthook
    crash.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_the_dialog_is_translated_accessible_and_tab_ordered(
    qtbot: QtBot, languages: LanguageSwitcher
) -> None:
    languages.switch("mn")
    dialog = CrashDialog()
    qtbot.addWidget(dialog)
    dialog.add_report("Traceback: ...")
    assert dialog.windowTitle() == "Гэнэтийн алдаа"
    checked = assert_accessible(dialog)
    details = dialog.findChild(QPlainTextEdit)
    copy = next(b for b in dialog.findChildren(QPushButton) if "хуулах" in b.text())
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    assert {details, copy, close} <= set(checked)
    assert_tab_order(dialog, [details, copy, close])
