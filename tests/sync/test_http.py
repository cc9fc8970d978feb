"""CentralClient against a real HTTP server on 127.0.0.1: JSON, errors, limits, watchdog, TLS."""

from __future__ import annotations

import gzip
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from sync.backoff import is_retryable
from sync.errors import (
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
    UpgradeRequired,
)
from sync.http import CentralClient, Timeouts, normalize_server_url
from tests.faults.fake_clock import FakeClock
from tests.faults.proxy import FaultProxy, Faults
from tests.faults.stub_http import Received, Reply, StubHttpServer

TOKEN = "tok-3f9c1e-very-secret"


def make_client(url: str, **kwargs: object) -> CentralClient:
    kwargs.setdefault("use_system_proxy", False)
    return CentralClient(url, **kwargs)  # type: ignore[arg-type]


# --- JSON in and out -------------------------------------------------------------------------


def test_posts_json_with_the_bearer_token_and_returns_the_object(
    stub: StubHttpServer, client: CentralClient
) -> None:
    stub.route("POST", "/api/v1/sync/push", Reply.json({"last_mutation_id": 3, "results": []}))
    client.set_access_token(TOKEN)
    answer = client.post("/sync/push", {"client_id": "c1", "mutations": [{"id": 1}], "ü": "ө"})
    assert answer == {"last_mutation_id": 3, "results": []}
    [request] = stub.received
    assert request.path == "/api/v1/sync/push"
    assert request.json() == {"client_id": "c1", "mutations": [{"id": 1}], "ü": "ө"}
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept-encoding"] == "gzip"
    assert request.headers["accept"] == "application/json"


def test_get_sends_query_parameters(stub: StubHttpServer, client: CentralClient) -> None:
    stub.route("GET", "/api/v1/sync/poke", Reply.json({"changed": False}))
    client.set_access_token(TOKEN)
    assert client.get("/sync/poke", params={"cursor": "abc", "timeout": 25}) == {"changed": False}
    assert stub.received[0].path == "/api/v1/sync/poke?cursor=abc&timeout=25"


def test_without_a_token_an_authenticated_request_is_not_sent(
    stub: StubHttpServer, client: CentralClient
) -> None:
    with pytest.raises(AuthExpired):
        client.get("/health")
    assert stub.received == []


def test_an_unauthenticated_request_never_carries_the_token(
    stub: StubHttpServer, client: CentralClient
) -> None:
    stub.route("POST", "/api/v1/auth/login", Reply.json({"ok": True}))
    client.set_access_token(TOKEN)
    client.post("/auth/login", {"username": "u"}, authenticated=False)
    assert "authorization" not in stub.received[0].headers


def test_an_empty_success_is_an_empty_object(stub: StubHttpServer, client: CentralClient) -> None:
    stub.route("POST", "/api/v1/auth/logout", Reply(204))
    client.set_access_token(TOKEN)
    assert client.post("/auth/logout") == {}


def test_gzip_answers_are_decoded_and_counted_compressed(
    stub: StubHttpServer, client: CentralClient
) -> None:
    ops = [
        {"op": "put", "type": "case", "id": i, "data": {"subject": "Ус тасарсан"}}
        for i in range(300)
    ]
    stub.route("POST", "/api/v1/sync/pull", Reply.json({"ops": ops}, compress=True))
    client.set_access_token(TOKEN)
    assert client.post("/sync/pull", {"cursor": None})["ops"] == ops
    plain_size = len(json.dumps({"ops": ops}).encode())
    counters = client.counters
    assert counters.requests == 1
    assert 0 < counters.bytes_received < plain_size / 5
    assert counters.bytes_sent > len(b'{"cursor":null}')


def test_byte_counters_match_what_crossed_the_link(stub: StubHttpServer) -> None:
    stub.route("POST", "/api/v1/sync/push", Reply.json({"results": ["x" * 2000]}, compress=True))
    stub.route("GET", "/api/v1/health", Reply.json({"ok": True}))
    with FaultProxy(stub.port) as proxy, make_client(proxy.url) as client:
        client.set_access_token(TOKEN)
        client.post("/sync/push", {"mutations": list(range(500))})
        client.get("/health")
        counters = client.counters
        # The proxy counts a send once it returns, which may be just after the client has read
        # it: wait for the counts to settle rather than compare at once.
        proxy.wait_for(
            lambda s: (
                (s.bytes_from_client, s.bytes_to_client)
                == (counters.bytes_sent, counters.bytes_received)
            )
        )
        assert counters.requests == 2


