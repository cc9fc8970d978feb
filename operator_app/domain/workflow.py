"""The case workflow: which status changes are legal, and who may make each."""

from __future__ import annotations

from operator_app.domain.model import Role, Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.TRANSFERRED, Status.RESOLVED, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset(
        {Status.WAITING, Status.TRANSFERRED, Status.RESOLVED, Status.CLOSED}
    ),
    Status.WAITING: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.TRANSFERRED: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}

# Closing (duplicates, spam, after the answer) and reopening a closed case are supervisors'
# rights; an operator reaches `resolved` and a supervisor closes.
_SUPERVISOR_ONLY_TARGETS = frozenset({Status.CLOSED})
_SUPERVISOR_ONLY_SOURCES = frozenset({Status.CLOSED})

# These changes must say why: closing (duplicate, spam) and every reopening.
_REASON_REQUIRED = frozenset(
    {
        (Status.NEW, Status.CLOSED),
        (Status.IN_PROGRESS, Status.CLOSED),
        (Status.RESOLVED, Status.CLOSED),
        (Status.RESOLVED, Status.IN_PROGRESS),
        (Status.CLOSED, Status.IN_PROGRESS),
    }
)

_CASE_WORKERS = frozenset({Role.OPERATOR, Role.SUPERVISOR})


def is_legal(current: Status, target: Status) -> bool:
    """Whether the workflow allows going from `current` to `target` at all."""
    return target in TRANSITIONS[current]


def requires_reason(current: Status, target: Status) -> bool:
    return (current, target) in _REASON_REQUIRED


def role_may_transition(role: Role, current: Status, target: Status) -> bool:
    """Whether a role may make this (legal) change; scope is checked separately."""
    if role not in _CASE_WORKERS or not is_legal(current, target):
        return False
    if target in _SUPERVISOR_ONLY_TARGETS or current in _SUPERVISOR_ONLY_SOURCES:
        return role is Role.SUPERVISOR
    return True


def next_statuses(role: Role, current: Status) -> tuple[Status, ...]:
    """The statuses a role may move a case to from `current`, in workflow order."""
    return tuple(s for s in Status if role_may_transition(role, current, s))
