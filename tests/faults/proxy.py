"""A fault-injecting TCP proxy on loopback, between HTTP clients and a server on 127.0.0.1.

Each client connection carries one HTTP/1.1 request: the proxy reads it whole (bodies framed by
Content-Length), forwards it on a fresh upstream connection with `Connection: close`, reads the
whole answer (Content-Length, chunked or until close) and sends it back, also marked
`Connection: close`, so one connection is one exchange and per-connection faults are
per-request faults. The faults of connection number N (from 0) come from a scripted function of
N, or are drawn from a `FaultPlan`'s probabilities with a seeded RNG, so a run replays exactly.

    with StubHttpServer() as server, FaultProxy(server.port, FaultPlan(drop=0.2), seed=7) as p:
        client = CentralClient(p.url, ...)

Faults: drop (close before forwarding), lose_response (forward, let the server answer, close
without answering), delay, duplicate (the request reaches the server twice, one after the
other), reorder (hold the request until the next one has been answered, or `hold_timeout_s`),
truncate (cut the answer after N bytes), throttle (bytes per second each way) and latency
(added each way).
"""

from __future__ import annotations

import ipaddress
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace

LOOPBACK = "127.0.0.1"
_MAX_HEAD_BYTES = 64 * 1024
_IO_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Faults:
    """What happens to one connection."""

    drop: bool = False
    lose_response: bool = False
    delay_s: float = 0.0
    duplicate: bool = False
    reorder: bool = False
    truncate_at: int | None = None
    throttle_bps: int | None = None
    latency_s: float = 0.0


@dataclass(frozen=True)
class FaultPlan:
    """Probabilities per connection; throttle and latency apply to every connection."""

    drop: float = 0.0
    lose_response: float = 0.0
    delay: float = 0.0
    delay_s: float = 0.5
    duplicate: float = 0.0
    reorder: float = 0.0
    truncate: float = 0.0
    truncate_range: tuple[int, int] = (1, 512)
    throttle_bps: int | None = None
    latency_s: float = 0.0

    def __post_init__(self) -> None:
        for name in ("drop", "lose_response", "delay", "duplicate", "reorder", "truncate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a probability")
        low, high = self.truncate_range
        if not 0 <= low <= high:
            raise ValueError("truncate_range must be (low, high) with 0 <= low <= high")

    def draw(self, rng: random.Random) -> Faults:
        """The faults of one connection. Draws the same numbers whatever fires, so a seed
        gives the same sequence of faults even after one probability is changed."""
        rolls = [rng.random() for _ in range(6)]
        cut = rng.randint(*self.truncate_range)
        drop = rolls[0] < self.drop
        return Faults(
            drop=drop,
            lose_response=not drop and rolls[1] < self.lose_response,
            delay_s=self.delay_s if rolls[2] < self.delay else 0.0,
            duplicate=rolls[3] < self.duplicate,
            reorder=rolls[4] < self.reorder,
            truncate_at=cut if rolls[5] < self.truncate else None,
            throttle_bps=self.throttle_bps,
            latency_s=self.latency_s,
        )


Plan = FaultPlan | Callable[[int], Faults]


@dataclass(frozen=True)
class ProxyStats:
    """Counters since start. `requests_forwarded` counts client requests, not duplicates."""

    connections: int = 0
    requests_forwarded: int = 0
    dropped: int = 0
    lost_responses: int = 0
    delayed: int = 0
    duplicated: int = 0
    reordered: int = 0
    truncated: int = 0
    upstream_failures: int = 0
    bytes_from_client: int = 0
    bytes_to_client: int = 0
    bytes_to_upstream: int = 0
    bytes_from_upstream: int = 0


class _Broken(Exception):
    """The peer closed or sent something this proxy does not handle."""


class _Stopped(Exception):
    """The proxy is stopping."""