# --- errors in the server's shape ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (401, AuthExpired),
        (403, Forbidden),
        (413, PayloadTooLarge),
        (426, UpgradeRequired),
        (500, HttpError),
        (422, HttpError),
    ],
)
def test_error_statuses_become_typed_errors(
    stub: StubHttpServer, client: CentralClient, status: int, error_type: type[HttpError]
) -> None:
    stub.route("POST", "/api/v1/sync/push", Reply.error(status, "SOME_CODE", "Какой-то текст", a=1))
    client.set_access_token(TOKEN)
    with pytest.raises(error_type) as caught:
        client.post("/sync/push", {})
    assert type(caught.value) is error_type
    assert (caught.value.status, caught.value.code) == (status, "SOME_CODE")
    assert caught.value.message == "Какой-то текст"
    assert caught.value.details == {"a": 1}


def test_mutation_gap_carries_the_expected_next_id(
    stub: StubHttpServer, client: CentralClient
) -> None:
    stub.route("POST", "/api/v1/sync/push", Reply.error(409, "MUTATION_GAP", expected_next_id=7))
    client.set_access_token(TOKEN)
    with pytest.raises(MutationGap) as caught:
        client.post("/sync/push", {})
    assert caught.value.expected_next_id == 7
    assert is_retryable(caught.value)


def test_another_409_is_a_plain_error(stub: StubHttpServer, client: CentralClient) -> None:
    stub.route("POST", "/api/v1/sync/push", Reply.error(409, "ID_REUSED"))
    client.set_access_token(TOKEN)
    with pytest.raises(HttpError) as caught:
        client.post("/sync/push", {})
    assert not isinstance(caught.value, MutationGap)
    assert not is_retryable(caught.value)


@pytest.mark.parametrize("expected", [None, "7", 0, True])
def test_a_mutation_gap_without_a_valid_id_is_a_protocol_error(
    stub: StubHttpServer, client: CentralClient, expected: object
) -> None:
    stub.route(
        "POST", "/api/v1/sync/push", Reply.error(409, "MUTATION_GAP", expected_next_id=expected)
    )
    client.set_access_token(TOKEN)
    with pytest.raises(ProtocolError):
        client.post("/sync/push", {})


def test_busy_honours_retry_after_in_seconds(stub: StubHttpServer, client: CentralClient) -> None:
    stub.route(
        "POST",
        "/api/v1/sync/push",
        Reply.json({"code": "BUSY", "message": ""}, 503, headers=(("Retry-After", "12"),)),
    )
    client.set_access_token(TOKEN)
    with pytest.raises(ServerBusy) as caught:
        client.post("/sync/push", {})
    assert (caught.value.status, caught.value.retry_after) == (503, 12.0)


def test_rate_limited_honours_retry_after_as_a_date(
    stub: StubHttpServer, client: CentralClient, clock: FakeClock
) -> None:
    when = format_datetime(clock.now + timedelta(seconds=45), usegmt=True)
    stub.route("GET", "/api/v1/health", Reply(429, b"slow down", (("Retry-After", when),)))
    client.set_access_token(TOKEN)
    with pytest.raises(ServerBusy) as caught:
        client.get("/health")
    assert caught.value.retry_after == 45.0
    assert caught.value.code == "HTTP_429"


def test_a_malformed_retry_after_is_ignored(stub: StubHttpServer, client: CentralClient) -> None:
    stub.route("GET", "/api/v1/health", Reply(503, b"", (("Retry-After", "tomorrow-ish"),)))
    client.set_access_token(TOKEN)
    with pytest.raises(ServerBusy) as caught:
        client.get("/health")
    assert caught.value.retry_after is None


