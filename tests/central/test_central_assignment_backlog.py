"""Auto-assignment beyond arrivals: the backlog of a team queue is handed out when capacity
appears (an operator becomes available, the team's settings change, an operator's open load
drops), and an operator in two teams never exceeds the cap when cases arrive in both at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from central import assignment as central_assignment
from central.server import ServerHandle
from tests.central.desk import Desk, create_case, new_id

TEAM = "t1111-b"
OTHER = "t1111-f"
MEMBERS = [f"op-t1111-b-{i}" for i in range(6)]
OTHERS = [f"op-t1111-f-{i}" for i in range(6)]
AUTO = "auto-assignment"


def _config(desk: Desk, team: str, body: dict[str, Any]) -> dict[str, Any]:
    response = desk.http.put(f"{desk.base}/teams/{team}/assignment", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _availability(desk: Desk, state: str) -> None:
    response = desk.http.put(
        f"{desk.base}/me/availability", json={"availability": state}, timeout=30
    )
    assert response.status_code == 200, response.text


def _detail(desk: Desk, case_id: str) -> dict[str, Any]:
    response = desk.get(f"/cases/{case_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _assignee(desk: Desk, case_id: str) -> str | None:
    return _detail(desk, case_id)["case"]["assignee"]  # type: ignore[no-any-return]


def _join_teams(url: str, operator_ids: list[str], teams: list[str]) -> None:
    admin = Desk(url, "demo-admin")
    for operator_id in operator_ids:
        response = admin.http.patch(
            f"{admin.base}/admin/operators/{operator_id}", json={"teams": teams}, timeout=30
        )
        assert response.status_code == 200, response.text


def _push_all(batches: list[tuple[Desk, list[tuple[str, dict[str, Any]]]]]) -> None:
    """Each desk pushes its batch one mutation at a time, all desks at once."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(batches))

    def push(desk: Desk, batch: list[tuple[str, dict[str, Any]]]) -> None:
        try:
            start.wait()
            for name, args in batch:
                result = desk.push_one(name, args)
                assert result["status"] == "applied", result
        except BaseException as exc:  # reported on the main thread
            failures.append(exc)

    threads = [threading.Thread(target=push, args=item) for item in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads) and failures == []


def test_an_operator_in_two_teams_never_exceeds_the_cap(central_server: ServerHandle) -> None:
    """The six operators of team B also work in the follow-up team, whose own members only
    take thanks: complaints arriving in both teams at once all compete for the same six
    operators, under each team's row lock. The cap must still hold across the two teams."""
    url = central_server.url
    _join_teams(url, MEMBERS, [TEAM, OTHER])
    boss = Desk(url, "sup-t1111-b")
    _config(boss, TEAM, {"mode": "round_robin", "cap": 3, "skills": {}})
    thanks_only = {m: {"case_types": ["thanks"]} for m in OTHERS}
    _config(boss, OTHER, {"mode": "least_loaded", "cap": 3, "skills": thanks_only})

    batches = [
        (Desk(url, "demo-supervisor"), [create_case(team=team) for _ in range(12)])
        for team in (TEAM, OTHER, TEAM, OTHER)
    ]
    _push_all(batches)

    assignees = Counter(
        _assignee(boss, args["case_id"]) for _, batch in batches for _, args in batch
    )
    # Six operators, three each across both teams: 18 assigned, 30 wait in the queues.
    assert assignees == {**{m: 3 for m in MEMBERS}, None: 30}


_NOW = datetime.now(UTC)


def _since(hours: float) -> str:
    """A registration time `hours` before the tests started (the same for the same hours)."""
    return (_NOW - timedelta(hours=hours)).isoformat()


def _auto_entries(detail: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in detail["timeline"] if e["actor"] == AUTO]


def _audited(url: str) -> dict[str, dict[str, Any]]:
    """The auto-assignment audit entries, by case (the last one of each case)."""
    auditor = Desk(url, "demo-auditor")
    response = auditor.get("/audit", limit=1000)
    assert response.status_code == 200, response.text
    return {
        e["case_id"]: e
        for e in response.json()["entries"]
        if e["action"] == "auto_assign" and e["actor_id"] == AUTO
    }


