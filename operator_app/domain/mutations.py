"""The mutations: named intents with typed arguments, parsed from and written to JSON."""

from __future__ import annotations

import hashlib
import json
import re
import types
import typing
from dataclasses import MISSING, dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, ClassVar, Union

from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.identifiers import normalize_phone, parse_registration_number
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

MAX_SHORT_TEXT = 300
MAX_LONG_TEXT = 20_000
MAX_ID = 100
# A provisional case number (P-7K3Q-17) as the desk made it up: the central service stores 40.
MAX_PROVISIONAL_REF = 40
# A language code (ISO 639-1 or -2), as the auto-assignment's language skills name them.
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")

# Fields whose concurrent edits are applied in server order (the lost value is kept), and the
# others, whose concurrent edits open a conflict for a person to resolve (SYNC.md).
CONTACT_FIELDS = frozenset({"phone", "address"})
REVIEWED_FIELDS = frozenset(
    {"description", "category", "type", "priority", "reg_no", "location", "subject", "citizen_name"}
)
EDITABLE_FIELDS = CONTACT_FIELDS | REVIEWED_FIELDS


@dataclass(frozen=True, slots=True)
class CitizenInfo:
    """The caller as the operator recorded them; every part may be empty (anonymous calls)."""

    citizen_id: str | None = None
    name: str = ""
    reg_no: str | None = None
    phone: str | None = None
    address: str = ""


@dataclass(frozen=True, slots=True)
class FieldChange:
    base: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class CreateCase:
    NAME: ClassVar[str] = "create_case"
    case_id: str
    centre: str
    channel: Channel
    type: CaseType
    category: str
    subject: str
    description: str = ""
    citizen: CitizenInfo = CitizenInfo()
    location: str | None = None
    priority: Priority = Priority.NORMAL
    confidential: bool = False
    provisional_ref: str | None = None
    team: str | None = None
    assignee: str | None = None
    language: str | None = None  # the citizen's language, when not Mongolian
    # When the call was logged on the desk: the legal deadline counts from it, even when the
    # case reaches the central service days later (see mutators.registration_time).
    registered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AddNote:
    NAME: ClassVar[str] = "add_note"
    note_id: str
    case_id: str
    body: str
    visibility: NoteVisibility = NoteVisibility.INTERNAL


@dataclass(frozen=True, slots=True)
class LogCall:
    NAME: ClassVar[str] = "log_call"
    call_id: str
    case_id: str
    direction: CallDirection
    started_at: datetime
    duration_s: int = 0
    outcome: CallOutcome = CallOutcome.ANSWERED
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    NAME: ClassVar[str] = "change_status"
    case_id: str
    to: Status
    reason: str = ""
    resolution: str = ""  # the answer given to the citizen, when moving to resolved
    # `from` is a Python keyword; the wire name is "from" (see WIRE_NAMES).
    from_: Status | None = None


@dataclass(frozen=True, slots=True)
class ReassignCase:
    NAME: ClassVar[str] = "reassign_case"
    case_id: str
    expected_assignee: str | None
    new_assignee: str | None
    reason: str = ""
    new_team: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateCaseFields:
    NAME: ClassVar[str] = "update_case_fields"
    case_id: str
    changes: dict[str, FieldChange]


@dataclass(frozen=True, slots=True)
class TransferCase:
    NAME: ClassVar[str] = "transfer_case"
    case_id: str
    agency: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ExtendDeadline:
    NAME: ClassVar[str] = "extend_deadline"
    case_id: str
    days: int
    notice: str


@dataclass(frozen=True, slots=True)
class RecordAgencyAnswer:
    """The agency's answer on a transferred case. A final answer resolves the case (DOMAIN.md:
    transferred -> resolved, "agency answered"); an interim one is recorded and the case stays
    transferred, under watch."""

    NAME: ClassVar[str] = "record_agency_answer"
    case_id: str
    answer: str
    answered_at: datetime
    final: bool = True


@dataclass(frozen=True, slots=True)
class LinkCases:
    NAME: ClassVar[str] = "link_cases"
    case_id: str
    other_case_id: str
    kind: LinkKind = LinkKind.RELATED


@dataclass(frozen=True, slots=True)
class ResolveConflict:
    NAME: ClassVar[str] = "resolve_conflict"
    conflict_id: str
    case_id: str
    choice: str  # "keep_server", "reapply" or "merge"
    value: str | None = None  # the merged value, for "merge"


MutationArgs = (
    CreateCase
    | AddNote
    | LogCall
    | ChangeStatus
    | ReassignCase
    | UpdateCaseFields
    | TransferCase
    | ExtendDeadline
    | RecordAgencyAnswer
    | LinkCases
    | ResolveConflict
)

