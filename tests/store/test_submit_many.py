"""Bulk local saves: one transaction, a result each, one announcement, outbox in list order."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from operator_app.domain.mutations import ReassignCase
from operator_app.store import CaseSyncState, Changes, Store

from .conftest import OPERATOR, OTHER_OPERATOR, SUPERVISOR, FakeClock, make_case, page, put

TIMEOUT = 60


def _cases(store: Store, n: int, assignee: str | None = OPERATOR.id) -> list[str]:
    cases = [make_case(assignee=assignee, subject=f"Асуудал {i}") for i in range(n)]
    store.apply_page(page([put("case", c) for c in cases])).result(timeout=TIMEOUT)
    return [c.id for c in cases]


def _reassign(case_id: str, expected: str | None = OPERATOR.id) -> ReassignCase:
    return ReassignCase(case_id, expected, OTHER_OPERATOR.id, reason="ачаалал")


def test_each_mutation_gets_its_own_result_and_a_refusal_stops_none(store: Store):
    ids = _cases(store, 4)
    batch = [
        _reassign(ids[0]),
        _reassign(ids[1], expected="someone-else"),  # stale: refused
        _reassign(ids[2]),
        _reassign(ids[3]),
    ]
    results = store.submit_many(batch, SUPERVISOR).result(timeout=TIMEOUT)
    assert [r.case_id for r in results] == ids
    assert [r.queued for r in results] == [True, False, True, True]
    assert results[1].refused is not None and results[1].refused.code == "ASSIGNEE_CHANGED"
    assert [r.mutation_id for r in results] == [1, None, 2, 3]  # no gap for the refusal
    assert store.case(ids[0]).assignee == OTHER_OPERATOR.id
    assert store.case(ids[1]).assignee == OPERATOR.id
    rows = store.rows([store.rid_of(i) for i in ids])
    assert [r.sync_state for r in rows] == [
        CaseSyncState.PENDING,
        CaseSyncState.SYNCED,
        CaseSyncState.PENDING,
        CaseSyncState.PENDING,
    ]


def test_the_outbox_takes_the_batch_in_list_order(store: Store):
    ids = _cases(store, 6)
    order = [ids[i] for i in (4, 0, 5, 2, 1, 3)]
    store.submit_many([_reassign(i) for i in order], SUPERVISOR).result(timeout=TIMEOUT)
    pending = store.pending()
    assert [e.case_id for e in pending] == order
    assert [e.id for e in pending] == sorted(e.id for e in pending)
    assert all(e.name == "reassign_case" for e in pending)


def test_the_same_case_twice_in_a_batch_sees_the_first_change(store: Store):
    [case_id] = _cases(store, 1)
    back = ReassignCase(case_id, OTHER_OPERATOR.id, OPERATOR.id)
    results = store.submit_many([_reassign(case_id), back], SUPERVISOR).result(TIMEOUT)
    assert [r.mutation_id for r in results] == [1, 2]
    assert store.case(case_id).assignee == OPERATOR.id


def test_subscribers_hear_of_the_whole_batch_once(store: Store):
    ids = _cases(store, 5)
    heard: list[Changes] = []
    store.subscribe(heard.append)
    store.submit_many([_reassign(i) for i in ids], SUPERVISOR).result(timeout=TIMEOUT)
    assert len(heard) == 1
    assert heard[0].case_ids == frozenset(ids)
    assert heard[0].rids == frozenset(store.rid_of(i) for i in ids)
    assert heard[0].outbox


def test_a_batch_refused_whole_announces_nothing(store: Store):
    ids = _cases(store, 2)
    heard: list[Changes] = []
    store.subscribe(heard.append)
    results = store.submit_many([_reassign(i, "nobody") for i in ids], SUPERVISOR).result(TIMEOUT)
    assert [r.queued for r in results] == [False, False]
    assert heard == [] and store.pending() == []
    assert store.submit_many([], SUPERVISOR).result(timeout=TIMEOUT) == []


def test_a_failing_mutation_undoes_the_whole_batch(store: Store):
    ids = _cases(store, 3)
    broken = object()  # not a mutation at all: the job raises half way through
    batch = [_reassign(ids[0]), broken, _reassign(ids[2])]
    with pytest.raises(AttributeError):
        store.submit_many(batch, SUPERVISOR).result(timeout=TIMEOUT)  # type: ignore[list-item]
    assert store.pending() == []
    assert store.case(ids[0]).assignee == OPERATOR.id
    # The writer's in-memory state was rolled back with the transaction.
    again = store.submit_many([_reassign(ids[0])], SUPERVISOR).result(timeout=TIMEOUT)
    assert again[0].mutation_id == 1
    assert store.rows([store.rid_of(ids[0])])[0].sync_state is CaseSyncState.PENDING


def test_readers_see_none_or_all_of_a_batch(db_path: Path, clock: FakeClock):
    store = Store.open(db_path, clock=clock)
    try:
        ids = _cases(store, 300)
        seen: set[int] = set()
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                seen.add(store.pending_count())

        reader = threading.Thread(target=watch)
        reader.start()
        try:
            batch = store.submit_many([_reassign(i) for i in ids], SUPERVISOR)
            assert all(r.queued for r in batch.result(timeout=TIMEOUT))
        finally:
            done.set()
            reader.join(TIMEOUT)
        seen.add(store.pending_count())
        assert seen <= {0, 300} and 300 in seen
    finally:
        store.close()


_CRASH_AFTER_BATCH = textwrap.dedent(
    """
    import os, sys
    from operator_app.domain.mutations import ReassignCase
    from operator_app.store import Store
    from tests.store.conftest import OTHER_OPERATOR, OPERATOR, SUPERVISOR

    store = Store.open(sys.argv[1])
    ids = sys.argv[2].split(",")
    batch = [ReassignCase(i, OPERATOR.id, OTHER_OPERATOR.id) for i in ids]
    results = store.submit_many(batch, SUPERVISOR).result(timeout=60)
    assert all(r.queued for r in results)
    os._exit(0)  # the desk dies: no close, no checkpoint
    """
)


def test_a_batch_survives_the_desk_dying_once_its_future_is_done(db_path: Path, clock):
    store = Store.open(db_path, clock=clock, threaded=False)
    ids = _cases(store, 50)
    store.close()
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-c", _CRASH_AFTER_BATCH, str(db_path), ",".join(ids)],
        cwd=root,
        check=True,
        timeout=TIMEOUT,
    )
    reopened = Store.open(db_path, clock=clock, threaded=False)
    try:
        assert [e.case_id for e in reopened.pending()] == ids
        assert all(reopened.case(i).assignee == OTHER_OPERATOR.id for i in ids)
    finally:
        reopened.close()
