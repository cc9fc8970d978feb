"""The supervisor desk's calls to the central service: availability and team auto-assignment.

    GET  /availability?centre=CODE      the centre's people and whether they are at their desks
    GET  /me/availability               the signed-in account's own
    PUT  /me/availability               set it: {"availability": "available" | "away" | ...}
    GET  /teams/{team_id}/assignment    a team's auto-assignment settings
    PUT  /teams/{team_id}/assignment    change them (the team's supervisors)

Signed-in requests go through a `ServerLink` (one refresh and retry on a 401), as the sync
engine's do. Qt-free: the desk runs these on its query pool. Answers are read leniently (an
older desk keeps working against a newer server) but a value of the wrong type is a
`ProtocolError`, never a crash later in a widget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from sync.credentials import Credentials
from sync.errors import ProtocolError
from sync.http import CentralClient
from sync.link import ServerLink


class Availability(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"
    OFFLINE = "offline"


# What an operator may choose for themselves on the desk.
CHOOSABLE = (Availability.AVAILABLE, Availability.AWAY, Availability.OFFLINE)


class AssignmentMode(StrEnum):
    OFF = "off"
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


@dataclass(frozen=True, slots=True)
class OperatorAvailability:
    """One person of a centre as the availability list shows them."""

    user_id: str
    display_name: str
    role: str
    teams: tuple[str, ...]
    availability: Availability
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class MyAvailability:
    availability: Availability
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Skills:
    """What an operator is given by auto-assignment; empty means "anything"."""

    case_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.case_types or self.languages or self.regions)


@dataclass(frozen=True, slots=True)
class TeamAssignment:
    """A team's auto-assignment: who gets new cases, at most `cap` open ones each."""

    mode: AssignmentMode = AssignmentMode.OFF
    cap: int | None = None
    skills: Mapping[str, Skills] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "cap": self.cap,
            "skills": {
                user: {
                    "case_types": list(s.case_types),
                    "languages": list(s.languages),
                    "regions": list(s.regions),
                }
                for user, s in sorted(self.skills.items())
            },
        }


class SupervisorApi:
    """The supervisor endpoints, over the desk's signed-in link. Thread-safe."""

    def __init__(self, link: ServerLink) -> None:
        self._link = link

    def availability(self, centre: str) -> list[OperatorAvailability]:
        """The people of one centre and their availability."""
        body = self._link.get("/availability", {"centre": centre}).body
        people = body.get("operators")
        if not isinstance(people, list):
            raise ProtocolError("malformed availability answer (operators)")
        return [_operator(item) for item in people]

    def my_availability(self) -> MyAvailability:
        return _mine(self._link.get("/me/availability").body, None)

    def set_my_availability(self, availability: Availability) -> MyAvailability:
        body = self._link.put("/me/availability", {"availability": availability.value}).body
        return _mine(body, availability)

    def team_assignment(self, team_id: str) -> TeamAssignment:
        return _assignment(self._link.get(_team_path(team_id)).body)

    def set_team_assignment(self, team_id: str, settings: TeamAssignment) -> TeamAssignment:
        body = self._link.put(_team_path(team_id), settings.to_json()).body
        return _assignment(body) if body else settings


def supervisor_api_for(
    client: CentralClient,
    credentials: Credentials,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SupervisorApi:
    """The API over the desk's own client and sign-in (those the sync engine uses): a 401
    rotates the shared refresh token once, as the engine's link does."""
    return SupervisorApi(ServerLink(client, credentials, clock))


def _team_path(team_id: str) -> str:
    return f"/teams/{quote(team_id, safe='')}/assignment"


def _text(data: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise ProtocolError(f"malformed answer ({name})")
    return value


def _texts(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProtocolError(f"malformed answer ({name})")
    return tuple(value)


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError("malformed answer (since)")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ProtocolError("malformed answer (since)") from None
    return when if when.tzinfo is not None else None


def _state(value: object) -> Availability:
    if not isinstance(value, str):
        raise ProtocolError("malformed answer (availability)")
    # A state this desk does not know yet counts as not at the desk.
    return Availability(value) if value in Availability._value2member_map_ else Availability.AWAY


def _operator(item: object) -> OperatorAvailability:
    if not isinstance(item, dict):
        raise ProtocolError("malformed availability answer (operator)")
    return OperatorAvailability(
        user_id=_text(item, "user_id"),
        display_name=_text(item, "display_name", ""),
        role=_text(item, "role", ""),
        teams=_texts(item, "teams"),
        availability=_state(item.get("availability")),
        since=_when(item.get("since")),
    )


def _mine(body: Mapping[str, Any], asked: Availability | None) -> MyAvailability:
    if not body and asked is not None:
        return MyAvailability(asked)  # an older server answers 204 with no body
    return MyAvailability(_state(body.get("availability")), _when(body.get("since")))


def _assignment(body: Mapping[str, Any]) -> TeamAssignment:
    mode = body.get("mode", AssignmentMode.OFF.value)
    if not isinstance(mode, str) or mode not in AssignmentMode._value2member_map_:
        raise ProtocolError("malformed assignment answer (mode)")
    cap = body.get("cap")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
        raise ProtocolError("malformed assignment answer (cap)")
    raw = body.get("skills") or {}
    if not isinstance(raw, dict):
        raise ProtocolError("malformed assignment answer (skills)")
    skills: dict[str, Skills] = {}
    for user, item in raw.items():
        if not isinstance(item, dict):
            raise ProtocolError("malformed assignment answer (skills)")
        skills[str(user)] = Skills(
            _texts(item, "case_types"), _texts(item, "languages"), _texts(item, "regions")
        )
    return TeamAssignment(AssignmentMode(mode), cap, skills)
