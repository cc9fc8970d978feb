"""The server's rule for every mutation (SYNC.md, "Mutations and merge rules"), by example."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from operator_app.domain.deadlines import DeadlineRule, DeadlineRules, deadline_for
from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.model import (
    Call,
    CallDirection,
    CallOutcome,
    Case,
    CaseType,
    ConflictState,
    FieldConflict,
    Note,
    NoteVisibility,
    Priority,
    Status,
    TimelineKind,
)
from operator_app.domain.mutations import AddNote, parse_mutation
from operator_app.domain.mutators import (
    MAX_BACKDATE,
    Applied,
    CaseState,
    Code,
    Refused,
    ResultStatus,
    Rules,
    apply_mutation,
    invalid,
    registration_time,
)

S = Status


def refused(outcome: object, status: ResultStatus, code: Code) -> Refused:
    assert isinstance(outcome, Refused), f"expected a refusal, got {outcome}"
    assert (outcome.status, outcome.code) == (status, code), outcome
    return outcome


def rejected(outcome: object, code: Code) -> Refused:
    return refused(outcome, ResultStatus.REJECTED, code)


def noop(outcome: object, case: Case) -> None:
    assert isinstance(outcome, Applied) and outcome.noop, outcome
    assert outcome.case == case
    assert outcome.timeline == () and outcome.conflicts == ()
    assert outcome.status is ResultStatus.APPLIED


def changed(d: SimpleNamespace, outcome: object, kind: TimelineKind) -> Applied:
    """Applied, not a no-op, with one timeline entry of `kind` stamped now."""
    result = d.applied(outcome)
    assert not result.noop
    assert [e.kind for e in result.timeline] == [kind]
    assert result.timeline[0].at == d.NOW
    assert result.case.updated_at == d.NOW
    return result


# ---------------------------------------------------------------------------------------------
# create_case
# ---------------------------------------------------------------------------------------------


def test_operator_creates_and_owns_the_case(d: SimpleNamespace) -> None:
    args = d.wire_create(
        subject="  Халаалт муу  ",
        citizen={"name": " Болд ", "reg_no": "уб 9911-2233", "phone": "9911 2233"},
    )
    del args["team"]
    result = changed(d, d.run("create_case", args, None, d.operator("op-1")), TimelineKind.CREATED)
    case = result.case
    assert (case.assignee, case.team, case.assigned_by, case.assigned_at) == (
        "op-1",
        d.TEAM,
        "op-1",
        d.NOW,
    )
    assert (case.status, case.created_by, case.centre) == (S.NEW, "op-1", d.CENTRE)
    assert (case.subject, case.citizen_name) == ("Халаалт муу", "Болд")
    assert (case.reg_no, case.phone) == (d.REG_NO, d.PHONE)
    assert case.registered_at == d.NOW
    assert case.due_date == date(2026, 4, 1)
    assert case.create_fingerprint and case.number is None
    assert result.timeline[0].actor == "op-1"


def test_operator_may_queue_a_case_for_a_team(d: SimpleNamespace) -> None:
    case = d.applied(d.run("create_case", d.wire_create(), None, d.operator())).case
    assert (case.assignee, case.team, case.assigned_by, case.assigned_at) == (
        None,
        d.TEAM,
        None,
        None,
    )


def test_only_a_supervisor_assigns_someone_else_at_creation(d: SimpleNamespace) -> None:
    args = d.wire_create(assignee="op-2")
    outcome = d.run("create_case", args, None, d.operator("op-1"))
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "reassign"}
    case = d.applied(d.run("create_case", args, None, d.supervisor())).case
    assert (case.assignee, case.assigned_by) == ("op-2", "sup-1")


@pytest.mark.parametrize("who", ["other_centre", "admin", "auditor"])
def test_create_outside_ones_centres_is_forbidden(d: SimpleNamespace, who: str) -> None:
    actor = {
        "other_centre": d.operator("op-9", teams=("t1800-a",), centres=(d.OTHER_CENTRE,)),
        "admin": d.ADMIN,
        "auditor": d.AUDITOR,
    }[who]
    rejected(d.run("create_case", d.wire_create(), None, actor), Code.FORBIDDEN)


def test_create_is_idempotent_and_a_reused_id_is_rejected(d: SimpleNamespace) -> None:
    first = d.applied(d.run("create_case", d.wire_create(), None, d.operator())).case
    again = d.run("create_case", d.wire_create(), first, d.operator(), d.later(90))
    noop(again, first)
    changed_payload = d.wire_create(subject="Өөр асуудал")
    outcome = d.run("create_case", changed_payload, first, d.operator(), d.later(90))
    assert rejected(outcome, Code.ID_REUSED).details == {"case_id": d.CASE_ID}


@pytest.mark.parametrize("case_type", [CaseType.THANKS, CaseType.INFORMATION])
def test_types_without_deadline_get_no_due_date(d: SimpleNamespace, case_type: CaseType) -> None:
    args = d.wire_create(type=case_type.value)
    assert d.applied(d.run("create_case", args, None, d.operator())).case.due_date is None


def test_suggestion_gets_sixty_days(d: SimpleNamespace) -> None:
    args = d.wire_create(type="suggestion")
    assert d.applied(d.run("create_case", args, None, d.operator())).case.due_date == date(
        2026, 5, 1
    )


@pytest.mark.parametrize(
    ("offset", "kept"),
    [
        (None, False),
        (timedelta(0), True),
        (-timedelta(days=3), True),  # logged offline three days ago
        (-MAX_BACKDATE, True),
        (-MAX_BACKDATE - timedelta(seconds=1), False),  # a wrong clock, not a long trip
        (timedelta(seconds=1), False),  # in the future
        (timedelta(days=400), False),
    ],
)
def test_registration_time_is_clamped(
    d: SimpleNamespace, offset: timedelta | None, kept: bool
) -> None:
    claimed = None if offset is None else d.NOW + offset
    assert registration_time(claimed, d.NOW) == (claimed if kept else d.NOW)


def test_the_deadline_counts_from_the_desk_s_logging_time(d: SimpleNamespace) -> None:
    logged = d.NOW - timedelta(days=10)
    args = d.wire_create(registered_at=logged.isoformat())
    case = d.applied(d.run("create_case", args, None, d.operator())).case
    assert case.registered_at == logged
    assert case.due_date == date(2026, 3, 23)  # 20 February + 30 days (a Monday)
    future = d.wire_create(registered_at=(d.NOW + timedelta(days=5)).isoformat())
    case = d.applied(d.run("create_case", future, None, d.operator())).case
    assert case.registered_at == d.NOW and case.due_date == date(2026, 4, 1)


# ---------------------------------------------------------------------------------------------
# add_note / log_call
# ---------------------------------------------------------------------------------------------


def note_args(d: SimpleNamespace, **changes: object) -> dict[str, object]:
    return {"note_id": "n-1", "case_id": d.CASE_ID, "body": "Иргэнтэй холбогдов."} | changes


def call_args(d: SimpleNamespace, **changes: object) -> dict[str, object]:
    return {
        "call_id": "k-1",
        "case_id": d.CASE_ID,
        "direction": "outbound",
        "phone": "9911-2233",
        "started_at": "2026-03-02T10:55:00+08:00",
        "duration_s": 95,
        "outcome": "answered",
    } | changes


def test_assignee_adds_a_note(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    result = changed(
        d, d.run("add_note", note_args(d), case, d.operator("op-1")), TimelineKind.NOTE
    )
    assert result.note == Note(
        "n-1", d.CASE_ID, "op-1", "Иргэнтэй холбогдов.", NoteVisibility.INTERNAL, d.NOW
    )
    assert result.flags == ()
    assert result.timeline[0].data == {"note_id": "n-1"}
    assert result.case == replace(case, updated_at=d.NOW)


def test_note_from_an_author_who_lost_the_case_is_kept_for_the_new_assignee(
    d: SimpleNamespace,
) -> None:
    lost = d.make_case(assignee="op-2")  # op-1 had it while offline; a supervisor moved it
    result = d.applied(d.run("add_note", note_args(d), lost, d.operator("op-1")))
    assert result.flags == ("for_assignee",)
    assert result.note is not None and result.note.author == "op-1"
    call = d.applied(d.run("log_call", call_args(d), lost, d.operator("op-1")))
    assert call.flags == ("for_assignee",)


@pytest.mark.parametrize("mutation", ["add_note", "log_call"])
def test_annotating_outside_scope_is_forbidden(d: SimpleNamespace, mutation: str) -> None:
    args = note_args(d) if mutation == "add_note" else call_args(d)
    confidential = d.make_case(assignee="op-2", confidential=True)
    assert rejected(
        d.run(mutation, args, confidential, d.operator("op-1")), Code.FORBIDDEN
    ).details == {"action": "annotate"}
    far = d.make_case(centre=d.OTHER_CENTRE, team="t1800-a")
    rejected(d.run(mutation, args, far, d.operator("op-1")), Code.FORBIDDEN)
    rejected(d.run(mutation, args, d.make_case(), d.AUDITOR), Code.FORBIDDEN)


def test_note_id_reuse(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    stored = d.applied(d.run("add_note", note_args(d), case, d.operator("op-1"))).note
    resend = d.run("add_note", note_args(d), case, d.operator("op-1"), d.later(60), note=stored)
    noop(resend, case)
    for different in (note_args(d, body="Өөр"), note_args(d, visibility="citizen")):
        outcome = d.run("add_note", different, case, d.operator("op-1"), note=stored)
        assert rejected(outcome, Code.ID_REUSED).details == {"note_id": "n-1"}


def test_log_call(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    result = changed(
        d, d.run("log_call", call_args(d), case, d.operator("op-1")), TimelineKind.CALL
    )
    assert result.call == Call(
        "k-1",
        d.CASE_ID,
        "op-1",
        CallDirection.OUTBOUND,
        d.PHONE,
        d.NOW - timedelta(minutes=5),
        95,
        CallOutcome.ANSWERED,
    )
    no_phone = d.applied(d.run("log_call", call_args(d, phone=None), case, d.operator("op-1")))
    assert no_phone.call is not None and no_phone.call.phone is None


def test_call_id_reuse(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    stored = d.applied(d.run("log_call", call_args(d), case, d.operator("op-1"))).call
    for same in (call_args(d), call_args(d, phone="+976 9911 2233")):
        noop(d.run("log_call", same, case, d.operator("op-1"), call=stored), case)
    for different in (
        call_args(d, started_at="2026-03-02T10:56:00+08:00"),
        call_args(d, duration_s=96),
        call_args(d, outcome="dropped"),
        call_args(d, direction="inbound"),
        call_args(d, phone="88001122"),
    ):
        outcome = d.run("log_call", different, case, d.operator("op-1"), call=stored)
        assert rejected(outcome, Code.ID_REUSED).details == {"call_id": "k-1"}


# ---------------------------------------------------------------------------------------------
# change_status
# ---------------------------------------------------------------------------------------------


def status_args(d: SimpleNamespace, to: Status, frm: Status | None, reason: str = "") -> dict:
    args: dict[str, object] = {"case_id": d.CASE_ID, "to": to.value, "reason": reason}
    if frm is not None:
        args["from"] = frm.value
    return args


def test_change_status_from_the_expected_status(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    outcome = d.run("change_status", status_args(d, S.IN_PROGRESS, S.NEW), case, d.operator("op-1"))
    result = changed(d, outcome, TimelineKind.STATUS)
    assert result.case == replace(case, status=S.IN_PROGRESS, updated_at=d.NOW)
    assert result.timeline[0].data == {"from": "new", "to": "in_progress", "reason": ""}
    assert result.audit == ()


def test_change_status_already_there_is_a_noop(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", status=S.IN_PROGRESS)
    noop(
        d.run("change_status", status_args(d, S.IN_PROGRESS, S.NEW), case, d.operator("op-1")), case
    )
    # Someone who may not change the case is refused before any no-op answer: a no-op result
    # would carry the case to them.
    outcome = d.run("change_status", status_args(d, S.IN_PROGRESS, None), case, d.AUDITOR)
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "change_status"}


def test_change_status_from_another_legal_status_applies_and_is_audited(
    d: SimpleNamespace,
) -> None:
    case = d.make_case(assignee="op-1", status=S.WAITING)
    outcome = d.run(
        "change_status", status_args(d, S.RESOLVED, S.IN_PROGRESS), case, d.operator("op-1")
    )
    result = d.applied(outcome)
    assert result.case.status is S.RESOLVED
    assert result.audit == ("status_mismatch:in_progress->waiting",)
    assert result.timeline[0].data["from"] == "waiting"


def test_change_status_illegal_from_the_current_status_is_a_conflict(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", status=S.TRANSFERRED)
    outcome = d.run(
        "change_status", status_args(d, S.WAITING, S.IN_PROGRESS), case, d.operator("op-1")
    )
    conflict = refused(outcome, ResultStatus.CONFLICT, Code.ILLEGAL_TRANSITION)
    assert conflict.details == {
        "current": "transferred",
        "expected": "in_progress",
        "to": "waiting",
    }


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NEW, S.CLOSED),
        (S.IN_PROGRESS, S.CLOSED),
        (S.RESOLVED, S.CLOSED),
        (S.RESOLVED, S.IN_PROGRESS),
        (S.CLOSED, S.IN_PROGRESS),
    ],
)
def test_closing_and_reopening_need_a_reason(
    d: SimpleNamespace, current: Status, target: Status
) -> None:
    case = d.make_case(assignee="op-1", status=current)
    for blank in ("", "   "):
        outcome = d.run(
            "change_status", status_args(d, target, current, blank), case, d.supervisor()
        )
        assert rejected(outcome, Code.REASON_REQUIRED).details == {"to": target.value}
    outcome = d.run(
        "change_status", status_args(d, target, current, "Давхардсан"), case, d.supervisor()
    )
    result = d.applied(outcome)
    assert result.case.status is target
    assert result.timeline[0].data["reason"] == "Давхардсан"


@pytest.mark.parametrize(
    ("current", "target"), [(S.NEW, S.CLOSED), (S.RESOLVED, S.CLOSED), (S.CLOSED, S.IN_PROGRESS)]
)
def test_operator_may_not_close_or_reopen_a_closed_case(
    d: SimpleNamespace, current: Status, target: Status
) -> None:
    case = d.make_case(assignee="op-1", status=current)
    args = status_args(d, target, current, "Давхардсан")
    outcome = d.run("change_status", args, case, d.operator("op-1"))
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "change_status"}


def test_operator_reopens_a_resolved_case_with_a_reason(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", status=S.RESOLVED)
    args = status_args(d, S.IN_PROGRESS, S.RESOLVED, "Иргэн дахин залгав")
    assert (
        d.applied(d.run("change_status", args, case, d.operator("op-1"))).case.status
        is S.IN_PROGRESS
    )


@pytest.mark.parametrize(
    "case_changes",
    [{"assignee": "op-2"}, {"team": "t1111-b"}, {"confidential": True}],
)
def test_status_change_outside_scope_is_forbidden(
    d: SimpleNamespace, case_changes: dict[str, object]
) -> None:
    case = d.make_case(**case_changes)
    args = status_args(d, S.IN_PROGRESS, S.NEW)
    rejected(d.run("change_status", args, case, d.operator("op-1")), Code.FORBIDDEN)
    rejected(d.run("change_status", args, case, d.AUDITOR), Code.FORBIDDEN)
    rejected(d.run("change_status", args, case, d.ADMIN), Code.FORBIDDEN)
    other = d.supervisor("sup-9", centres=(d.OTHER_CENTRE,))
    rejected(d.run("change_status", args, case, other), Code.FORBIDDEN)


def test_resolving_records_the_answer(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", status=S.IN_PROGRESS)
    args = status_args(d, S.RESOLVED, S.IN_PROGRESS) | {"resolution": "Утсаар хариулав."}
    result = d.applied(d.run("change_status", args, case, d.operator("op-1")))
    assert result.case.resolution == "Утсаар хариулав."


# ---------------------------------------------------------------------------------------------
# reassign_case
# ---------------------------------------------------------------------------------------------


def reassign_args(
    d: SimpleNamespace, expected: str | None, new: str | None, **more: object
) -> dict[str, object]:
    return {
        "case_id": d.CASE_ID,
        "expected_assignee": expected,
        "new_assignee": new,
        "reason": "ачаалал",
    } | more


def test_reassign_when_the_expected_assignee_matches(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    result = changed(
        d,
        d.run("reassign_case", reassign_args(d, "op-1", "op-2"), case, d.supervisor()),
        TimelineKind.ASSIGNMENT,
    )
    assert (result.case.assignee, result.case.assigned_by, result.case.assigned_at) == (
        "op-2",
        "sup-1",
        d.NOW,
    )
    assert result.timeline[0].data == {
        "from": "op-1",
        "to": "op-2",
        "team": d.TEAM,
        "reason": "ачаалал",
    }


def test_two_supervisors_reassign_one_case_first_wins(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    first = d.applied(
        d.run("reassign_case", reassign_args(d, "op-1", "op-2"), case, d.supervisor("sup-1"))
    )
    second = d.run(
        "reassign_case",
        reassign_args(d, "op-1", "op-3"),
        first.case,
        d.supervisor("sup-2"),
        d.later(1),
    )
    conflict = refused(second, ResultStatus.CONFLICT, Code.ASSIGNEE_CHANGED)
    assert conflict.details == {
        "current": "op-2",
        "by": "sup-1",
        "at": d.NOW.isoformat(),
        "proposed": "op-3",
    }


def test_reassigning_to_the_current_assignee_is_a_noop(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-2")
    noop(d.run("reassign_case", reassign_args(d, "op-1", "op-2"), case, d.supervisor()), case)


def test_operator_may_not_reassign(d: SimpleNamespace) -> None:
    mine = d.make_case(assignee="op-1")
    outcome = d.run("reassign_case", reassign_args(d, "op-1", "op-2"), mine, d.operator("op-1"))
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "reassign"}
    release = d.run("reassign_case", reassign_args(d, "op-1", None), mine, d.operator("op-1"))
    rejected(release, Code.FORBIDDEN)
    other_centre = d.supervisor("sup-9", centres=(d.OTHER_CENTRE,))
    rejected(
        d.run("reassign_case", reassign_args(d, "op-1", "op-2"), mine, other_centre), Code.FORBIDDEN
    )


def test_operator_claims_an_unassigned_case_of_their_team(d: SimpleNamespace) -> None:
    queued = d.make_case()
    result = d.applied(
        d.run("reassign_case", reassign_args(d, None, "op-1"), queued, d.operator("op-1"))
    )
    assert (result.case.assignee, result.case.assigned_by, result.case.team) == (
        "op-1",
        "op-1",
        d.TEAM,
    )
    for case in (d.make_case(confidential=True), d.make_case(team=d.OTHER_TEAM)):
        outcome = d.run("reassign_case", reassign_args(d, None, "op-1"), case, d.operator("op-1"))
        assert rejected(outcome, Code.FORBIDDEN).details == {"action": "claim"}
    # Claiming into another team is a reassignment.
    moved = d.run(
        "reassign_case",
        reassign_args(d, None, "op-1", new_team=d.OTHER_TEAM),
        queued,
        d.operator("op-1"),
    )
    assert rejected(moved, Code.FORBIDDEN).details == {"action": "reassign"}
    # Someone else claimed it first.
    taken = d.make_case(assignee="op-2", assigned_by="op-2")
    outcome = d.run("reassign_case", reassign_args(d, None, "op-1"), taken, d.operator("op-1"))
    assert refused(outcome, ResultStatus.CONFLICT, Code.ASSIGNEE_CHANGED).details["by"] == "op-2"


def test_supervisor_moves_a_case_to_another_team_queue(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    args = reassign_args(d, "op-1", None, new_team=d.OTHER_TEAM)
    result = d.applied(d.run("reassign_case", args, case, d.supervisor()))
    assert (result.case.assignee, result.case.team) == (None, d.OTHER_TEAM)


# ---------------------------------------------------------------------------------------------
# update_case_fields
# ---------------------------------------------------------------------------------------------


def edit(d: SimpleNamespace, **changes: tuple[str | None, str | None]) -> dict[str, object]:
    return {
        "case_id": d.CASE_ID,
        "changes": {name: {"base": base, "new": new} for name, (base, new) in changes.items()},
    }


def test_edit_from_the_current_value_applies(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    args = edit(d, description=(case.description, "Шинэ"), address=("", "БЗД 3-р хороо"))
    result = changed(
        d, d.run("update_case_fields", args, case, d.operator("op-1")), TimelineKind.FIELDS
    )
    assert (result.case.description, result.case.address) == ("Шинэ", "БЗД 3-р хороо")
    assert result.timeline[0].data == {
        "changes": {
            "address": {"from": "", "to": "БЗД 3-р хороо"},
            "description": {"from": case.description, "to": "Шинэ"},
        }
    }
    assert result.conflicts == () and result.status is ResultStatus.APPLIED


def test_edit_to_the_current_value_is_a_noop(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    noop(
        d.run(
            "update_case_fields",
            edit(d, category=("health", case.category)),
            case,
            d.operator("op-1"),
        ),
        case,
    )


@pytest.mark.parametrize(
    ("field", "spelling"),
    [
        ("phone", "9911-2233"),
        ("phone", "976 9911 2233"),
        ("reg_no", "уб 99112233"),
        ("reg_no", "YБ99112233"),
        ("address", None),
        ("citizen_name", None),
    ],
)
def test_the_same_value_spelled_differently_is_a_noop(
    d: SimpleNamespace, field: str, spelling: str | None
) -> None:
    # Regression: the raw text was compared with the stored normal form, so re-sending the
    # current phone as typed "changed" it to itself, with a timeline entry and, from an old
    # base, a conflict record.
    case = d.make_case(assignee="op-1", citizen_name="")
    for base in (None, "something older"):
        outcome = d.run(
            "update_case_fields", edit(d, **{field: (base, spelling)}), case, d.operator("op-1")
        )
        noop(outcome, case)


def test_an_edit_is_stored_in_normal_form(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    args = edit(d, phone=("9911 2233", "8800-1122"), reg_no=(d.REG_NO, "че 01250512"))
    result = d.applied(d.run("update_case_fields", args, case, d.operator("op-1")))
    assert (result.case.phone, result.case.reg_no) == ("+97688001122", "ЧЕ01250512")
    assert result.timeline[0].data["changes"]["phone"] == {"from": d.PHONE, "to": "+97688001122"}
    cleared = d.applied(
        d.run("update_case_fields", edit(d, phone=(d.PHONE, "")), case, d.operator("op-1"))
    )
    assert cleared.case.phone is None


def test_concurrent_contact_edit_is_applied_and_the_lost_value_kept(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", phone="+97688001122")  # someone changed it meanwhile
    args = edit(d, phone=(d.PHONE, "+97695001122"))
    result = d.applied(d.run("update_case_fields", args, case, d.operator("op-1")))
    assert result.case.phone == "+97695001122"
    assert result.conflicts == (
        FieldConflict(
            d.CASE_ID,
            "phone",
            d.PHONE,
            "+97688001122",
            "+97695001122",
            ConflictState.OVERWRITTEN,
            "op-1",
            d.NOW,
        ),
    )
    assert (result.status, result.code, result.details) == (ResultStatus.APPLIED, None, {})
    assert [e.kind for e in result.timeline] == [TimelineKind.FIELDS]


def test_concurrent_reviewed_edit_opens_a_conflict(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", category="health")  # changed meanwhile
    args = edit(d, category=("utilities_and_heating", "labour"))
    result = d.applied(d.run("update_case_fields", args, case, d.operator("op-1")))
    assert result.case == case  # not applied
    assert result.timeline == () and not result.noop
    (record,) = result.conflicts
    assert (record.field, record.base, record.current, record.proposed, record.state) == (
        "category",
        "utilities_and_heating",
        "health",
        "labour",
        ConflictState.OPEN,
    )
    assert (result.status, result.code) == (ResultStatus.CONFLICT, Code.FIELD_CONFLICT)
    assert result.details == {
        "fields": {
            "category": {"base": "utilities_and_heating", "current": "health", "proposed": "labour"}
        }
    }


def test_fields_are_merged_one_by_one(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", description="Өөр хүн зассан")
    args = edit(d, description=("Хуучин", "Миний засвар"), subject=(case.subject, "Шинэ сэдэв"))
    result = d.applied(d.run("update_case_fields", args, case, d.operator("op-1")))
    assert (result.case.subject, result.case.description) == ("Шинэ сэдэв", "Өөр хүн зассан")
    assert [c.field for c in result.conflicts] == ["description"]
    assert result.status is ResultStatus.CONFLICT
    assert list(result.timeline[0].data["changes"]) == ["subject"]


def test_type_and_priority_edits_move_the_due_date(d: SimpleNamespace, rules: Rules) -> None:
    case = d.make_case(assignee="op-1", extension_days=10)
    assert case.due_date == date(2026, 4, 13)  # 1 April + 10 days: Saturday 11th, so Monday
    me = d.operator("op-1")
    to_suggestion = edit(d, type=("complaint", "suggestion"))
    suggestion = d.applied(d.run("update_case_fields", to_suggestion, case, me)).case
    assert (suggestion.type, suggestion.due_date) == (CaseType.SUGGESTION, date(2026, 5, 11))
    to_thanks = edit(d, type=("complaint", "thanks"))
    thanks = d.applied(d.run("update_case_fields", to_thanks, case, me)).case
    assert thanks.due_date is None
    # A priority-specific rule in force: the due date follows it.
    urgent_rule = DeadlineRule(CaseType.COMPLAINT, 5, priority=Priority.URGENT)
    with_urgent = Rules(DeadlineRules((*rules.deadlines.rules, urgent_rule)), rules.calendar)
    to_urgent = edit(d, priority=("normal", "urgent"))
    urgent = d.applied(d.run("update_case_fields", to_urgent, case, me, rules=with_urgent)).case
    assert urgent.priority is Priority.URGENT
    # 2 March + 5 is Saturday 7 March (8 March is a holiday): Monday 9th, then + 10 days.
    assert urgent.due_date == date(2026, 3, 19)
    assert urgent.due_date == deadline_for(urgent, with_urgent.deadlines, with_urgent.calendar)


def test_edit_outside_scope_is_forbidden(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-2")
    outcome = d.run(
        "update_case_fields", edit(d, subject=(case.subject, "x")), case, d.operator("op-1")
    )
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "edit"}
    rejected(
        d.run("update_case_fields", edit(d, subject=(case.subject, "x")), case, d.AUDITOR),
        Code.FORBIDDEN,
    )


# ---------------------------------------------------------------------------------------------
# transfer_case
# ---------------------------------------------------------------------------------------------


def transfer_args(d: SimpleNamespace, agency: str = "capital_city_governor") -> dict[str, object]:
    return {"case_id": d.CASE_ID, "agency": agency, "note": "Газрын асуудал"}


@pytest.mark.parametrize("current", [S.NEW, S.IN_PROGRESS])
def test_transfer(d: SimpleNamespace, current: Status) -> None:
    case = d.make_case(assignee="op-1", status=current)
    outcome = d.run("transfer_case", transfer_args(d), case, d.operator("op-1"))
    result = changed(d, outcome, TimelineKind.TRANSFER)
    assert (result.case.status, result.case.agency) == (S.TRANSFERRED, "capital_city_governor")
    assert result.timeline[0].data == {
        "from": current.value,
        "agency": "capital_city_governor",
        "note": "Газрын асуудал",
    }


def test_transfer_preconditions(d: SimpleNamespace) -> None:
    there = d.make_case(assignee="op-1", status=S.TRANSFERRED, agency="capital_city_governor")
    noop(d.run("transfer_case", transfer_args(d), there, d.operator("op-1")), there)
    elsewhere = d.run(
        "transfer_case", transfer_args(d, "ministry_health"), there, d.operator("op-1")
    )
    assert refused(elsewhere, ResultStatus.CONFLICT, Code.ILLEGAL_TRANSITION).details == {
        "current": "transferred",
        "to": "transferred",
    }
    for status in (S.WAITING, S.RESOLVED, S.CLOSED):
        case = d.make_case(assignee="op-1", status=status)
        outcome = d.run("transfer_case", transfer_args(d), case, d.operator("op-1"))
        refused(outcome, ResultStatus.CONFLICT, Code.ILLEGAL_TRANSITION)
    theirs = d.make_case(assignee="op-2")
    outcome = d.run("transfer_case", transfer_args(d), theirs, d.operator("op-1"))
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "transfer"}


# ---------------------------------------------------------------------------------------------
# extend_deadline
# ---------------------------------------------------------------------------------------------


def extend_args(d: SimpleNamespace, days: int = 20, notice: str = "Иргэнд мэдэгдэв") -> dict:
    return {"case_id": d.CASE_ID, "days": days, "notice": notice}


def test_supervisor_extends_once(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", status=S.IN_PROGRESS)
    result = changed(
        d, d.run("extend_deadline", extend_args(d), case, d.supervisor()), TimelineKind.EXTENSION
    )
    extended = result.case
    assert (extended.extension_days, extended.extension_notice) == (20, "Иргэнд мэдэгдэв")
    assert (extended.extended_by, extended.extended_at) == ("sup-1", d.NOW)
    assert extended.due_date == date(2026, 4, 21)
    assert result.timeline[0].data == {
        "days": 20,
        "notice": "Иргэнд мэдэгдэв",
        "from": "2026-04-01",
        "to": "2026-04-21",
    }
    noop(d.run("extend_deadline", extend_args(d), extended, d.supervisor(), d.later(5)), extended)
    again = d.run("extend_deadline", extend_args(d, 5), extended, d.supervisor(), d.later(5))
    rejected(again, Code.ALREADY_EXTENDED)
    other_notice = d.run("extend_deadline", extend_args(d, 20, "Дахин"), extended, d.supervisor())
    rejected(other_notice, Code.ALREADY_EXTENDED)


def test_extension_is_bounded_by_the_rule(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    too_long = d.run("extend_deadline", extend_args(d, 31), case, d.supervisor())
    assert rejected(too_long, Code.EXTENSION_TOO_LONG).details == {"limit": 30}
    longest = d.applied(d.run("extend_deadline", extend_args(d, 30), case, d.supervisor())).case
    assert longest.due_date == date(2026, 5, 1)


def test_only_a_supervisor_of_the_centre_extends(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    outcome = d.run("extend_deadline", extend_args(d), case, d.operator("op-1"))
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "extend_deadline"}
    far = d.supervisor("sup-9", centres=(d.OTHER_CENTRE,))
    rejected(d.run("extend_deadline", extend_args(d), case, far), Code.FORBIDDEN)


@pytest.mark.parametrize("case_type", [CaseType.THANKS, CaseType.INFORMATION])
def test_no_deadline_to_extend(d: SimpleNamespace, case_type: CaseType) -> None:
    case = d.make_case(type=case_type)
    rejected(d.run("extend_deadline", extend_args(d), case, d.supervisor()), Code.NO_DEADLINE)


def test_the_citizen_must_be_notified(d: SimpleNamespace) -> None:
    for notice in ("", "   "):
        problem = parse_mutation("extend_deadline", extend_args(d, 10, notice))
        assert isinstance(problem, FieldError)
        assert (problem.field, problem.reason) == ("notice", Reason.REQUIRED)


# ---------------------------------------------------------------------------------------------
# link_cases
# ---------------------------------------------------------------------------------------------


def link_args(d: SimpleNamespace, kind: str = "related") -> dict[str, object]:
    return {"case_id": d.CASE_ID, "other_case_id": d.OTHER_CASE_ID, "kind": kind}


def test_link_related_then_duplicate(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1")
    me = d.operator("op-1")
    # Regression: `_entry(..., kind=...)` clashed with the timeline kind: every link crashed.
    related = changed(d, d.run("link_cases", link_args(d), case, me), TimelineKind.LINK)
    assert (related.case.links, related.case.duplicate_of) == ((d.OTHER_CASE_ID,), None)
    assert related.timeline[0].data == {"other": d.OTHER_CASE_ID, "kind": "related"}
    noop(d.run("link_cases", link_args(d), related.case, me), related.case)
    # Regression: marking an already related case as the duplicate was a silent no-op.
    duplicate = d.applied(d.run("link_cases", link_args(d, "duplicate"), related.case, me))
    assert not duplicate.noop
    assert (duplicate.case.links, duplicate.case.duplicate_of) == (
        (d.OTHER_CASE_ID,),
        d.OTHER_CASE_ID,
    )
    noop(d.run("link_cases", link_args(d, "duplicate"), duplicate.case, me), duplicate.case)
    noop(d.run("link_cases", link_args(d), duplicate.case, me), duplicate.case)


def test_duplicate_of_keeps_the_first_original(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-1", duplicate_of="c-first", links=("c-first",))
    result = d.applied(d.run("link_cases", link_args(d, "duplicate"), case, d.operator("op-1")))
    assert result.case.links == ("c-first", d.OTHER_CASE_ID)
    assert result.case.duplicate_of == "c-first"


def test_link_outside_scope_is_forbidden(d: SimpleNamespace) -> None:
    case = d.make_case(assignee="op-2")
    outcome = d.run("link_cases", link_args(d), case, d.operator("op-1"))
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "link"}


# ---------------------------------------------------------------------------------------------
# resolve_conflict
# ---------------------------------------------------------------------------------------------


def open_conflict(d: SimpleNamespace, field: str = "category") -> tuple[Case, FieldConflict]:
    """A case whose `field` was changed meanwhile, and the conflict an older edit opened."""
    values = {
        "category": ("utilities_and_heating", "health", "labour"),
        "type": ("complaint", "request", "suggestion"),
    }
    base, current, proposed = values[field]
    case = d.make_case(
        assignee="op-1", **{field: CaseType(current) if field == "type" else current}
    )
    outcome = d.run(
        "update_case_fields", edit(d, **{field: (base, proposed)}), case, d.operator("op-1")
    )
    (record,) = d.applied(outcome).conflicts
    return case, replace(record, id="x-1")


def resolve_args(d: SimpleNamespace, choice: str, value: str | None = None) -> dict[str, object]:
    return {"conflict_id": "x-1", "case_id": d.CASE_ID, "choice": choice, "value": value}


def test_keep_server(d: SimpleNamespace) -> None:
    case, record = open_conflict(d)
    outcome = d.run(
        "resolve_conflict", resolve_args(d, "keep_server"), case, d.supervisor(), conflict=record
    )
    result = d.applied(outcome)
    assert result.case == case
    assert result.resolved_conflict == replace(
        record, state=ConflictState.RESOLVED, resolution="keep_server"
    )
    assert [e.kind for e in result.timeline] == [TimelineKind.CONFLICT_RESOLVED]
    assert result.timeline[0].data == {
        "field": "category",
        "choice": "keep_server",
        "value": "health",
    }


def test_reapply(d: SimpleNamespace) -> None:
    case, record = open_conflict(d, "type")
    outcome = d.run(
        "resolve_conflict", resolve_args(d, "reapply"), case, d.operator("op-1"), conflict=record
    )
    result = changed(d, outcome, TimelineKind.CONFLICT_RESOLVED)
    assert result.case.type is CaseType.SUGGESTION
    assert result.case.due_date == date(2026, 5, 1)


def test_merge(d: SimpleNamespace) -> None:
    case, record = open_conflict(d)
    outcome = d.run(
        "resolve_conflict",
        resolve_args(d, "merge", "labour.unpaid_wages"),
        case,
        d.supervisor(),
        conflict=record,
    )
    assert d.applied(outcome).case.category == "labour.unpaid_wages"
    blank = d.run(
        "resolve_conflict", resolve_args(d, "merge", "  "), case, d.supervisor(), conflict=record
    )
    assert rejected(blank, Code.INVALID).details == {
        "field": "changes.category",
        "reason": "required",
    }


def test_resolve_a_conflict_twice(d: SimpleNamespace) -> None:
    case, record = open_conflict(d)
    done = replace(record, state=ConflictState.RESOLVED, resolution="keep_server")
    noop(
        d.run(
            "resolve_conflict", resolve_args(d, "keep_server"), case, d.supervisor(), conflict=done
        ),
        case,
    )
    outcome = d.run(
        "resolve_conflict", resolve_args(d, "reapply"), case, d.supervisor(), conflict=done
    )
    assert refused(outcome, ResultStatus.CONFLICT, Code.CONFLICT_CLOSED).details == {
        "resolution": "keep_server"
    }


def test_resolve_an_unknown_conflict_or_out_of_scope(d: SimpleNamespace) -> None:
    case, record = open_conflict(d)
    rejected(
        d.run("resolve_conflict", resolve_args(d, "keep_server"), case, d.supervisor()),
        Code.NOT_FOUND,
    )
    elsewhere = replace(record, case_id=d.OTHER_CASE_ID)
    outcome = d.run(
        "resolve_conflict", resolve_args(d, "keep_server"), case, d.supervisor(), conflict=elsewhere
    )
    rejected(outcome, Code.NOT_FOUND)
    outcome = d.run(
        "resolve_conflict", resolve_args(d, "reapply"), case, d.operator("op-2"), conflict=record
    )
    assert rejected(outcome, Code.FORBIDDEN).details == {"action": "resolve_conflict"}


# ---------------------------------------------------------------------------------------------
# Common
# ---------------------------------------------------------------------------------------------

NON_CREATE = {
    "add_note": {"note_id": "n-1", "body": "x"},
    "log_call": {"call_id": "k-1", "direction": "inbound", "started_at": "2026-03-02T03:00:00Z"},
    "change_status": {"to": "in_progress"},
    "reassign_case": {"expected_assignee": None, "new_assignee": "op-1"},
    "update_case_fields": {"changes": {"address": {"base": "", "new": "x"}}},
    "transfer_case": {"agency": "ministry_health"},
    "extend_deadline": {"days": 5, "notice": "x"},
    "link_cases": {"other_case_id": "c-2"},
    "resolve_conflict": {"conflict_id": "x-1", "choice": "keep_server"},
}


@pytest.mark.parametrize("name", sorted(NON_CREATE))
def test_a_missing_case_is_not_found(d: SimpleNamespace, name: str) -> None:
    args = {"case_id": "c-gone"} | NON_CREATE[name]
    outcome = d.run(name, args, None, d.supervisor())
    assert rejected(outcome, Code.NOT_FOUND).details == {"case_id": "c-gone"}


def test_the_mutators_are_pure(d: SimpleNamespace, rules: Rules) -> None:
    case = d.make_case(assignee="op-1")
    args = AddNote("n-1", d.CASE_ID, "x")
    one = apply_mutation(args, CaseState(case), d.operator("op-1"), d.NOW, rules)
    two = apply_mutation(args, CaseState(case), d.operator("op-1"), d.NOW, rules)
    assert one == two
    assert case == d.make_case(assignee="op-1")


def test_invalid_names_the_field() -> None:
    refusal = invalid(FieldError("changes.phone", Reason.BAD_LENGTH, "123"))
    assert (refusal.status, refusal.code) == (ResultStatus.REJECTED, Code.INVALID)
    assert refusal.details == {"field": "changes.phone", "reason": "bad_length"}
