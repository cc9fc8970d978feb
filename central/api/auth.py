"""`/auth/login`, `/auth/refresh`, `/auth/logout`, and the signed-in account's own record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from central.api.deps import ServicesDep, SignedIn, client_address, errors
from sync.protocol import LoginRequest, LogoutRequest, OperatorInfo, RefreshRequest, TokenResponse

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/login",
    response_model=TokenResponse,
    responses=errors(401, 403, 413, 422, 429),
    summary="Sign in: access and refresh tokens",
)
def login(body: LoginRequest, request: Request, svc: ServicesDep) -> TokenResponse:
    return svc.auth.login(body, client_address(request))


@router.post(
    "/auth/refresh",
    response_model=TokenResponse,
    responses=errors(401, 403, 413, 422),
    summary="Rotate the refresh token and get a new access token",
)
def refresh(body: RefreshRequest, request: Request, svc: ServicesDep) -> TokenResponse:
    return svc.auth.refresh(body.refresh_token, client_address(request))


@router.post(
    "/auth/logout",
    status_code=204,
    response_class=Response,
    responses=errors(401, 403, 413, 422),
    summary="Revoke this session (and the given refresh token's)",
)
def logout(
    account: SignedIn,
    svc: ServicesDep,
    body: Annotated[LogoutRequest | None, Body()] = None,
) -> Response:
    svc.auth.logout(account, body.refresh_token if body else None)
    return Response(status_code=204)


@router.get(
    "/me", response_model=OperatorInfo, responses=errors(401, 403), summary="The signed-in account"
)
def me(account: SignedIn) -> OperatorInfo:
    return account.info()
