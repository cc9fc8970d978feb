"""`operator-app --demo`: the embedded central service, signed in as the demo operator.

While the service starts (and, the first time, seeds its cases) a bare window says how far it
has come. Then the desk opens signed in as the demo operator, through the real sign-in API and
a real sync engine over HTTP on 127.0.0.1; File → "Sign in as the demo supervisor" (and back)
switches the session, each account with its own cache file. `shutdown()`, once the event loop
has ended, stops the engine, the service and the caches, and waits for every thread it started.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction

from i18n import formatting
from ui.bridge import ChangeRelay, TaskRunner, keep_latest
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow
from ui.paths import DataPaths
from ui.session.demo import DEMO_OPERATOR, DEMO_SUPERVISOR, DemoCancelled, EmbeddedDemo
from ui.session.desk import DeskOpener, OpenedDesk, SignInRequest
from ui.session.keyrings import KeyringChoice, memory_keyring
from ui.session.live import LiveDesk
from ui.settings import Settings

log = logging.getLogger(__name__)

DEMO_FOLDER = "demo"
# Bounds for the waits of shutdown(): a seed chunk, a sign-in, a sync cycle's requests.
START_WAIT_S = 120.0
CLOSE_WAIT_S = 60.0


class DemoMode(QObject):
    """Runs the demo: `start()` on the GUI thread, `shutdown()` after the event loop."""

    ready = Signal()  # the desk shows the demo operator's queue (or the demo could not start)

    def __init__(
        self,
        paths: DataPaths,
        settings: Settings,
        languages: LanguageSwitcher,
        *,
        keyring: KeyringChoice,
        cases: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._paths = paths
        self._settings = settings
        self._languages = languages
        self._runner = TaskRunner(self)
        self.demo = EmbeddedDemo(paths.root / DEMO_FOLDER, keyring, cases=cases)
        # The demo signs in with its passwords at every start: its sessions with a server on an
        # ephemeral port need not outlive the process.
        self._opener = DeskOpener(paths.cache_dir, memory_keyring(), device_name="demo")
        self._cancelled = threading.Event()
        self._futures: list[Future[object]] = []
        self._signing_in: Future[OpenedDesk] | None = None
        self.live: LiveDesk | None = None
        self._username = ""
        self._ready_sent = False
        self._progress: tuple[int, int] = (0, 0)
        self._failed = False
        self._synced = False
        self.switch_action: QAction | None = None

        self.waiting = MainWindow(settings, languages)
        self._progress_relay = ChangeRelay(self, merge=keep_latest)
        self._progress_relay.changed.connect(self._seed_progress)
        languages.language_changed.connect(self._retranslate)

    # --- starting -------------------------------------------------------------------------

    def start(self) -> None:
        self.waiting.show_notice(self._preparing_text)
        self.waiting.show()
        demo, relay, cancelled = self.demo, self._progress_relay, self._cancelled
        self._track(
            self._runner.run_query(
                lambda: demo.start(lambda done, total: relay.notify((done, total)), cancelled),
                self._service_started,
                self._start_failed,
                receiver=self,
            )
        )

    def _preparing_text(self) -> str:
        if self._failed:
            return self.tr("The demo could not start. The log file says why: {path}").format(
                path=str(self._paths.logs_dir)
            )
        done, total = self._progress
        if total:
            return self.tr("Preparing the demo: {done} of {total} cases created…").format(
                done=formatting.format_number(done), total=formatting.format_number(total)
            )
        return self.tr("Starting the demo service…")

    @Slot(object)
    def _seed_progress(self, progress: tuple[int, int]) -> None:
        self._progress = progress
        if self.live is None:
            self.waiting.show_notice(self._preparing_text)

    def _service_started(self, _url: str) -> None:
        self._sign_in(DEMO_OPERATOR)

    def _start_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DemoCancelled):
            return
        log.error("The demo service could not start", exc_info=exc)
        self._failed = True
        self.waiting.show_notice(self._preparing_text)
        self._send_ready()

    # --- signing in and switching ---------------------------------------------------------

    @property
    def failed(self) -> bool:
        """Whether the demo could not start (its window says so; the exit status too)."""
        return self._failed

    @property
    def username(self) -> str:
        """The demo account signed in now ("" before the first sign-in)."""
        return self._username

    @Slot()
    def switch_user(self) -> None:
        """Sign in as the other demo account."""
        if self._signing_in is not None or not self.demo.running:
            return
        # A call typed and not saved is asked about first: the window it belongs to goes.
        if self.live is not None and not self.live.window.close_call_first():
            return
        self._sign_in(DEMO_SUPERVISOR if self._username == DEMO_OPERATOR else DEMO_OPERATOR)

    def _sign_in(self, username: str) -> None:
        if self.switch_action is not None:
            self.switch_action.setEnabled(False)
        request = SignInRequest(self.demo.url, username, self.demo.password(username))
        cache = self._paths.cache_dir / f"{username}.sqlite3"
        opener = self._opener
        self._signing_in = self._runner.run_query(
            lambda: opener.open(request, cache_file=cache),
            self._signed_in,
            self._sign_in_failed,
            receiver=self,
        )

    def _signed_in(self, desk: OpenedDesk) -> None:
        self._signing_in = None
        previous = self.live
        # A call typed (or being saved) since the switch was asked for keeps its window: the
        # switch is dropped, the desk just opened closed again.
        if previous is not None and not previous.window.close_call_first():
            if self.switch_action is not None:
                self.switch_action.setEnabled(True)
            self._track(self._runner.run_query(lambda: desk.close(sign_out=True)))
            log.info("Switching demo accounts was dropped: a call is not saved")
            return
        live = LiveDesk(desk, self._settings, self._languages, self)
        self._username = desk.operator.username
        self.live = live
        self.switch_action = QAction(live.window)
        self.switch_action.setObjectName("DemoSwitchUser")
        self.switch_action.triggered.connect(self.switch_user)
        live.window.add_session_actions([self.switch_action])
        self._retranslate()
        self._synced = live.first_sync is None
        live.window.queue.model.snapshot_applied.connect(self._check_ready)
        live.first_sync_finished.connect(self._first_sync_finished)
        live.start()
        if previous is None:
            self.waiting.close()
            self.waiting.deleteLater()
        else:
            previous.close_window()
            old = previous.desk
            self._track(self._runner.run_query(lambda: old.close(sign_out=True)))
        log.info("The demo desk is signed in as %s", desk.operator.id)

    def _sign_in_failed(self, exc: BaseException) -> None:
        self._signing_in = None
        log.error("Signing in to the demo service failed", exc_info=exc)
        if self.live is None:
            self._failed = True
            self.waiting.show_notice(self._preparing_text)
            self._send_ready()
        else:
            # The operator asked for it: say it did not happen (the desk stays as it was).
            self.live.window.show_notice(self._switch_failed_text)
            if self.switch_action is not None:
                self.switch_action.setEnabled(True)

    def _switch_failed_text(self) -> str:
        return self.tr(
            "Signing in as the other demo account failed. The log file says why: {path}"
        ).format(path=str(self._paths.logs_dir))

    @Slot()
    def _retranslate(self) -> None:
        if self.switch_action is None:
            return
        if self._username == DEMO_SUPERVISOR:
            self.switch_action.setText(self.tr("Sign in as the demo &operator"))
        else:
            self.switch_action.setText(self.tr("Sign in as the demo &supervisor"))

    @Slot()
    def _first_sync_finished(self) -> None:
        self._synced = True
        if self.live is not None and not self._ready_sent:
            self.live.window.queue.model.refresh()  # ready once the queue shows it all

    @Slot()
    def _check_ready(self) -> None:
        live = self.live
        if self._ready_sent or live is None or not self._synced:
            return
        rows = live.window.queue.model.rowCount()
        log.info("The demo desk is ready: its queue shows %d cases", rows)
        self._send_ready()

    def _send_ready(self) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()

    # --- stopping -------------------------------------------------------------------------

    def _track(self, future: Future[object]) -> None:
        self._futures.append(future)

    def shutdown(self) -> None:
        """After the event loop: stop everything, waiting for the threads (bounded)."""
        self._cancelled.set()
        signing_in, self._signing_in = self._signing_in, None
        if self.live is not None:
            self.live.close()
        if signing_in is not None:
            try:
                desk = signing_in.result(START_WAIT_S)
            except FutureTimeout:
                log.error("A demo sign-in did not finish in time")
            except Exception:  # failed: nothing was opened
                pass
            else:
                desk.close()
        for future in self._futures:
            try:
                future.result(START_WAIT_S)
            except FutureTimeout:
                log.error("Demo work did not finish in time")
            except Exception:  # already reported through its callback
                pass
        self.demo.stop()
        self._runner.shutdown()
