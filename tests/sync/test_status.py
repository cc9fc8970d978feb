"""SyncStatus snapshots and the thread-safe StatusBoard."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import pytest

from sync.status import StatusBoard, SyncProblem, SyncState, SyncStatus


def test_a_fresh_status_is_offline_with_nothing_waiting() -> None:
    status = SyncStatus()
    assert status.state is SyncState.OFFLINE
    assert (status.pending, status.rejected, status.conflicts) == (0, 0, 0)
    assert status.last_synced_at is None and status.last_error is None
    assert status.keyring_available and not status.clock_warning


@pytest.mark.parametrize(
    ("offset", "warn"), [(0, False), (300, False), (-300, False), (300.5, True), (-301, True)]
)
def test_the_clock_warning_starts_past_five_minutes_either_way(offset: float, warn: bool) -> None:
    assert SyncStatus(clock_offset_s=offset).clock_warning is warn


def test_a_status_is_frozen_and_validated() -> None:
    status = SyncStatus()
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.pending = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        SyncStatus(pending=-1)
    with pytest.raises(ValueError):
        SyncStatus(last_synced_at=datetime(2025, 3, 1, 14, 2))


def test_subscribers_hear_changes_but_not_repeats() -> None:
    board = StatusBoard()
    seen: list[SyncStatus] = []
    board.subscribe(seen.append)
    board.update(state=SyncState.SYNCING, pending=12)
    board.update(state=SyncState.SYNCING, pending=12)  # no change
    synced_at = datetime(2025, 3, 1, 14, 2, tzinfo=UTC)
    board.update(state=SyncState.ONLINE, pending=0, last_synced_at=synced_at)
    assert [(s.state, s.pending) for s in seen] == [
        (SyncState.SYNCING, 12),
        (SyncState.ONLINE, 0),
    ]
    assert board.current.last_synced_at == synced_at


def test_unsubscribe_stops_the_calls() -> None:
    board = StatusBoard()
    seen: list[SyncStatus] = []
    unsubscribe = board.subscribe(seen.append)
    board.update(pending=1)
    unsubscribe()
    unsubscribe()  # twice is harmless
    board.update(pending=2)
    assert [s.pending for s in seen] == [1]


def test_a_failing_subscriber_does_not_stop_the_others_or_the_writer() -> None:
    board = StatusBoard()
    seen: list[int] = []

    def broken(_status: SyncStatus) -> None:
        raise RuntimeError("a bug in a view")

    board.subscribe(broken)
    board.subscribe(lambda s: seen.append(s.pending))
    board.update(pending=5, last_error=SyncProblem("OFFLINE", "connection refused"))
    assert seen == [5]
    assert board.current.last_error == SyncProblem("OFFLINE", "connection refused")


def test_a_subscriber_that_changes_the_board_sees_the_change_next() -> None:
    board = StatusBoard()
    first: list[int] = []
    second: list[int] = []

    def bump_once(status: SyncStatus) -> None:
        first.append(status.pending)
        if status.pending == 1:
            board.update(pending=2)

    board.subscribe(bump_once)
    board.subscribe(lambda s: second.append(s.pending))
    board.update(pending=1)
    assert first == [1, 2]
    assert second == [1, 2]  # never the newer snapshot before the older one
    assert board.current.pending == 2


def test_concurrent_writers_never_lose_an_update_nor_reorder_snapshots() -> None:
    board = StatusBoard()
    seen: list[int] = []
    lock = threading.Lock()

    def record(status: SyncStatus) -> None:
        with lock:
            seen.append(status.pending)

    board.subscribe(record)
    start = threading.Barrier(4)

    def writer() -> None:
        start.wait(5)
        for _ in range(250):
            board.apply(lambda s: dataclasses.replace(s, pending=s.pending + 1))

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert board.current.pending == 1000
    assert seen == sorted(seen)  # newer never delivered before older
    assert seen[-1] == 1000  # the final state always reaches subscribers


def test_wait_for_returns_once_another_thread_gets_there() -> None:
    board = StatusBoard()
    writer = threading.Thread(target=lambda: board.update(state=SyncState.ONLINE))
    writer.start()
    status = board.wait_for(lambda s: s.state is SyncState.ONLINE, timeout=5)
    writer.join(5)
    assert status is not None and status.state is SyncState.ONLINE
    assert board.wait_for(lambda s: s.pending > 0, timeout=0.05) is None


def test_set_replaces_the_whole_snapshot() -> None:
    board = StatusBoard(SyncStatus(pending=3))
    new = SyncStatus(state=SyncState.UPGRADE_REQUIRED, pending=3, keyring_available=False)
    assert board.set(new) is new
    assert board.current.state is SyncState.UPGRADE_REQUIRED
    assert not board.current.keyring_available
