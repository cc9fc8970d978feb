"""Write transactions that end stamped with the server's sequence number and announce themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    stamp first and then write with the number."""

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

    def announce(self, event: ChangeEvent) -> None:
        self._notifier.in_transaction(self.conn, event)
        self.events.append(event)


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
        self._notifier.after_commit(tx.events)