MUTATIONS: dict[str, type[Any]] = {
    cls.NAME: cls
    for cls in (
        CreateCase,
        AddNote,
        LogCall,
        ChangeStatus,
        ReassignCase,
        UpdateCaseFields,
        TransferCase,
        ExtendDeadline,
        RecordAgencyAnswer,
        LinkCases,
        ResolveConflict,
    )
}

RESOLVE_CHOICES = frozenset({"keep_server", "reapply", "merge"})
WIRE_NAMES = {"from_": "from"}
_LONG_TEXT_FIELDS = frozenset(
    {"description", "body", "notice", "resolution", "note", "reason", "answer"}
)
# Identifiers of cases, their children, centres, teams and people: the central service keys
# its rows on them (MAX_ID characters), so a longer one is refused here, on the desk and on
# the server alike, instead of failing the database's write.
_ID_FIELDS = frozenset(
    {
        "case_id",
        "note_id",
        "call_id",
        "conflict_id",
        "other_case_id",
        "citizen_id",
        "centre",
        "team",
        "assignee",
        "expected_assignee",
        "new_assignee",
        "new_team",
    }
)


def parse_mutation(name: str, raw: object) -> MutationArgs | FieldError:
    """Typed arguments from a wire dict, or the first problem found, naming the field."""
    cls = MUTATIONS.get(name)
    if cls is None:
        return FieldError("name", Reason.UNKNOWN_VALUE, str(name)[:MAX_ID])
    parsed = _parse_dataclass(cls, raw, "")
    if isinstance(parsed, FieldError):
        return parsed
    problem = _validate(parsed)
    return problem if problem is not None else parsed


