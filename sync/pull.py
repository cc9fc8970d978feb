"""The pull phase: fetch pages until the server has nothing more, each applied with its cursor.

The store applies a page and saves its cursor in the same transaction as the page's last
chunk, so a desk killed mid-pull resumes at the last committed page, never from zero and never
skipping. While the store applies page k, page k+1 is already on its way (one page ahead, no
more): the link and the disk work at the same time, which is what makes a first sync of many
thousand cases fast.

Every answer is checked before the store sees it: its shape (the protocol models), a cursor the
desk could send back, a `last_mutation_id` and results only for mutations this desk made. A
page that fails changes nothing; the cursor stays where it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
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
        applying: Future[PageSummary] | None = None
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
                head, cases = parsed
                self._check(head, newest)
                self._on_answer(answer, head.server_time)
                if applying is not None:
                    self._finish(applying, outcome)
                    applying = None
                ops = answer.body["ops"]
                outcome.ops += len(ops)
                outcome.cases += cases
                outcome.results.extend(r for r in head.mutation_results if r.status != "applied")
                # The store checks the page again and writes it; the dict answered is what it
                # reads (the models above only vouch for it).
                applying = self._store.apply_page(answer.body)
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
    def _parse(body: dict[str, Any]) -> tuple[PullResponse, int] | ResetResponse:
        """The answer checked against the protocol's models, strictly (see `parse_answer`).

        The page's head (cursor, flags, ids, results) goes through `PullResponse`; its ops are
        checked here for the shape `PutOp`/`RemoveOp` give them, without building a model per
        op (thousands per page: a sixth of a first sync's time), and checked again in full by
        the store's page parser before anything is written.
        """
        if "reset" in body:
            return parse_answer(ResetResponse, body, "pull")
        ops = body.get("ops")
        head = parse_answer(PullResponse, {**body, "ops": []}, "pull")
        if not isinstance(ops, list):
            raise ProtocolError("malformed pull answer (ops)")
        cases = 0
        for index, op in enumerate(ops):
            if not _well_formed(op):
                raise ProtocolError(f"malformed pull answer (ops.{index})")
            if op["type"] == "case":
                cases += 1
        # The head with no ops (the store reads them from the answer itself), and how many
        # of them are cases.
        return head, cases

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

    def _finish(self, applying: Future[PageSummary], outcome: PullOutcome) -> None:
        try:
            summary = applying.result()
        except PageError as exc:
            raise ProtocolError(f"the store refused a pulled page: {exc}") from exc
        except CancelledError:
            raise StoreClosedError("the store closed while a page was being applied") from None
        except StoreClosedError:
            raise
        except Exception as exc:
            _log.exception("the store failed on a pulled page")
            raise PageNotApplied(f"{type(exc).__name__}: {exc}"[:300]) from exc
        outcome.add(summary)
        self._on_page(summary)


def _well_formed(op: object) -> bool:
    """What `PutOp`/`RemoveOp` accept, strictly: a put has an integer version and a data
    object, a remove a reason; both a type and an id as text."""
    if not isinstance(op, dict):
        return False
    kind, version = op.get("op"), op.get("version")
    if not (isinstance(op.get("type"), str) and isinstance(op.get("id"), str)):
        return False
    if kind == "put":
        return type(version) is int and isinstance(op.get("data"), dict)
    return kind == "remove" and isinstance(op.get("reason"), str)
