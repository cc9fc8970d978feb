"""An injectable UTC clock for tests: time moves only when the test says so."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    """Call it for the current time; `advance()` moves it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta
