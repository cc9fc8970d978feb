"""The push phase: send the outbox in order, in bounded batches, until the server has it all.

Each mutation keeps the id it was queued with; the server applies id N only after N-1 and
answers a repeat with its stored result, so a batch may be sent any number of times. Pushed
mutations stay in the outbox until a pulled page acknowledges them (the results reach the
desk through pull, SYNC.md principle 4); within one phase the server's `last_mutation_id`
says where to continue.

`409 MUTATION_GAP {expected_next_id: N}` means the server lacks mutations before the batch:
after a database restore it lost acknowledged ones. They are still in the desk's 30-day
archive, and are re-sent with their original ids from N; the batch builder does that anyway
whenever the server's word is below the archive (see `Batches`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from operator_app.store import OutboxEntry, Store
from sync.backoff import AdaptiveSize
from sync.errors import MutationGap, PayloadTooLarge, ProtocolError, RequestTimeout
from sync.link import Answer, ServerLink, parse_answer
from sync.protocol import (
    MAX_PUSH_BYTES,
    MAX_PUSH_MUTATIONS,
    MutationEnvelope,
    MutationResult,
    PushRequest,
    PushResponse,
)

PUSH_PATH = "/sync/push"
# Room for the request's own fields around the mutations.
_ENVELOPE_MARGIN = 4 * 1024
MAX_BATCH_SIZE = MAX_PUSH_MUTATIONS

_log = logging.getLogger(__name__).getChild("PushPhase")


class UnrecoverableGap(Exception):
    """The server expects mutations this desk no longer has (archived longer than 30 days)."""

    def __init__(self, expected_next_id: int) -> None:
        super().__init__(f"the server expects mutation {expected_next_id}, no longer kept here")
        self.expected_next_id = expected_next_id


@dataclass(frozen=True)
class ClientIdentity:
    """What every push and pull says about the desk."""

    client_id: str
    schema_version: int
    app_version: str


@dataclass
class PushOutcome:
    batches: int = 0
    sent: int = 0  # mutations sent (counting re-sends of a batch once)
    resent_archived: int = 0  # acknowledged mutations re-sent because the server lost them
    gaps: int = 0
    last_mutation_id: int | None = None  # the server's word after the last batch
    results: list[MutationResult] = field(default_factory=list)


@dataclass(frozen=True)
class Batch:
    entries: list[OutboxEntry]
    from_archive: int  # how many of them the server had acknowledged once, then lost


class Batches:
    """The next batch after the server's `last_mutation_id`: archived mutations the server
    does not have (it lost them), then the outbox, by id, bounded in count and bytes."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def after(self, last: int, size: int) -> Batch:
        first = self._store.pending(1)
        first_pending = first[0].id if first else None
        lost: list[OutboxEntry] = []
        if first_pending is None or last < first_pending - 1:
            lost = [
                e
                for e in self._store.archived(last)
                if first_pending is None or e.id < first_pending
            ][:size]
        entries = list(lost)
        if len(entries) < size and first_pending is not None:
            start = entries[-1].id if entries else last
            entries += self._pending_after(start, first_pending)[: size - len(entries)]
        entries = _within_bytes(entries)
        return Batch(entries, sum(1 for e in entries if e.id < (first_pending or e.id + 1)))

    def _pending_after(self, last: int, first_pending: int) -> list[OutboxEntry]:
        # The outbox holds consecutive ids (saves take the next id; acknowledgements take a
        # prefix), so the entries after `last` start at a known offset: read that far only.
        skip = max(0, last - first_pending + 1)
        window = self._store.pending(skip + MAX_BATCH_SIZE)
        found = [e for e in window if e.id > last]
        if not found and len(window) == skip + MAX_BATCH_SIZE:
            found = [e for e in self._store.pending() if e.id > last]  # not consecutive after all
        return found


def _wire_size(entry: OutboxEntry) -> int:
    return len(json.dumps(entry.wire(), ensure_ascii=False, separators=(",", ":")).encode())


