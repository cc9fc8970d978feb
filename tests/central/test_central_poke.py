"""Pokes: a long poll wakes for changes in the caller's scope, and only for those; between
server processes, pokes travel by PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
import requests

from central.server import ServerHandle, run_in_thread
from tests.central.desk import Desk, add_note, create_case, new_id
from tests.central.testbed import CentralDb


def poke(desk: Desk, timeout: float) -> requests.Response:
    return desk.get("/sync/poke", cursor=desk.cursor, timeout=timeout, client_id=desk.client_id)


def wait_until_waiting(server: ServerHandle, count: int) -> None:
    assert server.services.hub.wait_for_waiters(count, timeout=10), "the poll never waited"


def test_a_change_in_scope_wakes_the_long_poll(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    supervisor, operator = desk("demo-supervisor"), desk("demo-operator")
    case_id = new_id()
    operator.push(create_case(case_id))
    supervisor.sync()
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        waiting: Future[requests.Response] = pool.submit(poke, supervisor, 20)
        wait_until_waiting(server, 1)
        operator.push(add_note(case_id))
        response = waiting.result(timeout=20)
    assert response.status_code == 200
    assert response.json()["changed"] is True
    assert time.monotonic() - started < 10


def test_a_change_outside_the_scope_does_not(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator, elsewhere = desk("t1900-a-0"), desk("demo-supervisor")
    operator.sync()
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(poke, operator, 1.5)
        wait_until_waiting(server, 1)
        elsewhere.push(create_case(centre="c1800", team="t1800-a"))
        response = waiting.result(timeout=20)
    assert response.json()["changed"] is False


def test_a_desk_is_not_woken_by_its_own_push(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    # It has its results in the push's answer and pulls right after: a poke would only cost it
    # a second round (and the server a poll answered, a pull and a poll again, per push).
    operator, supervisor = desk("demo-operator"), desk("demo-supervisor")
    case_id = new_id()
    operator.push(create_case(case_id))
    operator.sync()
    supervisor.sync()
    with ThreadPoolExecutor(2) as pool:
        own = pool.submit(poke, operator, 2)
        other = pool.submit(poke, supervisor, 20)
        wait_until_waiting(server, 2)
        operator.push(add_note(case_id))
        assert other.result(timeout=20).json()["changed"] is True  # the change was announced
        assert own.result(timeout=20).json()["changed"] is False


def test_news_already_waiting_answer_at_once(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    operator.sync()
    operator.push(create_case())
    started = time.monotonic()
    assert poke(operator, 20).json()["changed"] is True
    assert time.monotonic() - started < 5
    operator.sync()
    assert poke(operator, 0).json()["changed"] is False
    garbage = operator.get("/sync/poke", cursor="not-a-cursor", timeout=20)
    assert garbage.json()["changed"] is True  # the pull will answer with a reset


@pytest.mark.parametrize("backend", ["postgresql"])
def test_pokes_cross_server_processes_by_notify(
    make_db: Callable[..., CentralDb], backend: str
) -> None:
    db = make_db(backend)
    with run_in_thread(db.settings) as first, run_in_thread(db.settings) as second:
        writer = Desk(first.url, "demo-operator")
        reader = Desk(second.url, "demo-supervisor")
        reader.sync()
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(poke, reader, 20)
            wait_until_waiting(second, 1)
            started = time.monotonic()
            writer.push(create_case())
            response = waiting.result(timeout=20)
        assert response.json()["changed"] is True
        assert time.monotonic() - started < 5
        assert first.services.hub.waiting == 0
