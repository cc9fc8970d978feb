"""Teams' auto-assignment settings, their round-robin pointers, and who may receive a case."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from central.data.engine import upsert
from central.data.tables import cases, operator_centres, operator_teams, operators, team_assignment
from central.wire import dumps
from operator_app.domain.assignment import (
    AssignmentConfig,
    AssignmentMode,
    Availability,
    Candidate,
    Skills,
)
from operator_app.domain.model import CaseType, Role, Status

_CLOSED = (Status.RESOLVED.value, Status.CLOSED.value)


@dataclass(frozen=True, slots=True)
class StoredAssignment:
    """A team's row: the settings, the pointer, and who last changed the settings."""

    team_id: str
    config: AssignmentConfig
    pointer: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None


def skills_to_json(skills: dict[str, Skills]) -> dict[str, dict[str, list[str]]]:
    return {
        operator_id: {
            "case_types": sorted(t.value for t in s.case_types),
            "languages": sorted(s.languages),
            "regions": sorted(s.regions),
        }
        for operator_id, s in sorted(skills.items())
    }


def _skills_from_json(raw: dict[str, Any]) -> dict[str, Skills]:
    return {
        operator_id: Skills(
            frozenset(CaseType(t) for t in item.get("case_types", [])),
            frozenset(item.get("languages", [])),
            frozenset(item.get("regions", [])),
        )
        for operator_id, item in raw.items()
    }


def load(conn: Connection, team_id: str, *, lock: bool = False) -> StoredAssignment | None:
    """The team's settings (locked until the transaction ends when `lock`), None if never set."""
    stmt = select(team_assignment).where(team_assignment.c.team_id == team_id)
    row = conn.execute(stmt.with_for_update() if lock else stmt).first()
    if row is None:
        return None
    config = AssignmentConfig(
        AssignmentMode(row.mode), row.cap, _skills_from_json(json.loads(row.skills))
    )
    return StoredAssignment(row.team_id, config, row.pointer, row.updated_by, row.updated_at)


def save(conn: Connection, team_id: str, config: AssignmentConfig, by: str, at: datetime) -> None:
    """Replace the settings; the pointer stays where it is."""
    upsert(
        conn,
        team_assignment,
        {
            "team_id": team_id,
            "mode": config.mode.value,
            "cap": config.cap,
            "skills": dumps(skills_to_json(dict(config.skills))),
            "updated_by": by,
            "updated_at": at,
        },
        ["team_id"],
    )


def set_pointer(conn: Connection, team_id: str, pointer: str | None) -> None:
    conn.execute(
        update(team_assignment).where(team_assignment.c.team_id == team_id).values(pointer=pointer)
    )


def team_operators(conn: Connection, team_id: str) -> set[str]:
    """Enabled operators (the role) of the team."""
    stmt = (
        select(operators.c.id)
        .join(operator_teams, operator_teams.c.operator_id == operators.c.id)
        .where(
            operator_teams.c.team_id == team_id,
            operators.c.role == Role.OPERATOR.value,
            operators.c.disabled.is_(False),
        )
    )
    return set(conn.execute(stmt).scalars())


def candidates(conn: Connection, team_id: str, centre: str) -> list[Candidate]:
    """The team's enabled operators who work in `centre`, with their availability and the
    number of open cases they hold (in any team)."""
    stmt = (
        select(operators.c.id, operators.c.availability)
        .join(operator_teams, operator_teams.c.operator_id == operators.c.id)
        .join(operator_centres, operator_centres.c.operator_id == operators.c.id)
        .where(
            operator_teams.c.team_id == team_id,
            operator_centres.c.centre == centre,
            operators.c.role == Role.OPERATOR.value,
            operators.c.disabled.is_(False),
        )
        .order_by(operators.c.id)
    )
    people = [(oid, availability) for oid, availability in conn.execute(stmt)]
    if not people:
        return []
    counts = dict(
        conn.execute(
            select(cases.c.assignee, func.count())
            .where(
                cases.c.assignee.in_([oid for oid, _ in people]),
                cases.c.status.not_in(_CLOSED),
            )
            .group_by(cases.c.assignee)
        ).all()
    )
    return [
        Candidate(oid, _availability(availability), int(counts.get(oid, 0)))
        for oid, availability in people
    ]


def _availability(value: str) -> Availability:
    try:
        return Availability(value)
    except ValueError:
        return Availability.AWAY  # a state this version does not know never receives cases
