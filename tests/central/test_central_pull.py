"""Pull: first sync by pages, incremental changes, scope moves, reference data, results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import select

from central.data.tables import cases
from central.server import ServerHandle
from central.wire import decode_record
from operator_app.domain.model import Actor, Case, Role
from operator_app.domain.permissions import in_scope
from tests.central.desk import Desk, add_note, create_case, new_id


def expected_scope(server: ServerHandle, desk: Desk) -> set[str]:
    """The ids of every case the server holds that the desk's account should receive."""
    info = desk.operator
    actor = Actor(
        info["id"], Role(info["role"]), frozenset(info["centres"]), frozenset(info["teams"])
    )
    with server.services.engine.connect() as conn:
        rows = conn.execute(select(cases.c.data)).scalars().all()
    return {c.id for c in (decode_record(Case, data) for data in rows) if in_scope(actor, c)}


def seed_cases(supervisor: Desk) -> dict[str, str]:
    """Cases of several kinds: assigned, team queue, confidential, other centre."""
    ids = {name: new_id() for name in ("mine", "queue", "secret", "elsewhere", "colleague")}
    supervisor.push(
        create_case(ids["mine"], assignee="op-demo", team="t1111-a"),
        create_case(ids["queue"], team="t1111-a"),
        create_case(ids["secret"], team="t1111-a", confidential=True),
        create_case(ids["elsewhere"], centre="c1800", team="t1800-a"),
        create_case(ids["colleague"], assignee="op-t1111-a-0", team="t1111-a"),
        add_note(ids["mine"]),
        add_note(ids["secret"]),
    )
    return ids


@pytest.mark.parametrize(
    "username", ["demo-operator", "demo-supervisor", "demo-auditor", "t1800-a-1", "demo-admin"]
)
def test_a_first_sync_by_small_pages_delivers_exactly_the_scope(
    desk: Callable[..., Desk], server: ServerHandle, username: str
) -> None:
    seed_cases(desk("demo-supervisor"))
    reader = desk(username)
    pages = reader.sync(limit=7)
    scope = expected_scope(server, reader)
    assert len(pages) >= len(scope) // 7 + 1
    assert set(reader.cases()) == scope
    # Every case arrives whole: its timeline (at least the creation) comes with it.
    timeline_cases = {e["case_id"] for e in reader.store.of_type("timeline").values()}
    assert set(reader.cases()) <= timeline_cases
    kinds = Counter(t for t, _ in reader.store.records)
    assert {"c1111", "c1800", "c1900"} <= set(reader.store.of_type("centre"))
    assert len(reader.store.of_type("team")) >= 5 and kinds["admin_unit"] == 2170
    assert kinds["deadline_rule"] == 7 and kinds["holiday"] > 0 and kinds["operator"] >= 39


