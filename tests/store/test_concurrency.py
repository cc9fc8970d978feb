"""One writer, many readers, from threads; local saves go before the rest of a big page."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from operator_app.domain.mutations import AddNote
from operator_app.store import Changes, QueueFilter, Sort, SortKey, Store, write_jobs
from operator_app.store.errors import StoreClosedError
from operator_app.store.pull_apply import OpsApplier
from operator_app.store.write_jobs import WriteSide

from .conftest import OPERATOR, FakeClock, bundle_page, make_case, new_id, page, put

TIMEOUT = 60


@pytest.fixture
def threaded_store(db_path: Path, clock: FakeClock):
    store = Store.open(db_path, clock=clock)
    yield store
    store.close()


def test_readers_on_threads_see_whole_transactions_while_the_writer_works(
    threaded_store: Store,
):
    store = threaded_store
    pages = [bundle_page(60, 60 * k) for k in range(6)]
    done = threading.Event()
    problems: list[str] = []
    counts: list[list[int]] = []

    def read_loop() -> None:
        seen: list[int] = []
        counts.append(seen)
        while not done.is_set():
            found = len(store.search("asuudal", limit=10_000))
            ids = store.queue_ids(QueueFilter(open_only=True), Sort(SortKey.REGISTERED_AT))
            rows = store.rows(ids)
            if len(rows) != len(ids):  # nothing is ever deleted here
                problems.append(f"{len(ids)} ids but {len(rows)} rows")
            if found > len(ids):  # searched first: it cannot have seen more
                problems.append(f"search saw {found} cases, the queue later {len(ids)}")
            seen.append(len(ids))

    with ThreadPoolExecutor(4) as pool:
        readers = [pool.submit(read_loop) for _ in range(3)]
        futures = [store.apply_page(p) for p in pages]
        for f in futures:
            f.result(timeout=TIMEOUT)
        done.set()
        for r in readers:
            r.result(timeout=TIMEOUT)
    assert problems == []
    # Pages only add cases: each reader saw the queue grow, never shrink.
    assert all(seen == sorted(seen) for seen in counts)
    assert len(store.queue_ids(QueueFilter())) == 360
    assert store.sync_state().cursor == pages[-1]["cursor"]


def test_a_local_save_does_not_wait_for_a_large_page(threaded_store: Store):
    store = threaded_store
    case = make_case(assignee=OPERATOR.id)
    store.apply_page(page([put("case", case)])).result(timeout=TIMEOUT)
    # The operator has just saved: the page goes in small transactions from the start.
    store.submit(AddNote(new_id(), case.id, "Эхний"), OPERATOR).result(timeout=TIMEOUT)
    order: list[str] = []
    big = store.apply_page(bundle_page(1500))
    started = threading.Event()
    unsubscribe = store.subscribe(lambda changes: started.set())
    assert started.wait(TIMEOUT)  # the page's first chunk has committed
    unsubscribe()
    save = store.submit(AddNote(new_id(), case.id, "Яаралтай"), OPERATOR)
    save.add_done_callback(lambda f: order.append("save"))
    big.add_done_callback(lambda f: order.append("page"))
    assert save.result(timeout=TIMEOUT).queued
    summary = big.result(timeout=TIMEOUT)
    assert order == ["save", "page"]
    assert summary.chunks > 1


def test_a_local_save_ends_an_idle_pages_long_transaction(threaded_store: Store):
    """Nobody has saved for a while: the page is one long transaction, until a save comes."""
    store = threaded_store
    case = make_case(assignee=OPERATOR.id)
    store.apply_page(page([put("case", case)])).result(timeout=TIMEOUT)
    side = store._side
    waiting = side.should_yield
    order: list[str] = []
    saves: list[Future] = []
    chunk_cases: list[int] = []
    original_apply = OpsApplier.apply

    def apply(self, ops):
        chunk_cases.append(sum(op["type"] == "case" for op in ops))
        if sum(chunk_cases) >= 400 and not saves:
            # Queued from inside the transaction, halfway through the page's cases.
            saves.append(store.submit(AddNote(new_id(), case.id, "Яаралтай"), OPERATOR))
            saves[0].add_done_callback(lambda f: order.append("save"))
        return original_apply(self, ops)

    commits: list[Changes] = []
    store.subscribe(commits.append)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(OpsApplier, "apply", apply)
        mp.setattr(write_jobs, "IDLE_CHUNK_SECONDS", 600.0)  # however slow the machine
        big = store.apply_page(bundle_page(800))
        big.add_done_callback(lambda f: order.append("page"))
        summary = big.result(timeout=TIMEOUT)
    assert saves and saves[0].result(timeout=TIMEOUT).queued
    assert order == ["save", "page"]
    assert side.should_yield is waiting
    # The first transaction held hundreds of cases (no commit every 0.1 s), and ended at the
    # first look at the queue after the save was queued (IDLE_BATCH_CASES at most).
    assert 400 <= len(commits[0].case_ids) <= 400 + write_jobs.IDLE_BATCH_CASES
    assert summary.chunks > 1 and summary.applied == 1600


def test_subscribers_hear_committed_case_ids(threaded_store: Store):
    store = threaded_store
    heard: list[Changes] = []
    got = threading.Event()

    def listen(changes: Changes) -> None:
        heard.append(changes)
        got.set()

    store.subscribe(listen)
    case = make_case()
    store.apply_page(page([put("case", case)])).result(timeout=TIMEOUT)
    assert got.wait(TIMEOUT)
    assert any(case.id in c.case_ids and store.rid_of(case.id) in c.rids for c in heard)
    heard.clear()
    got.clear()
    store.submit(AddNote(new_id(), case.id, "Тэмдэглэл"), OPERATOR).result(timeout=TIMEOUT)
    assert got.wait(TIMEOUT)
    assert heard[-1].case_ids == frozenset({case.id}) and heard[-1].outbox


def test_a_crash_before_the_last_chunk_resumes_from_the_old_cursor(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(write_jobs, "IDLE_CHUNK_CASES", 256)
    store = Store.open(db_path, clock=clock)
    first = page([put("case", make_case())])
    store.apply_page(first).result(timeout=TIMEOUT)
    big = bundle_page(600)  # more than one transaction's worth

    def crash(self, conn, page):
        raise RuntimeError("killed")

    monkeypatch.setattr(WriteSide, "_finish_page", crash)
    failed: Future = store.apply_page(big)
    with pytest.raises(RuntimeError):
        failed.result(timeout=TIMEOUT)
    store.close()
    monkeypatch.undo()

    with Store.open(db_path, clock=clock) as store:
        assert store.sync_state().cursor == first["cursor"]  # never skipping
        partial = len(store.queue_ids(QueueFilter()))
        assert 1 < partial < 601  # earlier chunks were kept: never from zero
        summary = store.apply_page(big).result(timeout=TIMEOUT)
        assert summary.skipped > 0
        assert len(store.queue_ids(QueueFilter())) == 601
        assert store.sync_state().cursor == big["cursor"]


def test_the_wal_starts_over_during_a_long_pull(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    import operator_app.store.writer as writer_module

    monkeypatch.setattr(writer_module, "WAL_RESTART_BYTES", 256 * 1024)
    wal = Path(str(db_path) + "-wal")
    with Store.open(db_path, clock=clock) as store:
        # One long page: the writer never pauses, so the checkpointer alone cannot finish.
        store.apply_page(bundle_page(1500)).result(timeout=TIMEOUT)
        size = wal.stat().st_size
        assert len(store.queue_ids(QueueFilter())) == 1500
    # Left to itself the WAL would hold the whole page (over 4 MB here).
    assert size < 2 * 1024 * 1024, size


def test_closing_the_store_while_another_thread_reads_does_not_crash(db_path: Path, clock):
    """Regression: close() used to close every reader connection, including one another
    thread was running a query on, which crashed the process (a queue page in flight when the
    window closed). The query in flight finishes; that thread's next read is refused."""
    store = Store.open(db_path, clock=clock)
    started, release = threading.Event(), threading.Event()

    def block() -> int:
        started.set()
        release.wait(10)
        return 7

    def read() -> tuple[int, type[BaseException] | None]:
        conn = store._readers.connection()
        conn.create_function("block", 0, block)
        value = conn.execute("SELECT block()").fetchone()[0]
        try:
            store.queue_ids(QueueFilter())
        except StoreClosedError as exc:
            return value, type(exc)
        return value, None

    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(read)
        assert started.wait(10)
        store.close()
        release.set()
        assert result.result(timeout=10) == (7, StoreClosedError)


def test_the_writer_leaves_checkpoints_to_the_checkpointer(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    """A checkpoint run on the writer's connection held a local save up for as long as it
    took (100-450 ms measured at 300,000 cases); the writer now waits for the checkpointer
    instead, and stops waiting as soon as a save is queued."""
    import operator_app.store.writer as writer_module

    monkeypatch.setattr(writer_module, "WAL_RESTART_BYTES", 256 * 1024)
    wal = Path(str(db_path) + "-wal")
    with Store.open(db_path, clock=clock) as store:
        statements: list[str] = []
        store._writer.connection.set_trace_callback(statements.append)
        case = make_case(assignee=OPERATOR.id)
        store.apply_page(page([put("case", case)])).result(timeout=TIMEOUT)
        big = store.apply_page(bundle_page(1500))
        saves = [
            store.submit(AddNote(new_id(), case.id, f"Тэмдэглэл {k}"), OPERATOR) for k in range(20)
        ]
        assert all(s.result(timeout=TIMEOUT).queued for s in saves)
        big.result(timeout=TIMEOUT)
        store._writer.connection.set_trace_callback(None)
        size = wal.stat().st_size
    assert not [s for s in statements if "wal_checkpoint" in s.lower()]
    assert size < 2 * 1024 * 1024, size


def test_the_wal_starts_over_only_when_it_has_grown_again(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    """Regression: a restarted WAL kept its file size (the size limit was the restart size),
    so every later step of a pull waited for a checkpoint and its syncs again."""
    import operator_app.store.write_jobs as jobs_module
    import operator_app.store.writer as writer_module

    # 512 KiB: a step of 16 cases writes 10-20 KiB of pages (more with each index), so a
    # restart every 256 KiB already came close to one every other step.
    monkeypatch.setattr(writer_module, "WAL_RESTART_BYTES", 512 * 1024)
    monkeypatch.setattr(jobs_module, "IDLE_CHUNK_CASES", 16)  # many short steps
    wal = Path(str(db_path) + "-wal")
    with Store.open(db_path, clock=clock) as store:
        summary = store.apply_page(bundle_page(1500)).result(timeout=TIMEOUT)
        size = wal.stat().st_size
        restarts = store._writer._checkpointed  # one ticket per wait for a checkpoint
    assert size < 2 * 1024 * 1024, size
    # About one restart per 512 KiB written (the page writes a few MiB), not one per step.
    assert 0 < restarts < summary.chunks / 2, (restarts, summary.chunks)
