"""The local store's front door: open (migrate, detect damage), read, write, subscribe."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Future
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from operator_app.domain.deadlines import local_date
from operator_app.domain.model import Actor, Call, Case, FieldConflict, Note, TimelineEntry
from operator_app.domain.mutations import MutationArgs
from operator_app.domain.mutators import Rules
from operator_app.domain.records import record_from_json
from operator_app.store import (
    bulk_load,
    damage,
    outbox,
    queue,
    reference_data,
    search,
    sync_state,
    workload,
)
from operator_app.store.checkpointer import Checkpointer
from operator_app.store.connection import database, open_writer
from operator_app.store.damage import OpenReport
from operator_app.store.migrations import migrate, refuse_newer, up_to_date
from operator_app.store.outbox import InboxItem, MutationStatus, OutboxEntry
from operator_app.store.queue import Facet, QueueFilter, QueueRow, Sort
from operator_app.store.readers import Readers
from operator_app.store.reference_data import Directory
from operator_app.store.search import CitizenMatch
from operator_app.store.sync_state import SyncState
from operator_app.store.workload import WorkloadCounts
from operator_app.store.write_jobs import LocalResult, PageSummary, WriteSide
from operator_app.store.writer import Changes, Priority, Writer

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DEFAULT_SORT = Sort()
Subscriber = Callable[[Changes], None]


def system_clock() -> datetime:
    return datetime.now(UTC)


_RECORD_TABLES: dict[str, tuple[str, type[Any], str]] = {
    "note": ("srv_note", Note, "created_at"),
    "call": ("srv_call", Call, "started_at"),
    "timeline": ("srv_timeline", TimelineEntry, "at"),
    "conflict": ("srv_conflict", FieldConflict, "at"),
}


class Store:
    """The offline case cache. Reads run on the calling thread's own connection; writes go
    to the single writer and return futures. Subscribers hear of every committed change."""

    def __init__(
        self,
        path: Path,
        writer: Writer,
        side: WriteSide,
        clock: Clock,
        report: OpenReport,
        checkpointer: Checkpointer | None,
        subscribers: list[Subscriber],
    ) -> None:
        self.path = path
        self.open_report = report
        self._writer = writer
        self._side = side
        self._clock = clock
        self._readers = Readers(path)
        self._checkpointer = checkpointer
        self._subscribers = subscribers
        self._rules: Rules | None = None
        self._rules_lock = threading.Lock()
        self._closed = False
        self._durable_saves = False

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        clock: Clock = system_clock,
        threaded: bool = True,
        full_check: bool = False,
        chunk_seconds: float | None = None,
        durable_saves: bool = False,
    ) -> Store:
        """Open (or create) the cache at `path`.

        Raises NewerSchemaError for a file from a newer version (left untouched). A damaged
        file is moved aside after its outbox is salvaged, and a fresh cache is built with the
        salvaged mutations queued again; `open_report` says what happened.

        Local saves commit in WAL mode with synchronous=NORMAL: a save survives the desk
        crashing at once, and a power cut once the checkpointer's next pass has synced the
        WAL (a quarter of a second later). `durable_saves=True` syncs every save instead
        (FULL): measured here, it costs 1.5 ms alone and much more while pages are applied,
        because the sync also flushes what the pulled chunks wrote.
        """
        path = Path(path)
        marker = damage.check_marker(path)
        problem = damage.probe(path, full=full_check or marker.exists())
        report = OpenReport()
        salvaged: dict[str, Any] | None = None
        if problem is not None:
            when = damage.stamp(clock())
            salvage_file, salvaged = damage.salvage(path, when)
            moved = damage.move_aside(path, when)
            report = OpenReport(problem, moved, salvage_file, len(salvaged["outbox"]))
            log.error(
                "damaged cache moved to %s (%s); outbox salvaged to %s",
                moved,
                problem,
                salvage_file,
            )
        marker.unlink(missing_ok=True)

        conn = open_writer(path)
        try:
            db = database(conn)
            refuse_newer(db)
            # A first sync that stopped half-way left its indexes dropped. It goes on where it
            # stopped, at its own pace (bulk_load.py); building them here held the opening
            # up (half a minute at a million cases) and made the rest of that sync come with
            # every index in place, four times slower. A desk that cannot finish it (offline)
            # builds them when the sync engine gives up waiting (EngineConfig
            # .finish_first_sync_after_s). Only a migration needs them built first, as does
            # a vocabulary an older desk left owed.
            if not (bulk_load.deferred(conn) and up_to_date(db)):
                restored = bulk_load.restore(conn)
                if restored:
                    log.info("built %d indexes a first sync had deferred", restored)
            migrate(db)
            conn.execute("BEGIN IMMEDIATE")
            sync_state.ensure_client_id(conn)
            conn.execute("COMMIT")
            side = WriteSide(
                conn, clock, **({"chunk_seconds": chunk_seconds} if chunk_seconds else {})
            )
        except BaseException:
            conn.close()
            raise
        subscribers: list[Subscriber] = []
        writers: list[Writer] = []

        def on_pass(ticket: int) -> None:
            for w in writers:
                w.checkpoint_passed(ticket)

        checkpointer = Checkpointer(path, on_pass=on_pass) if threaded else None
        store_ref: list[Store] = []

        def on_commit(changes: Changes) -> None:
            if checkpointer is not None:
                checkpointer.poke()
            if store_ref:
                store_ref[0]._committed(changes)

        writer = Writer(
            conn,
            on_commit=on_commit,
            on_failure=side.reload,
            threaded=threaded,
            wal_path=Path(str(path) + "-wal"),
            hurry_checkpoint=checkpointer.hurry if checkpointer is not None else None,
        )
        writers.append(writer)
        side.should_yield = lambda: writer.urgent(Priority.PULL)
        store = cls(path, writer, side, clock, report, checkpointer, subscribers)
        store._durable_saves = durable_saves
        store_ref.append(store)
        if salvaged is not None:
            entries = damage.salvaged_entries(salvaged["outbox"])
            state = dict(salvaged.get("sync_state") or {})
            if entries or state.get("client_id"):
                store._write(side.import_entries(entries, state), Priority.LOCAL, True).result()
        return store

    def close(self) -> None:
        """Finish queued local work, cancel queued pulls, checkpoint, close every connection."""
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        if self._checkpointer is not None:
            self._checkpointer.close()
        self._readers.close()
        conn = self._writer.connection
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            log.warning("final checkpoint failed", exc_info=True)
        conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- announcements ---------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(changes)` after every committed change (on the writer thread).
        Returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def _committed(self, changes: Changes) -> None:
        if changes.reference:
            with self._rules_lock:
                self._rules = None
        for callback in list(self._subscribers):
            try:
                callback(changes)
            except Exception:
                log.exception("store subscriber failed")

    # -- writes ----------------------------------------------------------------------------

    def _write(
        self, factory: Any, priority: Priority, durable: bool = False, abandonable: bool = False
    ) -> Future[Any]:
        return self._writer.submit(
            factory, priority=priority, durable=durable, abandonable=abandonable
        )

    def submit(self, args: MutationArgs, actor: Actor) -> Future[LocalResult]:
        """Run a mutation on the local view; if the domain applies it, queue it and update the
        view in one transaction. A refusal is returned and nothing is queued."""
        return self._write(
            self._side.save_local(args, actor), Priority.LOCAL, durable=self._durable_saves
        )

    def submit_many(
        self, args_list: Sequence[MutationArgs], actor: Actor
    ) -> Future[list[LocalResult]]:
        """Run mutations on the local view in one transaction (one sync), e.g. a supervisor's
        bulk reassignment. Each gets its own result; a refusal stops none of the others; the
        outbox takes them in list order; subscribers hear of the whole batch once."""
        return self._write(
            self._side.save_many(list(args_list), actor),
            Priority.LOCAL,
            durable=self._durable_saves,
        )

    def apply_page(self, page: dict[str, Any]) -> Future[PageSummary]:
        """Apply a pulled page in short chunks; its cursor commits with the last one."""
        # Stopped between chunks when the desk closes: what was committed is server data
        # under its version guard, and the page comes again (the cursor moves last).
        return self._write(self._side.apply_page(page), Priority.PULL, abandonable=True)

    def first_sync_unfinished(self) -> bool:
        """Whether a first sync began filling this cache and has not ended: its indexes and
        search documents wait for its last page (bulk_load.py)."""
        return bulk_load.active(self._conn())

    def finish_first_sync(self) -> Future[bool]:
        """Build what an unfinished first sync deferred now, for a desk that must work
        without the rest of it (offline). True when there was anything to build."""
        return self._write(self._side.finish_first_sync(), Priority.PULL, abandonable=True)

    def make_durable(self) -> Future[int]:
        """Make every save so far survive a power cut (one fsync), before anything that
        cannot be taken back relies on them: a push. Saves commit with synchronous=NORMAL
        and reach the disk with the checkpointer's next pass (a quarter of a second). The
        result is the highest mutation id now on disk."""
        return self._write(self._side.make_durable(), Priority.CONTROL, durable=True)

    def set_sync_state(self, **changes: Any) -> Future[SyncState]:
        """Set the sync engine's fields (epoch, clock_offset_s, last_push_at, ...)."""
        return self._write(self._side.update_sync_state(changes), Priority.CONTROL, durable=True)

    def dismiss(self, mutation_id: int) -> Future[bool]:
        """Take an inbox item off the list."""
        return self._write(self._side.dismiss(mutation_id), Priority.CONTROL)

    def reset_server_state(self) -> Future[int]:
        """Clear everything pulled; rebuild the view from the pending outbox alone."""
        return self._write(self._side.reset_server_state(), Priority.PULL)

    def rebuild_search(self) -> Future[bool]:
        return self._write(self._side.rebuild_search(), Priority.PULL)

    def backup_to(self, path: Path | str) -> None:
        """A consistent copy of the cache (SQLite's backup API), e.g. before a reset."""
        target = sqlite3.connect(str(path))
        try:
            self._readers.connection().backup(target)
        finally:
            target.close()

    # -- reads -----------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        return self._readers.connection()

    def today(self) -> date:
        """Today in Mongolia, by the store's clock: deadline states count from it."""
        return local_date(self._clock())

    def queue_ids(
        self,
        f: QueueFilter,
        sort: Sort | Sequence[Sort] = DEFAULT_SORT,
        limit: int | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[int]:
        """Ordered rids of the cases `f` finds; `limit` the first few; `cancelled` says when
        nobody wants the answer any more (the query stops and returns [])."""
        return queue.queue_ids(self._conn(), f, sort, self.today(), limit, cancelled)

    def rows(self, rids: Sequence[int]) -> list[QueueRow]:
        return queue.rows(self._conn(), rids, self.today())

    def facet_counts(
        self, f: QueueFilter, facets: Iterable[Facet] = tuple(Facet)
    ) -> dict[Facet, dict[str, int]]:
        return queue.facet_counts(self._conn(), f, self.today(), facets)

    def workload_counts(
        self,
        centres: Collection[str],
        today: date | None = None,
        week_end: date | None = None,
        soon_days: int | None = None,
    ) -> WorkloadCounts:
        """Open cases of the centres (all when none are named) and their deadlines, per
        assignee, team, centre and agency, in one GROUP BY. `today` defaults to the store's
        local day, `week_end` to that week's Sunday; "due soon" follows each case's deadline
        rule unless `soon_days` says how many days ahead it starts."""
        day = today if today is not None else self.today()
        sunday = week_end if week_end is not None else day + timedelta(days=6 - day.weekday())
        return workload.workload_counts(self._conn(), centres, day, sunday, soon_days)

    def rid_of(self, case_id: str) -> int | None:
        row = self._conn().execute("SELECT rid FROM case_view WHERE id = ?", (case_id,)).fetchone()
        return row[0] if row else None

    def case(self, case_id: str) -> Case | None:
        """The case as the desk sees it (server state plus pending mutations)."""
        row = (
            self._conn()
            .execute(
                "SELECT COALESCE(v.data, s.data) FROM case_view v"
                " LEFT JOIN srv_case s ON s.rid = v.rid WHERE v.id = ?",
                (case_id,),
            )
            .fetchone()
        )
        return record_from_json(Case, json.loads(row[0])) if row else None

    def _records(self, kind: str, case_id: str) -> list[Any]:
        table, cls, order = _RECORD_TABLES[kind]
        rid = self.rid_of(case_id)
        if rid is None:
            return []
        conn = self._conn()
        by_id: dict[str, dict[str, Any]] = {}
        for record_id, data in conn.execute(
            f"SELECT id, data FROM {table} WHERE case_rid = ?", (rid,)
        ):
            by_id[record_id] = json.loads(data)
        for record_id, data in conn.execute(
            "SELECT id, data FROM pending_record WHERE case_rid = ? AND type = ?"
            " ORDER BY mutation_id, seq",
            (rid, kind),
        ):
            if kind == "conflict" or record_id not in by_id:
                by_id[record_id] = json.loads(data)
        records = [record_from_json(cls, data) for data in by_id.values()]
        return sorted(records, key=lambda r: getattr(r, order))

    def notes(self, case_id: str) -> list[Note]:
        return self._records("note", case_id)

    def calls(self, case_id: str) -> list[Call]:
        return self._records("call", case_id)

    def timeline(self, case_id: str) -> list[TimelineEntry]:
        return self._records("timeline", case_id)

    def conflicts(self, case_id: str) -> list[FieldConflict]:
        return self._records("conflict", case_id)

    def find_by_phone(self, text: str, limit: int = search.DEFAULT_LIMIT) -> list[CitizenMatch]:
        return search.by_phone(self._conn(), text, limit)

    def find_by_reg_no(self, text: str, limit: int = search.DEFAULT_LIMIT) -> list[CitizenMatch]:
        return search.by_reg_no(self._conn(), text, limit)

    def find_by_name(self, text: str, limit: int = search.DEFAULT_LIMIT) -> list[CitizenMatch]:
        return search.by_name(self._conn(), text, limit)

    def case_by_number(self, text: str) -> list[int]:
        return search.case_by_number(self._conn(), text)

    def search(self, text: str, limit: int = 200) -> list[int]:
        return search.free_text(self._conn(), text, limit)

    def directory(self) -> Directory:
        return reference_data.directory(self._conn())

    def reference_items(self, record_type: str) -> list[reference_data.RefItem]:
        return reference_data.items(self._conn(), record_type)

    def rules(self) -> Rules:
        """Deadline rules and holidays: as pulled, else as shipped."""
        with self._rules_lock:
            if self._rules is None:
                self._rules = reference_data.rules(self._conn())
            return self._rules

    def sync_state(self) -> SyncState:
        return sync_state.load(self._conn())

    def pending(self, limit: int | None = None) -> list[OutboxEntry]:
        """Mutations waiting to be pushed, in id order."""
        return outbox.pending(self._conn(), limit)

    def pending_count(self) -> int:
        return self._conn().execute("SELECT count(*) FROM outbox").fetchone()[0]

    def last_mutation_id(self) -> int:
        """The highest mutation id the server has acknowledged (as of the last pull)."""
        return self.sync_state().last_mutation_id

    def archived(self, after_id: int = 0) -> list[OutboxEntry]:
        return outbox.archived(self._conn(), after_id)

    def inbox(self) -> list[InboxItem]:
        return outbox.inbox(self._conn())

    def mutation_results(self, mutation_ids: Iterable[int]) -> dict[int, MutationStatus]:
        """The current sync status of the given mutations (pending, applied, conflict or
        rejected, with the server's code and details), dismissed inbox items included; ids
        this cache no longer knows (purged after 30 days, or never queued) are left out."""
        return outbox.mutation_statuses(self._conn(), mutation_ids)

    def verify(self) -> str | None:
        """A full integrity check; the problem found, or None."""
        rows = self._conn().execute("PRAGMA quick_check").fetchall()
        return None if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:5])

    def mark_suspect(self) -> None:
        """Ask the next open for a full check (after an SQLite error said the file is damaged)."""
        damage.check_marker(self.path).touch()
