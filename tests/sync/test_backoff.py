"""Backoff, Retry-After, the retry rule and the adaptive sizes: pure functions, no network."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.backoff import (
    MAX_DELAY_S,
    AdaptiveSize,
    Backoff,
    full_jitter_delay,
    is_retryable,
    parse_retry_after,
    pull_limit_sizer,
    push_batch_sizer,
    retry_delay,
)
from sync.errors import (
    MUTATION_GAP,
    AuthExpired,
    CertificateError,
    DeadlineExceeded,
    Forbidden,
    HttpError,
    MutationGap,
    Offline,
    PayloadTooLarge,
    ProtocolError,
    ServerBusy,
    UpgradeRequired,
)

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


# --- full-jitter backoff ---------------------------------------------------------------------


@pytest.mark.parametrize("attempt", [0, 1, 2, 5, 8, 9, 20])
def test_full_jitter_spans_zero_to_the_capped_exponential(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(MAX_DELAY_S, 2.0**attempt)
    samples = [full_jitter_delay(attempt, rng) for _ in range(500)]
    assert all(0.0 <= s <= ceiling for s in samples)
    # Full jitter, not "exponential plus a little": the samples fill the whole range.
    assert min(samples) < 0.1 * ceiling
    assert max(samples) > 0.9 * ceiling


@given(attempt=st.integers(0, 100_000), seed=st.integers(0, 2**32))
def test_full_jitter_never_exceeds_five_minutes_nor_overflows(attempt: int, seed: int) -> None:
    delay = full_jitter_delay(attempt, random.Random(seed))
    assert 0.0 <= delay <= MAX_DELAY_S


def test_full_jitter_replays_with_the_same_seed() -> None:
    first = [full_jitter_delay(a, random.Random(42)) for a in range(10)]
    second = [full_jitter_delay(a, random.Random(42)) for a in range(10)]
    assert first == second


def test_full_jitter_refuses_a_negative_attempt() -> None:
    with pytest.raises(ValueError):
        full_jitter_delay(-1, random.Random())


def test_backoff_grows_its_ceiling_and_resets_after_success() -> None:
    backoff = Backoff(random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    assert backoff.attempt == 12
    for attempt, delay in enumerate(delays):
        assert delay <= min(MAX_DELAY_S, 2.0**attempt)
    assert max(delays[8:]) > 16  # late attempts reach far beyond the first ones
    backoff.reset()
    assert backoff.attempt == 0
    assert backoff.next_delay() <= 1.0


def test_backoff_rejects_a_cap_below_the_base() -> None:
    with pytest.raises(ValueError):
        Backoff(base=10, cap=5)


# --- Retry-After -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("  7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        ("Saturday, 01-Mar-25 09:01:00 GMT", 60.0),  # RFC 850
        ("Sat Mar  1 09:00:30 2025", 30.0),  # asctime
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),  # already past
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header: str, seconds: float) -> None:
    assert parse_retry_after(header, NOW) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "header",
    [None, "", "soon", "-5", "1e3", "0x10", "9" * 5000, "Sat, 99 Foo 2025 99:99:99 GMT", "∞"],
)
def test_a_malformed_retry_after_is_ignored(header: str | None) -> None:
    assert parse_retry_after(header, NOW) is None


def test_retry_after_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        parse_retry_after("5", datetime(2025, 3, 1))


def test_retry_delay_honours_retry_after_with_a_little_spread() -> None:
    rng = random.Random(3)
    delays = [retry_delay(0, rng, 30.0) for _ in range(200)]
    assert all(30.0 <= d <= 33.0 for d in delays)
    assert len(set(delays)) > 1  # clients told the same thing do not all come back at once


def test_a_retry_after_beyond_the_cap_is_capped() -> None:
    assert retry_delay(0, random.Random(), 3600.0) == MAX_DELAY_S
    assert Backoff(random.Random()).next_delay(retry_after=10_000) == MAX_DELAY_S


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0])
def test_an_unusable_retry_after_falls_back_to_jitter(bad: float) -> None:
    assert 0.0 <= retry_delay(0, random.Random(1), bad) <= 1.0


# --- what to retry ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (200, False),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (408, True),
        (409, False),
        (413, False),
        (422, False),
        (426, False),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (599, True),
    ],
)
def test_retryable_status_codes(status: int, retry: bool) -> None:
    assert is_retryable(status) is retry


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (Offline("unreachable"), True),
        (DeadlineExceeded("deadline"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (ServerBusy(503, "BUSY", retry_after=3), True),
        (ServerBusy(429, "RATE_LIMITED"), True),
        (MutationGap(7), True),
        (HttpError(409, MUTATION_GAP), True),
        (HttpError(409, "ID_REUSED"), False),
        (HttpError(500, "SERVER_ERROR"), True),
        (HttpError(408, "TIMEOUT"), True),
        (HttpError(404, "NOT_FOUND"), False),
        (AuthExpired(401, "TOKEN_EXPIRED"), False),
        (Forbidden(403, "FORBIDDEN"), False),
        (PayloadTooLarge(413, "TOO_LARGE"), False),
        (UpgradeRequired(426, "SCHEMA_TOO_OLD"), False),
        (ProtocolError("bad JSON"), False),
        (CertificateError("untrusted"), False),
        (ValueError("a bug"), False),
    ],
)
def test_retryable_errors(error: BaseException, retry: bool) -> None:
    assert is_retryable(error) is retry


def test_is_retryable_refuses_a_bool() -> None:
    with pytest.raises(TypeError):
        is_retryable(True)


# --- adaptive sizes --------------------------------------------------------------------------


def test_push_batches_halve_after_timeouts_down_to_one() -> None:
    sizer = push_batch_sizer()
    assert sizer.value == 100
    seen = [sizer.on_timeout() for _ in range(9)]
    assert seen == [50, 25, 12, 6, 3, 1, 1, 1, 1]


def test_push_batches_grow_back_slowly_and_never_past_the_maximum() -> None:
    sizer = push_batch_sizer()
    for _ in range(7):
        sizer.on_timeout()
    assert sizer.value == 1
    sizer.on_success()
    assert sizer.value == 1  # one success is not enough
    successes = 1
    while sizer.value < 100:
        sizer.on_success()
        successes += 1
        assert successes < 200
    assert successes >= 20  # slow: tens of good batches, not a jump back
    for _ in range(10):
        sizer.on_success()
    assert sizer.value == 100


def test_a_small_batch_that_succeeds_does_not_grow_the_size() -> None:
    sizer = AdaptiveSize(40, maximum=100)
    for _ in range(10):
        sizer.on_success(used=3)
    assert sizer.value == 40
    sizer.on_success(used=40)
    sizer.on_success(used=40)
    assert sizer.value == 50


def test_a_failure_breaks_the_run_of_successes() -> None:
    sizer = AdaptiveSize(10, maximum=100)
    sizer.on_success()
    sizer.on_failure()
    sizer.on_success()
    assert sizer.value == 10
    sizer.on_success()
    assert sizer.value > 10


def test_too_large_halves_like_a_timeout() -> None:
    sizer = push_batch_sizer()
    assert sizer.on_too_large() == 50


def test_pull_limit_follows_the_same_principle_with_its_own_bounds() -> None:
    sizer = pull_limit_sizer()
    assert sizer.value == 500
    for _ in range(20):
        sizer.on_timeout()
    assert sizer.value == 10
    for _ in range(4):
        sizer.on_success()
    assert 10 < sizer.value < 500


@pytest.mark.parametrize(
    "kwargs",
    [
        {"initial": 0},
        {"initial": 10, "minimum": 20},
        {"initial": 10, "maximum": 5},
        {"initial": 10, "growth": 1.0},
        {"initial": 10, "successes_to_grow": 0},
    ],
)
def test_adaptive_size_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        AdaptiveSize(**kwargs)  # type: ignore[arg-type]