def test_a_first_sync_brings_the_citizens_of_its_cases_and_no_others(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    people = [
        {"citizen_id": r.id, "name": r.name, "phone": r.phone}
        for r in server.services.registry.records()[100:103]  # type: ignore[attr-defined]
    ]
    results = desk("demo-supervisor").push(
        create_case(team="t1111-a", citizen=people[0]),
        create_case(team="t1111-a", citizen=people[0]),  # one citizen, two cases
        create_case(team="t1111-a", citizen=people[1]),
        create_case(centre="c1800", team="t1800-a", citizen=people[2]),  # not the operator's
    )
    assert [r["status"] for r in results] == ["applied"] * 4, results
    reader = desk("demo-operator")
    reader.sync(limit=2)  # pages of two cases: a citizen's cases may span pages
    received = set(reader.cases())
    with server.services.engine.connect() as conn:
        rows = conn.execute(select(cases.c.id, cases.c.citizen_id)).all()
    wanted = {citizen for case_id, citizen in rows if case_id in received and citizen}
    assert {people[0]["citizen_id"], people[1]["citizen_id"]} <= wanted
    assert people[2]["citizen_id"] not in wanted
    assert set(reader.store.of_type("citizen")) == wanted


def test_scopes_follow_the_roles_and_confidentiality(desk: Callable[..., Desk]) -> None:
    ids = seed_cases(desk("demo-supervisor"))
    operator, other_team, supervisor = (
        desk("demo-operator"),
        desk("t1111-b-0"),
        desk("demo-supervisor"),
    )
    for reader in (operator, other_team, supervisor):
        reader.sync()
    assert {ids["mine"], ids["queue"]} <= set(operator.cases())
    assert not {ids["secret"], ids["elsewhere"], ids["colleague"]} & set(operator.cases())
    assert not set(ids.values()) & set(other_team.cases())
    assert set(ids.values()) <= set(supervisor.cases())
    secret_notes = [
        n for n in operator.store.of_type("note").values() if n["case_id"] == ids["secret"]
    ]
    assert secret_notes == []


def test_changes_arrive_incrementally_with_their_children(desk: Callable[..., Desk]) -> None:
    supervisor, operator = desk("demo-supervisor"), desk("demo-operator")
    case_id = new_id()
    operator.push(create_case(case_id))
    supervisor.sync()
    operator.push(
        add_note(case_id, "Шинэ тэмдэглэл"),
        ("change_status", {"case_id": case_id, "to": "in_progress"}),
    )
    page = supervisor.sync()[-1]
    assert page["has_more"] is False
    assert supervisor.cases()[case_id]["status"] == "in_progress"
    bodies = [
        n["body"] for n in supervisor.store.of_type("note").values() if n["case_id"] == case_id
    ]
    assert bodies == ["Шинэ тэмдэглэл"]
    kinds = [
        e["kind"] for e in supervisor.store.of_type("timeline").values() if e["case_id"] == case_id
    ]
    assert sorted(kinds) == ["created", "note", "status"]


def test_a_case_moving_out_of_scope_is_removed_and_moving_in_arrives_whole(
    desk: Callable[..., Desk],
) -> None:
    supervisor, mine, colleague = desk("demo-supervisor"), desk("demo-operator"), desk("t1111-a-0")
    case_id = new_id()
    supervisor.push(create_case(case_id, assignee="op-demo", team="t1111-a"), add_note(case_id))
    mine.sync()
    colleague.sync()
    assert case_id in mine.cases() and case_id not in colleague.cases()
    result = supervisor.push_one(
        "reassign_case",
        {"case_id": case_id, "expected_assignee": "op-demo", "new_assignee": "op-t1111-a-0"},
    )
    assert result["status"] == "applied"
    page = mine.sync()[-1]
    assert case_id not in mine.cases()
    assert {"op": "remove", "type": "case", "id": case_id, "reason": "scope"} in page["ops"]
    assert not [n for n in mine.store.of_type("note").values() if n["case_id"] == case_id]
    colleague.sync()
    assert colleague.cases()[case_id]["assignee"] == "op-t1111-a-0"
    assert [n["case_id"] for n in colleague.store.of_type("note").values()].count(case_id) == 1


def test_many_changes_are_paged_and_none_is_lost(desk: Callable[..., Desk]) -> None:
    supervisor, operator = desk("demo-supervisor"), desk("demo-operator")
    supervisor.sync()
    created = [new_id() for _ in range(12)]
    operator.push(*(create_case(case_id) for case_id in created))
    operator.push(*(add_note(case_id) for case_id in created))
    pages = supervisor.sync(limit=4)
    assert len(pages) >= 3
    assert set(created) <= set(supervisor.cases())
    noted = {n["case_id"] for n in supervisor.store.of_type("note").values()}
    assert set(created) <= noted


def test_results_reach_the_desk_through_pull_too(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    operator.sync()
    lost = operator.envelope(*create_case())
    refused = operator.envelope("change_status", {"case_id": new_id(), "to": "closed"})
    assert operator.push_envelopes([lost, refused]).status_code == 200  # the answer is "lost"
    page = operator.sync()[-1]
    results = {r["id"]: r for r in page["mutation_results"]}
    assert results[1]["status"] == "applied" and results[1]["details"]["case_number"]
    assert (results[2]["status"], results[2]["code"]) == ("rejected", "NOT_FOUND")
    assert page["last_mutation_id"] == 2


def test_admin_changes_to_reference_data_flow_through_pull(desk: Callable[..., Desk]) -> None:
    admin, operator = desk("demo-admin"), desk("demo-operator")
    operator.sync()
    code = f"test_{new_id()[:8]}"
    item = {"code": code, "name_mn": "Туршилт", "name_en": "Test", "parent": None}
    assert admin.http.put(f"{admin.base}/admin/reference/category", json=item).status_code == 200
    operator.sync()
    assert operator.store.of_type("category")[code]["name_en"] == "Test"
    assert admin.http.delete(f"{admin.base}/admin/reference/category/{code}").status_code == 204
    page = operator.sync()[-1]
    assert {"op": "remove", "type": "category", "id": code, "reason": "deleted"} in page["ops"]
    assert code not in operator.store.of_type("category")


def test_deadline_rules_changed_by_an_admin_apply_to_new_cases(desk: Callable[..., Desk]) -> None:
    admin, operator = desk("demo-admin"), desk("demo-operator")
    rule = {
        "case_type": "criticism",
        "priority": "urgent",
        "days": 2,
        "calendar": "calendar",
        "extension_limit_days": 0,
        "due_soon_days": 1,
    }
    response = admin.http.put(f"{admin.base}/admin/reference/deadline_rule", json=rule)
    assert response.status_code == 200, response.text
    urgent, normal = new_id(), new_id()
    operator.push(
        create_case(urgent, type="criticism", priority="urgent"),
        create_case(normal, type="criticism"),
    )
    operator.sync()
    assert operator.cases()[urgent]["due_date"] < operator.cases()[normal]["due_date"]


def test_a_first_sync_misses_nothing_written_while_it_runs(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    writer, reader = desk("demo-supervisor"), desk("sup-t1111-a")
    early = [new_id() for _ in range(6)]
    writer.push(*(create_case(case_id, team="t1111-a") for case_id in early))
    reader.pull_page(limit=2)
    reader.pull_page(limit=2)
    late = new_id()
    noted = sorted(early)  # one case already sent by id, one still to come
    writer.push(create_case(late, team="t1111-a"), add_note(noted[0]), add_note(noted[-1]))
    reader.sync(limit=2)
    assert set(reader.cases()) == expected_scope(server, reader)
    with_notes = {n["case_id"] for n in reader.store.of_type("note").values()}
    assert {noted[0], noted[-1]} <= with_notes
    assert late in reader.cases()
