"""The JSON form of domain records: what the sync stream carries and both sides store."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operator_app.domain.model import (
    Call,
    CallDirection,
    CallOutcome,
    Case,
    CaseType,
    Channel,
    ConflictState,
    FieldConflict,
    Note,
    NoteVisibility,
    Priority,
    Status,
    TimelineEntry,
    TimelineKind,
)
from operator_app.domain.records import RECORD_TYPES, record_from_json, record_to_json

AT = datetime(2026, 3, 2, 11, 0, 5, 123456, tzinfo=timezone(timedelta(hours=8)))


def through_json(record: Any) -> Any:
    """To JSON text and back, as the wire and the store do."""
    text = json.dumps(record_to_json(record), ensure_ascii=False)
    return record_from_json(type(record), json.loads(text))


def assert_same(record: Any, back: Any) -> None:
    assert back == record
    for f in fields(record):
        mine, theirs = getattr(record, f.name), getattr(back, f.name)
        assert mine == theirs, f.name  # also the fields equality ignores (TimelineEntry.data)
        assert type(mine) is type(theirs), f.name
        if isinstance(mine, datetime) and mine.tzinfo is not None:
            assert mine.utcoffset() == theirs.utcoffset(), f.name


def test_record_types() -> None:
    assert {
        "case": Case,
        "note": Note,
        "call": Call,
        "conflict": FieldConflict,
        "timeline": TimelineEntry,
    } == RECORD_TYPES


def test_case_json_form(d: SimpleNamespace) -> None:
    case = d.make_case(
        status=Status.TRANSFERRED,
        links=("c-2", "c-3"),
        extension_days=10,
        extended_at=AT,
        number="2026-000042",
    )
    data = record_to_json(case)
    assert data["status"] == "transferred" and data["channel"] == "phone"
    assert data["links"] == ["c-2", "c-3"]
    assert data["due_date"] == "2026-04-13"
    assert data["registered_at"] == "2026-03-02T03:00:00+00:00"
    assert data["extended_at"] == "2026-03-02T11:00:05.123456+08:00"
    assert data["assignee"] is None
    assert_same(case, through_json(case))


def test_note_call_conflict_and_timeline_round_trip() -> None:
    records = [
        Note("n-1", "c-1", "op-1", 'Иргэнтэй холбогдов.\n"ишлэл"', NoteVisibility.CITIZEN, AT),
        Call("k-1", "c-1", "op-1", CallDirection.INBOUND, None, AT, 0, CallOutcome.DROPPED),
        Call(
            "k-2",
            "c-1",
            "op-1",
            CallDirection.OUTBOUND,
            "+97699112233",
            AT,
            86_400,
            CallOutcome.BUSY,
        ),
        FieldConflict(
            "c-1",
            "phone",
            None,
            "+97699112233",
            "+97688001122",
            ConflictState.OVERWRITTEN,
            "op-1",
            AT,
        ),
        FieldConflict(
            "c-1", "category", "a", "b", "c", ConflictState.RESOLVED, "op-1", AT, "x-1", "merge"
        ),
        TimelineEntry(
            "c-1",
            AT,
            "sup-1",
            TimelineKind.EXTENSION,
            "extend_deadline",
            {"days": 30, "from": "2026-04-01", "to": None, "nested": {"a": [1, 2]}},
        ),
        TimelineEntry("c-1", AT, "op-1", TimelineKind.CREATED, "create_case"),
    ]
    for record in records:
        assert_same(record, through_json(record))


def test_defaults_fill_missing_optional_fields() -> None:
    minimal = {
        "case_id": "c-1",
        "at": "2026-03-02T03:00:00+00:00",
        "actor": "op-1",
        "kind": "note",
        "mutation": "add_note",
    }
    entry = record_from_json(TimelineEntry, minimal)
    assert entry.data == {} and entry.kind is TimelineKind.NOTE
    assert record_from_json(TimelineEntry, minimal | {"unknown_later_field": 1}) == entry


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"status": "archived"}, ValueError),
        ({"extension_days": "10"}, ValueError),
        ({"extension_days": True}, ValueError),
        ({"confidential": "false"}, ValueError),
        ({"subject": 5}, ValueError),
        ({"registered_at": "yesterday"}, ValueError),
        ({"due_date": "2026-02-30"}, ValueError),
    ],
)
def test_malformed_records_raise(
    d: SimpleNamespace, change: dict[str, object], error: type[Exception]
) -> None:
    data = record_to_json(d.make_case()) | change
    with pytest.raises(error):
        record_from_json(Case, data)


def test_missing_required_field_raises(d: SimpleNamespace) -> None:
    data = record_to_json(d.make_case())
    del data["centre"]
    with pytest.raises(TypeError):
        record_from_json(Case, data)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets | st.just(UTC)
)
texts = st.text(max_size=40)
ids = st.text(min_size=1, max_size=40)
opt_text = st.none() | texts
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | texts
json_data = st.dictionaries(
    texts,
    st.recursive(
        json_scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
        max_leaves=8,
    ),
    max_size=5,
)

cases = st.builds(
    Case,
    id=ids,
    centre=ids,
    channel=st.sampled_from(list(Channel)),
    type=st.sampled_from(list(CaseType)),
    category=texts,
    subject=texts,
    description=st.text(max_size=300),
    registered_at=instants,
    created_by=ids,
    status=st.sampled_from(list(Status)),
    priority=st.sampled_from(list(Priority)),
    confidential=st.booleans(),
    number=opt_text,
    provisional_ref=opt_text,
    citizen_id=opt_text,
    citizen_name=texts,
    reg_no=opt_text,
    phone=opt_text,
    address=texts,
    location=opt_text,
    assignee=opt_text,
    team=opt_text,
    assigned_by=opt_text,
    assigned_at=st.none() | instants,
    agency=opt_text,
    resolution=texts,
    due_date=st.none() | st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    extension_days=st.integers(0, 10**6),
    extension_notice=texts,
    extended_by=opt_text,
    extended_at=st.none() | instants,
    links=st.lists(ids, max_size=4).map(tuple),
    duplicate_of=opt_text,
    create_fingerprint=texts,
    updated_at=st.none() | instants,
)
others = st.one_of(
    st.builds(Note, ids, ids, ids, texts, st.sampled_from(list(NoteVisibility)), instants),
    st.builds(
        Call,
        ids,
        ids,
        ids,
        st.sampled_from(list(CallDirection)),
        opt_text,
        instants,
        st.integers(0, 86_400),
        st.sampled_from(list(CallOutcome)),
    ),
    st.builds(
        FieldConflict,
        ids,
        texts,
        opt_text,
        opt_text,
        opt_text,
        st.sampled_from(list(ConflictState)),
        ids,
        instants,
        texts,
        texts,
    ),
    st.builds(
        TimelineEntry, ids, instants, ids, st.sampled_from(list(TimelineKind)), texts, json_data
    ),
)


@given(case=cases)
def test_any_case_round_trips(case: Case) -> None:
    assert_same(case, through_json(case))


@given(record=others)
def test_any_child_record_round_trips(record: Any) -> None:
    assert_same(record, through_json(record))
