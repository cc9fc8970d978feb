"""`/sync/push`, `/sync/pull` and `/sync/poke` (SYNC.md, "Endpoints")."""

from __future__ import annotations

import asyncio
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from central.api.deps import (
    Bearer,
    Services,
    authenticate,
    client_address,
    deny,
    errors,
    services,
)
from central.errors import ApiError
from central.identity import Account
from central.poke import Waiter
from central.sync_pull import PulledBody
from central.sync_push import ForeignClient, MutationGap
from central.writer import utcnow
from sync.protocol import (
    DEFAULT_POKE_TIMEOUT_S,
    MAX_POKE_TIMEOUT_S,
    ClientId,
    Cursor,
    ErrorCode,
    PokeResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    ResetResponse,
)

router = APIRouter(tags=["sync"])


def _foreign(svc: Services, account: Account, action: str, client_id: str | None) -> ApiError:
    return deny(
        svc, account, action, reason="client_owned_by_other", client_id=(client_id or "")[:100]
    )


@router.post(
    "/sync/push",
    response_model=PushResponse,
    responses=errors(401, 403, 409, 413, 422, 426, 503),
    summary="Apply the client's mutations, exactly once and in order",
)
async def push(body: PushRequest, request: Request, credentials: Bearer) -> PushResponse:
    # Pushes run on threads of their own, so a desk's write never queues behind other
    # desks' pulls and polls.
    limiter = getattr(request.app.state, "push_limiter", None)  # set by the app's lifespan
    return await to_thread.run_sync(
        _push, services(request), credentials, body, client_address(request), limiter=limiter
    )


def _push(
    svc: Services, credentials: HTTPAuthorizationCredentials | None, body: PushRequest, address: str
) -> PushResponse:
    account = authenticate(svc, credentials)
    try:
        return svc.push.push(account, body, address)
    except ForeignClient:
        raise _foreign(svc, account, "push", body.client_id) from None
    except MutationGap as gap:
        raise ApiError(
            409,
            ErrorCode.MUTATION_GAP,
            "mutations must arrive in order: send the expected one first",
            {"expected_next_id": gap.expected_next_id},
        ) from None


@router.post(
    "/sync/pull",
    response_model=PullResponse | ResetResponse,
    responses=errors(401, 403, 413, 422, 426),
    summary="The next page of the caller's scope, or a reset",
)
async def pull(body: PullRequest, request: Request, credentials: Bearer) -> Response:
    # Assembled from stored JSON and compressed on the worker thread, or ahead of the request
    # during a first sync (see sync_pull): the GZip middleware passes it through as it is.
    # Like the middleware, any mention of gzip in Accept-Encoding counts as accepting it.
    compress = "gzip" in request.headers.get("accept-encoding", "")
    pulled = await to_thread.run_sync(_pull, services(request), credentials, body, compress)
    headers = {"Vary": "Accept-Encoding"}
    if pulled.gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(pulled.content, media_type="application/json", headers=headers)


def _pull(
    svc: Services,
    credentials: HTTPAuthorizationCredentials | None,
    body: PullRequest,
    compress: bool,
) -> PulledBody:
    account = authenticate(svc, credentials)
    try:
        return svc.pull.pull_body(account, body, compress=compress)
    except ForeignClient:
        raise _foreign(svc, account, "pull", body.client_id) from None


@router.get(
    "/sync/poke",
    response_model=PokeResponse,
    responses=errors(401, 403, 422),
    summary="Long poll: answers when the caller's scope changed after the cursor",
)
async def poke(
    request: Request,
    credentials: Bearer,
    cursor: Annotated[Cursor, Query()],
    timeout: Annotated[float, Query(ge=0, le=MAX_POKE_TIMEOUT_S)] = DEFAULT_POKE_TIMEOUT_S,
    client_id: Annotated[ClientId | None, Query()] = None,
) -> PokeResponse:
    svc = services(request)
    parked: list[Waiter] = []
    try:
        news = await to_thread.run_sync(
            _park, svc, credentials, cursor, client_id, asyncio.get_running_loop(), parked
        )
        changed = news or await svc.hub.wait(parked[0], timeout)
    finally:
        for waiter in parked:  # whatever happened, even a cancellation on the way back
            svc.hub.unregister(waiter)
    return PokeResponse(changed=changed, server_time=utcnow().isoformat())


def _park(
    svc: Services,
    credentials: HTTPAuthorizationCredentials | None,
    cursor: str,
    client_id: str | None,
    loop: asyncio.AbstractEventLoop,
    parked: list[Waiter],
) -> bool:
    """Sign in, register the poll in `parked`, then check the database (in that order, so no
    change slips between the two): whether news already waits. One trip to a worker thread."""
    account = authenticate(svc, credentials)
    state = svc.pull.cursor_for_poke(cursor)
    parked.append(svc.hub.register(account.actor, client_id, state.seq if state else 0, loop))
    try:
        return svc.pull.has_news(account, client_id, state)
    except ForeignClient:
        raise _foreign(svc, account, "poke", client_id) from None
