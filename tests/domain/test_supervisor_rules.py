"""The supervisor desk's rules: agency answers on transferred cases, reassignment to a team,
and a case's language (which the auto-assignment's skills match)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.model import Status, TimelineKind
from operator_app.domain.mutations import parse_mutation
from operator_app.domain.mutators import Code, Refused, ResultStatus

S = Status


def answer(d: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "case_id": d.CASE_ID,
        "answer": "Засвар хийгдэж, халаалт хэвийн болсон.",
        "answered_at": (d.NOW - timedelta(hours=2)).isoformat(),
    }
    args.update(changes)
    return args


def refusal(outcome: object, status: ResultStatus, code: Code) -> Refused:
    assert isinstance(outcome, Refused), outcome
    assert (outcome.status, outcome.code) == (status, code), outcome
    return outcome


def test_a_final_agency_answer_resolves_the_transferred_case(d: SimpleNamespace) -> None:
    case = d.make_case(status=S.TRANSFERRED, agency="capital_city_governor", assignee="op-1")
    done = d.applied(d.run("record_agency_answer", answer(d), case, d.operator("op-1")))
    assert done.case.status is S.RESOLVED
    assert done.case.agency_answer == "Засвар хийгдэж, халаалт хэвийн болсон."
    assert done.case.resolution == done.case.agency_answer
    assert done.case.agency_answered_at == d.NOW - timedelta(hours=2)
    (entry,) = done.timeline
    assert (entry.kind, entry.mutation, entry.actor) == (
        TimelineKind.AGENCY_ANSWER,
        "record_agency_answer",
        "op-1",
    )
    assert entry.data["agency"] == "capital_city_governor"
    assert (entry.data["from"], entry.data["to"], entry.data["final"]) == (
        "transferred",
        "resolved",
        True,
    )
    # Sent again (a lost response): nothing more happens.
    again = d.applied(d.run("record_agency_answer", answer(d), done.case, d.operator("op-1")))
    assert again.noop


def test_an_interim_answer_keeps_the_case_under_watch(d: SimpleNamespace) -> None:
    case = d.make_case(status=S.TRANSFERRED, agency="ministry_of_health")
    done = d.applied(d.run("record_agency_answer", answer(d, final=False), case, d.supervisor()))
    assert done.case.status is S.TRANSFERRED
    assert done.case.agency_answer and done.case.resolution == ""
    assert done.case.is_open  # the deadline watch still counts it
    final = answer(d, answer="Эцсийн хариу", final=True)
    closed = d.applied(d.run("record_agency_answer", final, done.case, d.supervisor()))
    assert (closed.case.status, closed.case.agency_answer) == (S.RESOLVED, "Эцсийн хариу")


@pytest.mark.parametrize("current", [S.NEW, S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.CLOSED])
def test_only_a_case_with_an_agency_takes_an_answer(d: SimpleNamespace, current: Status) -> None:
    case = d.make_case(status=current)
    outcome = d.run("record_agency_answer", answer(d), case, d.supervisor())
    refusal(outcome, ResultStatus.CONFLICT, Code.ILLEGAL_TRANSITION)


def test_an_answer_dated_in_the_future_is_dated_now(d: SimpleNamespace) -> None:
    case = d.make_case(status=S.TRANSFERRED, agency="ministry_of_health")
    ahead = answer(d, answered_at=(d.NOW + timedelta(days=3)).isoformat())
    assert (
        d.applied(
            d.run("record_agency_answer", ahead, case, d.supervisor())
        ).case.agency_answered_at
        == d.NOW
    )


def test_who_may_record_an_agency_answer(d: SimpleNamespace) -> None:
    case = d.make_case(status=S.TRANSFERRED, agency="ministry_of_health", assignee="op-2")
    forbidden = [
        d.operator("op-1"),  # a colleague's case
        d.operator("op-2", centres=(d.OTHER_CENTRE,)),  # not in the case's centre
        d.supervisor(centres=(d.OTHER_CENTRE,)),
        d.ADMIN,
        d.AUDITOR,
    ]
    for actor in forbidden:
        outcome = d.run("record_agency_answer", answer(d), case, actor)
        refused = refusal(outcome, ResultStatus.REJECTED, Code.FORBIDDEN)
        assert set(refused.details) == {"action"}, "a refusal reveals nothing of the case"
    for actor in (d.operator("op-2"), d.supervisor()):
        d.applied(d.run("record_agency_answer", answer(d), case, actor))


def test_an_answer_is_required_and_dated(d: SimpleNamespace) -> None:
    blank = parse_mutation("record_agency_answer", answer(d, answer="  "))
    assert blank == FieldError("answer", Reason.REQUIRED)
    naive = parse_mutation("record_agency_answer", answer(d, answered_at="2026-03-02T10:00:00"))
    assert isinstance(naive, FieldError) and naive.field == "answered_at"
    missing = parse_mutation("record_agency_answer", {"case_id": d.CASE_ID, "answer": "x"})
    assert missing == FieldError("answered_at", Reason.REQUIRED)


def test_supervisor_reassigns_to_a_team_queue_with_a_reason(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    args = {
        "case_id": case.id,
        "expected_assignee": "op-1",
        "new_assignee": None,
        "new_team": d.OTHER_TEAM,
        "reason": "Өөр багийн асуудал",
    }
    done = d.applied(d.run("reassign_case", args, case, d.supervisor()))
    assert (done.case.assignee, done.case.team, done.case.assigned_by) == (
        None,
        d.OTHER_TEAM,
        "sup-1",
    )
    (entry,) = done.timeline
    assert entry.data == {
        "from": "op-1",
        "to": None,
        "team": d.OTHER_TEAM,
        "reason": "Өөр багийн асуудал",
    }
    operator_try = d.run("reassign_case", args, case, d.operator("op-1"))
    refusal(operator_try, ResultStatus.REJECTED, Code.FORBIDDEN)


def test_supervisor_reopens_a_closed_case_and_an_operator_may_not(d: SimpleNamespace) -> None:
    case = d.make_case(status=S.CLOSED, assignee="op-1")
    args = {"case_id": case.id, "from": "closed", "to": "in_progress", "reason": "Иргэн дахин"}
    refusal(
        d.run("change_status", args, case, d.operator("op-1")),
        ResultStatus.REJECTED,
        Code.FORBIDDEN,
    )
    blank = {**args, "reason": ""}
    refusal(
        d.run("change_status", blank, case, d.supervisor()),
        ResultStatus.REJECTED,
        Code.REASON_REQUIRED,
    )
    assert (
        d.applied(d.run("change_status", args, case, d.supervisor())).case.status is S.IN_PROGRESS
    )


def test_the_extension_records_who_gave_it(d: SimpleNamespace) -> None:
    case = d.make_case(status=S.TRANSFERRED, agency="ministry_of_health")
    args = {"case_id": case.id, "days": 30, "notice": "Иргэнд утсаар мэдэгдэв"}
    done = d.applied(d.run("extend_deadline", args, case, d.supervisor("sup-7")))
    assert (done.case.extended_by, done.case.extended_at) == ("sup-7", d.NOW)
    assert done.case.due_date is not None and case.due_date is not None
    assert done.case.due_date > case.due_date
    second = {**args, "days": 5}
    refusal(
        d.run("extend_deadline", second, done.case, d.supervisor()),
        ResultStatus.REJECTED,
        Code.ALREADY_EXTENDED,
    )


def test_a_case_carries_its_language(d: SimpleNamespace) -> None:
    created = d.applied(d.run("create_case", d.wire_create(language="kk"), None, d.supervisor()))
    assert created.case.language == "kk"
    assert replace(created.case, language=None).language is None
    bad = parse_mutation("create_case", d.wire_create(language="Kazakh"))
    assert isinstance(bad, FieldError) and bad.field == "language"
