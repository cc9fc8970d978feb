"""What every endpoint depends on: the services, the signed-in account, refusals with audit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from central.auth import AuthService
from central.citizens import CitizenRegistry
from central.data import audit
from central.data.engine import write_transaction
from central.data.stamping import Sequencer
from central.directory import Directory
from central.errors import ApiError, forbidden
from central.identity import Account
from central.poke import PokeHub
from central.settings import Settings
from central.sync_pull import PullService
from central.sync_push import PushService
from central.writer import Writer
from operator_app.domain.model import Role
from sync.protocol import ErrorBody, ErrorCode

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login.")


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engine: Engine
    sequencer: Sequencer
    writer: Writer
    auth: AuthService
    directory: Directory
    push: PushService
    pull: PullService
    hub: PokeHub
    registry: CitizenRegistry


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def authenticate(svc: Services, credentials: HTTPAuthorizationCredentials | None) -> Account:
    """The account behind the bearer token; 401 without one."""
    if credentials is None:
        raise ApiError(
            401,
            ErrorCode.UNAUTHORIZED,
            "sign in first: Authorization: Bearer <access token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return svc.auth.authenticate(credentials.credentials)


def current_account(request: Request, credentials: Bearer) -> Account:
    """The signed-in account (a sync dependency: it runs in the threadpool)."""
    return authenticate(services(request), credentials)


SignedIn = Annotated[Account, Depends(current_account)]
ServicesDep = Annotated[Services, Depends(services)]


def deny(svc: Services, account: Account, action: str, **details: Any) -> ApiError:
    """Audit a refused direct call and return the 403 to raise."""
    with write_transaction(svc.engine) as conn:
        audit.record(
            conn,
            audit.AuditEntry(
                svc.writer.now(),
                action,
                "refused",
                actor_id=account.id,
                code=ErrorCode.FORBIDDEN.value,
                case_id=details.get("case_id"),
                details=details,
            ),
        )
    return forbidden(**details)


def require_role(svc: Services, account: Account, action: str, *roles: Role) -> None:
    if account.role not in roles:
        raise deny(svc, account, action, role=account.role.value)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: these statuses answer with the error body."""
    return {status: {"model": ErrorBody} for status in statuses}