def _within_bytes(batch: list[OutboxEntry]) -> list[OutboxEntry]:
    """The longest prefix under the server's body limit (at least one mutation: a single one
    too large is refused by the server with 413, reported, and never silently dropped)."""
    budget = MAX_PUSH_BYTES - _ENVELOPE_MARGIN
    total = 0
    for count, entry in enumerate(batch):
        total += _wire_size(entry) + 1
        if total > budget and count > 0:
            return batch[:count]
    return batch


class PushPhase:
    """One push phase; `run()` pushes until nothing is left to send."""

    def __init__(
        self,
        store: Store,
        link: ServerLink,
        identity: ClientIdentity,
        sizer: AdaptiveSize,
        *,
        on_answer: Callable[[Answer, str], None] = lambda _answer, _time: None,
        deadline: float | None = None,
    ) -> None:
        self._store = store
        self._link = link
        self._identity = identity
        self._sizer = sizer
        self._on_answer = on_answer
        self._deadline = deadline
        self._batches = Batches(store)

    def run(self) -> PushOutcome:
        outcome = PushOutcome()
        last = self._store.last_mutation_id()
        refused_gaps: set[int] = set()
        durable_upto = 0
        while True:
            chosen = self._batches.after(last, min(self._sizer.value, MAX_BATCH_SIZE))
            batch = chosen.entries
            if not batch:
                return outcome
            if batch[-1].id > durable_upto:
                # A mutation the server holds must never be lost here: after a power cut
                # the desk would number its next save the same, and the server would answer
                # it with the stored result of the first (silently dropping the save). Saves
                # go on while a push runs: a later batch may hold some made since.
                durable_upto = self._store.make_durable().result()
            # The highest id this desk ever queued (saves go on while it pushes).
            newest = self._store.sync_state().next_mutation_id - 1
            try:
                response = self._send(batch)
            except MutationGap as gap:
                expected = gap.expected_next_id
                outcome.gaps += 1
                if expected > batch[0].id:
                    if batch[-1].id > expected and expected not in {e.id for e in batch}:
                        raise UnrecoverableGap(expected) from None  # a hole in our own ids
                    raise ProtocolError(
                        f"409 MUTATION_GAP expects {expected}, but the batch starts at"
                        f" {batch[0].id}"
                    ) from None
                if expected in refused_gaps:
                    raise UnrecoverableGap(expected) from None
                refused_gaps.add(expected)
                _log.warning("the server expects mutation %d; re-sending from there", expected)
                last = expected - 1
                continue
            except PayloadTooLarge:
                if len(batch) == 1:
                    raise
                self._sizer.on_too_large()
                continue
            except RequestTimeout:
                self._sizer.on_timeout()
                raise
            self._check(response, batch, newest)
            self._sizer.on_success(len(batch))
            outcome.batches += 1
            outcome.sent += len(batch)
            outcome.resent_archived += chosen.from_archive
            outcome.results.extend(r for r in response.results if r.status != "applied")
            outcome.last_mutation_id = response.last_mutation_id
            last = response.last_mutation_id

    def _send(self, batch: list[OutboxEntry]) -> PushResponse:
        try:
            request = PushRequest(
                client_id=self._identity.client_id,
                schema_version=self._identity.schema_version,
                app_version=self._identity.app_version,
                mutations=[MutationEnvelope(**entry.wire()) for entry in batch],
            )
        except ValueError as exc:
            # The store only queues what parses; this would be a bug in the desk.
            raise ProtocolError(f"outbox entry {batch[0].id}..: not sendable ({exc})") from exc
        answer = self._link.post(
            PUSH_PATH, request.model_dump(mode="json"), deadline=self._deadline
        )
        response = parse_answer(PushResponse, answer.body, "push")
        self._on_answer(answer, response.server_time)
        return response

    @staticmethod
    def _check(response: PushResponse, batch: list[OutboxEntry], newest: int) -> None:
        """An answer that cannot be true of this batch is refused before anything trusts it."""
        sent = {e.id for e in batch}
        if not batch[-1].id <= response.last_mutation_id <= newest:
            raise ProtocolError(
                f"push answer says the server holds up to {response.last_mutation_id}, after a"
                f" batch of {batch[0].id}..{batch[-1].id}"
            )
        strangers = [r.id for r in response.results if r.id not in sent]
        if strangers:
            raise ProtocolError(f"push answer has results for mutations not sent ({strangers[:3]})")
