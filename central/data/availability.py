"""Operators' availability (available, away, offline) and since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from central.data.tables import operator_centres, operator_teams, operators, teams
from operator_app.domain.model import Role


@dataclass(frozen=True, slots=True)
class AvailabilityRow:
    user_id: str
    display_name: str
    role: Role
    teams: tuple[str, ...]
    availability: str
    since: datetime


def current(conn: Connection, operator_id: str) -> tuple[str, datetime] | None:
    row = conn.execute(
        select(
            operators.c.availability,
            operators.c.availability_since,
            operators.c.created_at,
        ).where(operators.c.id == operator_id)
    ).first()
    if row is None:
        return None
    return row.availability, row.availability_since or row.created_at


def set_availability(
    conn: Connection, operator_id: str, availability: str, since: datetime, seq: int
) -> None:
    conn.execute(
        update(operators)
        .where(operators.c.id == operator_id)
        .values(availability=availability, availability_since=since, seq=seq)
    )


def of_centre(conn: Connection, centre: str) -> list[AvailabilityRow]:
    """Enabled operators and supervisors working in the centre, with their teams there."""
    people = conn.execute(
        select(
            operators.c.id,
            operators.c.display_name,
            operators.c.role,
            operators.c.availability,
            operators.c.availability_since,
            operators.c.created_at,
        )
        .join(operator_centres, operator_centres.c.operator_id == operators.c.id)
        .where(
            operator_centres.c.centre == centre,
            operators.c.disabled.is_(False),
            operators.c.role.in_([Role.OPERATOR.value, Role.SUPERVISOR.value]),
        )
        .order_by(operators.c.display_name, operators.c.id)
    ).all()
    team_rows = conn.execute(
        select(operator_teams.c.operator_id, operator_teams.c.team_id)
        .join(teams, teams.c.id == operator_teams.c.team_id)
        .where(teams.c.centre == centre, teams.c.deleted.is_(False))
        .order_by(operator_teams.c.team_id)
    ).all()
    memberships: dict[str, list[str]] = {}
    for operator_id, team_id in team_rows:
        memberships.setdefault(operator_id, []).append(team_id)
    return [
        AvailabilityRow(
            row.id,
            row.display_name,
            Role(row.role),
            tuple(memberships.get(row.id, ())),
            row.availability,
            row.availability_since or row.created_at,
        )
        for row in people
    ]