class _Reader:
    """Buffered reads of HTTP framing from a socket, counting the bytes."""

    def __init__(self, sock: socket.socket, on_bytes: Callable[[int], None]) -> None:
        self._sock = sock
        self._on_bytes = on_bytes
        self._buf = bytearray()

    def _fill(self) -> bool:
        chunk = self._sock.recv(65536)
        if not chunk:
            return False
        self._on_bytes(len(chunk))
        self._buf += chunk
        return True

    def _take(self, n: int) -> bytes:
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def head(self) -> bytes | None:
        """The start line and headers, through the blank line; None if closed before any."""
        while (end := self._buf.find(b"\r\n\r\n")) < 0:
            if len(self._buf) > _MAX_HEAD_BYTES:
                raise _Broken("head too large")
            if not self._fill():
                if self._buf:
                    raise _Broken("closed in the middle of the head")
                return None
        return self._take(end + 4)

    def exactly(self, n: int) -> bytes:
        while len(self._buf) < n:
            if not self._fill():
                raise _Broken("closed in the middle of the body")
        return self._take(n)

    def line(self) -> bytes:
        while (end := self._buf.find(b"\r\n")) < 0:
            if len(self._buf) > _MAX_HEAD_BYTES or not self._fill():
                raise _Broken("bad chunk framing")
        return self._take(end + 2)

    def to_eof(self) -> bytes:
        while self._fill():
            pass
        return self._take(len(self._buf))


def _headers(head: bytes) -> dict[str, str]:
    result: dict[str, str] = {}
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            result[name.strip().decode("latin-1").lower()] = value.strip().decode("latin-1")
    return result


def _with_connection_close(head: bytes) -> bytes:
    lines = head[:-4].split(b"\r\n")
    hop_by_hop = (b"connection", b"keep-alive", b"proxy-connection")
    kept = [lines[0]] + [
        line for line in lines[1:] if line.partition(b":")[0].strip().lower() not in hop_by_hop
    ]
    return b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n"


def _read_request(reader: _Reader) -> bytes | None:
    head = reader.head()
    if head is None:
        return None
    headers = _headers(head)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise _Broken("chunked request bodies are not supported")
    body = reader.exactly(int(headers.get("content-length") or 0))
    return _with_connection_close(head) + body


def _read_response(reader: _Reader, method: bytes) -> bytes:
    head = reader.head()
    if head is None:
        raise _Broken("no answer")
    status = int(head.split(b" ", 2)[1])
    headers = _headers(head)
    if method == b"HEAD" or status in (204, 304) or 100 <= status < 200:
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = _read_chunked(reader)
    elif "content-length" in headers:
        body = reader.exactly(int(headers["content-length"]))
    else:
        body = reader.to_eof()
    return _with_connection_close(head) + body


def _read_chunked(reader: _Reader) -> bytes:
    out = bytearray()
    while True:
        size_line = reader.line()
        out += size_line
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (trailer := reader.line()) != b"\r\n":
                out += trailer
            out += b"\r\n"
            return bytes(out)
        out += reader.exactly(size + 2)


