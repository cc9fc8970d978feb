"""The pull phase: fetch pages until the server has nothing more, each applied with its cursor.

The store applies a page and saves its cursor in the same transaction as the page's last
chunk, so a desk killed mid-pull resumes at the last committed page, never from zero and never
skipping. While the store applies page k, page k+1 is already on its way (one page ahead, no
more): the link and the disk work at the same time, which is what makes a first sync of many
thousand cases fast.

Every answer is checked before the store sees it: its head's shape (the protocol models), a
cursor the desk could send back, a `last_mutation_id` and results only for mutations this desk
made; its ops, once, by the store's page check before anything is written. A page that fails
changes nothing; the cursor stays where it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from pydantic import ValidationError

from operator_app.store import PageError, PageSummary, Store, StoreClosedError
from sync.backoff import AdaptiveSize
from sync.errors import ProtocolError, RequestTimeout
from sync.link import Answer, ServerLink, parse_answer
from sync.protocol import (
    MutationResult,
    PullRequest,
    PullResponse,
    ResetResponse,
)
from sync.push import ClientIdentity

PULL_PATH = "/sync/pull"
# A server that keeps answering "more" without moving the cursor is stuck (or hostile).
MAX_UNMOVED_PAGES = 3
_TYPE_OF = itemgetter("type")

_log = logging.getLogger(__name__).getChild("PullPhase")


@dataclass
class PullOutcome:
    pages: int = 0
    ops: int = 0
    cases: int = 0
    applied: int = 0
    skipped: int = 0
    acknowledged: int = 0
    reset: str | None = None  # the reason, when the server answered with a reset
    results: list[MutationResult] = field(default_factory=list)

    def add(self, summary: PageSummary) -> None:
        self.pages += 1
        self.applied += summary.applied
        self.skipped += summary.skipped
        self.acknowledged += summary.acknowledged


PageListener = Callable[[PageSummary], None]


class PageNotApplied(Exception):
    """The store failed on a page that looked well-formed (its chunks so far are version-
    guarded server data; the cursor did not move, so the page comes again)."""


class PullPhase:
    """One pull phase; `run()` pulls until `has_more` is false or the server asks for a reset."""

    def __init__(
        self,
        store: Store,
        link: ServerLink,
        identity: ClientIdentity,
        sizer: AdaptiveSize,
        *,
        on_answer: Callable[[Answer, str], None] = lambda _answer, _time: None,
        on_page: PageListener = lambda _summary: None,
        deadline: float | None = None,
    ) -> None:
        self._store = store
        self._link = link
        self._identity = identity
        self._sizer = sizer
        self._on_answer = on_answer
        self._on_page = on_page
        self._deadline = deadline

    def run(self) -> PullOutcome:
        outcome = PullOutcome()
        state = self._store.sync_state()
        cursor = state.cursor
        newest = state.next_mutation_id - 1
        applying: _Applying | None = None
        unmoved = 0
        try:
            while True:
                limit = self._sizer.value
                answer = self._fetch(cursor, limit)
                parsed = self._parse(answer.body)
                if isinstance(parsed, ResetResponse):
                    if cursor is None:
                        raise ProtocolError("the server asked to reset a pull that had no cursor")
                    outcome.reset = parsed.reset.reason
                    return outcome
                head, ops = parsed
                self._check(head, newest)
                self._on_answer(answer, head.server_time)
                if applying is not None:
                    self._finish(applying, outcome)
                    applying = None
                outcome.ops += len(ops)
                outcome.results.extend(r for r in head.mutation_results if r.status != "applied")
                # The store checks every op in full before it writes any (a malformed one
                # refuses the page) and writes the dict answered (the models above only vouch
                # for its head).
                applying = _Applying(self._store.apply_page(answer.body), ops)
                self._sizer.on_success(limit if head.has_more else 0)
                if not head.has_more:
                    self._finish(applying, outcome)
                    applying = None
                    return outcome
                unmoved = unmoved + 1 if head.cursor == cursor else 0
                if unmoved >= MAX_UNMOVED_PAGES:
                    raise ProtocolError("the server keeps answering more without moving the cursor")
                cursor = head.cursor
        finally:
            if applying is not None:
                # Leaving early (an error fetching the next page): the page already fetched
                # is good and is kept; its error, if any, is the one worth reporting.
                self._finish(applying, outcome)

    def _fetch(self, cursor: str | None, limit: int) -> Answer:
        request = PullRequest(
            client_id=self._identity.client_id,
            cursor=cursor,
            schema_version=self._identity.schema_version,
            limit=limit,
        )
        try:
            return self._link.post(
                PULL_PATH, request.model_dump(mode="json"), deadline=self._deadline
            )
        except RequestTimeout:
            self._sizer.on_timeout()
            raise

    @staticmethod
    def _parse(body: dict[str, Any]) -> tuple[PullResponse, list[Any]] | ResetResponse:
        """The answer checked against the protocol's models, strictly (see `parse_answer`).

        The page's head (cursor, flags, ids, results) goes through `PullResponse`; its ops only
        have to be a list here. The store's page check reads every op in full before it writes
        anything, and refuses the page for the first malformed one (a protocol error, the cursor
        unmoved). A second pass here over the same ops cost this thread 3 ms of the interpreter
        lock a page of 1,000 cases (of the 22 ms it holds it per page in a first sync), taken
        from the store's writer, which is applying the page before meanwhile.
        """
        if "reset" in body:
            return parse_answer(ResetResponse, body, "pull")
        ops = body.get("ops")
        head = parse_answer(PullResponse, {**body, "ops": []}, "pull")
        if type(ops) is not list:
            raise ProtocolError("malformed pull answer (ops)")
        return head, ops

    @staticmethod
    def _check(page: PullResponse, newest: int) -> None:
        try:
            # The cursor goes back in the next request: it must be one this desk can send.
            PullRequest(client_id="check", cursor=page.cursor, schema_version=0)
        except ValidationError:
            raise ProtocolError("the pull answer's cursor is not one the desk can send") from None
        if not 0 <= page.last_mutation_id <= newest:
            raise ProtocolError(
                f"the pull answer acknowledges mutation {page.last_mutation_id}, but this desk"
                f" made {newest}"
            )
        strangers = [r.id for r in page.mutation_results if not 1 <= r.id <= newest]
        if strangers:
            raise ProtocolError(f"the pull answer has results of unknown mutations {strangers[:3]}")

    def _finish(self, applying: _Applying, outcome: PullOutcome) -> None:
        try:
            summary = applying.future.result()
        except PageError as exc:
            raise ProtocolError(f"the store refused a pulled page: {exc}") from exc
        except CancelledError:
            raise StoreClosedError("the store closed while a page was being applied") from None
        except StoreClosedError:
            raise
        except Exception as exc:
            _log.exception("the store failed on a pulled page")
            raise PageNotApplied(f"{type(exc).__name__}: {exc}"[:300]) from exc
        # Every op is a checked record now: its type is there to count.
        outcome.cases += list(map(_TYPE_OF, applying.ops)).count("case")
        outcome.add(summary)
        self._on_page(summary)


@dataclass(frozen=True, slots=True)
class _Applying:
    """A page handed to the store: the store's answer to come, and the page's ops."""

    future: Future[PageSummary]
    ops: list[Any]
