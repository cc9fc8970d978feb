"""CentralClient: JSON over one requests.Session, with timeouts, a watchdog and typed errors.

Network policy (SYNC.md): connect timeout 5 s, read timeout 30 s, and a total deadline per
request enforced by a watchdog. A read timeout alone cannot catch a server or a middlebox that
trickles a byte every few seconds (each byte resets it), so a watchdog thread shuts down the
request's socket when the deadline passes; the blocked read then fails at once and the request
ends as `DeadlineExceeded`. To find that socket, the session's connection pools build their
connections from a small subclass that registers itself with the request in flight on this
thread. The same subclass counts the HTTP bytes sent and received (headers and the body as it
travels, i.e. compressed), which the benchmarks report as traffic over the link.

TLS is always verified. Trust comes from, in order: the `ca_bundle` given (a government CA's
PEM file, which then replaces the defaults), the operating system's bundle where it is a file
(the Linux distributions' paths below, so a CA installed by the office's IT counts), or
certifi's bundle shipped with requests (Windows and macOS without `truststore`).
"""

from __future__ import annotations

import heapq
import http.client
import io
import itertools
import json
import logging
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
from requests.utils import get_environ_proxies

from sync.backoff import parse_retry_after
from sync.errors import (
    MUTATION_GAP,
    AuthExpired,
    CertificateError,
    DeadlineExceeded,
    Forbidden,
    HttpError,
    MutationGap,
    Offline,
    PayloadTooLarge,
    ProtocolError,
    RequestTimeout,
    ServerBusy,
    TransportError,
    UpgradeRequired,
)
from sync.protocol import API_PREFIX

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
USER_AGENT = "operator-desk"
OS_CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine, Arch
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # RHEL 7+
    "/etc/ssl/ca-bundle.pem",  # openSUSE
)
_READ_CHUNK = 64 * 1024
_MAX_MESSAGE_CHARS = 500

JsonObject = dict[str, Any]

_log = logging.getLogger(__name__).getChild("CentralClient")


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to connect, between bytes read, and for the whole request (the watchdog)."""

    connect: float = 5.0
    read: float = 30.0
    total: float = 120.0

    def __post_init__(self) -> None:
        if min(self.connect, self.read, self.total) <= 0:
            raise ValueError("timeouts must be positive")


@dataclass(frozen=True)
class TransferCounters:
    """Totals since the client was made: requests started, HTTP bytes sent and received."""

    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


def default_ca_bundle() -> str | bool:
    """The OS bundle's path where there is one, else True (certifi's bundle)."""
    for candidate in OS_CA_BUNDLES:
        if os.path.isfile(candidate):
            return candidate
    return True


# --- the watchdog and the byte counts ----------------------------------------------------------


class _Exchange:
    """One request in flight: the connections it uses, whether its deadline fired, its bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[urllib3.connection.HTTPConnection] = []
        self._finished = False
        self.fired = False
        # Written only by the requesting thread.
        self.bytes_sent = 0
        self.bytes_received = 0

    def attach(self, connection: urllib3.connection.HTTPConnection) -> None:
        with self._lock:
            if self.fired:
                raise TimeoutError("request deadline exceeded")
            if connection not in self._connections:
                self._connections.append(connection)

    def fire(self) -> None:
        """Abort: shut the sockets down so that a blocked read or write returns at once."""
        with self._lock:
            if self._finished:
                return
            self.fired = True
            sockets = [c.sock for c in self._connections if c.sock is not None]
        for sock in sockets:
            with suppress(OSError):  # already closed: nothing left to abort
                sock.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        """Disarm before the connection goes back to the pool, where another request may take it."""
        with self._lock:
            self._finished = True
            self._connections.clear()  # the watchdog may hold this exchange until its deadline

    @property
    def finished(self) -> bool:
        return self._finished