def test_settings_hand_out_the_backlog_oldest_first(
    central_server: ServerHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cases wait while the team is "off". Switching it on hands them out oldest first (by
    registration time, then id), by the team's rules: skills (a petition nobody takes waits),
    caps, the round-robin pointer; a confidential case stays for a supervisor. Raising the cap
    hands out more, at most BACKLOG_LIMIT per change."""
    url = central_server.url
    boss = Desk(url, "sup-t1111-b")
    supervisor = Desk(url, "demo-supervisor")
    operator = Desk(url, "t1111-b-0")
    operator.sync()
    # Registered 10 hours ago down to 1 hour ago, pushed in another order; two share a time.
    complaints = sorted(new_id() for _ in range(8))
    hours = [10, 9, 9, 8, 7, 6, 5, 4]  # complaints[1] and [2] share a time: by id
    petition, secret = new_id(), new_id()
    pushed = [
        create_case(petition, team=TEAM, type="petition", registered_at=_since(11)),
        create_case(secret, team=TEAM, confidential=True, registered_at=_since(12)),
        *(
            create_case(cid, team=TEAM, registered_at=_since(h))
            for cid, h in reversed(list(zip(complaints, hours, strict=True)))
        ),
    ]
    assert all(r["status"] == "applied" for r in supervisor.push(*pushed))
    assert all(_assignee(boss, cid) is None for cid in (*complaints, petition, secret))

    complaint_only = {m: {"case_types": ["complaint"]} for m in MEMBERS}
    _config(boss, TEAM, {"mode": "round_robin", "cap": 1, "skills": complaint_only})
    # One each, in rotation from the start (no pointer yet): the six oldest complaints.
    got = {cid: _assignee(boss, cid) for cid in complaints}
    assert [got[cid] for cid in complaints] == [*MEMBERS, None, None]
    assert (_assignee(boss, petition), _assignee(boss, secret)) == (None, None)
    detail = _detail(boss, complaints[0])
    (entry,) = _auto_entries(detail)
    assert entry["kind"] == "assignment" and entry["mutation"] == "auto_assignment"
    assert entry["data"] == {
        "from": None,
        "to": MEMBERS[0],
        "team": TEAM,
        "mode": "round_robin",
        "trigger": "settings",
    }
    assert detail["case"]["assigned_by"] == AUTO

    # The cap raised, one case per change at most: the pointer continues after b-5.
    monkeypatch.setattr(central_assignment, "BACKLOG_LIMIT", 1)
    _config(boss, TEAM, {"mode": "round_robin", "cap": 2, "skills": complaint_only})
    assert [_assignee(boss, cid) for cid in complaints[6:]] == [MEMBERS[0], None]
    _config(boss, TEAM, {"mode": "round_robin", "cap": 2, "skills": complaint_only})
    assert [_assignee(boss, cid) for cid in complaints[6:]] == [MEMBERS[0], MEMBERS[1]]
    assert (_assignee(boss, petition), _assignee(boss, secret)) == (None, None)
    # An arrival continues the same rotation.
    late = new_id()
    supervisor.push(create_case(late, team=TEAM))
    assert _assignee(boss, late) == MEMBERS[2]

    # Every hand-out is audited, and reaches the operator's desk through the pull feed.
    audited = _audited(url)
    assert {cid for cid in complaints} <= audited.keys()
    assert audited[complaints[6]]["details"] == {
        "team": TEAM,
        "to": MEMBERS[0],
        "mode": "round_robin",
        "trigger": "settings",
    }
    operator.sync()
    mine = {cid for cid, c in operator.cases().items() if c["assignee"] == MEMBERS[0]}
    assert mine == {complaints[0], complaints[6]}
    entries = [t for t in operator.store.of_type("timeline").values() if t["case_id"] in mine]
    assert sorted(t["data"].get("trigger") for t in entries if t["actor"] == AUTO) == [
        "settings",
        "settings",
    ]


def test_capacity_appearing_hands_out_waiting_cases(central_server: ServerHandle) -> None:
    """An operator coming back takes the oldest waiting cases up to the cap; an operator whose
    case is resolved, or taken away, takes the next one, in the same push transaction."""
    url = central_server.url
    boss = Desk(url, "sup-t1111-b")
    supervisor = Desk(url, "demo-supervisor")
    desks = {m: Desk(url, f"t1111-b-{i}") for i, m in enumerate(MEMBERS)}
    for member in MEMBERS[1:]:
        _availability(desks[member], "away")
    _config(boss, TEAM, {"mode": "least_loaded", "cap": 2, "skills": {}})
    cases = [new_id() for _ in range(7)]
    supervisor.push(
        *(create_case(cid, team=TEAM, registered_at=_since(9 - i)) for i, cid in enumerate(cases))
    )
    b0, b1 = MEMBERS[0], MEMBERS[1]
    assert [_assignee(boss, cid) for cid in cases] == [b0, b0, None, None, None, None, None]
    watcher = desks[MEMBERS[2]]  # away, but sees the team's queue
    watcher.sync()
    assert set(cases[2:]) <= watcher.cases().keys()

    # b-1 comes back: the two oldest waiting cases are theirs.
    _availability(desks[b1], "available")
    assert [_assignee(boss, cid) for cid in cases] == [b0, b0, b1, b1, None, None, None]
    (entry,) = _auto_entries(_detail(boss, cases[2]))
    assert (entry["data"]["trigger"], entry["data"]["to"]) == ("availability", b1)
    # The desks see it through the feed: b-1 receives the cases, the queue loses them.
    desks[b1].sync()
    assert {cid for cid, c in desks[b1].cases().items() if c["assignee"] == b1} == {
        cases[2],
        cases[3],
    }
    watcher.sync()
    assert cases[2] not in watcher.cases() and cases[4] in watcher.cases()
    # Setting it again changes nothing.
    _availability(desks[b1], "available")
    assert _assignee(boss, cases[4]) is None

    # b-0 resolves a case: the oldest waiting case is theirs, one only.
    result = desks[b0].push_one(
        "change_status", {"case_id": cases[0], "to": "resolved", "resolution": "Шийдвэрлэв"}
    )
    assert result["status"] == "applied", result
    assert [_assignee(boss, cid) for cid in cases[4:]] == [b0, None, None]
    (entry,) = _auto_entries(_detail(boss, cases[4]))
    assert (entry["data"]["trigger"], entry["data"]["to"]) == ("capacity", b0)

    # A case taken from b-1 and given to b-0 (a supervisor may go over the cap): b-1 has room
    # again and takes the next waiting case; b-0, over the cap, takes nothing.
    moved = supervisor.push_one(
        "reassign_case",
        {
            "case_id": cases[2],
            "expected_assignee": b1,
            "new_assignee": b0,
            "reason": "Ачаалал тэнцүүлэв",
        },
    )
    assert moved["status"] == "applied", moved
    assert [_assignee(boss, cid) for cid in cases[4:]] == [b0, b1, None]

    # b-1 goes away, then resolves a case: away operators never receive, the last case waits.
    _availability(desks[b1], "away")
    desks[b1].push_one(
        "change_status", {"case_id": cases[3], "to": "resolved", "resolution": "Шийдвэрлэв"}
    )
    assert _assignee(boss, cases[6]) is None
    audited = _audited(url)
    assert [audited[cid]["details"]["trigger"] for cid in cases[2:6]] == [
        "availability",
        "availability",
        "capacity",
        "capacity",
    ]


def test_all_triggers_at_once_keep_the_caps_and_lose_no_capacity(
    central_server: ServerHandle,
) -> None:
    """Arrivals in two teams sharing their operators, resolutions freeing slots, an operator
    coming and going, and settings saved, all at once: every request succeeds (no deadlock),
    nobody ends over the cap, and once things settle every slot is used."""
    url = central_server.url
    _join_teams(url, MEMBERS, [TEAM, OTHER])
    boss = Desk(url, "sup-t1111-b")
    settings = {"mode": "round_robin", "cap": 2, "skills": {}}
    thanks_only = {m: {"case_types": ["thanks"]} for m in OTHERS}
    other_settings = {"mode": "least_loaded", "cap": 2, "skills": thanks_only}
    _config(boss, TEAM, settings)
    _config(boss, OTHER, other_settings)
    # b-0 .. b-4 start at the cap with cases given by hand; b-5 starts away, with none.
    flipper = Desk(url, "t1111-b-5")
    _availability(flipper, "away")
    held = [create_case(team=TEAM, assignee=m) for m in MEMBERS[:5] for _ in range(2)]
    resolver = Desk(url, "demo-supervisor")
    assert all(r["status"] == "applied" for r in resolver.push(*held))
    arrivals = [
        (Desk(url, "demo-supervisor"), [create_case(team=team) for _ in range(10)])
        for team in (TEAM, OTHER)
    ]
    resolutions = [
        ("change_status", {"case_id": args["case_id"], "to": "resolved", "resolution": "OK"})
        for _, args in held
    ]
    failures: list[BaseException] = []
    start = threading.Barrier(5)

    def run(work: Any) -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:  # reported on the main thread
            failures.append(exc)

    def push(desk: Desk, batch: list[tuple[str, dict[str, Any]]]) -> None:
        for name, args in batch:
            result = desk.push_one(name, args)
            assert result["status"] == "applied", result

    def flip() -> None:
        for state in ["available", "away"] * 4 + ["available"]:
            _availability(flipper, state)

    def save() -> None:
        for _ in range(5):
            _config(boss, TEAM, settings)
            _config(boss, OTHER, other_settings)

    work = [
        *(lambda d=desk, b=batch: push(d, b) for desk, batch in arrivals),
        lambda: push(resolver, resolutions),
        flip,
        save,
    ]
    threads = [threading.Thread(target=run, args=(w,)) for w in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads) and failures == []

    def loads() -> Counter[str | None]:
        return Counter(
            _assignee(boss, args["case_id"]) for _, batch in arrivals for _, args in batch
        )

    # Every trigger took its turn under the teams' locks: whatever order they ran in, each
    # slot that opened went to a waiting case, and no cap was passed.
    assert loads() == {**{m: 2 for m in MEMBERS}, None: 8}
