"""When the engine syncs: debounced local changes, timer, pokes, backoff, pauses, "Sync now"."""

from __future__ import annotations

import queue
import threading

import pytest

from sync.scheduler import Schedule, ScheduleConfig, Scheduler, Trigger

CONFIG = ScheduleConfig(debounce_s=0.5, max_debounce_s=2.0, interval_s=60.0)


def test_nothing_is_due_until_the_timer() -> None:
    schedule = Schedule(CONFIG, now=100.0)
    assert schedule.take(100.0) is None
    assert schedule.next_due() == 160.0
    assert schedule.take(160.0) is Trigger.TIMER
    assert schedule.next_due() == 220.0


def test_a_burst_of_saves_is_debounced_but_never_for_long() -> None:
    schedule = Schedule(CONFIG, now=0.0)
    schedule.local_change(1.0)
    assert schedule.next_due() == 1.5
    schedule.local_change(1.4)
    assert schedule.take(1.5) is None  # a later save pushed it back
    for t in (1.8, 2.2, 2.6, 2.9):
        schedule.local_change(t)
    assert schedule.next_due() == 3.0  # first change + max_debounce_s
    assert schedule.take(3.0) is Trigger.LOCAL_CHANGE
    schedule.local_change(3.1)  # a new burst starts its own clock
    assert schedule.next_due() == pytest.approx(3.6)


def test_one_sync_serves_every_waiting_trigger() -> None:
    schedule = Schedule(CONFIG, now=0.0)
    schedule.local_change(1.0)
    schedule.request(Trigger.POKE, 1.1)
    assert schedule.take(1.1) is Trigger.POKE
    assert schedule.take(1.6) is None  # the local change rode along
    assert schedule.next_due() == pytest.approx(61.1)


def test_a_backoff_holds_automatic_triggers_but_not_a_person_or_a_reconnect() -> None:
    schedule = Schedule(CONFIG, now=0.0)
    schedule.back_off(30.0, 1.0)
    schedule.local_change(2.0)
    schedule.request(Trigger.POKE, 2.0)
    assert schedule.take(10.0) is None
    assert schedule.next_due() == 31.0
    schedule.request(Trigger.RECONNECT, 12.0)
    assert schedule.take(12.0) is Trigger.RECONNECT
    # The retry is still owed after the reconnect's sync unless the engine clears it.
    assert schedule.next_due() == 31.0
    assert schedule.take(31.0) is Trigger.RETRY
    schedule.back_off(5.0, 40.0)
    schedule.clear_backoff()
    schedule.local_change(41.0)
    assert schedule.take(41.5) is Trigger.LOCAL_CHANGE


def test_a_pause_stops_everything_until_sync_now() -> None:
    schedule = Schedule(CONFIG, now=0.0)
    schedule.pause()
    schedule.local_change(1.0)
    schedule.request(Trigger.POKE, 1.0)
    # Nor a reconnect: the offline probe found the server every few seconds and each time
    # ran a full cycle of a desk that must be upgraded or signed in again.
    schedule.request(Trigger.RECONNECT, 1.0)
    assert schedule.next_due() is None
    assert schedule.take(1000.0) is None
    schedule.request(Trigger.MANUAL, 1000.0)
    assert not schedule.paused
    assert schedule.take(1000.0) is Trigger.MANUAL


def test_the_scheduler_wakes_its_worker_and_stops() -> None:
    scheduler = Scheduler(ScheduleConfig(debounce_s=0.0, max_debounce_s=0.0, interval_s=3600))
    got: queue.Queue[Trigger | None] = queue.Queue()

    def worker() -> None:
        while True:
            trigger = scheduler.wait()
            got.put(trigger)
            if trigger is None:
                return

    thread = threading.Thread(target=worker)
    thread.start()
    scheduler.notify_local_change()
    assert got.get(timeout=5) is Trigger.LOCAL_CHANGE
    scheduler.request(Trigger.POKE)
    assert got.get(timeout=5) is Trigger.POKE
    scheduler.stop()
    assert got.get(timeout=5) is None
    thread.join(5)
    assert not thread.is_alive()


def test_wait_gives_up_after_its_timeout() -> None:
    ticks = iter([0.0, 0.0, 0.0, 10.0, 10.0])
    scheduler = Scheduler(CONFIG, monotonic=lambda: next(ticks))
    assert scheduler.wait(timeout=0.001) is None


def test_the_config_is_checked() -> None:
    with pytest.raises(ValueError):
        ScheduleConfig(debounce_s=3, max_debounce_s=1)
    with pytest.raises(ValueError):
        ScheduleConfig(interval_s=0)
