"""The sync engine against a real central service (SQLite and PostgreSQL): first sync, pushing
offline work, the status the UI sees, the worker thread, pokes, sign-in trouble, upgrades and
the clock offset."""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from operator_app.store import Changes, PageSummary, Store, bulk_load
from operator_app.store.connection import database, open_writer
from operator_app.store.migrations import migrate
from operator_app.store.write_jobs import DURABLE_KEY
from sync.engine import STALLED_CYCLES, ProblemCode, SyncEngine
from sync.errors import DeadlineExceeded, Offline, RequestTimeout
from sync.headless import HeadlessDesk
from sync.poke import HEALTH_PATH
from sync.pull import PULL_PATH
from sync.push import PUSH_PATH
from sync.report import SyncReport
from sync.scheduler import Trigger
from sync.status import SyncState
from tests.central.testbed import CentralDb
from tests.faults.proxy import FaultPlan, FaultProxy, Faults
from tests.store.conftest import make_case, note_for, page, put
from tests.sync.checker import assert_audit_holds, assert_converged
from tests.sync.harness import (
    PASSWORD,
    TEST_CONFIG,
    Central,
    Desks,
    free_port,
    new_case,
    new_note,
    wait_until,
)


def test_a_first_sync_brings_the_scope_page_by_page_and_the_checker_agrees(
    backend: str, make_central_db: Callable[..., CentralDb], desks: Desks
) -> None:
    service = Central(make_central_db(backend, cases=120)).start()
    try:
        desk = desks.new(service.url, "demo-supervisor", config=replace(TEST_CONFIG, pull_limit=25))
        pages: list[object] = []
        desk.engine.subscribe_pages(pages.append)
        report = desk.engine.run_once()
        assert report.ok, report.problem
        assert report.cases == 120
        assert report.pages == len(pages) >= 5
        assert desk.store.sync_state().cursor is not None
        assert_converged(desk.store.path, service.url, "demo-supervisor", PASSWORD)

        # The checker is not a rubber stamp: a lost note or a changed field is seen.
        with sqlite3.connect(desk.store.path) as conn:
            conn.execute("DELETE FROM srv_note WHERE id = (SELECT id FROM srv_note LIMIT 1)")
        with pytest.raises(AssertionError, match="note: 1 only on the server"):
            assert_converged(desk.store.path, service.url, "demo-supervisor", PASSWORD)
    finally:
        service.stop()


def test_offline_work_is_pushed_in_batches_and_acknowledged(
    shared_central: Central, desks: Desks
) -> None:
    desk = desks.new(shared_central.url, "demo-operator", config=replace(TEST_CONFIG, push_batch=4))
    assert desk.engine.run_once().ok
    cases = [new_case() for _ in range(3)]
    for args in cases:
        assert desk.submit(args).queued
        for _ in range(2):
            assert desk.submit(new_note(args.case_id)).queued
    assert desk.store.pending_count() == 9
    assert desk.engine.status.pending == 9

    report = desk.engine.run_once()
    assert report.ok, report.problem
    assert report.pushed == 9
    assert report.acknowledged == 9
    assert report.results == ()  # nothing rejected, nothing in conflict
    assert desk.store.pending_count() == 0
    status = desk.engine.status
    assert (status.state, status.pending, status.last_error) == (SyncState.ONLINE, 0, None)
    assert status.last_synced_at is not None
    for args in cases:
        case = desk.store.case(args.case_id)
        assert case is not None and case.number is not None  # the permanent number arrived
        assert len(desk.store.notes(args.case_id)) == 2
    assert_converged(desk.store.path, shared_central.url, "demo-operator", PASSWORD)
    assert_audit_holds(shared_central.db.engine, [desk.store.path])


