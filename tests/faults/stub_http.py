"""A tiny scriptable HTTP server on 127.0.0.1 (http.server in a thread) for transport tests.

Routes map (method, path) to a `Reply` or to a function of the request; every request is
recorded, and tests wait for requests with a timeout instead of sleeping.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    """What to answer. `trickle_s` sends the message one byte at a time at that pace (the
    body only, with `trickle_headers=False`); `hang` answers nothing until the server stops."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    trickle_s: float | None = None
    trickle_headers: bool = True
    hang: bool = False

    @classmethod
    def json(
        cls,
        value: Any,
        status: int = 200,
        *,
        headers: tuple[tuple[str, str], ...] = (),
        compress: bool = False,
        **kwargs: Any,
    ) -> Reply:
        body = json.dumps(value).encode()
        all_headers = (("Content-Type", "application/json"), *headers)
        if compress:
            body = gzip.compress(body)
            all_headers = (*all_headers, ("Content-Encoding", "gzip"))
        return cls(status, body, all_headers, **kwargs)

    @classmethod
    def error(cls, status: int, code: str, message: str = "", **details: Any) -> Reply:
        return cls.json({"code": code, "message": message, "details": details}, status)


Route = Reply | Callable[[Received], Reply]


@dataclass
class _State:
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)
    connections: set[socket.socket] = field(default_factory=set)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def setup(self) -> None:
        super().setup()
        with self.server.state.cond:
            self.server.state.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.state.cond:
            self.server.state.connections.discard(self.connection)
        super().finish()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        received = Received(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        state = self.server.state
        with state.cond:
            state.received.append(received)
            state.cond.notify_all()
            route = state.routes.get((self.command, self.path.split("?", 1)[0]))
        if route is None:
            reply = Reply.error(404, "NOT_FOUND")
        elif isinstance(route, Reply):
            reply = route
        else:
            reply = route(received)
        self._send(reply)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def _send(self, reply: Reply) -> None:
        state = self.server.state
        if reply.hang:
            state.stopping.wait()
            self.close_connection = True
            return
        head = [f"HTTP/1.1 {reply.status} {_phrase(reply.status)}"]
        names = {name.lower() for name, _ in reply.headers}
        head += [f"{name}: {value}" for name, value in reply.headers]
        if not names & {"content-length", "transfer-encoding"}:
            head.append(f"Content-Length: {len(reply.body)}")
        if ("connection", "close") in {(n.lower(), v.lower()) for n, v in reply.headers}:
            self.close_connection = True
        message = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body
        if reply.trickle_s is None:
            self.wfile.write(message)
            return
        self.close_connection = True
        start = 0 if reply.trickle_headers else len(message) - len(reply.body)
        self.wfile.write(message[:start])
        for i in range(start, len(message)):
            if state.stopping.wait(reply.trickle_s):
                return
            try:
                self.wfile.write(message[i : i + 1])
            except OSError:
                return  # the client gave up: that is what the test is about


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that give up mid-request are what these tests are about


class StubHttpServer:
    """Start with `with StubHttpServer() as server:`; `server.url` is its base address."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self._state = _State()
        self._server = _Server((LOOPBACK, 0), _Handler)
        self._server.state = self._state
        self._scheme = "https" if tls else "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        # A short poll interval makes shutdown() quick: it waits for the loop's next turn.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="stub-http", daemon=True
        )

    def __enter__(self) -> StubHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop like a killed server: the listener closes and open connections are cut."""
        self._state.stopping.set()
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        with self._state.cond:
            connections = list(self._state.connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self._scheme}://{LOOPBACK}:{self.port}"

    def route(self, method: str, path: str, reply: Route) -> None:
        """Answer `method path` (query ignored) with a fixed reply or a function's reply."""
        with self._state.cond:
            self._state.routes[(method, path)] = reply

    @property
    def received(self) -> list[Received]:
        with self._state.cond:
            return list(self._state.received)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until at least `count` requests arrived; fails the test on timeout."""
        with self._state.cond:
            if not self._state.cond.wait_for(lambda: len(self._state.received) >= count, timeout):
                raise AssertionError(f"expected {count} requests, got {len(self._state.received)}")
            return list(self._state.received)
