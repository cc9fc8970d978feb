"""User settings: declared once, typed, with defaults, stored in an INI file, upgraded by version.

Declare a setting at the bottom of this module with `declare`; read and write it through
`Settings.get` / `Settings.set`, which know its type. The INI file keeps text only, so each
setting has a codec. When the meaning or place of a stored value changes, bump
`SETTINGS_VERSION` and add an upgrade step to `UPGRADES` (Picard's config_upgrade pattern).

Secrets (passwords, tokens, keys) never go into settings: they belong in the OS keyring.
Declaring or writing a key named like one raises `SecretSettingError`.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QSettings

from i18n.languages import DEFAULT_LANGUAGE, language_codes

log = logging.getLogger(__name__)

T = TypeVar("T")

SETTINGS_VERSION = 2
VERSION_KEY = "meta/version"
PRIVATE_FILE_MODE = 0o600

_SECRET_RE = re.compile(
    r"pass(word|wd|phrase)|pwd|token|secret|credential|api_?key|private_?key|cookie",
    re.IGNORECASE,
)
_KEY_RE = re.compile(r"[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)+")


class SecretSettingError(ValueError):
    """A secret was about to be kept in the settings file."""


def refuse_secret(key: str) -> None:
    """Raise `SecretSettingError` if `key` names a secret."""
    if _SECRET_RE.search(key.replace("-", "_")):
        raise SecretSettingError(f"{key!r} looks like a secret: keep it in the OS keyring")


@dataclass(frozen=True, slots=True)
class Codec(Generic[T]):
    """How values of one type are written as INI text and read back."""

    name: str
    encode: Callable[[T], str]
    decode: Callable[[str], T]


def _decode_bool(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(f"not a boolean: {text!r}")
    return text == "true"


def _decode_int_map(text: str) -> dict[str, int]:
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    return {str(k): int(v) for k, v in raw.items()}


TEXT: Codec[str] = Codec("text", str, str)
INT: Codec[int] = Codec("int", str, int)
BOOL: Codec[bool] = Codec("bool", lambda v: "true" if v else "false", _decode_bool)
BYTES: Codec[bytes] = Codec(
    "bytes",
    lambda v: base64.b64encode(v).decode("ascii"),
    lambda t: base64.b64decode(t, validate=True),
)
INT_MAP: Codec[Mapping[str, int]] = Codec(
    "int map", lambda v: json.dumps(dict(v), sort_keys=True), _decode_int_map
)


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """One declared setting: its INI key ("group/name"), default and codec."""

    key: str
    default: T
    codec: Codec[T]
    choices: tuple[T, ...] = ()

    def __post_init__(self) -> None:
        refuse_secret(self.key)
        if not _KEY_RE.fullmatch(self.key):
            raise ValueError(f"setting keys are lower-case 'group/name': {self.key!r}")
        if self.choices and self.default not in self.choices:
            raise ValueError(f"{self.key}: default {self.default!r} is not among the choices")

    def allows(self, value: T) -> bool:
        return not self.choices or value in self.choices


_DECLARED: dict[str, Setting[Any]] = {}


def declare(key: str, default: T, codec: Codec[T], choices: tuple[T, ...] = ()) -> Setting[T]:
    """Declare a setting once, at import time."""
    if key in _DECLARED or key == VERSION_KEY:
        raise ValueError(f"setting {key!r} is declared twice")
    setting = Setting(key, default, codec, choices)
    _DECLARED[key] = setting
    return setting


def declared() -> tuple[Setting[Any], ...]:
    return tuple(_DECLARED.values())


class Settings:
    """The settings file of one data folder; open it with `Settings.open`."""

    def __init__(self, store: QSettings) -> None:
        self._store = store

    @classmethod
    def open(cls, path: Path) -> Settings:
        """Open (or create) the INI file at `path` and bring it to `SETTINGS_VERSION`."""
        _make_private(path)
        store = QSettings(str(path), QSettings.Format.IniFormat)
        upgrade(store)
        return cls(store)

    @property
    def path(self) -> Path:
        return Path(self._store.fileName())

    @property
    def version(self) -> int:
        return _stored_version(self._store)

    def get(self, setting: Setting[T]) -> T:
        """The stored value, or the default when unset or unreadable."""
        raw = self._store.value(setting.key)
        if raw is None:
            return self._default(setting)
        try:
            if not isinstance(raw, str):
                raise ValueError(f"expected text, found {type(raw).__name__}")
            value = setting.codec.decode(raw)
        except ValueError as exc:
            # A hand-edited or damaged file must not stop the desk from starting.
            log.warning("Ignoring unreadable setting %s: %s", setting.key, exc)
            return self._default(setting)
        if not setting.allows(value):
            log.warning("Ignoring setting %s: %r is not an allowed value", setting.key, value)
            return self._default(setting)
        return value

    def set(self, setting: Setting[T], value: T) -> None:
        refuse_secret(setting.key)
        if _DECLARED.get(setting.key) is not setting:
            raise KeyError(f"setting {setting.key!r} is not declared in ui.settings")
        if not setting.allows(value):
            raise ValueError(f"{setting.key}: {value!r} is not one of {setting.choices!r}")
        self._store.setValue(setting.key, setting.codec.encode(value))

    def reset(self, setting: Setting[Any]) -> None:
        """Forget the stored value: `get` returns the default again."""
        self._store.remove(setting.key)

    def sync(self) -> None:
        """Write pending changes to disk now (Qt also does it on exit and from time to time)."""
        self._store.sync()
        if self._store.status() != QSettings.Status.NoError:
            log.error("Could not write settings to %s: %s", self.path, self._store.status())

    @staticmethod
    def _default(setting: Setting[T]) -> T:
        # A fresh copy, so that a caller mutating a default dict cannot change the declaration.
        return setting.codec.decode(setting.codec.encode(setting.default))


def _make_private(path: Path) -> None:
    """Create the file readable by the user only; Qt keeps a file's mode when it rewrites it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(fd)
    if os.name == "posix":
        path.chmod(PRIVATE_FILE_MODE)


