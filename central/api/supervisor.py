"""The supervisor desk's endpoints: one's own availability, a centre's availability board,
and teams' auto-assignment settings. Every refusal is a 403, audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from central.api.deps import Services, ServicesDep, SignedIn, deny, errors, require_role
from central.assignment import SkillsInput, TeamAssignments, TeamSettings, skills_json
from central.availability import AvailabilityNow, AvailabilityService
from central.identity import Account
from operator_app.domain.assignment import MAX_CAP, AssignmentMode, Availability
from operator_app.domain.model import CaseType, Role

router = APIRouter(tags=["supervisor"])

Code = Annotated[str, StringConstraints(min_length=1, max_length=100)]
TeamId = Annotated[str, Path(min_length=1, max_length=100)]
_Codes = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=20)]], Field(max_length=400)
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AvailabilityRequest(_Body):
    availability: Availability


class AvailabilityResponse(BaseModel):
    availability: str
    since: datetime  # UTC


class OperatorAvailability(BaseModel):
    user_id: str
    display_name: str
    role: str
    teams: list[str]
    availability: str
    since: datetime


class CentreAvailability(BaseModel):
    operators: list[OperatorAvailability]


class SkillsBody(_Body):
    case_types: Annotated[list[CaseType], Field(max_length=20)] = []
    languages: _Codes = []
    regions: _Codes = []


class AssignmentBody(_Body):
    mode: AssignmentMode
    cap: Annotated[int, Field(ge=1, le=MAX_CAP)] | None = None
    skills: Annotated[dict[Code, SkillsBody], Field(max_length=500)] = {}


class SkillsResponse(BaseModel):
    case_types: list[str]
    languages: list[str]
    regions: list[str]


class AssignmentResponse(BaseModel):
    team_id: str
    centre: str
    mode: AssignmentMode
    cap: int | None
    skills: dict[str, SkillsResponse]
    updated_by: str | None
    updated_at: datetime | None


_CASE_WORKERS = (Role.OPERATOR, Role.SUPERVISOR)


def _availability(now: AvailabilityNow) -> AvailabilityResponse:
    return AvailabilityResponse(availability=str(now.availability), since=now.since)


@router.get(
    "/me/availability",
    response_model=AvailabilityResponse,
    responses=errors(401, 403),
    summary="The signed-in operator's or supervisor's availability, and since when",
)
def get_my_availability(account: SignedIn, svc: ServicesDep) -> AvailabilityResponse:
    require_role(svc, account, "read_availability", *_CASE_WORKERS)
    return _availability(AvailabilityService(svc.writer).get(account))


@router.put(
    "/me/availability",
    response_model=AvailabilityResponse,
    responses=errors(401, 403, 413, 422),
    summary="Set one's availability: available, away or offline (only `available` operators "
    "receive cases automatically)",
)
def set_my_availability(
    body: AvailabilityRequest, account: SignedIn, svc: ServicesDep
) -> AvailabilityResponse:
    require_role(svc, account, "set_availability", *_CASE_WORKERS)
    return _availability(AvailabilityService(svc.writer).set(account, body.availability))


@router.get(
    "/availability",
    response_model=CentreAvailability,
    responses=errors(401, 403, 404, 422),
    summary="Availability of the operators and supervisors of a centre (its supervisors, auditors)",
)
def centre_availability(
    centre: Annotated[str, Query(min_length=1, max_length=100)],
    account: SignedIn,
    svc: ServicesDep,
) -> CentreAvailability:
    if not _supervises(account, centre) and account.role is not Role.AUDITOR:
        raise deny(svc, account, "read_availability", centre=centre)
    rows = AvailabilityService(svc.writer).of_centre(centre)
    return CentreAvailability(
        operators=[
            OperatorAvailability(
                user_id=row.user_id,
                display_name=row.display_name,
                role=row.role.value,
                teams=list(row.teams),
                availability=row.availability,
                since=row.since,
            )
            for row in rows
        ]
    )


@router.get(
    "/teams/{team_id}/assignment",
    response_model=AssignmentResponse,
    responses=errors(401, 403, 404, 422),
    summary="A team's auto-assignment settings (its centre's supervisors, auditors)",
)
def get_team_assignment(team_id: TeamId, account: SignedIn, svc: ServicesDep) -> AssignmentResponse:
    _check_team(svc, account, team_id, "read_team_assignment", Role.SUPERVISOR, Role.AUDITOR)
    return _assignment(TeamAssignments(svc.writer).get(team_id))


@router.put(
    "/teams/{team_id}/assignment",
    response_model=AssignmentResponse,
    responses=errors(401, 403, 404, 413, 422),
    summary="Set a team's auto-assignment: mode, per-operator cap of open cases, skills "
    "(its centre's supervisors)",
)
def put_team_assignment(
    team_id: TeamId, body: AssignmentBody, account: SignedIn, svc: ServicesDep
) -> AssignmentResponse:
    _check_team(svc, account, team_id, "set_team_assignment", Role.SUPERVISOR)
    skills = {
        operator_id: SkillsInput(tuple(item.case_types), tuple(item.languages), tuple(item.regions))
        for operator_id, item in body.skills.items()
    }
    settings = TeamAssignments(svc.writer).put(account, team_id, body.mode, body.cap, skills)
    return _assignment(settings)


def _supervises(account: Account, centre: str) -> bool:
    return account.role is Role.SUPERVISOR and centre in account.centres


def _check_team(svc: Services, account: Account, team_id: str, action: str, *roles: Role) -> None:
    """The role first (refused before anything is looked up), then the team's centre."""
    require_role(svc, account, action, *roles)
    centre = TeamAssignments(svc.writer).team_centre(team_id)
    if account.role is Role.SUPERVISOR and centre not in account.centres:
        raise deny(svc, account, action, team_id=team_id)


def _assignment(settings: TeamSettings) -> AssignmentResponse:
    return AssignmentResponse(
        team_id=settings.team_id,
        centre=settings.centre,
        mode=settings.config.mode,
        cap=settings.config.cap,
        skills={k: SkillsResponse(**v) for k, v in skills_json(settings.config).items()},
        updated_by=settings.updated_by,
        updated_at=settings.updated_at,
    )
