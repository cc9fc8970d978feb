"""`/sync/push`, `/sync/pull` and `/sync/poke` (SYNC.md, "Endpoints")."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from central.api.deps import (
    Bearer,
    Services,
    ServicesDep,
    SignedIn,
    authenticate,
    client_address,
    deny,
    errors,
)
from central.errors import ApiError
from central.identity import Account
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
async def push(
    body: PushRequest, request: Request, credentials: Bearer, svc: ServicesDep
) -> PushResponse:
    # Pushes run on threads of their own, so a desk's write never queues behind other
    # desks' pulls and polls.
    limiter = request.app.state.push_limiter
    return await to_thread.run_sync(
        _push, svc, credentials, body, client_address(request), limiter=limiter
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
def pull(body: PullRequest, account: SignedIn, svc: ServicesDep) -> Response:
    # Assembled from stored JSON (see sync_pull); compressed by the GZip middleware.
    try:
        return Response(svc.pull.pull(account, body), media_type="application/json")
    except ForeignClient:
        raise _foreign(svc, account, "pull", body.client_id) from None


@router.get(
    "/sync/poke",
    response_model=PokeResponse,
    responses=errors(401, 403, 422),
    summary="Long poll: answers when the caller's scope changed after the cursor",
)
async def poke(
    account: SignedIn,
    svc: ServicesDep,
    cursor: Annotated[Cursor, Query()],
    timeout: Annotated[float, Query(ge=0, le=MAX_POKE_TIMEOUT_S)] = DEFAULT_POKE_TIMEOUT_S,
    client_id: Annotated[ClientId | None, Query()] = None,
) -> PokeResponse:
    state = svc.pull.cursor_for_poke(cursor)
    after = state.seq if state is not None else 0
    waiter = svc.hub.register(account.actor, client_id, after)
    try:
        news = await to_thread.run_sync(svc.pull.has_news, account, client_id, state)
    except ForeignClient:
        svc.hub.unregister(waiter)
        raise await to_thread.run_sync(_foreign, svc, account, "poke", client_id) from None
    except BaseException:
        svc.hub.unregister(waiter)
        raise
    if news:
        svc.hub.unregister(waiter)
        return PokeResponse(changed=True, server_time=utcnow().isoformat())
    changed = await svc.hub.wait(waiter, timeout)
    return PokeResponse(changed=changed, server_time=utcnow().isoformat())
