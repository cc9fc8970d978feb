"""An INVALID refusal carries the problem's details (a limit, a count), so the message can say
the number, on the desk and from the central service alike (both build it with `invalid`)."""

from __future__ import annotations

from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.identifiers import normalize_phone
from operator_app.domain.mutations import MAX_LONG_TEXT, parse_mutation
from operator_app.domain.mutators import Code, ResultStatus, invalid


def test_a_text_too_long_carries_its_limit() -> None:
    problem = parse_mutation("add_note", {"note_id": "n-1", "case_id": "c-1", "body": "ж" * 20_001})
    assert isinstance(problem, FieldError)
    refusal = invalid(problem)
    assert (refusal.status, refusal.code) == (ResultStatus.REJECTED, Code.INVALID)
    assert refusal.details == {"field": "body", "reason": "too_long", "limit": MAX_LONG_TEXT}


def test_a_phone_of_the_wrong_length_carries_its_digit_count() -> None:
    problem = normalize_phone("99112", "citizen.phone")
    assert isinstance(problem, FieldError)
    details = invalid(problem).details
    assert (details["field"], details["reason"]) == ("citizen.phone", "bad_length")
    assert (details["expected"], details["actual"]) == (8, 5)


def test_the_field_and_reason_are_never_overwritten_by_details() -> None:
    problem = FieldError("subject", Reason.REQUIRED, details={"field": "x", "reason": "y"})
    assert invalid(problem).details == {"field": "subject", "reason": "required"}
