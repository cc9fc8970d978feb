"""Fixtures of the central service's tests: databases on SQLite and PostgreSQL, real servers.

Every test that takes `central_db`, `central_server` or `server` runs twice: on a temporary
SQLite file and on a fresh PostgreSQL database (which fails loudly when PostgreSQL is down).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from central.server import ServerHandle, run_in_thread
from tests.central.desk import Desk
from tests.central.testbed import CentralDb, prepare

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture
def make_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], CentralDb]]:
    """A factory of fresh databases on a backend (for tests that need two, e.g. a restore)."""
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
def central_db(request: pytest.FixtureRequest, make_db: Callable[[str], CentralDb]) -> CentralDb:
    """A fresh database for one test, on each backend."""
    return make_db(request.param)


@pytest.fixture
def central_server(central_db: CentralDb) -> Iterator[ServerHandle]:
    """The real app under uvicorn on a free loopback port, on a fresh database."""
    handle = run_in_thread(central_db.settings)
    yield handle
    handle.stop()
    assert not handle.running


@pytest.fixture(scope="session", params=BACKENDS)
def shared_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CentralDb]:
    """One database per backend for the tests that do not need a fresh one; tests keep out of
    each other's way by creating their own cases and client ids."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('central') / 'shared.db'}"
    else:
        url = request.getfixturevalue("new_pg_database")()
    db = prepare(request.param, url)
    yield db
    db.engine.dispose()


@pytest.fixture(scope="session")
def server(shared_db: CentralDb) -> Iterator[ServerHandle]:
    handle = run_in_thread(shared_db.settings)
    yield handle
    handle.stop()


@pytest.fixture
def desk(server: ServerHandle) -> Callable[..., Desk]:
    """Signed-in fake desks against the shared server: desk("demo-operator")."""

    def make(username: str, password: str = "demo") -> Desk:
        return Desk(server.url, username, password)

    return make