def test_offline_the_status_says_so_and_the_work_waits(
    shared_central: Central, desks: Desks
) -> None:
    with FaultProxy(shared_central.port) as proxy:
        desk = desks.new(proxy.url, "demo-operator")
        assert desk.engine.run_once().ok
        proxy.set_plan(lambda _i: Faults(drop=True))
        args = new_case()
        desk.submit(args)

        report = desk.engine.run_once()
        assert not report.ok
        assert report.problem is not None and report.problem.code == ProblemCode.OFFLINE
        assert report.retry_in_s is not None and report.retry_in_s <= TEST_CONFIG.backoff_cap_s
        status = desk.engine.status
        assert status.state is SyncState.OFFLINE
        assert status.pending == 1
        assert status.last_error is not None and status.last_error.code == "offline"
        assert desk.store.case(args.case_id) is not None  # the operator keeps working

        proxy.set_plan(FaultPlan())
        report = desk.engine.run_once(Trigger.RECONNECT)
        assert report.ok
        status = desk.engine.status
        assert (status.state, status.pending, status.last_error) == (SyncState.ONLINE, 0, None)


def test_the_worker_syncs_local_saves_and_pokes_bring_other_desks_changes(
    shared_central: Central, desks: Desks
) -> None:
    config = replace(TEST_CONFIG, poke=True)
    writer = desks.new(shared_central.url, "demo-operator", config=config)
    reader = desks.new(shared_central.url, "demo-supervisor", config=config)
    writer.engine.start()
    reader.engine.start()
    assert writer.engine.sync_now().result(30).ok
    assert reader.engine.sync_now().result(30).ok

    args = new_case()
    arrived = threading.Event()

    def watch(changes: Changes) -> None:
        if args.case_id in changes.case_ids and reader.store.case(args.case_id) is not None:
            arrived.set()

    reader.store.subscribe(watch)
    writer.submit(args)  # no sync asked for: the save itself is the trigger
    assert arrived.wait(20), "the supervisor's desk never heard of the new case"
    assert writer.engine.status_board.wait_for(lambda s: s.pending == 0, 10) is not None
    case = reader.store.case(args.case_id)
    assert case is not None and case.number is not None

    writer.engine.stop()
    reader.engine.stop()
    assert not writer.engine.running and not reader.engine.running


def test_an_expired_access_token_is_refreshed_once_and_the_sync_goes_on(
    shared_central: Central, desks: Desks
) -> None:
    desk = desks.new(shared_central.url, "demo-operator")
    before = desk.credentials.session
    desk.client.set_access_token("no-longer-valid")
    desk.submit(new_case())
    report = desk.engine.run_once()
    assert report.ok, report.problem
    assert desk.credentials.session is not before  # rotated
    assert desk.store.pending_count() == 0


def test_a_refused_sign_in_pauses_syncing_and_keeps_the_outbox(
    shared_central: Central, desks: Desks
) -> None:
    desk = desks.new(shared_central.url, "demo-operator")
    assert desk.engine.run_once().ok
    desk.credentials.logout()
    desk.submit(new_case())
    report = desk.engine.run_once()
    assert report.problem is not None and report.problem.code == ProblemCode.UNAUTHENTICATED
    assert desk.engine.status.state is SyncState.UNAUTHENTICATED
    assert desk.store.pending_count() == 1

    desk.sign_in("demo-operator", PASSWORD)
    assert desk.engine.sync_now().result(30).ok
    assert desk.store.pending_count() == 0


def test_a_server_that_wants_a_newer_desk_keeps_the_outbox(
    shared_central: Central, desks: Desks
) -> None:
    desk = desks.new(
        shared_central.url, "demo-operator", config=replace(TEST_CONFIG, schema_version=0)
    )
    args = new_case()
    desk.submit(args)
    report = desk.engine.run_once()
    assert report.problem is not None and report.problem.code == ProblemCode.UPGRADE_REQUIRED
    assert report.retry_in_s is None  # no point retrying: only an upgrade helps
    assert desk.engine.status.state is SyncState.UPGRADE_REQUIRED
    assert [e.case_id for e in desk.store.pending()] == [args.case_id]