def test_fastapi_style_and_non_json_errors_still_type_correctly(
    stub: StubHttpServer, client: CentralClient
) -> None:
    stub.route("GET", "/api/v1/a", Reply.json({"detail": "Not Found"}, 404))
    stub.route(
        "GET",
        "/api/v1/b",
        Reply(502, b"<html>bad gateway</html>", (("Content-Type", "text/html"),)),
    )
    client.set_access_token(TOKEN)
    with pytest.raises(HttpError) as first:
        client.get("/a")
    assert (first.value.code, first.value.message) == ("HTTP_404", "Not Found")
    with pytest.raises(HttpError) as second:
        client.get("/b")
    assert (second.value.status, second.value.code, second.value.message) == (
        502,
        "HTTP_502",
        "Bad Gateway",
    )
    assert is_retryable(second.value)


def test_redirects_are_not_followed(stub: StubHttpServer, client: CentralClient) -> None:
    stub.route("GET", "/api/v1/health", Reply(302, b"", (("Location", "http://127.0.0.1:9/x"),)))
    client.set_access_token(TOKEN)
    with pytest.raises(HttpError) as caught:
        client.get("/health")
    assert caught.value.status == 302
    assert len(stub.received) == 1


# --- hostile answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2, 3]",
        b'"just a string"',
        b'{"a": NaN}',
        b'{"a": 1, "a": 2}',
        b"\xff\xfe{}",
        b"[" * 200_000 + b"]" * 200_000,
        b'{"n": ' + b"9" * 10_000 + b"}",
    ],
    ids=["broken", "array", "string", "nan", "duplicate-key", "not-utf8", "deep", "huge-int"],
)
def test_malformed_json_is_a_protocol_error(
    stub: StubHttpServer, client: CentralClient, body: bytes
) -> None:
    stub.route("GET", "/api/v1/health", Reply(200, body, (("Content-Type", "application/json"),)))
    client.set_access_token(TOKEN)
    with pytest.raises(ProtocolError):
        client.get("/health")


@pytest.mark.parametrize(
    "body",
    [
        b'{"ops":[{"op":"put","data":{"id":"a","id":"b"}}]}',  # compact, as the server writes
        b'{"a":1,"b":{"c":[{"d":2,"d":2}]}}',
        b'{"x":"\xd0\xa1","x":"\xd0\xa1"}',
    ],
    ids=["nested-in-an-op", "deep-in-a-list", "same-value-twice"],
)
def test_repeated_keys_are_refused_at_any_depth_in_compact_json(
    stub: StubHttpServer, client: CentralClient, body: bytes
) -> None:
    """The fast parser keeps the last of a repeated key: its value must not be trusted."""
    stub.route("GET", "/api/v1/health", Reply(200, body, (("Content-Type", "application/json"),)))
    client.set_access_token(TOKEN)
    with pytest.raises(ProtocolError, match="malformed JSON"):
        client.get("/health")


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 1, "b": [true, null]}',  # spaced, as other writers do
        b'{"n":18446744073709551616,"m":-9223372036854775809}',  # beyond 64 bits: exact
        b'{"f":1E2,"g":-0,"s":"\\u00e9\\/"}',  # forms the fast parser would rewrite
        b'{"t":"\xd0\x9c\xd0\xbe\xd0\xbd\xd0\xb3\xd0\xbe\xd0\xbb","u":1.5}',
    ],
    ids=["spaced", "big-integers", "other-forms", "canonical"],
)
def test_valid_json_reads_the_same_whichever_parser_takes_it(
    stub: StubHttpServer, client: CentralClient, body: bytes
) -> None:
    stub.route("GET", "/api/v1/health", Reply(200, body, (("Content-Type", "application/json"),)))
    client.set_access_token(TOKEN)
    answer = client.get("/health")
    assert answer == json.loads(body)
    assert all(type(answer[k]) is type(v) for k, v in json.loads(body).items())


def test_a_wrong_content_type_is_a_protocol_error(
    stub: StubHttpServer, client: CentralClient
) -> None:
    # e.g. a captive portal answering 200 with its login page
    stub.route(
        "GET",
        "/api/v1/health",
        Reply(200, b"<html>Wi-Fi login</html>", (("Content-Type", "text/html"),)),
    )
    client.set_access_token(TOKEN)
    with pytest.raises(ProtocolError):
        client.get("/health")


