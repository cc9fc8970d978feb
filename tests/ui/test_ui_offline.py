"""A signed-in desk against a real central service: the offline indicator while the service is
down and the pending count draining when it returns; a notification when someone else assigns
a case to the operator (and none for the operator's own)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from operator_app.domain.mutations import AddNote, ReassignCase
from operator_app.store import QueueFilter, QueueRow, Store
from sync.backoff import PULL_LIMIT_MINIMUM
from sync.credentials import ALLOWED_KEYRING_BACKENDS
from sync.engine import EngineConfig
from sync.headless import HeadlessDesk
from sync.keyring_memory import MEMORY_KEYRING_ID, MemoryKeyring
from tests.ui.embedded_central import (
    CHEAP_KDF,
    OPERATOR,
    PASSWORD,
    QUICK_ENGINE,
    SUPERVISOR,
    TestCentral,
    seed_template,
)
from ui.language import LanguageSwitcher
from ui.session.desk import DeskOpener, SignInRequest
from ui.session.keyrings import KeyringChoice
from ui.session.live import LiveDesk
from ui.settings import Settings

WAIT_MS = 30_000
TEAM = "t1111-a"


@pytest.fixture(scope="module")
def central_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_template(tmp_path_factory.mktemp("central") / "template.sqlite3")


@pytest.fixture
def central(central_template: Path, tmp_path: Path) -> Iterator[TestCentral]:
    server = TestCentral(central_template, tmp_path / "central").start()
    yield server
    server.stop()


def _opener(folder: Path, config: EngineConfig = QUICK_ENGINE) -> DeskOpener:
    keyring = KeyringChoice(
        MemoryKeyring(), frozenset(ALLOWED_KEYRING_BACKENDS | {MEMORY_KEYRING_ID})
    )
    return DeskOpener(
        folder / "cache", keyring, device_name="test", engine_config=config, kdf=CHEAP_KDF
    )


@pytest.fixture
def live(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    central: TestCentral,
    settings: Settings,
    languages: LanguageSwitcher,
) -> Iterator[LiveDesk]:
    """The demo operator's desk, signed in and through its first sync."""
    languages.switch("en")
    desk = _opener(tmp_path).open(SignInRequest(central.url, OPERATOR, PASSWORD))
    live_desk = LiveDesk(desk, settings, languages)
    with qtbot.waitSignal(live_desk.first_sync_finished, timeout=WAIT_MS):
        live_desk.start()
    yield live_desk
    live_desk.close()


def _status(live: LiveDesk) -> str:
    return live.window.sync_status.text


def _team_cases(store: Store) -> list[QueueRow]:
    """Open cases of the operator's team that nobody has taken."""
    rows = store.rows(store.queue_ids(QueueFilter(open_only=True, teams=frozenset({TEAM}))))
    return [row for row in rows if row.assignee is None]


