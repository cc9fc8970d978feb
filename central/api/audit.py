"""`GET /audit`: the audit log, for auditors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from central.api.deps import ServicesDep, SignedIn, errors, require_role
from central.data import audit as audit_store
from central.data.engine import read_transaction
from operator_app.domain.model import Role

router = APIRouter(tags=["audit"])


class AuditPage(BaseModel):
    entries: list[dict[str, Any]]


@router.get(
    "/audit",
    response_model=AuditPage,
    responses=errors(401, 403, 422),
    summary="Audit entries after an id, oldest first (auditors only)",
)
def audit_log(
    account: SignedIn,
    svc: ServicesDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    require_role(svc, account, "read_audit", Role.AUDITOR)
    with read_transaction(svc.engine) as conn:
        return AuditPage(entries=audit_store.entries_after(conn, after, limit))