def test_an_oversized_answer_is_refused(stub: StubHttpServer) -> None:
    stub.route("GET", "/api/v1/big", Reply.json({"pad": "x" * 10_000}))
    with make_client(stub.url, max_response_bytes=4096) as client:
        client.set_access_token(TOKEN)
        with pytest.raises(ProtocolError, match="limit"):
            client.get("/big")


def test_an_oversized_answer_without_a_length_is_refused_while_reading(
    stub: StubHttpServer,
) -> None:
    body = json.dumps({"pad": "x" * 50_000}).encode()
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 1000]), body[i : i + 1000])
        for i in range(0, len(body), 1000)
    )
    headers = (("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"))
    stub.route("GET", "/api/v1/big", Reply(200, chunked + b"0\r\n\r\n", headers))
    with make_client(stub.url, max_response_bytes=8192) as client:
        client.set_access_token(TOKEN)
        with pytest.raises(ProtocolError, match="limit"):
            client.get("/big")


def test_a_gzip_bomb_is_refused(stub: StubHttpServer) -> None:
    bomb = gzip.compress(b'{"pad": "' + b"0" * 20_000_000 + b'"}')
    assert len(bomb) < 100_000
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
    stub.route("GET", "/api/v1/bomb", Reply(200, bomb, headers))
    with make_client(stub.url, max_response_bytes=1_000_000) as client:
        client.set_access_token(TOKEN)
        with pytest.raises(ProtocolError, match="limit"):
            client.get("/bomb")


def test_an_answer_cut_short_is_offline_and_retryable(
    stub: StubHttpServer, client: CentralClient
) -> None:
    headers = (
        ("Content-Type", "application/json"),
        ("Content-Length", "500"),
        ("Connection", "close"),
    )
    stub.route("GET", "/api/v1/health", Reply(200, b'{"partial": ', headers))
    client.set_access_token(TOKEN)
    with pytest.raises(Offline) as caught:
        client.get("/health")
    assert is_retryable(caught.value)


def test_a_lost_response_is_offline_but_the_server_got_the_request(
    stub: StubHttpServer,
) -> None:
    stub.route("POST", "/api/v1/sync/push", Reply.json({"last_mutation_id": 1}))
    with (
        FaultProxy(stub.port, lambda i: Faults(lose_response=True)) as proxy,
        make_client(proxy.url) as client,
    ):
        client.set_access_token(TOKEN)
        with pytest.raises(Offline):
            client.post("/sync/push", {"mutations": [{"id": 1}]})
    assert [r.json() for r in stub.received] == [{"mutations": [{"id": 1}]}]


# --- the network policy ----------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_is_offline() -> None:
    with make_client(f"http://127.0.0.1:{_closed_port()}") as client:
        client.set_access_token(TOKEN)
        with pytest.raises(Offline) as caught:
            client.get("/health")
    assert caught.value.reason == "unreachable"
    assert is_retryable(caught.value)


def test_a_silent_server_hits_the_read_timeout(stub: StubHttpServer) -> None:
    stub.route("GET", "/api/v1/health", Reply(hang=True))
    with make_client(stub.url, timeouts=Timeouts(read=0.3, total=10)) as client:
        client.set_access_token(TOKEN)
        started = time.monotonic()
        with pytest.raises(RequestTimeout) as caught:
            client.get("/health")
    assert not isinstance(caught.value, DeadlineExceeded)
    assert time.monotonic() - started < 3


def test_the_watchdog_aborts_a_body_trickled_one_byte_per_second(stub: StubHttpServer) -> None:
    # Each byte arrives well within the read timeout, so only the total deadline can stop it.
    stub.route(
        "GET",
        "/api/v1/sync/pull",
        Reply.json({"ops": []}, trickle_s=1.0, trickle_headers=False),
    )
    with make_client(stub.url, timeouts=Timeouts(read=5, total=2.5)) as client:
        client.set_access_token(TOKEN)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            client.get("/sync/pull")
        elapsed = time.monotonic() - started
    assert 2.4 <= elapsed < 3.5
    assert client.counters.bytes_received > 0  # the headers and some trickled bytes came in


