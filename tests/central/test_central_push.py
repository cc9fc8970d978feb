"""Push: exactly once, in order, with stored results, gaps, limits and permanent numbers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from central.data.tables import audit_log, cases, notes
from central.server import ServerHandle
from sync.protocol import MAX_PUSH_MUTATIONS, PROTOCOL_SCHEMA_VERSION
from tests.central.desk import Desk, add_note, create_case, new_id


def count(server: ServerHandle, table: object, *where: object) -> int:
    engine = server.services.engine
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_a_repeated_push_is_applied_once_and_answered_alike(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    case_id = new_id()
    envelopes = [
        operator.envelope(*create_case(case_id)),
        operator.envelope(*add_note(case_id)),
        operator.envelope(*add_note(case_id, "Дахин залгасан.")),
    ]
    first = operator.push_envelopes(envelopes)
    again = operator.push_envelopes(envelopes)
    assert first.status_code == again.status_code == 200
    assert first.json()["results"] == again.json()["results"]
    assert [r["status"] for r in first.json()["results"]] == ["applied"] * 3
    assert again.json()["last_mutation_id"] == 3
    assert count(server, notes, notes.c.case_id == case_id) == 2
    assert count(server, cases, cases.c.id == case_id) == 1


def test_reordered_pushes_wait_for_the_gap_to_close(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    case_id = new_id()
    early = [operator.envelope(*create_case(case_id)), operator.envelope(*add_note(case_id))]
    late = [operator.envelope(*add_note(case_id)), operator.envelope(*add_note(case_id))]
    refused = operator.push_envelopes(late)
    assert refused.status_code == 409
    assert refused.json()["code"] == "MUTATION_GAP"
    assert refused.json()["details"] == {"expected_next_id": 1}
    assert count(server, cases, cases.c.id == case_id) == 0
    assert operator.push_envelopes(early).status_code == 200
    applied = operator.push_envelopes(late)
    assert applied.status_code == 200
    assert applied.json()["last_mutation_id"] == 4
    # The whole history replayed in any order changes nothing more.
    replay = operator.push_envelopes(late + early)
    assert replay.status_code == 200
    assert [r["id"] for r in replay.json()["results"]] == [1, 2, 3, 4]
    assert count(server, notes, notes.c.case_id == case_id) == 3


def test_a_gap_inside_one_batch_is_refused_before_anything_applies(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    case_id = new_id()
    batch = [
        operator.envelope(*create_case(case_id), mutation_id=1),
        operator.envelope(*add_note(case_id), mutation_id=3),
    ]
    response = operator.push_envelopes(batch)
    assert response.status_code == 409
    assert response.json()["details"]["expected_next_id"] == 2
    assert count(server, cases, cases.c.id == case_id) == 0


def test_concurrent_pushes_of_one_client_apply_each_mutation_once(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    operator = desk("demo-operator")
    case_id = new_id()
    envelopes = [operator.envelope(*create_case(case_id))] + [
        operator.envelope(*add_note(case_id, f"note {i}")) for i in range(9)
    ]
    start = threading.Barrier(6)

    def send(_: int) -> int:
        start.wait(timeout=10)
        return operator.push_envelopes(envelopes).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(send, range(6)))
    assert statuses == [200] * 6
    assert count(server, notes, notes.c.case_id == case_id) == 9


def test_an_idempotent_create_resent_with_another_payload_is_refused(
    desk: Callable[..., Desk],
) -> None:
    operator = desk("demo-operator")
    case_id = new_id()
    first = operator.push_one(*create_case(case_id, subject="Нэг"))
    same = operator.push_one(*create_case(case_id, subject="Нэг"))
    changed = operator.push_one(*create_case(case_id, subject="Хоёр"))
    assert first["status"] == same["status"] == "applied"
    assert same["details"]["case_number"] == first["details"]["case_number"]
    assert (changed["status"], changed["code"]) == ("rejected", "ID_REUSED")


def test_the_server_gives_permanent_numbers_and_keeps_the_provisional_one_searchable(
    desk: Callable[..., Desk],
) -> None:
    operator = desk("demo-operator")
    refs = ["P-7K3Q-1", "P-7K3Q-2"]
    results = operator.push(*(create_case(provisional_ref=ref) for ref in refs))
    numbers = [r["details"]["case_number"] for r in results]
    years = {n.split("-")[0] for n in numbers}
    seqs = [int(n.split("-")[1]) for n in numbers]
    assert len(years) == 1 and seqs[1] == seqs[0] + 1
    found = operator.get("/cases", number=refs[1].lower()).json()["cases"]
    assert [c["number"] for c in found] == [numbers[1]]
    assert found[0]["provisional_ref"] == refs[1]
    by_number = operator.get("/cases", number=numbers[0]).json()["cases"]
    assert [c["provisional_ref"] for c in by_number] == [refs[0]]


def test_a_possible_duplicate_citizen_is_applied_and_flagged(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    citizen = {"name": "Болд", "phone": "8811 2233", "reg_no": "УБ99112233"}
    first = operator.push_one(*create_case(citizen=citizen))
    second = operator.push_one(*create_case(citizen={"name": "Болд Д.", "phone": "+97688112233"}))
    assert first["status"] == second["status"] == "applied"
    assert (
        "flags" not in first["details"]
        or "possible_duplicate_citizen" not in first["details"]["flags"]
    )
    assert "possible_duplicate_citizen" in second["details"]["flags"]
    assert second["details"]["possible_duplicates"]


def test_invalid_arguments_are_rejected_with_the_field(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    bad_phone = operator.push_one(*create_case(citizen={"phone": "11-11"}))
    unknown = operator.push_one("no_such_mutation", {})
    missing = operator.push_one("add_note", {"case_id": new_id()})
    no_centre = operator.push_one(*create_case(centre="nowhere"))
    assert (bad_phone["status"], bad_phone["code"]) == ("rejected", "INVALID")
    assert bad_phone["details"]["field"] == "citizen.phone"
    assert unknown["details"]["field"] == "name"
    assert missing["details"]["field"] == "note_id"
    assert no_centre["code"] in ("INVALID", "FORBIDDEN")
    assert operator.last_mutation_id == 4  # refusals are results too: the queue moves on


def test_batches_over_the_limits_are_413(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    too_many = [
        operator.envelope(*add_note(new_id()), mutation_id=i + 1)
        for i in range(MAX_PUSH_MUTATIONS + 1)
    ]
    response = operator.push_envelopes(too_many)
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    huge = [
        operator.envelope(*add_note(new_id(), "х" * 19_000), mutation_id=i + 1) for i in range(10)
    ]
    response = operator.push_envelopes(huge)
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_an_old_desk_is_asked_to_upgrade(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    body = {
        "client_id": operator.client_id,
        "schema_version": 0,
        "app_version": "0.0.1",
        "mutations": [],
    }
    old = operator.post("/sync/push", body)
    assert old.status_code == 426
    assert old.json()["code"] == "UPGRADE_REQUIRED"
    newer = operator.post("/sync/push", {**body, "schema_version": PROTOCOL_SCHEMA_VERSION + 1})
    assert newer.status_code == 400


def test_a_client_id_belongs_to_the_account_that_first_used_it(
    desk: Callable[..., Desk], server: ServerHandle
) -> None:
    first = desk("demo-operator")
    first.push(create_case())
    intruder = desk("t1111-a-0")
    intruder.client_id = first.client_id
    response = intruder.push_envelopes([intruder.envelope(*create_case(), mutation_id=2)])
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert (
        intruder.http.post(
            f"{intruder.base}/sync/pull",
            json={"client_id": first.client_id, "schema_version": 1},
        ).status_code
        == 403
    )
    assert (
        count(
            server,
            audit_log,
            audit_log.c.actor_id == intruder.operator["id"],
            audit_log.c.code == "FORBIDDEN",
        )
        >= 1
    )
