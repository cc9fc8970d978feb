"""Fixtures for the transport tests: an in-memory keyring, a stub server, a client, a clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import keyring
import pytest

from sync.credentials import ALLOWED_KEYRING_BACKENDS
from sync.http import CentralClient, Timeouts
from sync.keyring_memory import MEMORY_KEYRING_ID, MemoryKeyring
from tests.faults.fake_clock import FakeClock
from tests.faults.stub_http import StubHttpServer

# The explicit opt-in that lets tests use the in-memory backend; production never adds it.
ALLOW_MEMORY_KEYRING = ALLOWED_KEYRING_BACKENDS | {MEMORY_KEYRING_ID}


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every sync test runs against a fresh in-memory keyring, never the developer's own."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def stub() -> Iterator[StubHttpServer]:
    with StubHttpServer() as server:
        yield server


@pytest.fixture
def client(stub: StubHttpServer, clock: FakeClock) -> Iterator[CentralClient]:
    # Short timeouts keep failing tests quick; the watchdog tests set their own.
    with CentralClient(
        stub.url,
        timeouts=Timeouts(connect=2.0, read=5.0, total=10.0),
        use_system_proxy=False,
        clock=clock,
    ) as central:
        yield central


@pytest.fixture
def allow_memory_keyring() -> frozenset[str]:
    """The allow-list with the in-memory backend added (the explicit hook for tests)."""
    return ALLOW_MEMORY_KEYRING
