"""Real central services and headless desks for the sync engine's tests.

- `Central`: a migrated database with the demo directory and an in-thread server on loopback,
  which can be stopped and started again on the same port (a restore swaps the database).
- `CentralProcess`: `python -m central serve` as an OS process, to be SIGKILLed.
- `Desks`: headless desks (store + client + credentials + engine) in temporary folders.
- `wait_until`: for state that lives in another process or a database, where no event can be
  waited on, a bounded poll; threads of this process are waited for through their events.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests

from central.server import ServerHandle, run_in_thread
from central.settings import Settings
from operator_app.domain.model import CaseType, Channel
from operator_app.domain.mutations import AddNote, CitizenInfo, CreateCase
from sync.engine import EngineConfig
from sync.headless import HeadlessDesk
from sync.http import Timeouts
from sync.scheduler import ScheduleConfig
from tests.central.testbed import CentralDb

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo"

# Quick to retry and to debounce, long-poll off unless a test wants it.
TEST_CONFIG = EngineConfig(
    schedule=ScheduleConfig(debounce_s=0.05, max_debounce_s=0.5, interval_s=60.0),
    backoff_base_s=0.05,
    backoff_cap_s=0.5,
    poke=False,
    poke_timeout_s=5.0,
    reconnect_probe_s=0.5,
    request_deadline_s=20.0,
)
TEST_TIMEOUTS = Timeouts(connect=2.0, read=15.0, total=20.0)


def wait_until(what: str, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `predicate` (every 20 ms) until it holds; AssertionError naming `what` if not."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Central:
    """An in-thread central service on a fixed loopback port."""

    db: CentralDb
    port: int = field(default_factory=free_port)
    handle: ServerHandle | None = None
    settings: Settings | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def backend(self) -> str:
        return self.db.backend

    def start(self, settings: Settings | None = None) -> Central:
        self.settings = settings or self.settings or self.db.settings
        self.handle = run_in_thread(self.settings, port=self.port)
        return self

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.stop()
            self.handle = None


class CentralProcess:
    """`python -m central serve` on a database, as its own process (so it can be killed)."""

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        env = {**os.environ, **self.settings.to_env(), "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "central", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

        def healthy() -> bool:
            assert self.process is not None and self.process.poll() is None, (
                self.process.stderr.read().decode() if self.process and self.process.stderr else ""
            )
            try:
                return requests.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until("central serve to answer", healthy, timeout)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


class Desks:
    """Headless desks in a temporary folder, closed at the end of the test."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._made: list[HeadlessDesk] = []

    def new(
        self,
        url: str,
        username: str,
        *,
        name: str | None = None,
        config: EngineConfig = TEST_CONFIG,
        sign_in: bool = True,
        **kwargs: Any,
    ) -> HeadlessDesk:
        folder = self._root / (name or f"desk-{len(self._made)}-{username}")
        desk = HeadlessDesk(
            url,
            folder,
            config=config,
            timeouts=kwargs.pop("timeouts", TEST_TIMEOUTS),
            device_name=name or username,
            **kwargs,
        )
        desk.username = username  # type: ignore[attr-defined]
        self._made.append(desk)
        if sign_in:
            desk.sign_in(username, PASSWORD)
        return desk

    def close_all(self) -> None:
        for desk in self._made:
            desk.close()
        self._made.clear()


@contextmanager
def desks_in(root: Path) -> Iterator[Desks]:
    desks = Desks(root)
    try:
        yield desks
    finally:
        desks.close_all()


def cache_of(desk: HeadlessDesk) -> Path:
    return desk.store.path


# --- mutations -----------------------------------------------------------------------------


def new_id() -> str:
    return str(uuid.uuid4())


def new_case(centre: str = "c1111", **changes: Any) -> CreateCase:
    """A case as an operator logs it from a call."""
    args = CreateCase(
        case_id=new_id(),
        centre=centre,
        channel=Channel.PHONE,
        type=CaseType.COMPLAINT,
        category="utilities_and_heating",
        subject="Байрны халаалт муу",
        description="Иргэн утсаар хандаж халаалт муу гэж мэдэгдэв.",
        citizen=CitizenInfo(name="Оюунчимэг Дорж", phone="99001122"),
    )
    return replace(args, **changes)


def new_note(case_id: str, body: str = "Иргэнтэй холбогдлоо.") -> AddNote:
    return AddNote(new_id(), case_id, body)
