"""Settings: typed, defaulted, persisted, upgraded by version, and never holding secrets."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from ui import settings as settings_module
from ui.settings import (
    LANGUAGE,
    LAST_USERNAME,
    QUEUE_COLUMN_WIDTHS,
    SERVER_URL,
    SETTINGS_VERSION,
    TEXT,
    THEME,
    WINDOW_GEOMETRY,
    SecretSettingError,
    Setting,
    Settings,
    UpgradeStore,
    declare,
    upgrade,
)


def test_a_new_file_gives_the_defaults(settings: Settings) -> None:
    assert settings.get(LANGUAGE) == "mn"
    assert settings.get(THEME) == "system"
    assert settings.get(SERVER_URL) == ""
    assert settings.get(WINDOW_GEOMETRY) == b""
    assert settings.get(QUEUE_COLUMN_WIDTHS) == {}
    assert settings.version == SETTINGS_VERSION


def test_values_keep_their_types_across_a_reopen(settings: Settings) -> None:
    geometry = bytes(range(256))
    settings.set(LANGUAGE, "en")
    settings.set(SERVER_URL, "https://central.example.mn:8443/api")
    settings.set(LAST_USERNAME, "bat-erdene, operator")  # a comma must not turn it into a list
    settings.set(WINDOW_GEOMETRY, geometry)
    settings.set(QUEUE_COLUMN_WIDTHS, {"number": 90, "citizen": 220})
    settings.sync()

    again = Settings.open(settings.path)
    assert again.get(LANGUAGE) == "en"
    assert again.get(SERVER_URL) == "https://central.example.mn:8443/api"
    assert again.get(LAST_USERNAME) == "bat-erdene, operator"
    assert again.get(WINDOW_GEOMETRY) == geometry
    assert again.get(QUEUE_COLUMN_WIDTHS) == {"number": 90, "citizen": 220}


def test_a_default_cannot_be_changed_through_a_returned_value(settings: Settings) -> None:
    widths = settings.get(QUEUE_COLUMN_WIDTHS)
    widths["number"] = 1  # type: ignore[index]
    assert settings.get(QUEUE_COLUMN_WIDTHS) == {}


def test_reset_returns_to_the_default(settings: Settings) -> None:
    settings.set(THEME, "dark")
    settings.reset(THEME)
    assert settings.get(THEME) == "system"


def test_values_outside_the_choices_are_refused(settings: Settings) -> None:
    with pytest.raises(ValueError):
        settings.set(LANGUAGE, "fr")
    assert settings.get(LANGUAGE) == "mn"


def test_an_undeclared_setting_cannot_be_stored(settings: Settings) -> None:
    stray = Setting("ui/stray", "", TEXT)
    with pytest.raises(KeyError):
        settings.set(stray, "x")


def test_a_damaged_file_falls_back_to_defaults(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "operator-desk.ini"
    path.write_text(
        "[meta]\nversion=2\n[ui]\nlanguage=fr\n[window]\ngeometry=***not base64***\n"
        "[queue]\ncolumn_widths=[1, 2]\n",
        encoding="utf-8",
    )
    settings = Settings.open(path)
    with caplog.at_level(logging.WARNING, logger="ui.settings"):
        assert settings.get(LANGUAGE) == "mn"
        assert settings.get(WINDOW_GEOMETRY) == b""
        assert settings.get(QUEUE_COLUMN_WIDTHS) == {}
    assert len(caplog.records) == 3


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_file_is_private(settings: Settings) -> None:
    settings.set(THEME, "dark")
    settings.sync()
    assert settings.path.stat().st_mode & 0o777 == 0o600


# --- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "auth/password",
        "sync/refresh_token",
        "sync/client_secret",
        "sync/api_key",
        "auth/passwd",
        "auth/Passphrase",
        "session/accessToken",
        "sync/credentials",
    ],
)
def test_secrets_cannot_be_declared(key: str) -> None:
    with pytest.raises(SecretSettingError):
        declare(key, "", TEXT)
    with pytest.raises(SecretSettingError):
        Setting(key, "", TEXT)
    assert key not in {s.key for s in settings_module.declared()}


def test_an_upgrade_step_cannot_write_a_secret(tmp_path: Path) -> None:
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    with pytest.raises(SecretSettingError):
        UpgradeStore(store).set_value("auth/token", "abc")
    assert not store.contains("auth/token")


def test_declarations_are_unique_and_clean() -> None:
    with pytest.raises(ValueError):
        declare(LANGUAGE.key, "mn", TEXT)
    with pytest.raises(ValueError):
        Setting("NoGroup", "", TEXT)
    with pytest.raises(ValueError):
        Setting("ui/colour", "red", TEXT, choices=("blue",))


# --- upgrades -------------------------------------------------------------------------------


def test_a_version_1_file_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "operator-desk.ini"
    path.write_text(
        "[General]\nserver_url=https://old.example.mn\n[ui]\nlanguage=en_US\n", encoding="utf-8"
    )
    settings = Settings.open(path)
    assert settings.version == SETTINGS_VERSION == 2
    assert settings.get(SERVER_URL) == "https://old.example.mn"
    assert settings.get(LANGUAGE) == "en"
    raw = QSettings(str(path), QSettings.Format.IniFormat)
    assert not raw.contains("server_url")


def test_steps_run_once_in_order_and_record_the_version(tmp_path: Path) -> None:
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    store.setValue("meta/version", "2")
    ran: list[int] = []
    steps = {4: lambda s: ran.append(4), 3: lambda s: ran.append(3), 2: lambda s: ran.append(2)}
    upgrade(store, steps)
    assert ran == [3, 4]
    assert store.value("meta/version") == "4"
    upgrade(store, steps)
    assert ran == [3, 4]


def test_a_file_from_a_newer_desk_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "operator-desk.ini"
    path.write_text("[meta]\nversion=99\n[ui]\nlanguage=en\nfuture_key=x\n", encoding="utf-8")
    settings = Settings.open(path)
    assert settings.version == 99
    assert settings.get(LANGUAGE) == "en"
