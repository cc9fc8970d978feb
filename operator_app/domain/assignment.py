"""Auto-assignment: which operator of a team gets a case that arrives unassigned in its queue.

Pure and deterministic: the same case, team settings, loads and pointer always give the same
choice. The central service persists the pointer and applies the choice as its own timeline
event; the desk never runs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from operator_app.domain.model import Case, CaseType, TimelineEntry, TimelineKind

# Who the timeline names for an automatic assignment, and the "mutation" it went through.
AUTO_ASSIGNMENT_ACTOR = "auto-assignment"
AUTO_ASSIGNMENT_EVENT = "auto_assignment"
# Cases that do not name a language are Mongolian.
DEFAULT_LANGUAGE = "mn"
MAX_CAP = 10_000


class AssignmentMode(StrEnum):
    OFF = "off"
    ROUND_ROBIN = "round_robin"  # the next operator after the last one given a case
    LEAST_LOADED = "least_loaded"  # the operator with the fewest open cases


class Availability(StrEnum):
    """What an operator says about themselves; only `available` ones receive cases."""

    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


class Trigger(StrEnum):
    """What made the central service hand a case out."""

    ARRIVAL = "arrival"  # the case arrived unassigned in the queue
    AVAILABILITY = "availability"  # an operator of the team became available
    SETTINGS = "settings"  # the team's settings changed (switched on, cap raised, skills)
    CAPACITY = "capacity"  # an operator's open load dropped (a case resolved or taken away)


class Unassigned(StrEnum):
    """Why a case stayed in the team queue."""

    OFF = "off"  # the team does not assign automatically
    NO_CANDIDATE = "no_candidate"  # nobody available, under the cap and with the skills


@dataclass(frozen=True, slots=True)
class CaseNeeds:
    """What of a case the skills are matched against."""

    case_type: CaseType
    language: str = DEFAULT_LANGUAGE
    location: str | None = None  # an administrative unit code; its prefixes are its parents

    @classmethod
    def of(cls, case: Case) -> CaseNeeds:
        return cls(case.type, case.language or DEFAULT_LANGUAGE, case.location)


@dataclass(frozen=True, slots=True)
class Skills:
    """An operator's specialities. An empty set does not restrict; a set one does, and a case
    must match every restricting set (a region matches its aimag's or soum's code prefix)."""

    case_types: frozenset[CaseType] = frozenset()
    languages: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    def covers(self, needs: CaseNeeds) -> bool:
        if self.case_types and needs.case_type not in self.case_types:
            return False
        if self.languages and needs.language not in self.languages:
            return False
        if self.regions:
            location = needs.location or ""
            return any(location.startswith(region) for region in self.regions)
        return True

    @property
    def restricts(self) -> bool:
        return bool(self.case_types or self.languages or self.regions)


@dataclass(frozen=True, slots=True)
class AssignmentConfig:
    """A team's auto-assignment settings, as its supervisors set them."""

    mode: AssignmentMode = AssignmentMode.OFF
    cap: int | None = None  # open cases an operator may hold before being skipped
    skills: Mapping[str, Skills] = field(default_factory=dict, hash=False)

    def skills_of(self, operator_id: str) -> Skills:
        return self.skills.get(operator_id, _ANY)


_ANY = Skills()


@dataclass(frozen=True, slots=True)
class Candidate:
    """An operator of the team, as the central service sees them at the moment of choosing."""

    operator_id: str
    availability: Availability
    open_cases: int


@dataclass(frozen=True, slots=True)
class Choice:
    """The operator chosen (or None, with `unassigned` saying why) and the pointer after it."""

    assignee: str | None
    pointer: str | None
    unassigned: Unassigned | None = None


def may_receive(
    candidate: Candidate, needs: CaseNeeds, config: AssignmentConfig, exclude: frozenset[str]
) -> bool:
    """Available, under the cap, skilled for the case, and not explicitly left out."""
    return (
        candidate.availability is Availability.AVAILABLE
        and (config.cap is None or candidate.open_cases < config.cap)
        and candidate.operator_id not in exclude
        and config.skills_of(candidate.operator_id).covers(needs)
    )


def choose_assignee(
    needs: CaseNeeds,
    config: AssignmentConfig,
    candidates: Iterable[Candidate],
    pointer: str | None,
    exclude: frozenset[str] = frozenset(),
) -> Choice:
    """The operator who gets the case. Candidates are taken in id order, rotated to start just
    after `pointer` (the last operator given a case): round robin takes the first who may
    receive it, least loaded the one with the fewest open cases, ties going in rotation order."""
    if config.mode is AssignmentMode.OFF:
        return Choice(None, pointer, Unassigned.OFF)
    pool = [c for c in _rotation(candidates, pointer) if may_receive(c, needs, config, exclude)]
    if not pool:
        return Choice(None, pointer, Unassigned.NO_CANDIDATE)
    if config.mode is AssignmentMode.ROUND_ROBIN:
        picked = pool[0]
    else:
        picked = min(pool, key=lambda c: c.open_cases)  # the first of equals: rotation order
    return Choice(picked.operator_id, picked.operator_id)


