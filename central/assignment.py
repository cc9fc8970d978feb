"""Auto-assignment on the central service: teams' settings, the assignment of a case that
arrives unassigned in a team queue (created there, or reassigned to the team), and the backlog
pass that hands out waiting cases when capacity appears.

The choice is the domain's (`operator_app.domain.assignment`); here it runs inside a write
transaction that first locks the settings rows of the teams concerned and of every other team
their operators work in (`assignment_store.lock_teams`), so that any two transactions that
could give a case to the same operator take turns on the pointers and the loads, and the cap
holds across teams. Each assignment is a timeline event of its own, by "auto-assignment",
with an audit entry, and reaches the desks with the case through the pull feed.

The backlog pass runs on three triggers, each bounded so the transaction stays short:
an operator becomes available (`AvailabilityService.set`), a team's settings are saved
(`TeamAssignments.put`), and an operator's open load drops in a push (a case of theirs
resolved, closed or taken away: one case at most, for the one freed slot).

Lock order, the same in every transaction, so none can wait in a circle: (in a push) the
client's row and the pushed cases' (all of a batch's at once, sorted; the batch commits after
the one mutation that goes on to the teams); then the teams' settings rows, all in one sorted
statement and never again later in the transaction; then waiting cases, skipping any another writer
holds instead of waiting for it; then the clock row (the stamp); then, in the availability
transaction only, the operator's own row, after the stamp like every directory write.
SQLite takes none of these: its writers take turns on the whole database.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from central.data import assignment as assignment_store
from central.data import audit
from central.data import cases as case_store
from central.data import directory as directory_store
from central.data.engine import read_transaction
from central.data.stamping import PENDING
from central.errors import ApiError, not_found
from central.identity import Account
from central.poke import ChangeEvent
from central.scope import ScopeKey
from central.writer import Writer, WriteTx
from operator_app.domain.assignment import (
    AUTO_ASSIGNMENT_ACTOR,
    MAX_CAP,
    AssignmentConfig,
    AssignmentMode,
    Availability,
    CaseNeeds,
    Skills,
    TeamState,
    Trigger,
    Waiting,
    assign_backlog,
    auto_assigned,
    choose_assignee,
    has_room,
)
from operator_app.domain.model import Case, CaseType
from operator_app.domain.mutations import CreateCase, MutationArgs, ReassignCase
from operator_app.domain.mutators import Applied
from sync.protocol import ErrorCode

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

# The most cases one trigger hands out (an operator back from a break, a team switched on):
# the rest wait for the next trigger, so no request turns into a long transaction.
BACKLOG_LIMIT = 100
# The waiting cases one pass looks at, per case it may hand out (cases nobody may take, for
# want of skills, are passed over), and never fewer than _MIN_SCAN or more than _MAX_SCAN.
_SCAN_PER_CASE = 4
_MIN_SCAN = 50
_MAX_SCAN = 500


def arrives_in_queue(args: MutationArgs, old: Case | None, case: Case) -> bool:
    """Whether the mutation just put an open, non-confidential case unassigned into a team
    queue: created there, or reassigned there (to another team, or taken from its holder).
    Confidential cases are left for a supervisor to give to someone."""
    if case.assignee is not None or case.team is None or not case.is_open or case.confidential:
        return False
    if isinstance(args, CreateCase):
        return old is None
    if isinstance(args, ReassignCase) and old is not None:
        return old.team != case.team or old.assignee is not None
    return False


def released_by(old: Case | None, case: Case) -> str | None:
    """The operator whose open load the change lowers: an open case of theirs that is now
    resolved, closed, or someone else's (or the queue's)."""
    if old is None or old.assignee is None or not old.is_open:
        return None
    if case.is_open and case.assignee == old.assignee:
        return None
    return old.assignee


def assign_on_arrival(
    tx: WriteTx,
    args: MutationArgs,
    old: Case | None,
    outcome: Applied,
    *,
    client_id: str | None = None,
    mutation_id: int | None = None,
) -> Applied:
    """The outcome with the case given to the operator the team's settings choose, if any;
    and, when the change frees a slot of an operator's, one waiting case of their teams
    handed out (written in this transaction, stamped with it). `client_id` and `mutation_id`
    name the pushed mutation that brought the case, for the audit entry."""
    case = outcome.case
    if outcome.noop:
        return outcome
    conn = tx.conn
    arriving = arrives_in_queue(args, old, case)
    wanted: set[str] = set()
    if arriving:
        assert case.team is not None
        stored = assignment_store.load(conn, case.team)
        if stored is not None and stored.config.mode is not AssignmentMode.OFF:
            wanted.add(case.team)
    freed = released_by(old, case)
    freed_teams = assignment_store.auto_teams(conn, freed) if freed is not None else []
    wanted.update(freed_teams)
    if not wanted:
        return outcome
    # All the locks this transaction will need, at once (see the module's lock order).
    locked = assignment_store.lock_teams(conn, wanted)
    tx.closes_batch = True  # the teams come after every case in the lock order
    if arriving and case.team in locked:
        outcome = _arrival(tx, old, outcome, locked[case.team], client_id, mutation_id)
    if freed_teams:
        assert old is not None
        final = outcome.case
        # The pushed case is written after this: count its move in the loads now.
        delta: Counter[str] = Counter({old.assignee or "": -1})
        if final.is_open and final.assignee is not None:
            delta[final.assignee] += 1
        hand_out(tx, freed_teams, 1, Trigger.CAPACITY, exclude=(case.id,), delta=delta)
    return outcome


def _arrival(
    tx: WriteTx,
    old: Case | None,
    outcome: Applied,
    stored: assignment_store.StoredAssignment,
    client_id: str | None,
    mutation_id: int | None,
) -> Applied:
    conn, now = tx.conn, tx.now
    case = outcome.case
    assert case.team is not None
    if stored.config.mode is AssignmentMode.OFF:
        return outcome
    people = assignment_store.candidates(conn, case.team, case.centre)
    # A case taken from its holder does not go straight back to them.
    exclude = frozenset({old.assignee}) if old is not None and old.assignee else frozenset()
    choice = choose_assignee(CaseNeeds.of(case), stored.config, people, stored.pointer, exclude)
    if choice.assignee is None:
        return outcome
    assignment_store.set_pointer(conn, case.team, choice.pointer)
    changed, entry = auto_assigned(case, choice.assignee, stored.config.mode, now)
    audit_id = audit.record(
        conn,
        audit.AuditEntry(
            now,
            "auto_assign",
            "applied",
            actor_id=AUTO_ASSIGNMENT_ACTOR,
            case_id=case.id,
            client_id=client_id,
            mutation_id=mutation_id,
            seq=PENDING,  # the case is written in this transaction, stamped with it
            details={"team": case.team, "to": choice.assignee, "mode": stored.config.mode.value},
        ),
    )
    tx.stamp_later("audit_log", audit_id)
    return replace(outcome, case=changed, timeline=(*outcome.timeline, entry))


# --------------------------------------------------------------------------------------------
# The backlog pass
# --------------------------------------------------------------------------------------------


def hand_out_for(tx: WriteTx, operator_id: str, trigger: Trigger) -> list[Case]:
    """The backlog pass of an operator's auto-assigning teams, the operator counted as
    available (their own row is written after the stamp); locks the teams first."""
    team_ids = assignment_store.auto_teams(tx.conn, operator_id)
    if not team_ids:
        return []
    assignment_store.lock_teams(tx.conn, team_ids)
    return hand_out(tx, team_ids, BACKLOG_LIMIT, trigger, available=(operator_id,))


def hand_out(
    tx: WriteTx,
    team_ids: Collection[str],
    budget: int,
    trigger: Trigger,
    *,
    exclude: Collection[str] = (),
    delta: Mapping[str, int] | None = None,
    available: Collection[str] = (),
) -> list[Case]:
    """Hand out at most `budget` cases waiting in the teams' queues, oldest first, by the
    teams' rules, and write each as the push writes a case: row, timeline entry, change-log
    row and audit entry, all PENDING until the transaction's stamp. The caller holds the teams'
    locks. `delta` corrects loads for a change not written yet; `available` counts operators
    as available whatever their row says. Returns the cases as given."""
    conn, now = tx.conn, tx.now
    stored = {
        team_id: item
        for team_id, item in assignment_store.load_many(conn, team_ids).items()
        if item.config.mode is not AssignmentMode.OFF
    }
    if not stored or budget <= 0:
        return []
    people = assignment_store.members(conn, stored)
    states = {
        team_id: TeamState(
            item.config,
            tuple(
                (oid, Availability.AVAILABLE if oid in available else availability)
                for oid, availability in people[team_id]
            ),
            item.pointer,
        )
        for team_id, item in stored.items()
    }
    loads = assignment_store.open_loads(conn, {oid for p in people.values() for oid, _ in p})
    for oid, change in (delta or {}).items():
        if oid in loads:
            loads[oid] += change
    if not any(has_room(state, loads) for state in states.values()):
        return []  # the common case: nobody can take more, no need to look at the queues
    scan = min(max(_MIN_SCAN, _SCAN_PER_CASE * budget), _MAX_SCAN)
    waiting = {c.id: c for c in assignment_store.waiting_cases(conn, stored, scan, exclude)}
    items = [Waiting(c.id, c.team or "", CaseNeeds.of(c)) for c in waiting.values()]
    result = assign_backlog(items, states, loads, budget)
    given: list[Case] = []
    keys: list[ScopeKey] = []
    for item, assignee in result.given:
        before = waiting[item.case_id]
        mode = states[item.team].config.mode
        changed, entry = auto_assigned(before, assignee, mode, now, trigger)
        _write(tx, before, changed, entry.data, trigger)
        tx.stamp_later("timeline", *case_store.insert_timeline(conn, [entry], PENDING))
        keys.extend((ScopeKey.of(before), ScopeKey.of(changed)))
        given.append(changed)
    for team_id, pointer in result.pointers.items():
        if pointer != stored[team_id].pointer:
            assignment_store.set_pointer(conn, team_id, pointer)
    if keys:
        tx.announce(ChangeEvent(None, tuple(dict.fromkeys(keys))))
    return given


def _write(
    tx: WriteTx, before: Case, changed: Case, entry_data: Mapping[str, object], trigger: Trigger
) -> None:
    conn = tx.conn
    case_store.update_case(conn, changed, PENDING)
    tx.stamp_later("cases", changed.id)
    case_store.log_change(conn, PENDING, changed.id, ScopeKey.of(before), ScopeKey.of(changed))
    tx.stamp_later("case_changes", changed.id)
    audit_id = audit.record(
        conn,
        audit.AuditEntry(
            tx.now,
            "auto_assign",
            "applied",
            actor_id=AUTO_ASSIGNMENT_ACTOR,
            case_id=changed.id,
            seq=PENDING,
            details={
                "team": changed.team,
                "to": changed.assignee,
                "mode": entry_data["mode"],
                "trigger": trigger.value,
            },
        ),
    )
    tx.stamp_later("audit_log", audit_id)


# --------------------------------------------------------------------------------------------
# Teams' settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """What the API answers: the stored settings of one team."""

    team_id: str
    centre: str
    config: AssignmentConfig
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class SkillsInput:
    case_types: tuple[CaseType, ...]
    languages: tuple[str, ...]
    regions: tuple[str, ...]


def _invalid(message: str, field: str, value: str = "") -> ApiError:
    return ApiError(422, ErrorCode.INVALID, message, {"field": field, "value": value[:100]})


class TeamAssignments:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def team_centre(self, team_id: str) -> str:
        """The centre of a live team; 404 if there is none."""
        with read_transaction(self._writer.engine) as conn:
            team = directory_store.load_team(conn, team_id)
        if team is None or team.deleted:
            raise not_found("no such team", team_id=team_id)
        return team.centre

    def get(self, team_id: str) -> TeamSettings:
        with read_transaction(self._writer.engine) as conn:
            return self._settings(conn, team_id)

    def put(
        self,
        account: Account,
        team_id: str,
        mode: AssignmentMode,
        cap: int | None,
        skills: dict[str, SkillsInput],
    ) -> TeamSettings:
        if cap is not None and not 1 <= cap <= MAX_CAP:
            raise _invalid(f"cap must be between 1 and {MAX_CAP}, or null", "cap", str(cap))
        # The settings are not pull-visible; the cases the backlog pass hands out are, so the
        # transaction is stamped when it gives any.
        with self._writer.transaction("assignment") as tx:
            conn, now = tx.conn, tx.now
            team = directory_store.load_team(conn, team_id)
            if team is None or team.deleted:
                raise not_found("no such team", team_id=team_id)
            config = AssignmentConfig(mode, cap, self._skills(conn, team_id, skills))
            assignment_store.lock_teams(conn, [team_id])
            assignment_store.save(conn, team_id, config, account.id, now)
            audit.record(
                conn,
                audit.AuditEntry(
                    now,
                    "set_team_assignment",
                    "ok",
                    actor_id=account.id,
                    details={
                        "team": team_id,
                        "mode": mode.value,
                        "cap": cap,
                        "skills": assignment_store.skills_to_json(dict(config.skills)),
                    },
                ),
            )
            if hand_out(tx, [team_id], BACKLOG_LIMIT, Trigger.SETTINGS):
                tx.stamp()
            return self._settings(conn, team_id)

    @staticmethod
    def _settings(conn: Connection, team_id: str) -> TeamSettings:
        team = directory_store.load_team(conn, team_id)
        if team is None or team.deleted:
            raise not_found("no such team", team_id=team_id)
        stored = assignment_store.load(conn, team_id)
        if stored is None:
            return TeamSettings(team_id, team.centre, AssignmentConfig(), None, None)
        return TeamSettings(
            team_id, team.centre, stored.config, stored.updated_by, stored.updated_at
        )

    @staticmethod
    def _skills(conn: Connection, team_id: str, raw: dict[str, SkillsInput]) -> dict[str, Skills]:
        """Checked skills: for operators of the team, known case types, language codes and
        administrative unit codes."""
        members = assignment_store.team_operators(conn, team_id)
        out: dict[str, Skills] = {}
        for operator_id, item in raw.items():
            if operator_id not in members:
                raise _invalid(
                    f"skills: {operator_id!r} is not an operator of team {team_id!r}",
                    f"skills.{operator_id}",
                    operator_id,
                )
            for language in item.languages:
                if not _LANGUAGE.match(language):
                    raise _invalid(
                        f"skills.{operator_id}.languages: {language!r} is not a language code "
                        "(two or three lower-case letters, e.g. mn, kk, en)",
                        f"skills.{operator_id}.languages",
                        language,
                    )
            for region in item.regions:
                if directory_store.reference_item(conn, "admin_unit", region) is None:
                    raise _invalid(
                        f"skills.{operator_id}.regions: {region!r} is not an administrative "
                        "unit code",
                        f"skills.{operator_id}.regions",
                        region,
                    )
            out[operator_id] = _skills_of(item)
        return out


def _skills_of(item: SkillsInput) -> Skills:
    return Skills(
        frozenset(item.case_types),
        frozenset(item.languages),
        frozenset(item.regions),
    )


def skills_json(config: AssignmentConfig) -> dict[str, dict[str, list[str]]]:
    return assignment_store.skills_to_json(dict(config.skills))
