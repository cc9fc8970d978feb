"""The supervisor rights, enforced by the central service: every role against every supervisor
action, inside and outside the supervisor's centres, on SQLite and PostgreSQL.

A refused push comes back `rejected FORBIDDEN` and tells nothing about the case; a refused
direct call is a 403; both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import select

from central.data.tables import audit_log
from central.server import ServerHandle
from tests.central.desk import Desk, create_case, new_id

PUSHED = (
    "reassign_to_operator",
    "reassign_to_team",
    "extend_deadline",
    "close",
    "reopen",
    "record_agency_answer",
)
CALLED = ("set_team_assignment", "read_team_assignment", "read_availability")
ACTIONS = PUSHED + CALLED


@dataclass(frozen=True)
class Column:
    """Who acts, and where the cases they act on stand."""

    name: str
    username: str
    centre: str
    team: str
    other_team: str  # of the same centre, for reassignments to a team
    assignee: str  # holds the target cases
    colleague: str  # another operator of the centre, for reassignments to an operator
    allowed: frozenset[str]


EVERYTHING = frozenset(ACTIONS)
COLUMNS = (
    Column(
        "operator, own case",
        "demo-operator",
        "c1111",
        "t1111-a",
        "t1111-b",
        "op-demo",
        "op-t1111-a-1",
        # The agency's answer on one's own transferred case is the case worker's to record.
        frozenset({"record_agency_answer"}),
    ),
    Column(
        "operator, other centre",
        "demo-operator",
        "c1800",
        "t1800-a",
        "t1800-b",
        "op-t1800-a-0",
        "op-t1800-a-1",
        frozenset(),
    ),
    Column(
        "supervisor, own centre",
        "sup-t1800-a",
        "c1800",
        "t1800-a",
        "t1800-b",
        "op-t1800-a-0",
        "op-t1800-a-1",
        EVERYTHING,
    ),
    Column(
        "supervisor, other centre",
        "sup-t1800-a",
        "c1111",
        "t1111-a",
        "t1111-b",
        "op-demo",
        "op-t1111-a-1",
        frozenset(),
    ),
    Column(
        "admin", "demo-admin", "c1111", "t1111-a", "t1111-b", "op-demo", "op-t1111-a-1", frozenset()
    ),
    Column(
        "auditor",
        "demo-auditor",
        "c1800",
        "t1800-a",
        "t1800-b",
        "op-t1800-a-0",
        "op-t1800-a-1",
        frozenset({"read_team_assignment", "read_availability"}),
    ),
)


def _prepare(boss: Desk, column: Column, action: str) -> tuple[str, list[tuple[str, Any]]]:
    """A case for the action, and the boss's mutations that put it in the state it needs."""
    case_id = new_id()
    steps: list[tuple[str, Any]] = [
        create_case(case_id, centre=column.centre, team=column.team, assignee=column.assignee)
    ]
    if action == "reopen":
        steps.append(
            ("change_status", {"case_id": case_id, "from": "new", "to": "closed", "reason": "Спам"})
        )
    if action == "record_agency_answer":
        steps.append(
            ("transfer_case", {"case_id": case_id, "agency": "capital_city_governor", "note": ""})
        )
    return case_id, steps


def _mutation(action: str, column: Column, case_id: str) -> tuple[str, dict[str, Any]]:
    match action:
        case "reassign_to_operator":
            return "reassign_case", {
                "case_id": case_id,
                "expected_assignee": column.assignee,
                "new_assignee": column.colleague,
                "reason": "Ачаалал тэнцүүлэх",
            }
        case "reassign_to_team":
            return "reassign_case", {
                "case_id": case_id,
                "expected_assignee": column.assignee,
                "new_assignee": None,
                "new_team": column.other_team,
                "reason": "Өөр багийн асуудал",
            }
        case "extend_deadline":
            return "extend_deadline", {"case_id": case_id, "days": 10, "notice": "Мэдэгдсэн"}
        case "close":
            return "change_status", {
                "case_id": case_id,
                "from": "new",
                "to": "closed",
                "reason": "Давхардсан",
            }
        case "reopen":
            return "change_status", {
                "case_id": case_id,
                "from": "closed",
                "to": "in_progress",
                "reason": "Иргэн дахин хандав",
            }
        case "record_agency_answer":
            return "record_agency_answer", {
                "case_id": case_id,
                "answer": "Асуудлыг шийдвэрлэсэн",
                "answered_at": "2026-03-01T09:00:00+08:00",
            }
    raise AssertionError(action)