def test_the_clock_offset_is_measured_and_a_skewed_clock_never_blocks_work(
    shared_central: Central, desks: Desks
) -> None:
    def skewed() -> datetime:
        return datetime.now(UTC) + timedelta(minutes=10)

    desk = desks.new(shared_central.url, "demo-operator", clock=skewed)
    desk.submit(new_case())
    report = desk.engine.run_once()
    assert report.ok
    status = desk.engine.status
    assert status.clock_offset_s == pytest.approx(-600, abs=5)
    assert status.clock_warning
    assert desk.store.sync_state().clock_offset_s == pytest.approx(-600, abs=5)
    assert desk.store.pending_count() == 0


def test_engines_of_several_desks_share_nothing(shared_central: Central, desks: Desks) -> None:
    first = desks.new(shared_central.url, "demo-operator")
    second = desks.new(shared_central.url, "demo-operator")
    assert first.engine.client_id != second.engine.client_id
    for desk in (first, second):
        desk.submit(new_case())
        assert desk.engine.run_once().ok
    # Each numbers its own mutations from 1.
    assert first.store.last_mutation_id() == second.store.last_mutation_id() == 1
    assert isinstance(first.engine, SyncEngine)
    assert_audit_holds(shared_central.db.engine, [first.store.path, second.store.path])


def test_a_desk_that_went_offline_syncs_as_soon_as_the_link_returns(
    shared_central: Central, desks: Desks
) -> None:
    # A backoff of minutes: only the reconnect probe can bring the desk back within the test.
    config = replace(
        TEST_CONFIG, poke=True, backoff_base_s=300.0, backoff_cap_s=300.0, reconnect_probe_s=0.2
    )
    with FaultProxy(shared_central.port) as proxy:
        desk = desks.new(proxy.url, "demo-operator", config=config, rng=random.Random(3))
        triggers: list[Trigger] = []
        desk.engine.subscribe_reports(lambda report: triggers.append(report.trigger))
        proxy.set_plan(lambda _i: Faults(drop=True))
        desk.engine.start()
        board = desk.engine.status_board
        assert desk.engine.wait_for_cycles(1, 10)
        first = desk.engine.last_report
        assert first is not None and first.problem is not None
        assert board.current.state is SyncState.OFFLINE
        assert first.retry_in_s is not None and first.retry_in_s > 30
        desk.submit(new_case())  # held back by the backoff
        proxy.set_plan(FaultPlan())
        back = board.wait_for(lambda s: s.state is SyncState.ONLINE and s.pending == 0, 20)
        assert back is not None, board.current
        assert Trigger.RECONNECT in triggers
        desk.engine.stop()


