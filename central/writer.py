"""Write transactions that end stamped with the server's sequence number and announce themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from central.data.engine import write_transaction
from central.data.stamping import Sequencer
from central.poke import ChangeEvent, ChangeNotifier


def utcnow() -> datetime:
    return datetime.now(UTC)


class WriteTx:
    """One open write transaction. Rows that carry the transaction's number are written with
    PENDING and named with `stamp_later`; `stamp()` comes last and gives them the number in one
    statement (the clock row stays locked from the stamp to the commit). Rare writers may also
    stamp first and then write with the number.

    Several units of work (a push's mutations) may share one transaction, each inside its own
    `savepoint()`: a unit that fails is rolled back alone, with its pending stamps and events.
    Events are announced once, merged, just before the commit (one NOTIFY per transaction)."""

    def __init__(
        self,
        conn: Connection,
        sequencer: Sequencer,
        notifier: ChangeNotifier,
        reserved: int | None,
        kind: str,
        now: datetime,
        before_stamp: Callable[[], None] | None,
    ) -> None:
        self.conn = conn
        self.now = now
        self._sequencer = sequencer
        self._notifier = notifier
        self._reserved = reserved
        self._kind = kind
        self._before_stamp = before_stamp
        self._seq: int | None = None
        self._pending: dict[str, list[Any]] = {}
        self.events: list[ChangeEvent] = []
        # Set by a unit of work that took locks which, in the lock order, come after every
        # case's (the teams' assignment rows): no later unit may share the transaction.
        self.closes_batch = False

    def stamp(self) -> int:
        """This transaction's sequence number (taken once, on the first call)."""
        if self._seq is None:
            if self._before_stamp is not None:
                self._before_stamp()
            self._seq = self._sequencer.stamp(
                self.conn, self._reserved, self._pending, self._kind, self.now
            )
        return self._seq

    def stamp_later(self, table: str, *keys: Any) -> None:
        """Rows of `table` (by their stamping key, see data.stamping) written with PENDING."""
        if self._seq is not None:
            raise RuntimeError("the transaction is already stamped")
        self._pending.setdefault(table, []).extend(keys)

    @property
    def seq(self) -> int | None:
        return self._seq

    @property
    def pending(self) -> bool:
        """Whether rows wait for the stamp."""
        return any(self._pending.values())

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One unit of work: on an exception its writes, pending stamps and events are undone
        (the transaction goes on) and the exception propagates."""
        if self._seq is not None:
            raise RuntimeError("the transaction is already stamped")
        marks = {table: len(keys) for table, keys in self._pending.items()}
        events = len(self.events)
        nested = self.conn.begin_nested()
        try:
            yield
        except BaseException:
            if nested.is_active:
                nested.rollback()
            for table in list(self._pending):
                del self._pending[table][marks.get(table, 0) :]
            del self.events[events:]
            raise
        nested.commit()

    def announce(self, event: ChangeEvent) -> None:
        """Announced with the transaction's other events when it ends (see `finish`)."""
        self.events.append(event)

    def finish(self) -> ChangeEvent | None:
        """The last step before the commit: the transaction's events, merged into one, sent
        in the transaction (NOTIFY on PostgreSQL)."""
        event = merge_events(self.events)
        if event is not None:
            self._notifier.in_transaction(self.conn, event)
        return event


def merge_events(events: Sequence[ChangeEvent]) -> ChangeEvent | None:
    """One event that wakes every waiter any of `events` would wake (the pushing desk pulls
    after its push anyway, so the pusher's id is kept when it is the only one named)."""
    if not events:
        return None
    if len(events) == 1:
        return events[0]
    seqs = [e.seq for e in events]
    clients = {e.client_id for e in events if e.client_id is not None}
    return ChangeEvent(
        None if None in seqs else max(s for s in seqs if s is not None),
        tuple(dict.fromkeys(k for e in events for k in e.keys)),
        everyone=any(e.everyone for e in events),
        client_id=clients.pop() if len(clients) == 1 else None,
    )


class Writer:
    """The one way central writes pull-visible data (see SYNC.md, "The server's sequence")."""

    def __init__(
        self,
        engine: Engine,
        sequencer: Sequencer,
        notifier: ChangeNotifier,
        clock: Callable[[], datetime] = utcnow,
        before_stamp: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.sequencer = sequencer
        self._notifier = notifier
        self._clock = clock
        # A test hook: runs inside the transaction just before the stamp, to make commits late.
        self.before_stamp = before_stamp

    def now(self) -> datetime:
        return self._clock()

    @contextmanager
    def transaction(self, kind: str) -> Iterator[WriteTx]:
        reserved = self.sequencer.reserve()
        with write_transaction(self.engine) as conn:
            tx = WriteTx(
                conn,
                self.sequencer,
                self._notifier,
                reserved,
                kind,
                self._clock(),
                self.before_stamp,
            )
            yield tx
            event = tx.finish()
        if event is not None:
            self._notifier.after_commit([event])
