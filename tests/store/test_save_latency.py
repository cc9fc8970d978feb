"""What a local save may have to wait for while pulled pages are applied: a short transaction
already under way, never a long one, nor a truncation of the WAL."""

from __future__ import annotations

import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from operator_app.domain.mutations import AddNote
from operator_app.store import Changes, QueueFilter, Sort, Store, write_jobs
from operator_app.store import writer as writer_module
from operator_app.store.pull_apply import OpsApplier
from operator_app.store.writer import NO_CHANGES, Priority, single_step

from .conftest import OPERATOR, FakeClock, bundle_page, make_case, new_id, page, put

TIMEOUT = 60


def _case_counts(commits: list[Changes]) -> list[int]:
    return [len(c.case_ids) for c in commits if c.case_ids]


def _at_the_desk(store: Store) -> None:
    """As if the operator saved a little over IDLE_AFTER_SECONDS ago (and is still there)."""
    store._side.last_local_save = time.perf_counter() - write_jobs.IDLE_AFTER_SECONDS - 1


def test_between_saves_a_pull_commits_in_small_transactions(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    """The operator is at the desk but has not saved for a few seconds: a page is no longer
    one transaction, whose commit the next save would wait for whole (60-390 ms for a page at
    1,000,000 cases). Once nobody has saved for AWAY_AFTER_SECONDS it is again."""
    monkeypatch.setattr(write_jobs, "DESK_CHUNK_SECONDS", 60.0)  # cases decide, not time
    with Store.open(db_path, clock=clock) as store:
        commits: list[Changes] = []
        store.subscribe(commits.append)
        _at_the_desk(store)
        summary = store.apply_page(bundle_page(300)).result(timeout=TIMEOUT)
        counts = _case_counts(commits)
        assert sum(counts) == 300 and summary.applied == 600
        assert max(counts) <= 32 and max(counts) <= write_jobs.DESK_CHUNK_CASES
        assert max(counts) > write_jobs.MAX_CHUNK_CASES  # larger than while saving
        assert summary.chunks >= 300 // write_jobs.DESK_CHUNK_CASES

        commits.clear()
        store._side.last_local_save -= write_jobs.AWAY_AFTER_SECONDS
        summary = store.apply_page(bundle_page(300, 300)).result(timeout=TIMEOUT)
        assert _case_counts(commits) == [300] and summary.chunks == 1


def test_a_save_ends_a_pulled_transaction_within_a_few_cases(db_path: Path, clock: FakeClock):
    with Store.open(db_path, clock=clock) as store:
        case = make_case(assignee=OPERATOR.id)
        store.apply_page(page([put("case", case)])).result(timeout=TIMEOUT)
        saves: list[Future] = []
        seen: list[int] = []
        original_apply = OpsApplier.apply

        def apply(self, ops):
            seen.append(sum(op["type"] == "case" for op in ops))
            if sum(seen) >= 9 and not saves:
                # Queued from inside the first transaction, as its third batch of 4 goes in.
                saves.append(store.submit(AddNote(new_id(), case.id, "Яаралтай"), OPERATOR))
            return original_apply(self, ops)

        commits: list[Changes] = []
        store.subscribe(commits.append)
        _at_the_desk(store)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(OpsApplier, "apply", apply)
            mp.setattr(write_jobs, "DESK_CHUNK_SECONDS", 60.0)  # the save ends it, not time
            summary = store.apply_page(bundle_page(100)).result(timeout=TIMEOUT)
        assert saves and saves[0].result(timeout=TIMEOUT).queued
    # The pulled transaction ended at the next look at the queue, then the save committed.
    assert commits[1].case_ids == frozenset({case.id}) and commits[1].outbox
    assert 9 <= len(commits[0].case_ids) <= 9 + write_jobs.DESK_BATCH_CASES
    assert len(commits[0].case_ids) <= 13
    assert summary.applied == 200


def test_a_pull_of_one_transaction_pages_lets_the_wal_start_over(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    """Each page fits in one transaction, so each is a job of one step: the WAL is made to
    start over after a job's last step too (it grew to 450 MB over eight such pages at
    1,000,000 cases)."""
    monkeypatch.setattr(writer_module, "WAL_RESTART_BYTES", 256 * 1024)
    wal = Path(str(db_path) + "-wal")
    with Store.open(db_path, clock=clock) as store:
        pages = [bundle_page(15, 15 * k) for k in range(100)]
        # All queued at once: the writer never idles, so the checkpointer alone cannot finish.
        futures = [store.apply_page(p) for p in pages]
        assert all(f.result(timeout=TIMEOUT).chunks == 1 for f in futures)
        size = wal.stat().st_size
        restarts = store._writer._checkpointed
    # Left to itself the WAL would hold every page (over 4 MB here).
    assert size < 2 * 1024 * 1024, size
    assert restarts > 0


def test_a_restarted_wal_is_cut_back_only_to_the_restart_size(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    """Cutting the file further truncated megabytes inside whichever commit restarted it, a
    local save's as often as any (14 ms for 48 MB); the file now keeps the restart size."""
    limit = 512 * 1024
    monkeypatch.setattr(writer_module, "WAL_RESTART_BYTES", limit)
    wal = Path(str(db_path) + "-wal")
    sizes: list[int] = []
    with Store.open(db_path, clock=clock) as store:
        # Runs on the writer thread right after each commit.
        store.subscribe(lambda changes: sizes.append(wal.stat().st_size))
        _at_the_desk(store)  # many short steps
        store.apply_page(bundle_page(1500)).result(timeout=TIMEOUT)
        restarts = store._writer._checkpointed
    assert restarts > 0
    first_full = next(k for k, size in enumerate(sizes) if size > limit)
    assert min(sizes[first_full:]) >= limit
    assert max(sizes) < 2 * 1024 * 1024, max(sizes)


def test_after_a_pull_the_wal_starts_over_before_the_next_save(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    """The transaction that finds the WAL copied back starts it over and cuts the file: with
    nothing queued after a pull, that was the operator's next save (17-24 ms at 200,000
    cases, 249 ms at 1,000,000). The writer now does it once the pull's last step is done."""
    limit = 1024 * 1024  # more than opening the cache and a first page write
    monkeypatch.setattr(writer_module, "WAL_RESTART_BYTES", limit)
    monkeypatch.setattr(write_jobs, "IDLE_CHUNK_SECONDS", 600.0)  # a page, one transaction
    wal = Path(str(db_path) + "-wal")
    with Store.open(db_path, clock=clock) as store:
        store.apply_page(bundle_page(5)).result(timeout=TIMEOUT)
        assert wal.stat().st_size < limit
        # Not a first sync (the cache holds cases): a job of one step, past the limit.
        assert store.apply_page(bundle_page(800, 5)).result(timeout=TIMEOUT).chunks == 1
        writer = store._writer
        with writer._cond:
            assert writer._cond.wait_for(lambda: writer.wal_started_over == 1, timeout=TIMEOUT)
        assert wal.stat().st_size <= limit + 64 * 1024  # cut back, before any save
        case_id = store.queue_ids(QueueFilter(), Sort())[0]
        args = AddNote(new_id(), store.rows([case_id])[0].id, "Дахин залгасан.")
        assert store.submit(args, OPERATOR).result(timeout=TIMEOUT).queued


def test_between_the_steps_of_a_pull_the_next_step_starts_the_wal_over(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    """Only a pull's end leaves the writer idle: between its steps the next one restarts."""
    monkeypatch.setattr(writer_module, "WAL_RESTART_BYTES", 256 * 1024)
    with Store.open(db_path, clock=clock) as store:
        store.apply_page(bundle_page(5)).result(timeout=TIMEOUT)
        _at_the_desk(store)  # many short steps
        summary = store.apply_page(bundle_page(600, 5)).result(timeout=TIMEOUT)
        assert summary.chunks > 10
        # Behind the page's last step and whatever the writer did after it.
        store._write(single_step(lambda conn: (None, NO_CHANGES)), Priority.PULL).result()
        assert store._writer.wal_started_over <= 1
