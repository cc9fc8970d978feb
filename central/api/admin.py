"""`/admin/...`: accounts, centres, teams and reference data, for admins. Every change is
stamped with the sequence and reaches the desks through the pull stream."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from central.api.deps import Services, ServicesDep, SignedIn, errors, require_role
from central.data import directory as directory_store
from central.data.engine import read_transaction
from central.directory import NewAccount
from central.identity import Account
from operator_app.domain.deadlines import CalendarKind
from operator_app.domain.model import CaseType, Priority, Role
from sync.protocol import OperatorInfo

router = APIRouter(prefix="/admin", tags=["admin"])

Code = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
PathCode = Annotated[str, Path(min_length=1, max_length=200)]
_ADMIN_ERRORS = errors(401, 403, 404, 409, 413, 422)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateOperatorRequest(_Body):
    username: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    display_name: Annotated[str, StringConstraints(max_length=300)] = ""
    role: Role
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    centres: Annotated[list[Code], Field(max_length=100)] = []
    teams: Annotated[list[Code], Field(max_length=100)] = []
    primary_team: Code | None = None


class UpdateOperatorRequest(_Body):
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    role: Role | None = None
    centres: Annotated[list[Code], Field(max_length=100)] | None = None
    teams: Annotated[list[Code], Field(max_length=100)] | None = None
    primary_team: Code | None = None
    clear_primary_team: bool = False
    disabled: bool | None = None
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None


class OperatorList(BaseModel):
    operators: list[OperatorInfo]


class CentreBody(_Body):
    name_mn: Name
    name_en: Name
    sample: bool = False


class TeamBody(_Body):
    centre: Code
    name_mn: Name
    name_en: Name


class CategoryItem(_Body):
    code: Code
    name_mn: Name
    name_en: Name
    parent: Code | None = None
    confidential: bool = False


class AgencyItem(_Body):
    code: Code
    name_mn: Name
    name_en: Name
    kind: Annotated[str, StringConstraints(min_length=1, max_length=50)]


class AdminUnitItem(_Body):
    code: Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[0-9]+$")]
    name: Name
    level: Literal[1, 2, 3]
    parent: Annotated[str, StringConstraints(max_length=20, pattern=r"^[0-9]+$")] | None = None


class HolidayItem(_Body):
    date: date
    name_mn: Name
    name_en: Name


class DeadlineRuleItem(_Body):
    case_type: CaseType
    priority: Priority | None = None
    days: Annotated[int, Field(ge=0, le=3650)] | None
    calendar: CalendarKind = CalendarKind.CALENDAR
    extension_limit_days: Annotated[int, Field(ge=0, le=3650)] = 0
    due_soon_days: Annotated[int, Field(ge=0, le=365)] = 3
    note: Annotated[str, StringConstraints(max_length=1000)] | None = None


class ReferenceKey(BaseModel):
    kind: str
    key: str


def _admin(svc: Services, account: Account, action: str) -> None:
    require_role(svc, account, action, Role.ADMIN)


# --------------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------------


@router.get("/operators", response_model=OperatorList, responses=errors(401, 403))
def list_operators(account: SignedIn, svc: ServicesDep) -> OperatorList:
    _admin(svc, account, "list_operators")
    with read_transaction(svc.engine) as conn:
        records = directory_store.all_accounts(conn)
    return OperatorList(operators=[a.info() for a in records])


@router.post("/operators", status_code=201, response_model=OperatorInfo, responses=_ADMIN_ERRORS)
def create_operator(
    body: CreateOperatorRequest, account: SignedIn, svc: ServicesDep
) -> OperatorInfo:
    _admin(svc, account, "create_account")
    created = svc.directory.create_account(
        NewAccount(
            username=body.username,
            display_name=body.display_name,
            role=body.role,
            password=body.password,
            centres=frozenset(body.centres),
            teams=frozenset(body.teams),
            primary_team=body.primary_team,
        ),
        by=account.id,
    )
    return created.info()


@router.patch("/operators/{operator_id}", response_model=OperatorInfo, responses=_ADMIN_ERRORS)
def update_operator(
    operator_id: PathCode, body: UpdateOperatorRequest, account: SignedIn, svc: ServicesDep
) -> OperatorInfo:
    _admin(svc, account, "update_account")
    changed = svc.directory.update_account(
        operator_id,
        by=account.id,
        display_name=body.display_name,
        role=body.role,
        centres=body.centres,
        teams=body.teams,
        primary_team=body.primary_team,
        clear_primary_team=body.clear_primary_team,
        disabled=body.disabled,
        password=body.password,
    )
    return changed.info()


# --------------------------------------------------------------------------------------------
# Centres and teams
# --------------------------------------------------------------------------------------------


@router.put("/centres/{code}", status_code=204, response_class=Response, responses=_ADMIN_ERRORS)
def put_centre(code: PathCode, body: CentreBody, account: SignedIn, svc: ServicesDep) -> Response:
    _admin(svc, account, "save_centre")
    svc.directory.save_centre(code, body.name_mn, body.name_en, body.sample, account.id)
    return Response(status_code=204)


@router.delete("/centres/{code}", status_code=204, response_class=Response, responses=_ADMIN_ERRORS)
def delete_centre(code: PathCode, account: SignedIn, svc: ServicesDep) -> Response:
    _admin(svc, account, "delete_centre")
    svc.directory.delete_centre(code, account.id)
    return Response(status_code=204)


@router.put("/teams/{team_id}", status_code=204, response_class=Response, responses=_ADMIN_ERRORS)
def put_team(team_id: PathCode, body: TeamBody, account: SignedIn, svc: ServicesDep) -> Response:
    _admin(svc, account, "save_team")
    team = directory_store.TeamRow(team_id, body.centre, body.name_mn, body.name_en, False)
    svc.directory.save_team(team, account.id)
    return Response(status_code=204)


@router.delete(
    "/teams/{team_id}", status_code=204, response_class=Response, responses=_ADMIN_ERRORS
)
def delete_team(team_id: PathCode, account: SignedIn, svc: ServicesDep) -> Response:
    _admin(svc, account, "delete_team")
    svc.directory.delete_team(team_id, account.id)
    return Response(status_code=204)


# --------------------------------------------------------------------------------------------
# Reference data: one PUT and one DELETE per kind, each with its own schema
# --------------------------------------------------------------------------------------------

_REFERENCE_MODELS: dict[str, type[_Body]] = {
    "category": CategoryItem,
    "agency": AgencyItem,
    "admin_unit": AdminUnitItem,
    "holiday": HolidayItem,
    "deadline_rule": DeadlineRuleItem,
}


def _put_reference(kind: str, model: type[_Body]) -> Callable[..., ReferenceKey]:
    def put(body: Any, account: SignedIn, svc: ServicesDep) -> ReferenceKey:
        _admin(svc, account, f"save_{kind}")
        item = body.model_dump(mode="json", exclude_none=kind != "deadline_rule")
        key = svc.directory.save_reference_item(kind, item, account.id)
        return ReferenceKey(kind=kind, key=key)

    put.__annotations__["body"] = model
    put.__name__ = f"put_{kind}"
    return put


def _delete_reference(kind: str) -> Callable[..., Response]:
    def delete(key: PathCode, account: SignedIn, svc: ServicesDep) -> Response:
        _admin(svc, account, f"delete_{kind}")
        svc.directory.delete_reference_item(kind, key, account.id)
        return Response(status_code=204)

    delete.__name__ = f"delete_{kind}"
    return delete


for _kind, _model in _REFERENCE_MODELS.items():
    router.add_api_route(
        f"/reference/{_kind}",
        _put_reference(_kind, _model),
        methods=["PUT"],
        response_model=ReferenceKey,
        responses=_ADMIN_ERRORS,
        summary=f"Add or replace a {_kind.replace('_', ' ')}",
    )
    router.add_api_route(
        f"/reference/{_kind}/{{key}}",
        _delete_reference(_kind),
        methods=["DELETE"],
        status_code=204,
        response_class=Response,
        responses=_ADMIN_ERRORS,
        summary=f"Delete a {_kind.replace('_', ' ')}",
    )
