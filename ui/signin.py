"""The sign-in dialog: server address, user name, password; or work offline on this desk's cache.

The sign-in itself (the network, the keyring, opening the cache) runs on the task runner's
query pool; the dialog only shows what it is doing and, when it fails, says why in a sentence
the operator can act on. It remembers the last server and user name (never the password).
"Work offline" is offered when this desk has a cache and an offline-unlock record for the user.
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import Future

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sync.http import normalize_server_url
from ui.bridge import TaskRunner
from ui.retranslate import Retranslatable
from ui.session.desk import DeskOpener, OpenedDesk, SignInError, SignInFailure, SignInRequest
from ui.settings import LAST_USERNAME, SERVER_URL, Settings
from ui.widgets.error_label import FieldErrorLabel

log = logging.getLogger(__name__)

OFFLINE_CHECK_DELAY_MS = 300


class SignInDialog(Retranslatable, QDialog):
    """Emits `signed_in(OpenedDesk)` and accepts once a desk is open; rejecting quits."""

    signed_in = Signal(object)

    def __init__(
        self,
        opener: DeskOpener,
        runner: TaskRunner,
        settings: Settings,
        *,
        server_url: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignInDialog")
        self._opener = opener
        self._runner = runner
        self._settings = settings
        self._busy = False
        self._abandoned = False
        self._failure: SignInError | None = None
        self._offline_seq = 0
        self._offline_possible = False
        self._pending: Future[OpenedDesk] | None = None
        # A desk that arrived after the dialog was abandoned, and its close on the runner.
        self._leftover: tuple[OpenedDesk, Future[None]] | None = None

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.server = QLineEdit(self)
        self.server.setObjectName("SignInServer")
        self.server.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.username = QLineEdit(self)
        self.username.setObjectName("SignInUser")
        self.password = QLineEdit(self)
        self.password.setObjectName("SignInPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.server_label = QLabel(self)
        self.server_label.setBuddy(self.server)
        self.username_label = QLabel(self)
        self.username_label.setBuddy(self.username)
        self.password_label = QLabel(self)
        self.password_label.setBuddy(self.password)
        self.error = FieldErrorLabel(self.password, self)
        self.error.setObjectName("SignInError")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.state = QLabel(self)
        self.state.setObjectName("SignInState")
        self.state.setWordWrap(True)

        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setObjectName("SignInButton")
        self.sign_in_button.setDefault(True)
        self.offline_button = QPushButton(self)
        self.offline_button.setObjectName("WorkOfflineButton")
        self.offline_button.setEnabled(False)
        self.quit_button = QPushButton(self)
        self.quit_button.setObjectName("SignInQuit")
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.offline_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)

        form = QFormLayout()
        form.addRow(self.server_label, self.server)
        form.addRow(self.username_label, self.username)
        form.addRow(self.password_label, self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.state)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        QWidget.setTabOrder(self.server, self.username)
        QWidget.setTabOrder(self.username, self.password)
        QWidget.setTabOrder(self.password, self.sign_in_button)
        QWidget.setTabOrder(self.sign_in_button, self.offline_button)
        QWidget.setTabOrder(self.offline_button, self.quit_button)

        self._offline_timer = QTimer(self)
        self._offline_timer.setSingleShot(True)
        self._offline_timer.setInterval(OFFLINE_CHECK_DELAY_MS)
        self._offline_timer.timeout.connect(self._check_offline)
        self.server.textChanged.connect(self._inputs_changed)
        self.username.textChanged.connect(self._inputs_changed)
        self.password.textChanged.connect(self._password_changed)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.offline_button.clicked.connect(self.work_offline)
        self.quit_button.clicked.connect(self.reject)

        self.server.setText(server_url or settings.get(SERVER_URL))
        self.username.setText(settings.get(LAST_USERNAME))
        self.setMinimumWidth(460)
        self.retranslate_ui()
        # Filling the fields above started the debounce timer: check once, now, instead.
        self._offline_timer.stop()
        self._check_offline()
        self._focus_first_empty()

    # --- text -----------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Sign in: Operator desk"))
        self.intro.setText(
            self.tr(
                "Sign in to the central service to sync your cases. Your work is saved on "
                "this computer either way."
            )
        )
        self.server_label.setText(self.tr("&Server address:"))
        self.server.setPlaceholderText(self.tr("https://central.example.mn"))
        self.server.setAccessibleName(self.tr("Server address"))
        self.username_label.setText(self.tr("&User name:"))
        self.username.setAccessibleName(self.tr("User name"))
        self.password_label.setText(self.tr("&Password:"))
        self.password.setAccessibleName(self.tr("Password"))
        self.sign_in_button.setText(self.tr("Sign &in"))
        self.offline_button.setText(self.tr("Work &offline"))
        self.offline_button.setToolTip(
            self.tr(
                "Unlock the cases saved on this computer with your password, without the server."
            )
        )
        self.quit_button.setText(self.tr("&Quit"))
        self.state.setText(self.tr("Signing in…") if self._busy else "")
        if self._failure is not None:
            self.error.show_error(self.describe(self._failure))

    def describe(self, error: SignInError) -> str:
        """The sentence shown for a failed sign-in."""
        match error.failure:
            case SignInFailure.BAD_URL:
                return self.tr(
                    "That is not a server address. Type it as https://host, or as "
                    "http://127.0.0.1:port for a service on this computer."
                )
            case SignInFailure.EMPTY:
                return self.tr("Type your user name and password.")
            case SignInFailure.WRONG_PASSWORD:
                return self.tr("The user name or password is wrong.")
            case SignInFailure.ACCOUNT_DISABLED:
                return self.tr("This account is disabled. Ask your supervisor.")
            case SignInFailure.TOO_MANY_ATTEMPTS:
                if error.retry_after_s:
                    return self.tr(
                        "Too many failed sign-ins. Try again in {seconds} seconds."
                    ).format(seconds=error.retry_after_s)
                return self.tr("Too many failed sign-ins. Try again later.")
            case SignInFailure.UNREACHABLE:
                return self.tr(
                    "The server cannot be reached. Check the address and the network, or "
                    "work offline."
                )
            case SignInFailure.CERTIFICATE:
                return self.tr("The server's certificate is not trusted. Ask your administrator.")
            case SignInFailure.NOT_A_SERVICE:
                return self.tr("That address answers, but it is not the central service.")
            case SignInFailure.SERVER_ERROR:
                return self.tr("The server had a problem. Try again in a moment.")
            case SignInFailure.UPGRADE_REQUIRED:
                return self.tr("The server needs a newer version of the desk.")
            case SignInFailure.NO_LOCAL_DATA:
                return self.tr(
                    "This computer has no saved cases for this user: sign in online first."
                )
            case SignInFailure.OFFLINE_WRONG_PASSWORD:
                return self.tr("The password is wrong.")
            case SignInFailure.OFFLINE_EXPIRED:
                return self.tr(
                    "Working offline is allowed for 14 days after the last online sign-in. "
                    "Sign in online."
                )
            case SignInFailure.OFFLINE_REFUSED:
                return self.tr(
                    "Working offline was refused: check this computer's clock, or sign in online."
                )
            case SignInFailure.CACHE:
                return self.tr(
                    "The cases saved on this computer could not be opened. See the log file."
                )
        return self.tr("The sign-in failed.")  # pragma: no cover

    # --- actions --------------------------------------------------------------------------

    @Slot()
    def sign_in(self) -> None:
        """Sign in online with what is typed."""
        self._start(offline=False)

    @Slot()
    def work_offline(self) -> None:
        """Unlock this desk's cache with the password, without the server."""
        self._start(offline=True)

    def _start(self, *, offline: bool) -> None:
        if self._busy:
            return
        request = SignInRequest(
            self.server.text().strip(), self.username.text().strip(), self.password.text(), offline
        )
        try:
            normalize_server_url(request.server_url)
        except ValueError:
            self._fail(SignInError(SignInFailure.BAD_URL))
            return
        if not request.username or not request.password:
            self._fail(SignInError(SignInFailure.EMPTY))
            return
        self._failure = None
        self.error.clear_error()
        self._set_busy(True)
        opener = self._opener
        self._pending = self._runner.run_query(
            lambda: opener.open(request), self._opened, self._open_failed, receiver=self
        )

    def _opened(self, desk: OpenedDesk) -> None:
        self._pending = None
        if self._abandoned:
            # Nobody is waiting for it any more. finish_abandoned() makes sure the close ran:
            # the runner drops queued work when it shuts down.
            self._leftover = (desk, self._runner.run_query(desk.close))
            return
        self._settings.set(SERVER_URL, self.server.text().strip())
        self._settings.set(LAST_USERNAME, self.username.text().strip())
        self.password.clear()
        self._set_busy(False)
        self.signed_in.emit(desk)
        self.accept()

    def _open_failed(self, exc: BaseException) -> None:
        self._pending = None
        if self._abandoned:
            return
        self._set_busy(False)
        if isinstance(exc, SignInError):
            self._fail(exc)
            return
        log.error("The sign-in failed unexpectedly", exc_info=exc)
        self._fail(SignInError(SignInFailure.SERVER_ERROR))

    def _fail(self, error: SignInError) -> None:
        self._failure = error
        self.error.show_error(self.describe(error))
        if error.failure is SignInFailure.BAD_URL or error.failure is SignInFailure.UNREACHABLE:
            target = self.server
        elif error.failure is SignInFailure.EMPTY:
            target = self._first_empty() or self.password
        else:
            target = self.password
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        target.selectAll()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.server, self.username, self.password, self.sign_in_button):
            widget.setEnabled(not busy)
        self.offline_button.setEnabled(not busy and self._offline_possible)
        self.state.setText(self.tr("Signing in…") if busy else "")
        if not busy:
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def offline_possible(self) -> bool:
        return self._offline_possible

    # --- offline availability ---------------------------------------------------------------

    @Slot()
    def _inputs_changed(self) -> None:
        self._offline_timer.start()

    @Slot()
    def _password_changed(self) -> None:
        if self._failure is not None:
            self._failure = None
            self.error.clear_error()

    @Slot()
    def _check_offline(self) -> None:
        self._offline_seq += 1
        seq, opener = self._offline_seq, self._opener
        server, user = self.server.text().strip(), self.username.text().strip()
        self._runner.run_query(
            lambda: opener.can_work_offline(server, user),
            lambda possible: self._offline_checked(seq, possible),
            lambda exc: log.warning("Checking for offline work failed: %s", type(exc).__name__),
            receiver=self,
        )

    def _offline_checked(self, seq: int, possible: bool) -> None:
        if seq != self._offline_seq:
            return
        self._offline_possible = possible
        self.offline_button.setEnabled(possible and not self._busy)

    # --- focus and closing ------------------------------------------------------------------

    def _first_empty(self) -> QLineEdit | None:
        for field in (self.server, self.username, self.password):
            if not field.text().strip():
                return field
        return None

    def _focus_first_empty(self) -> None:
        (self._first_empty() or self.password).setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        # A sign-in under way finishes on its worker; its desk is closed when it arrives.
        self._abandoned = self._busy
        super().reject()

    def finish_abandoned(self, timeout: float) -> None:
        """At exit: wait for a sign-in still under way and close the desk it opened."""
        leftover, self._leftover = self._leftover, None
        if leftover is not None:
            desk, closing = leftover
            if closing.cancel():  # still queued (or dropped): close it here
                desk.close()
            else:
                # A failure was reported by the runner's error hook; nothing more to do.
                with contextlib.suppress(Exception):
                    closing.result(timeout)
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            desk = pending.result(timeout)
        except Exception:  # failed or still hanging: nothing was opened, or it never will be
            return
        desk.close()

    def done(self, result: int) -> None:
        # Never shown (or closed before its first paint) there is no hide event: the timer
        # must not outlive the dialog and ask a runner that may have stopped.
        self._offline_timer.stop()
        super().done(result)

    def hideEvent(self, event: QHideEvent) -> None:
        self._offline_timer.stop()
        super().hideEvent(event)
