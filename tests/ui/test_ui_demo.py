"""`operator-app --demo`: the embedded service, the demo operator's queue, switching to the
supervisor and back, a clean stop, and demo passwords kept out of every file."""

from __future__ import annotations

import os
import re
import subprocess
import sysconfig
import threading
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from central.settings import Settings as CentralSettings
from sync.credentials import ALLOWED_KEYRING_BACKENDS
from sync.keyring_memory import MEMORY_KEYRING_ID, MemoryKeyring
from ui.call_flow import CallFlowDialog
from ui.demo import DemoMode
from ui.language import LanguageSwitcher
from ui.navigation import NavTarget
from ui.paths import prepare_data_dir
from ui.session.demo import DEMO_CASES_ENV, DEMO_OPERATOR, DEMO_SUPERVISOR, EmbeddedDemo
from ui.session.first_sync import FirstSyncProgress, estimate_total, id_fraction
from ui.session.keyrings import KEYRING_ENV, KeyringChoice
from ui.settings import Settings

SMALL_DEMO = 300
WAIT_MS = 60_000


def _script() -> Path:
    return Path(sysconfig.get_path("scripts")) / (
        "operator-app" + (".exe" if os.name == "nt" else "")
    )


def test_operator_app_demo_starts_shows_the_queue_and_exits_cleanly(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        DEMO_CASES_ENV: str(SMALL_DEMO),
        KEYRING_ENV: "memory",
    }
    command = [str(_script()), "--demo", "--lang", "en", "--data-dir", str(tmp_path)]
    result = subprocess.run(
        [*command, "--quit-after", "200"], capture_output=True, text=True, env=env, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    log = (tmp_path / "logs" / "operator-desk.log").read_text(encoding="utf-8")
    shown = re.search(r"its queue shows (\d+) cases", log)
    assert shown and int(shown.group(1)) > 0, log
    assert "The demo service stopped" in log and "stopped (status 0)" in log
    assert "ERROR" not in log and "Traceback" not in log
    assert (tmp_path / "demo" / "central.sqlite3").is_file()
    assert (tmp_path / "cache" / f"{DEMO_OPERATOR}.sqlite3").is_file()

    # Seeded once: the second start reuses the service's database.
    again = subprocess.run(
        [*command, "--quit-after", "0"], capture_output=True, text=True, env=env, timeout=180
    )
    assert again.returncode == 0, again.stderr
    log = (tmp_path / "logs" / "operator-desk.log").read_text(encoding="utf-8")
    assert log.count("Seeding the demo") == 1
    assert log.count("its queue shows") == 2


@pytest.fixture
def demo_keyring() -> KeyringChoice:
    return KeyringChoice(MemoryKeyring(), frozenset(ALLOWED_KEYRING_BACKENDS | {MEMORY_KEYRING_ID}))


def _other_threads(before: set[threading.Thread]) -> list[str]:
    return sorted(t.name for t in threading.enumerate() if t not in before and t.is_alive())


def test_the_demo_switches_between_operator_and_supervisor_and_stops_every_thread(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    settings: Settings,
    languages: LanguageSwitcher,
    demo_keyring: KeyringChoice,
) -> None:
    languages.switch("en")
    before = set(threading.enumerate())
    paths = prepare_data_dir(tmp_path / "data")
    demo = DemoMode(paths, settings, languages, keyring=demo_keyring, cases=SMALL_DEMO)
    try:
        with qtbot.waitSignal(demo.ready, timeout=WAIT_MS):
            demo.start()
        assert demo.live is not None and demo.username == DEMO_OPERATOR
        window = demo.live.window
        assert window.queue.model.rowCount() > 0
        assert NavTarget.CENTRE not in window.navigation.targets()
        action = demo.switch_action
        assert action is not None and action.text() == "Sign in as the demo &supervisor"
        file_menu = window.menuBar().actions()[0].menu()
        assert action in file_menu.actions()  # in the File menu, above Quit

        action.trigger()
        qtbot.waitUntil(lambda: demo.username == DEMO_SUPERVISOR, timeout=WAIT_MS)
        assert demo.live.window is not window
        qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=WAIT_MS)  # closed, freed
        supervisor_window = demo.live.window
        assert supervisor_window.isVisible()
        assert NavTarget.CENTRE in supervisor_window.navigation.targets()
        assert demo.switch_action is not None
        assert demo.switch_action.text() == "Sign in as the demo &operator"
        qtbot.waitUntil(lambda: demo.live.desk.engine.cycles_finished > 0, timeout=WAIT_MS)

        demo.switch_action.trigger()
        qtbot.waitUntil(lambda: demo.username == DEMO_OPERATOR, timeout=WAIT_MS)
        assert (paths.cache_dir / f"{DEMO_SUPERVISOR}.sqlite3").is_file()

        passwords = [demo.demo.password(DEMO_OPERATOR), demo.demo.password(DEMO_SUPERVISOR)]
        assert all(len(p) >= 16 for p in passwords) and "demo" not in passwords
        demo.live.window.close()
    finally:
        demo.shutdown()
    assert not demo.demo.running

    # Not in the settings, the logs, the service's database or the caches: only the keyring.
    settings.sync()
    files = [settings.path, *paths.root.rglob("*")]
    for path in (p for p in files if p.is_file()):
        data = path.read_bytes()
        for password in passwords:
            assert password.encode() not in data, path
    stored = demo_keyring.backend.items()  # type: ignore[union-attr]
    assert set(passwords) <= set(stored.values())

    # Every thread the demo started has ended: engines, pools, the service.
    qtbot.waitUntil(lambda: not _other_threads(before), timeout=WAIT_MS)


