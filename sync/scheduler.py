"""When to sync: on a local change (debounced), a timer, a reconnect, a poke, or on demand.

`Schedule` is the pure rule, given monotonic times by the caller, so it is tested without
threads or clocks. `Scheduler` wraps it for the sync worker: the worker blocks in `wait()`
until a sync is due; any thread may `notify_local_change()`, `request()` or `stop()`.

Backing off (after a failure, or a server's Retry-After) holds back every automatic trigger
until the delay has passed; only the operator's "Sync now" and a reconnect go through at once.
A pause (signed out, upgrade required) holds back everything but "Sync now": a reconnect
cannot mend either, and let through it ran a full cycle each time the offline probe found the
server (every few seconds, a push of pending work included).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

Monotonic = Callable[[], float]


class Trigger(StrEnum):
    """Why a sync runs; the first that applies, in this order, names a cycle."""

    MANUAL = "manual"  # "Sync now"
    RECONNECT = "reconnect"  # the link came back
    START = "start"  # the engine started
    POKE = "poke"  # the server said something changed
    RETRY = "retry"  # the backoff after a failure ran out
    LOCAL_CHANGE = "local_change"  # the operator saved something
    TIMER = "timer"  # the safety net


# Triggers that go through a backoff at once: a person asked, or the link is back.
_IMPATIENT = frozenset({Trigger.MANUAL, Trigger.RECONNECT})
_ORDER = tuple(Trigger)


@dataclass(frozen=True)
class ScheduleConfig:
    """Seconds. A burst of saves syncs `debounce_s` after the last one, but never more than
    `max_debounce_s` after the first; with nothing else happening, every `interval_s`."""

    debounce_s: float = 0.2
    max_debounce_s: float = 2.0
    interval_s: float = 300.0

    def __post_init__(self) -> None:
        if not 0 <= self.debounce_s <= self.max_debounce_s:
            raise ValueError("need 0 <= debounce_s <= max_debounce_s")
        if self.interval_s <= 0:
            raise ValueError("interval_s must be positive")


class Schedule:
    """Which triggers are waiting and when the next sync is due. Not thread-safe."""

    def __init__(self, config: ScheduleConfig, now: float) -> None:
        self._config = config
        self._due: dict[Trigger, float] = {}
        self._first_change: float | None = None
        self._hold_until = float("-inf")
        self._paused = False
        self._next_timer = now + config.interval_s

    @property
    def paused(self) -> bool:
        return self._paused

    def local_change(self, now: float) -> None:
        if self._first_change is None:
            self._first_change = now
        latest = self._first_change + self._config.max_debounce_s
        self._due[Trigger.LOCAL_CHANGE] = min(now + self._config.debounce_s, latest)

    def request(self, trigger: Trigger, now: float) -> None:
        """Sync as soon as allowed, for this reason. MANUAL also ends a pause."""
        if trigger is Trigger.MANUAL:
            self._paused = False
        self._due[trigger] = min(self._due.get(trigger, now), now)

    def back_off(self, delay: float, now: float) -> None:
        """Hold automatic triggers for `delay` seconds, then retry."""
        self._hold_until = now + max(0.0, delay)
        self._due[Trigger.RETRY] = self._hold_until

    def clear_backoff(self) -> None:
        self._hold_until = float("-inf")
        self._due.pop(Trigger.RETRY, None)

    def pause(self) -> None:
        """No automatic syncs until a MANUAL request (signed out, upgrade required)."""
        self._paused = True
        self._due.pop(Trigger.RETRY, None)

    def _allowed(self, trigger: Trigger) -> bool:
        return not self._paused or trigger is Trigger.MANUAL

    def _effective(self, trigger: Trigger, at: float) -> float:
        if trigger in _IMPATIENT:
            return at
        return max(at, self._hold_until)

    def next_due(self) -> float | None:
        """When the next sync is due (monotonic seconds), or None while paused with nothing
        a person asked for."""
        times = [self._effective(t, at) for t, at in self._due.items() if self._allowed(t)]
        if not self._paused:
            times.append(self._effective(Trigger.TIMER, self._next_timer))
        return min(times) if times else None

    def take(self, now: float) -> Trigger | None:
        """The trigger of a sync due now, clearing every waiting trigger (one sync serves
        them all), or None if nothing is due yet."""
        due = self.next_due()
        if due is None or due > now:
            return None
        ready = [
            t for t, at in self._due.items() if self._effective(t, at) <= now and self._allowed(t)
        ]
        if not self._paused and self._effective(Trigger.TIMER, self._next_timer) <= now:
            ready.append(Trigger.TIMER)
        # The sync about to run carries every change made so far, whatever named it.
        self._due.clear()
        self._first_change = None
        self._next_timer = now + self._config.interval_s
        if Trigger.RETRY not in ready and self._hold_until > now:
            self._due[Trigger.RETRY] = self._hold_until
        return min(ready, key=_ORDER.index) if ready else Trigger.TIMER


class Scheduler:
    """A `Schedule` shared between threads; the sync worker waits on it. Thread-safe."""

    def __init__(self, config: ScheduleConfig | None = None, monotonic: Monotonic = time.monotonic):
        self._monotonic = monotonic
        self._cond = threading.Condition()
        self._schedule = Schedule(config or ScheduleConfig(), monotonic())
        self._stopped = False

    @property
    def paused(self) -> bool:
        with self._cond:
            return self._schedule.paused

    def notify_local_change(self) -> None:
        self._change(lambda s, now: s.local_change(now))

    def request(self, trigger: Trigger) -> None:
        self._change(lambda s, now: s.request(trigger, now))

    def back_off(self, delay: float) -> None:
        self._change(lambda s, now: s.back_off(delay, now))

    def clear_backoff(self) -> None:
        self._change(lambda s, _now: s.clear_backoff())

    def pause(self) -> None:
        self._change(lambda s, _now: s.pause())

    def wake(self) -> None:
        """Look at the clock again (for tests that move an injected clock)."""
        self._change(lambda _s, _now: None)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def reopen(self) -> None:
        """Let `wait()` serve a new worker after a `stop()`."""
        with self._cond:
            self._stopped = False

    def _change(self, change: Callable[[Schedule, float], None]) -> None:
        with self._cond:
            change(self._schedule, self._monotonic())
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> Trigger | None:
        """Block until a sync is due and return its trigger; None once stopped (or after
        `timeout` seconds with nothing due)."""
        give_up = None if timeout is None else self._monotonic() + timeout
        with self._cond:
            while not self._stopped:
                now = self._monotonic()
                trigger = self._schedule.take(now)
                if trigger is not None:
                    return trigger
                due = self._schedule.next_due()
                limits = [t for t in (due, give_up) if t is not None]
                if give_up is not None and now >= give_up:
                    return None
                self._cond.wait(max(0.0, min(limits) - now) if limits else None)
            return None