def test_the_watchdog_aborts_trickled_headers(stub: StubHttpServer) -> None:
    stub.route("GET", "/api/v1/health", Reply.json({"ok": True}, trickle_s=0.25))
    with make_client(stub.url, timeouts=Timeouts(read=5, total=1.0)) as client:
        client.set_access_token(TOKEN)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            client.get("/health")
    assert time.monotonic() - started < 2.0


def test_a_per_request_deadline_overrides_the_default(stub: StubHttpServer) -> None:
    stub.route("GET", "/api/v1/slow", Reply.json({"ok": True}, trickle_s=0.25))
    with make_client(stub.url, timeouts=Timeouts(read=5, total=60)) as client:
        client.set_access_token(TOKEN)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            client.get("/slow", deadline=0.8)
    assert time.monotonic() - started < 2.0


def test_one_aborted_request_leaves_the_others_alone(stub: StubHttpServer) -> None:
    stub.route("GET", "/api/v1/slow", Reply.json({"ok": True}, trickle_s=0.25))
    stub.route("GET", "/api/v1/health", Reply.json({"ok": True}))
    with make_client(stub.url, timeouts=Timeouts(read=5, total=1.0)) as client:
        client.set_access_token(TOKEN)
        outcome: list[BaseException] = []
        slow_started = threading.Event()

        def slow() -> None:
            slow_started.set()
            try:
                client.get("/slow")
            except BaseException as exc:
                outcome.append(exc)

        thread = threading.Thread(target=slow)
        thread.start()
        assert slow_started.wait(5)
        stub.wait_for_requests(1)
        answers = [client.get("/health") for _ in range(5)]
        thread.join(5)
        assert answers == [{"ok": True}] * 5
        assert len(outcome) == 1 and isinstance(outcome[0], DeadlineExceeded)
        assert client.get("/health") == {"ok": True}  # the pool was not poisoned


def test_a_shorter_deadline_fires_while_a_longer_one_waits(stub: StubHttpServer) -> None:
    # One watchdog thread serves every request: a deadline sooner than the one it sleeps
    # towards must wake it.
    stub.route("GET", "/api/v1/slow", Reply.json({"ok": True}, trickle_s=0.25))
    with make_client(stub.url, timeouts=Timeouts(read=5, total=60)) as client:
        client.set_access_token(TOKEN)
        outcome: list[object] = []
        thread = threading.Thread(target=lambda: outcome.append(client.get("/slow")))
        thread.start()
        stub.wait_for_requests(1)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            client.get("/slow", deadline=0.8)
        assert time.monotonic() - started < 2.0
        thread.join(30)
        assert outcome == [{"ok": True}]  # the long one ran to its end


def test_requests_start_no_thread_of_their_own(
    stub: StubHttpServer, client: CentralClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A timer thread per request waited, during a first sync, for the store's writer to let
    # go of the interpreter lock before the request could even be sent (9 ms a page).
    stub.route("GET", "/api/v1/health", Reply.json({"ok": True}))
    client.set_access_token(TOKEN)
    assert client.get("/health") == {"ok": True}  # the watchdog's thread may start here
    here = threading.current_thread()
    started: list[str] = []
    start = threading.Thread.start

    def counted(thread: threading.Thread) -> None:
        if threading.current_thread() is here:
            started.append(thread.name)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counted)
    assert [client.get("/health") for _ in range(5)] == [{"ok": True}] * 5
    assert started == []


