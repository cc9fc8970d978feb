"""The sync engine's line to the central service: signed-in requests, timed for the clock offset.

A 401 is answered once by rotating the refresh token and retrying; two threads that meet a 401
together (the long poll and the sync worker) refresh only once, because a refresh token is good
for a single rotation and a second use would look like theft to the server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sync.credentials import Credentials
from sync.errors import AuthExpired, ProtocolError
from sync.http import CentralClient, JsonObject

Clock = Callable[[], datetime]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Answer:
    """A JSON answer and when the exchange started and ended by the local clock."""

    body: JsonObject
    sent_at: datetime
    received_at: datetime

    def clock_offset(self, server_time: str | datetime) -> float | None:
        """Server time minus local time, in seconds, taking the exchange's midpoint as the
        moment the server stamped its answer; None if `server_time` is unusable."""
        try:
            stamped = (
                server_time
                if isinstance(server_time, datetime)
                else datetime.fromisoformat(server_time)
            )
        except (TypeError, ValueError):
            return None
        if stamped.tzinfo is None:
            return None
        midpoint = self.sent_at + (self.received_at - self.sent_at) / 2
        return (stamped - midpoint) / timedelta(seconds=1)


def parse_answer(model: type[M], body: object, what: str) -> M:
    """The body as `model`, or ProtocolError naming where it failed (never the values, which
    may be citizens' data or tokens). Strict: JSON gives every type exactly, so an answer
    that needs coercing ("2" for 2, "yes" for true) is not what the server promised."""
    try:
        return model.model_validate(body, strict=True)
    except ValidationError as exc:
        raise ProtocolError(f"malformed {what} answer ({fields_of(exc)})") from None


def fields_of(exc: ValidationError) -> str:
    places = [".".join(str(p) for p in error["loc"]) or "(root)" for error in exc.errors()]
    shown = ", ".join(places[:5])
    return shown + (f" and {len(places) - 5} more" if len(places) > 5 else "")


class ServerLink:
    """Signed-in requests with one refresh-and-retry on 401. Thread-safe."""

    def __init__(self, client: CentralClient, credentials: Credentials, clock: Clock) -> None:
        self._client = client
        self._credentials = credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._generation = 0  # counts refreshes, so concurrent 401s refresh once

    @property
    def client(self) -> CentralClient:
        return self._client

    def ensure_session(self) -> None:
        """Make sure an access token is held that will not expire within the minute."""
        with self._lock:
            before = self._credentials.session
            after = self._credentials.ensure_session()
            if after is not before:
                self._generation += 1

    def post(
        self, path: str, payload: Mapping[str, Any], *, deadline: float | None = None
    ) -> Answer:
        return self._exchange(lambda: self._client.post(path, payload, deadline=deadline))

    def put(
        self, path: str, payload: Mapping[str, Any], *, deadline: float | None = None
    ) -> Answer:
        return self._exchange(
            lambda: self._client.request("PUT", path, payload=payload, deadline=deadline)
        )

    def get(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        deadline: float | None = None,
        authenticated: bool = True,
    ) -> Answer:
        return self._exchange(
            lambda: self._client.get(
                path, params=params, deadline=deadline, authenticated=authenticated
            ),
            authenticated=authenticated,
        )

    def _exchange(self, send: Callable[[], JsonObject], *, authenticated: bool = True) -> Answer:
        generation = self._generation
        sent_at = self._clock()
        try:
            body = send()
        except AuthExpired:
            if not authenticated:
                raise
            self._refresh(generation)
            sent_at = self._clock()
            body = send()  # a second 401 means the new token is refused too: give up
        return Answer(body, sent_at, self._clock())

    def _refresh(self, seen: int) -> None:
        with self._lock:
            if self._generation != seen:
                return  # another thread refreshed while this one waited
            self._credentials.refresh()
            self._generation += 1
