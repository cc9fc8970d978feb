"""Failed sign-ins slow down, then lock, per user and per address: small pure rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.protocol import ErrorCode


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    slow_after: int  # failures before each further attempt must wait
    lock_after: int  # failures that lock the key for `lock_s`
    lock_s: int
    window_s: int  # failures older than this (since the last one) are forgotten
    max_delay_s: int


@dataclass(frozen=True, slots=True)
class ThrottleState:
    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Wait:
    code: ErrorCode
    seconds: int


def current(policy: ThrottlePolicy, state: ThrottleState, now: datetime) -> ThrottleState:
    """The state with forgotten failures dropped."""
    if state.locked_until is not None and now < state.locked_until:
        return state
    last = state.last_failure_at
    if last is None or now - last > timedelta(seconds=policy.window_s):
        return ThrottleState()
    return ThrottleState(state.failures, last, None)


def delay_after(policy: ThrottlePolicy, failures: int) -> int:
    """Seconds to wait after `failures` failures: 1, 2, 4 ... once past `slow_after`."""
    if failures < policy.slow_after:
        return 0
    return min(policy.max_delay_s, 2 ** min(failures - policy.slow_after, 16))


def wait_needed(policy: ThrottlePolicy, state: ThrottleState, now: datetime) -> Wait | None:
    """Whether an attempt now must be refused, and for how long."""
    state = current(policy, state, now)
    if state.locked_until is not None and now < state.locked_until:
        left = (state.locked_until - now).total_seconds()
        return Wait(ErrorCode.ACCOUNT_LOCKED, max(1, math.ceil(left)))
    delay = delay_after(policy, state.failures)
    if delay and state.last_failure_at is not None:
        ready = state.last_failure_at + timedelta(seconds=delay)
        if now < ready:
            return Wait(
                ErrorCode.TOO_MANY_ATTEMPTS, max(1, math.ceil((ready - now).total_seconds()))
            )
    return None


def after_failure(policy: ThrottlePolicy, state: ThrottleState, now: datetime) -> ThrottleState:
    state = current(policy, state, now)
    failures = state.failures + 1
    locked = now + timedelta(seconds=policy.lock_s) if failures >= policy.lock_after else None
    return ThrottleState(failures, now, locked)
