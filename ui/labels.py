"""The translated names of the domain's codes (statuses, types, channels...) and of reference
data (categories, agencies, places), for every widget that shows them."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QCoreApplication

from i18n import formatting
from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import (
    CallDirection,
    CallOutcome,
    CaseType,
    Channel,
    NoteVisibility,
    Priority,
    Role,
    Status,
)
from operator_app.domain.translit import to_latin
from operator_app.reference import admin_unit_path, agencies, categories
from operator_app.store.columns import CaseSyncState

Label = Callable[[], str]

_STATUS: dict[Status, Label] = {
    Status.NEW: lambda: QCoreApplication.translate("CaseLabels", "New", "status"),
    Status.IN_PROGRESS: lambda: QCoreApplication.translate("CaseLabels", "In progress", "status"),
    Status.WAITING: lambda: QCoreApplication.translate(
        "CaseLabels", "Waiting for the citizen", "status"
    ),
    Status.TRANSFERRED: lambda: QCoreApplication.translate("CaseLabels", "Transferred", "status"),
    Status.RESOLVED: lambda: QCoreApplication.translate("CaseLabels", "Resolved", "status"),
    Status.CLOSED: lambda: QCoreApplication.translate("CaseLabels", "Closed", "status"),
}
_TYPE: dict[CaseType, Label] = {
    CaseType.COMPLAINT: lambda: QCoreApplication.translate("CaseLabels", "Complaint"),
    CaseType.PETITION: lambda: QCoreApplication.translate("CaseLabels", "Petition"),
    CaseType.REQUEST: lambda: QCoreApplication.translate("CaseLabels", "Request"),
    CaseType.CRITICISM: lambda: QCoreApplication.translate("CaseLabels", "Criticism"),
    CaseType.SUGGESTION: lambda: QCoreApplication.translate("CaseLabels", "Suggestion"),
    CaseType.THANKS: lambda: QCoreApplication.translate("CaseLabels", "Thanks"),
    CaseType.INFORMATION: lambda: QCoreApplication.translate("CaseLabels", "Information request"),
}
_CHANNEL: dict[Channel, Label] = {
    Channel.PHONE: lambda: QCoreApplication.translate("CaseLabels", "Phone"),
    Channel.SMS: lambda: QCoreApplication.translate("CaseLabels", "SMS"),
    Channel.WEB: lambda: QCoreApplication.translate("CaseLabels", "Web"),
    Channel.WEB_CHAT: lambda: QCoreApplication.translate("CaseLabels", "Web chat"),
    Channel.MOBILE_APP: lambda: QCoreApplication.translate("CaseLabels", "Mobile app"),
    Channel.EMAIL: lambda: QCoreApplication.translate("CaseLabels", "E-mail"),
    Channel.FACEBOOK: lambda: QCoreApplication.translate("CaseLabels", "Facebook"),
    Channel.VOICEMAIL: lambda: QCoreApplication.translate("CaseLabels", "Voicemail"),
    Channel.KIOSK: lambda: QCoreApplication.translate("CaseLabels", "Kiosk"),
    Channel.WALK_IN: lambda: QCoreApplication.translate("CaseLabels", "Walk-in"),
    Channel.LETTER: lambda: QCoreApplication.translate("CaseLabels", "Letter"),
}
_PRIORITY: dict[Priority, Label] = {
    Priority.LOW: lambda: QCoreApplication.translate("CaseLabels", "Low", "priority"),
    Priority.NORMAL: lambda: QCoreApplication.translate("CaseLabels", "Normal", "priority"),
    Priority.HIGH: lambda: QCoreApplication.translate("CaseLabels", "High", "priority"),
    Priority.URGENT: lambda: QCoreApplication.translate("CaseLabels", "Urgent", "priority"),
}
_DEADLINE: dict[DeadlineState, Label] = {
    DeadlineState.NONE: lambda: QCoreApplication.translate("CaseLabels", "No deadline"),
    DeadlineState.ON_TIME: lambda: QCoreApplication.translate("CaseLabels", "On time"),
    DeadlineState.DUE_SOON: lambda: QCoreApplication.translate("CaseLabels", "Due soon"),
    DeadlineState.OVERDUE: lambda: QCoreApplication.translate("CaseLabels", "Overdue"),
    DeadlineState.ANSWERED: lambda: QCoreApplication.translate("CaseLabels", "Answered"),
}
_SYNC: dict[CaseSyncState, Label] = {
    CaseSyncState.SYNCED: lambda: QCoreApplication.translate("CaseLabels", "Synced"),
    CaseSyncState.PENDING: lambda: QCoreApplication.translate("CaseLabels", "Waiting to sync"),
    CaseSyncState.REJECTED: lambda: QCoreApplication.translate(
        "CaseLabels", "Refused by the server"
    ),
    CaseSyncState.CONFLICT: lambda: QCoreApplication.translate("CaseLabels", "Conflict to resolve"),
}
_ROLE: dict[Role, Label] = {
    Role.OPERATOR: lambda: QCoreApplication.translate("CaseLabels", "Operator"),
    Role.SUPERVISOR: lambda: QCoreApplication.translate("CaseLabels", "Supervisor"),
    Role.ADMIN: lambda: QCoreApplication.translate("CaseLabels", "Administrator"),
    Role.AUDITOR: lambda: QCoreApplication.translate("CaseLabels", "Auditor"),
}
_OUTCOME: dict[CallOutcome, Label] = {
    CallOutcome.ANSWERED: lambda: QCoreApplication.translate(
        "CaseLabels", "Answered", "call outcome"
    ),
    CallOutcome.NO_ANSWER: lambda: QCoreApplication.translate("CaseLabels", "No answer"),
    CallOutcome.BUSY: lambda: QCoreApplication.translate("CaseLabels", "Busy"),
    CallOutcome.CALLBACK_REQUESTED: lambda: QCoreApplication.translate(
        "CaseLabels", "Asked to be called back"
    ),
    CallOutcome.DROPPED: lambda: QCoreApplication.translate("CaseLabels", "Dropped"),
}
_DIRECTION: dict[CallDirection, Label] = {
    CallDirection.INBOUND: lambda: QCoreApplication.translate("CaseLabels", "Incoming call"),
    CallDirection.OUTBOUND: lambda: QCoreApplication.translate("CaseLabels", "Outgoing call"),
}
_VISIBILITY: dict[NoteVisibility, Label] = {
    NoteVisibility.INTERNAL: lambda: QCoreApplication.translate("CaseLabels", "Internal note"),
    NoteVisibility.CITIZEN: lambda: QCoreApplication.translate(
        "CaseLabels", "Part of the answer to the citizen"
    ),
}
_FIELD: dict[str, Label] = {
    "subject": lambda: QCoreApplication.translate("CaseLabels", "Subject"),
    "description": lambda: QCoreApplication.translate("CaseLabels", "Description"),
    "category": lambda: QCoreApplication.translate("CaseLabels", "Category"),
    "type": lambda: QCoreApplication.translate("CaseLabels", "Type"),
    "priority": lambda: QCoreApplication.translate("CaseLabels", "Priority"),
    "reg_no": lambda: QCoreApplication.translate("CaseLabels", "Registration number"),
    "location": lambda: QCoreApplication.translate("CaseLabels", "Place"),
    "citizen_name": lambda: QCoreApplication.translate("CaseLabels", "Citizen"),
    "phone": lambda: QCoreApplication.translate("CaseLabels", "Phone number"),
    "address": lambda: QCoreApplication.translate("CaseLabels", "Address"),
}


# What a type answers to in a type-ahead field, whichever language the desk shows: operators
# type the Mongolian word with the English interface on, and the other way round.
TYPE_SEARCH_WORDS: dict[CaseType, str] = {
    CaseType.COMPLAINT: "гомдол complaint",
    CaseType.PETITION: "өргөдөл petition",
    CaseType.REQUEST: "хүсэлт request",
    CaseType.CRITICISM: "шүүмжлэл criticism",
    CaseType.SUGGESTION: "санал suggestion",
    CaseType.THANKS: "талархал thanks",
    CaseType.INFORMATION: "мэдээлэл information",
}


def status_label(value: Status) -> str:
    return _STATUS[value]()


def type_label(value: CaseType) -> str:
    return _TYPE[value]()


def channel_label(value: Channel) -> str:
    return _CHANNEL[value]()


def priority_label(value: Priority) -> str:
    return _PRIORITY[value]()


def deadline_label(value: DeadlineState) -> str:
    return _DEADLINE[value]()


def sync_label(value: CaseSyncState) -> str:
    return _SYNC[value]()


def role_label(value: Role) -> str:
    return _ROLE[value]()


def outcome_label(value: CallOutcome) -> str:
    return _OUTCOME[value]()


def direction_label(value: CallDirection) -> str:
    return _DIRECTION[value]()


def visibility_label(value: NoteVisibility) -> str:
    return _VISIBILITY[value]()


def field_label(name: str) -> str:
    """A case field's name as the case view labels it; the code itself if unknown."""
    label = _FIELD.get(name)
    return label() if label is not None else name


