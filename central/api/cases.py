"""Direct reads of cases: one case whole, or the cases behind a permanent or provisional number."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from central.api.deps import ServicesDep, SignedIn, deny, errors
from central.data import cases as case_store
from central.data.engine import read_transaction
from central.errors import ApiError, not_found
from central.wire import encode_record
from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import parse_case_number
from operator_app.domain.permissions import in_scope
from sync.protocol import ErrorCode

router = APIRouter(tags=["cases"])

CaseId = Annotated[str, Path(min_length=1, max_length=100)]


class CaseDetail(BaseModel):
    """A case with its notes, calls, timeline and conflicts, each in its wire form."""

    case: dict[str, Any]
    notes: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]


class CaseSearchResponse(BaseModel):
    cases: list[dict[str, Any]]


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    responses=errors(401, 403, 404, 422),
    summary="One case, whole, if it is in the caller's scope",
)
def get_case(case_id: CaseId, account: SignedIn, svc: ServicesDep) -> CaseDetail:
    with read_transaction(svc.engine) as conn:
        case = case_store.load_case(conn, case_id)
        visible = case is not None and in_scope(account.actor, case)
        children = case_store.case_bundle(conn, case_id) if visible else {}
    if case is None:
        raise not_found("no such case")
    if not visible:
        raise deny(svc, account, "read_case", case_id=case_id)
    return CaseDetail(
        case=json.loads(encode_record(case)),
        **{name: [json.loads(item) for item in items] for name, items in children.items()},
    )


@router.get(
    "/cases",
    response_model=CaseSearchResponse,
    responses=errors(401, 403, 422),
    summary="Cases by permanent (2026-000123) or provisional (P-7K3Q-17) number",
)
def find_cases(
    number: Annotated[str, Query(min_length=1, max_length=40)],
    account: SignedIn,
    svc: ServicesDep,
) -> CaseSearchResponse:
    parsed = parse_case_number(number)
    if isinstance(parsed, FieldError):
        raise ApiError(
            422,
            ErrorCode.INVALID,
            "not a case number",
            {"field": "number", "reason": parsed.reason.value},
        )
    with read_transaction(svc.engine) as conn:
        found = case_store.find_cases_by_number(conn, parsed.text)
    visible = [case for case in found if in_scope(account.actor, case)]
    if found and not visible:
        raise deny(svc, account, "find_case", number=parsed.text)
    return CaseSearchResponse(cases=[json.loads(encode_record(case)) for case in visible])