def to_json(value: Any) -> Any:
    """The wire form of mutation arguments (and anything nested in them)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            WIRE_NAMES.get(f.name, f.name): to_json(getattr(value, f.name)) for f in fields(value)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def fingerprint(args: MutationArgs) -> str:
    """A stable digest of the arguments, to tell a re-sent create from a reused id.

    Fields left at their defaults are not part of it, so a field added to a mutation later
    (SYNC.md: add fields, never rename) does not turn an older desk's re-send into ID_REUSED.
    """
    given = {
        f.name: getattr(args, f.name)
        for f in fields(args)
        if f.default is MISSING or getattr(args, f.name) != f.default
    }
    blob = json.dumps(to_json(given), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


@cache
def _type_hints(cls: type[Any]) -> dict[str, Any]:
    # Resolving string annotations costs ~100 µs a call: a local save must not pay it each time.
    return typing.get_type_hints(cls)


def _parse_dataclass(cls: type[Any], raw: object, prefix: str) -> Any:
    if not isinstance(raw, dict):
        return FieldError(prefix.rstrip(".") or "args", Reason.BAD_FORMAT)
    hints = _type_hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):
        wire = WIRE_NAMES.get(f.name, f.name)
        path = prefix + wire
        if wire not in raw:
            if f.default is MISSING and f.default_factory is MISSING:
                return FieldError(path, Reason.REQUIRED)
            continue
        parsed = _parse_value(hints[f.name], raw[wire], path)
        if isinstance(parsed, FieldError):
            return parsed
        values[f.name] = parsed
    return cls(**values)


def _parse_value(hint: Any, raw: object, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if raw is None:
            return None
        return _parse_value(options[0], raw, path)
    if origin is dict:
        _, value_hint = typing.get_args(hint)
        if not isinstance(raw, dict) or not raw:
            return FieldError(path, Reason.BAD_FORMAT if raw else Reason.REQUIRED)
        out = {}
        for key, item in raw.items():
            parsed = _parse_value(value_hint, item, f"{path}.{key}")
            if isinstance(parsed, FieldError):
                return parsed
            out[str(key)] = parsed
        return out
    if is_dataclass(hint):
        return _parse_dataclass(hint, raw, path + ".")
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(raw)
        except ValueError:
            return FieldError(path, Reason.UNKNOWN_VALUE, str(raw)[:MAX_ID])
    if hint is bool:
        return raw if isinstance(raw, bool) else FieldError(path, Reason.BAD_FORMAT)
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            return FieldError(path, Reason.BAD_FORMAT)
        return raw
    if hint is datetime:
        return _parse_datetime(raw, path)
    if hint is str:
        if not isinstance(raw, str):
            return FieldError(path, Reason.BAD_FORMAT)
        limit = _text_limit(path)
        if len(raw) > limit:
            return FieldError(path, Reason.TOO_LONG, details={"limit": limit})
        return raw
    return FieldError(path, Reason.BAD_FORMAT)


def _text_limit(path: str) -> int:
    """The length limit of a text argument, by its name. An edited field's `base` and `new`
    (`changes.<field>.new`) take the field's limit; resolve_conflict's merged `value` takes the
    long limit here and its field's own limit in `validate_field_value`; identifiers (also
    `citizen.citizen_id`) and the provisional number take what the central service stores."""
    parts = path.split(".")
    name = parts[-1]
    if len(parts) == 3 and parts[0] == "changes" and name in ("base", "new"):
        name = parts[1]
    elif path == "value":
        return MAX_LONG_TEXT
    elif path == "provisional_ref":
        return MAX_PROVISIONAL_REF
    elif name in _ID_FIELDS:
        return MAX_ID
    return MAX_LONG_TEXT if name in _LONG_TEXT_FIELDS else MAX_SHORT_TEXT


def _parse_datetime(raw: object, path: str) -> datetime | FieldError:
    if not isinstance(raw, str) or len(raw) > 40:
        return FieldError(path, Reason.BAD_FORMAT)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return FieldError(path, Reason.BAD_FORMAT, raw)
    if value.tzinfo is None:
        return FieldError(path, Reason.BAD_FORMAT, raw, {"expected": "timezone-aware"})
    return value


def _required(path: str, text: str) -> FieldError | None:
    return FieldError(path, Reason.REQUIRED) if not text.strip() else None


def _validate(args: MutationArgs) -> FieldError | None:
    """Rules that a type alone cannot say: required text, identifiers, ranges."""
    match args:
        case CreateCase():
            for name in ("case_id", "centre", "category", "subject"):
                if problem := _required(name, getattr(args, name)):
                    return problem
            if args.language is not None and not _LANGUAGE_CODE.match(args.language):
                return FieldError("language", Reason.BAD_FORMAT, args.language[:MAX_ID])
            return _validate_citizen(args.citizen)
        case AddNote():
            return _required("body", args.body)
        case LogCall():
            if not 0 <= args.duration_s <= 24 * 3600:
                return FieldError("duration_s", Reason.OUT_OF_RANGE, str(args.duration_s))
            if args.phone:
                phone = normalize_phone(args.phone)
                return phone if isinstance(phone, FieldError) else None
            return None
        case ChangeStatus() if args.from_ is not None and args.from_ is args.to:
            return FieldError("to", Reason.OUT_OF_RANGE, args.to.value)
        case TransferCase():
            return _required("agency", args.agency)
        case ExtendDeadline():
            if args.days <= 0:
                return FieldError("days", Reason.OUT_OF_RANGE, str(args.days))
            return _required("notice", args.notice)
        case RecordAgencyAnswer():
            return _required("answer", args.answer)
        case LinkCases() if args.other_case_id == args.case_id:
            return FieldError("other_case_id", Reason.OUT_OF_RANGE, args.other_case_id)
        case ResolveConflict() if args.choice not in RESOLVE_CHOICES:
            return FieldError("choice", Reason.UNKNOWN_VALUE, args.choice[:MAX_ID])
        case UpdateCaseFields():
            for name, change in args.changes.items():
                if name not in EDITABLE_FIELDS:
                    return FieldError(f"changes.{name}", Reason.UNKNOWN_VALUE, name[:MAX_ID])
                if problem := validate_field_value(name, change.new):
                    return problem
    return None


def _validate_citizen(citizen: CitizenInfo) -> FieldError | None:
    if citizen.phone:
        phone = normalize_phone(citizen.phone, "citizen.phone")
        if isinstance(phone, FieldError):
            return phone
    if citizen.reg_no:
        reg = parse_registration_number(citizen.reg_no, "citizen.reg_no")
        if isinstance(reg, FieldError):
            return reg
    return None


def validate_field_value(name: str, value: str | None) -> FieldError | None:
    """Whether `value` is acceptable for an editable case field."""
    path = f"changes.{name}"
    if value is None or not value.strip():
        if name in ("category", "subject", "type", "priority"):
            return FieldError(path, Reason.REQUIRED)
        return None
    limit = MAX_LONG_TEXT if name in _LONG_TEXT_FIELDS else MAX_SHORT_TEXT
    if len(value) > limit:
        return FieldError(path, Reason.TOO_LONG, details={"limit": limit})
    if name == "type" and value not in CaseType._value2member_map_:
        return FieldError(path, Reason.UNKNOWN_VALUE, value[:MAX_ID])
    if name == "priority" and value not in Priority._value2member_map_:
        return FieldError(path, Reason.UNKNOWN_VALUE, value[:MAX_ID])
    if name == "phone":
        phone = normalize_phone(value, path)
        return phone if isinstance(phone, FieldError) else None
    if name == "reg_no":
        reg = parse_registration_number(value, path)
        return reg if isinstance(reg, FieldError) else None
    return None
