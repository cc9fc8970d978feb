"""Fixtures for the desktop tests (Qt runs offscreen: tests/conftest.py sets the platform)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from i18n import formatting
from ui.bridge import TaskRunner
from ui.language import LanguageSwitcher
from ui.settings import Settings


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