def test_a_server_that_answers_the_probe_all_along_keeps_its_backoff(
    shared_central: Central, desks: Desks, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pulls time out (a slow server, a middlebox cutting large answers) while /health
    # answers. The probe took every answer for a link that came back, and its reconnect
    # went through the backoff: a cycle every probe interval instead of minutes apart.
    config = replace(
        TEST_CONFIG, poke=True, backoff_base_s=300.0, backoff_cap_s=300.0, reconnect_probe_s=0.2
    )
    desk = desks.new(shared_central.url, "demo-operator", config=config, rng=random.Random(5))
    link = desk.engine._link
    post, get = link.post, link.get
    probes: list[str] = []

    def slow_pull(path: str, *args, **kwargs):
        if path == PULL_PATH:
            raise DeadlineExceeded("deadline", "no complete answer in time")
        return post(path, *args, **kwargs)

    def counted(path: str, *args, **kwargs):
        if path == HEALTH_PATH:
            probes.append(path)
            if len(probes) == 1:  # a probe that times out is no sign of a link that was down
                raise RequestTimeout("read", "the probe took too long")
        return get(path, *args, **kwargs)

    monkeypatch.setattr(link, "post", slow_pull)
    monkeypatch.setattr(link, "get", counted)
    desk.engine.start()
    assert desk.engine.wait_for_cycles(1, 10)
    report = desk.engine.last_report
    assert report is not None and report.retry_in_s is not None and report.retry_in_s > 30
    wait_until(
        "a probe that timed out and three that found the server",
        lambda: len(probes) >= 4,
        timeout=20,
    )
    assert desk.engine.cycles_finished == 1
    desk.engine.stop()


def test_a_ui_observes_syncing_then_the_outcome_without_qt(
    shared_central: Central, desks: Desks
) -> None:
    desk = desks.new(shared_central.url, "demo-operator")
    seen: list[tuple[SyncState, int]] = []
    desk.engine.status_board.subscribe(lambda status: seen.append((status.state, status.pending)))
    desk.submit(new_case())
    desk.submit(new_case())
    assert desk.engine.run_once().ok
    assert seen[:2] == [(SyncState.OFFLINE, 1), (SyncState.OFFLINE, 2)]  # saves, before a sync
    assert (SyncState.SYNCING, 2) in seen
    assert seen[-1] == (SyncState.ONLINE, 0)
    assert desk.engine.status.last_synced_at is not None


def test_a_first_sync_cut_off_is_finished_as_it_stands_once_it_has_been_stuck_long_enough(
    backend: str, make_central_db: Callable[..., CentralDb], desks: Desks, tmp_path: Path
) -> None:
    # A first sync defers the queue's indexes and search documents to its last page. Cut off
    # for good, the desk would work on without them; once no page has come for a while it
    # builds them from what it has, and the rest of the sync comes with them in place.
    service = Central(make_central_db(backend, cases=500)).start()
    fresh = open_writer(tmp_path / "fresh.db")
    migrate(database(fresh))
    every_index = {name for name, _ in bulk_load.droppable(fresh)}
    fresh.close()
    try:
        with FaultProxy(service.port) as proxy:

            def cut_off(after_s: float) -> tuple[HeadlessDesk, SyncReport]:
                proxy.set_plan(FaultPlan())
                config = replace(TEST_CONFIG, pull_limit=200, finish_first_sync_after_s=after_s)
                desk = desks.new(proxy.url, "demo-supervisor", config=config)
                # The link goes once the first page is in (the next is on its way already:
                # the desk fetches one page ahead).
                desk.engine.subscribe_pages(
                    lambda _page: proxy.set_plan(lambda _i: Faults(drop=True))
                )
                return desk, desk.engine.run_once()

            # A failure soon after a page leaves the first sync waiting for the link.
            patient, report = cut_off(after_s=3600.0)
            assert not report.ok and report.problem is not None
            assert report.problem.code == ProblemCode.OFFLINE
            assert patient.store.first_sync_unfinished()
            assert patient.engine._finishing is None

            desk, report = cut_off(after_s=0.0)
            for _ in range(STALLED_CYCLES - 1):  # one failed cycle is not a stall yet
                assert not report.ok and desk.engine._finishing is None
                report = desk.engine.run_once()
            assert not report.ok and desk.engine._finishing is not None
            assert desk.engine._finishing.result(timeout=60)
            assert not desk.store.first_sync_unfinished()
            conn = desk.store._conn()
            assert {name for name, _ in bulk_load.droppable(conn)} == every_index
            assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone() == (0,)
            have = conn.execute("SELECT count(*) FROM case_view").fetchone()[0]
            assert 200 <= have < 500
            assert conn.execute("SELECT count(*) FROM case_fts").fetchone() == (have,)

            # The link is back: the rest comes, into a cache with every index.
            proxy.set_plan(FaultPlan())
            report = desk.engine.run_once(Trigger.RECONNECT)
            assert report.ok, report.problem
            assert report.cases == 500 - have
            assert {name for name, _ in bulk_load.droppable(conn)} == every_index
            assert_converged(desk.store.path, service.url, "demo-supervisor", PASSWORD)
    finally:
        service.stop()


def _begin_a_first_sync(store: Store) -> None:
    """A first page of a first sync big enough to defer the indexes, and more to come."""
    ops = []
    for _ in range(bulk_load.MIN_PAGE_CASES):
        case = make_case()
        ops += [put("case", case), put("note", note_for(case))]
    store.apply_page(page(ops, has_more=True)).result()
    assert store.first_sync_unfinished()


def test_a_stalled_first_sync_is_finished_after_the_wait_and_enough_failed_cycles(
    tmp_path: Path,
) -> None:
    now = [1000.0]
    desk = HeadlessDesk(f"http://127.0.0.1:{free_port()}", tmp_path / "desk", config=TEST_CONFIG)
    try:
        engine = SyncEngine(
            desk.store,
            desk.client,
            desk.credentials,
            monotonic=lambda: now[0],
            config=replace(TEST_CONFIG, finish_first_sync_after_s=60.0),
        )
        _begin_a_first_sync(desk.store)

        def unreachable() -> None:  # signed in, but nobody listens there
            raise Offline("unreachable", "connection refused")

        engine._link.ensure_session = unreachable  # type: ignore[method-assign]

        def fail_at(t: float) -> None:
            now[0] = t
            assert not engine.run_once().ok  # nobody listens there

        fail_at(1000.0)
        fail_at(1030.0)
        fail_at(1059.0)  # three failures, but within the minute
        assert engine._finishing is None
        engine._page_applied(PageSummary("c", True, 1, 0, 1, 0))  # a page came after all
        fail_at(1100.0)
        fail_at(1200.0)  # past the minute since the page, but two failures only
        assert engine._finishing is None
        fail_at(1201.0)
        finishing = engine._finishing
        assert finishing is not None and finishing.result(timeout=60) is True
        assert not desk.store.first_sync_unfinished()
        fail_at(1300.0)
        assert engine._finishing is finishing  # once
        engine.close()
    finally:
        desk.close()


def test_a_first_sync_stuck_behind_a_pause_is_finished_at_once(
    shared_central: Central, tmp_path: Path
) -> None:
    # Signed out (or an upgrade required), the engine pauses after one failed cycle and
    # never reaches the stall rule's three: the desk would work all day without the
    # queue's indexes and search documents of the half-way first sync.
    desk = HeadlessDesk(shared_central.url, tmp_path / "desk", config=TEST_CONFIG)
    try:
        _begin_a_first_sync(desk.store)
        report = desk.engine.run_once()  # nobody signed in
        assert not report.ok and desk.engine.status.state is SyncState.UNAUTHENTICATED
        finishing = desk.engine._finishing
        assert finishing is not None and finishing.result(timeout=60) is True
        assert not desk.store.first_sync_unfinished()
    finally:
        desk.close()


def test_the_saves_a_push_sends_are_on_disk_before_it_sends_them(
    shared_central: Central, desks: Desks, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Saves commit with synchronous=NORMAL. A push sent before the WAL was synced could put
    # mutation N on the server while a power cut took it from the desk: the next save was
    # numbered N again, and the server answered it with the first one's stored result.
    # Saves made while a push runs go out in its later batches: synced before those too.
    desk = desks.new(shared_central.url, "demo-operator", config=replace(TEST_CONFIG, push_batch=1))
    assert desk.engine.run_once().ok
    assert desk.submit(new_case()).queued
    link = desk.engine._link
    post = link.post
    marks_at_push: list[int] = []

    def watched(path: str, *args, **kwargs):
        if path == PUSH_PATH:
            with sqlite3.connect(desk.store.path) as conn:
                row = conn.execute(
                    "SELECT value FROM sync_state WHERE key = ?", (DURABLE_KEY,)
                ).fetchone()
            marks_at_push.append(0 if row is None else int(row[0]))
            if len(marks_at_push) == 1:
                assert desk.submit(new_case()).queued  # saved while the push runs
        return post(path, *args, **kwargs)

    monkeypatch.setattr(link, "post", watched)
    report = desk.engine.run_once()
    assert report.ok and report.pushed == 2
    assert marks_at_push == [1, 2]
