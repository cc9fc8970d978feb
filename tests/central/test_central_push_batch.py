"""A push's mutations share one write transaction: one stamp, one commit, one announcement, and
still one result each; a mutation that fails is undone alone and leaves the others applied."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import func, select

import central.push_decision
from central.data.tables import audit_log, cases, commits, mutation_results, notes
from central.poke import CHANNEL
from central.server import ServerHandle
from tests.central.desk import Desk, add_note, create_case, new_id

POISON = "☠ poison in a batch"


def _scalar(server: ServerHandle, stmt: Any) -> Any:
    with server.services.engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def _seqs(server: ServerHandle, table: Any, *where: Any) -> set[int]:
    with server.services.engine.connect() as conn:
        return set(conn.execute(select(table.c.seq).where(*where)).scalars())


def test_a_push_of_many_mutations_is_one_commit_with_one_number(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    case_id = new_id()
    operator.push_one(*create_case(case_id))
    pushes = select(func.count()).select_from(commits).where(commits.c.kind == "push")
    before = _scalar(server, pushes)
    results = operator.push(*(add_note(case_id, f"тэмдэглэл {i}") for i in range(40)))
    assert [r["status"] for r in results] == ["applied"] * 40
    assert [r["id"] for r in results] == list(range(2, 42))
    assert _scalar(server, pushes) == before + 1
    mine = mutation_results.c.client_id == operator.client_id
    (seq,) = _seqs(server, mutation_results, mine, mutation_results.c.mutation_id > 1)
    assert seq > 0
    assert _seqs(server, notes, notes.c.case_id == case_id) == {seq}
    assert _seqs(
        server, audit_log, audit_log.c.client_id == operator.client_id, audit_log.c.mutation_id > 1
    ) == {seq}
    # The case's creation, pushed before, has an earlier number: numbers follow commits.
    (created,) = _seqs(server, mutation_results, mine, mutation_results.c.mutation_id == 1)
    assert created < seq
    assert operator.pull_raw()["last_mutation_id"] == 41


def test_refusals_and_conflicts_in_a_batch_keep_their_own_results(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    case_id = new_id()
    results = operator.push(
        create_case(case_id),
        add_note(case_id, "нэг"),
        ("add_note", {"case_id": new_id()}),  # invalid: no note id, no body
        add_note(new_id(), "no such case"),
        ("change_status", {"case_id": case_id, "from": "new", "to": "closed"}),
        add_note(case_id, "хоёр"),
    )
    assert [r["status"] for r in results][:2] == ["applied", "applied"]
    assert results[2]["status"] == "rejected"
    assert results[3]["status"] == "rejected"
    assert results[4]["status"] in ("conflict", "rejected")
    assert results[5]["status"] == "applied"
    assert len(_seqs(server, notes, notes.c.case_id == case_id)) == 1
    assert (
        len(_seqs(server, mutation_results, mutation_results.c.client_id == operator.client_id))
        == 1
    )


@pytest.fixture
def poisoned(monkeypatch: pytest.MonkeyPatch) -> None:
    real = central.push_decision.apply_mutation

    def apply(args: Any, *rest: Any) -> Any:
        if getattr(args, "subject", "") == POISON:
            raise RuntimeError("a bug in the mutator")
        return real(args, *rest)

    monkeypatch.setattr(central.push_decision, "apply_mutation", apply)


def test_a_crash_in_the_middle_of_a_batch_leaves_the_mutations_before_it_applied(
    poisoned: None, desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    case_id = new_id()
    before = [operator.envelope(*create_case(case_id))] + [
        operator.envelope(*add_note(case_id, f"өмнө {i}")) for i in range(5)
    ]
    bad = operator.envelope(*create_case(subject=POISON))
    after = [operator.envelope(*add_note(case_id, f"дараа {i}")) for i in range(5)]
    batch = [*before, bad, *after]
    first = operator.push_envelopes(batch)
    assert first.status_code == 503
    # The six before the poison are committed (in one transaction), nothing after it.
    assert operator.pull_raw()["last_mutation_id"] == 6
    note_rows = notes.c.case_id == case_id
    assert _scalar(server, select(func.count()).select_from(notes).where(note_rows)) == 5
    for _ in range(3):
        assert operator.push_envelopes(batch).status_code == 503
    last = operator.push_envelopes(batch)
    assert last.status_code == 200
    results = last.json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 6 + ["rejected"] + ["applied"] * 5
    assert results[6]["code"] == "SERVER_ERROR"
    assert last.json()["last_mutation_id"] == 12
    assert _scalar(server, select(func.count()).select_from(notes).where(note_rows)) == 10


def test_a_mutation_sees_the_effects_of_the_ones_before_it_in_its_batch(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    """One note sent twice in one batch: the second finds the first (written in the same
    transaction) and is the idempotent no-op it would be in a later push."""
    operator = desk("demo-operator")
    case_id = new_id()
    note_id = new_id()
    twice = ("add_note", {"note_id": note_id, "case_id": case_id, "body": "нэг"})
    results = operator.push(create_case(case_id), twice, twice, add_note(case_id, "дараа"))
    assert [r["status"] for r in results] == ["applied"] * 4
    assert (
        _scalar(server, select(func.count()).select_from(notes).where(notes.c.id == note_id)) == 1
    )
    assert (
        _scalar(server, select(func.count()).select_from(notes).where(notes.c.case_id == case_id))
        == 2
    )


def test_a_batch_notifies_once(desk: Callable[..., Desk], server: ServerHandle) -> None:
    engine = server.services.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's")
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    operator, sentinel = desk("demo-operator"), desk("demo-operator")
    case_id = new_id()
    operator.push_one(*create_case(case_id))
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
        operator.push(*(add_note(case_id, f"{i}") for i in range(30)))
        sentinel.push_one(*create_case())  # commits after the batch: its NOTIFY comes later
        senders = []
        for notice in listener.notifies(timeout=30):
            sender = json.loads(notice.payload)["c"]
            senders.append(sender)
            if sender == sentinel.client_id:
                break
    assert senders.count(operator.client_id) == 1
    assert senders[-1] == sentinel.client_id


def test_a_case_moved_twice_in_one_batch_reaches_only_its_first_and_last_holders(
    desk: Callable[..., Desk],
) -> None:
    """The batch logs one change of the case (its scope before the first reassignment, after
    the last): the first holder gets a remove, the last the case, the one in between nothing."""
    supervisor = desk("demo-supervisor")
    first, middle, last = desk("t1111-b-0"), desk("t1111-b-1"), desk("t1111-b-2")
    case_id = new_id()
    created = supervisor.push_one(*create_case(case_id, assignee="op-t1111-b-0"))
    assert created["status"] == "applied", created
    for holder in (first, middle, last):
        holder.sync()
    assert first.cases()[case_id]["assignee"] == "op-t1111-b-0"

    def move(expected: str, new: str) -> tuple[str, dict[str, Any]]:
        reason = "Ачаалал"
        args = {"case_id": case_id, "expected_assignee": expected, "new_assignee": new}
        return "reassign_case", {**args, "reason": reason}

    results = supervisor.push(
        move("op-t1111-b-0", "op-t1111-b-1"), move("op-t1111-b-1", "op-t1111-b-2")
    )
    assert [r["status"] for r in results] == ["applied", "applied"], results
    for holder in (first, middle, last):
        holder.sync()
    assert case_id not in first.cases()
    assert case_id not in middle.cases()
    assert last.cases()[case_id]["assignee"] == "op-t1111-b-2"


def test_two_batches_over_the_same_cases_in_opposite_orders_each_case_has_one_winner(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    """Batches hold their cases' locks to the commit: two supervisors crossing over the same
    cases may deadlock on PostgreSQL; one side is answered 503 (nothing lost, the desk sends
    again) and in the end each case went to exactly one of them, the other told who won."""
    creator = desk("demo-supervisor")
    ids = [new_id() for _ in range(12)]
    creator.push(*(create_case(i, assignee="op-t1111-b-0") for i in ids))
    one, two = desk("demo-supervisor"), desk("demo-supervisor")

    def moves(who: Desk, order: list[str], to: str) -> list[dict[str, Any]]:
        return [
            who.envelope(
                "reassign_case",
                {
                    "case_id": case_id,
                    "expected_assignee": "op-t1111-b-0",
                    "new_assignee": to,
                    "reason": "Ачаалал",
                },
            )
            for case_id in order
        ]

    batches = {
        one.client_id: (one, moves(one, ids, "op-t1111-b-1")),
        two.client_id: (two, moves(two, ids[::-1], "op-t1111-b-2")),
    }
    start = threading.Barrier(2)

    def send(client_id: str) -> list[dict[str, Any]]:
        who, envelopes = batches[client_id]
        start.wait(timeout=10)
        for _ in range(20):
            response = who.push_envelopes(envelopes)
            if response.status_code == 200:
                return list(response.json()["results"])
            assert response.status_code == 503, response.text
        raise AssertionError("still busy after 20 attempts")

    with ThreadPoolExecutor(2) as pool:
        answers = dict(zip(batches, pool.map(send, batches), strict=True))
    by_case: dict[str, list[tuple[str, dict[str, Any]]]] = {i: [] for i in ids}
    for client_id, results in answers.items():
        _, envelopes = batches[client_id]
        for envelope, result in zip(envelopes, results, strict=True):
            by_case[envelope["args"]["case_id"]].append((envelope["args"]["new_assignee"], result))
    with server.services.engine.connect() as conn:
        holders = dict(
            conn.execute(select(cases.c.id, cases.c.assignee).where(cases.c.id.in_(ids))).all()
        )
    for case_id, outcomes in by_case.items():
        statuses = sorted(result["status"] for _, result in outcomes)
        assert statuses == ["applied", "conflict"], outcomes
        (winner,) = [to for to, result in outcomes if result["status"] == "applied"]
        (loser,) = [result for _, result in outcomes if result["status"] == "conflict"]
        assert loser["code"] == "ASSIGNEE_CHANGED"
        assert holders[case_id] == winner


def test_concurrent_batches_over_shared_cases_do_not_deadlock(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    """Four desks push notes on the same cases in random orders at once: each batch locks its
    cases up front in id order, so none waits on another in a circle (no 503, nothing lost)."""
    author = desk("demo-operator")
    ids = [new_id() for _ in range(8)]
    author.push(*(create_case(i) for i in ids))
    writers = [desk("demo-operator") for _ in range(4)]
    rng = random.Random(7)
    batches = {
        w.client_id: (w, [w.envelope(*add_note(rng.choice(ids), "тэмдэглэл")) for _ in range(60)])
        for w in writers
    }
    start = threading.Barrier(len(writers))

    def send(client_id: str) -> int:
        who, envelopes = batches[client_id]
        start.wait(timeout=10)
        return who.push_envelopes(envelopes).status_code

    with ThreadPoolExecutor(len(writers)) as pool:
        statuses = list(pool.map(send, batches))
    assert statuses == [200] * len(writers)
    on_cases = select(func.count()).select_from(notes).where(notes.c.case_id.in_(ids))
    assert _scalar(server, on_cases) == 60 * len(writers)