def test_switching_demo_accounts_asks_about_a_call_not_saved_first(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    settings: Settings,
    languages: LanguageSwitcher,
    demo_keyring: KeyringChoice,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The switch closed the operator's window with the typed call in it, whatever the
    # answer to "Discard this call?".
    languages.switch("en")
    paths = prepare_data_dir(tmp_path / "data")
    demo = DemoMode(paths, settings, languages, keyring=demo_keyring, cases=SMALL_DEMO)
    try:
        with qtbot.waitSignal(demo.ready, timeout=WAIT_MS):
            demo.start()
        assert demo.live is not None and demo.switch_action is not None
        window = demo.live.window
        call = window.new_call()
        assert call is not None
        call.subject.setText("Дулаан алга")
        asked: list[bool] = []
        monkeypatch.setattr(CallFlowDialog, "_confirm_discard", lambda _s: asked.append(True))
        demo.switch_action.trigger()  # answered Cancel (None is not Discard)
        assert asked == [True]
        assert demo.username == DEMO_OPERATOR and demo.live.window is window
        assert call.isVisible() and call.subject.text() == "Дулаан алга"

        # A call typed while the other account signs in is asked about when it has.
        monkeypatch.setattr(CallFlowDialog, "_confirm_discard", lambda _s: True)
        call.close()
        qtbot.waitUntil(lambda: not shiboken6.isValid(call), timeout=WAIT_MS)
        asked.clear()
        monkeypatch.setattr(CallFlowDialog, "_confirm_discard", lambda _s: asked.append(True))
        demo.switch_action.trigger()
        late = window.new_call()  # before the sign-in's answer: it needs the event loop
        assert late is not None
        late.subject.setText("Ус тасарсан")
        qtbot.waitUntil(lambda: demo._signing_in is None, timeout=WAIT_MS)
        assert asked == [True]
        assert demo.username == DEMO_OPERATOR and demo.live.window is window
        assert late.isVisible() and late.subject.text() == "Ус тасарсан"
        assert demo.switch_action.isEnabled()

        monkeypatch.setattr(CallFlowDialog, "_confirm_discard", lambda _s: True)
        demo.switch_action.trigger()
        qtbot.waitUntil(lambda: demo.username == DEMO_SUPERVISOR, timeout=WAIT_MS)
        demo.live.window.close()
    finally:
        demo.shutdown()


def test_the_generated_demo_passwords_are_kept_and_the_published_one_refused(
    tmp_path: Path, demo_keyring: KeyringChoice
) -> None:
    from central.seed import DEMO_PASSWORD
    from sync.errors import AuthExpired
    from sync.http import CentralClient

    settings = CentralSettings(argon2_time_cost=1, argon2_memory_kib=8 * 1024)
    first = EmbeddedDemo(tmp_path, demo_keyring, cases=50, central_settings=settings)
    url = first.start()
    password = first.password(DEMO_OPERATOR)
    try:
        with CentralClient(url) as client:
            for user, secret in (("demo-admin", DEMO_PASSWORD), (DEMO_OPERATOR, DEMO_PASSWORD)):
                body = {"username": user, "password": secret, "device_name": "t"}
                with pytest.raises(AuthExpired):
                    client.post("/auth/login", body, authenticated=False)
            body = {"username": DEMO_OPERATOR, "password": password, "device_name": "t"}
            assert client.post("/auth/login", body, authenticated=False)["access_token"]
    finally:
        first.stop()
    second = EmbeddedDemo(tmp_path, demo_keyring, cases=50, central_settings=settings)
    second.start()
    second.stop()
    assert second.password(DEMO_OPERATOR) == password


def test_a_first_sync_estimates_its_whole_from_the_ids_received() -> None:
    assert id_fraction("80000000-0000-4000-8000-000000000000") == pytest.approx(0.5)
    assert id_fraction("not a uuid") == 0.0
    assert estimate_total(500, "40000000-0000-4000-8000-000000000000") == 2000
    assert estimate_total(10, "00000001-0000-4000-8000-000000000000") == 500  # too early

    reports: list[tuple[int, int]] = []
    progress = FirstSyncProgress(lambda done, total: reports.append((done, total)))
    from operator_app.store import Changes, PageSummary

    progress.on_changes(Changes(frozenset({"40000000-0000-4000-8000-000000000000"})))
    progress.on_changes(Changes(frozenset({"x"}), outbox=True))  # a local save: not counted
    progress.on_page(PageSummary("c", True, 1, 0, 1, 0))
    progress.on_page(PageSummary("c", False, 0, 0, 1, 0))
    assert reports == [(1, 4), (1, 1)] and not progress.active


def test_closing_while_the_demo_is_seeded_leaves_no_half_seeded_database(
    qtbot: QtBot,
    tmp_path: Path,
    settings: Settings,
    languages: LanguageSwitcher,
    demo_keyring: KeyringChoice,
) -> None:
    languages.switch("en")
    before = set(threading.enumerate())
    paths = prepare_data_dir(tmp_path / "data")
    demo = DemoMode(paths, settings, languages, keyring=demo_keyring, cases=20_000)
    demo.start()
    status = demo.waiting.statusBar()
    qtbot.waitUntil(
        lambda: status.currentMessage().startswith("Preparing the demo: "), timeout=WAIT_MS
    )
    assert status.currentMessage().endswith(" of 20,000 cases created…")
    demo.waiting.close()
    demo.shutdown()  # cancels the seed at its next chunk
    folder = paths.root / "demo"
    assert not (folder / "central.sqlite3").exists()
    assert not list(folder.glob("central-seeding*"))
    assert demo.live is None and not demo.demo.running
    qtbot.waitUntil(lambda: not _other_threads(before), timeout=WAIT_MS)


def test_a_start_that_dies_before_the_passwords_are_saved_still_signs_in_next_time(
    tmp_path: Path, demo_keyring: KeyringChoice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Seeded and in place, then the start dies (disk full, killed) while setting the demo
    # passwords: the vault must not keep a password the database never accepted.
    from sync.http import CentralClient
    from ui.session import demo as demo_module

    settings = CentralSettings(argon2_time_cost=1, argon2_memory_kib=8 * 1024)
    real_engine = demo_module.create_database_engine
    calls: list[str] = []

    def failing_engine(url: str, **kwargs: object) -> object:
        calls.append(url)
        if len(calls) == 2:  # the first opens the seeding file, the second sets the passwords
            raise OSError(28, "No space left on device")
        return real_engine(url, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(demo_module, "create_database_engine", failing_engine)
    first = EmbeddedDemo(tmp_path, demo_keyring, cases=50, central_settings=settings)
    with pytest.raises(OSError):
        first.start()
    assert first.database.is_file()
    monkeypatch.setattr(demo_module, "create_database_engine", real_engine)

    second = EmbeddedDemo(tmp_path, demo_keyring, cases=50, central_settings=settings)
    url = second.start()
    try:
        with CentralClient(url) as client:
            body = {
                "username": DEMO_OPERATOR,
                "password": second.password(DEMO_OPERATOR),
                "device_name": "t",
            }
            assert client.post("/auth/login", body, authenticated=False)["access_token"]
    finally:
        second.stop()


def test_a_demo_that_cannot_start_says_so_and_exits_with_a_failure(
    tmp_path: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.app import main

    monkeypatch.setenv(KEYRING_ENV, "memory")
    monkeypatch.setenv(DEMO_CASES_ENV, str(SMALL_DEMO))
    data = tmp_path / "data"
    data.mkdir()
    (data / "demo").write_text("a file where the demo folder should be", encoding="utf-8")
    assert main(["--demo", "--lang", "en", "--data-dir", str(data), "--quit-after", "0"]) == 1
    log = (data / "logs" / "operator-desk.log").read_text(encoding="utf-8")
    assert "The demo service could not start" in log


def test_a_failed_switch_to_the_other_demo_account_is_said_not_silent(
    qtbot: QtBot,
    tmp_path: Path,
    settings: Settings,
    languages: LanguageSwitcher,
    demo_keyring: KeyringChoice,
) -> None:
    languages.switch("en")
    paths = prepare_data_dir(tmp_path / "data")
    demo = DemoMode(paths, settings, languages, keyring=demo_keyring, cases=SMALL_DEMO)
    try:
        with qtbot.waitSignal(demo.ready, timeout=WAIT_MS):
            demo.start()
        assert demo.live is not None and demo.switch_action is not None
        demo.demo._passwords[DEMO_SUPERVISOR] = "not-the-password"  # the sign-in will fail
        demo.switch_action.trigger()
        assert not demo.switch_action.isEnabled()
        qtbot.waitUntil(lambda: demo.switch_action.isEnabled(), timeout=WAIT_MS)
        assert demo.username == DEMO_OPERATOR
        shown = demo.live.window.statusBar().currentMessage()
        assert shown.startswith("Signing in as the other demo account failed"), shown
        demo.live.window.close()
    finally:
        demo.shutdown()