class FaultProxy:
    """Listens on 127.0.0.1 (a free port) and forwards to `upstream_port` on loopback."""

    def __init__(
        self,
        upstream_port: int,
        plan: Plan | None = None,
        *,
        seed: int = 0,
        upstream_host: str = LOOPBACK,
        hold_timeout_s: float = 5.0,
    ) -> None:
        host = LOOPBACK if upstream_host == "localhost" else upstream_host
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("the proxy only forwards to loopback addresses")
        self._upstream = (host, upstream_port)
        self._plan: Plan = plan if plan is not None else FaultPlan()
        self._rng = random.Random(seed)
        self._hold_timeout_s = hold_timeout_s
        self._stats = ProxyStats()
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._next_index = 0
        self._arrivals = 0
        self._held: list[tuple[int, threading.Event]] = []
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server((LOOPBACK, 0))
        self._listener.settimeout(0.5)  # so the accept loop also notices a stop on its own
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name="fault-proxy", daemon=True
        )

    # --- public ----------------------------------------------------------------------------

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._listener.getsockname()[:2]
        return host, port

    @property
    def port(self) -> int:
        return self.address[1]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        self._accept_thread.start()

    def stop(self) -> None:
        """Stop accepting, abort every exchange in flight, and wait for the threads."""
        self._stopping.set()
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._cond:
            sockets = list(self._open)
            for _, event in self._held:
                event.set()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._accept_thread.is_alive():
            self._accept_thread.join(timeout=5)
        for thread in list(self._threads):
            thread.join(timeout=5)

    def set_plan(self, plan: Plan) -> None:
        """Change the faults for connections accepted from now on."""
        with self._cond:
            self._plan = plan

    def stats(self) -> ProxyStats:
        with self._cond:
            return self._stats

    def wait_for(self, predicate: Callable[[ProxyStats], bool], timeout: float = 5.0) -> ProxyStats:
        """Block until the counters satisfy `predicate`; TimeoutError if they do not in time."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self._stats), timeout):
                raise TimeoutError(f"proxy counters never matched: {self._stats}")
            return self._stats

    # --- internals -------------------------------------------------------------------------

    def _add(self, **deltas: int) -> None:
        with self._cond:
            self._stats = replace(
                self._stats,
                **{name: getattr(self._stats, name) + value for name, value in deltas.items()},
            )
            self._cond.notify_all()

    def _pause(self, seconds: float) -> None:
        if seconds > 0 and self._stopping.wait(seconds):
            raise _Stopped

    @contextmanager
    def _tracked(self, sock: socket.socket) -> Iterator[socket.socket]:
        with self._cond:
            self._open.add(sock)
        try:
            yield sock
        finally:
            with self._cond:
                self._open.discard(sock)
            sock.close()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed: stopping
            client.settimeout(_IO_TIMEOUT_S)
            with self._cond:
                index = self._next_index
                self._next_index += 1
                plan = self._plan
                faults = plan.draw(self._rng) if isinstance(plan, FaultPlan) else plan(index)
                self._threads = [t for t in self._threads if t.is_alive()]
            self._add(connections=1)
            thread = threading.Thread(
                target=self._serve, args=(client, faults), name=f"fault-proxy-{index}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket, faults: Faults) -> None:
        # Whatever breaks, the connection simply ends, as on a real broken link.
        with self._tracked(client), suppress(_Broken, _Stopped, OSError):
            self._serve_one(client, faults)

    def _serve_one(self, client: socket.socket, faults: Faults) -> None:
        request = _read_request(_Reader(client, lambda n: self._add(bytes_from_client=n)))
        if request is None:
            return
        with self._cond:
            self._arrivals += 1
            arrival = self._arrivals
        if faults.drop:
            self._add(dropped=1)
            return
        if faults.delay_s:
            self._pause(faults.delay_s)
            self._add(delayed=1)
        if faults.reorder:
            self._hold(arrival)
        try:
            response = self._exchange(request, faults)
        except (_Broken, OSError):
            self._add(upstream_failures=1)
            raise
        finally:
            self._release_held_before(arrival)
        self._add(requests_forwarded=1)
        if faults.duplicate:
            try:
                self._exchange(request, faults)
                self._add(duplicated=1)
            except (_Broken, OSError):
                self._add(upstream_failures=1)
        if faults.lose_response:
            self._add(lost_responses=1)
            return
        if faults.truncate_at is not None and faults.truncate_at < len(response):
            response = response[: faults.truncate_at]
            self._add(truncated=1)
        self._send(client, response, faults, lambda n: self._add(bytes_to_client=n))

    def _exchange(self, request: bytes, faults: Faults) -> bytes:
        upstream = socket.create_connection(self._upstream, timeout=_IO_TIMEOUT_S)
        with self._tracked(upstream):
            self._send(upstream, request, faults, lambda n: self._add(bytes_to_upstream=n))
            reader = _Reader(upstream, lambda n: self._add(bytes_from_upstream=n))
            return _read_response(reader, request.split(b" ", 1)[0])

    def _send(
        self, sock: socket.socket, data: bytes, faults: Faults, count: Callable[[int], None]
    ) -> None:
        self._pause(faults.latency_s)
        rate = faults.throttle_bps
        if not rate:
            sock.sendall(data)
            count(len(data))
            return
        step = max(1, rate // 20)
        started = time.monotonic()
        for offset in range(0, len(data), step):
            piece = data[offset : offset + step]
            # Send each piece only once the byte budget for it has accrued: total >= len/rate.
            self._pause(started + (offset + len(piece)) / rate - time.monotonic())
            sock.sendall(piece)
            count(len(piece))

    def _hold(self, arrival: int) -> None:
        event = threading.Event()
        with self._cond:
            self._held.append((arrival, event))
        self._add(reordered=1)
        event.wait(self._hold_timeout_s)
        with self._cond:
            self._held = [(a, e) for a, e in self._held if e is not event]
        if self._stopping.is_set():
            raise _Stopped

    def _release_held_before(self, arrival: int) -> None:
        with self._cond:
            for held_arrival, event in self._held:
                if held_arrival < arrival:
                    event.set()
