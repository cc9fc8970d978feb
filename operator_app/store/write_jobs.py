"""The writer's jobs: local saves, pulled pages in chunks, bookkeeping, resets and rebuilds."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import device_code_for, provisional_case_number
from operator_app.domain.model import Actor, Case
from operator_app.domain.mutations import CreateCase, MutationArgs, parse_mutation, to_json
from operator_app.domain.mutators import Outcome, Refused, apply_mutation, invalid
from operator_app.domain.records import record_to_json
from operator_app.store import bulk_load, outbox, reference_data, sync_state
from operator_app.store.columns import CaseSyncState, view_row
from operator_app.store.local_view import (
    ChildLookup,
    ViewContext,
    ViewState,
    add_note_doc,
    current_case,
    dumps,
    rebase_case,
    records_of,
    set_doc,
    write_records,
    write_view_row,
)
from operator_app.store.outbox import ARCHIVE_DAYS, OutboxEntry
from operator_app.store.page import Page, check_ops, parse_page
from operator_app.store.pull_apply import ChunkOutcome, OpsApplier, grouped_by_case
from operator_app.store.search_terms import rebuild_terms
from operator_app.store.search_text import DOC_FIELDS, case_doc, note_bodies, rebuild_search
from operator_app.store.writer import NO_CHANGES, Changes, Job, JobFactory, Step

# A pulled page is applied in transactions of bounded work, ended early as soon as a local
# save is waiting; ops go a case at a time, so a save waits for at most one case and the
# commit of what the transaction did so far. While the operator is saving, transactions stay
# small: that commit was most of a save's wait (measured at 60,000 cases, a save every ~6 ms:
# p95 7.1 ms with 16 cases a transaction, 4.1 ms with 4; the pull meanwhile 1,150 -> 750
# cases/s). One case: on a slower machine, at 200,000 cases, a save every 2-10 ms, p95
# 4.8/6.3 ms with 4 and 3.9/5.0 ms with 1 (its wait for the pull's commit, median 0.87 ->
# 0.34 ms); the pull meanwhile 610/509 -> 470/403 cases/s, only while saves come this fast.
CHUNK_SECONDS = 0.025
MAX_CHUNK_CASES = 1
BATCH_CASES = 1
IDLE_AFTER_SECONDS = 5.0
# Between saves, while the operator is at the desk (a save in the last AWAY_AFTER_SECONDS),
# transactions are larger, the queue looked at every 4 cases. Not much larger: the next save
# finds one in progress and waits for its commit whole. As one page a transaction (below),
# each save of an operator's pace (each after IDLE_AFTER_SECONDS) waited 31-32 ms at the
# median, 62-89 ms at p95 (200,000 cases); such a commit took 60-390 ms at 1,000,000 cases
# (35-97 MB of WAL). 32 cases commit in ~2 ms (p95 3 ms) at 1,000,000 and those saves took
# 2.0-2.4 ms (p95 4.3-5.0). The pull pays for it, mostly in FTS merges of more, smaller
# segments: 3,700-4,000 pulled cases/s against 5,600-6,400 at 200,000 cases.
DESK_CHUNK_SECONDS = 0.02
DESK_CHUNK_CASES = 32
DESK_BATCH_CASES = 4
# When nobody has saved for a while (or since the store opened: a first sync, a catch-up at
# the start of the day), a page is one transaction (up to half a second of work), the queue
# looked at every 32 cases: commits of the same index pages were a fifth of the apply time
# with 256-case transactions, and pages of 32 cases halved the rate into a full cache
# (200,000 cases: 7,400 -> 3,750 cases/s) and cost a first sync a quarter (11,600 -> 8,700).
# The first save after such a pause may wait for one such commit.
AWAY_AFTER_SECONDS = 300.0
IDLE_CHUNK_SECONDS = 0.5
IDLE_CHUNK_CASES = 5000
IDLE_BATCH_CASES = 32
_RESET_BATCH = 2000
# sync_state key: how many times the saves so far were made durable (make_durable).
DURABLE_KEY = "durable_marks"
# Ops checked between looks at the queue (a few µs each): a page's check is ~25 ms.
CHECK_SLICE_OPS = 256


@dataclass(frozen=True, slots=True)
class LocalResult:
    """What a local save did: `outcome` is the domain's; `mutation_id` is None when nothing
    was queued (refused locally, or already in effect)."""

    outcome: Outcome
    case_id: str
    rid: int | None
    mutation_id: int | None = None

    @property
    def queued(self) -> bool:
        return self.mutation_id is not None

    @property
    def refused(self) -> Refused | None:
        return self.outcome if isinstance(self.outcome, Refused) else None


@dataclass(frozen=True, slots=True)
class PageSummary:
    cursor: str
    has_more: bool
    applied: int
    skipped: int
    chunks: int
    acknowledged: int  # outbox entries moved to the archive


def _case_count(ops: Sequence[Mapping[str, Any]]) -> int:
    return sum(1 for op in ops if op["type"] == "case" and op["op"] == "put")


def _chunk_end(ops: Sequence[Mapping[str, Any]], start: int, cases: int) -> int:
    """End of a chunk of about `cases` cases; never splits a case from the records after it."""
    seen = 0
    end = start
    limit = start + cases * 8  # pages of notes or citizens only are bounded by op count
    while end < len(ops) and end < limit:
        if ops[end]["type"] == "case":
            if seen == cases:
                break
            seen += 1
        end += 1
    return max(end, start + 1)


class WriteSide:
    """Writer-thread state and the jobs that use it. Only the writer thread calls the jobs."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        clock: Callable[[], datetime],
        *,
        chunk_seconds: float = CHUNK_SECONDS,
    ) -> None:
        self.clock = clock
        self.chunk_seconds = chunk_seconds
        # Set by the store once the writer exists: whether a local save is waiting.
        self.should_yield: Callable[[], bool] = lambda: False
        self.last_local_save = float("-inf")
        self.vs = ViewState(conn)
        self.ctx = ViewContext.of(reference_data.rules(conn))
        # A first sync into an empty cache is on, its indexes dropped (bulk_load.py).
        self.bulk = bool(bulk_load.deferred(conn))
        # The sync state a local save reads and moves on, as committed or about to be: the
        # client id, the next mutation id and the provisional counter. Only the writer's
        # jobs change them (save, import); None after a failed transaction, read again at
        # the next save. Read from the table each time, 29 µs a save.
        self.counters: tuple[str, int, int] | None = None

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def reload(self, conn: sqlite3.Connection) -> None:
        """After a failed transaction: forget in-memory state and read it back."""
        # First: should a read below fail too, the next save still reads the stored counters
        # (ids ahead of them would leave a gap the server refuses).
        self.counters = None
        self.vs.reload(conn)
        self.ctx = ViewContext.of(reference_data.rules(conn))
        self.bulk = bool(bulk_load.deferred(conn))

    # -- local saves -----------------------------------------------------------------------

    def save_local(self, args: MutationArgs, actor: Actor) -> JobFactory:
        def job(conn: sqlite3.Connection) -> Job:
            yield self._save_local(conn, args, actor)

        return job

    def save_many(self, args_list: Sequence[MutationArgs], actor: Actor) -> JobFactory:
        """Local saves in one transaction: each its own result, a refusal stops none of the
        rest, the outbox takes them in list order, and one change is announced for all."""

        def job(conn: sqlite3.Connection) -> Job:
            results: list[LocalResult] = []
            changes = NO_CHANGES
            for args in args_list:
                step = self._save_local(conn, args, actor)
                results.append(step.result)
                changes = _merged(changes, step.changes)
            yield Step(changes, results)

        return job

    def _save_local(self, conn: sqlite3.Connection, args: MutationArgs, actor: Actor) -> Step:
        self.last_local_save = time.perf_counter()
        now = self.now()
        if self.counters is None:
            state = sync_state.load(conn)
            self.counters = (state.client_id, state.next_mutation_id, state.provisional_counter)
        client_id, mutation_id, counter = self.counters
        if isinstance(args, CreateCase) and args.provisional_ref is None:
            counter += 1
            ref = provisional_case_number(device_code_for(client_id), counter)
            args = replace(args, provisional_ref=ref)
        rid, case = current_case(conn, args.case_id)
        # Only what parses back from its wire form is queued: the server parses it the same
        # way, and a replay must never meet an entry it cannot read.
        wire = to_json(args)
        problem = parse_mutation(args.NAME, wire)
        if isinstance(problem, FieldError):
            return Step(NO_CHANGES, LocalResult(invalid(problem), args.case_id, rid))
        lookup = ChildLookup(conn, rid, None)
        outcome = apply_mutation(args, lookup.state(case, args), actor, now, self.ctx.rules)
        if isinstance(outcome, Refused) or outcome.noop:
            return Step(NO_CHANGES, LocalResult(outcome, args.case_id, rid))
        # Its wire form is the one parsed above (not made again: 15 µs).
        outbox.insert(conn, outbox.entry_for(mutation_id, args, actor, now, wire))
        new = rid is None
        if rid is None:
            rid = self.vs.allocate_rid()
        data = record_to_json(outcome.case)
        row = view_row(
            rid,
            data,
            sync_state=CaseSyncState.PENDING,
            local_json=dumps(data),
            due_soon=self.ctx.due_soon,
        )
        write_view_row(conn, row)
        write_records(conn, rid, records_of(outcome, mutation_id))
        # Most saves (status, assignment, deadline) leave the text alone: re-reading the
        # notes and folding the text was a third of a bulk reassignment (measured). A note
        # adds its words to the stored document (add_note_doc).
        if (
            new
            or _text_changed(case, outcome.case)
            or (
                outcome.note is not None
                and not add_note_doc(conn, self.vs, rid, data, outcome.note.body)
            )
        ):
            set_doc(conn, self.vs, rid, case_doc(data, note_bodies(conn, rid)), new=new)
        sync_state.save_fields(conn, next_mutation_id=mutation_id + 1, provisional_counter=counter)
        self.counters = (client_id, mutation_id + 1, counter)
        self.vs.pending[args.case_id] += 1
        changes = Changes(frozenset({args.case_id}), frozenset({rid}), outbox=True)
        return Step(changes, LocalResult(outcome, args.case_id, rid, mutation_id))

    # -- pulled pages ----------------------------------------------------------------------

    def apply_page(self, raw: Mapping[str, Any]) -> JobFactory:
        def job(conn: sqlite3.Connection) -> Job:
            # Every op is checked before any write: a malformed page changes nothing.
            page = parse_page(raw, check=False)
            ops = page.ops
            for first in range(0, len(ops), CHECK_SLICE_OPS):
                check_ops(ops, first, first + CHECK_SLICE_OPS)
                if self.should_yield():
                    yield Step(NO_CHANGES)  # an empty transaction: a local save goes first
            ops = grouped_by_case(ops)
            start, chunks = 0, 0
            total = ChunkOutcome()
            if not self.bulk and _case_count(ops) >= bulk_load.MIN_PAGE_CASES:
                self.bulk = bulk_load.begin(conn)
            while True:
                chunk = ChunkOutcome()
                began, cases = time.perf_counter(), 0
                max_cases, max_seconds, batch = _chunk_limits(
                    began - self.last_local_save, self.chunk_seconds
                )
                applier = OpsApplier(conn, self.vs, self.ctx)
                while start < len(ops):
                    end = _chunk_end(ops, start, batch)
                    chunk.merge(applier.apply(ops[start:end]))
                    cases += batch
                    start = end
                    if chunk.reference_types & {"deadline_rule", "holiday"}:
                        self.ctx = ViewContext.of(reference_data.rules(conn))
                        applier = OpsApplier(conn, self.vs, self.ctx)
                    if (
                        cases >= max_cases
                        or time.perf_counter() - began >= max_seconds
                        or self.should_yield()
                    ):
                        break
                if not self.should_yield():
                    _merge_search_segments(conn, cases)
                total.merge(chunk)
                chunks += 1
                changes = Changes(
                    frozenset(chunk.case_ids),
                    frozenset(chunk.rids),
                    frozenset(chunk.reference_types),
                    citizens=chunk.citizens,
                )
                if start >= len(ops):
                    if self.bulk and not page.has_more:
                        # The first sync is complete: its indexes, one per transaction.
                        yield Step(changes)
                        changes = NO_CHANGES
                        yield from self._finish_bulk(conn)
                    acknowledged, extra = self._finish_page(conn, page)
                    summary = PageSummary(
                        page.cursor,
                        page.has_more,
                        total.applied,
                        total.skipped,
                        chunks,
                        acknowledged,
                    )
                    yield Step(_merged(changes, extra), summary)
                    return
                yield Step(changes)

        return job

    def _finish_bulk(self, conn: sqlite3.Connection) -> Job:
        """What a first sync deferred, one transaction a step (bulk_load.build_one)."""
        while bulk_load.build_one(conn):
            yield Step(NO_CHANGES)
        self.bulk = False
        # The words of the first sync's documents came in from the index.
        self.vs.vocabulary.reload(conn)

    def finish_first_sync(self) -> JobFactory:
        """Build what an unfinished first sync deferred; the result says whether there was
        anything. The rest of that sync then comes with every index in place."""

        def job(conn: sqlite3.Connection) -> Job:
            unfinished = bool(bulk_load.deferred(conn))
            if unfinished:
                yield from self._finish_bulk(conn)
            yield Step(NO_CHANGES, unfinished)

        return job

    def _finish_page(self, conn: sqlite3.Connection, page: Page) -> tuple[int, Changes]:
        """Results, acknowledgements and the cursor: committed with the page's last chunk."""
        now = self.now()
        at = now.isoformat()
        inbox_cases = outbox.store_results(conn, page.results, at)
        # Acknowledged by the pull's last page only: every page carries the server's last
        # mutation id as it is now, but the effects of those mutations may come on a later
        # page. Archived at the first page, a new case left the view (its pending state gone,
        # no server row yet) and the pending count said 0 until the pull came to its end, or
        # for good if it never did (a lost link, the desk closed).
        last_mutation_id = None if page.has_more else page.last_mutation_id
        archived = (
            [] if last_mutation_id is None else outbox.archive_upto(conn, last_mutation_id, at)
        )
        for case_id in archived:
            self.vs.pending[case_id] -= 1
            if self.vs.pending[case_id] <= 0:
                del self.vs.pending[case_id]
        self.vs.inbox.update(outbox.inbox_states(conn, inbox_cases))
        outbox.purge_archive(conn, (now - timedelta(days=ARCHIVE_DAYS)).isoformat())
        touched = set(archived) | inbox_cases
        rids = {rebase_case(conn, self.vs, self.ctx, case_id) for case_id in sorted(touched)}
        sync_state.save_fields(
            conn,
            cursor=page.cursor,
            server_time=page.server_time,
            last_pull_at=now,
            **({} if last_mutation_id is None else {"last_mutation_id": last_mutation_id}),
        )
        changes = Changes(
            frozenset(touched),
            frozenset(r for r in rids if r is not None),
            outbox=bool(archived),
            sync_state=True,
        )
        return len(archived), changes

    # -- bookkeeping -----------------------------------------------------------------------

    def update_sync_state(self, changes: dict[str, Any]) -> JobFactory:
        def job(conn: sqlite3.Connection) -> Job:
            state = sync_state.with_changes(sync_state.load(conn), changes)
            sync_state.save_fields(conn, **{name: getattr(state, name) for name in changes})
            yield Step(Changes(sync_state=True), state)

        return job

    def dismiss(self, mutation_id: int) -> JobFactory:
        """Take an inbox item off the list (the person has dealt with it)."""

        def job(conn: sqlite3.Connection) -> Job:
            row = conn.execute(
                "UPDATE inbox SET dismissed_at = ? WHERE mutation_id = ? AND dismissed_at IS NULL"
                " RETURNING case_id",
                (self.now().isoformat(), mutation_id),
            ).fetchone()
            if row is None:
                yield Step(NO_CHANGES, False)
                return
            case_id = row[0]
            self.vs.inbox.pop(case_id, None)
            self.vs.inbox.update(outbox.inbox_states(conn, [case_id]))
            rid = rebase_case(conn, self.vs, self.ctx, case_id)
            rids = frozenset({rid}) if rid is not None else frozenset()
            yield Step(Changes(frozenset({case_id}), rids), True)

        return job

    def import_entries(
        self, entries: Sequence[OutboxEntry], state: Mapping[str, Any]
    ) -> JobFactory:
        """Restore salvaged mutations (same ids) and the client's identity into a fresh cache."""

        def job(conn: sqlite3.Connection) -> Job:
            for entry in entries:
                outbox.insert(conn, entry)
                self.vs.pending[entry.case_id] += 1
            top = max((e.id for e in entries), default=0)
            current = sync_state.load(conn)
            values = {k: v for k, v in state.items() if k in ("client_id", "epoch")}
            next_id = max(int(state.get("next_mutation_id") or 1), top + 1)
            counter = int(state.get("provisional_counter") or 0)
            sync_state.save_fields(
                conn,
                **values,
                next_mutation_id=max(next_id, current.next_mutation_id),
                provisional_counter=max(counter, current.provisional_counter),
            )
            self.counters = None  # read again by the next save
            rids = {rebase_case(conn, self.vs, self.ctx, e.case_id) for e in entries}
            ids = frozenset(e.case_id for e in entries)
            found = frozenset(r for r in rids if r is not None)
            yield Step(Changes(ids, found, outbox=True, sync_state=True), len(entries))

        return job

    # -- resets and rebuilds ---------------------------------------------------------------

    def reset_server_state(self) -> JobFactory:
        """Forget everything the server said; keep the outbox and replay it (SYNC.md resets)."""

        def job(conn: sqlite3.Connection) -> Job:
            # Cases with pending work keep their rows, and are rebased at the end. Local saves
            # run between the steps: a case saved meanwhile is kept too (its row was deleted
            # and left out of the rebase, the case gone from the view until a later pull).
            pending_ids: set[str] = set()
            keep: set[int] = set()

            def keep_pending() -> None:
                new_ids = sorted(set(self.vs.pending) - pending_ids)
                pending_ids.update(new_ids)
                for batch in range(0, len(new_ids), 500):
                    some = new_ids[batch : batch + 500]
                    keep.update(
                        rid
                        for (rid,) in conn.execute(
                            f"SELECT rid FROM case_view WHERE id IN ({','.join('?' * len(some))})",
                            some,
                        )
                    )

            last = 0
            while True:
                keep_pending()
                rids = [
                    rid
                    for (rid,) in conn.execute(
                        "SELECT rid FROM case_view WHERE rid > ? ORDER BY rid LIMIT ?",
                        (last, _RESET_BATCH),
                    )
                ]
                if not rids:
                    break
                last = rids[-1]
                gone = [(rid,) for rid in rids if rid not in keep]
                conn.executemany("DELETE FROM case_fts WHERE rowid = ?", gone)
                conn.executemany("DELETE FROM case_view WHERE rid = ?", gone)
                yield Step(Changes(rids=frozenset(r for (r,) in gone)))
            for table in ("srv_case", "srv_note", "srv_call", "srv_timeline", "srv_conflict"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM srv_citizen")
            conn.execute("DELETE FROM citizen_fts")
            conn.execute("DELETE FROM ref_item")
            self.vs.open_conflicts.clear()
            self.ctx = ViewContext.of(reference_data.rules(conn))
            keep_pending()
            rids = {
                rebase_case(conn, self.vs, self.ctx, case_id) for case_id in sorted(pending_ids)
            }
            sync_state.save_fields(conn, cursor=None)
            changes = Changes(
                frozenset(pending_ids),
                frozenset(r for r in rids if r is not None),
                frozenset({"*"}),
                citizens=True,
                sync_state=True,
            )
            yield Step(changes, len(pending_ids))

        return job

    def make_durable(self) -> JobFactory:
        """A commit with synchronous=FULL (submitted durable): in WAL mode it syncs the WAL
        with every frame before it, so every save so far survives a power cut. It has to
        write something: a commit that changes nothing syncs nothing. The result is the
        highest mutation id it made durable."""

        def job(conn: sqlite3.Connection) -> Job:
            conn.execute(
                "INSERT INTO sync_state(key, value) VALUES (?, 1)"
                " ON CONFLICT(key) DO UPDATE SET value = value + 1",
                (DURABLE_KEY,),
            )
            # The highest mutation id on disk once this commits.
            yield Step(NO_CHANGES, sync_state.load(conn).next_mutation_id - 1)

        return job

    def rebuild_search(self) -> JobFactory:
        def job(conn: sqlite3.Connection) -> Job:
            rebuild_search(conn)
            rebuild_terms(conn)
            yield Step(NO_CHANGES, True)

        return job


def _chunk_limits(since_save: float, chunk_seconds: float) -> tuple[int, float, int]:
    """Cases and seconds of one pulled transaction, and cases between looks at the queue."""
    if since_save > AWAY_AFTER_SECONDS:
        return IDLE_CHUNK_CASES, IDLE_CHUNK_SECONDS, IDLE_BATCH_CASES
    if since_save > IDLE_AFTER_SECONDS:
        return DESK_CHUNK_CASES, DESK_CHUNK_SECONDS, DESK_BATCH_CASES
    return MAX_CHUNK_CASES, chunk_seconds, BATCH_CASES


def _text_changed(before: Case | None, after: Case) -> bool:
    """Whether a save changed any field the case's search document is made of."""
    return before is None or any(
        getattr(before, name) != getattr(after, name) for name in DOC_FIELDS
    )


def _merged(a: Changes, b: Changes) -> Changes:
    return Changes(
        a.case_ids | b.case_ids,
        a.rids | b.rids,
        a.reference | b.reference,
        a.citizens or b.citizens,
        a.outbox or b.outbox,
        a.sync_state or b.sync_state,
    )


def _merge_search_segments(conn: sqlite3.Connection, cases: int) -> None:
    """A little FTS5 merge work with every pulled chunk (never with a local save).

    Automatic merging is off (schema step 4): every small transaction would pay for it. Left
    alone, segments pile up until a "crisis merge" runs inside whichever commit meets it,
    cascading through the big levels: 2.4 s for one local save at a million cases (measured).
    Merging a bounded number of pages per chunk keeps every level short of that.
    """
    pages = max(16, cases)
    conn.execute("INSERT INTO case_fts(case_fts, rank) VALUES ('merge', ?)", (pages,))
    conn.execute("INSERT INTO citizen_fts(citizen_fts, rank) VALUES ('merge', ?)", (pages,))