def test_a_first_sync_shows_its_progress_then_hides_it(
    qtbot: QtBot,
    tmp_path: Path,
    central: TestCentral,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    languages.switch("en")
    small_pages = replace(QUICK_ENGINE, pull_limit=PULL_LIMIT_MINIMUM)
    desk = _opener(tmp_path, small_pages).open(SignInRequest(central.url, SUPERVISOR, PASSWORD))
    assert desk.first_sync
    live_desk = LiveDesk(desk, settings, languages)
    window = live_desk.window
    reports: list[tuple[int, int, bool]] = []
    show = window.set_first_sync_progress

    def recording(done: int, total: int) -> None:
        show(done, total)
        reports.append((done, total, window.sync_status.progress.isVisible()))

    window.set_first_sync_progress = recording  # type: ignore[method-assign]
    try:
        with qtbot.waitSignal(live_desk.first_sync_finished, timeout=WAIT_MS):
            live_desk.start()
        cases = len(desk.store.queue_ids(QueueFilter()))
        assert cases > 5 * PULL_LIMIT_MINIMUM  # the supervisor's whole centres: many pages
        assert len(reports) > 3
        assert any(visible and done < total for done, total, visible in reports)
        assert reports[-1] == (cases, cases, False)  # done: the bar is gone
        assert all(a[0] <= b[0] for a, b in itertools.pairwise(reports))
    finally:
        live_desk.close()


def test_offline_shows_the_changes_waiting_and_they_drain_when_the_service_returns(
    qtbot: QtBot, live: LiveDesk, central: TestCentral
) -> None:
    qtbot.waitUntil(lambda: _status(live).startswith("Online · last synced"), timeout=WAIT_MS)
    assert not live.window.sync_status.progress.isVisible()  # the first sync is over
    central.stop()

    desk = live.desk
    case_id = desk.store.rows(desk.store.queue_ids(QueueFilter()))[0].id
    for n in range(3):
        note = AddNote(str(uuid.uuid4()), case_id, f"Иргэнтэй холбогдов ({n})")
        assert desk.store.submit(note, desk.actor).result().queued
    qtbot.waitUntil(
        lambda: _status(live).startswith("Offline · 3 changes waiting · last synced"),
        timeout=WAIT_MS,
    )

    central.start()  # on the same address: the desk's reconnect probe finds it
    qtbot.waitUntil(
        lambda: _status(live).startswith("Online") and "waiting" not in _status(live),
        timeout=WAIT_MS,
    )
    assert desk.store.pending_count() == 0
    assert desk.store.last_mutation_id() == 3  # all three acknowledged by the service


def test_a_case_assigned_by_the_supervisor_is_notified_and_the_operators_own_is_not(
    qtbot: QtBot, live: LiveDesk, central: TestCentral, tmp_path: Path
) -> None:
    shown: list[tuple[str, str]] = []
    live.window.notifier.shown.connect(lambda title, text: shown.append((title, text)))
    desk = live.desk
    mine, theirs = _team_cases(desk.store)[:2]

    # The operator takes one case: their own doing, no notification.
    take = ReassignCase(mine.id, None, desk.operator.id, "taken")
    assert desk.store.submit(take, desk.actor).result().queued
    qtbot.waitUntil(lambda: desk.store.pending_count() == 0, timeout=WAIT_MS)

    with HeadlessDesk(central.url, tmp_path / "supervisor") as supervisor:
        supervisor.sign_in(SUPERVISOR, PASSWORD)
        assert supervisor.sync_until_clean().ok
        assert supervisor.submit(ReassignCase(theirs.id, None, desk.operator.id, "yours")).queued
        with qtbot.waitSignal(live.window.notifier.shown, timeout=WAIT_MS) as signal:
            assert supervisor.sync_until_clean().ok
    title, text = signal.args
    assert title == "1 case assigned to you"
    assert text.startswith(theirs.display_number or "?")
    assert theirs.subject in text
    assert shown == [(title, text)]  # nothing for the case the operator took
    # The status bar says it too where there is no system tray.
    if not live.window.notifier.has_tray:
        assert live.window.statusBar().currentMessage() == f"{title}: {text}"


def test_a_desk_without_a_usable_keyring_says_so_in_the_window(
    qtbot: QtBot,
    tmp_path: Path,
    central: TestCentral,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    # No backend is allowed: the tokens fall back to memory, which must not go unnoticed.
    languages.switch("en")
    choice = KeyringChoice(MemoryKeyring(), frozenset())
    opener = DeskOpener(
        tmp_path / "cache", choice, device_name="test", engine_config=QUICK_ENGINE, kdf=CHEAP_KDF
    )
    desk = opener.open(SignInRequest(central.url, OPERATOR, PASSWORD))
    assert not desk.credentials.keyring_available
    live_desk = LiveDesk(desk, settings, languages)
    try:
        with qtbot.waitSignal(live_desk.first_sync_finished, timeout=WAIT_MS):
            live_desk.start()
        shown = live_desk.window.statusBar().currentMessage()
        assert "no usable keyring" in shown
        assert not opener.can_work_offline(central.url, OPERATOR)
    finally:
        live_desk.close()