# --- reference data: named in the data itself, in both languages --------------------------


def _english() -> bool:
    return formatting.current_locale() == "en"


@cache
def _category_names() -> dict[str, tuple[str, str]]:
    return {c.code: (c.name_mn, c.name_en) for c in categories()}


@cache
def _agency_names() -> dict[str, tuple[str, str]]:
    return {a.code: (a.name_mn, a.name_en) for a in agencies()}


def category_name(code: str, *, full: bool = False) -> str:
    """A category's name in the interface language; with `full`, "Parent › Child"."""
    names = _category_names()
    pair = names.get(code)
    if pair is None:
        return code
    name = pair[1] if _english() else pair[0]
    parent = code.rpartition(".")[0]
    if full and parent in names:
        return f"{category_name(parent)} › {name}"
    return name


def agency_name(code: str) -> str:
    pair = _agency_names().get(code)
    if pair is None:
        return code
    return pair[1] if _english() else pair[0]


def place_name(code: str | None, *, levels: int = 2) -> str:
    """An administrative unit as its first `levels` levels: "Дархан-Уул, Хонгор" for a bag.

    Units are named in Mongolian only; the English interface shows them transliterated.
    """
    path = admin_unit_path(code)
    if not path:
        return code or ""
    names = [unit_name(unit.name) for unit in path[:levels]]
    return ", ".join(names)


def unit_name(name: str) -> str:
    """An administrative unit's name for display, in the interface's script."""
    name = name.strip()
    return to_latin(name) if _english() else name
