"""The sign-in dialog against a real central service on 127.0.0.1: success, wrong password,
server down, bad address, offline unlock; keyboard only, named controls, remembered fields."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sync.credentials import ALLOWED_KEYRING_BACKENDS
from sync.keyring_memory import MEMORY_KEYRING_ID, MemoryKeyring
from tests.ui.a11y import assert_accessible, assert_tab_order
from tests.ui.desk import focused, press, type_text
from tests.ui.embedded_central import (
    CHEAP_KDF,
    OPERATOR,
    PASSWORD,
    QUICK_ENGINE,
    TestCentral,
    closed_port_url,
    seed_template,
)
from ui.app import main
from ui.bridge import TaskRunner
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow
from ui.session.desk import DeskOpener, OpenedDesk
from ui.session.keyrings import KEYRING_ENV, KeyringChoice
from ui.settings import LAST_USERNAME, SERVER_URL, Settings
from ui.signin import SignInDialog

WAIT_MS = 20_000


@pytest.fixture(scope="module")
def central_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_template(tmp_path_factory.mktemp("central") / "template.sqlite3")


@pytest.fixture
def central(central_template: Path, tmp_path: Path) -> Iterator[TestCentral]:
    server = TestCentral(central_template, tmp_path / "central").start()
    yield server
    server.stop()


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def opener(tmp_path: Path, keyring: MemoryKeyring) -> DeskOpener:
    choice = KeyringChoice(keyring, frozenset(ALLOWED_KEYRING_BACKENDS | {MEMORY_KEYRING_ID}))
    return DeskOpener(
        tmp_path / "cache", choice, device_name="test", engine_config=QUICK_ENGINE, kdf=CHEAP_KDF
    )


@pytest.fixture
def opened(runner: TaskRunner) -> Iterator[list[OpenedDesk]]:
    """The desks the dialogs opened; closed, with the dialogs, before the runner stops."""
    desks: list[OpenedDesk] = []
    yield desks
    for dialog in QApplication.topLevelWidgets():
        if isinstance(dialog, SignInDialog):
            dialog.close()
    for desk in desks:
        desk.close()


def make_dialog(
    qtbot: QtBot,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
    server_url: str = "",
) -> SignInDialog:
    dialog = SignInDialog(opener, runner, settings, server_url=server_url)
    dialog.signed_in.connect(opened.append)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    return dialog


@pytest.fixture
def english(languages: LanguageSwitcher) -> LanguageSwitcher:
    languages.switch("en")
    return languages


def fill(dialog: SignInDialog, server: str, user: str, password: str) -> None:
    """Type into the three fields from the keyboard, Tab between them."""
    dialog.server.setFocus()
    dialog.server.selectAll()
    type_text(server)
    press(Qt.Key.Key_Tab)
    dialog.username.selectAll()
    type_text(user)
    press(Qt.Key.Key_Tab)
    type_text(password)


def test_signing_in_with_the_keyboard_opens_the_desk_and_remembers_server_and_user(
    qtbot: QtBot,
    english: LanguageSwitcher,
    central: TestCentral,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
) -> None:
    dialog = make_dialog(qtbot, opener, runner, settings, opened)
    assert focused() is dialog.server  # nothing remembered yet: start at the top
    fill(dialog, central.url, OPERATOR, PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS) as signal:
        press(Qt.Key.Key_Return)  # the default button: Sign in
    desk: OpenedDesk = signal.args[0]
    assert desk.operator.username == OPERATOR and not desk.offline and desk.first_sync
    assert not dialog.isVisible() and dialog.result() == SignInDialog.DialogCode.Accepted
    assert dialog.password.text() == ""

    assert settings.get(SERVER_URL) == central.url
    assert settings.get(LAST_USERNAME) == OPERATOR
    settings.sync()
    assert PASSWORD not in settings.path.read_text(encoding="utf-8").replace(OPERATOR, "")

    again = make_dialog(qtbot, opener, runner, settings, opened)
    assert again.server.text() == central.url and again.username.text() == OPERATOR
    assert focused() is again.password  # only the password is left to type


def test_a_wrong_password_says_so_and_keeps_the_dialog(
    qtbot: QtBot,
    english: LanguageSwitcher,
    central: TestCentral,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
) -> None:
    dialog = make_dialog(qtbot, opener, runner, settings, opened)
    fill(dialog, central.url, OPERATOR, "not-the-password")
    press(Qt.Key.Key_Return)
    assert dialog.busy and not dialog.password.isEnabled()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.error.text() == "The user name or password is wrong."
    assert dialog.error.isVisible() and dialog.isVisible() and not opened
    assert focused() is dialog.password
    assert dialog.password.accessibleDescription() == dialog.error.text()
    type_text("x")  # typing again clears the complaint
    assert not dialog.error.isVisible()


def test_an_unreachable_server_says_so(
    qtbot: QtBot,
    english: LanguageSwitcher,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
) -> None:
    dialog = make_dialog(qtbot, opener, runner, settings, opened)
    fill(dialog, closed_port_url(), OPERATOR, PASSWORD)
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.error.text().startswith("The server cannot be reached.")
    assert focused() is dialog.server and not opened


@pytest.mark.parametrize(
    "address", ["central.example.mn", "ftp://central.example.mn", "http://central.example.mn"]
)
def test_a_bad_address_is_refused_at_once(
    qtbot: QtBot,
    english: LanguageSwitcher,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
    address: str,
) -> None:
    dialog = make_dialog(qtbot, opener, runner, settings, opened)
    fill(dialog, address, OPERATOR, PASSWORD)
    press(Qt.Key.Key_Return)
    assert not dialog.busy  # nothing was sent anywhere
    assert dialog.error.text().startswith("That is not a server address.")
    assert focused() is dialog.server


def test_empty_fields_are_asked_for(
    qtbot: QtBot,
    english: LanguageSwitcher,
    central: TestCentral,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
) -> None:
    dialog = make_dialog(qtbot, opener, runner, settings, opened, server_url=central.url)
    assert focused() is dialog.username
    press(Qt.Key.Key_Return)
    assert dialog.error.text() == "Type your user name and password."
    assert focused() is dialog.username


def test_work_offline_unlocks_the_saved_cases_with_the_server_down(
    qtbot: QtBot,
    english: LanguageSwitcher,
    central: TestCentral,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
) -> None:
    first = make_dialog(qtbot, opener, runner, settings, opened)
    qtbot.waitUntil(lambda: not first.offline_button.isEnabled(), timeout=WAIT_MS)
    fill(first, central.url, OPERATOR, PASSWORD)
    with qtbot.waitSignal(first.signed_in, timeout=WAIT_MS):
        press(Qt.Key.Key_Return)
    desk = opened.pop()
    assert desk.engine.run_once().ok  # the cache has the operator's cases now
    desk.close()
    central.stop()

    dialog = make_dialog(qtbot, opener, runner, settings, opened)
    qtbot.waitUntil(lambda: dialog.offline_button.isEnabled(), timeout=WAIT_MS)
    type_text("wrong")
    dialog.offline_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.error.text() == "The password is wrong." and not opened

    dialog.password.clear()
    type_text(PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS) as signal:
        dialog.offline_button.click()
    unlocked: OpenedDesk = signal.args[0]
    assert unlocked.offline and unlocked.operator.username == OPERATOR
    assert not unlocked.first_sync

    # Another user has nothing saved on this desk: no offline work for them.
    other = make_dialog(qtbot, opener, runner, settings, opened)
    qtbot.waitUntil(lambda: other.offline_button.isEnabled(), timeout=WAIT_MS)
    other.username.setText("demo-supervisor")
    qtbot.waitUntil(lambda: not other.offline_button.isEnabled(), timeout=WAIT_MS)


def test_the_dialog_is_keyboard_only_and_every_control_is_named(
    qtbot: QtBot,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
    languages: LanguageSwitcher,
) -> None:
    languages.switch("mn")
    dialog = make_dialog(qtbot, opener, runner, settings, opened)
    checked = assert_accessible(dialog)
    assert {dialog.server, dialog.username, dialog.password} <= set(checked)
    assert_tab_order(
        dialog,
        [
            dialog.server,
            dialog.username,
            dialog.password,
            dialog.sign_in_button,
            dialog.quit_button,
        ],
    )
    assert dialog.windowTitle() != "Sign in: Operator desk"  # in Mongolian
    languages.switch("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Sign in: Operator desk", timeout=WAIT_MS)
    assert dialog.password.accessibleName() == "Password"


def test_quitting_the_dialog_opens_nothing(
    qtbot: QtBot,
    opener: DeskOpener,
    runner: TaskRunner,
    settings: Settings,
    opened: list[OpenedDesk],
) -> None:
    dialog = make_dialog(qtbot, opener, runner, settings, opened)
    with qtbot.waitSignal(dialog.rejected, timeout=WAIT_MS):
        press(Qt.Key.Key_Escape)
    assert not opened
    QApplication.processEvents()


def test_operator_app_signs_in_through_the_dialog_and_stops_every_thread(
    qtbot: QtBot,
    tmp_path: Path,
    central: TestCentral,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(KEYRING_ENV, "memory")
    before = set(threading.enumerate())
    deadline = time.monotonic() + WAIT_MS / 1000
    seen: dict[str, object] = {}

    def step() -> None:
        # Drives main()'s own event loop: type into the dialog, then close the desk it opens.
        tops = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        windows = [w for w in tops if isinstance(w, MainWindow)]
        dialogs = [w for w in tops if isinstance(w, SignInDialog)]
        if windows or time.monotonic() > deadline:
            seen["window"] = windows[0].windowTitle() if windows else None
            timer.stop()
            QApplication.closeAllWindows()
        elif dialogs and not seen.get("typed"):
            dialog = dialogs[0]
            seen["server"] = dialog.server.text()
            dialog.username.setText(OPERATOR)
            dialog.password.setText(PASSWORD)
            dialog.sign_in()
            seen["typed"] = True

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(step)
    timer.start()
    data = tmp_path / "desk"
    args = ["--server", central.url, "--data-dir", str(data), "--lang", "en"]
    assert main(args) == 0
    timer.stop()
    assert seen == {"server": central.url, "typed": True, "window": "Operator desk"}
    settings = Settings.open(data / "settings" / "operator-desk.ini")
    assert settings.get(SERVER_URL) == central.url and settings.get(LAST_USERNAME) == OPERATOR
    assert len(list((data / "cache").glob("desk-*.sqlite3"))) == 1
    log = (data / "logs" / "operator-desk.log").read_text(encoding="utf-8")
    assert "Signed in as op-demo" in log
    # The engine, the task runners and the HTTP sessions have all stopped (the service under
    # test runs in this process too: its request threads are not the desk's).
    others = lambda: [  # noqa: E731
        t for t in threading.enumerate() if t not in before and not t.name.startswith("AnyIO")
    ]
    qtbot.waitUntil(lambda: not others(), timeout=WAIT_MS)


def test_the_offline_check_timer_does_not_outlive_a_dialog_never_shown(
    qapp: QApplication, opener: DeskOpener, runner: TaskRunner, settings: Settings
) -> None:
    # A timer left running fires after the runner stopped (in a later test's event loop).
    settings.set(SERVER_URL, "http://127.0.0.1:9")
    settings.set(LAST_USERNAME, OPERATOR)
    dialog = SignInDialog(opener, runner, settings)
    try:
        assert not dialog._offline_timer.isActive()  # checked once at start, not twice
        dialog.username.setText("someone-else")
        assert dialog._offline_timer.isActive()
        dialog.reject()  # never shown: no hide event
        assert not dialog._offline_timer.isActive()
    finally:
        dialog.deleteLater()
        QApplication.processEvents()


def test_a_desk_arriving_after_quit_is_closed_even_when_the_runner_stops_first(
    qtbot: QtBot,
    central: TestCentral,
    opener: DeskOpener,
    settings: Settings,
    opened: list[OpenedDesk],
) -> None:
    # Quit pressed during a sign-in; the desk arrives, its close is queued behind other work,
    # and the runner shuts down (dropping queued work) at exit: the desk must still be closed.
    from ui.session.desk import SignInRequest

    runner = TaskRunner(query_workers=1)
    arrived: list[OpenedDesk] = []
    release = threading.Event()
    real_open = opener.open

    def slow_open(request: SignInRequest, **kwargs: object) -> OpenedDesk:
        desk = real_open(request, **kwargs)  # type: ignore[arg-type]
        arrived.append(desk)
        return desk

    opener.open = slow_open  # type: ignore[method-assign]
    try:
        dialog = make_dialog(qtbot, opener, runner, settings, opened, server_url=central.url)
        qtbot.waitUntil(lambda: not dialog._offline_timer.isActive(), timeout=WAIT_MS)
        dialog.username.setText(OPERATOR)
        dialog.password.setText(PASSWORD)
        dialog.sign_in()
        pending = dialog._pending
        assert pending is not None and dialog.busy
        dialog.reject()
        pending.result(WAIT_MS / 1000)
        runner.run_query(lambda: release.wait(WAIT_MS / 1000))  # the only worker is busy
        qtbot.waitUntil(lambda: dialog._pending is None, timeout=WAIT_MS)  # delivered
        dialog.finish_abandoned(WAIT_MS / 1000)  # what operator-app does at exit...
    finally:
        release.set()
        runner.shutdown()  # ...before stopping the runner
    (desk,) = arrived
    assert desk._closed
    assert not opened


def test_the_closed_port_stays_closed_and_nobody_else_can_take_it() -> None:
    import socket
    from urllib.parse import urlsplit

    port = urlsplit(closed_port_url()).port
    assert port is not None
    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", port))  # a server started meanwhile cannot listen there
    with socket.socket() as client, pytest.raises(ConnectionRefusedError):
        client.connect(("127.0.0.1", port))
