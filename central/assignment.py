"""Auto-assignment on the central service: teams' settings, and the assignment of a case that
arrives unassigned in a team queue (created there, or reassigned to the team).

The choice is the domain's (`operator_app.domain.assignment`); here it runs inside the push's
write transaction, with the team's row locked so that concurrent arrivals in one team take
turns on the pointer and the loads. The assignment is a timeline event of its own, by
"auto-assignment", and reaches the desks with the case through the pull feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from central.data import assignment as assignment_store
from central.data import audit
from central.data import directory as directory_store
from central.data.engine import read_transaction, write_transaction
from central.errors import ApiError, not_found
from central.identity import Account
from central.writer import Writer
from operator_app.domain.assignment import (
    AUTO_ASSIGNMENT_ACTOR,
    MAX_CAP,
    AssignmentConfig,
    AssignmentMode,
    CaseNeeds,
    Skills,
    auto_assigned,
    choose_assignee,
)
from operator_app.domain.model import Case, CaseType
from operator_app.domain.mutations import CreateCase, MutationArgs, ReassignCase
from operator_app.domain.mutators import Applied
from sync.protocol import ErrorCode

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


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


def assign_on_arrival(
    conn: Connection, args: MutationArgs, old: Case | None, outcome: Applied, now: datetime
) -> Applied:
    """The outcome with the case given to the operator the team's settings choose, if any."""
    case = outcome.case
    if outcome.noop or not arrives_in_queue(args, old, case):
        return outcome
    assert case.team is not None
    stored = assignment_store.load(conn, case.team, lock=True)
    if stored is None or stored.config.mode is AssignmentMode.OFF:
        return outcome
    people = assignment_store.candidates(conn, case.team, case.centre)
    # A case taken from its holder does not go straight back to them.
    exclude = frozenset({old.assignee}) if old is not None and old.assignee else frozenset()
    choice = choose_assignee(CaseNeeds.of(case), stored.config, people, stored.pointer, exclude)
    if choice.assignee is None:
        return outcome
    assignment_store.set_pointer(conn, case.team, choice.pointer)
    changed, entry = auto_assigned(case, choice.assignee, stored.config.mode, now)
    audit.record(
        conn,
        audit.AuditEntry(
            now,
            "auto_assign",
            "applied",
            actor_id=AUTO_ASSIGNMENT_ACTOR,
            case_id=case.id,
            details={"team": case.team, "to": choice.assignee, "mode": stored.config.mode.value},
        ),
    )
    return replace(outcome, case=changed, timeline=(*outcome.timeline, entry))


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
        # Not pull-visible: a plain write transaction, no sequence number.
        now = self._writer.now()
        with write_transaction(self._writer.engine) as conn:
            team = directory_store.load_team(conn, team_id)
            if team is None or team.deleted:
                raise not_found("no such team", team_id=team_id)
            config = AssignmentConfig(mode, cap, self._skills(conn, team_id, skills))
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
