"""Which keyring holds the desk's secrets: the OS keyring (allow-listed), or this process's
memory when the environment asks for it (tests, kiosks) or for secrets that must not outlive
the process (the demo's sign-ins to a server on an ephemeral port)."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from keyring.backend import KeyringBackend

from sync.credentials import ALLOWED_KEYRING_BACKENDS
from sync.keyring_memory import MEMORY_KEYRING_ID, MemoryKeyring

# OPERATOR_DESK_KEYRING=memory keeps every secret in this process's memory: the test suite
# sets it so that a developer's real keyring is never written to.
KEYRING_ENV = "OPERATOR_DESK_KEYRING"
MEMORY = "memory"

_memory: MemoryKeyring | None = None
_memory_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class KeyringChoice:
    """A backend to offer `sync.credentials` (None: keyring's own choice) and the allow-list."""

    backend: KeyringBackend | None
    allowed: frozenset[str]


def process_memory_keyring() -> MemoryKeyring:
    """One in-memory keyring for the whole process, so that sessions share it."""
    global _memory
    with _memory_lock:
        if _memory is None:
            _memory = MemoryKeyring()
        return _memory


def memory_keyring() -> KeyringChoice:
    """Secrets in this process's memory, explicitly allowed."""
    return KeyringChoice(
        process_memory_keyring(), frozenset(ALLOWED_KEYRING_BACKENDS | {MEMORY_KEYRING_ID})
    )


def desk_keyring(environ: Mapping[str, str] | None = None) -> KeyringChoice:
    """The OS keyring, unless the environment asks for memory."""
    environ = os.environ if environ is None else environ
    if environ.get(KEYRING_ENV, "").strip().lower() == MEMORY:
        return memory_keyring()
    return KeyringChoice(None, ALLOWED_KEYRING_BACKENDS)
