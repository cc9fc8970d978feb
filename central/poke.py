"""Pokes: long polls that wake when something in the caller's scope changes.

Each write transaction announces a `ChangeEvent`: the sequence number, where the touched cases
stand for scoping, whether everyone is concerned (reference data), and whose mutation results
it recorded (that desk's own poll is not woken: it has the results already, see `concerns`).
On PostgreSQL the event travels by NOTIFY inside the transaction, so every server process (this
one included) hears it through its LISTEN connection once the transaction commits; on SQLite
there is only this process, and the event is published after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from central.data.notify import notify
from central.scope import ScopeKey, key_in_scope
from operator_app.domain.model import Actor

log = logging.getLogger(__name__)

CHANNEL = "central_sync"
# NOTIFY payloads must stay under 8000 bytes; a bigger event pokes everyone instead.
_MAX_PAYLOAD = 7000


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    # None when announced before the stamp: newer than anything a waiter has seen anyway,
    # since no waiter can hold a cursor past a transaction that has not committed.
    seq: int | None
    keys: tuple[ScopeKey, ...] = ()
    everyone: bool = False
    client_id: str | None = None

    def concerns(self, actor: Actor, client_id: str | None) -> bool:
        if self.everyone:
            return True
        if client_id is not None and client_id == self.client_id:
            # The desk that pushed has its results in the push's answer and pulls right after
            # pushing (SYNC.md): waking its poll as well only costs a second, empty round.
            return False
        return any(key_in_scope(actor, key) for key in self.keys)


def broadcast() -> ChangeEvent:
    """An event that wakes every waiter (e.g. after the listener lost its connection)."""
    return ChangeEvent(None, everyone=True)


def encode_event(event: ChangeEvent) -> str:
    payload = json.dumps(
        {
            "s": event.seq,
            "e": event.everyone,
            "c": event.client_id,
            "k": [[k.centre, k.team, k.assignee, k.confidential] for k in event.keys],
        },
        separators=(",", ":"),
    )
    if len(payload.encode()) > _MAX_PAYLOAD:
        payload = json.dumps({"s": event.seq, "e": True, "c": event.client_id, "k": []})
    return payload


def decode_event(payload: str) -> ChangeEvent:
    try:
        body = json.loads(payload)
        keys = tuple(ScopeKey(str(c), t, a, bool(f)) for c, t, a, f in body.get("k", ()))
        seq = body.get("s")
        return ChangeEvent(
            None if seq is None else int(seq), keys, bool(body.get("e")), body.get("c")
        )
    except (ValueError, KeyError, TypeError):
        return broadcast()


class Waiter:
    __slots__ = ("actor", "after_seq", "client_id", "event", "loop")

    def __init__(
        self, actor: Actor, client_id: str | None, after_seq: int, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.actor = actor
        self.client_id = client_id
        self.after_seq = after_seq
        self.loop = loop
        self.event = asyncio.Event()

    def fire(self) -> None:
        # A closed loop means the request is gone anyway.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.event.set)


class PokeHub:
    """The waiting long polls of this process, and the events that wake them."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._waiters: set[Waiter] = set()
        self._closed = False

    def register(
        self,
        actor: Actor,
        client_id: str | None,
        after_seq: int,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> Waiter:
        """Register before checking the database, so no event slips between the two. From a
        worker thread, pass the loop the request waits on."""
        waiter = Waiter(actor, client_id, after_seq, loop or asyncio.get_running_loop())
        with self._lock:
            if self._closed:
                waiter.event.set()
            self._waiters.add(waiter)
            self._lock.notify_all()
        return waiter

    def unregister(self, waiter: Waiter) -> None:
        with self._lock:
            self._waiters.discard(waiter)
            self._lock.notify_all()

    def wait_for_waiters(self, count: int, timeout: float) -> bool:
        """Block until at least `count` long polls wait (for tests and benchmarks)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._waiters) >= count, timeout)

    async def wait(self, waiter: Waiter, timeout: float) -> bool:
        """True when poked, False at the timeout."""
        try:
            await asyncio.wait_for(waiter.event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self.unregister(waiter)

    def publish(self, event: ChangeEvent) -> None:
        """Wake the waiters the event concerns (thread-safe)."""
        with self._lock:
            waiters = list(self._waiters)
        for waiter in waiters:
            newer = event.seq is None or event.seq > waiter.after_seq
            if newer and event.concerns(waiter.actor, waiter.client_id):
                waiter.fire()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiters)

    def close(self) -> None:
        """Wake everyone (shutdown): long polls answer at once instead of holding the exit."""
        with self._lock:
            self._closed = True
            waiters = list(self._waiters)
        for waiter in waiters:
            waiter.fire()


class ChangeNotifier:
    """Announces a write transaction's event the way the database allows (see module doc)."""

    def __init__(self, hub: PokeHub, via_postgres: bool) -> None:
        self._hub = hub
        self._via_postgres = via_postgres

    def in_transaction(self, conn: Connection, event: ChangeEvent) -> None:
        if self._via_postgres:
            notify(conn, CHANNEL, encode_event(event))

    def after_commit(self, events: Iterable[ChangeEvent]) -> None:
        if not self._via_postgres:
            for event in events:
                self._hub.publish(event)


class PgListener:
    """A thread holding one LISTEN connection; reconnects with backoff, and on reconnect
    pokes everyone, since events may have been missed meanwhile."""

    def __init__(self, database_url: str, hub: PokeHub) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._hub = hub
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="central-pg-listener", daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        if not self._listening.wait(timeout):
            log.warning("the PostgreSQL listener is not connected yet; pokes may lag")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        delay = 0.5
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    if not first:
                        self._hub.publish(broadcast())
                    first = False
                    delay = 0.5
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._hub.publish(decode_event(note.payload))
            except Exception:
                if self._stop.is_set():
                    break
                log.warning("PostgreSQL listener lost its connection; reconnecting", exc_info=True)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
