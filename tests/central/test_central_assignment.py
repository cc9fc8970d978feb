"""Auto-assignment on the central service: cases arriving unassigned in a team queue (created
there or reassigned to the team) go to the operator the domain's rule chooses, as a timeline
event of their own, and reach the desks through the pull feed."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from central.server import ServerHandle
from operator_app.domain.assignment import (
    AssignmentConfig,
    AssignmentMode,
    Availability,
    Candidate,
    CaseNeeds,
    Skills,
    assign_in_turn,
)
from operator_app.domain.model import CaseType
from tests.central.desk import Desk, create_case, new_id

TEAM = "t1111-b"
MEMBERS = [f"op-t1111-b-{i}" for i in range(6)]
PLACES = [None, "1101", "2101", "2104", "6501"]
TYPES = ["complaint", "request", "petition", "suggestion"]


def _config(desk: Desk, body: dict[str, Any]) -> None:
    response = desk.http.put(f"{desk.base}/teams/{TEAM}/assignment", json=body, timeout=30)
    assert response.status_code == 200, response.text


def _case(desk: Desk, case_id: str) -> dict[str, Any]:
    response = desk.get(f"/cases/{case_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_arrivals_are_assigned_as_the_domain_rule_says(central_server: ServerHandle) -> None:
    url = central_server.url
    for username, state in (("t1111-b-1", "away"), ("t1111-b-4", "offline")):
        absent = Desk(url, username)
        put = absent.http.put(
            f"{absent.base}/me/availability", json={"availability": state}, timeout=30
        )
        assert put.status_code == 200
    supervisor = Desk(url, "sup-t1111-b")
    _config(
        supervisor,
        {
            "mode": "round_robin",
            "cap": 4,
            "skills": {
                "op-t1111-b-5": {"regions": ["21"]},
                "op-t1111-b-2": {"case_types": ["complaint", "request"]},
            },
        },
    )
    arrivals = [(new_id(), TYPES[i % len(TYPES)], PLACES[(i * 3) % len(PLACES)]) for i in range(24)]
    results = supervisor.push(
        *(
            create_case(case_id, team=TEAM, type=kind, location=place)
            for case_id, kind, place in arrivals
        )
    )
    assert all(r["status"] == "applied" for r in results)

    # The same arrivals through the domain function: the central choices are exactly these.
    config = AssignmentConfig(
        AssignmentMode.ROUND_ROBIN,
        4,
        {
            "op-t1111-b-5": Skills(regions=frozenset({"21"})),
            "op-t1111-b-2": Skills(case_types=frozenset({CaseType.COMPLAINT, CaseType.REQUEST})),
        },
    )
    team = [
        Candidate(
            m,
            Availability.AWAY if m.endswith(("-1", "-4")) else Availability.AVAILABLE,
            0,
        )
        for m in MEMBERS
    ]
    needs = [CaseNeeds(CaseType(kind), "mn", place) for _, kind, place in arrivals]
    expected, loads = assign_in_turn(needs, config, team, None)

    got = []
    for (case_id, _, _), choice in zip(arrivals, expected, strict=True):
        detail = _case(supervisor, case_id)
        case = detail["case"]
        got.append(case["assignee"])
        auto = [e for e in detail["timeline"] if e["actor"] == "auto-assignment"]
        if choice.assignee is None:
            assert (case["assignee"], case["team"], auto) == (None, TEAM, [])
            continue
        assert case["assigned_by"] == "auto-assignment"
        (entry,) = auto
        assert (entry["kind"], entry["mutation"], entry["data"]["to"]) == (
            "assignment",
            "auto_assignment",
            choice.assignee,
        )
        assert [e["kind"] for e in detail["timeline"]] == ["created", "assignment"]
    assert got == [c.assignee for c in expected]
    given = Counter(a for a in got if a)
    assert not given.keys() & {"op-t1111-b-1", "op-t1111-b-4"}
    assert max(given.values()) <= 4 and None in got  # the caps filled; the rest wait
    assert loads["op-t1111-b-0"] == 4

    # The operator's desk receives its cases, with the assignment event.
    operator = Desk(url, "t1111-b-0")
    operator.sync()
    mine = {cid for cid, c in operator.cases().items() if c["assignee"] == "op-t1111-b-0"}
    assert mine == {
        cid for (cid, _, _), a in zip(arrivals, got, strict=True) if a == "op-t1111-b-0"
    }
    events = [t for t in operator.store.of_type("timeline").values() if t["case_id"] in mine]
    assert sum(1 for t in events if t["actor"] == "auto-assignment") == len(mine)


def test_a_case_reassigned_to_a_team_goes_to_the_least_loaded(
    central_server: ServerHandle,
) -> None:
    supervisor = Desk(central_server.url, "demo-supervisor")
    team_boss = Desk(central_server.url, "sup-t1111-b")
    # Loads before: b-0 holds 2 open cases, b-3 holds 1 and one resolved, the others none.
    held = [("op-t1111-b-0", 2), ("op-t1111-b-3", 1), ("op-t1111-b-2", 0)]
    setup = []
    for member, count in held:
        for _ in range(count):
            setup.append(create_case(team=TEAM, assignee=member))
    resolved = new_id()
    setup.append(create_case(resolved, team=TEAM, assignee="op-t1111-b-3"))
    setup.append(("change_status", {"case_id": resolved, "to": "resolved", "resolution": "OK"}))
    assert all(r["status"] == "applied" for r in supervisor.push(*setup))
    _config(team_boss, {"mode": "least_loaded", "cap": None, "skills": {}})

    moved = new_id()
    supervisor.push(create_case(moved, team="t1111-a", assignee="op-demo"))
    result = supervisor.push_one(
        "reassign_case",
        {
            "case_id": moved,
            "expected_assignee": "op-demo",
            "new_assignee": None,
            "new_team": TEAM,
            "reason": "Өөр багийн асуудал",
        },
    )
    assert result["status"] == "applied", result
    detail = _case(supervisor, moved)
    # b-1, b-4 and b-5 hold nothing: the first after no pointer in id order is b-1.
    assert (detail["case"]["assignee"], detail["case"]["team"]) == ("op-t1111-b-1", TEAM)
    kinds = [(e["kind"], e["actor"]) for e in detail["timeline"]]
    assert kinds == [
        ("created", "sup-demo"),
        ("assignment", "sup-demo"),
        ("assignment", "auto-assignment"),
    ]

    # Taken from its holder into the same team's queue, it does not go back to them.
    back = supervisor.push_one(
        "reassign_case",
        {
            "case_id": moved,
            "expected_assignee": "op-t1111-b-1",
            "new_assignee": None,
            "reason": "Амралттай",
        },
    )
    assert back["status"] == "applied"
    # Ties among the unloaded (b-2, b-4, b-5) go in rotation after the pointer (b-1).
    assert _case(supervisor, moved)["case"]["assignee"] == "op-t1111-b-2"

    # Confidential cases wait for a supervisor; so does everything once the team is "off".
    secret = new_id()
    supervisor.push(create_case(secret, team=TEAM, confidential=True))
    assert _case(supervisor, secret)["case"]["assignee"] is None
    _config(team_boss, {"mode": "off"})
    queued = new_id()
    supervisor.push(create_case(queued, team=TEAM))
    assert _case(supervisor, queued)["case"]["assignee"] is None


def test_concurrent_arrivals_never_exceed_the_caps(central_server: ServerHandle) -> None:
    """Four desks push into one team at once: the team's row lock makes them take turns, so
    the caps hold and the rotation stays even."""
    team_boss = Desk(central_server.url, "sup-t1111-b")
    _config(team_boss, {"mode": "round_robin", "cap": 8, "skills": {}})
    desks = [Desk(central_server.url, "demo-supervisor") for _ in range(4)]
    batches = [[create_case(team=TEAM) for _ in range(15)] for _ in desks]
    failures: list[BaseException] = []

    def push(desk: Desk, batch: list[tuple[str, dict[str, Any]]]) -> None:
        try:
            for name, args in batch:
                assert desk.push_one(name, args)["status"] == "applied"
        except BaseException as exc:  # reported on the main thread
            failures.append(exc)

    threads = [
        threading.Thread(target=push, args=(desk, batch))
        for desk, batch in zip(desks, batches, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads) and failures == []

    assignees = Counter(
        _case(team_boss, args["case_id"])["case"]["assignee"]
        for batch in batches
        for _, args in batch
    )
    # Six operators, eight each: 48 assigned, 12 wait in the queue.
    assert assignees == {**{m: 8 for m in MEMBERS}, None: 12}
