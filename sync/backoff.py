"""Retry policy as small pure pieces: full-jitter backoff, Retry-After, what to retry, batch sizes.

Nothing here touches the network or the clock: time and randomness are passed in, so every rule
is tested directly (as Picard tests its `ratecontrol`).
"""

from __future__ import annotations

import math
import random
import re
import socket
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from sync.errors import (
    MUTATION_GAP,
    CertificateError,
    HttpError,
    MutationGap,
    Offline,
    ProtocolError,
)
from sync.protocol import DEFAULT_PULL_LIMIT, MAX_PUSH_MUTATIONS

BASE_DELAY_S = 1.0
MAX_DELAY_S = 300.0
# Spread clients that were all told the same Retry-After, so they do not return in one wave.
RETRY_AFTER_SPREAD = 0.1
RETRYABLE_STATUSES = frozenset({408, 429})

PUSH_BATCH_SIZE = MAX_PUSH_MUTATIONS
PULL_LIMIT = DEFAULT_PULL_LIMIT
PULL_LIMIT_MINIMUM = 10

_DELAY_SECONDS = re.compile(r"\d{1,12}(?:\.\d{1,6})?")


def full_jitter_delay(
    attempt: int,
    rng: random.Random,
    *,
    base: float = BASE_DELAY_S,
    cap: float = MAX_DELAY_S,
) -> float:
    """Seconds to wait before retry number `attempt` (0-based): uniform(0, min(cap, base·2^n))."""
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    # 2**attempt overflows a float long before anyone retries that often; the cap wins anyway.
    ceiling = cap if attempt >= 64 else min(cap, base * 2**attempt)
    return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks for (delay-seconds or HTTP-date); None if unusable."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _DELAY_SECONDS.fullmatch(text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:  # older Pythons returned None instead of raising
        return None
    if when.tzinfo is None:  # "-0000" means UTC with unknown origin; HTTP-dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(
    attempt: int,
    rng: random.Random,
    retry_after: float | None = None,
    *,
    base: float = BASE_DELAY_S,
    cap: float = MAX_DELAY_S,
) -> float:
    """The delay before the next try: the server's Retry-After if given (capped), else jitter."""
    if retry_after is None or not math.isfinite(retry_after) or retry_after < 0:
        return full_jitter_delay(attempt, rng, base=base, cap=cap)
    spread = rng.uniform(0.0, RETRY_AFTER_SPREAD * retry_after)
    return min(cap, retry_after + spread)


def is_retryable(outcome: int | BaseException) -> bool:
    """Whether to try again: network errors, 5xx, 408, 429 and 409 MUTATION_GAP only."""
    if isinstance(outcome, bool):
        raise TypeError("expected a status code or an exception, not a bool")
    if isinstance(outcome, int):
        return outcome in RETRYABLE_STATUSES or 500 <= outcome <= 599
    if isinstance(outcome, MutationGap):
        return True
    if isinstance(outcome, HttpError):
        if outcome.status == 409:
            return outcome.code == MUTATION_GAP
        return is_retryable(outcome.status)
    if isinstance(outcome, (CertificateError, ProtocolError)):
        return False
    return isinstance(outcome, (Offline, ConnectionError, TimeoutError, socket.gaierror))


class Backoff:
    """Counts consecutive failures and turns them into delays; `reset()` after a success."""

    def __init__(
        self,
        rng: random.Random | None = None,
        *,
        base: float = BASE_DELAY_S,
        cap: float = MAX_DELAY_S,
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError("need 0 < base <= cap")
        self._rng = rng if rng is not None else random.Random()
        self._base = base
        self._cap = cap
        self._attempt = 0

    @property
    def attempt(self) -> int:
        """How many failures in a row so far."""
        return self._attempt

    def next_delay(self, retry_after: float | None = None) -> float:
        """Record one more failure and return how long to wait before trying again."""
        delay = retry_delay(self._attempt, self._rng, retry_after, base=self._base, cap=self._cap)
        self._attempt += 1
        return delay

    def reset(self) -> None:
        """Forget the failures (call after a success)."""
        self._attempt = 0


class AdaptiveSize:
    """A batch size or page limit: halves after a timeout, grows back slowly after successes.

    Like TCP's congestion window: a failure is taken as a sign of a slow link, so the size
    drops fast; it grows by about a quarter after each `successes_to_grow` successes that
    actually used the full size (a small batch that went through proves nothing about a big
    one). Not thread-safe: one sync worker owns it.
    """

    def __init__(
        self,
        initial: int,
        *,
        minimum: int = 1,
        maximum: int | None = None,
        growth: float = 1.25,
        successes_to_grow: int = 2,
    ) -> None:
        maximum = initial if maximum is None else maximum
        if not 1 <= minimum <= initial <= maximum:
            raise ValueError("need 1 <= minimum <= initial <= maximum")
        if growth <= 1.0 or successes_to_grow < 1:
            raise ValueError("need growth > 1 and successes_to_grow >= 1")
        self._value = initial
        self._minimum = minimum
        self._maximum = maximum
        self._growth = growth
        self._successes_to_grow = successes_to_grow
        self._streak = 0

    @property
    def value(self) -> int:
        """The size to use for the next batch or page."""
        return self._value

    def on_success(self, used: int | None = None) -> int:
        """Record a success with `used` items (None: the full size) and return the new size."""
        if used is not None and used < self._value:
            return self._value
        self._streak += 1
        if self._streak >= self._successes_to_grow:
            self._streak = 0
            grown = max(self._value + 1, math.ceil(self._value * self._growth))
            self._value = min(self._maximum, grown)
        return self._value

    def on_timeout(self) -> int:
        """Halve after a timeout (down to the minimum) and return the new size."""
        self._streak = 0
        self._value = max(self._minimum, self._value // 2)
        return self._value

    def on_too_large(self) -> int:
        """Halve after the server refused the batch as too large (413)."""
        return self.on_timeout()

    def on_failure(self) -> None:
        """Any other failure: the size stays, but the run of successes starts again."""
        self._streak = 0


def push_batch_sizer() -> AdaptiveSize:
    """Mutations per push: 100 at most (the server's bound), down to 1 on a bad link."""
    return AdaptiveSize(PUSH_BATCH_SIZE, minimum=1)


def pull_limit_sizer() -> AdaptiveSize:
    """The pull page `limit`, on the same principle."""
    return AdaptiveSize(PULL_LIMIT, minimum=PULL_LIMIT_MINIMUM)