def test_the_watchdog_thread_ends_when_idle_and_comes_back(
    stub: StubHttpServer, client: CentralClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A closed desk leaves no thread behind (the demo's switch of users checks every one).
    from sync import http as http_module

    monkeypatch.setattr(http_module._Watchdog, "_IDLE_S", 0.05)
    stub.route("GET", "/api/v1/health", Reply.json({"ok": True}))
    client.set_access_token(TOKEN)
    assert client.get("/health") == {"ok": True}

    def watchdogs() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "central-client-watchdog"]

    deadline = time.monotonic() + 10
    while watchdogs() and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    assert watchdogs() == []
    stub.route("GET", "/api/v1/slow", Reply.json({"ok": True}, trickle_s=0.25))
    with pytest.raises(DeadlineExceeded):  # a new thread watches again
        client.get("/slow", deadline=0.5)


# --- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("https://central.example.mn", "https://central.example.mn"),
        ("https://central.example.mn/", "https://central.example.mn"),
        ("https://central.example.mn/api/v1/", "https://central.example.mn"),
        ("HTTPS://central.example.mn:8443/desk", "https://central.example.mn:8443/desk"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:8765", "http://localhost:8765"),
    ],
)
def test_server_addresses_are_normalized(given: str, normalized: str) -> None:
    assert normalize_server_url(given) == normalized


@pytest.mark.parametrize(
    "bad",
    [
        "http://central.example.mn",  # a token in clear text over the network
        "ftp://central.example.mn",
        "central.example.mn",
        "https://user:pw@central.example.mn",
        "https://central.example.mn/?x=1",
    ],
)
def test_unsafe_server_addresses_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_server_url(bad)


@pytest.mark.parametrize("path", ["sync/push", "//evil.example/x", "https://evil.example/x"])
def test_only_api_paths_can_be_requested(
    stub: StubHttpServer, client: CentralClient, path: str
) -> None:
    client.set_access_token(TOKEN)
    with pytest.raises(ValueError):
        client.get(path)
    assert stub.received == []


# --- secrets stay out of logs ----------------------------------------------------------------


def test_tokens_and_passwords_never_reach_the_log(
    stub: StubHttpServer, client: CentralClient, caplog: pytest.LogCaptureFixture
) -> None:
    password = "Нууц-үг-123"
    stub.route("POST", "/api/v1/auth/login", Reply.error(401, "INVALID_CREDENTIALS"))
    stub.route("GET", "/api/v1/health", Reply.json({"ok": True}))
    caplog.set_level(logging.DEBUG)
    client.set_access_token(TOKEN)
    client.get("/health")
    errors: list[Exception] = []
    try:
        client.post("/auth/login", {"username": "bold", "password": password}, authenticated=False)
    except AuthExpired as exc:
        errors.append(exc)
    assert caplog.records  # something was logged, so the check below means something
    for text in (caplog.text, repr(client), *(str(e) for e in errors)):
        assert TOKEN not in text
        assert password not in text


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by nobody anyone trusts."""
    pytest.importorskip("cryptography")
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Government CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_stub(self_signed: tuple[Path, Path]) -> Iterator[StubHttpServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed)
    with StubHttpServer(tls=context) as server:
        server.route("GET", "/api/v1/health", Reply.json({"ok": True}))
        yield server


def test_an_untrusted_certificate_is_refused_and_not_retried(tls_stub: StubHttpServer) -> None:
    with make_client(tls_stub.url) as client:
        client.set_access_token(TOKEN)
        with pytest.raises(CertificateError) as caught:
            client.get("/health")
    assert not is_retryable(caught.value)
    assert tls_stub.received == []


def test_a_configured_ca_bundle_is_trusted(
    tls_stub: StubHttpServer, self_signed: tuple[Path, Path]
) -> None:
    with make_client(tls_stub.url, ca_bundle=self_signed[0]) as client:
        client.set_access_token(TOKEN)
        assert client.get("/health") == {"ok": True}
    assert tls_stub.received[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_a_missing_ca_bundle_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_client("https://127.0.0.1:1", ca_bundle=tmp_path / "missing.pem")


def test_received_requests_are_recorded_whole(stub: StubHttpServer, client: CentralClient) -> None:
    """The stub itself: a request body arrives intact (the other tests rely on it)."""
    payload = {"blob": "ж" * 10_000}
    stub.route(
        "POST",
        "/api/v1/echo",
        lambda r: Reply(200, r.body, (("Content-Type", "application/json"),)),
    )
    client.set_access_token(TOKEN)
    assert client.post("/echo", payload) == payload
    assert isinstance(stub.received[0], Received)
