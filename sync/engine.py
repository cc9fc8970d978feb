"""The sync engine: one desk's outbox out, the server's changes in, on one worker thread.

A sync is a cycle of named phases, in the manner of Anki's sync (start, push, pull, finish)
with SYNC.md's resets:

    START   make sure of the sign-in (rotate the refresh token if the access token is due)
    PUSH    send the outbox in order, in bounded batches (push.py)
    PULL    fetch pages until done, each applied with its cursor (pull.py)
    RESET   when a pull says so: push first, keep a recovery copy, clear the server state
            (reset.py), then PULL from scratch and PUSH what is still pending
    FINISH  record the clock offset and the time, tell the status board

A cycle runs push-then-pull rounds until nothing is left to push (saves made during a cycle
go out in the same cycle), at most `max_rounds` times. Cycles run on the engine's worker
thread when the `Scheduler` says so, or on the caller's thread through `run_once()` (tests,
scripts). Nothing here touches Qt: the UI observes the `StatusBoard` and the reports.

Failures end a cycle, never the engine: network trouble and server-side errors are retried
with full-jitter backoff (honouring Retry-After); a refused sign-in or a required upgrade
pauses automatic syncs until the operator acts ("Sync now"); a malformed or hostile answer is
reported as a sync error and leaves the cache as it was.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from operator_app.store import Changes, PageSummary, Store, StoreClosedError
from sync.backoff import BASE_DELAY_S, MAX_DELAY_S, PULL_LIMIT_MINIMUM, AdaptiveSize, Backoff
from sync.credentials import Credentials
from sync.errors import ProtocolError, RequestTimeout
from sync.http import CentralClient
from sync.link import Answer, ServerLink
from sync.poke import RECONNECT_PROBE_S, CycleCounter, PokeListener
from sync.problems import ProblemCode, classify
from sync.protocol import (
    DEFAULT_POKE_TIMEOUT_S,
    MAX_PULL_LIMIT,
    MAX_PUSH_MUTATIONS,
    PROTOCOL_SCHEMA_VERSION,
)
from sync.pull import PageListener, PullPhase
from sync.push import ClientIdentity, PushPhase
from sync.report import Phase, SyncReport, Tally
from sync.reset import KEEP_RECOVERY_COPIES, RECOVERY_FOLDER, ResetPhase
from sync.scheduler import Monotonic, ScheduleConfig, Scheduler, Trigger
from sync.status import CLOCK_WARNING_SECONDS, StatusBoard, SyncState, SyncStatus

__all__ = [
    "EngineConfig",
    "EngineStopped",
    "Phase",
    "ProblemCode",
    "SyncEngine",
    "SyncReport",
    "Trigger",
]

Clock = Callable[[], datetime]
ReportListener = Callable[["SyncReport"], None]

_log = logging.getLogger(__name__).getChild("SyncEngine")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _app_version() -> str:
    try:
        return f"operator-desk/{metadata.version('operator-desk')}"
    except metadata.PackageNotFoundError:
        return "operator-desk"


@dataclass(frozen=True)
class EngineConfig:
    """How one engine behaves; the defaults are the production policy (SYNC.md)."""

    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    backoff_base_s: float = BASE_DELAY_S
    backoff_cap_s: float = MAX_DELAY_S
    push_batch: int = MAX_PUSH_MUTATIONS
    # The largest page the server grants: a 50,000-case first sync ran at 4,960 cases/s in
    # pages of 500 against 5,200 in pages of 1,000 (medians of four, side by side, each run
    # within 4,690-5,440; a page's fixed costs, a request and the store's page end, come half
    # as often). After a timeout the sizer halves it, so a slow link still gets small pages.
    pull_limit: int = MAX_PULL_LIMIT
    # The whole-request watchdog for push and pull; None: the client's (Timeouts.total).
    request_deadline_s: float | None = None
    poke: bool = True
    poke_timeout_s: float = DEFAULT_POKE_TIMEOUT_S
    reconnect_probe_s: float = RECONNECT_PROBE_S
    # A first sync whose cycles have failed for this long (and STALLED_CYCLES times in a row)
    # with no page pulled is finished as it stands: the desk builds the queue's indexes and
    # search documents it deferred and works at full speed offline (without them, at 200,000
    # cases, a queue view scans every case); the rest of that sync then comes with the
    # indexes in place, more slowly. Not at once: a link that drops a connection now and
    # then must not cost a whole index build.
    finish_first_sync_after_s: float = 60.0
    max_rounds: int = 4
    max_resets: int = 2
    recovery_dir: Path | None = None  # default: "recovery" beside the cache
    keep_recovery_copies: int = KEEP_RECOVERY_COPIES
    schema_version: int = PROTOCOL_SCHEMA_VERSION
    app_version: str = field(default_factory=_app_version)

    def __post_init__(self) -> None:
        if not 1 <= self.push_batch <= MAX_PUSH_MUTATIONS:
            raise ValueError(f"push_batch must be 1..{MAX_PUSH_MUTATIONS}")
        if not PULL_LIMIT_MINIMUM <= self.pull_limit <= MAX_PULL_LIMIT:
            raise ValueError(f"pull_limit must be {PULL_LIMIT_MINIMUM}..{MAX_PULL_LIMIT}")
        if self.max_rounds < 1 or self.max_resets < 0:
            raise ValueError("need max_rounds >= 1 and max_resets >= 0")


# Failed cycles in a row (as well as the time) before a stalled first sync is finished: one
# dropped connection and its retry are two.
STALLED_CYCLES = 3


def _log_finish_failure(future: Future[bool]) -> None:
    if future.cancelled():
        return
    exc = future.exception()
    # Closed half-way: the rest is built where that sync goes on (bulk_load.py).
    if exc is not None and not isinstance(exc, StoreClosedError):
        _log.error("finishing the stalled first sync failed", exc_info=exc)


class EngineStopped(Exception):
    """The engine stopped before the sync asked for could run."""


class SyncEngine:
    """Keeps one desk's cache in step with the central service.

    `start()` runs the worker thread (and the long-poll thread); `stop()` ends them. Without
    `start()`, `run_once()` and `sync_now()` run a cycle on the calling thread. Several engines
    may run in one process, each with its own store, client and credentials.
    """

    def __init__(
        self,
        store: Store,
        client: CentralClient,
        credentials: Credentials,
        status_board: StatusBoard | None = None,
        *,
        clock: Clock = _utc_now,
        rng: random.Random | None = None,
        monotonic: Monotonic = time.monotonic,
        config: EngineConfig | None = None,
    ) -> None:
        self._store = store
        self._client = client
        self._credentials = credentials
        self._board = status_board or StatusBoard()
        self._clock = clock
        self._rng = rng or random.Random()
        self._config = config = config or EngineConfig()
        self._link = ServerLink(client, credentials, clock)
        self._identity = ClientIdentity(
            store.sync_state().client_id, config.schema_version, config.app_version
        )
        self._push_sizer = AdaptiveSize(config.push_batch, minimum=1)
        self._pull_sizer = AdaptiveSize(config.pull_limit, minimum=PULL_LIMIT_MINIMUM)
        self._backoff = Backoff(self._rng, base=config.backoff_base_s, cap=config.backoff_cap_s)
        self._scheduler = Scheduler(config.schedule, monotonic)
        self._monotonic = monotonic
        # Since when, and for how many cycles, syncs have failed with no page pulled.
        self._stalled_since: float | None = None
        self._stalled_cycles = 0
        self._finishing: Future[bool] | None = None
        self._recovery_dir = config.recovery_dir or store.path.parent / RECOVERY_FOLDER
        self._cycle_lock = threading.Lock()
        self._cycles = CycleCounter()
        self._online = threading.Event()
        # The last failure found no link (not a timeout): the probe's success is a reconnect.
        self._link_down = threading.Event()
        self._lock = threading.Lock()
        self._waiters: list[Future[SyncReport]] = []
        self._report_listeners: list[ReportListener] = []
        self._page_listeners: list[PageListener] = []
        self._last_report: SyncReport | None = None
        self._clock_offset: float | None = None
        self._worker: threading.Thread | None = None
        self._poke: PokeListener | None = None
        self._running = False
        # The status shows saves as they happen, whether or not the worker runs.
        self._unsubscribe_store: Callable[[], None] | None = store.subscribe(self._on_store_changes)
        self._board.update(
            pending=store.pending_count(),
            keyring_available=credentials.keyring_available,
            clock_offset_s=store.sync_state().clock_offset_s,
        )

    # --- what the outside sees -----------------------------------------------------------

    @property
    def client_id(self) -> str:
        return self._identity.client_id

    @property
    def status(self) -> SyncStatus:
        return self._board.current

    @property
    def status_board(self) -> StatusBoard:
        return self._board

    @property
    def last_report(self) -> SyncReport | None:
        return self._last_report

    @property
    def cycles_finished(self) -> int:
        return self._cycles.count

    @property
    def running(self) -> bool:
        return self._running

    def wait_for_cycles(self, count: int, timeout: float) -> bool:
        """Block until at least `count` cycles have finished (for tests and tools)."""
        return self._cycles.wait_beyond(count - 1, timeout)

    def subscribe_reports(self, callback: ReportListener) -> Callable[[], None]:
        """Call `callback(report)` after every cycle, on the thread that ran it."""
        return self._subscribe(self._report_listeners, callback)

    def subscribe_pages(self, callback: PageListener) -> Callable[[], None]:
        """Call `callback(summary)` after every pulled page is committed."""
        return self._subscribe(self._page_listeners, callback)

    def _subscribe(self, listeners: list, callback: Callable) -> Callable[[], None]:  # type: ignore[type-arg]
        with self._lock:
            listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in listeners:
                    listeners.remove(callback)

        return unsubscribe

    # --- control ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker (it syncs at once) and, if configured, the long poll."""
        with self._lock:
            if self._running:
                return
            self._running = True
        self._scheduler.reopen()
        self._worker = threading.Thread(
            target=self._work, name=f"sync-worker-{self.client_id[:8]}", daemon=True
        )
        self._worker.start()
        if self._config.poke:
            self._poke = PokeListener(
                self._link,
                client_id=self.client_id,
                cursor=lambda: self._store.sync_state().cursor,
                online=self._online,
                link_down=self._link_down,
                cycles=self._cycles,
                on_poke=lambda: self._scheduler.request(Trigger.POKE),
                on_reachable=lambda: self._scheduler.request(Trigger.RECONNECT),
                timeout_s=self._config.poke_timeout_s,
                probe_interval_s=self._config.reconnect_probe_s,
                rng=random.Random(self._rng.random()),
            )
            self._poke.start()
        self._scheduler.request(Trigger.START)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the threads: a cycle under way finishes first (its requests are bounded by
        their deadlines). Syncs still waiting to run fail with EngineStopped."""
        with self._lock:
            if not self._running:
                return
            self._running = False
        self._scheduler.stop()
        if self._poke is not None:
            self._poke.stop()
        if self._worker is not None:
            self._worker.join(timeout)
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(EngineStopped("the sync engine stopped"))

    def close(self) -> None:
        """Stop, and stop listening to the store (before the store closes)."""
        self.stop()
        unsubscribe, self._unsubscribe_store = self._unsubscribe_store, None
        if unsubscribe is not None:
            with suppress(ValueError):  # the store forgot its subscribers already
                unsubscribe()

    def sync_now(self) -> Future[SyncReport]:
        """Sync as soon as possible (the operator's "Sync now"): a future of the report of the
        first cycle that starts after this call. Also resumes after a pause."""
        future: Future[SyncReport] = Future()
        with self._lock:
            running = self._running
            if running:
                self._waiters.append(future)
        if running:
            self._scheduler.request(Trigger.MANUAL)
            return future
        future.set_result(self.run_once(Trigger.MANUAL))
        return future

    def notify_local_change(self) -> None:
        """Something was saved locally: sync soon (debounced). The engine hears of the
        store's saves by itself once started; this is for other sources of work."""
        self._scheduler.notify_local_change()

    def notify_network_available(self) -> None:
        """The operating system says the network is back: sync now, backoff or not."""
        self._scheduler.request(Trigger.RECONNECT)

    def run_once(self, trigger: Trigger = Trigger.MANUAL) -> SyncReport:
        """Run one whole cycle on the calling thread and return its report."""
        return self._cycle(trigger)

    # --- the worker ------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            trigger = self._scheduler.wait()
            if trigger is None:
                return
            with self._lock:
                waiters, self._waiters = self._waiters, []
            report = self._cycle(trigger)
            for waiter in waiters:
                waiter.set_result(report)
            if report.problem is not None and report.problem.code == ProblemCode.STORE_CLOSED:
                return

    def _on_store_changes(self, changes: Changes) -> None:
        # On the store's writer thread: be quick. A page's acknowledgements change the outbox
        # too, but they come with the cursor (sync_state); only a save is new work.
        if not changes.outbox:
            return
        try:
            self._board.update(pending=self._store.pending_count())
        except StoreClosedError:
            return
        if not changes.sync_state and self._running:
            self._scheduler.notify_local_change()

    # --- the cycle -------------------------------------------------------------------------

    def _cycle(self, trigger: Trigger) -> SyncReport:
        with self._cycle_lock:
            started = self._clock()
            self._board.update(state=SyncState.SYNCING)
            tally = Tally()
            phase = Phase.START
            try:
                self._link.ensure_session()
                complete = False
                resets = 0
                for _round in range(self._config.max_rounds):
                    phase = Phase.PUSH
                    tally.add_push(self._push_phase().run())
                    phase = Phase.PULL
                    pulled = self._pull_phase().run()
                    tally.add_pull(pulled)
                    if pulled.reset is not None:
                        resets += 1
                        if resets > self._config.max_resets:
                            raise ProtocolError(f"the server asked for {resets} resets in a row")
                        tally.resets.append(pulled.reset)
                        phase = Phase.PUSH  # the outbox first: the server keeps it all
                        tally.add_push(self._push_phase().run())
                        phase = Phase.RESET
                        tally.copies.append(self._reset_phase().run(pulled.reset))
                        phase = Phase.PULL
                        tally.add_pull(self._pull_phase().run())
                        continue  # and replay what is still pending
                    if not self._work_left():
                        complete = True
                        break
                phase = Phase.FINISH
                if not complete:
                    self._scheduler.notify_local_change()  # more saves arrived: go on soon
                report = self._succeeded(trigger, started, tally)
            except Exception as exc:
                report = self._failed(trigger, started, tally, phase, exc)
            self._last_report = report
        self._cycles.finished()
        with self._lock:
            listeners = list(self._report_listeners)
        for listener in listeners:
            try:
                listener(report)
            except Exception:
                _log.exception("a sync report listener failed")
        return report

    def _push_phase(self) -> PushPhase:
        return PushPhase(
            self._store,
            self._link,
            self._identity,
            self._push_sizer,
            on_answer=self._heard,
            deadline=self._config.request_deadline_s,
        )

    def _pull_phase(self) -> PullPhase:
        return PullPhase(
            self._store,
            self._link,
            self._identity,
            self._pull_sizer,
            on_answer=self._heard,
            on_page=self._page_applied,
            deadline=self._config.request_deadline_s,
        )

    def _reset_phase(self) -> ResetPhase:
        return ResetPhase(
            self._store,
            self._recovery_dir,
            self._clock,
            keep=self._config.keep_recovery_copies,
        )

    def _work_left(self) -> bool:
        """Whether anything is waiting to be pushed after the server's last word."""
        pending = self._store.pending(1)
        if pending and pending[0].id > self._store.last_mutation_id():
            return True
        return bool(self._store.archived(self._store.last_mutation_id()))

    def _heard(self, answer: Answer, server_time: str) -> None:
        offset = answer.clock_offset(server_time)
        if offset is None:
            return
        was_off = self._clock_offset is not None and abs(self._clock_offset) > CLOCK_WARNING_SECONDS
        self._clock_offset = offset
        if abs(offset) > CLOCK_WARNING_SECONDS and not was_off:
            _log.warning("this computer's clock is %+.0f s off the server's", -offset)
        self._board.update(clock_offset_s=round(offset, 3))

    def _page_applied(self, summary: PageSummary) -> None:
        self._stalled_since, self._stalled_cycles = None, 0
        if summary.acknowledged:
            self._board.update(pending=self._store.pending_count())
        with self._lock:
            listeners = list(self._page_listeners)
        for listener in listeners:
            try:
                listener(summary)
            except Exception:
                _log.exception("a page listener failed")

    # --- endings ---------------------------------------------------------------------------

    def _succeeded(self, trigger: Trigger, started: datetime, tally: Tally) -> SyncReport:
        finished = self._clock()
        changes: dict[str, object] = {}
        if self._clock_offset is not None:
            changes["clock_offset_s"] = round(self._clock_offset, 3)
        if tally.pushed:
            changes["last_push_at"] = finished
        if changes:
            self._store.set_sync_state(**changes).result()
        self._backoff.reset()
        self._scheduler.clear_backoff()
        self._stalled_since, self._stalled_cycles = None, 0
        self._online.set()
        self._link_down.clear()
        rejected, conflicts = self._inbox_counts()
        self._board.update(
            state=SyncState.ONLINE,
            pending=self._store.pending_count(),
            rejected=rejected,
            conflicts=conflicts,
            last_synced_at=finished,
            last_error=None,
        )
        return tally.report(trigger, True, Phase.FINISH, started, finished)

    def _failed(
        self, trigger: Trigger, started: datetime, tally: Tally, phase: Phase, exc: Exception
    ) -> SyncReport:
        failure = classify(exc)
        if failure.problem.code == ProblemCode.INTERNAL:
            _log.error("sync failed in %s", phase.value, exc_info=exc)
        else:
            _log.info("sync failed in %s: %s", phase.value, failure.problem.code)
        retry_in: float | None = None
        if failure.retry:
            retry_in = self._backoff.next_delay(failure.retry_after)
            if failure.retry_after is not None:
                # The server's word is a floor whatever this engine's own cap (up to the
                # protocol's five minutes): coming back early only earns another 503.
                retry_in = max(retry_in, min(failure.retry_after, MAX_DELAY_S))
            self._scheduler.back_off(retry_in)
        elif failure.pause:
            self._scheduler.pause()
        if failure.state is SyncState.ONLINE:
            self._online.set()
        else:
            self._online.clear()
        if failure.state is SyncState.OFFLINE and not isinstance(exc, RequestTimeout):
            self._link_down.set()
        else:
            self._link_down.clear()
        updates: dict[str, object] = {"state": failure.state, "last_error": failure.problem}
        if failure.problem.code != ProblemCode.STORE_CLOSED:
            try:
                rejected, conflicts = self._inbox_counts()
                updates.update(
                    pending=self._store.pending_count(), rejected=rejected, conflicts=conflicts
                )
            except StoreClosedError:
                pass
        self._board.update(**updates)
        if failure.problem.code != ProblemCode.STORE_CLOSED:
            # A failure no retry will mend soon (signed out, upgrade required, a certificate,
            # forbidden) leaves the first sync stuck at once: no waiting for the stall rule.
            self._finish_stalled_first_sync(now=failure.pause or not failure.retry)
        return tally.report(
            trigger,
            False,
            phase,
            started,
            self._clock(),
            problem=failure.problem,
            retry_in=retry_in,
        )

    def _finish_stalled_first_sync(self, *, now: bool = False) -> None:
        """After a failed cycle: finish a first sync that is stuck (see
        EngineConfig.finish_first_sync_after_s), or at once with `now`. The store builds in
        the background; the engine does not wait."""
        at = self._monotonic()
        if self._stalled_since is None:
            self._stalled_since = at
        self._stalled_cycles += 1
        if not now and (
            at - self._stalled_since < self._config.finish_first_sync_after_s
            or self._stalled_cycles < STALLED_CYCLES
        ):
            return
        if self._finishing is not None and not self._finishing.done():
            return
        try:
            if self._store.first_sync_unfinished():
                _log.info("the first sync is stalled: building its deferred indexes now")
                self._finishing = self._store.finish_first_sync()
                self._finishing.add_done_callback(_log_finish_failure)
        except StoreClosedError:
            pass

    def _inbox_counts(self) -> tuple[int, int]:
        """Rejected and conflicting mutations waiting for a person: (rejected, conflicts)."""
        items = self._store.inbox()
        conflicts = sum(1 for item in items if item.status == "conflict")
        return len(items) - conflicts, conflicts
