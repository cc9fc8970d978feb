"""A bad network between real desks and a real central service, through the fault proxy:
lost responses, duplicated and reordered requests, and a mix of drops, truncations and delays
under running engines. Every mutation must be applied exactly once and every desk converge.

`OPERATOR_DESK_FAULT_REPEATS` scales the amount of work (CI keeps the default).
"""

from __future__ import annotations

import os
import random
import threading
from dataclasses import replace

import pytest

from sync.headless import HeadlessDesk
from sync.scheduler import Trigger
from sync.status import SyncState
from tests.faults.proxy import FaultPlan, FaultProxy, Faults, ProxyStats
from tests.sync.checker import assert_audit_holds, assert_converged
from tests.sync.harness import PASSWORD, TEST_CONFIG, Central, Desks, new_case, new_note

REPEATS = max(1, int(os.environ.get("OPERATOR_DESK_FAULT_REPEATS", "1")))
USERS = ("demo-operator", "t1111-a-0", "demo-supervisor")


def make_work(desk: HeadlessDesk, rng: random.Random, count: int) -> int:
    """`count` local changes: new cases, and notes on cases the desk can see."""
    made = 0
    mine: list[str] = []
    for i in range(count):
        if i % 4 == 0 or not mine:
            args = new_case(subject=f"Гомдол {rng.randrange(10**6)}")
            mine.append(args.case_id)
            result = desk.submit(args)
        else:
            result = desk.submit(new_note(rng.choice(mine), f"Тэмдэглэл {i}"))
        made += result.queued
    return made


def sync_through(desks: list[HeadlessDesk], attempts: int = 200) -> None:
    """Run cycles round-robin until every desk had a clean one with nothing pending."""
    clean: set[int] = set()
    for _ in range(attempts):
        for index, desk in enumerate(desks):
            if index in clean:
                continue
            report = desk.engine.run_once(Trigger.RETRY)
            if report.ok and desk.store.pending_count() == 0:
                clean.add(index)
        if len(clean) == len(desks):
            return
    raise AssertionError(f"only {len(clean)} of {len(desks)} desks got through")


def finish(service: Central, proxy: FaultProxy, desks: list[HeadlessDesk]) -> None:
    proxy.set_plan(FaultPlan())
    for _ in range(2):
        for desk in desks:
            assert desk.sync_until_clean().ok
    for desk in desks:
        assert_converged(desk.store.path, service.url, desk.username, PASSWORD)  # type: ignore[attr-defined]
    assert_audit_holds(service.db.engine, [d.store.path for d in desks])


def test_thirty_percent_of_responses_lost(shared_central: Central, desks: Desks) -> None:
    rng = random.Random(30)
    config = replace(TEST_CONFIG, push_batch=3, pull_limit=50)
    with FaultProxy(shared_central.port, seed=30) as proxy:
        made = [desks.new(proxy.url, user, config=config) for user in USERS]
        for desk in made:
            assert desk.sync_until_clean().ok
        proxy.set_plan(FaultPlan(lose_response=0.3))
        for _ in range(REPEATS):
            for desk in made:
                make_work(desk, rng, 12)
            sync_through(made)
        stats = proxy.stats()
        assert stats.lost_responses >= 5, stats
        finish(shared_central, proxy, made)


def test_duplicated_and_reordered_requests_from_desks_syncing_at_once(
    shared_central: Central, desks: Desks
) -> None:
    rng = random.Random(7)
    config = replace(TEST_CONFIG, push_batch=4)
    with FaultProxy(shared_central.port, seed=7, hold_timeout_s=0.3) as proxy:
        made = [desks.new(proxy.url, user, config=config) for user in USERS]
        for desk in made:
            assert desk.sync_until_clean().ok
        proxy.set_plan(FaultPlan(duplicate=0.4, reorder=0.3))
        failures: list[BaseException] = []

        def run(desk: HeadlessDesk) -> None:
            try:
                sync_through([desk])
            except BaseException as exc:  # reported below, on the test's thread
                failures.append(exc)

        for _ in range(REPEATS):
            for desk in made:
                make_work(desk, rng, 12)
            threads = [threading.Thread(target=run, args=(d,)) for d in made]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            assert not failures, failures
        stats = proxy.stats()
        assert stats.duplicated >= 3 and stats.reordered >= 3, stats
        finish(shared_central, proxy, made)