def assign_in_turn(
    needs: Sequence[CaseNeeds],
    config: AssignmentConfig,
    candidates: Iterable[Candidate],
    pointer: str | None,
) -> tuple[list[Choice], dict[str, int]]:
    """Cases arriving one after another: each choice counts in the next one's loads.
    Returns the choices and the open cases per operator afterwards."""
    loads = {c.operator_id: c for c in candidates}
    choices = []
    for item in needs:
        choice = choose_assignee(item, config, loads.values(), pointer)
        if choice.assignee is not None:
            held = loads[choice.assignee]
            loads[choice.assignee] = replace(held, open_cases=held.open_cases + 1)
        pointer = choice.pointer
        choices.append(choice)
    return choices, {k: v.open_cases for k, v in loads.items()}


@dataclass(frozen=True, slots=True)
class Waiting:
    """A case waiting unassigned in a team queue."""

    case_id: str
    team: str
    needs: CaseNeeds


@dataclass(frozen=True, slots=True)
class TeamState:
    """A team as the backlog pass sees it: settings, members (id, availability), pointer."""

    config: AssignmentConfig
    members: tuple[tuple[str, Availability], ...]
    pointer: str | None = None


@dataclass(frozen=True, slots=True)
class Backlog:
    """What a backlog pass gave out (oldest first), the teams' pointers and the loads after."""

    given: tuple[tuple[Waiting, str], ...]
    pointers: Mapping[str, str | None]
    loads: Mapping[str, int]


def has_room(team: TeamState, loads: Mapping[str, int]) -> bool:
    """Whether some member is available and under the cap (skills aside)."""
    if team.config.mode is AssignmentMode.OFF:
        return False
    cap = team.config.cap
    return any(
        availability is Availability.AVAILABLE and (cap is None or loads.get(oid, 0) < cap)
        for oid, availability in team.members
    )


def assign_backlog(
    waiting: Sequence[Waiting],
    teams: Mapping[str, TeamState],
    loads: Mapping[str, int],
    budget: int,
) -> Backlog:
    """Hand out waiting cases, oldest first (the caller's order), each by the same rule as an
    arrival in its team (`choose_assignee`, from the team's pointer). A case nobody may take
    stays and the next one is tried. Each choice counts in the next one's loads, across teams
    (an operator has one load, whatever the team). Stops after `budget` cases, or as soon as
    no team has room left."""
    held = dict(loads)
    pointers = {team_id: team.pointer for team_id, team in teams.items()}
    given: list[tuple[Waiting, str]] = []
    for item in waiting:
        if len(given) >= budget or not any(has_room(t, held) for t in teams.values()):
            break
        team = teams.get(item.team)
        if team is None:
            continue
        pool = [
            Candidate(oid, availability, held.get(oid, 0)) for oid, availability in team.members
        ]
        choice = choose_assignee(item.needs, team.config, pool, pointers[item.team])
        if choice.assignee is None:
            continue
        pointers[item.team] = choice.pointer
        held[choice.assignee] = held.get(choice.assignee, 0) + 1
        given.append((item, choice.assignee))
    return Backlog(tuple(given), pointers, held)


def _rotation(candidates: Iterable[Candidate], pointer: str | None) -> list[Candidate]:
    ordered = sorted(candidates, key=lambda c: c.operator_id)
    if pointer is None:
        return ordered
    after = [c for c in ordered if c.operator_id > pointer]
    return after + [c for c in ordered if c.operator_id <= pointer]


def auto_assigned(
    case: Case,
    assignee: str,
    mode: AssignmentMode,
    now: datetime,
    trigger: Trigger = Trigger.ARRIVAL,
) -> tuple[Case, TimelineEntry]:
    """The case given to `assignee`, and its timeline entry (an event of its own). An entry
    of a backlog pass also says what freed the capacity."""
    changed = replace(
        case,
        assignee=assignee,
        assigned_by=AUTO_ASSIGNMENT_ACTOR,
        assigned_at=now,
        updated_at=now,
    )
    entry = TimelineEntry(
        case.id,
        now,
        AUTO_ASSIGNMENT_ACTOR,
        TimelineKind.ASSIGNMENT,
        AUTO_ASSIGNMENT_EVENT,
        {
            "from": case.assignee,
            "to": assignee,
            "team": case.team,
            "mode": mode.value,
            **({} if trigger is Trigger.ARRIVAL else {"trigger": trigger.value}),
        },
    )
    return changed, entry
