"""`GET /citizens/lookup`: the central registry, by phone number or registration number."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from central.api.deps import ServicesDep, SignedIn, errors, require_role
from central.errors import ApiError
from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import normalize_phone, parse_registration_number
from operator_app.domain.model import Role
from sync.protocol import CitizenLookupResponse, ErrorCode

router = APIRouter(tags=["citizens"])


def _invalid(problem: FieldError) -> ApiError:
    return ApiError(
        422,
        ErrorCode.INVALID,
        str(problem),
        {"field": problem.field, "reason": problem.reason.value},
    )


@router.get(
    "/citizens/lookup",
    response_model=CitizenLookupResponse,
    responses=errors(401, 403, 422),
    summary="Find citizens by phone or by registration number (exactly one of them)",
)
def lookup(
    account: SignedIn,
    svc: ServicesDep,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    reg_no: Annotated[str | None, Query(max_length=40)] = None,
) -> CitizenLookupResponse:
    require_role(svc, account, "citizen_lookup", Role.OPERATOR, Role.SUPERVISOR, Role.AUDITOR)
    if (phone is None) == (reg_no is None):
        raise ApiError(
            422, ErrorCode.INVALID, "give exactly one of phone and reg_no", {"field": "phone"}
        )
    if phone is not None:
        normal = normalize_phone(phone)
        if isinstance(normal, FieldError):
            raise _invalid(normal)
        return CitizenLookupResponse(citizens=svc.registry.by_phone(normal))
    assert reg_no is not None
    reg = parse_registration_number(reg_no)
    if isinstance(reg, FieldError):
        raise _invalid(reg)
    return CitizenLookupResponse(citizens=svc.registry.by_reg_no(str(reg)))