def test_a_stale_push_arriving_after_its_retry_changes_nothing(
    shared_central: Central, desks: Desks
) -> None:
    config = replace(TEST_CONFIG, request_deadline_s=0.5)
    with FaultProxy(shared_central.port, hold_timeout_s=2.0) as proxy:
        desk = desks.new(proxy.url, "demo-operator", config=config)
        assert desk.sync_until_clean().ok
        args = new_case()
        desk.submit(args)
        desk.submit(new_note(args.case_id))
        held = proxy.stats().connections  # the next connection is the push
        proxy.set_plan(lambda index: Faults(reorder=index == held))

        report = desk.engine.run_once()
        assert report.problem is not None and report.problem.code == "offline"  # timed out
        report = desk.engine.run_once()  # the retry overtakes the held original
        assert report.ok, report.problem
        # The original reaches the server once the retry is answered: a repeat, skipped.
        proxy.wait_for(lambda s: s.requests_forwarded >= held + 3, timeout=10)
        assert proxy.stats().reordered == 1
        finish(shared_central, proxy, [desk])


def mixed_faults(index: int) -> Faults:
    """A fixed rotation of faults by connection number, so every kind occurs in every run
    however the engines' timing falls: drops, lost answers, answers cut short (in the head or
    the body), delays and duplicates."""
    return Faults(
        drop=index % 9 == 4,
        lose_response=index % 9 == 7,
        truncate_at=(20, 100, 180)[index % 3] if index % 6 == 1 else None,
        delay_s=0.2 if index % 10 == 3 else 0.0,
        duplicate=index % 8 == 2,
    )


ROUNDS_FOR_EVERY_FAULT = 20


def every_fault_met(stats: ProxyStats) -> bool:
    return bool(
        stats.truncated
        and stats.dropped
        and stats.lost_responses
        and stats.delayed
        and stats.duplicated
    )


def wait_quiet(desks: list[HeadlessDesk]) -> None:
    for desk in desks:
        quiet = desk.engine.status_board.wait_for(
            lambda s: s.pending == 0 and s.state is SyncState.ONLINE, timeout=120
        )
        assert quiet is not None, desk.engine.status


def test_running_engines_ride_out_drops_truncations_and_delays(
    shared_central: Central, desks: Desks
) -> None:
    rng = random.Random(11)
    config = replace(TEST_CONFIG, poke=True, push_batch=5, pull_limit=40)
    with FaultProxy(shared_central.port) as proxy:
        made = [desks.new(proxy.url, user, config=config) for user in USERS]
        proxy.set_plan(mixed_faults)
        for desk in made:
            desk.engine.start()
        for _ in range(REPEATS):
            for desk in made:
                make_work(desk, rng, 10)  # each save wakes its engine
        # Which connection carries what depends on the engines' timing: a connection planned
        # to be cut short may be a long poll still parked. More work until every kind of fault
        # has met a request (bounded), so the run proves the engines rode out all of them.
        for _ in range(ROUNDS_FOR_EVERY_FAULT):
            if every_fault_met(proxy.stats()):
                break
            for desk in made:
                make_work(desk, rng, 2)
            wait_quiet(made)
        wait_quiet(made)
        stats = proxy.stats()
        assert stats.connections >= 10, stats
        assert every_fault_met(stats), stats
        for desk in made:
            desk.engine.stop()
        finish(shared_central, proxy, made)


@pytest.mark.slow
def test_a_long_lossy_run(shared_central: Central, desks: Desks) -> None:
    """The same faults, longer: 3 rounds of work, times `OPERATOR_DESK_FAULT_REPEATS`."""
    rng = random.Random(99)
    config = replace(TEST_CONFIG, push_batch=5)
    plan = FaultPlan(drop=0.1, lose_response=0.2, truncate=0.1, duplicate=0.2, reorder=0.1)
    with FaultProxy(shared_central.port, seed=99, hold_timeout_s=0.2) as proxy:
        made = [desks.new(proxy.url, user, config=config) for user in USERS]
        proxy.set_plan(plan)
        for _ in range(3 * REPEATS):
            for desk in made:
                make_work(desk, rng, 8)
            sync_through(made)
        finish(shared_central, proxy, made)
