"""Where files go (private folders) and what the logs hold (UTC, rotated, private, redacted)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication

from ui.logs import (
    LINE_FORMAT,
    PrivateRotatingFileHandler,
    RedactingFormatter,
    UtcFormatter,
    class_logger,
    configure_logging,
    redact,
)
from ui.paths import APP_NAME, default_data_dir, prepare_data_dir

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@posix_only
def test_the_data_folders_are_created_private(tmp_path: Path) -> None:
    paths = prepare_data_dir(tmp_path / "desk")
    assert paths.root == (tmp_path / "desk").resolve()
    for folder in (paths.root, *paths.subfolders()):
        assert folder.is_dir() and _mode(folder) == 0o700, folder
    assert paths.cache_db.parent == paths.cache_dir
    assert paths.settings_file.parent == paths.settings_dir


@posix_only
def test_a_data_subfolder_left_open_is_made_private(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir(mode=0o755)
    (tmp_path / "logs").chmod(0o755)
    paths = prepare_data_dir(tmp_path)
    assert _mode(paths.logs_dir) == 0o700


def test_the_default_folder_is_the_app_data_location(qapp: QApplication) -> None:
    QStandardPaths.setTestModeEnabled(True)  # a test-only location: the user's stays untouched
    try:
        folder = default_data_dir()
    finally:
        QStandardPaths.setTestModeEnabled(False)
    assert folder.name == APP_NAME
    assert ".qttest" in folder.parts


# --- logs -----------------------------------------------------------------------------------


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    setup = configure_logging(tmp_path)
    yield setup.log_file
    setup.close()


def test_log_lines_have_utc_iso_timestamps_and_the_logger_name(log_file: Path) -> None:
    logging.getLogger("ui.test").info("synced %d cases", 12)
    line = log_file.read_text(encoding="utf-8").splitlines()[-1]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO +MainThread ui\.test: synced 12 cases", line
    )


def test_the_timestamp_is_utc_whatever_the_zone() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    record.created, record.msecs = 86400.5, 500
    assert UtcFormatter(LINE_FORMAT).formatTime(record) == "1970-01-02T00:00:00.500Z"


def test_personal_numbers_are_masked_at_info(log_file: Path) -> None:
    logging.getLogger("ui.test").warning("call from 99112233 about УБ99112233")
    text = log_file.read_text(encoding="utf-8")
    assert "99112233" not in text
    assert "<phone …33>" in text and "<reg …33>" in text


@posix_only
def test_log_files_are_private_even_after_rotation(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual umask, which would leave a log readable by all
    handler = PrivateRotatingFileHandler(tmp_path / "x.log", maxBytes=200, backupCount=2)
    handler.setFormatter(RedactingFormatter(LINE_FORMAT))
    logger = logging.getLogger("ui.test.rotation")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for i in range(20):
            logger.warning("line %d of the rotation test", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.propagate = True
        os.umask(old_umask)
    files = sorted(tmp_path.glob("x.log*"))
    assert len(files) == 3  # the live file and two backups
    assert all(_mode(f) == 0o600 for f in files), [oct(_mode(f)) for f in files]


def test_configure_logging_can_be_undone(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    setup = configure_logging(tmp_path, console=True)
    assert len(root.handlers) == len(before) + 2
    setup.close()
    assert root.handlers == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("99112233", "<phone …33>"),
        ("+976 9911 2233", "<phone …33>"),
        ("tel 8811-4455.", "tel <phone …55>."),
        ("УБ99112233", "<reg …33>"),
        ("аа 99112233", "<reg …33>"),
        ("case 2025-001234 moved", "case 2025-001234 moved"),
        ("12 cases in 340 ms", "12 cases in 340 ms"),
        ("at 2025-03-05T14:07:00.123Z", "at 2025-03-05T14:07:00.123Z"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_one_logger_per_class() -> None:
    class Outbox:
        pass

    assert class_logger(Outbox).name == f"{__name__}.test_one_logger_per_class.<locals>.Outbox"
