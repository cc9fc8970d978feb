"""A malformed or hostile answer is a clear sync error: never a crash, never a corrupt cache.

A scripted stand-in for the central service answers the sign-in properly, then whatever each
test wants on pull and push. After every bad answer the cache must be exactly as before (same
cursor, same cases, integrity intact) and the next good answer must sync normally.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sync.engine import ProblemCode, SyncReport
from sync.headless import HeadlessDesk
from sync.protocol import MAX_PULL_LIMIT
from tests.faults.stub_http import Received, Reply, StubHttpServer
from tests.sync.harness import TEST_CONFIG, new_case, new_id, new_note

OPERATOR = {
    "id": "op-demo",
    "username": "demo-operator",
    "display_name": "Демо Оператор",
    "role": "operator",
    "centres": ["c1111"],
    "teams": ["t1111-a"],
    "primary_team": "t1111-a",
}
SERVER_TIME = "2026-03-02T02:00:00+00:00"
CASE_ID = "00000000-0000-4000-8000-00000000000a"


def case_data(case_id: str = CASE_ID, **changes: Any) -> dict[str, Any]:
    data = {
        "id": case_id,
        "centre": "c1111",
        "channel": "phone",
        "type": "complaint",
        "category": "health",
        "subject": "Эмнэлэгт дугаар авч чадахгүй байна",
        "description": "",
        "registered_at": "2026-03-01T02:00:00+00:00",
        "created_by": "op-demo",
        "status": "new",
        "priority": "normal",
        "team": "t1111-a",
        "assignee": "op-demo",
        "number": "2026-000001",
    }
    return {**data, **changes}


def page(cursor: str = "c-2", *, ops: list[Any] | None = None, **fields: Any) -> dict[str, Any]:
    body = {
        "cursor": cursor,
        "has_more": False,
        "last_mutation_id": 0,
        "server_time": SERVER_TIME,
        "ops": ops if ops is not None else [],
        "mutation_results": [],
    }
    return {**body, **fields}


def put_case(version: int = 1, **changes: Any) -> dict[str, Any]:
    data = case_data(**changes)
    return {"op": "put", "type": "case", "id": data["id"], "version": version, "data": data}


class FakeCentral:
    """Sign-in that works; pull and push answer whatever `pull`/`push` say next."""

    def __init__(self, server: StubHttpServer) -> None:
        self.pull: Callable[[Received], Reply] = lambda _r: Reply.json(page())
        self.push: Callable[[Received], Reply] = lambda _r: Reply.error(500, "SERVER_ERROR")
        grant = {
            "access_token": "access",
            "refresh_token": "refresh",
            "expires_in": 900,
            "operator": OPERATOR,
        }
        server.route("POST", "/api/v1/auth/login", Reply.json(grant))
        server.route("POST", "/api/v1/auth/refresh", Reply.json(grant))
        server.route("POST", "/api/v1/sync/pull", lambda r: self.pull(r))
        server.route("POST", "/api/v1/sync/push", lambda r: self.push(r))


@pytest.fixture
def fake(stub: StubHttpServer) -> FakeCentral:
    return FakeCentral(stub)


@pytest.fixture
def desk(stub: StubHttpServer, fake: FakeCentral, tmp_path: Path) -> Iterator[HeadlessDesk]:
    """A desk that has pulled one case (cursor "c-1")."""
    made = HeadlessDesk(stub.url, tmp_path / "desk", config=TEST_CONFIG)
    made.sign_in("demo-operator", "demo")
    fake.pull = lambda _r: Reply.json(page("c-1", ops=[put_case()]))
    assert made.engine.run_once().ok
    yield made
    made.close()


def snapshot(desk: HeadlessDesk) -> tuple[Any, ...]:
    with sqlite3.connect(desk.store.path) as conn:
        cases = conn.execute(
            "SELECT v.id, s.version, s.data, v.status FROM srv_case s JOIN case_view v USING (rid)"
        )
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        return (desk.store.sync_state().cursor, sorted(cases.fetchall()), integrity)


def refused(desk: HeadlessDesk, code: ProblemCode = ProblemCode.PROTOCOL) -> SyncReport:
    before = snapshot(desk)
    report = desk.engine.run_once()
    assert not report.ok
    assert report.problem is not None and report.problem.code == code, report.problem
    assert snapshot(desk) == before
    assert before[2] == [("ok",)]
    return report


HOSTILE_PAGES: dict[str, Any] = {
    "not an object": [],
    "no cursor": {k: v for k, v in page().items() if k != "cursor"},
    "a cursor that is a number": page(cursor=5),  # type: ignore[arg-type]
    "a cursor too long to send back": page(cursor="x" * 5000),
    "an empty cursor": page(cursor=""),
    "ops that are not a list": page(ops="ops"),  # type: ignore[arg-type]
    "an op of an unknown kind": page(ops=[{"op": "patch", "type": "case", "id": "x"}]),
    "a put without data": page(ops=[{"op": "put", "type": "case", "id": "x", "version": 2}]),
    "a remove without a reason": page(ops=[{"op": "remove", "type": "case", "id": CASE_ID}]),
    "a type that is a list": page(ops=[{**put_case(), "type": ["case"]}]),
    "a version that is text": page(ops=[{**put_case(), "version": "2"}]),
    "a case whose data names another case": page(
        ops=[{**put_case(2), "data": case_data(case_id=new_id())}]
    ),
    "a type the store does not know": page(
        ops=[{"op": "put", "type": "secret", "id": "x", "version": 2, "data": {}}]
    ),
    "acknowledging mutations never made": page(last_mutation_id=7),
    "a negative mutation id": page(last_mutation_id=-1),
    "results of mutations never made": page(mutation_results=[{"id": 3, "status": "applied"}]),
    "a result of a made-up status": page(mutation_results=[{"id": 1, "status": "lost"}]),
    "a server time that is no time": page(server_time="yesterday"),
    "has_more as text": page(has_more="yes"),
}


@pytest.mark.parametrize("answer", HOSTILE_PAGES.values(), ids=HOSTILE_PAGES.keys())
def test_a_malformed_page_changes_nothing(
    desk: HeadlessDesk, fake: FakeCentral, answer: Any
) -> None:
    fake.pull = lambda _r: Reply.json(answer)
    refused(desk)
    fake.pull = lambda _r: Reply.json(page("c-3", ops=[put_case(3, subject="Шинэ")]))
    report = desk.engine.run_once()
    assert report.ok, report.problem
    case = desk.store.case(CASE_ID)
    assert case is not None and case.subject == "Шинэ"


def test_a_page_the_store_cannot_apply_is_reported_and_changes_nothing(
    desk: HeadlessDesk, fake: FakeCentral
) -> None:
    broken = put_case(2)
    del broken["data"]["centre"]  # well-formed as an op, impossible as a case
    fake.pull = lambda _r: Reply.json(page(ops=[broken]))
    # The store's page check refuses it before any chunk is written: a protocol error.
    refused(desk, ProblemCode.PROTOCOL)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b"<html>maintenance</html>", (("Content-Type", "text/html"),)),
        Reply(200, b'{"cursor": "c", "cursor": "d"}', (("Content-Type", "application/json"),)),
        Reply(
            200,
            b"\x1f\x8b garbage",
            (("Content-Type", "application/json"), ("Content-Encoding", "gzip")),
        ),
        Reply(200, b'{"cursor": NaN}', (("Content-Type", "application/json"),)),
    ],
    ids=["html", "duplicate keys", "corrupt gzip", "NaN"],
)
def test_answers_that_are_not_json_objects_are_protocol_errors(
    desk: HeadlessDesk, fake: FakeCentral, reply: Reply
) -> None:
    fake.pull = lambda _r: reply
    refused(desk)


def test_a_reset_of_a_pull_that_had_no_cursor_is_refused(
    stub: StubHttpServer, fake: FakeCentral, tmp_path: Path
) -> None:
    fresh = HeadlessDesk(stub.url, tmp_path / "fresh", config=TEST_CONFIG)
    try:
        fresh.sign_in("demo-operator", "demo")
        fake.pull = lambda _r: Reply.json({"reset": {"reason": "epoch_changed"}})
        report = fresh.engine.run_once()
        assert report.problem is not None and report.problem.code == ProblemCode.PROTOCOL
        assert report.resets == ()
        assert not (tmp_path / "fresh" / "recovery").exists()
    finally:
        fresh.close()


def test_endless_resets_are_cut_short(desk: HeadlessDesk, fake: FakeCentral) -> None:
    def answer(received: Received) -> Reply:
        if received.json()["cursor"] is None:
            return Reply.json(page("c-9", ops=[put_case(9)]))
        return Reply.json({"reset": {"reason": "cursor_expired"}})

    fake.pull = answer
    fake.push = lambda _r: Reply.error(500, "SERVER_ERROR")  # nothing to push anyway
    report = desk.engine.run_once()
    # The first reset is honoured (its pull from scratch gives cursor c-9); asking again from
    # that fresh cursor, then again, is not believed.
    assert report.problem is not None and report.problem.code == ProblemCode.PROTOCOL
    assert len(report.resets) == TEST_CONFIG.max_resets
    assert len(report.recovery_copies) == TEST_CONFIG.max_resets


def test_a_server_stuck_on_one_cursor_is_left(desk: HeadlessDesk, fake: FakeCentral) -> None:
    fake.pull = lambda _r: Reply.json(page("c-1", has_more=True))
    refused(desk)


def push_answer(**fields: Any) -> Callable[[Received], Reply]:
    def answer(received: Received) -> Reply:
        ids = [m["id"] for m in received.json()["mutations"]]
        body = {
            "last_mutation_id": ids[-1],
            "results": [{"id": i, "status": "applied"} for i in ids],
            "server_time": SERVER_TIME,
        }
        return Reply.json({**body, **fields})

    return answer


@pytest.mark.parametrize(
    "fields",
    [
        {"last_mutation_id": 0},  # says it holds less than it was just sent
        {"last_mutation_id": 99},  # says it holds mutations never made
        {"results": [{"id": 42, "status": "applied"}]},
        {"results": "none"},
        {"server_time": None},
    ],
    ids=["behind", "ahead", "foreign results", "results not a list", "no server time"],
)
def test_an_impossible_push_answer_keeps_the_outbox(
    desk: HeadlessDesk, fake: FakeCentral, fields: dict[str, Any]
) -> None:
    desk.submit(new_case())
    fake.push = push_answer(**fields)
    refused(desk)
    assert desk.store.pending_count() == 1


def test_a_gap_the_server_cannot_mean_is_a_protocol_error(
    desk: HeadlessDesk, fake: FakeCentral
) -> None:
    desk.submit(new_case())
    fake.push = lambda _r: Reply.error(409, "MUTATION_GAP", expected_next_id=5)
    refused(desk)
    assert desk.store.pending_count() == 1


def test_a_gap_that_nothing_kept_here_can_fill_is_reported(
    desk: HeadlessDesk, fake: FakeCentral
) -> None:
    args = new_case()
    desk.submit(args)
    fake.push = push_answer()
    fake.pull = lambda _r: Reply.json(
        page("c-2", last_mutation_id=1, ops=[put_case(2, id=args.case_id)])
    )
    assert desk.engine.run_once().ok
    desk.submit(new_note(args.case_id))
    # The server lost mutation 1, and the desk's archive no longer has it.
    with sqlite3.connect(desk.store.path) as conn:
        conn.execute("DELETE FROM outbox_archive")
    fake.push = lambda _r: Reply.error(409, "MUTATION_GAP", expected_next_id=1)
    report = refused(desk, ProblemCode.MUTATION_GAP)
    assert report.retry_in_s is None
    assert desk.store.pending_count() == 1


def test_retry_after_is_honoured(desk: HeadlessDesk, fake: FakeCentral) -> None:
    desk.submit(new_case())
    fake.push = lambda _r: Reply(
        503,
        json.dumps({"code": "SERVER_BUSY", "message": "busy"}).encode(),
        (("Content-Type", "application/json"), ("Retry-After", "7")),
    )
    report = refused(desk, ProblemCode.SERVER_BUSY)
    assert report.retry_in_s is not None and report.retry_in_s >= 7


def test_a_desk_refused_by_the_server_says_forbidden(desk: HeadlessDesk, fake: FakeCentral) -> None:
    fake.pull = lambda _r: Reply.error(403, "FORBIDDEN", "this client id belongs to another")
    report = refused(desk, ProblemCode.FORBIDDEN)
    assert report.retry_in_s is None


def test_a_page_too_big_to_hold_is_refused(stub: StubHttpServer, tmp_path: Path) -> None:
    FakeCentral(stub)
    desk = HeadlessDesk(stub.url, tmp_path / "small", config=TEST_CONFIG)
    try:
        desk.client._max_response_bytes = 10_000  # type: ignore[attr-defined]
        desk.sign_in("demo-operator", "demo")
        huge = page(ops=[put_case(description="ы" * 20_000)])
        stub.route("POST", "/api/v1/sync/pull", Reply.json(huge))
        report = desk.engine.run_once()
        assert report.problem is not None and report.problem.code == ProblemCode.PROTOCOL
        assert desk.store.sync_state().cursor is None
    finally:
        desk.close()


def test_the_engine_stays_usable_after_every_kind_of_failure(
    desk: HeadlessDesk, fake: FakeCentral
) -> None:
    for bad in HOSTILE_PAGES.values():
        fake.pull = lambda _r, bad=bad: Reply.json(bad)
        assert not desk.engine.run_once().ok
    fake.pull = lambda _r: Reply.json(page("c-5", ops=[put_case(5, status="in_progress")]))
    assert desk.engine.run_once().ok
    assert desk.engine.status.last_error is None


def test_pages_are_asked_for_at_the_largest_size_the_server_grants(
    desk: HeadlessDesk, fake: FakeCentral
) -> None:
    # Pages of 500 cases made a first sync 5 % slower than pages of 1,000.
    limits: list[int] = []

    def answer(request: Received) -> Reply:
        limits.append(request.json()["limit"])
        return Reply.json(page("c-3"))

    fake.pull = answer
    assert desk.engine.run_once().ok
    assert limits == [MAX_PULL_LIMIT]


def test_timeouts_make_push_batches_and_pull_pages_smaller(
    stub: StubHttpServer, fake: FakeCentral, tmp_path: Path
) -> None:
    pushed: list[int] = []
    limits: list[int] = []

    def push(received: Received) -> Reply:
        pushed.append(len(received.json()["mutations"]))
        return Reply(hang=True) if pushed[-1] > 10 else push_answer()(received)

    def pull(received: Received) -> Reply:
        limits.append(received.json()["limit"])
        if limits[-1] > 100:
            return Reply(hang=True)
        return Reply.json(page("c-1", last_mutation_id=40))

    fake.push, fake.pull = push, pull
    config = replace(TEST_CONFIG, push_batch=40, pull_limit=400, request_deadline_s=0.3)
    desk = HeadlessDesk(stub.url, tmp_path / "slow-link", config=config)
    try:
        desk.sign_in("demo-operator", "demo")
        args = new_case()
        desk.submit(args)
        for _ in range(39):
            desk.submit(new_note(args.case_id))
        reports = [desk.engine.run_once() for _ in range(3)]
        assert all(r.problem is not None and r.problem.code == "offline" for r in reports)
        assert pushed[:3] == [40, 20, 10]  # halved after each timeout
        report = desk.sync_until_clean(attempts=20)
        assert report.ok, report.problem
        assert limits[:3] == [400, 200, 100]
        assert max(pushed[3:]) <= 16  # it grows back, a quarter at a time
        assert desk.store.pending_count() == 0
    finally:
        desk.close()


def test_saves_made_while_pushing_go_out_in_the_same_cycle(
    desk: HeadlessDesk, fake: FakeCentral
) -> None:
    args = new_case()
    desk.submit(args)
    answer = push_answer()
    batches: list[list[int]] = []

    def push(received: Received) -> Reply:
        batches.append([m["id"] for m in received.json()["mutations"]])
        if len(batches) == 1:
            desk.submit(new_note(args.case_id))  # the operator saves meanwhile
        return answer(received)

    fake.push = push
    fake.pull = lambda _r: Reply.json(page("c-2", last_mutation_id=2))
    report = desk.engine.run_once()
    assert report.ok, report.problem
    assert batches == [[1], [2]]
    assert report.pushed == 2
    assert desk.store.pending_count() == 0
