"""A keyring backend that keeps secrets in this process's memory, for tests and headless runs.

It is a real `keyring.backend.KeyringBackend`, so `keyring.set_keyring(MemoryKeyring())` works,
but it is not in `sync.credentials`' allow-list: code must opt in explicitly. Its priority is
below keyring's own "no backend" (`fail.Keyring`, 0), so importing this module can never make
keyring's automatic detection pick it over a real keyring.
"""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

MEMORY_KEYRING_ID = "sync.keyring_memory.MemoryKeyring"


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict; `locked=True` makes every call fail as a locked OS keyring does."""

    priority = -0.5  # type: ignore[assignment]

    def __init__(self, *, locked: bool = False) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: dict[tuple[str, str], str] = {}
        self.locked = locked

    def _check_unlocked(self) -> None:
        if self.locked:
            raise KeyringLocked("the in-memory keyring is locked")

    def get_password(self, service: str, username: str) -> str | None:
        self._check_unlocked()
        with self._lock:
            return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check_unlocked()
        with self._lock:
            self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check_unlocked()
        with self._lock:
            if self._secrets.pop((service, username), None) is None:
                raise PasswordDeleteError("no such secret")

    def items(self) -> dict[tuple[str, str], str]:
        """A copy of everything stored, keyed by (service, username); for tests."""
        with self._lock:
            return dict(self._secrets)
