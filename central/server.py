"""Running the service: in a background thread (the desktop's embedded demo, tests) or as the
`central serve` process (optionally with several worker processes)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from central.api.deps import Services
from central.app import create_app
from central.settings import Settings

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 30.0
# Long polls answer at shutdown (the hub wakes them); anything else gets this long to finish.
GRACEFUL_SHUTDOWN_S = 5
# Longer than clients keep idle connections (httpx: 5 s), so a desk does not reuse one the
# server is closing at that very moment.
KEEP_ALIVE_S = 65


@dataclass
class ServerHandle:
    """A service running on a thread of this process. `stop()` is idempotent."""

    url: str
    host: str
    port: int
    app: FastAPI
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def services(self) -> Services:
        return self.app.state.services  # type: ignore[no-any-return]

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 15.0) -> None:
        if not self._thread.is_alive():
            return
        self.services.hub.close()
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class NoDelayHTTP(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol with Nagle's algorithm off on every connection.

    asyncio turns it off only for sockets created with proto=IPPROTO_TCP, and uvicorn's own
    listening socket (used with --workers) is created with proto 0: the response's headers and
    body then go out as two small writes, and the second waits ~40 ms for a delayed ACK.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def run_in_thread(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    app: FastAPI | None = None,
    log_level: str = "warning",
) -> ServerHandle:
    """Start the service on a daemon thread and return once it accepts connections.

    `port=0` picks a free port (see `.port`/`.url`). Raises RuntimeError if it fails to start.
    """
    app = app or create_app(settings)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        http=NoDelayHTTP,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:
            failure.append(exc)
        finally:
            sock.close()

    thread = threading.Thread(target=run, name=f"central-{bound_port}", daemon=True)
    thread.start()
    ready = threading.Event()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the central service failed to start") from (
                failure[0] if failure else None
            )
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the central service did not start in time")
        ready.wait(0.01)  # uvicorn offers no start event; poll its flag, bounded
    url_host = f"[{host}]" if ":" in host else host
    return ServerHandle(f"http://{url_host}:{bound_port}", host, bound_port, app, server, thread)


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Run in the foreground until SIGINT/SIGTERM (`central serve`)."""
    log.info("central service on %s:%s with settings %s", host, port, settings.redacted())
    if workers <= 1:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            http=NoDelayHTTP,
            timeout_keep_alive=KEEP_ALIVE_S,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            access_log=False,
        )
        return
    # Worker processes build their own app from the environment.
    os.environ.update(settings.to_env())
    uvicorn.run(
        "central.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        http=NoDelayHTTP,
        workers=workers,
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        access_log=False,
    )
