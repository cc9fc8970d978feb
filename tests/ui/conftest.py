"""Fixtures for the desktop tests (Qt runs offscreen: tests/conftest.py sets the platform)."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtWidgets import QApplication

from i18n import formatting
from operator_app.store import Store
from tests.ui.desk import NOW, OPERATOR, clock
from ui.bridge import TaskRunner
from ui.call_flow import CallFlowDialog
from ui.context import DeskContext
from ui.garbage_collection import GuiThreadCollector
from ui.language import LanguageSwitcher
from ui.sample_store import fill
from ui.settings import Settings

if TYPE_CHECKING:
    from tests.sync.harness import Desks


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[LanguageSwitcher]:
    """A language switcher on the test application; its catalogs are removed afterwards."""
    switcher = LanguageSwitcher(qapp)
    yield switcher
    switcher.uninstall()
    formatting.set_locale("mn")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.open(tmp_path / "settings" / "operator-desk.ini")


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[TaskRunner]:
    """A threaded task runner, shut down after the test."""
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown()


@pytest.fixture
def sync_runner(qapp: QApplication) -> TaskRunner:
    return TaskRunner(synchronous=True)


# --- the desk: stores of generated cases, and contexts around them ---------------------------

SMALL_STORE_CASES = 400


@pytest.fixture(scope="session")
def small_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache with a few hundred generated cases, built once; tests get copies."""
    path = tmp_path_factory.mktemp("desk-template") / "cache.sqlite3"
    store = Store.open(path, clock=clock, threaded=False)
    fill(store, SMALL_STORE_CASES, now=NOW)
    store.close()
    return path


@pytest.fixture
def desk_store(small_store_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the small cache; its writer runs inline (saves are done on return)."""
    path = tmp_path / "cache.sqlite3"
    shutil.copyfile(small_store_file, path)
    store = Store.open(path, clock=clock, threaded=False)
    yield store
    store.close()


@pytest.fixture
def desk(desk_store: Store, sync_runner: TaskRunner, settings: Settings) -> DeskContext:
    """An operator's desk over the small cache, with every task run inline."""
    return DeskContext(desk_store, sync_runner, OPERATOR, settings, clock=clock)


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    """Headless desks (store, client, engine) signing in to a test's central service."""
    from tests.sync.harness import desks_in  # the central service's code: only when asked

    with desks_in(tmp_path / "desks") as made:
        yield made


@pytest.fixture(autouse=True)
def _formatting_in_english() -> Iterator[None]:
    # Without a catalog the widgets speak English: format dates and numbers to match.
    formatting.set_locale("en")
    yield
    formatting.set_locale("mn")


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    # As the desk does (ui/app.py): a collection triggered by a store reader's allocations
    # freed a test's widgets on that thread, and the suite died of a segmentation fault.
    collector = GuiThreadCollector()
    collector.start()
    yield
    collector.stop()
    gc.collect()  # here, on the GUI thread, what the test left in cycles


@pytest.fixture(autouse=True)
def _calls_close_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    # pytest-qt closes test widgets before fixtures end: an unsaved call's modal "discard?"
    # question would wait for ever. Tests of that question set their own answer.
    monkeypatch.setattr(CallFlowDialog, "_confirm_discard", lambda _self: True)
