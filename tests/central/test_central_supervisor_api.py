"""The supervisor desk's endpoints: availability (one's own, a centre's board) and teams'
auto-assignment settings, with their refusals, over real HTTP on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from central.server import ServerHandle
from tests.central.desk import Desk


def _since(body: dict[str, object]) -> datetime:
    since = datetime.fromisoformat(str(body["since"]))
    assert since.utcoffset() == timedelta(0), "since is UTC"
    return since


def test_operators_set_their_availability_and_supervisors_see_the_board(
    central_server: ServerHandle,
) -> None:
    operator = Desk(central_server.url, "t1111-b-2")
    supervisor = Desk(central_server.url, "sup-t1111-b")
    supervisor.sync()
    url = f"{operator.base}/me/availability"

    first = operator.http.get(url, timeout=30)
    assert first.status_code == 200 and first.json()["availability"] == "available"
    before = datetime.now(UTC)
    away = operator.http.put(url, json={"availability": "away"}, timeout=30)
    assert away.status_code == 200, away.text
    assert away.json()["availability"] == "away"
    assert _since(away.json()) >= before - timedelta(seconds=1)
    # The same value again: since does not move.
    again = operator.http.put(url, json={"availability": "away"}, timeout=30)
    assert again.json() == away.json() == operator.http.get(url, timeout=30).json()
    for bad in ({"availability": "busy"}, {"availability": "asleep"}, {}, {"availability": 1}):
        refused = operator.http.put(url, json=bad, timeout=30)
        assert refused.status_code == 422 and refused.json()["code"] == "INVALID", bad

    board = supervisor.get("/availability", centre="c1111")
    assert board.status_code == 200, board.text
    people = {p["user_id"]: p for p in board.json()["operators"]}
    me = people[operator.operator["id"]]
    assert (me["availability"], me["teams"], me["role"]) == ("away", ["t1111-b"], "operator")
    assert me["since"] and set(me) >= {"user_id", "display_name", "role", "teams", "since"}
    assert people["sup-t1111-b"]["role"] == "supervisor"
    assert not any(p["user_id"].startswith("op-t1800") for p in people.values())
    assert "admin-demo" not in people
    # The change reaches the desks with the directory.
    supervisor.sync()
    assert supervisor.store.of_type("operator")[operator.operator["id"]]["availability"] == "away"

    auditor = Desk(central_server.url, "demo-auditor")
    assert auditor.get("/availability", centre="c1900").status_code == 200
    assert auditor.get("/availability", centre="nowhere").status_code == 404
    assert auditor.http.get(url, timeout=30).status_code == 403  # auditors take no cases
    assert supervisor.get("/availability", centre="c1800").status_code == 403
    assert supervisor.get("/availability").status_code == 422


def test_team_assignment_settings(central_server: ServerHandle) -> None:
    supervisor = Desk(central_server.url, "sup-t1111-b")
    url = f"{supervisor.base}/teams/t1111-b/assignment"

    default = supervisor.http.get(url, timeout=30)
    assert default.status_code == 200, default.text
    assert {k: default.json()[k] for k in ("team_id", "mode", "cap", "skills")} == {
        "team_id": "t1111-b",
        "mode": "off",
        "cap": None,
        "skills": {},
    }
    config = {
        "mode": "round_robin",
        "cap": 12,
        "skills": {
            "op-t1111-b-0": {"case_types": ["complaint"], "languages": ["mn", "kk"]},
            "op-t1111-b-1": {"regions": ["21", "1101"]},
        },
    }
    saved = supervisor.http.put(url, json=config, timeout=30)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["mode"], body["cap"], body["centre"], body["updated_by"]) == (
        "round_robin",
        12,
        "c1111",
        "sup-t1111-b",
    )
    assert body["skills"] == {
        "op-t1111-b-0": {"case_types": ["complaint"], "languages": ["kk", "mn"], "regions": []},
        "op-t1111-b-1": {"case_types": [], "languages": [], "regions": ["1101", "21"]},
    }
    assert supervisor.http.get(url, timeout=30).json() == body
    unlimited = supervisor.http.put(url, json={"mode": "least_loaded", "cap": None}, timeout=30)
    assert (unlimited.json()["cap"], unlimited.json()["skills"]) == (None, {})

    bad_bodies = {
        "mode": {"mode": "random"},
        "cap": {"mode": "off", "cap": 0},
        "type": {"mode": "off", "cap": "many"},
        "member": {"mode": "off", "skills": {"op-t1111-a-0": {}}},
        "unknown": {"mode": "off", "skills": {"nobody": {}}},
        "case type": {"mode": "off", "skills": {"op-t1111-b-0": {"case_types": ["gossip"]}}},
        "language": {"mode": "off", "skills": {"op-t1111-b-0": {"languages": ["Mongolian"]}}},
        "region": {"mode": "off", "skills": {"op-t1111-b-0": {"regions": ["99"]}}},
        "extra": {"mode": "off", "colour": "red"},
    }
    for name, bad in bad_bodies.items():
        refused = supervisor.http.put(url, json=bad, timeout=30)
        assert refused.status_code == 422, (name, refused.text)
        assert refused.json()["code"] == "INVALID" and refused.json()["message"], name
    member = supervisor.http.put(url, json=bad_bodies["member"], timeout=30).json()
    assert "op-t1111-a-0" in member["message"] and "t1111-b" in member["message"]
    assert supervisor.http.get(url, timeout=30).json()["mode"] == "least_loaded"  # unchanged

    assert supervisor.http.get(f"{supervisor.base}/teams/nope/assignment").status_code == 404
    other = supervisor.http.get(f"{supervisor.base}/teams/t1800-a/assignment", timeout=30)
    assert other.status_code == 403
    auditor = Desk(central_server.url, "demo-auditor")
    assert auditor.http.get(url, timeout=30).status_code == 200
    assert auditor.http.put(url, json={"mode": "off"}, timeout=30).status_code == 403
