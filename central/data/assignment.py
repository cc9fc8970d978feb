"""Teams' auto-assignment settings, their round-robin pointers, and who may receive a case."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, or_, select, update

from central.data.engine import upsert
from central.data.tables import (
    cases,
    operator_centres,
    operator_teams,
    operators,
    team_assignment,
    teams,
)
from central.wire import decode_record, dumps
from operator_app.domain.assignment import (
    AssignmentConfig,
    AssignmentMode,
    Availability,
    Candidate,
    Skills,
)
from operator_app.domain.model import Case, CaseType, Role, Status

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


def _stored(row: Row[Any]) -> StoredAssignment:
    config = AssignmentConfig(
        AssignmentMode(row.mode), row.cap, _skills_from_json(json.loads(row.skills))
    )
    return StoredAssignment(row.team_id, config, row.pointer, row.updated_by, row.updated_at)


def load(conn: Connection, team_id: str, *, lock: bool = False) -> StoredAssignment | None:
    """The team's settings (locked until the transaction ends when `lock`), None if never set."""
    stmt = select(team_assignment).where(team_assignment.c.team_id == team_id)
    row = conn.execute(stmt.with_for_update() if lock else stmt).first()
    return None if row is None else _stored(row)


def load_many(conn: Connection, team_ids: Collection[str]) -> dict[str, StoredAssignment]:
    """The settings of those of the teams that have any."""
    stmt = select(team_assignment).where(team_assignment.c.team_id.in_(sorted(team_ids)))
    return {row.team_id: _stored(row) for row in conn.execute(stmt)}


def lock_teams(conn: Connection, team_ids: Collection[str]) -> dict[str, StoredAssignment]:
    """Lock, until the transaction ends, the settings rows of the teams and of every team
    their operators also work in, in team id order; returns the settings of `team_ids`.

    Every transaction that auto-assigns locks this way before it counts anyone's load, so two
    of them that could give a case to the same operator (a member of two teams) share a row
    and take turns: the second counts the first one's cases. One statement, rows locked in
    sorted order, so lockers never deadlock among themselves. (SQLite ignores the lock: its
    writers take turns on the whole database.)"""
    wanted = sorted(team_ids)
    if not wanted:
        return {}
    mine = operator_teams.alias("mine")
    peers = (
        select(operator_teams.c.team_id)
        .join(operators, operators.c.id == operator_teams.c.operator_id)
        .where(
            operators.c.role == Role.OPERATOR.value,
            operator_teams.c.operator_id.in_(
                select(mine.c.operator_id).where(mine.c.team_id.in_(wanted))
            ),
        )
    )
    stmt = (
        select(team_assignment)
        .where(or_(team_assignment.c.team_id.in_(wanted), team_assignment.c.team_id.in_(peers)))
        .order_by(team_assignment.c.team_id)
        .with_for_update(of=team_assignment)
    )
    rows = conn.execute(stmt).all()
    return {row.team_id: _stored(row) for row in rows if row.team_id in wanted}


def auto_teams(conn: Connection, operator_id: str) -> list[str]:
    """The operator's teams that assign automatically (unlocked: lock them next)."""
    stmt = (
        select(team_assignment.c.team_id)
        .join(operator_teams, operator_teams.c.team_id == team_assignment.c.team_id)
        .where(
            operator_teams.c.operator_id == operator_id,
            team_assignment.c.mode != AssignmentMode.OFF.value,
        )
        .order_by(team_assignment.c.team_id)
    )
    return list(conn.execute(stmt).scalars())


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
    counts = open_loads(conn, [oid for oid, _ in people])
    return [
        Candidate(oid, _availability(availability), counts[oid]) for oid, availability in people
    ]


def members(
    conn: Connection, team_ids: Collection[str]
) -> dict[str, list[tuple[str, Availability]]]:
    """Per team, its enabled operators who work in the team's centre (the candidates of
    `candidates`), in id order, with their availability."""
    stmt = (
        select(operator_teams.c.team_id, operators.c.id, operators.c.availability)
        .join(operators, operators.c.id == operator_teams.c.operator_id)
        .join(teams, teams.c.id == operator_teams.c.team_id)
        .join(
            operator_centres,
            (operator_centres.c.operator_id == operators.c.id)
            & (operator_centres.c.centre == teams.c.centre),
        )
        .where(
            operator_teams.c.team_id.in_(sorted(team_ids)),
            operators.c.role == Role.OPERATOR.value,
            operators.c.disabled.is_(False),
        )
        .order_by(operator_teams.c.team_id, operators.c.id)
    )
    out: dict[str, list[tuple[str, Availability]]] = {team_id: [] for team_id in team_ids}
    for team_id, oid, availability in conn.execute(stmt):
        out[team_id].append((oid, _availability(availability)))
    return out


def open_loads(conn: Connection, operator_ids: Collection[str]) -> dict[str, int]:
    """The open cases each operator holds, in any team (0 for those who hold none)."""
    if not operator_ids:
        return {}
    counts = dict(
        conn.execute(
            select(cases.c.assignee, func.count())
            .where(
                cases.c.assignee.in_(sorted(operator_ids)),
                cases.c.status.not_in(_CLOSED),
            )
            .group_by(cases.c.assignee)
        ).all()
    )
    return {oid: int(counts.get(oid, 0)) for oid in operator_ids}


def waiting_cases(
    conn: Connection, team_ids: Collection[str], limit: int, exclude: Collection[str] = ()
) -> list[Case]:
    """Open, non-confidential cases waiting unassigned in the teams' queues, oldest first (by
    registration time, then id), locked for the caller. Cases another transaction holds
    locked are skipped, not waited for: their writer is changing them right now, and waiting
    while holding the teams' rows could deadlock with it."""
    stmt = (
        select(cases.c.data)
        .where(
            cases.c.team.in_(sorted(team_ids)),
            cases.c.assignee.is_(None),
            cases.c.status.not_in(_CLOSED),
            cases.c.confidential.is_(False),
        )
        .order_by(cases.c.registered_at, cases.c.id)
        .limit(limit)
        .with_for_update(of=cases, skip_locked=True)
    )
    if exclude:
        stmt = stmt.where(cases.c.id.not_in(sorted(exclude)))
    return [decode_record(Case, data) for data in conn.execute(stmt).scalars()]


def _availability(value: str) -> Availability:
    try:
        return Availability(value)
    except ValueError:
        return Availability.AWAY  # a state this version does not know never receives cases
