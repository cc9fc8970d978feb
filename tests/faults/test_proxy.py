"""The fault proxy does what each fault says, against a tiny real HTTP server."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.faults.proxy import FaultPlan, FaultProxy, Faults
from tests.faults.stub_http import Received, Reply, StubHttpServer


@pytest.fixture
def upstream() -> Iterator[StubHttpServer]:
    with StubHttpServer() as server:
        server.route("GET", "/hello", Reply.json({"hello": "сайн уу"}))
        server.route(
            "POST", "/echo", lambda r: Reply(200, r.body, (("Content-Type", "text/plain"),))
        )
        yield server


def script(faults_by_index: dict[int, Faults]) -> Callable[[int], Faults]:
    """A scripted plan: the given faults for those connection numbers, none for the rest."""
    return lambda index: faults_by_index.get(index, Faults())


def exchange(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes and read until the other side closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n".encode()


def post(path: str, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def body_of(response: bytes) -> bytes:
    return response.split(b"\r\n\r\n", 1)[1]


# --- plain forwarding ------------------------------------------------------------------------


def test_it_forwards_and_counts_every_byte(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port) as proxy:
        request = get("/hello")
        response = exchange(proxy.port, request)
        stats = proxy.wait_for(lambda s: s.bytes_to_client == len(response))
    assert response.startswith(b"HTTP/1.1 200 ")
    assert json.loads(body_of(response)) == {"hello": "сайн уу"}
    assert stats.connections == 1 and stats.requests_forwarded == 1
    assert stats.bytes_from_client == len(request)
    assert stats.bytes_from_upstream > 0 and stats.bytes_to_upstream > 0


def test_one_connection_is_one_exchange(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port) as proxy:
        response = exchange(proxy.port, get("/hello"))
    assert b"\r\nConnection: close\r\n" in response
    assert upstream.received[0].headers["connection"] == "close"


def test_a_chunked_answer_is_forwarded_whole(upstream: StubHttpServer) -> None:
    chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    upstream.route("GET", "/chunked", Reply(200, chunked, (("Transfer-Encoding", "chunked"),)))
    with FaultProxy(upstream.port) as proxy:
        response = exchange(proxy.port, get("/chunked"))
    assert body_of(response) == chunked


def test_it_listens_on_loopback_only_and_forwards_to_loopback_only(
    upstream: StubHttpServer,
) -> None:
    with FaultProxy(upstream.port) as proxy:
        assert proxy.address[0] == "127.0.0.1"
    with pytest.raises(ValueError):
        FaultProxy(80, upstream_host="192.0.2.10")


def test_after_stop_nothing_listens(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port) as proxy:
        port = proxy.port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_stop_cuts_an_exchange_in_flight(upstream: StubHttpServer) -> None:
    upstream.route("GET", "/hang", Reply(hang=True))
    proxy = FaultProxy(upstream.port)
    proxy.start()
    outcome: list[bytes] = []
    client = threading.Thread(target=lambda: outcome.append(exchange(proxy.port, get("/hang"))))
    client.start()
    upstream.wait_for_requests(1)
    started = time.monotonic()
    proxy.stop()
    client.join(5)
    assert time.monotonic() - started < 3
    assert outcome == [b""]


# --- the faults ------------------------------------------------------------------------------


def test_drop_closes_before_forwarding(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port, script({0: Faults(drop=True)})) as proxy:
        assert exchange(proxy.port, get("/hello")) == b""
        stats = proxy.wait_for(lambda s: s.dropped == 1)
        assert exchange(proxy.port, get("/hello")).startswith(b"HTTP/1.1 200")
    assert stats.requests_forwarded == 0
    assert len(upstream.received) == 1  # only the second request ever arrived


def test_a_lost_response_reaches_the_server_but_not_the_client(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port, script({0: Faults(lose_response=True)})) as proxy:
        assert exchange(proxy.port, post("/echo", b"mutation 1")) == b""
        stats = proxy.wait_for(lambda s: s.lost_responses == 1)
    assert [r.body for r in upstream.received] == [b"mutation 1"]
    assert stats.bytes_from_upstream > 0 and stats.bytes_to_client == 0


def test_delay_holds_the_request_back(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port, script({0: Faults(delay_s=0.3)})) as proxy:
        started = time.monotonic()
        response = exchange(proxy.port, get("/hello"))
        elapsed = time.monotonic() - started
        assert proxy.stats().delayed == 1
    assert response.startswith(b"HTTP/1.1 200")
    assert elapsed >= 0.3


def test_duplicate_sends_the_request_twice_and_answers_once(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port, script({0: Faults(duplicate=True)})) as proxy:
        response = exchange(proxy.port, post("/echo", b"push id=7"))
        assert proxy.stats().duplicated == 1
    assert body_of(response) == b"push id=7"
    assert response.count(b"HTTP/1.1") == 1
    assert [r.body for r in upstream.received] == [b"push id=7", b"push id=7"]


def test_reorder_releases_a_held_request_after_the_next_one(upstream: StubHttpServer) -> None:
    plan = script({0: Faults(reorder=True)})
    with FaultProxy(upstream.port, plan, hold_timeout_s=5) as proxy:
        held: list[bytes] = []
        first = threading.Thread(
            target=lambda: held.append(exchange(proxy.port, post("/echo", b"push 1")))
        )
        first.start()
        proxy.wait_for(lambda s: s.reordered == 1)
        second = exchange(proxy.port, post("/echo", b"push 2"))
        first.join(5)
    assert body_of(second) == b"push 2"
    assert [body_of(r) for r in held] == [b"push 1"]
    assert [r.body for r in upstream.received] == [b"push 2", b"push 1"]


def test_a_held_request_is_released_by_the_timeout_when_nothing_follows(
    upstream: StubHttpServer,
) -> None:
    with FaultProxy(upstream.port, script({0: Faults(reorder=True)}), hold_timeout_s=0.3) as proxy:
        started = time.monotonic()
        response = exchange(proxy.port, get("/hello"))
    assert response.startswith(b"HTTP/1.1 200")
    assert time.monotonic() - started >= 0.3


def test_truncate_cuts_the_answer_after_n_bytes(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port, script({0: Faults(truncate_at=20)})) as proxy:
        response = exchange(proxy.port, get("/hello"))
        stats = proxy.wait_for(lambda s: s.truncated == 1)
    assert len(response) == 20
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert stats.bytes_to_client == 20
    assert len(upstream.received) == 1  # the server did the work


def test_throttle_limits_bytes_per_second_both_ways(upstream: StubHttpServer) -> None:
    rate = 20_000
    payload = b"x" * 6_000
    with FaultProxy(upstream.port, script({0: Faults(throttle_bps=rate)})) as proxy:
        started = time.monotonic()
        response = exchange(proxy.port, post("/echo", payload))
        elapsed = time.monotonic() - started
        stats = proxy.stats()
    assert body_of(response) == payload
    carried = stats.bytes_to_upstream + stats.bytes_to_client
    assert carried > 2 * len(payload)
    assert elapsed >= carried / rate  # ~0.6 s at least, where unthrottled takes milliseconds


def test_latency_is_added_each_way(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port, script({0: Faults(latency_s=0.2)})) as proxy:
        started = time.monotonic()
        exchange(proxy.port, get("/hello"))
    assert time.monotonic() - started >= 0.4


def test_set_plan_changes_the_faults_of_later_connections(upstream: StubHttpServer) -> None:
    with FaultProxy(upstream.port) as proxy:
        assert exchange(proxy.port, get("/hello")).startswith(b"HTTP/1.1 200")
        proxy.set_plan(FaultPlan(drop=1.0))  # the link goes down
        assert exchange(proxy.port, get("/hello")) == b""
        proxy.set_plan(FaultPlan())
        assert exchange(proxy.port, get("/hello")).startswith(b"HTTP/1.1 200")
    assert len(upstream.received) == 2


# --- seeded plans ----------------------------------------------------------------------------


def test_a_plan_draws_the_same_faults_for_the_same_seed() -> None:
    plan = FaultPlan(drop=0.2, lose_response=0.2, duplicate=0.3, reorder=0.1, truncate=0.1)
    first = [plan.draw(rng) for rng in [random.Random(5)] for _ in range(50)]
    second = [plan.draw(rng) for rng in [random.Random(5)] for _ in range(50)]
    third = [plan.draw(rng) for rng in [random.Random(6)] for _ in range(50)]
    assert first == second
    assert first != third


def test_a_plan_follows_its_probabilities() -> None:
    plan = FaultPlan(drop=0.3, lose_response=0.5, delay=0.2, throttle_bps=1000, latency_s=0.01)
    rng = random.Random(11)
    draws = [plan.draw(rng) for _ in range(4000)]
    assert 0.27 < sum(d.drop for d in draws) / 4000 < 0.33
    assert not any(d.drop and d.lose_response for d in draws)  # a dropped request is not answered
    # lose_response applies to what was not dropped: 0.5 of 0.7
    assert 0.32 < sum(d.lose_response for d in draws) / 4000 < 0.38
    assert 0.17 < sum(d.delay_s > 0 for d in draws) / 4000 < 0.23
    assert all(d.throttle_bps == 1000 and d.latency_s == 0.01 for d in draws)
    assert not any(d.duplicate or d.reorder or d.truncate_at for d in draws)


def test_a_plan_rejects_impossible_probabilities() -> None:
    with pytest.raises(ValueError):
        FaultPlan(drop=1.5)
    with pytest.raises(ValueError):
        FaultPlan(truncate_range=(10, 5))


def test_the_proxy_applies_the_seeded_plan_in_connection_order(upstream: StubHttpServer) -> None:
    plan = FaultPlan(drop=0.5)
    rng = random.Random(3)
    expected_drops = sum(plan.draw(rng).drop for _ in range(20))
    assert 0 < expected_drops < 20
    with FaultProxy(upstream.port, plan, seed=3) as proxy:
        answered = sum(exchange(proxy.port, get("/hello")) != b"" for _ in range(20))
        stats = proxy.stats()
    assert stats.dropped == expected_drops
    assert answered == 20 - expected_drops
    assert len(upstream.received) == answered


def test_requests_reach_the_stub_intact(upstream: StubHttpServer) -> None:
    """The stub itself, which the other tests rely on."""
    with FaultProxy(upstream.port) as proxy:
        exchange(proxy.port, post("/echo", "Улаанбаатар".encode()))
    [request] = upstream.received
    assert isinstance(request, Received)
    assert (request.method, request.path, request.body) == ("POST", "/echo", "Улаанбаатар".encode())
