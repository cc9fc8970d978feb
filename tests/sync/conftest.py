"""Fixtures of the sync tests: an in-memory keyring, a stub server, a client, a clock; and for the
engine's tests real central services (SQLite and PostgreSQL) and headless desks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest

from sync.credentials import ALLOWED_KEYRING_BACKENDS
from sync.http import CentralClient, Timeouts
from sync.keyring_memory import MEMORY_KEYRING_ID, MemoryKeyring
from tests.central.testbed import CentralDb, prepare
from tests.faults.fake_clock import FakeClock
from tests.faults.stub_http import StubHttpServer
from tests.sync.harness import Central, Desks, desks_in

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


# --- the sync engine's tests: real central services and headless desks ------------------------

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture
def make_central_db(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., CentralDb]]:
    """A factory of fresh central databases (migrated, demo directory, `cases` demo cases)."""
    made: list[CentralDb] = []

    def make(backend: str, cases: int = 0) -> CentralDb:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'central-{len(made)}.db'}"
        else:
            url = request.getfixturevalue("new_pg_database")()
        db = prepare(backend, url, cases)
        made.append(db)
        return db

    yield make
    for db in made:
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def central(backend: str, make_central_db: Callable[..., CentralDb]) -> Iterator[Central]:
    """A fresh database and an in-thread central service, on each backend."""
    service = Central(make_central_db(backend)).start()
    yield service
    service.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def shared_central(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Central]:
    """One service per backend for the tests that keep to cases of their own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('central') / 'shared.db'}"
    else:
        url = request.getfixturevalue("new_pg_database")()
    service = Central(prepare(str(request.param), url)).start()
    yield service
    service.stop()
    service.db.engine.dispose()


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    with desks_in(tmp_path / "desks") as made:
        yield made
