"""Review fixes in the server's push, against the real service on SQLite and PostgreSQL: the
team a created case gets, over-long identifiers, and the confidential categories."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from central.data.tables import mutation_crashes
from central.server import ServerHandle, run_in_thread
from operator_app.domain import mutations
from tests.central.desk import Desk, add_note, create_case
from tests.central.testbed import CentralDb

CONFIDENTIAL_CATEGORY = "corruption_and_misconduct.bribery"


def _case(desk: Desk, case_id: str) -> dict[str, Any]:
    response = desk.get(f"/cases/{case_id}")
    assert response.status_code == 200, response.text
    return response.json()["case"]  # type: ignore[no-any-return]


def _invalid(result: dict[str, Any], field: str, reason: str) -> None:
    assert (result["status"], result["code"]) == ("rejected", "INVALID"), result
    assert (result["details"]["field"], result["details"]["reason"]) == (field, reason), result


# ---------------------------------------------------------------------------------------------
# 1. A created case's team belongs to its centre
# ---------------------------------------------------------------------------------------------


def test_a_case_created_in_another_centre_does_not_leak_to_the_primary_team(
    desk: Callable[..., Desk],
) -> None:
    # Regression: the demo supervisor (centres c1111, c1800, c1900; primary team t1111-a)
    # created a case in c1800 without a team; it went to team t1111-a, so the 11-11 centre's
    # operators received and could open it, and nobody could claim it.
    supervisor = desk("demo-supervisor")
    name, args = create_case(centre="c1800", subject="welfare hotline case")
    assert supervisor.push_one(name, args)["status"] == "applied"
    stored = _case(supervisor, args["case_id"])
    assert (stored["centre"], stored["team"]) == ("c1800", None)

    outsider = desk("t1111-a-0")  # an operator of team t1111-a, of centre c1111 only
    outsider.sync()
    assert args["case_id"] not in outsider.cases()
    assert outsider.get(f"/cases/{args['case_id']}").status_code in (403, 404)
    welfare = desk("sup-t1800-a")
    welfare.sync()
    assert args["case_id"] in welfare.cases()


def test_an_operator_of_one_centre_still_gets_the_primary_team(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")  # c1111 only, team t1111-a
    name, args = create_case()
    assert operator.push_one(name, args)["status"] == "applied"
    stored = _case(operator, args["case_id"])
    assert (stored["team"], stored["assignee"]) == ("t1111-a", "op-demo")


def test_the_server_checks_the_team_a_case_defaults_to(desk: Callable[..., Desk]) -> None:
    # An account whose primary team is of a centre it does not work in (the directory allows
    # it): the domain defaults to that team, and the server refuses it rather than store a
    # case of centre c1800 in team t1111-a.
    admin = desk("demo-admin")
    username = f"odd-{uuid.uuid4().hex[:8]}"
    response = admin.post(
        "/admin/operators",
        {
            "username": username,
            "role": "operator",
            "password": "a long enough password",
            "centres": ["c1800"],
            "teams": ["t1111-a"],
            "primary_team": "t1111-a",
        },
    )
    assert response.status_code == 201, response.text
    odd = desk(username, "a long enough password")
    name, args = create_case(centre="c1800")
    _invalid(odd.push_one(name, args), "team", "unknown_value")
    assert admin.get(f"/cases/{args['case_id']}").status_code in (403, 404)
    name, args = create_case(centre="c1800", team="t1111-a")  # named: refused as before
    _invalid(odd.push_one(name, args), "team", "unknown_value")
    name, args = create_case(centre="c1800", team="t1800-a")
    assert odd.push_one(name, args)["status"] == "applied"


# ---------------------------------------------------------------------------------------------
# 2. Identifiers longer than the database stores: rejected INVALID, the same on both backends
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [
        ("case_id", "x" * 150, 100),
        ("provisional_ref", "P" * 60, 40),
        ("citizen", {"citizen_id": "c" * 150}, 100),
    ],
)
def test_an_over_long_identifier_is_rejected_invalid(
    desk: Callable[..., Desk], field: str, value: object, limit: int
) -> None:
    # Regression: PostgreSQL raised DataError: 503 four times, then rejected SERVER_ERROR.
    operator = desk("demo-operator")
    name, args = create_case()
    args[field] = value
    response = operator.push_envelopes([operator.envelope(name, args)])
    assert response.status_code == 200, response.text
    result = response.json()["results"][0]
    path = "citizen.citizen_id" if field == "citizen" else field
    _invalid(result, path, "too_long")
    assert result["details"]["limit"] == limit


def test_an_over_long_note_id_is_rejected_and_the_batch_goes_on(
    desk: Callable[..., Desk],
) -> None:
    operator = desk("demo-operator")
    name, args = create_case()
    bad = add_note(args["case_id"])
    bad[1]["note_id"] = "n" * 150
    results = operator.push((name, args), bad, add_note(args["case_id"]))
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    _invalid(results[1], "note_id", "too_long")


@pytest.fixture
def pg_server(make_db: Callable[..., CentralDb]) -> Iterator[tuple[CentralDb, ServerHandle]]:
    db = make_db("postgresql")
    handle = run_in_thread(db.settings)
    yield db, handle
    handle.stop()


def test_a_value_the_database_cannot_store_is_rejected_not_a_crash(
    pg_server: tuple[CentralDb, ServerHandle], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The backstop: should the parse let through a value longer than its column (here the id
    # limit is lifted), PostgreSQL's DataError is a refusal of that mutation, not a crash that
    # answers 503 until the fifth retry; the mutations around it are applied.
    db, handle = pg_server
    monkeypatch.setattr(mutations, "MAX_ID", 300)
    operator = Desk(handle.url, "demo-operator")
    name, args = create_case()
    bad = add_note(args["case_id"])
    bad[1]["note_id"] = "n" * 150
    envelopes = [operator.envelope(*m) for m in ((name, args), bad, add_note(args["case_id"]))]
    response = operator.push_envelopes(envelopes)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert (results[1]["code"], results[1]["details"]["reason"]) == ("INVALID", "bad_format")
    assert response.json()["last_mutation_id"] == 3
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(mutation_crashes)).scalar() == 0
    # Alone (its own transaction) it is refused the same way.
    name, args = create_case(case_id="y" * 150)
    result = operator.push_one(name, args)
    assert (result["status"], result["code"]) == ("rejected", "INVALID")


# ---------------------------------------------------------------------------------------------
# 3. Categories: they must exist
# ---------------------------------------------------------------------------------------------


def test_the_server_keeps_the_confidential_flag_the_desk_sent(desk: Callable[..., Desk]) -> None:
    # Regression: the server alone made a case of a confidential category confidential; the
    # desk's copy stayed open to its team, and the note it saved on the case next was refused.
    operator = desk("demo-operator")
    name, args = create_case(category=CONFIDENTIAL_CATEGORY, confidential=False, team="t1111-a")
    results = operator.push((name, args), add_note(args["case_id"]))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    assert _case(operator, args["case_id"])["confidential"] is False


def test_an_unknown_category_is_refused(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    name, args = create_case(category="no_such_category")
    _invalid(operator.push_one(name, args), "category", "unknown_value")
    assert operator.get(f"/cases/{args['case_id']}").status_code == 404


def _edit(case_id: str, base: str, new: str) -> tuple[str, dict[str, Any]]:
    return "update_case_fields", {
        "case_id": case_id,
        "changes": {"category": {"base": base, "new": new}},
    }


def test_moving_a_case_into_an_unknown_category_is_refused(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-supervisor")
    name, args = create_case(team="t1111-a")
    assert operator.push_one(name, args)["status"] == "applied"
    case_id = args["case_id"]
    _invalid(
        operator.push_one(*_edit(case_id, "health", "nope")), "changes.category", "unknown_value"
    )
    assert _case(operator, case_id)["category"] == "health"
    assert operator.push_one(*_edit(case_id, "health", "education"))["status"] == "applied"


def test_resolving_a_category_conflict_checks_the_category(desk: Callable[..., Desk]) -> None:
    operator = desk("demo-operator")
    name, args = create_case(assignee="op-demo", team="t1111-a")
    case_id = args["case_id"]
    results = operator.push(
        (name, args),
        _edit(case_id, "health", "education"),
        _edit(case_id, "health", CONFIDENTIAL_CATEGORY),  # stale base: a conflict
    )
    assert [r["status"] for r in results] == ["applied", "applied", "conflict"]
    conflict_id = results[2]["details"]["conflict_ids"]["category"]
    merge = {"conflict_id": conflict_id, "case_id": case_id, "choice": "merge", "value": "nope"}
    _invalid(operator.push_one("resolve_conflict", merge), "value", "unknown_value")
    reapply = {"conflict_id": conflict_id, "case_id": case_id, "choice": "reapply"}
    assert operator.push_one("resolve_conflict", reapply)["status"] == "applied"
    assert _case(operator, case_id)["category"] == CONFIDENTIAL_CATEGORY


def test_an_unchanged_deleted_category_does_not_block_other_edits(
    desk: Callable[..., Desk],
) -> None:
    # Only a category the case gets is checked: a case whose category was deleted from the
    # reference data since can still be edited otherwise.
    admin = desk("demo-admin")
    code = f"gone_{uuid.uuid4().hex[:8]}"
    item = {"code": code, "name_mn": "Түр", "name_en": "Temporary", "confidential": False}
    assert admin.http.put(f"{admin.base}/admin/reference/category", json=item).status_code == 200
    operator = desk("demo-operator")
    name, args = create_case(category=code, assignee="op-demo", team="t1111-a")
    assert operator.push_one(name, args)["status"] == "applied"
    assert admin.http.delete(f"{admin.base}/admin/reference/category/{code}").status_code == 204
    edit = {
        "case_id": args["case_id"],
        "changes": {"subject": {"base": args["subject"], "new": "Шинэ гарчиг"}},
    }
    assert operator.push_one("update_case_fields", edit)["status"] == "applied"
    note = add_note(args["case_id"])
    assert operator.push_one(*note)["status"] == "applied"
