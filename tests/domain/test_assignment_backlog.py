"""The backlog pass of auto-assignment: waiting cases handed out oldest first by the same rule
as arrivals, loads shared across teams, bounded by a budget."""

from __future__ import annotations

from datetime import UTC, datetime

from operator_app.domain.assignment import (
    AssignmentConfig,
    AssignmentMode,
    Availability,
    CaseNeeds,
    Skills,
    TeamState,
    Trigger,
    Waiting,
    assign_backlog,
    auto_assigned,
    has_room,
)
from operator_app.domain.model import Case, CaseType, Channel

A, B, C = "op-a", "op-b", "op-c"
HERE = Availability.AVAILABLE
AWAY = Availability.AWAY


def _waiting(n: int, team: str = "t1", kind: CaseType = CaseType.COMPLAINT) -> list[Waiting]:
    return [Waiting(f"{team}-{i}", team, CaseNeeds(kind)) for i in range(n)]


def test_round_robin_from_the_pointer_up_to_the_caps() -> None:
    team = TeamState(
        AssignmentConfig(AssignmentMode.ROUND_ROBIN, 2), ((A, HERE), (B, HERE), (C, AWAY)), A
    )
    result = assign_backlog(_waiting(5), {"t1": team}, {A: 1, B: 0, C: 0}, budget=10)
    assert [a for _, a in result.given] == [B, A, B]
    assert result.pointers == {"t1": B}
    assert result.loads == {A: 2, B: 2, C: 0}


def test_the_budget_bounds_the_pass() -> None:
    team = TeamState(AssignmentConfig(AssignmentMode.LEAST_LOADED), ((A, HERE), (B, HERE)))
    result = assign_backlog(_waiting(5), {"t1": team}, {A: 3, B: 0}, budget=2)
    assert [(w.case_id, a) for w, a in result.given] == [("t1-0", B), ("t1-1", B)]


def test_a_case_nobody_may_take_waits_and_the_next_goes() -> None:
    skills = {A: Skills(case_types=frozenset({CaseType.COMPLAINT}))}
    team = TeamState(AssignmentConfig(AssignmentMode.ROUND_ROBIN, None, skills), ((A, HERE),))
    waiting = [*_waiting(1, kind=CaseType.PETITION), *_waiting(1)]
    waiting[1] = Waiting("t1-later", "t1", CaseNeeds(CaseType.COMPLAINT))
    result = assign_backlog(waiting, {"t1": team}, {A: 0}, budget=5)
    assert [(w.case_id, a) for w, a in result.given] == [("t1-later", A)]


def test_loads_are_shared_across_teams_and_the_pass_stops_without_room() -> None:
    config = AssignmentConfig(AssignmentMode.ROUND_ROBIN, 2)
    teams = {"t1": TeamState(config, ((A, HERE),)), "t2": TeamState(config, ((A, HERE),))}
    waiting = [_waiting(3, "t1")[0], _waiting(3, "t2")[0], *_waiting(3, "t1")[1:]]
    result = assign_backlog(waiting, teams, {A: 0}, budget=10)
    assert [(w.case_id, a) for w, a in result.given] == [("t1-0", A), ("t2-0", A)]
    assert result.loads == {A: 2}
    assert not has_room(teams["t1"], result.loads)
    off = TeamState(AssignmentConfig(), ((A, HERE),))
    assert not has_room(off, {A: 0})
    assert assign_backlog(_waiting(2), {"t1": off}, {A: 0}, budget=5).given == ()


def test_a_backlog_entry_says_what_freed_the_capacity() -> None:
    now = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    case = Case(
        "c-1", "c1111", Channel.PHONE, CaseType.COMPLAINT, "health", "s", "", now, "op-9", team="t1"
    )
    _, arrival = auto_assigned(case, A, AssignmentMode.ROUND_ROBIN, now)
    _, backlog = auto_assigned(case, A, AssignmentMode.ROUND_ROBIN, now, Trigger.CAPACITY)
    assert "trigger" not in arrival.data
    assert backlog.data["trigger"] == "capacity"