def _call(actor: Desk, action: str, column: Column) -> requests.Response:
    url = f"{actor.base}/teams/{column.team}/assignment"
    match action:
        case "set_team_assignment":
            # "off": harmless to the other tests' cases in the same team.
            return actor.http.put(url, json={"mode": "off", "cap": 40, "skills": {}}, timeout=30)
        case "read_team_assignment":
            return actor.http.get(url, timeout=30)
        case "read_availability":
            return actor.get("/availability", centre=column.centre)
    raise AssertionError(action)


def test_every_role_and_supervisor_action_inside_and_outside_the_centres(
    central_server: ServerHandle,
) -> None:
    admin = Desk(central_server.url, "demo-admin")
    made = admin.http.put(
        f"{admin.base}/admin/teams/t1800-b",
        json={"centre": "c1800", "name_mn": "Хоёрдугаар баг", "name_en": "Second team"},
        timeout=30,
    )
    assert made.status_code == 204, made.text
    boss = Desk(central_server.url, "demo-supervisor")  # supervises every centre: sets the stage
    actors = {c.username: Desk(central_server.url, c.username) for c in COLUMNS}

    cells: list[tuple[Column, str, str]] = []
    setup: list[tuple[str, Any]] = []
    for column in COLUMNS:
        for action in PUSHED:
            case_id, steps = _prepare(boss, column, action)
            setup.extend(steps)
            cells.append((column, action, case_id))
    for start in range(0, len(setup), 90):
        for result in boss.push(*setup[start : start + 90]):
            assert result["status"] == "applied", result

    mismatches: list[str] = []
    for username, actor in actors.items():
        mine = [cell for cell in cells if cell[0].username == username]
        results = actor.push(
            *(_mutation(action, column, case_id) for column, action, case_id in mine)
        )
        for (column, action, _case_id), result in zip(mine, results, strict=True):
            wanted = action in column.allowed
            got = (result["status"], result["code"])
            if wanted != (got == ("applied", None)) or (
                not wanted and got != ("rejected", "FORBIDDEN")
            ):
                mismatches.append(f"{column.name} / {action}: {got} {result['details']}")
            if not wanted:
                assert set(result["details"]) <= {"action", "message"}, result
        refused = {r["id"] for r in results if r["code"] == "FORBIDDEN"}
        with central_server.services.engine.connect() as conn:
            audited = set(
                conn.execute(
                    select(audit_log.c.mutation_id).where(
                        audit_log.c.client_id == actor.client_id, audit_log.c.code == "FORBIDDEN"
                    )
                ).scalars()
            )
        assert refused <= audited, f"{username}: refusals not audited"

    for column in COLUMNS:
        actor = actors[column.username]
        for action in CALLED:
            with central_server.services.engine.connect() as conn:
                before = conn.execute(
                    select(audit_log.c.id).order_by(audit_log.c.id.desc()).limit(1)
                ).scalar_one()
            response = _call(actor, action, column)
            wanted = action in column.allowed
            if wanted != (response.status_code == 200) or (
                not wanted and response.status_code != 403
            ):
                mismatches.append(f"{column.name} / {action}: HTTP {response.status_code}")
                continue
            if wanted:
                continue
            assert response.json()["code"] == "FORBIDDEN"
            with central_server.services.engine.connect() as conn:
                refusals = conn.execute(
                    select(audit_log.c.action, audit_log.c.status, audit_log.c.code).where(
                        audit_log.c.id > before, audit_log.c.actor_id == actor.operator["id"]
                    )
                ).all()
            assert [(r.status, r.code) for r in refusals] == [("refused", "FORBIDDEN")], (
                column.name,
                action,
            )
    assert mismatches == []
