"""Auto-assignment: 1,000 cases among 7 operators with caps, absences and skills, every rule
checked; and the small cases that pin each rule down."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import pytest

from operator_app.domain.assignment import (
    AUTO_ASSIGNMENT_ACTOR,
    AssignmentConfig,
    AssignmentMode,
    Availability,
    Candidate,
    CaseNeeds,
    Choice,
    Skills,
    Unassigned,
    assign_in_turn,
    auto_assigned,
    choose_assignee,
    may_receive,
)
from operator_app.domain.model import Case, CaseType, Channel, TimelineKind

A = Availability
RR, LL = AssignmentMode.ROUND_ROBIN, AssignmentMode.LEAST_LOADED
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)

# Seven operators: two absent (away, offline), three with skills, one already loaded.
TEAM = (
    Candidate("op-1", A.AVAILABLE, 0),
    Candidate("op-2", A.AVAILABLE, 3),
    Candidate("op-3", A.AWAY, 0),
    Candidate("op-4", A.AVAILABLE, 0),
    Candidate("op-5", A.OFFLINE, 0),
    Candidate("op-6", A.AVAILABLE, 1),
    Candidate("op-7", A.AVAILABLE, 0),
)
SKILLS = {
    "op-4": Skills(case_types=frozenset({CaseType.COMPLAINT, CaseType.PETITION})),
    "op-6": Skills(languages=frozenset({"kk", "mn"})),
    "op-7": Skills(regions=frozenset({"11", "2101"})),  # Ulaanbaatar, and one soum of Dornod
}


def arrivals(count: int, seed: int = 7) -> list[CaseNeeds]:
    rng = random.Random(seed)
    types = list(CaseType)
    places = [None, "1101", "110151", "2101", "2104", "6501"]
    return [
        CaseNeeds(rng.choice(types), rng.choice(["mn"] * 8 + ["kk", "ru"]), rng.choice(places))
        for _ in range(count)
    ]


def check_every_rule(
    needs: list[CaseNeeds],
    config: AssignmentConfig,
    choices: list[Choice],
    start: tuple[Candidate, ...],
) -> Counter[str]:
    """Replays the choices and checks each against the state it was made in."""
    loads = {c.operator_id: c for c in start}
    given: Counter[str] = Counter()
    for item, choice in zip(needs, choices, strict=True):
        receivers = [c for c in loads.values() if may_receive(c, item, config, frozenset())]
        if choice.assignee is None:
            # Left in the team queue only when truly nobody could take it.
            assert receivers == [] and choice.unassigned is Unassigned.NO_CANDIDATE
            continue
        held = loads[choice.assignee]
        assert held.availability is A.AVAILABLE, "never to an absent operator"
        assert config.cap is None or held.open_cases < config.cap, "never over the cap"
        assert config.skills_of(choice.assignee).covers(item), "never to an unskilled operator"
        if config.mode is LL:
            assert held.open_cases == min(c.open_cases for c in receivers)
        loads[choice.assignee] = Candidate(held.operator_id, held.availability, held.open_cases + 1)
        given[choice.assignee] += 1
    for candidate in loads.values():
        assert config.cap is None or candidate.open_cases <= max(
            config.cap, next(c.open_cases for c in start if c.operator_id == candidate.operator_id)
        )
    return given


@pytest.mark.parametrize("mode", [RR, LL])
def test_a_thousand_cases_among_seven_operators(mode: AssignmentMode) -> None:
    needs = arrivals(1000)
    config = AssignmentConfig(mode, cap=150, skills=SKILLS)
    choices, loads = assign_in_turn(needs, config, TEAM, None)
    given = check_every_rule(needs, config, choices, TEAM)
    assert not given.keys() & {"op-3", "op-5"}
    assert all(load <= 150 for load in loads.values())
    # Five operators can work, at most 150 open cases each: the rest wait in the queue.
    assert sum(given.values()) == sum(
        150 - c.open_cases for c in TEAM if c.availability is A.AVAILABLE
    )
    waiting = [c for c in choices if c.assignee is None]
    assert len(waiting) == 1000 - sum(given.values())
    # Determinism: the same arrivals give the same choices.
    assert assign_in_turn(needs, config, TEAM, None) == (choices, loads)


def test_round_robin_spreads_evenly_among_those_who_may_receive() -> None:
    needs = arrivals(1000)
    config = AssignmentConfig(RR)  # no caps, no skills: everyone available takes every case
    choices, _ = assign_in_turn(needs, config, TEAM, None)
    given = Counter(c.assignee for c in choices)
    assert set(given) == {"op-1", "op-2", "op-4", "op-6", "op-7"}
    assert max(given.values()) - min(given.values()) <= 1
    # Strict rotation in id order, skipping the absent.
    assert [c.assignee for c in choices[:6]] == ["op-1", "op-2", "op-4", "op-6", "op-7", "op-1"]


def test_round_robin_continues_from_the_persisted_pointer() -> None:
    config = AssignmentConfig(RR)
    item = CaseNeeds(CaseType.COMPLAINT)
    assert choose_assignee(item, config, TEAM, "op-4").assignee == "op-6"
    assert choose_assignee(item, config, TEAM, "op-7").assignee == "op-1"  # wraps around
    assert choose_assignee(item, config, TEAM, "op-3").assignee == "op-4"  # pointer absent now
    # Cases arriving over several requests (the pointer persisted between them) rotate alike.
    needs = arrivals(40)
    one_go, _ = assign_in_turn(needs, config, TEAM, None)
    first, _ = assign_in_turn(needs[:17], config, TEAM, None)
    rest, _ = assign_in_turn(needs[17:], config, TEAM, first[-1].pointer)
    assert [c.assignee for c in one_go] == [c.assignee for c in first + rest]


def test_least_loaded_takes_the_lightest_and_breaks_ties_in_rotation() -> None:
    config = AssignmentConfig(LL)
    item = CaseNeeds(CaseType.REQUEST)
    team = (
        Candidate("op-a", A.AVAILABLE, 4),
        Candidate("op-b", A.AVAILABLE, 2),
        Candidate("op-c", A.AVAILABLE, 2),
        Candidate("op-d", A.AWAY, 0),
    )
    assert choose_assignee(item, config, team, None).assignee == "op-b"
    assert choose_assignee(item, config, team, "op-b").assignee == "op-c"
    choices, loads = assign_in_turn([item] * 6, config, team, None)
    assert loads == {"op-a": 5, "op-b": 5, "op-c": 4, "op-d": 0}
    assert [c.assignee for c in choices] == ["op-b", "op-c", "op-b", "op-c", "op-a", "op-b"]


def test_skills_restrict_only_where_they_are_set() -> None:
    ub = CaseNeeds(CaseType.COMPLAINT, "mn", "110151")
    assert Skills().covers(ub)
    assert Skills(regions=frozenset({"11"})).covers(ub)
    assert Skills(regions=frozenset({"1101"})).covers(ub)
    assert not Skills(regions=frozenset({"21"})).covers(ub)
    assert not Skills(regions=frozenset({"11"})).covers(CaseNeeds(CaseType.COMPLAINT))
    assert not Skills(languages=frozenset({"kk"})).covers(ub)
    assert not Skills(case_types=frozenset({CaseType.THANKS})).covers(ub)
    both = Skills(case_types=frozenset({CaseType.COMPLAINT}), languages=frozenset({"mn", "kk"}))
    assert both.covers(ub) and not both.covers(CaseNeeds(CaseType.PETITION, "mn", "11"))


def test_the_queue_keeps_what_nobody_may_take() -> None:
    kazakh = CaseNeeds(CaseType.COMPLAINT, "kk", "2104")
    config = AssignmentConfig(RR, skills={"only": Skills(languages=frozenset({"mn"}))})
    team = (Candidate("only", A.AVAILABLE, 0),)
    assert choose_assignee(kazakh, config, team, None) == Choice(
        None, None, Unassigned.NO_CANDIDATE
    )
    assert choose_assignee(kazakh, AssignmentConfig(), team, "x") == Choice(
        None, "x", Unassigned.OFF
    )
    full = AssignmentConfig(LL, cap=2)
    assert choose_assignee(kazakh, full, (Candidate("a", A.AVAILABLE, 2),), None).assignee is None
    assert choose_assignee(kazakh, full, (), None).unassigned is Unassigned.NO_CANDIDATE
    left_out = choose_assignee(kazakh, AssignmentConfig(RR), team, None, frozenset({"only"}))
    assert left_out.assignee is None


def test_the_assignment_is_an_event_of_its_own() -> None:
    case = Case(
        "c-1",
        "c1111",
        Channel.PHONE,
        CaseType.COMPLAINT,
        "health",
        "s",
        "",
        NOW,
        "op-9",
        team="t1",
    )
    changed, entry = auto_assigned(case, "op-4", LL, NOW)
    assert (changed.assignee, changed.assigned_by, changed.assigned_at) == (
        "op-4",
        AUTO_ASSIGNMENT_ACTOR,
        NOW,
    )
    assert (entry.actor, entry.kind, entry.mutation) == (
        AUTO_ASSIGNMENT_ACTOR,
        TimelineKind.ASSIGNMENT,
        "auto_assignment",
    )
    assert entry.data == {"from": None, "to": "op-4", "team": "t1", "mode": "least_loaded"}
