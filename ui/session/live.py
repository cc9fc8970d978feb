"""An opened desk on screen: its main window, task runner, first-sync progress and
assignment notifications, and the sync engine running; `close()` takes it all down in order."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from sync.link import ServerLink
from sync.supervisor import SupervisorApi
from ui.bridge import ChangeRelay, TaskRunner, keep_latest
from ui.context import DeskContext, system_clock
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow
from ui.session.assignments import AssignmentWatch
from ui.session.desk import OpenedDesk
from ui.session.first_sync import FirstSyncProgress
from ui.settings import Settings

log = logging.getLogger(__name__)


class LiveDesk(QObject):
    """Shows one `OpenedDesk` in a `MainWindow` and starts its sync engine."""

    first_sync_finished = Signal()

    def __init__(
        self,
        desk: OpenedDesk,
        settings: Settings,
        languages: LanguageSwitcher,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = TaskRunner(self)
        self.context = DeskContext(
            desk.store,
            self.runner,
            desk.actor,
            settings,
            status_board=desk.status_board,
            display_name=desk.operator.display_name,
            lookup_registry=desk.lookup_registry,
            supervisor_api=SupervisorApi(ServerLink(desk.client, desk.credentials, system_clock)),
        )
        self.window = MainWindow(settings, languages, context=self.context)
        self._unsubscribe: list[Callable[[], None]] = []
        self._closed = False

        self.assignments = AssignmentWatch(desk.store, self.runner, desk.operator.id, self)
        self.assignments.assigned.connect(self.window.notify_assigned)

        self.first_sync: FirstSyncProgress | None = None
        if desk.first_sync:
            relay = ChangeRelay(self, merge=keep_latest)
            relay.changed.connect(self._first_sync_progress)
            self.first_sync = FirstSyncProgress(lambda done, total: relay.notify((done, total)))
            self._unsubscribe.append(desk.store.subscribe(self.first_sync.on_changes))
            self._unsubscribe.append(desk.engine.subscribe_pages(self.first_sync.on_page))
        else:
            self.assignments.take_baseline()

    def start(self) -> None:
        """Show the window and start syncing."""
        self.window.show()
        if not self.desk.credentials.keyring_available:
            # Loud, never silent: the sign-in lives in memory only and offline unlock is gone.
            log.warning("No usable OS keyring: this sign-in is kept in memory only")
            self.window.show_notice(self.no_keyring_text)
        self.desk.engine.start()

    def no_keyring_text(self) -> str:
        return self.tr(
            "This computer has no usable keyring: your sign-in is kept only until the desk "
            "closes, and working offline will not be possible. Ask your administrator."
        )

    @Slot(object)
    def _first_sync_progress(self, progress: tuple[int, int]) -> None:
        if self._closed:
            return
        done, total = progress
        self.window.set_first_sync_progress(done, total)
        if done >= total:
            self.assignments.take_baseline()
            self.first_sync_finished.emit()

    def close_window(self) -> None:
        """GUI thread: close the window and stop everything that feeds it (quick)."""
        if self._closed:
            return
        self._closed = True
        for unsubscribe in self._unsubscribe:
            with contextlib.suppress(ValueError):  # the store forgot its subscribers already
                unsubscribe()
        self._unsubscribe.clear()
        self.assignments.stop()
        if self.window.isVisible():
            self.window.close()
        self.runner.shutdown()  # waits for queued local saves: a save is never dropped
        self.window.deleteLater()

    def close(self, *, sign_out: bool = False) -> None:
        """Close the window, then stop the engine and close the cache (blocking)."""
        self.close_window()
        self.desk.close(sign_out=sign_out)
