"""Who may see and change which case. The central service enforces these; the desk hides."""

from __future__ import annotations

from enum import StrEnum

from operator_app.domain.model import Actor, Case, Role


class Action(StrEnum):
    CREATE = "create"
    ANNOTATE = "annotate"  # add a note, log a call
    CHANGE_STATUS = "change_status"
    EDIT = "edit"
    TRANSFER = "transfer"
    CLAIM = "claim"  # take an unassigned case of one's team
    REASSIGN = "reassign"
    EXTEND_DEADLINE = "extend_deadline"
    RECORD_AGENCY_ANSWER = "record_agency_answer"  # whoever works the case may record it
    LINK = "link"
    RESOLVE_CONFLICT = "resolve_conflict"


_SUPERVISOR_ACTIONS = frozenset({Action.REASSIGN, Action.EXTEND_DEADLINE})


def in_scope(actor: Actor, case: Case) -> bool:
    """Whether the case belongs to what the actor receives (SYNC.md, "Scopes")."""
    match actor.role:
        case Role.SUPERVISOR:
            return case.centre in actor.centres
        case Role.AUDITOR:
            return True
        case Role.OPERATOR:
            if case.assignee == actor.id:
                return True
            return (
                case.assignee is None
                and not case.confidential
                and case.team is not None
                and case.team in actor.teams
            )
        case _:
            return False  # admins manage the directory, not case content


def may(actor: Actor, action: Action, case: Case | None = None, *, centre: str = "") -> bool:
    """Whether the actor may take the action on the case (or, for CREATE, in `centre`)."""
    if actor.role not in (Role.OPERATOR, Role.SUPERVISOR):
        return False
    if action is Action.CREATE:
        return centre in actor.centres
    if case is None:
        return False
    if action in _SUPERVISOR_ACTIONS:
        return actor.role is Role.SUPERVISOR and case.centre in actor.centres
    if action is Action.CLAIM:
        return (actor.role is Role.SUPERVISOR and case.centre in actor.centres) or (
            case.assignee is None
            and not case.confidential
            and case.team is not None
            and case.team in actor.teams
        )
    if action is Action.ANNOTATE:
        # Notes and calls are accepted even if the author lost the case meanwhile (SYNC.md),
        # as long as the case stays in one of the author's centres.
        return in_scope(actor, case) or (case.centre in actor.centres and not case.confidential)
    return in_scope(actor, case)


def may_touch(actor: Actor, case: Case) -> bool:
    """The gate every change to an existing case passes first: a case worker of its centre,
    and for a confidential case someone who may see it."""
    if actor.role not in (Role.OPERATOR, Role.SUPERVISOR) or case.centre not in actor.centres:
        return False
    return not case.confidential or in_scope(actor, case)
