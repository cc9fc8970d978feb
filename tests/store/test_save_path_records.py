"""A local save turns records into JSON and back through record_to_json and record_from_json,
which decide each field's conversion once per type: they must give what the generic to_json
and the field-by-field type tests give."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from operator_app.domain.model import (
    Case,
    ConflictState,
    FieldConflict,
    Note,
    NoteVisibility,
    Status,
    TimelineEntry,
    TimelineKind,
)
from operator_app.domain.mutations import to_json
from operator_app.domain.records import record_from_json, record_to_json

from .conftest import make_case

AT = datetime(2026, 3, 2, 11, 0, 5, 123456, tzinfo=timezone(timedelta(hours=8)))


class Level(IntEnum):
    LOW = 1


def _assert_as_to_json(record: Any) -> None:
    mine, generic = record_to_json(record), to_json(record)
    assert mine == generic
    assert list(mine) == list(generic)  # the same keys in the same order
    assert [type(v) for v in mine.values()] == [type(v) for v in generic.values()]
    assert json.dumps(mine) == json.dumps(generic)


@settings(max_examples=100, deadline=None)
@given(case=st.from_type(Case))
def test_any_case_gives_what_to_json_gives(case: Case) -> None:
    _assert_as_to_json(case)


@pytest.mark.parametrize(
    "record",
    [
        make_case(),
        make_case(links=("a", "b"), status=Status.RESOLVED, due_date=date(2026, 4, 1)),
        Note("n-1", "c-1", "op-1", "Тэмдэглэл", NoteVisibility.CITIZEN, AT),
        TimelineEntry(
            "c-1",
            AT,
            "op-1",
            TimelineKind.STATUS,
            "change_status",
            {
                "to": Status.CLOSED,
                "at": AT,
                "on": date(2026, 3, 2),
                "list": [Status.NEW, (1, 2), {"k": AT}],
                "level": Level.LOW,
                "none": None,
            },
        ),
        FieldConflict(
            "c-1", "due_date", "2026-03-01", date(2026, 3, 2), None, ConflictState.OPEN, "op", AT
        ),
        FieldConflict("c-1", "links", ("a",), ["b"], {"x": 1}, ConflictState.RESOLVED, "op", AT),
    ],
)
def test_records_of_every_kind_give_what_to_json_gives(record: Any) -> None:
    _assert_as_to_json(record)


@pytest.mark.parametrize(
    "value", [{"a": Status.NEW}, [AT, date(2026, 1, 1)], "text", 5, None, Status.NEW, Case]
)
def test_what_is_not_a_record_goes_to_to_json(value: Any) -> None:
    assert record_to_json(value) == to_json(value)


@settings(max_examples=100, deadline=None)
@given(case=st.from_type(Case))
def test_any_case_comes_back_from_its_json(case: Case) -> None:
    back = record_from_json(Case, json.loads(json.dumps(record_to_json(case))))
    assert back == case
    for name in Case.__dataclass_fields__:
        assert type(getattr(back, name)) is type(getattr(case, name)), name


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("status", "archived", ValueError),
        ("status", None, ValueError),
        ("number", 5, ValueError),
        ("subject", None, ValueError),
        ("confidential", 1, ValueError),
        ("extension_days", 1.0, ValueError),
        ("extension_days", False, ValueError),
        ("due_date", "2026-02-30", ValueError),
        ("assigned_at", "soon", ValueError),
        ("links", 5, TypeError),
    ],
)
def test_malformed_fields_are_refused_as_before(field: str, value: Any, error: type) -> None:
    data = record_to_json(make_case()) | {field: value}
    with pytest.raises(error):
        record_from_json(Case, data)


def test_optional_fields_may_be_null_and_unknown_fields_are_ignored() -> None:
    case = make_case(number=None, assigned_at=None, due_date=None)
    data = record_to_json(case) | {"later_field": [1]}
    assert record_from_json(Case, data) == case
    del data["number"]  # a field left out takes its default
    assert record_from_json(Case, data) == case
