"""Mutation arguments from the wire: every mutation parses, and every refusal names its field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.model import (
    CallDirection,
    CallOutcome,
    CaseType,
    Channel,
    LinkKind,
    NoteVisibility,
    Priority,
    Status,
)
from operator_app.domain.mutations import (
    EDITABLE_FIELDS,
    MAX_ID,
    MAX_LONG_TEXT,
    MAX_SHORT_TEXT,
    MUTATIONS,
    AddNote,
    ChangeStatus,
    CitizenInfo,
    CreateCase,
    ExtendDeadline,
    FieldChange,
    LinkCases,
    LogCall,
    ReassignCase,
    RecordAgencyAnswer,
    ResolveConflict,
    TransferCase,
    UpdateCaseFields,
    fingerprint,
    parse_mutation,
    to_json,
    validate_field_value,
)

CASE = "2f1c6a52-3f0e-4f55-9d1c-1f1b8f1c0a01"
OTHER = "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d"

# One complete, valid wire form of every mutation.
WIRE: dict[str, dict[str, Any]] = {
    "create_case": {
        "case_id": CASE,
        "centre": "c1111",
        "channel": "phone",
        "type": "complaint",
        "category": "utilities_and_heating",
        "subject": "Байрны халаалт муу",
        "description": "Иргэн утсаар хандав.",
        "citizen": {
            "citizen_id": "cit-1",
            "name": "Болд Бат-Эрдэнэ",
            "reg_no": "УБ99112233",
            "phone": "9911 2233",
            "address": "БЗД, 3-р хороо",
        },
        "location": "1101",
        "priority": "high",
        "confidential": False,
        "provisional_ref": "P-AB2C-17",
        "team": "t1111-a",
        "assignee": "op-1",
        "registered_at": "2026-03-02T11:00:00+08:00",
    },
    "add_note": {
        "note_id": "n-1",
        "case_id": CASE,
        "body": "Иргэнтэй холбогдов.",
        "visibility": "citizen",
    },
    "log_call": {
        "call_id": "k-1",
        "case_id": CASE,
        "direction": "outbound",
        "phone": "+976 8800-1122",
        "started_at": "2026-03-02T03:00:00+00:00",
        "duration_s": 125,
        "outcome": "no_answer",
    },
    "change_status": {
        "case_id": CASE,
        "from": "resolved",
        "to": "closed",
        "reason": "Хариу өгсөн",
        "resolution": "",
    },
    "reassign_case": {
        "case_id": CASE,
        "expected_assignee": None,
        "new_assignee": "op-2",
        "reason": "ачаалал",
        "new_team": "t1111-b",
    },
    "update_case_fields": {
        "case_id": CASE,
        "changes": {
            "phone": {"base": "+97699112233", "new": "88001122"},
            "description": {"base": "", "new": "Шинэ тайлбар"},
            "location": {"base": "1101", "new": None},
        },
    },
    "transfer_case": {"case_id": CASE, "agency": "capital_city_governor", "note": "Шилжүүлэв"},
    "extend_deadline": {"case_id": CASE, "days": 30, "notice": "Иргэнд мэдэгдэв"},
    "record_agency_answer": {
        "case_id": CASE,
        "answer": "Засвар хийгдэж, халаалт хэвийн болсон.",
        "answered_at": "2026-03-05T15:00:00+08:00",
        "final": False,
    },
    "link_cases": {"case_id": CASE, "other_case_id": OTHER, "kind": "duplicate"},
    "resolve_conflict": {
        "conflict_id": "x-1",
        "case_id": CASE,
        "choice": "merge",
        "value": "Нэгтгэв",
    },
}

EXPECTED: dict[str, object] = {
    "create_case": CreateCase(
        case_id=CASE,
        centre="c1111",
        channel=Channel.PHONE,
        type=CaseType.COMPLAINT,
        category="utilities_and_heating",
        subject="Байрны халаалт муу",
        description="Иргэн утсаар хандав.",
        citizen=CitizenInfo(
            "cit-1", "Болд Бат-Эрдэнэ", "УБ99112233", "9911 2233", "БЗД, 3-р хороо"
        ),
        location="1101",
        priority=Priority.HIGH,
        confidential=False,
        provisional_ref="P-AB2C-17",
        team="t1111-a",
        assignee="op-1",
        registered_at=datetime(2026, 3, 2, 3, tzinfo=UTC),
    ),
    "add_note": AddNote("n-1", CASE, "Иргэнтэй холбогдов.", NoteVisibility.CITIZEN),
    "log_call": LogCall(
        "k-1",
        CASE,
        CallDirection.OUTBOUND,
        datetime(2026, 3, 2, 3, tzinfo=UTC),
        125,
        CallOutcome.NO_ANSWER,
        "+976 8800-1122",
    ),
    "change_status": ChangeStatus(CASE, Status.CLOSED, "Хариу өгсөн", "", Status.RESOLVED),
    "reassign_case": ReassignCase(CASE, None, "op-2", "ачаалал", "t1111-b"),
    "update_case_fields": UpdateCaseFields(
        CASE,
        {
            "phone": FieldChange("+97699112233", "88001122"),
            "description": FieldChange("", "Шинэ тайлбар"),
            "location": FieldChange("1101", None),
        },
    ),
    "transfer_case": TransferCase(CASE, "capital_city_governor", "Шилжүүлэв"),
    "extend_deadline": ExtendDeadline(CASE, 30, "Иргэнд мэдэгдэв"),
    "record_agency_answer": RecordAgencyAnswer(
        CASE,
        "Засвар хийгдэж, халаалт хэвийн болсон.",
        datetime(2026, 3, 5, 7, tzinfo=UTC),
        final=False,
    ),
    "link_cases": LinkCases(CASE, OTHER, LinkKind.DUPLICATE),
    "resolve_conflict": ResolveConflict("x-1", CASE, "merge", "Нэгтгэв"),
}

# The fields without a default, per mutation.
REQUIRED = {
    "create_case": ["case_id", "centre", "channel", "type", "category", "subject"],
    "add_note": ["note_id", "case_id", "body"],
    "log_call": ["call_id", "case_id", "direction", "started_at"],
    "change_status": ["case_id", "to"],
    "reassign_case": ["case_id", "expected_assignee", "new_assignee"],
    "update_case_fields": ["case_id", "changes"],
    "transfer_case": ["case_id", "agency"],
    "extend_deadline": ["case_id", "days", "notice"],
    "record_agency_answer": ["case_id", "answer", "answered_at"],
    "link_cases": ["case_id", "other_case_id"],
    "resolve_conflict": ["conflict_id", "case_id", "choice"],
}


def wire(name: str, **changes: Any) -> dict[str, Any]:
    args = copy.deepcopy(WIRE[name])
    args.update(changes)
    return args


def refused(name: str, args: object) -> FieldError:
    result = parse_mutation(name, args)
    assert isinstance(result, FieldError), f"expected a refusal, got {result}"
    return result


def test_the_table_covers_every_mutation() -> None:
    assert set(WIRE) == set(MUTATIONS) == set(EXPECTED) == set(REQUIRED)
    assert all(name == cls.NAME for name, cls in MUTATIONS.items())


@pytest.mark.parametrize("name", sorted(WIRE))
def test_every_mutation_parses_from_its_wire_form(name: str) -> None:
    assert parse_mutation(name, wire(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(WIRE))
def test_wire_form_round_trips_through_json(name: str) -> None:
    parsed = parse_mutation(name, wire(name))
    text = json.dumps(to_json(parsed), ensure_ascii=False)
    assert parse_mutation(name, json.loads(text)) == parsed


def test_change_status_is_from_on_the_wire() -> None:
    out = to_json(EXPECTED["change_status"])
    assert out["from"] == "resolved" and "from_" not in out
    assert parse_mutation("change_status", {"case_id": CASE, "to": "in_progress"}) == ChangeStatus(
        CASE, Status.IN_PROGRESS
    )


def test_defaults_and_unknown_extra_keys() -> None:
    minimal = {k: WIRE["create_case"][k] for k in REQUIRED["create_case"]}
    parsed = parse_mutation("create_case", {**minimal, "added_in_v9": {"x": 1}})
    assert isinstance(parsed, CreateCase)
    assert (parsed.citizen, parsed.priority, parsed.confidential) == (
        CitizenInfo(),
        Priority.NORMAL,
        False,
    )
    assert parsed.registered_at is None and parsed.team is None
    note = parse_mutation("add_note", {"note_id": "n", "case_id": CASE, "body": "x"})
    assert isinstance(note, AddNote) and note.visibility is NoteVisibility.INTERNAL
    call = parse_mutation("log_call", wire("log_call", phone=None, duration_s=0))
    assert isinstance(call, LogCall) and call.phone is None


# ---------------------------------------------------------------------------------------------
# Refusals: shape
# ---------------------------------------------------------------------------------------------


def test_unknown_mutation_name() -> None:
    problem = refused("drop_table", wire("add_note"))
    assert (problem.field, problem.reason) == ("name", Reason.UNKNOWN_VALUE)
    assert refused("x" * 10_000, {}).value == "x" * 100


@pytest.mark.parametrize("raw", [None, [], "case", 7, ["case_id"]])
def test_arguments_must_be_an_object(raw: object) -> None:
    problem = refused("add_note", raw)
    assert (problem.field, problem.reason) == ("args", Reason.BAD_FORMAT)


@pytest.mark.parametrize(("name", "field"), [(n, f) for n, fs in REQUIRED.items() for f in fs])
def test_missing_required_field(name: str, field: str) -> None:
    args = wire(name)
    del args[field]
    problem = refused(name, args)
    assert (problem.field, problem.reason) == (field, Reason.REQUIRED)


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("create_case", "subject", 42),
        ("create_case", "subject", None),
        ("create_case", "centre", ["c1111"]),
        ("create_case", "confidential", "true"),
        ("create_case", "confidential", 1),
        ("create_case", "citizen", "Болд"),
        ("create_case", "registered_at", 1767225600),
        ("add_note", "body", {"text": "x"}),
        ("log_call", "duration_s", "125"),
        ("log_call", "duration_s", 12.5),
        ("log_call", "duration_s", True),
        ("extend_deadline", "days", "30"),
        ("extend_deadline", "days", None),
        ("reassign_case", "new_assignee", 5),
        ("update_case_fields", "changes", ["phone"]),
        ("update_case_fields", "changes", "phone=1"),
    ],
)
def test_wrong_type(name: str, field: str, value: object) -> None:
    problem = refused(name, wire(name, **{field: value}))
    assert (problem.field, problem.reason) == (field, Reason.BAD_FORMAT)


@pytest.mark.parametrize(
    ("args", "field", "reason"),
    [
        ({"citizen": {"name": 7}}, "citizen.name", Reason.BAD_FORMAT),
        ({"citizen": {"phone": ["99112233"]}}, "citizen.phone", Reason.BAD_FORMAT),
    ],
)
def test_nested_fields_are_named_by_path(args: dict[str, Any], field: str, reason: Reason) -> None:
    problem = refused("create_case", wire("create_case", **args))
    assert (problem.field, problem.reason) == (field, reason)


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({}, "changes", Reason.REQUIRED),
        ({"phone": "88001122"}, "changes.phone", Reason.BAD_FORMAT),
        ({"phone": {"new": "88001122"}}, "changes.phone.base", Reason.REQUIRED),
        ({"phone": {"base": None}}, "changes.phone.new", Reason.REQUIRED),
        ({"phone": {"base": None, "new": 88001122}}, "changes.phone.new", Reason.BAD_FORMAT),
        ({"status": {"base": "new", "new": "closed"}}, "changes.status", Reason.UNKNOWN_VALUE),
        ({"assignee": {"base": None, "new": "me"}}, "changes.assignee", Reason.UNKNOWN_VALUE),
        ({"type": {"base": "complaint", "new": "gossip"}}, "changes.type", Reason.UNKNOWN_VALUE),
        ({"priority": {"base": "low", "new": "asap"}}, "changes.priority", Reason.UNKNOWN_VALUE),
        ({"category": {"base": "health", "new": ""}}, "changes.category", Reason.REQUIRED),
        ({"subject": {"base": "a", "new": "   "}}, "changes.subject", Reason.REQUIRED),
        ({"type": {"base": "complaint", "new": None}}, "changes.type", Reason.REQUIRED),
        ({"phone": {"base": None, "new": "1111"}}, "changes.phone", Reason.NOT_CITIZEN_NUMBER),
        ({"phone": {"base": None, "new": "99-11"}}, "changes.phone", Reason.NOT_CITIZEN_NUMBER),
        ({"reg_no": {"base": None, "new": "УБ99132233"}}, "changes.reg_no", Reason.BAD_DATE),
        ({"reg_no": {"base": None, "new": "UB99112233"}}, "changes.reg_no", Reason.BAD_FORMAT),
    ],
)
def test_update_case_fields_refusals(changes: dict[str, Any], field: str, reason: Reason) -> None:
    problem = refused("update_case_fields", wire("update_case_fields", changes=changes))
    assert (problem.field, problem.reason) == (field, reason)


def test_clearing_optional_fields_is_allowed() -> None:
    changes = {
        name: {"base": "x", "new": None}
        for name in ("phone", "reg_no", "location", "address", "citizen_name", "description")
    }
    parsed = parse_mutation("update_case_fields", wire("update_case_fields", changes=changes))
    assert isinstance(parsed, UpdateCaseFields)
    assert all(change.new is None for change in parsed.changes.values())


# ---------------------------------------------------------------------------------------------
# Refusals: lengths
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field", "limit"),
    [
        ("create_case", "case_id", MAX_ID),
        ("create_case", "subject", MAX_SHORT_TEXT),
        ("create_case", "description", MAX_LONG_TEXT),
        ("add_note", "body", MAX_LONG_TEXT),
        ("change_status", "reason", MAX_LONG_TEXT),
        ("change_status", "resolution", MAX_LONG_TEXT),
        ("transfer_case", "agency", MAX_SHORT_TEXT),
        ("transfer_case", "note", MAX_LONG_TEXT),
        ("extend_deadline", "notice", MAX_LONG_TEXT),
        ("reassign_case", "new_assignee", MAX_ID),
        ("resolve_conflict", "value", MAX_LONG_TEXT),
    ],
)
def test_text_limits(name: str, field: str, limit: int) -> None:
    assert not isinstance(parse_mutation(name, wire(name, **{field: "я" * limit})), FieldError)
    problem = refused(name, wire(name, **{field: "я" * (limit + 1)}))
    assert (problem.field, problem.reason) == (field, Reason.TOO_LONG)
    assert problem.details == {"limit": limit}


def test_nested_text_limit() -> None:
    citizen = {"name": "я" * (MAX_SHORT_TEXT + 1)}
    problem = refused("create_case", wire("create_case", citizen=citizen))
    assert (problem.field, problem.reason) == ("citizen.name", Reason.TOO_LONG)


@pytest.mark.parametrize(
    ("field", "limit"),
    [("description", MAX_LONG_TEXT), ("subject", MAX_SHORT_TEXT), ("address", MAX_SHORT_TEXT)],
)
def test_an_edited_field_keeps_its_own_limit(field: str, limit: int) -> None:
    # Regression: `changes.description.new` was held to the 300-character limit of short text,
    # so a description longer than that (allowed at creation) could never be edited.
    ok = {field: {"base": "я" * limit, "new": "ё" * limit}}
    assert isinstance(
        parse_mutation("update_case_fields", wire("update_case_fields", changes=ok)),
        UpdateCaseFields,
    )
    for part in ("base", "new"):
        change = {"base": "a", "new": "b"} | {part: "я" * (limit + 1)}
        problem = refused("update_case_fields", wire("update_case_fields", changes={field: change}))
        assert (problem.field, problem.reason) == (f"changes.{field}.{part}", Reason.TOO_LONG)


def test_merged_value_is_checked_against_its_field() -> None:
    assert validate_field_value("description", "я" * MAX_LONG_TEXT) is None
    problem = validate_field_value("subject", "я" * (MAX_SHORT_TEXT + 1))
    assert problem is not None and problem.reason is Reason.TOO_LONG


# ---------------------------------------------------------------------------------------------
# Refusals: values
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("create_case", "channel", "fax"),
        ("create_case", "type", "Complaint"),
        ("create_case", "priority", "asap"),
        ("add_note", "visibility", "public"),
        ("log_call", "direction", "sideways"),
        ("log_call", "outcome", "voicemail"),
        ("change_status", "to", "archived"),
        ("change_status", "from", "open"),
        ("link_cases", "kind", "parent"),
        ("resolve_conflict", "choice", "last_writer_wins"),
        ("create_case", "channel", 3),
    ],
)
def test_unknown_enum_value(name: str, field: str, value: object) -> None:
    problem = refused(name, wire(name, **{field: value}))
    assert (problem.field, problem.reason) == (field, Reason.UNKNOWN_VALUE)
    assert problem.value == str(value)


@pytest.mark.parametrize(
    ("name", "field", "value", "details"),
    [
        ("log_call", "started_at", "2026-03-02T11:00:00", {"expected": "timezone-aware"}),
        ("create_case", "registered_at", "2026-03-02 11:00", {"expected": "timezone-aware"}),
        ("log_call", "started_at", "yesterday", {}),
        ("log_call", "started_at", "2026-02-30T11:00:00+08:00", {}),
        ("log_call", "started_at", "2026-03-02T11:00:00+08:00" + " " * 20, {}),
        ("log_call", "started_at", None, {}),
    ],
)
def test_bad_datetimes(name: str, field: str, value: object, details: dict[str, str]) -> None:
    problem = refused(name, wire(name, **{field: value}))
    assert (problem.field, problem.reason) == (field, Reason.BAD_FORMAT)
    assert problem.details == details


def test_aware_datetimes_in_any_offset() -> None:
    parsed = parse_mutation("log_call", wire("log_call", started_at="2026-03-02T11:00:00+08:00"))
    assert isinstance(parsed, LogCall)
    assert parsed.started_at == datetime(2026, 3, 2, 3, tzinfo=UTC)
    assert parsed.started_at.utcoffset() == timedelta(hours=8)
    zulu = parse_mutation("log_call", wire("log_call", started_at="2026-03-02T03:00:00Z"))
    assert isinstance(zulu, LogCall) and zulu.started_at == parsed.started_at


@pytest.mark.parametrize(
    ("name", "changes", "field", "reason"),
    [
        ("create_case", {"case_id": "  "}, "case_id", Reason.REQUIRED),
        ("create_case", {"centre": ""}, "centre", Reason.REQUIRED),
        ("create_case", {"category": "\t"}, "category", Reason.REQUIRED),
        ("create_case", {"subject": " \n "}, "subject", Reason.REQUIRED),
        (
            "create_case",
            {"citizen": {"phone": "+1 202 555 0100"}},
            "citizen.phone",
            Reason.BAD_FORMAT,
        ),
        ("create_case", {"citizen": {"phone": "102"}}, "citizen.phone", Reason.NOT_CITIZEN_NUMBER),
        ("create_case", {"citizen": {"phone": "9911223"}}, "citizen.phone", Reason.BAD_LENGTH),
        ("create_case", {"citizen": {"reg_no": "УБ9911"}}, "citizen.reg_no", Reason.BAD_FORMAT),
        ("create_case", {"citizen": {"reg_no": "УБ99023133"}}, "citizen.reg_no", Reason.BAD_DATE),
        ("add_note", {"body": "   "}, "body", Reason.REQUIRED),
        ("log_call", {"duration_s": -1}, "duration_s", Reason.OUT_OF_RANGE),
        ("log_call", {"duration_s": 24 * 3600 + 1}, "duration_s", Reason.OUT_OF_RANGE),
        ("log_call", {"phone": "11-11"}, "phone", Reason.NOT_CITIZEN_NUMBER),
        ("change_status", {"from": "closed", "to": "closed"}, "to", Reason.OUT_OF_RANGE),
        ("transfer_case", {"agency": " "}, "agency", Reason.REQUIRED),
        ("extend_deadline", {"days": 0}, "days", Reason.OUT_OF_RANGE),
        ("extend_deadline", {"days": -5}, "days", Reason.OUT_OF_RANGE),
        ("extend_deadline", {"notice": ""}, "notice", Reason.REQUIRED),
        ("extend_deadline", {"notice": "  \n"}, "notice", Reason.REQUIRED),
        ("link_cases", {"other_case_id": CASE}, "other_case_id", Reason.OUT_OF_RANGE),
    ],
)
def test_rules_beyond_the_types(
    name: str, changes: dict[str, Any], field: str, reason: Reason
) -> None:
    problem = refused(name, wire(name, **changes))
    assert (problem.field, problem.reason) == (field, reason)


def test_boundaries_that_are_accepted() -> None:
    assert isinstance(parse_mutation("log_call", wire("log_call", duration_s=24 * 3600)), LogCall)
    assert isinstance(
        parse_mutation("extend_deadline", wire("extend_deadline", days=1)), ExtendDeadline
    )
    anonymous = parse_mutation(
        "create_case", wire("create_case", citizen={"phone": "", "reg_no": ""})
    )
    assert isinstance(anonymous, CreateCase)


# ---------------------------------------------------------------------------------------------
# Fingerprints
# ---------------------------------------------------------------------------------------------


def test_fingerprint_is_stable_and_sensitive() -> None:
    first = parse_mutation("create_case", wire("create_case"))
    reordered = dict(reversed(list(wire("create_case").items())))
    again = parse_mutation("create_case", json.loads(json.dumps(reordered)))
    assert isinstance(first, CreateCase) and isinstance(again, CreateCase)
    assert fingerprint(first) == fingerprint(again)
    assert len(fingerprint(first)) == 64
    for field, value in [("subject", "Өөр сэдэв"), ("priority", "low"), ("confidential", True)]:
        changed = parse_mutation("create_case", wire("create_case", **{field: value}))
        assert isinstance(changed, CreateCase)
        assert fingerprint(changed) != fingerprint(first), field


# ---------------------------------------------------------------------------------------------
# Properties: hostile input never raises; valid input round-trips
# ---------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
names = st.sampled_from(sorted(MUTATIONS)) | st.text(max_size=20)


@given(name=names, raw=json_values)
def test_any_json_never_raises(name: str, raw: object) -> None:
    result = parse_mutation(name, raw)
    assert isinstance(result, FieldError) or type(result) is MUTATIONS[name]


@settings(max_examples=200)
@given(
    name=st.sampled_from(sorted(MUTATIONS)),
    data=st.data(),
    value=json_values | st.text(min_size=290, max_size=330),
)
def test_one_hostile_field_is_refused_by_name_or_accepted(
    name: str, data: st.DataObject, value: object
) -> None:
    """A valid argument set with one field (or one nested field) replaced by anything."""
    args = wire(name)
    key = data.draw(st.sampled_from(sorted(args)))
    target, path = args, key
    if isinstance(args[key], dict) and args[key] and data.draw(st.booleans()):
        inner = data.draw(st.sampled_from(sorted(args[key])))
        target, path = args[key], f"{key}.{inner}"
        key = inner
    target[key] = value
    result = parse_mutation(name, args)
    if isinstance(result, FieldError):
        assert result.field.startswith(path.split(".")[0]) or result.field in (
            "to",
            "other_case_id",
        )
        assert isinstance(result.reason, Reason)
        assert len(result.value) <= 100
        json.dumps({"field": result.field, "reason": result.reason.value, "value": result.value})
    else:
        assert type(result) is MUTATIONS[name]
        assert parse_mutation(name, json.loads(json.dumps(to_json(result)))) == result


short = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40).filter(str.strip)
aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)


@given(
    args=st.one_of(
        st.builds(
            CreateCase,
            case_id=short,
            centre=short,
            channel=st.sampled_from(list(Channel)),
            type=st.sampled_from(list(CaseType)),
            category=short,
            subject=short,
            description=st.text(max_size=200),
            citizen=st.builds(CitizenInfo, name=st.text(max_size=30), address=st.text(max_size=30)),
            location=st.none() | short,
            priority=st.sampled_from(list(Priority)),
            confidential=st.booleans(),
            registered_at=st.none() | aware,
        ),
        st.builds(AddNote, short, short, short, st.sampled_from(list(NoteVisibility))),
        st.builds(
            LogCall,
            short,
            short,
            st.sampled_from(list(CallDirection)),
            aware,
            st.integers(0, 86_400),
            st.sampled_from(list(CallOutcome)),
        ),
        st.builds(ChangeStatus, short, st.sampled_from(list(Status)), st.text(max_size=50)),
        st.builds(ReassignCase, short, st.none() | short, st.none() | short, st.text(max_size=20)),
        st.builds(
            UpdateCaseFields,
            short,
            st.dictionaries(
                st.sampled_from(["description", "address", "location", "citizen_name"]),
                st.builds(FieldChange, st.none() | short, st.none() | short),
                min_size=1,
            ),
        ),
        st.builds(TransferCase, short, short, st.text(max_size=50)),
        st.builds(ExtendDeadline, short, st.integers(1, 10**6), short),
        st.builds(
            ResolveConflict, short, short, st.sampled_from(["keep_server", "reapply", "merge"])
        ),
    )
)
def test_generated_arguments_round_trip(args: Any) -> None:
    wire_form = json.loads(json.dumps(to_json(args)))
    assert parse_mutation(args.NAME, wire_form) == args
    assert fingerprint(parse_mutation(args.NAME, wire_form)) == fingerprint(args)  # type: ignore[arg-type]


def test_every_editable_field_has_a_rule() -> None:
    for name in EDITABLE_FIELDS:
        assert validate_field_value(name, "я" * (MAX_LONG_TEXT + 1)) is not None
