"""The main window: menus, the queues on the left, the queue, the case, and the sync status.

Without a `DeskContext` (no store yet: before sign-in, or in the bare shell) it shows a
placeholder where the desk will be.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QByteArray, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QSplitter, QWidget

from i18n.languages import LANGUAGES
from operator_app.store import Changes
from sync.status import SyncStatus
from ui.bridge import ChangeRelay, keep_latest
from ui.call_flow import CallFlowDialog
from ui.case_view import CaseView
from ui.context import DeskContext
from ui.directory_names import DirectoryNames
from ui.language import LanguageSwitcher
from ui.navigation import SUPERVISOR_PAGES, NavigationList, NavTarget, base_filter
from ui.notifications import AssignedCase, Notifier
from ui.queue.filter_bar import OPEN
from ui.queue.panel import QueuePanel
from ui.retranslate import Retranslatable
from ui.settings import (
    DESK_SPLITTER,
    LANGUAGE,
    QUEUE_NAVIGATION,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    Settings,
)
from ui.store_events import StoreEvents
from ui.supervisor.availability import availability_control_for
from ui.supervisor.desk import SupervisorDesk, is_supervisor
from ui.supervisor.menu import SupervisorMenu, selected_rids
from ui.sync_status import SyncStatusWidget

DISTRIBUTION = "operator-desk"
DIRECTORY_TYPES = frozenset({"centre", "team", "operator"})
log = logging.getLogger(__name__)


def desk_version() -> str:
    """The installed distribution's version."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"  # running from a bare source tree


