"""`POST /sync/pull` and the check behind `GET /sync/poke`: the caller's scope as a stream of
put and remove ops, a first sync by case id, then changes by sequence number.

The response body is assembled from the stored JSON of each row, not re-encoded: a first sync
of a hundred thousand cases is mostly string joining. During a first sync the next page is built
and compressed ahead, on a thread of its own, while the current one is on the wire (see
`central.prefetch`): the desk's next request finds it ready to send.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from central.cursor import CursorState, decode_cursor, encode_cursor
from central.data import clients as client_store
from central.data import feed, reference_feed
from central.data.clock import commit_tag
from central.data.engine import read_transaction
from central.data.pulled import Record
from central.data.snapshot import SnapshotPage, snapshot_page
from central.data.stamping import Sequencer
from central.data.window import SyncWindow, sync_window
from central.identity import Account
from central.prefetch import PagePrefetch
from central.scope import key_in_scope, receives_cases, scope_hash
from central.sync_push import ForeignClient, check_schema
from central.writer import utcnow
from operator_app.domain.model import Actor
from sync.protocol import PROTOCOL_SCHEMA_VERSION, MutationResult, PullRequest, ResetReason

# A first sync also carries the client's latest results (its pending work after a reset).
RECENT_RESULTS = 500
_MAX_SEQ_ROWS = 1_000_000
# Smaller bodies go out as they are (the GZip middleware's threshold: not worth a header).
GZIP_MINIMUM_BYTES = 1024
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip member, as Content-Encoding: gzip expects


@dataclass(frozen=True, slots=True)
class PulledBody:
    """A pull answer ready for the wire: `content` is gzip-compressed if `gzipped`."""

    content: bytes
    gzipped: bool
    follow: str | None  # the cursor of the first-sync page a desk will ask for next


@dataclass(frozen=True, slots=True)
class _Context:
    actor: Actor
    client_id: str
    window: SyncWindow
    scope: str

    @property
    def high(self) -> int:
        return self.window.high

    @property
    def epoch(self) -> int:
        return self.window.epoch


def _reset_reason(ctx: _Context, state: CursorState | None) -> ResetReason | None:
    """Why the cursor cannot continue, if it cannot (SYNC.md, "First sync and resets")."""
    if state is None:
        return ResetReason.CURSOR_INVALID
    if state.schema != PROTOCOL_SCHEMA_VERSION:
        return ResetReason.SCHEMA_CHANGED
    if state.epoch != ctx.epoch:
        return ResetReason.EPOCH_CHANGED
    if state.seq > ctx.high:
        return ResetReason.CURSOR_FROM_FUTURE
    if state.seq < ctx.window.retained_from:
        return ResetReason.CURSOR_EXPIRED
    if state.tag and ctx.window.cursor_tag != state.tag:
        # The number exists but belongs to another change: the database was restored to an
        # earlier state and has moved on since, without an epoch bump.
        return ResetReason.CURSOR_FROM_FUTURE
    if state.scope != ctx.scope:
        return ResetReason.SCOPE_CHANGED
    return None


def _put(kind: str, record_id: str, seq: int, data: str) -> bytes:
    head = f'{{"op":"put","type":"{kind}","id":{json.dumps(record_id)},"version":{seq},"data":'
    return (head + data + "}").encode()


def _remove(kind: str, record_id: str, reason: str) -> bytes:
    text = f'{{"op":"remove","type":"{kind}","id":{json.dumps(record_id)},"reason":"{reason}"}}'
    return text.encode()


def _record_ops(records: Iterable[Record], reason: str = "deleted") -> list[bytes]:
    return [
        _put(r.type, r.id, r.seq, r.data) if r.data is not None else _remove(r.type, r.id, reason)
        for r in records
    ]


# A body's head as `_body` writes it: the cursor first, then whether more is waiting.
_SNAPSHOT_HEAD = re.compile(rb'^\{"cursor":"([^"]+)","has_more":true')


def _prefetch_key(
    account: Account, request: PullRequest, compress: bool
) -> tuple[str, str, str, str, int, int, bool]:
    """A page built ahead is for the same account with the same scope (a supervisor demoted
    meanwhile asks with another key), the same cursor and the same kind of answer."""
    return (
        account.id,
        scope_hash(account.actor),
        request.client_id,
        request.cursor or "",
        request.limit,
        request.schema_version,
        compress,
    )


def _follow(raw: bytes, secret: bytes) -> str | None:
    """The cursor of a first-sync page with more to come, else None."""
    head = _SNAPSHOT_HEAD.match(raw)
    if head is None:
        return None
    cursor = head.group(1).decode()
    state = decode_cursor(cursor, secret)
    return cursor if state is not None and state.in_snapshot else None


def reset_body(reason: ResetReason) -> bytes:
    return json.dumps({"reset": {"reason": reason.value, "details": {}}}).encode()


class PullService:
    def __init__(
        self,
        engine: Engine,
        sequencer: Sequencer,
        secret: bytes,
        prefetch: PagePrefetch[PulledBody] | None = None,
        *,
        gzip_level: int = 3,
    ) -> None:
        self._engine = engine
        self._sequencer = sequencer
        self._secret = secret
        self._prefetch = prefetch
        self._gzip_level = gzip_level

    def pull(self, account: Account, request: PullRequest) -> bytes:
        """The next page (or a reset) as a JSON body."""
        return self.pull_body(account, request, compress=False).content

    def pull_body(self, account: Account, request: PullRequest, *, compress: bool) -> PulledBody:
        """The next page (or a reset) ready for the wire: gzip-compressed if `compress` (the
        desk accepts gzip) and the body is big enough to gain from it."""
        check_schema(request.schema_version)
        if self._prefetch is None:
            return self._build(account, request, compress)
        body = None
        if request.cursor is not None:
            body = self._prefetch.take(_prefetch_key(account, request, compress))
            if body is not None and not self._may_continue(account, request):
                body = None  # built again: the answer is the reset
        if body is None:
            body = self._build(account, request, compress)
        self._prefetch_next(account, request, body, compress)
        return body

    def close(self) -> None:
        if self._prefetch is not None:
            self._prefetch.close()

    def _build(self, account: Account, request: PullRequest, compress: bool) -> PulledBody:
        raw = self._pull(account, request)
        follow = _follow(raw, self._secret)
        if compress and len(raw) >= GZIP_MINIMUM_BYTES:
            # zlib lets go of the GIL while it compresses: other requests go on meanwhile.
            return PulledBody(zlib.compress(raw, self._gzip_level, _GZIP_WBITS), True, follow)
        return PulledBody(raw, False, follow)

    def _prefetch_next(
        self, account: Account, request: PullRequest, body: PulledBody, compress: bool
    ) -> None:
        """During a first sync, start building the page the desk will ask for next."""
        if body.follow is None or self._prefetch is None:
            return
        follow = request.model_copy(update={"cursor": body.follow})
        self._prefetch.start(
            _prefetch_key(account, follow, compress),
            lambda: self._build(account, follow, compress),
        )

    def _may_continue(self, account: Account, request: PullRequest) -> bool:
        """Whether the cursor still holds now (a page built ahead was built before: its
        epoch, the caller's scope, the client's owner may have changed since)."""
        state = decode_cursor(request.cursor, self._secret) if request.cursor else None
        with read_transaction(self._engine) as conn:
            ctx = self._context(conn, account, request.client_id, state)
            return _reset_reason(ctx, state) is None

    def _pull(self, account: Account, request: PullRequest) -> bytes:
        state = decode_cursor(request.cursor, self._secret) if request.cursor else None
        with read_transaction(self._engine) as conn:
            ctx = self._context(conn, account, request.client_id, state)
            if request.cursor is None:
                return self._snapshot(conn, ctx, None, ctx.high, ctx.window.high_tag, request.limit)
            reason = _reset_reason(ctx, state)
            if reason is not None:
                return reset_body(reason)
            assert state is not None
            if state.in_snapshot:
                return self._snapshot(
                    conn, ctx, state.snapshot_after, state.seq, state.tag, request.limit
                )
            return self._changes(conn, ctx, state.seq, request.limit)

    def _context(
        self, conn: Connection, account: Account, client_id: str, state: CursorState | None
    ) -> _Context:
        # One query, before any row is read: everything at or below `high` has committed.
        window = sync_window(
            conn, self._sequencer.mode, client_id, state.seq if state is not None else None
        )
        if window.client_operator is not None and window.client_operator != account.id:
            raise ForeignClient
        actor = account.actor
        return _Context(actor, client_id, window, scope_hash(actor))

    # ----------------------------------------------------------------------------------------
    # First sync
    # ----------------------------------------------------------------------------------------

    def _snapshot(
        self,
        conn: Connection,
        ctx: _Context,
        after: str | None,
        recorded: int,
        tag: str,
        limit: int,
    ) -> bytes:
        ops: list[bytes] = []
        results: list[MutationResult] = []
        if after is None:
            ops.extend(_record_ops(reference_feed.reference_records(conn)))
            if ctx.window.client_operator is not None:
                results = client_store.recent_results(conn, ctx.client_id, RECENT_RESULTS)
        page = (
            snapshot_page(conn, ctx.actor, after or "", limit)
            if receives_cases(ctx.actor)
            else SnapshotPage(0, None, [])
        )
        ops.extend(page.ops)
        if page.count < limit:
            # Continue incrementally from the sequence recorded when the first sync began.
            cursor = CursorState(ctx.epoch, recorded, tag, ctx.scope, PROTOCOL_SCHEMA_VERSION)
            has_more = ctx.high > recorded
        else:
            cursor = CursorState(
                ctx.epoch, recorded, tag, ctx.scope, PROTOCOL_SCHEMA_VERSION, page.last_id
            )
            has_more = True
        return self._body(ctx, cursor, has_more, ops, results)

    def _whole_cases(self, conn: Connection, rows: Sequence[feed.CaseRow]) -> list[bytes]:
        """Cases sent whole: the citizen, the case, its notes, calls, timeline, open conflicts."""
        if not rows:
            return []
        ids = [row.id for row in rows]
        ops = _record_ops(feed.citizen_records(conn, [row.citizen_id or "" for row in rows]))
        ops.extend(_put("case", row.id, row.seq, row.data) for row in rows)
        for kind in ("note", "call", "timeline"):
            ops.extend(_record_ops(feed.children(conn, kind, ids)))
        ops.extend(_record_ops(feed.children(conn, "conflict", ids, unresolved_only=True)))
        return ops

    # ----------------------------------------------------------------------------------------
    # Changes
    # ----------------------------------------------------------------------------------------

    def _changes(self, conn: Connection, ctx: _Context, since: int, limit: int) -> bytes:
        page: list[feed.Change] = []
        upto, has_more = ctx.high, False
        if receives_cases(ctx.actor):
            rows = feed.changes(conn, ctx.actor, since, ctx.high, limit + 1)
            if len(rows) > limit:
                has_more = True
                boundary = rows[limit].seq
                if rows[limit - 1].seq != boundary:
                    page, upto = rows[:limit], rows[limit - 1].seq
                elif rows[0].seq != boundary:
                    # Never split one transaction's changes over two pages.
                    page, upto = [r for r in rows if r.seq < boundary], boundary - 1
                else:
                    page = feed.changes(conn, ctx.actor, boundary - 1, boundary, _MAX_SEQ_ROWS)
                    upto = boundary
            else:
                page = rows
        ops: list[bytes] = []
        if ctx.window.reference_high > since:
            ops.extend(_record_ops(reference_feed.reference_records(conn, since, upto)))
        ops.extend(self._case_ops(conn, ctx.actor, page, since))
        results = (
            client_store.results_between(conn, ctx.client_id, since, upto)
            if ctx.window.client_operator is not None
            else []
        )
        tag = ctx.window.high_tag if upto == ctx.high else commit_tag(conn, upto) or ""
        cursor = CursorState(ctx.epoch, upto, tag, ctx.scope, PROTOCOL_SCHEMA_VERSION)
        return self._body(ctx, cursor, has_more, ops, results)

    def _case_ops(
        self, conn: Connection, actor: Actor, page: Sequence[feed.Change], since: int
    ) -> list[bytes]:
        """For each changed case: a remove if it left the scope, the whole case if it entered,
        else the case and its children written after the cursor."""
        first: dict[str, feed.Change] = {}
        for change in page:
            first.setdefault(change.case_id, change)  # the earliest change after the cursor
        current = feed.current_cases(conn, list(first))
        removed: list[str] = []
        entered: list[feed.CaseRow] = []
        stayed: list[feed.CaseRow] = []
        for case_id, change in first.items():
            row = current.get(case_id)
            if row is None or not key_in_scope(actor, row.key):
                removed.append(case_id)
            elif key_in_scope(actor, change.before):
                stayed.append(row)
            else:
                entered.append(row)
        ops = [_remove("case", case_id, "scope") for case_id in removed]
        ops.extend(self._whole_cases(conn, entered))
        if stayed:
            ops.extend(_put("case", row.id, row.seq, row.data) for row in stayed)
            ops.extend(_record_ops(feed.children_since(conn, [row.id for row in stayed], since)))
        return ops

    # ----------------------------------------------------------------------------------------

    def _body(
        self,
        ctx: _Context,
        cursor: CursorState,
        has_more: bool,
        ops: list[bytes],
        results: list[MutationResult],
    ) -> bytes:
        head = {
            "cursor": encode_cursor(cursor, self._secret),
            "has_more": has_more,
            "last_mutation_id": ctx.window.last_mutation_id,
            "server_time": utcnow().isoformat(),
            "mutation_results": [r.model_dump() for r in results],
        }
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode()
        return b"".join((text[:-1], b',"ops":[', b",".join(ops), b"]}"))

    # ----------------------------------------------------------------------------------------
    # Pokes
    # ----------------------------------------------------------------------------------------

    def cursor_for_poke(self, cursor: str) -> CursorState | None:
        return decode_cursor(cursor, self._secret)

    def has_news(self, account: Account, client_id: str | None, state: CursorState | None) -> bool:
        """Whether a pull from the cursor would bring anything (a reset counts)."""
        with read_transaction(self._engine) as conn:
            ctx = self._context(conn, account, client_id or "", state)
            if _reset_reason(ctx, state) is not None:
                return True
            assert state is not None
            if state.in_snapshot:
                return True
            if state.seq >= ctx.high:
                return False
            if ctx.window.reference_high > state.seq:
                return True
            return feed.has_news(
                conn,
                ctx.actor if receives_cases(ctx.actor) else None,
                ctx.client_id if ctx.window.client_operator is not None else None,
                state.seq,
                ctx.high,
            )
