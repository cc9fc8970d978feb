"""The single writer: one thread, one write connection, short transactions, local saves first.

A job is a generator. Each `next()`/`send()` does one transaction's work and yields a `Step`;
the writer commits it, announces its changes, and, if the job has more to do, puts it back in
the queue behind any waiting job of higher priority. A pulled page is many steps; a local save
is one.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from operator_app.store.errors import StoreClosedError

log = logging.getLogger(__name__)


class Priority(IntEnum):
    """Lower runs first."""

    LOCAL = 0  # what an operator just typed
    CONTROL = 1  # sync bookkeeping, inbox dismissals
    PULL = 2  # pulled pages, rebuilds


@dataclass(frozen=True, slots=True)
class Changes:
    """What one committed transaction changed, for views to refresh."""

    case_ids: frozenset[str] = frozenset()
    rids: frozenset[int] = frozenset()
    reference: frozenset[str] = frozenset()  # reference-data types that changed
    citizens: bool = False
    outbox: bool = False  # the pending queue grew or shrank
    sync_state: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.case_ids
            or self.rids
            or self.reference
            or self.citizens
            or self.outbox
            or self.sync_state
        )


NO_CHANGES = Changes()
_MORE = object()
# Past this size the WAL is made to start over after a pulled step.
WAL_RESTART_BYTES = 64 * 1024 * 1024
# How long a long job waits for a checkpoint to let the WAL start over (then goes on anyway).
WAL_RESTART_WAIT_SECONDS = 2.0
# How long the writer stays idle after a local save, so its caller runs first (see _hand_over).
HAND_OVER_SECONDS = 0.002


@dataclass(frozen=True, slots=True)
class Step:
    """One transaction's work: what it changed, and the job's result if this was its last."""

    changes: Changes = NO_CHANGES
    result: Any = _MORE

    @property
    def last(self) -> bool:
        return self.result is not _MORE


# A job receives the previous step's duration in seconds (work plus commit).
Job = Generator[Step, float, None]
JobFactory = Callable[[sqlite3.Connection], Job]


def single_step(work: Callable[[sqlite3.Connection], tuple[Any, Changes]]) -> JobFactory:
    """A job of one transaction."""

    def factory(conn: sqlite3.Connection) -> Job:
        result, changes = work(conn)
        yield Step(changes, result)

    return factory


@dataclass(order=True)
class _Queued:
    priority: int
    seq: int
    durable: bool = field(compare=False)
    factory: JobFactory = field(compare=False)
    future: Future[Any] = field(compare=False)
    job: Job | None = field(default=None, compare=False)
    last_duration: float = field(default=0.0, compare=False)
    # May stop between two steps when the store closes (see Writer.submit).
    abandonable: bool = field(default=False, compare=False)


class Writer:
    """Owns the write connection. `threaded=False` runs every job at once in the caller's
    thread (tests); the public behaviour is otherwise the same."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        on_commit: Callable[[Changes], None],
        on_failure: Callable[[sqlite3.Connection], None],
        threaded: bool = True,
        name: str = "store-writer",
        wal_path: Path | None = None,
        hurry_checkpoint: Callable[[], int] | None = None,
    ) -> None:
        self._wal_path = wal_path
        self._hurry_checkpoint = hurry_checkpoint
        self._checkpointed = 0
        self.wal_started_over = 0  # by _start_wal_over (tests wait on it)
        # A restarted WAL is cut back to the restart size on its first commit, and grows past
        # it again only once that much has been written since: `_restart_wal_if_large` waits
        # for the file to outgrow it, so a restarted file that keeps its size is not taken for
        # a full one. Cut back to a quarter, the file was truncated by tens of megabytes
        # inside whichever commit restarted it, a pulled chunk's that a save was waiting for
        # or the save's own: ftruncate of 48 MB takes 14 ms here, half of the commits over
        # 5 ms while pages applied were these (200,000 cases), and a save that restarted a
        # 450 MB WAL took 115 ms (1,000,000). Now only what one step wrote past it is cut.
        conn.execute(f"PRAGMA journal_size_limit = {WAL_RESTART_BYTES}")
        self._conn = conn
        self._on_commit = on_commit
        self._on_failure = on_failure
        self._threaded = threaded
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._inline_lock = threading.RLock()
        self._durable_now = False
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name=name, daemon=True)
            self._thread.start()

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def submit(
        self,
        factory: JobFactory,
        *,
        priority: Priority,
        durable: bool = False,
        abandonable: bool = False,
    ) -> Future[Any]:
        """Queue a job; `durable` commits each step with synchronous=FULL.

        An `abandonable` job is one whose every step leaves the cache whole and whose work
        can be done again later (a pulled page: its cursor moves with its last step only).
        When the store closes it stops after the step under way, its future failing with
        StoreClosedError, instead of holding the close up to its end: the end of a first
        sync at a million cases is half a minute of index builds.
        """
        future: Future[Any] = Future()
        item = _Queued(int(priority), next(self._seq), durable, factory, future)
        item.abandonable = abandonable
        if not self._threaded:
            with self._inline_lock:
                if self._closed:
                    raise StoreClosedError("the store is closed")
                future.set_running_or_notify_cancel()
                while not self._step(item):
                    pass
            return future
        with self._cond:
            if self._closed:
                raise StoreClosedError("the store is closed")
            heapq.heappush(self._queue, item)
            self._cond.notify()
        return future

    def urgent(self, than: Priority) -> bool:
        """Whether a job of higher priority than `than` is waiting (a running job may yield)."""
        with self._cond:
            return bool(self._queue) and self._queue[0].priority < than

    def close(self) -> None:
        """Finish local and control jobs, cancel queued pulls (they can be pulled again) and
        stop abandonable jobs after their current step."""
        if not self._threaded:
            with self._inline_lock:
                self._closed = True
            return
        with self._cond:
            if self._closed:
                return
            self._closed = True
            kept = []
            for item in self._queue:
                if item.priority >= Priority.PULL and item.job is None:
                    item.future.cancel()
                else:
                    kept.append(item)
            heapq.heapify(kept)
            self._queue = kept
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
                item = heapq.heappop(self._queue)
                stop = self._closed and item.abandonable and item.job is not None
            if stop:
                self._abandon(item)  # outside the lock: the future's callbacks run here
                continue
            if item.job is None and not item.future.set_running_or_notify_cancel():
                continue  # cancelled before it started
            done = self._step(item)
            if item.priority == Priority.LOCAL:
                if done:
                    self._hand_over()
            else:
                # After every pulled step, a job's last one too: a page that fits in one
                # transaction is a job of one step, and a pull of such pages grew the WAL to
                # 450 MB over eight pages at 1,000,000 cases (the next commit to restart it
                # then truncated the file, a local save's: 115 ms).
                self._restart_wal_if_large(job_done=done)
            if not done:
                with self._cond:
                    heapq.heappush(self._queue, item)

    @staticmethod
    def _abandon(item: _Queued) -> None:
        """Stop a started job between two steps (no transaction is open)."""
        assert item.job is not None
        try:
            item.job.close()
        except Exception:  # pragma: no cover - a job's own clean-up failing changes nothing
            log.exception("a job stopped at close failed to stop")
        item.future.set_exception(StoreClosedError("the store closed before the job ended"))

    def _hand_over(self) -> None:
        """After a local save: pause before more pulled work, unless more saves wait.

        The thread waiting for the save needs the GIL to see its result. A bare yield
        (sleep(0)) hands it over only if that thread is already scheduled; otherwise the
        writer takes the GIL straight back for the next pulled chunk and the caller waits
        for the 5 ms switch interval (measured: most of a save's p95 during a pull).
        Blocking on the queue's condition for a moment releases the GIL for certain.
        """
        with self._cond:
            if self._queue and self._queue[0].priority == Priority.LOCAL:
                return
            self._cond.wait(HAND_OVER_SECONDS)

    def _restart_wal_if_large(self, *, job_done: bool = True) -> None:
        """After a pulled step: let the WAL start over once it has grown.

        The checkpointer thread copies the WAL back while the writer works, but it can only
        finish while nothing is appended, so during a long pull the WAL would grow without
        bound (gigabytes at a million cases, and every read slows down with it). Here the
        writer pauses until a checkpointer pass has copied the rest; the next transaction
        then restarts the WAL. The pause ends as soon as a local save is queued: running
        the checkpoint on the writer's own connection instead held saves up for 100-450 ms
        (measured at 300,000 cases).
        """
        if self._wal_path is None or self._hurry_checkpoint is None:
            return
        if self.urgent(Priority.PULL):
            return
        try:
            size = self._wal_path.stat().st_size
        except FileNotFoundError:
            return
        if size <= WAL_RESTART_BYTES:
            return
        ticket = self._hurry_checkpoint()
        deadline = time.monotonic() + WAL_RESTART_WAIT_SECONDS
        with self._cond:
            while self._checkpointed < ticket and not self._closed:
                if self._queue and self._queue[0].priority < Priority.PULL:
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.warning("the WAL could not start over: no checkpoint came in time")
                    return
                self._cond.wait(remaining)
            if not job_done or self._queue or self._closed:
                return  # the next step's transaction starts the WAL over
        self._start_wal_over()

    def _start_wal_over(self) -> None:
        """With nothing queued after a pull: start the WAL over now, with a write of nothing.

        The transaction that finds the WAL copied back starts it over and cuts the file back
        to WAL_RESTART_BYTES. Left to the next one, that was the first save after the pull,
        a save of an operator back at the desk: 17-24 ms against 4 for the next at 200,000
        cases (the file cut from 82-92 MB), 249 ms at 1,000,000. The write sets the schema
        version to what it is (a change of page 1, so the WAL gets a frame)."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            log.warning("the WAL could not start over", exc_info=True)
            return
        with self._cond:
            self.wal_started_over += 1
            self._cond.notify_all()

    def checkpoint_passed(self, ticket: int) -> None:
        """The checkpointer finished a pass that started after request `ticket`."""
        with self._cond:
            self._checkpointed = max(self._checkpointed, ticket)
            self._cond.notify_all()

    def _set_durable(self, durable: bool) -> None:
        if durable != self._durable_now:
            self._conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            self._durable_now = durable

    def _step(self, item: _Queued) -> bool:
        """Run one step of the job in a transaction; True when the job is finished."""
        conn = self._conn
        start = time.perf_counter()
        try:
            self._set_durable(item.durable)
            conn.execute("BEGIN IMMEDIATE")
            if item.job is None:
                item.job = item.factory(conn)
                step = next(item.job)
            else:
                step = item.job.send(item.last_duration)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            try:
                self._on_failure(conn)
            except Exception:  # pragma: no cover - reported with the original error
                log.exception("could not reload the writer's state after a failure")
            item.future.set_exception(exc)
            return True
        item.last_duration = time.perf_counter() - start
        if step.changes:
            try:
                self._on_commit(step.changes)
            except Exception:
                log.exception("a change subscriber failed")
        if step.last:
            item.future.set_result(step.result)
            return True
        return False