class _Watchdog:
    """One thread that aborts every request still running at its deadline.

    A `threading.Timer` per request started a thread per request: during a first sync, with
    the store's writer holding the interpreter lock, each start waited for the new thread to
    get the lock and run (9 ms a page of 1,000 cases, by py-spy), on the path of every page
    fetched. Finished exchanges are dropped when they reach the front, or in a sweep when many
    have piled up behind a long deadline (a long poll's). The thread ends once it has had
    nothing to watch for `_IDLE_S` (5-10 s after the last request): a closed desk leaves no
    thread behind for long.
    """

    _SWEEP_AT = 256
    _IDLE_S = 5.0  # the thread ends after this long with nothing to watch (a new one starts)

    def __init__(self) -> None:
        self._wake = threading.Condition(threading.Lock())
        self._due: list[tuple[float, int, _Exchange]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, exchange: _Exchange) -> None:
        """Fire `exchange` in `seconds` unless it has finished by then."""
        entry = (time.monotonic() + seconds, next(self._order), exchange)
        with self._wake:
            if len(self._due) >= self._SWEEP_AT:
                self._due = [e for e in self._due if not e[2].finished]
                heapq.heapify(self._due)
            heapq.heappush(self._due, entry)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="central-client-watchdog", daemon=True
                )
                self._thread.start()
            elif self._due[0] is entry:
                self._wake.notify()  # sooner than what the thread waits for

    def _run(self) -> None:
        while True:
            with self._wake:
                while True:
                    while self._due and self._due[0][2].finished:
                        heapq.heappop(self._due)
                    if not self._due:
                        if not self._wake.wait(self._IDLE_S) and not self._due:
                            # Nothing to watch for a while: a closed desk leaves no thread.
                            self._thread = None
                            return
                        continue
                    wait = self._due[0][0] - time.monotonic()
                    if wait <= 0:
                        exchange = heapq.heappop(self._due)[2]
                        break
                    # Finished exchanges are not announced: looked at again every few seconds.
                    self._wake.wait(min(wait, self._IDLE_S))
            exchange.fire()  # outside the lock: it shuts sockets down


_watchdog = _Watchdog()
_current = threading.local()


def _exchange() -> _Exchange | None:
    return getattr(_current, "exchange", None)


class _CountingReader(io.RawIOBase):
    """A socket's raw reader that adds what it reads to the exchange's received bytes."""

    def __init__(self, raw: io.RawIOBase, exchange: _Exchange) -> None:
        super().__init__()
        self._raw = raw
        self._exchange = exchange

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        count = self._raw.readinto(buffer)
        if count:
            self._exchange.bytes_received += count
        return count

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class _CountingSocket:
    """Just enough of a socket for http.client.HTTPResponse, which only calls makefile()."""

    def __init__(self, sock: socket.socket, exchange: _Exchange) -> None:
        self._sock = sock
        self._exchange = exchange

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        raw = self._sock.makefile("rb", buffering=0)
        return io.BufferedReader(_CountingReader(raw, self._exchange))


class _CountedHTTPResponse(http.client.HTTPResponse):
    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        exchange = _exchange()
        super().__init__(_CountingSocket(sock, exchange) if exchange else sock, *args, **kwargs)


