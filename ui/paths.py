"""Where the desk keeps its files: one private data folder with the cache, logs and settings.

The folder is ``--data-dir`` when given, else Qt's AppDataLocation for the application name
``operator-desk`` (``~/.local/share/operator-desk`` on Linux, ``%APPDATA%\\operator-desk`` on
Windows). Folders are created readable by the user only (0700 on POSIX; on Windows the per-user
profile's ACLs do that job). Secrets never go here: they belong in the OS keyring.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths

APP_NAME = "operator-desk"
PRIVATE_DIR_MODE = 0o700


@dataclass(frozen=True, slots=True)
class DataPaths:
    """The layout of one data folder."""

    root: Path

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    @property
    def cache_db(self) -> Path:
        return self.cache_dir / "operator-desk.sqlite3"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def settings_dir(self) -> Path:
        return self.root / "settings"

    @property
    def settings_file(self) -> Path:
        return self.settings_dir / "operator-desk.ini"

    def subfolders(self) -> tuple[Path, ...]:
        return (self.cache_dir, self.logs_dir, self.settings_dir)


def apply_app_identity() -> None:
    """Name the application, which Qt's standard paths are derived from."""
    # AppDataLocation appends the organisation and application names: with no organisation
    # the folder is plainly ".../operator-desk", the path README.md documents.
    QCoreApplication.setOrganizationName("")
    QCoreApplication.setApplicationName(APP_NAME)


def default_data_dir() -> Path:
    """Qt's per-user application data folder for the desk (names the application first)."""
    apply_app_identity()
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not location:
        raise RuntimeError("no per-user data folder is known here: pass --data-dir")
    return Path(location)


def prepare_data_dir(explicit: Path | None = None) -> DataPaths:
    """Create the data folder and its subfolders, private to the user; return their paths."""
    paths = DataPaths((explicit or default_data_dir()).expanduser().resolve())
    paths.root.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    # A --data-dir that already existed keeps its mode (it might be a shared folder the user
    # chose); the subfolders holding the data are ours, and are made private whatever they were.
    for folder in paths.subfolders():
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        if os.name == "posix":
            folder.chmod(PRIVATE_DIR_MODE)
    return paths
