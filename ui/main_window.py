"""The main window: menus, status bar and, for now, a placeholder where the queue will go."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QWidget

from i18n.languages import LANGUAGES
from ui.language import LanguageSwitcher
from ui.retranslate import Retranslatable
from ui.settings import LANGUAGE, WINDOW_GEOMETRY, WINDOW_STATE, Settings

DISTRIBUTION = "operator-desk"


def desk_version() -> str:
    """The installed distribution's version."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"  # running from a bare source tree


class MainWindow(Retranslatable, QMainWindow):
    """The desk's main window."""

    def __init__(
        self, settings: Settings, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")  # saveState() needs object names
        self._settings = settings
        self._languages = languages
        self._notice: Callable[[], str] | None = None
        self._about_box: QMessageBox | None = None

        self._placeholder = QLabel(self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)
        self.setCentralWidget(self._placeholder)

        self._build_menus()
        self.statusBar().setObjectName("StatusBar")
        languages.language_changed.connect(self._check_language_action)
        self._check_language_action(languages.language)
        self._restore_geometry()
        self.retranslate_ui()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._file_menu = QMenu(self)
        self._quit_action = QAction(self)
        self._quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self._quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self._quit_action.triggered.connect(self.close)
        self._file_menu.addAction(self._quit_action)

        self._view_menu = QMenu(self)
        self._status_bar_action = QAction(self)
        self._status_bar_action.setCheckable(True)
        self._status_bar_action.setChecked(True)
        self._status_bar_action.toggled.connect(self._toggle_status_bar)
        self._full_screen_action = QAction(self)
        self._full_screen_action.setCheckable(True)
        self._full_screen_action.setShortcut(QKeySequence.StandardKey.FullScreen)
        self._full_screen_action.toggled.connect(self._toggle_full_screen)
        self._view_menu.addActions([self._status_bar_action, self._full_screen_action])

        self._language_menu = QMenu(self)
        self._language_group = QActionGroup(self)
        self._language_group.setExclusive(True)
        self._language_actions: dict[str, QAction] = {}
        for lang in LANGUAGES:
            # A language is named in itself, never translated: whoever cannot read the current
            # language must still find their own in this menu.
            action = QAction(lang.endonym, self._language_group)
            action.setCheckable(True)
            action.setData(lang.code)
            action.triggered.connect(self._choose_language)
            self._language_menu.addAction(action)
            self._language_actions[lang.code] = action

        self._help_menu = QMenu(self)
        self._about_action = QAction(self)
        self._about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self._about_action.triggered.connect(self.show_about)
        self._help_menu.addAction(self._about_action)

        for menu in (self._file_menu, self._view_menu, self._language_menu, self._help_menu):
            bar.addMenu(menu)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Operator desk"))
        self._file_menu.setTitle(self.tr("&File"))
        self._quit_action.setText(self.tr("&Quit"))
        self._view_menu.setTitle(self.tr("&View", "menu"))
        self._status_bar_action.setText(self.tr("&Status bar"))
        self._full_screen_action.setText(self.tr("&Full screen"))
        self._language_menu.setTitle(self.tr("&Language"))
        self._help_menu.setTitle(self.tr("&Help"))
        self._about_action.setText(self.tr("&About Operator desk"))
        self._placeholder.setText(self.tr("The case queue will appear here."))
        self._placeholder.setAccessibleName(self.tr("Case queue"))
        if self._notice is not None:
            self.statusBar().showMessage(self._notice())
        else:
            self.statusBar().showMessage(self.tr("Ready"))
        if self._about_box is not None:
            self._retranslate_about(self._about_box)

    def show_notice(self, make_text: Callable[[], str]) -> None:
        """Keep a message in the status bar; `make_text` is asked again on a language change."""
        self._notice = make_text
        self.statusBar().showMessage(make_text())

    def demo_not_built_notice(self) -> str:
        return self.tr("Demo mode: the embedded demo service is not built yet.")

    def server_not_built_notice(self, url: str) -> Callable[[], str]:
        return lambda: self.tr("Connecting to {url} is not built yet.").format(url=url)

    @Slot()
    def show_about(self) -> None:
        if self._about_box is None:
            self._about_box = QMessageBox(self)
            self._about_box.setIcon(QMessageBox.Icon.Information)
            self._about_box.setStandardButtons(QMessageBox.StandardButton.Close)
        self._retranslate_about(self._about_box)
        self._about_box.open()  # window-modal but not blocking

    def _retranslate_about(self, box: QMessageBox) -> None:
        box.setWindowTitle(self.tr("About Operator desk"))
        box.setText(self.tr("Operator desk {version}").format(version=desk_version()))
        box.setInformativeText(
            self.tr(
                "The desk of the operators of the unified citizen call centre: calls and "
                "cases, saved on this computer first and synced with the central service."
            )
        )

    @Slot()
    def _choose_language(self) -> None:
        action = self.sender()
        if not isinstance(action, QAction):
            return
        code = str(action.data())
        self._languages.switch(code)
        self._settings.set(LANGUAGE, code)

    @Slot(str)
    def _check_language_action(self, code: str) -> None:
        action = self._language_actions.get(code)
        if action is not None:
            action.setChecked(True)

    @Slot(bool)
    def _toggle_status_bar(self, visible: bool) -> None:
        self.statusBar().setVisible(visible)

    @Slot(bool)
    def _toggle_full_screen(self, on: bool) -> None:
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def _restore_geometry(self) -> None:
        geometry = self._settings.get(WINDOW_GEOMETRY)
        if not geometry or not self.restoreGeometry(QByteArray(geometry)):
            self.resize(1100, 720)
        state = self._settings.get(WINDOW_STATE)
        if state:
            self.restoreState(QByteArray(state))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._settings.set(WINDOW_GEOMETRY, self.saveGeometry().data())
        self._settings.set(WINDOW_STATE, self.saveState().data())
        super().closeEvent(event)