class _WatchedConnection(urllib3.connection.HTTPConnection):
    """Registers with the request in flight on this thread, and counts what it sends."""

    response_class = _CountedHTTPResponse

    def connect(self) -> None:
        if (exchange := _exchange()) is not None:
            exchange.attach(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if (exchange := _exchange()) is not None:
            exchange.attach(self)
        super().request(*args, **kwargs)

    def send(self, data: Any) -> None:
        super().send(data)
        if (exchange := _exchange()) is not None and isinstance(data, bytes | bytearray):
            exchange.bytes_sent += len(data)


class _WatchedHTTPSConnection(_WatchedConnection, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedHTTPSConnectionPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """An HTTPAdapter whose pools make watched connections. No retries: the engine decides."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # SOCKS managers bring their own pool classes; there the deadline is checked between
        # body chunks only.
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


# --- the client ------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_server_url(url: str, *, allow_plain_http: bool = False) -> str:
    """The server's base address, without a trailing slash or `/api/v1`; refuses unsafe forms."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("the server address must look like https://host[:port]")
    if parts.username or parts.password:
        raise ValueError("the server address must not contain credentials")
    if parts.query or parts.fragment:
        raise ValueError("the server address must not have a query or fragment")
    if scheme == "http" and not (allow_plain_http or _is_loopback(parts.hostname)):
        # A bearer token in clear text over a provincial link is not acceptable; plain HTTP is
        # for the embedded demo service on this computer.
        raise ValueError("plain http is only allowed to this computer; use https")
    path = parts.path.rstrip("/")
    if path.endswith(API_PREFIX):
        path = path[: -len(API_PREFIX)]
    return urlunsplit((scheme, parts.netloc, path, "", ""))


class CentralClient:
    """Talks JSON to the central service over one HTTP session.

    Thread-safe for concurrent requests (e.g. a long poll beside a push). Every failure is a
    `sync.errors.TransportError`; nothing is retried here (see `sync.backoff`).
    """

    def __init__(
        self,
        server_url: str,
        *,
        timeouts: Timeouts | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        user_agent: str = USER_AGENT,
        use_system_proxy: bool = True,
        allow_plain_http: bool = False,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._server_url = normalize_server_url(server_url, allow_plain_http=allow_plain_http)
        self._api_root = self._server_url + API_PREFIX
        self._timeouts = timeouts or Timeouts()
        if ca_bundle is not None and not Path(ca_bundle).is_file():
            raise ValueError(f"CA bundle not found: {ca_bundle}")
        self._verify: str | bool = str(ca_bundle) if ca_bundle is not None else default_ca_bundle()
        self._max_response_bytes = max_response_bytes
        self._use_system_proxy = use_system_proxy
        self._clock = clock
        self._token: str | None = None
        self._counter_lock = threading.Lock()
        self._counters = TransferCounters()

        self._session = requests.Session()
        # No ~/.netrc (it would replace our Authorization header) and no environment CA
        # override; proxies are looked up explicitly per request instead.
        self._session.trust_env = False
        adapter = _WatchedAdapter()
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.headers.update(
            {"User-Agent": user_agent, "Accept": "application/json", "Accept-Encoding": "gzip"}
        )

    def __repr__(self) -> str:
        return f"CentralClient({self._server_url!r})"

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def server_url(self) -> str:
        """The server's base address, as normalized."""
        return self._server_url

    @property
    def timeouts(self) -> Timeouts:
        return self._timeouts

    @property
    def counters(self) -> TransferCounters:
        """A snapshot of the traffic counters."""
        with self._counter_lock:
            return self._counters

    @property
    def has_access_token(self) -> bool:
        return self._token is not None

    def set_access_token(self, token: str | None) -> None:
        """Use this bearer token from now on (None: send no Authorization header)."""
        self._token = token

    def close(self) -> None:
        """Close the session's connections."""
        self._session.close()

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        deadline: float | None = None,
        authenticated: bool = True,
    ) -> JsonObject:
        """GET an API path (relative to /api/v1) and return the JSON object answered."""
        return self.request(
            "GET", path, params=params, deadline=deadline, authenticated=authenticated
        )

    def post(
        self,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        deadline: float | None = None,
        authenticated: bool = True,
    ) -> JsonObject:
        """POST a JSON object to an API path and return the JSON object answered."""
        return self.request(
            "POST", path, payload=payload, deadline=deadline, authenticated=authenticated
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        payload: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        deadline: float | None = None,
        authenticated: bool = True,
    ) -> JsonObject:
        """Send one request; return the answer's JSON object or raise a TransportError."""
        url = self._url(path)
        headers: dict[str, str] = {}
        body: bytes | None = None
        if payload is not None:
            body = _encode_json(payload)
            headers["Content-Type"] = "application/json"
        if authenticated:
            token = self._token
            if token is None:
                raise AuthExpired(401, "NOT_SIGNED_IN", "no access token")
            headers["Authorization"] = f"Bearer {token}"
        prepared = self._session.prepare_request(
            requests.Request(method, url, headers=headers, data=body, params=params)
        )
        total = self._timeouts.total if deadline is None else deadline
        proxies = get_environ_proxies(url) if self._use_system_proxy else {}

        exchange = _Exchange()
        started = time.monotonic()
        status: int | str = "-"
        response: requests.Response | None = None
        _current.exchange = exchange
        _watchdog.arm(total, exchange)
        try:
            try:
                response = self._session.send(
                    prepared,
                    stream=True,
                    timeout=(self._timeouts.connect, self._timeouts.read),
                    allow_redirects=False,
                    verify=self._verify,
                    proxies=proxies,
                )
                status = response.status_code
                data = self._read_body(response, started + total, exchange)
            except requests.RequestException as exc:
                raise _network_error(exc, exchange, total) from exc
            except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
                raise _network_error(exc, exchange, total) from exc
            return self._interpret(response, data)
        except TransportError as exc:
            _log.info("%s %s failed: %s", method, path, type(exc).__name__)
            raise
        finally:
            exchange.finish()
            _current.exchange = None
            if response is not None:
                response.close()
            self._count(exchange)
            _log.debug(
                "%s %s -> %s in %.0f ms (%d B sent, %d B received)",
                method,
                path,
                status,
                (time.monotonic() - started) * 1000,
                exchange.bytes_sent,
                exchange.bytes_received,
            )

    # --- helpers -------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        # Only paths under the API root: a caller can never send the token to another host.
        if not path.startswith("/") or path.startswith("//") or "://" in path:
            raise ValueError(f"expected an API path like /sync/push, got {path!r}")
        return self._api_root + path

    def _count(self, exchange: _Exchange) -> None:
        with self._counter_lock:
            c = self._counters
            self._counters = TransferCounters(
                requests=c.requests + 1,
                bytes_sent=c.bytes_sent + exchange.bytes_sent,
                bytes_received=c.bytes_received + exchange.bytes_received,
            )

    def _read_body(self, response: requests.Response, ends_at: float, exchange: _Exchange) -> bytes:
        """The whole body, decompressed, within the size cap and the deadline."""
        limit = self._max_response_bytes
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise ProtocolError(f"response of {declared} bytes is over the {limit} byte limit")
        decoder = _decoder_for(response.headers.get("Content-Encoding", ""))
        raw = response.raw
        out = bytearray()
        wire = 0
        while True:
            if exchange.fired or time.monotonic() > ends_at:
                raise DeadlineExceeded("deadline", "the answer did not complete in time")
            chunk = raw.read1(_READ_CHUNK, decode_content=False)
            if not chunk:
                break
            wire += len(chunk)
            if wire > limit:
                raise ProtocolError(f"response is over the {limit} byte limit")
            if decoder is None:
                out += chunk
            else:
                try:
                    out += decoder.decompress(chunk, limit + 1 - len(out))
                except zlib.error as exc:
                    raise ProtocolError("the compressed answer is corrupt") from exc
                if decoder.unconsumed_tail:
                    raise ProtocolError(f"decompressed response is over the {limit} byte limit")
            if len(out) > limit:
                raise ProtocolError(f"response is over the {limit} byte limit")
        if decoder is not None:
            if not decoder.eof:
                # A close-delimited body cut short by the link.
                raise Offline("connection_lost", "the compressed answer ended early")
            if decoder.unused_data:
                raise ProtocolError("data after the end of the compressed answer")
        return bytes(out)

    def _interpret(self, response: requests.Response, data: bytes) -> JsonObject:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "")
        if 200 <= status < 300:
            if not data:
                return {}
            if not _is_json(content_type):
                raise ProtocolError(f"expected JSON, got content type {content_type!r}")
            return _decode_json(data)
        body: JsonObject | None = None
        if data and _is_json(content_type):
            try:
                body = _decode_json(data)
            except ProtocolError:
                body = None  # the status says enough
        raise _http_error(status, response.reason or "", body, response.headers, self._clock())


def _encode_json(payload: Mapping[str, Any]) -> bytes:
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"payload is not JSON-serializable: {exc}") from exc
    return text.encode("utf-8")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and "+json" in media)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> JsonObject:
    result: JsonObject = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _decode_json(data: bytes) -> JsonObject:
    """Strict JSON: UTF-8, no NaN/Infinity, no duplicate keys, an object at the top.

    A pulled page is megabytes, and the standard parser with a duplicate-key hook spent most
    of a first sync's client time on it. orjson parses it several times faster; orjson drops
    a repeated key (the last one wins) instead of refusing it, so its value is only trusted
    when writing it out again gives back exactly the bytes received: text that is the
    canonical form of a value holds no repeated key. The central service writes its answers
    in that form. Any other text (another writer's spacing or escapes, a number orjson
    would round, a repeated key) is judged by the strict parser below, as before.
    """
    try:
        value = orjson.loads(data)
        if type(value) is dict and orjson.dumps(value) == data:
            return value
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass  # the strict parser decides, and names the problem
    return _decode_json_strictly(data)