class MainWindow(Retranslatable, QMainWindow):
    """The desk's main window."""

    def __init__(
        self,
        settings: Settings,
        languages: LanguageSwitcher,
        parent: QWidget | None = None,
        *,
        context: DeskContext | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")  # saveState() needs object names
        self._settings = settings
        self._languages = languages
        self._context = context
        self._notice: Callable[[], str] | None = None
        self._about_box: QMessageBox | None = None
        self._call_dialog: CallFlowDialog | None = None
        self._names = DirectoryNames()
        self._directory_seq = 0

        self._placeholder: QLabel | None = None
        if context is None:
            self._placeholder = QLabel(self)
            self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._placeholder.setWordWrap(True)
            self.setCentralWidget(self._placeholder)
        else:
            self._build_desk(context)

        self._build_menus()
        self.statusBar().setObjectName("StatusBar")
        languages.language_changed.connect(self._check_language_action)
        self._check_language_action(languages.language)
        self._restore_geometry()
        self.retranslate_ui()
        if context is not None:
            self._start(context)

    # -- the desk ------------------------------------------------------------------------------

    def _build_desk(self, context: DeskContext) -> None:
        self.navigation = NavigationList(context.actor, self)
        self.queue = QueuePanel(context, self)
        self.case_view = CaseView(context, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("DeskSplitter")
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.queue)
        self.splitter.addWidget(self.case_view)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        # The supervisor's pages take the queue's place when chosen (ui/supervisor).
        self.supervisor: SupervisorDesk | None = None
        if is_supervisor(context):
            self.supervisor = SupervisorDesk(context, self)
            self.supervisor.hide()
            self.supervisor.case_activated.connect(self.open_case)
            self.splitter.insertWidget(2, self.supervisor)
        self.availability = availability_control_for(context, self)
        if self.availability is not None:
            self.statusBar().addPermanentWidget(self.availability)
        self.sync_status = SyncStatusWidget(self)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.notifier = Notifier(self)
        self.notifier.case_clicked.connect(self.open_case)
        self.notifier.shown.connect(self._notification_shown)

        self.store_events = StoreEvents(context.store, self)
        self.store_events.changed.connect(self._on_store_changed)
        self._status_relay = ChangeRelay(self, merge=keep_latest)
        self._status_relay.changed.connect(self.sync_status.set_status)
        self._unsubscribe_status: Callable[[], None] | None = None
        if context.status_board is not None:
            self._unsubscribe_status = context.status_board.subscribe(self._status_relay.notify)

        self.navigation.chosen.connect(self._navigate)
        self.queue.current_case_changed.connect(self._current_case_changed)
        self.queue.case_activated.connect(self.open_case)
        self.setTabOrder(self.navigation, self.queue.filter_bar.search)

    def _start(self, context: DeskContext) -> None:
        state = self._settings.get(DESK_SPLITTER)
        if not state or not self.splitter.restoreState(QByteArray(state)):
            self.splitter.setSizes([170, 640, 440])
        try:
            target = NavTarget(self._settings.get(QUEUE_NAVIGATION))
        except ValueError:
            target = NavTarget.MY_CASES
        if target not in self.navigation.targets():
            target = NavTarget.MY_CASES
        self.navigation.blockSignals(True)
        self.navigation.choose(target)
        self.navigation.blockSignals(False)
        self._navigate(target.value)
        self._load_directory()
        if context.status_board is not None:
            self.sync_status.set_status(context.status_board.current)
        else:
            self._count_pending()

    @Slot(str)
    def _navigate(self, value: str) -> None:
        assert self._context is not None
        target = NavTarget(value)
        self._settings.set(QUEUE_NAVIGATION, target.value)
        if self._show_supervisor_page(target):
            return
        if target in (NavTarget.SEARCH, NavTarget.INBOX):
            # Searching and deciding look at closed cases too.
            self.queue.filter_bar.set_status_choice("")
        else:
            self.queue.filter_bar.set_status_choice(OPEN)
        self.queue.set_base_filter(base_filter(target, self._context.actor))
        if target is NavTarget.SEARCH:
            self.queue.focus_search()

    def _show_supervisor_page(self, target: NavTarget) -> bool:
        """Show the workload board or deadline watch in the queue's place (True), or the queue."""
        if self.supervisor is None:
            return False
        showing = target in SUPERVISOR_PAGES
        if showing == self.supervisor.isVisibleTo(self):
            if showing:
                self._choose_supervisor_page(target)
            return showing
        sizes = self.splitter.sizes()
        queue_at = self.splitter.indexOf(self.queue)
        page_at = self.splitter.indexOf(self.supervisor)
        width = max(sizes[queue_at], sizes[page_at])
        self.queue.setVisible(not showing)
        if showing:
            self._choose_supervisor_page(target)
        else:
            self.supervisor.hide()
        sizes[queue_at], sizes[page_at] = (0, width) if showing else (width, 0)
        self.splitter.setSizes(sizes)
        return showing

    def _choose_supervisor_page(self, target: NavTarget) -> None:
        assert self.supervisor is not None
        if target is NavTarget.WORKLOAD:
            self.supervisor.show_workload()
        else:
            self.supervisor.show_deadlines()

    @Slot(str)
    def _current_case_changed(self, case_id: str) -> None:
        # A queue emptied under the case (a refresh, a new filter) leaves the case shown.
        if case_id:
            self.case_view.show_case(case_id)

    @Slot(str)
    def open_case(self, case_id: str) -> None:
        """Show this case in the case view, and bring the window forward."""
        if self._context is None or not case_id:
            return
        self.case_view.show_case(case_id)
        self.case_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _load_directory(self) -> None:
        assert self._context is not None
        self._directory_seq += 1
        seq, store = self._directory_seq, self._context.store
        self._context.runner.run_query(
            store.directory,
            lambda directory: self._directory_loaded(seq, DirectoryNames(directory)),
            lambda exc: log.warning("Loading the directory failed: %s", exc),
            receiver=self,
        )

    def _directory_loaded(self, seq: int, names: DirectoryNames) -> None:
        if seq != self._directory_seq:
            return
        self._names = names
        self.queue.set_names(names)
        self.case_view.set_names(names)

    def _count_pending(self) -> None:
        assert self._context is not None
        store = self._context.store
        self._context.runner.run_query(
            store.pending_count, self.sync_status.set_local_pending, receiver=self
        )

    @Slot(object)
    def _on_store_changed(self, changes: Changes) -> None:
        self.queue.on_store_changed(changes)
        self.case_view.on_store_changed(changes)
        if changes.reference & DIRECTORY_TYPES:
            self._load_directory()
        if changes.outbox and self._context is not None and self._context.status_board is None:
            self._count_pending()

    # -- what the sync wiring calls --------------------------------------------------------------

    def set_sync_status(self, status: SyncStatus) -> None:
        """Show a sync status snapshot (any thread may call `status_relay` instead)."""
        self._status_relay.notify(status)

    @property
    def status_relay(self) -> ChangeRelay:
        """A thread-safe callback for `StatusBoard.subscribe`."""
        return self._status_relay

    def set_first_sync_progress(self, done: int, total: int) -> None:
        """Progress of a first sync: cases received of all expected (GUI thread)."""
        if self._context is not None:
            self.sync_status.set_first_sync_progress(done, total)

    def notify_assigned(self, cases: Sequence[AssignedCase]) -> None:
        """A desktop notification for cases newly assigned to the operator (GUI thread)."""
        if self._context is not None:
            self.notifier.notify_assigned(cases)

    @Slot(str, str)
    def _notification_shown(self, title: str, text: str) -> None:
        if not self.notifier.has_tray:
            self.statusBar().showMessage(f"{title}: {text}", 15000)

    # -- calls ---------------------------------------------------------------------------------

    @Slot()
    def new_call(self) -> CallFlowDialog | None:
        """Open the call flow (F2, Ctrl+N); an unsaved call already open comes forward."""
        if self._context is None:
            return None
        dialog = self.call_dialog
        if dialog is not None and dialog.isVisible() and not dialog.is_saved:
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = CallFlowDialog(self._context, self._names, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Closed, it is deleted: forget it then (only this one: the next may be open by then).
        dialog.destroyed.connect(lambda _obj=None, gone=dialog: self._forget_call_dialog(gone))
        dialog.open_case.connect(self.open_case)
        dialog.next_call.connect(self.new_call, Qt.ConnectionType.QueuedConnection)
        dialog.saved.connect(lambda saved: self.open_case(saved.case_id))
        self._call_dialog = dialog
        dialog.show()
        return dialog

    @property
    def call_dialog(self) -> CallFlowDialog | None:
        """The call dialog last opened, while it exists (a closed one is deleted)."""
        dialog = self._call_dialog
        if dialog is not None and not shiboken6.isValid(dialog):
            self._call_dialog = dialog = None
        return dialog

    def _forget_call_dialog(self, dialog: CallFlowDialog) -> None:
        if self._call_dialog is dialog:
            self._call_dialog = None

    def close_call_first(self) -> bool:
        """Whether no call is left unsaved: one typed and not saved is asked to close first
        (the operator may keep it), one being saved stays until its number shows."""
        dialog = self.call_dialog
        if dialog is None or not dialog.isVisible() or not dialog.is_dirty():
            return True
        dialog.raise_()
        dialog.activateWindow()
        return dialog.close()

    # -- menus ---------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._file_menu = QMenu(self)
        self._quit_action = QAction(self)
        self._quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self._quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self._quit_action.triggered.connect(self.close)
        self._file_menu.addAction(self._quit_action)

        self._case_menu: QMenu | None = None
        if self._context is not None:
            self._build_case_menu()
        self.supervisor_menu: SupervisorMenu | None = None
        if self._context is not None and self.supervisor is not None:
            self.supervisor_menu = SupervisorMenu(
                self.supervisor,
                lambda: selected_rids(self.queue.view, self.queue.model.rid_at),
                lambda: self.case_view.case_id,
                lambda page: self.navigation.choose(NavTarget(page)),
                self,
            )

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

        menus = [self._file_menu, self._view_menu, self._language_menu, self._help_menu]
        if self._case_menu is not None:
            menus.insert(1, self._case_menu)
        if self.supervisor_menu is not None:
            menus.insert(2, self.supervisor_menu)
        for menu in menus:
            bar.addMenu(menu)

    def _build_case_menu(self) -> None:
        self._case_menu = QMenu(self)
        # F-keys first: Ctrl+letter shortcuts fail under some Cyrillic keyboard layouts.
        self.new_call_action = self._window_action(("F2", "Ctrl+N"), self.new_call)
        self.find_action = self._window_action(("F3", "Ctrl+K"), self.queue.focus_search)
        self.refresh_action = self._window_action(("F5",), self.queue.model.refresh)
        self._case_menu.addActions([self.new_call_action, self.find_action, self.refresh_action])
        self._case_menu.addSeparator()
        self._case_menu.addActions(self.case_view.actions_for_menu())

    def _window_action(self, keys: tuple[str, ...], slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

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
        if self._placeholder is not None:
            self._placeholder.setText(self.tr("The case queue will appear here."))
            self._placeholder.setAccessibleName(self.tr("Case queue"))
        if self._case_menu is not None:
            self._case_menu.setTitle(self.tr("&Case"))
            self.new_call_action.setText(self.tr("&New call (F2)"))
            self.find_action.setText(self.tr("&Find (F3, Ctrl+K)"))
            self.refresh_action.setText(self.tr("&Refresh the queue (F5)"))
        if self._notice is not None:
            self.statusBar().showMessage(self._notice())
        else:
            self.statusBar().showMessage(self.tr("Ready"))
        if self._about_box is not None:
            self._retranslate_about(self._about_box)

    def add_session_actions(self, actions: Sequence[QAction]) -> None:
        """Put entries that change who is signed in (the demo's) in the File menu, above Quit;
        their owner sets and translates their text."""
        self._file_menu.insertActions(self._quit_action, list(actions))
        self._file_menu.insertSeparator(self._quit_action)

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
            self.resize(1280, 780 if self._context is not None else 720)
        state = self._settings.get(WINDOW_STATE)
        if state:
            self.restoreState(QByteArray(state))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_call_first():
            event.ignore()  # the desk stays as it is: nothing has been stopped yet
            return
        self._settings.set(WINDOW_GEOMETRY, self.saveGeometry().data())
        self._settings.set(WINDOW_STATE, self.saveState().data())
        if self._context is not None:
            self._settings.set(DESK_SPLITTER, self.splitter.saveState().data())
            self.queue.view.save_widths()
            self.queue.stop()
            self.case_view.stop()
            if self.supervisor is not None:
                self.supervisor.stop()
            self.store_events.close()
            if self._unsubscribe_status is not None:
                self._unsubscribe_status()
                self._unsubscribe_status = None
        super().closeEvent(event)
