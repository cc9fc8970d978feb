"""Run-time language switching: our catalogs, Qt's own strings, locale and plural forms."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from i18n import formatting
from ui.crash import CrashDialog
from ui.language import LanguageSwitcher
from ui.retranslate import Retranslatable

Std = QDialogButtonBox.StandardButton


def _plain(text: str) -> str:
    """A menu or button text without its mnemonic and shortcut."""
    return text.split("\t")[0].replace("&", "")


def test_a_live_widget_follows_every_switch(qtbot: QtBot, languages: LanguageSwitcher) -> None:
    languages.switch("mn")
    dialog = CrashDialog()
    qtbot.addWidget(dialog)
    close = dialog.findChild(QDialogButtonBox).button(Std.Close)
    assert dialog.windowTitle() == "Гэнэтийн алдаа"
    assert close.text() == "Хаах"

    languages.switch("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Unexpected error", timeout=2000)
    assert close.text() == "Close"

    languages.switch("mn")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Гэнэтийн алдаа", timeout=2000)
    assert close.text() == "Хаах"
    assert dialog.findChild(QDialogButtonBox).button(Std.Close) is close  # same widget throughout


def test_the_mixin_calls_retranslate_ui_on_language_change(qtbot: QtBot) -> None:
    class Greeting(Retranslatable, QLabel):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0
            self.retranslate_ui()

        def retranslate_ui(self) -> None:
            self.calls += 1

    widget = Greeting()
    qtbot.addWidget(widget)
    QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))
    assert widget.calls == 2


def test_a_widget_without_retranslate_ui_fails_loudly(qtbot: QtBot) -> None:
    class Forgetful(Retranslatable, QWidget):
        pass

    widget = Forgetful()
    qtbot.addWidget(widget)
    with pytest.raises(NotImplementedError):
        widget.retranslate_ui()


def test_standard_dialog_buttons_speak_mongolian(qtbot: QtBot, languages: LanguageSwitcher) -> None:
    languages.switch("mn")
    buttons = QDialogButtonBox(
        Std.Ok | Std.Cancel | Std.Yes | Std.No | Std.Save | Std.Close | Std.Apply | Std.Help
    )
    qtbot.addWidget(buttons)
    texts = {b: _plain(buttons.button(b).text()) for b in (Std.Ok, Std.Cancel, Std.Yes, Std.No)}
    assert texts == {Std.Ok: "За", Std.Cancel: "Болих", Std.Yes: "Тийм", Std.No: "Үгүй"}
    assert _plain(buttons.button(Std.Save).text()) == "Хадгалах"
    assert _plain(buttons.button(Std.Close).text()) == "Хаах"

    languages.switch("en")
    qtbot.waitUntil(lambda: _plain(buttons.button(Std.Ok).text()) == "OK", timeout=2000)
    assert _plain(buttons.button(Std.Cancel).text()) == "Cancel"


def test_text_context_menus_speak_mongolian(qtbot: QtBot, languages: LanguageSwitcher) -> None:
    languages.switch("mn")
    edit = QLineEdit("текст")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    texts = [_plain(a.text()) for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Буцаах",
        "Дахин хийх",
        "Хайчлах",
        "Хуулах",
        "Буулгах",
        "Устгах",
        "Бүгдийг сонгох",
    ]


def test_message_box_details_button_speaks_mongolian(
    qtbot: QtBot, languages: LanguageSwitcher
) -> None:
    languages.switch("mn")
    box = QMessageBox()
    qtbot.addWidget(box)
    box.setText("x")
    box.setDetailedText("y")
    box.show()
    texts = [_plain(b.text()) for b in box.buttons()]
    assert "Дэлгэрэнгүйг харах..." in texts


def test_plural_forms(languages: LanguageSwitcher) -> None:
    def errors(n: int) -> str:
        return QCoreApplication.translate("CrashDialog", "%n unexpected error(s) occurred.", "", n)

    languages.switch("en")
    assert errors(1) == "1 unexpected error occurred."
    assert errors(3) == "3 unexpected errors occurred."
    languages.switch("mn")
    assert errors(1) == "1 гэнэтийн алдаа гарлаа."
    assert errors(3) == "3 гэнэтийн алдаа гарлаа."


def test_a_switch_sets_the_locales_and_announces_itself(
    qtbot: QtBot, languages: LanguageSwitcher
) -> None:
    languages.switch("mn")
    assert languages.language == "mn"
    assert QLocale().language() == QLocale.Language.Mongolian
    assert formatting.current_locale() == "mn"
    with qtbot.waitSignal(languages.language_changed, timeout=1000) as blocker:
        languages.switch("en")
    assert blocker.args == ["en"]
    assert QLocale().language() == QLocale.Language.English
    assert formatting.current_locale() == "en"


def test_an_unknown_language_is_refused_and_changes_nothing(languages: LanguageSwitcher) -> None:
    languages.switch("mn")
    with pytest.raises(ValueError):
        languages.switch("fr")
    assert languages.language == "mn"
    assert QCoreApplication.translate("MainWindow", "Ready") == "Бэлэн"


def test_uninstall_leaves_qt_untranslated(languages: LanguageSwitcher) -> None:
    languages.switch("mn")
    languages.uninstall()
    assert QCoreApplication.translate("MainWindow", "Ready") == "Ready"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
