"""A real central service for the desk's sign-in and sync tests: seeded SQLite, real HTTP on
127.0.0.1, stoppable and restartable on the same port (the desk's cache is keyed by address)."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from central.data.engine import create_database_engine
from central.seed import DEMO_PASSWORD, seed_demo
from central.server import ServerHandle, run_in_thread
from central.settings import Settings as CentralSettings
from sync.credentials import KdfParams
from sync.engine import EngineConfig
from sync.scheduler import ScheduleConfig

# Cheap password hashing and a small registry: the tests sign in often.
FAST_CENTRAL = CentralSettings(
    argon2_time_cost=1, argon2_memory_kib=8 * 1024, argon2_parallelism=1, demo_registry_size=500
)
CHEAP_KDF = KdfParams(time_cost=1, memory_cost_kib=1024, parallelism=1)
# Retries and reconnect probes within a fraction of a second, so a test waits little.
QUICK_ENGINE = EngineConfig(
    schedule=ScheduleConfig(debounce_s=0.05, max_debounce_s=0.2),
    backoff_base_s=0.05,
    backoff_cap_s=0.3,
    reconnect_probe_s=0.2,
    poke_timeout_s=5.0,
)
PASSWORD = DEMO_PASSWORD
OPERATOR = "demo-operator"
SUPERVISOR = "demo-supervisor"
SEED_CASES = 200


def seed_template(path: Path, cases: int = SEED_CASES) -> Path:
    """A seeded central database, to copy for each test."""
    url = f"sqlite:///{path}"
    engine = create_database_engine(url, pool_size=1)
    seed_demo(engine, cases, settings=FAST_CENTRAL.with_(database_url=url))
    engine.dispose()
    return path


# Bound, never listening: connecting is refused, and no other server (another test's, another
# process's) can take the port meanwhile, as it could once a probe socket was closed.
_HELD_PORTS: list[socket.socket] = []


def closed_port_url() -> str:
    """The address of a port on 127.0.0.1 where nothing listens (for this whole process)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _HELD_PORTS.append(sock)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


class TestCentral:
    """A central service over a private copy of the template database."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, template: Path, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        database = folder / "central.sqlite3"
        shutil.copyfile(template, database)
        self.settings = FAST_CENTRAL.with_(database_url=f"sqlite:///{database}")
        self.port = 0
        self._server: ServerHandle | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> TestCentral:
        self._server = run_in_thread(self.settings, port=self.port)
        self.port = self._server.port
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.running
