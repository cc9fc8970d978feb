"""The case model: enums and frozen records shared by the desktop and the central service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class CaseType(StrEnum):
    """The kinds of appeal the law on citizens' petitions and complaints distinguishes."""

    COMPLAINT = "complaint"
    PETITION = "petition"
    REQUEST = "request"
    CRITICISM = "criticism"
    SUGGESTION = "suggestion"
    THANKS = "thanks"
    INFORMATION = "information"


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    TRANSFERRED = "transferred"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Channel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    WEB = "web"
    WEB_CHAT = "web_chat"
    MOBILE_APP = "mobile_app"
    EMAIL = "email"
    FACEBOOK = "facebook"
    VOICEMAIL = "voicemail"
    KIOSK = "kiosk"
    WALK_IN = "walk_in"
    LETTER = "letter"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    AUDITOR = "auditor"


class NoteVisibility(StrEnum):
    INTERNAL = "internal"
    CITIZEN = "citizen"  # may be read out or sent to the citizen as part of the answer


class CallDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    CALLBACK_REQUESTED = "callback_requested"
    DROPPED = "dropped"


class LinkKind(StrEnum):
    DUPLICATE = "duplicate"
    RELATED = "related"


class TimelineKind(StrEnum):
    CREATED = "created"
    NOTE = "note"
    CALL = "call"
    STATUS = "status"
    ASSIGNMENT = "assignment"
    TRANSFER = "transfer"
    EXTENSION = "extension"
    LINK = "link"
    FIELDS = "fields"
    CONFLICT_RESOLVED = "conflict_resolved"
    AGENCY_ANSWER = "agency_answer"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change. `centres` are the centres an operator works in or a supervisor runs."""

    id: str
    role: Role
    centres: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    primary_team: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """One citizen's appeal. The caller's details are a snapshot taken when the case is logged."""

    id: str
    centre: str
    channel: Channel
    type: CaseType
    category: str
    subject: str
    description: str
    registered_at: datetime
    created_by: str
    status: Status = Status.NEW
    priority: Priority = Priority.NORMAL
    confidential: bool = False
    number: str | None = None  # permanent YYYY-NNNNNN, given by the central service
    provisional_ref: str | None = None  # per-device number read to the citizen before sync
    citizen_id: str | None = None
    citizen_name: str = ""
    reg_no: str | None = None
    phone: str | None = None
    address: str = ""
    location: str | None = None  # administrative unit code (aimag, soum or bag level)
    language: str | None = None  # the citizen's language (ISO 639 code); None: Mongolian
    assignee: str | None = None
    team: str | None = None
    assigned_by: str | None = None
    assigned_at: datetime | None = None
    agency: str | None = None
    # The last answer the agency gave on a transferred case, and when (record_agency_answer).
    agency_answer: str = ""
    agency_answered_at: datetime | None = None
    resolution: str = ""
    due_date: date | None = None
    extension_days: int = 0
    extension_notice: str = ""
    extended_by: str | None = None
    extended_at: datetime | None = None
    links: tuple[str, ...] = ()
    duplicate_of: str | None = None
    create_fingerprint: str = ""
    updated_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.RESOLVED, Status.CLOSED)

    @property
    def is_anonymous(self) -> bool:
        return not (self.citizen_id or self.citizen_name or self.reg_no or self.phone)


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    case_id: str
    author: str
    body: str
    visibility: NoteVisibility
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Call:
    id: str
    case_id: str
    operator: str
    direction: CallDirection
    phone: str | None
    started_at: datetime
    duration_s: int
    outcome: CallOutcome


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a case's append-only history: who, when, what, through which mutation."""

    case_id: str
    at: datetime
    actor: str
    kind: TimelineKind
    mutation: str
    data: dict[str, object] = field(default_factory=dict, compare=False)


class ConflictState(StrEnum):
    OPEN = "open"  # a person must choose
    OVERWRITTEN = "overwritten"  # applied in server order; the lost value is kept here
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """Two edits of one field from the same base. The id is given by whoever stores it."""

    case_id: str
    field: str
    base: object
    current: object  # the value the server had
    proposed: object  # the value the mutation wanted
    state: ConflictState
    by: str
    at: datetime
    id: str = ""
    resolution: str = ""