# --- upgrades ---------------------------------------------------------------------------------


class UpgradeStore:
    """The raw INI file as an upgrade step sees it; refuses to write secrets there too."""

    def __init__(self, store: QSettings) -> None:
        self._store = store

    def value(self, key: str) -> object:
        return self._store.value(key)

    def contains(self, key: str) -> bool:
        return self._store.contains(key)

    def set_value(self, key: str, text: str) -> None:
        refuse_secret(key)
        self._store.setValue(key, text)

    def remove(self, key: str) -> None:
        self._store.remove(key)

    def rename(self, old: str, new: str) -> None:
        if self.contains(old):
            self.set_value(new, str(self.value(old)))
            self.remove(old)


def _upgrade_to_2(store: UpgradeStore) -> None:
    """Version 1 kept a bare "server_url" key and Qt locale names ("mn_MN") as the language."""
    store.rename("server_url", "sync/server_url")
    language = store.value("ui/language")
    if isinstance(language, str) and "_" in language:
        store.set_value("ui/language", language.split("_", 1)[0])


UPGRADES: dict[int, Callable[[UpgradeStore], None]] = {2: _upgrade_to_2}


def _stored_version(store: QSettings) -> int:
    raw = store.value(VERSION_KEY)
    if raw is None:
        # A file with settings but no version predates versioning (version 1); an empty
        # (new) file needs no upgrade at all.
        return 1 if store.allKeys() else SETTINGS_VERSION
    try:
        return int(str(raw))
    except ValueError:
        log.warning("Unreadable settings version %r: treating the file as version 1", raw)
        return 1


UpgradeStep = Callable[[UpgradeStore], None]


def upgrade(store: QSettings, steps: Mapping[int, UpgradeStep] = UPGRADES) -> None:
    """Run every upgrade step above the file's version, in order, recording each one."""
    version = _stored_version(store)
    target = max([SETTINGS_VERSION, *steps])
    if version > target:
        # A newer desk wrote this file; read what we understand and leave the rest alone.
        log.warning("Settings file version %d is newer than this desk's %d", version, target)
        return
    for step_version in sorted(v for v in steps if v > version):
        log.info("Upgrading settings to version %d", step_version)
        steps[step_version](UpgradeStore(store))
        store.setValue(VERSION_KEY, str(step_version))
    store.setValue(VERSION_KEY, str(target))


# --- the declarations -------------------------------------------------------------------------

LANGUAGE = declare("ui/language", DEFAULT_LANGUAGE.code, TEXT, choices=language_codes())
THEME = declare("ui/theme", "system", TEXT, choices=("system", "light", "dark"))
SERVER_URL = declare("sync/server_url", "", TEXT)
LAST_USERNAME = declare("session/last_username", "", TEXT)  # the operator's login, not a citizen's
WINDOW_GEOMETRY = declare("window/geometry", b"", BYTES)
WINDOW_STATE = declare("window/state", b"", BYTES)
QUEUE_COLUMN_WIDTHS: Setting[Mapping[str, int]] = declare("queue/column_widths", {}, INT_MAP)
DESK_SPLITTER = declare("window/desk_splitter", b"", BYTES)
QUEUE_NAVIGATION = declare("queue/navigation", "my_cases", TEXT)