def _decode_json_strictly(data: bytes) -> JsonObject:
    try:
        value = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_reject_duplicates,
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"malformed JSON: {type(exc).__name__}") from exc
    if not isinstance(value, dict):
        raise ProtocolError("expected a JSON object")
    return value


def _decoder_for(content_encoding: str) -> Any:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ProtocolError(f"unsupported content encoding {encoding!r}")


def _http_error(
    status: int,
    reason: str,
    body: JsonObject | None,
    headers: Mapping[str, str],
    now: datetime,
) -> HttpError | ProtocolError:
    """The typed error for a non-2xx answer in the shape `{code, message, details}`."""
    body = body or {}
    code = body.get("code") if isinstance(body.get("code"), str) else None
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    if code is None and "detail" in body:  # FastAPI's own errors: {"detail": ...}
        detail = body["detail"]
        message = detail if isinstance(detail, str) else message
        details = details or {"detail": detail}
    code = code or f"HTTP_{status}"
    message = (message or reason)[:_MAX_MESSAGE_CHARS]

    if status == 401:
        return AuthExpired(status, code, message, details)
    if status == 403:
        return Forbidden(status, code, message, details)
    if status == 413:
        return PayloadTooLarge(status, code, message, details)
    if status == 426:
        return UpgradeRequired(status, code, message, details)
    if status == 409 and code == MUTATION_GAP:
        expected = details.get("expected_next_id")
        if isinstance(expected, bool) or not isinstance(expected, int) or expected < 1:
            return ProtocolError("409 MUTATION_GAP without a valid expected_next_id")
        return MutationGap(expected, message, details)
    if status in (429, 503):
        retry_after = parse_retry_after(headers.get("Retry-After"), now)
        return ServerBusy(status, code, message, details, retry_after=retry_after)
    return HttpError(status, code, message, details)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (requests and urllib3 nest them several levels deep)."""
    seen: list[BaseException] = []
    stack: list[BaseException] = [exc]
    while stack and len(seen) < 20:
        current = stack.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        stack.extend(a for a in current.args if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            inner = getattr(current, attr, None)
            if isinstance(inner, BaseException):
                stack.append(inner)
    return seen


def _network_error(exc: BaseException, exchange: _Exchange, total: float) -> TransportError:
    if exchange.fired:
        return DeadlineExceeded("deadline", f"no complete answer within {total:g} s")
    causes = _causes(exc)
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        return CertificateError("the server's certificate is not trusted")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return RequestTimeout("connect_timeout")
    if isinstance(exc, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
        return RequestTimeout("read_timeout")
    if any(isinstance(c, socket.timeout | TimeoutError) for c in causes):
        return RequestTimeout("timeout")
    if any(isinstance(c, urllib3.exceptions.NameResolutionError) for c in causes):
        return Offline("unreachable", "name not resolved")
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return Offline("unreachable", "connection refused")
    if any(isinstance(c, urllib3.exceptions.NewConnectionError) for c in causes):
        return Offline("unreachable")
    if isinstance(exc, requests.exceptions.SSLError):
        return Offline("tls", "handshake failed")
    return Offline("connection_lost", type(exc).__name__)
