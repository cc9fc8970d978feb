"""The rules of every mutation, once: (case state, arguments, actor, now) -> outcome.

The desk runs them speculatively on its local view; the central service runs the same
functions authoritatively, in its own order, around its own permission and scope checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from operator_app.domain.deadlines import DeadlineRules, HolidayCalendar, due_date
from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import normalize_phone, parse_registration_number
from operator_app.domain.model import (
    Actor,
    Call,
    Case,
    CaseType,
    ConflictState,
    FieldConflict,
    LinkKind,
    Note,
    Priority,
    Role,
    Status,
    TimelineEntry,
    TimelineKind,
)
from operator_app.domain.mutations import (
    CONTACT_FIELDS,
    AddNote,
    ChangeStatus,
    CreateCase,
    ExtendDeadline,
    LinkCases,
    LogCall,
    MutationArgs,
    ReassignCase,
    RecordAgencyAnswer,
    ResolveConflict,
    TransferCase,
    UpdateCaseFields,
    fingerprint,
    to_json,
    validate_field_value,
)
from operator_app.domain.permissions import Action, may, may_touch
from operator_app.domain.workflow import is_legal, requires_reason, role_may_transition

# A desk may stay offline for weeks; a registration time older than this is a wrong clock.
MAX_BACKDATE = timedelta(days=60)


_ACTIONS: dict[type[Any], Action] = {
    AddNote: Action.ANNOTATE,
    LogCall: Action.ANNOTATE,
    ChangeStatus: Action.CHANGE_STATUS,
    UpdateCaseFields: Action.EDIT,
    TransferCase: Action.TRANSFER,
    ExtendDeadline: Action.EXTEND_DEADLINE,
    RecordAgencyAnswer: Action.RECORD_AGENCY_ANSWER,
    LinkCases: Action.LINK,
    ResolveConflict: Action.RESOLVE_CONFLICT,
}


class ResultStatus(StrEnum):
    APPLIED = "applied"
    REJECTED = "rejected"
    CONFLICT = "conflict"


class Code(StrEnum):
    """Stable refusal codes, shared by the wire protocol and the desk's messages."""

    INVALID = "INVALID"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    ID_REUSED = "ID_REUSED"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    REASON_REQUIRED = "REASON_REQUIRED"
    ASSIGNEE_CHANGED = "ASSIGNEE_CHANGED"
    FIELD_CONFLICT = "FIELD_CONFLICT"
    NO_DEADLINE = "NO_DEADLINE"
    ALREADY_EXTENDED = "ALREADY_EXTENDED"
    EXTENSION_TOO_LONG = "EXTENSION_TOO_LONG"
    CONFLICT_CLOSED = "CONFLICT_CLOSED"
    SERVER_ERROR = "SERVER_ERROR"


@dataclass(frozen=True, slots=True)
class Rules:
    """The reference data the mutators need: deadline rules and the holiday calendar."""

    deadlines: DeadlineRules
    calendar: HolidayCalendar


@dataclass(frozen=True, slots=True)
class CaseState:
    """What the caller looked up for a mutation: the case, and the child the mutation names
    (an existing note, call or conflict with the same id), if any."""

    case: Case | None
    note: Note | None = None
    call: Call | None = None
    conflict: FieldConflict | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    """The mutation took effect (or was already in effect: `noop`)."""

    case: Case
    timeline: tuple[TimelineEntry, ...] = ()
    note: Note | None = None
    call: Call | None = None
    conflicts: tuple[FieldConflict, ...] = ()
    resolved_conflict: FieldConflict | None = None
    noop: bool = False
    flags: tuple[str, ...] = ()
    audit: tuple[str, ...] = ()

    @property
    def status(self) -> ResultStatus:
        if any(c.state is ConflictState.OPEN for c in self.conflicts):
            return ResultStatus.CONFLICT
        return ResultStatus.APPLIED

    @property
    def code(self) -> Code | None:
        return Code.FIELD_CONFLICT if self.status is ResultStatus.CONFLICT else None

    @property
    def details(self) -> dict[str, Any]:
        open_ = [c for c in self.conflicts if c.state is ConflictState.OPEN]
        if not open_:
            return {}
        return {
            "fields": {
                c.field: {"base": c.base, "current": c.current, "proposed": c.proposed}
                for c in open_
            }
        }


@dataclass(frozen=True, slots=True)
class Refused:
    """The mutation did not take effect: `rejected` (never will) or `conflict` (both values)."""

    status: ResultStatus
    code: Code
    message: str
    details: dict[str, Any] = field(default_factory=dict)


Outcome = Applied | Refused


def rejected(code: Code, message: str, **details: Any) -> Refused:
    return Refused(ResultStatus.REJECTED, code, message, details)


def conflict(code: Code, message: str, **details: Any) -> Refused:
    return Refused(ResultStatus.CONFLICT, code, message, details)


def invalid(problem: FieldError) -> Refused:
    """The refusal of a value, with the problem's details (a limit, a count) for the message."""
    details = {**problem.details, "field": problem.field, "reason": problem.reason.value}
    return rejected(Code.INVALID, str(problem), **details)


def apply_mutation(
    args: MutationArgs, state: CaseState, actor: Actor, now: datetime, rules: Rules
) -> Outcome:
    """Run one mutation's rules. Pure: no I/O, and `now` is the only clock."""
    if isinstance(args, CreateCase):
        return _create_case(args, state, actor, now, rules)
    case = state.case
    if case is None:
        return rejected(Code.NOT_FOUND, "no such case", case_id=args.case_id)
    if not may_touch(actor, case):
        # Before any no-op or conflict answer: those would tell an outsider who holds the case.
        return _forbidden(_action_of(args, actor))
    match args:
        case AddNote():
            return _add_note(args, state, case, actor, now)
        case LogCall():
            return _log_call(args, state, case, actor, now)
        case ChangeStatus():
            return _change_status(args, case, actor, now)
        case ReassignCase():
            return _reassign(args, case, actor, now)
        case UpdateCaseFields():
            return _update_fields(args, case, actor, now, rules)
        case TransferCase():
            return _transfer(args, case, actor, now)
        case ExtendDeadline():
            return _extend(args, case, actor, now, rules)
        case RecordAgencyAnswer():
            return _record_agency_answer(args, case, actor, now)
        case LinkCases():
            return _link(args, case, actor, now)
        case ResolveConflict():
            return _resolve_conflict(args, state, case, actor, now, rules)
    raise TypeError(f"unknown mutation {type(args).__name__}")  # pragma: no cover


def _action_of(args: MutationArgs, actor: Actor) -> Action:
    if isinstance(args, ReassignCase):
        return Action.CLAIM if args.new_assignee == actor.id else Action.REASSIGN
    return _ACTIONS[type(args)]


def _entry(
    case: Case, actor: Actor, now: datetime, kind: TimelineKind, name: str, /, **data: Any
) -> TimelineEntry:
    # Positional-only, so that `data` may hold any key (link_cases records its own `kind`).
    return TimelineEntry(case.id, now, actor.id, kind, name, data)


def _forbidden(action: Action) -> Refused:
    return rejected(Code.FORBIDDEN, "not allowed", action=action.value)


def registration_time(claimed: datetime | None, now: datetime) -> datetime:
    """The desk's logging time when plausible, else `now`: never in the future, never older
    than MAX_BACKDATE, so a skewed clock cannot make a case overdue at birth."""
    if claimed is None or claimed > now or claimed < now - MAX_BACKDATE:
        return now
    return claimed


def default_team(actor: Actor, centre: str) -> str | None:
    """The team a case created in `centre` without a team goes to: the actor's primary team,
    only when it surely belongs to `centre`. The domain does not know which centre a team is
    in; an actor who works in that centre alone is the one sure case (a primary team is one of
    the actor's teams). Otherwise no team: a team of another centre would leak the case to that
    centre's operators (the central service checks the team the case gets)."""
    if actor.primary_team and actor.centres == frozenset((centre,)):
        return actor.primary_team
    return None


def _create_case(
    args: CreateCase, state: CaseState, actor: Actor, now: datetime, rules: Rules
) -> Outcome:
    digest = fingerprint(args)
    if state.case is not None:
        if state.case.create_fingerprint == digest:
            return Applied(state.case, noop=True)
        return rejected(Code.ID_REUSED, "case id already used", case_id=args.case_id)
    if not may(actor, Action.CREATE, centre=args.centre):
        return _forbidden(Action.CREATE)
    citizen = args.citizen
    phone = normalize_phone(citizen.phone, "citizen.phone") if citizen.phone else None
    reg = parse_registration_number(citizen.reg_no, "citizen.reg_no") if citizen.reg_no else None
    for problem in (phone, reg):
        if isinstance(problem, FieldError):
            return invalid(problem)
    team = args.team or default_team(actor, args.centre)
    assignee = args.assignee
    if assignee is None and args.team is None and actor.role is Role.OPERATOR:
        assignee = actor.id  # the operator who takes the call owns the case
    if assignee not in (None, actor.id) and actor.role is not Role.SUPERVISOR:
        return _forbidden(Action.REASSIGN)
    case = Case(
        id=args.case_id,
        centre=args.centre,
        channel=args.channel,
        type=args.type,
        category=args.category,
        subject=args.subject.strip(),
        description=args.description,
        registered_at=registration_time(args.registered_at, now),
        created_by=actor.id,
        priority=args.priority,
        confidential=args.confidential,
        provisional_ref=args.provisional_ref,
        citizen_id=citizen.citizen_id,
        citizen_name=citizen.name.strip(),
        reg_no=str(reg) if reg else None,
        phone=phone if isinstance(phone, str) else None,
        address=citizen.address,
        location=args.location,
        language=args.language,
        assignee=assignee,
        team=team,
        assigned_by=actor.id if assignee else None,
        assigned_at=now if assignee else None,
        create_fingerprint=digest,
        updated_at=now,
    )
    case = replace(
        case,
        due_date=due_date(
            case.type, case.priority, case.registered_at, 0, rules.deadlines, rules.calendar
        ),
    )
    return Applied(case, (_entry(case, actor, now, TimelineKind.CREATED, args.NAME),))


def _add_note(args: AddNote, state: CaseState, case: Case, actor: Actor, now: datetime) -> Outcome:
    if state.note is not None:
        sent = (args.case_id, args.body, args.visibility)
        if (state.note.case_id, state.note.body, state.note.visibility) == sent:
            return Applied(case, noop=True)
        return rejected(Code.ID_REUSED, "note id already used", note_id=args.note_id)
    if not may(actor, Action.ANNOTATE, case):
        return _forbidden(Action.ANNOTATE)
    note = Note(args.note_id, case.id, actor.id, args.body, args.visibility, now)
    flags = () if case.assignee in (None, actor.id) else ("for_assignee",)
    entry = _entry(case, actor, now, TimelineKind.NOTE, args.NAME, note_id=note.id)
    return Applied(replace(case, updated_at=now), (entry,), note=note, flags=flags)


def _log_call(args: LogCall, state: CaseState, case: Case, actor: Actor, now: datetime) -> Outcome:
    phone = normalize_phone(args.phone) if args.phone else None
    if state.call is not None:
        old = state.call
        sent = (args.case_id, args.direction, args.started_at, args.duration_s, args.outcome)
        same = (old.case_id, old.direction, old.started_at, old.duration_s, old.outcome) == sent
        if same and old.phone == (phone if isinstance(phone, str) else None):
            return Applied(case, noop=True)
        return rejected(Code.ID_REUSED, "call id already used", call_id=args.call_id)
    if not may(actor, Action.ANNOTATE, case):
        return _forbidden(Action.ANNOTATE)
    call = Call(
        args.call_id,
        case.id,
        actor.id,
        args.direction,
        phone if isinstance(phone, str) else None,
        args.started_at,
        args.duration_s,
        args.outcome,
    )
    flags = () if case.assignee in (None, actor.id) else ("for_assignee",)
    entry = _entry(case, actor, now, TimelineKind.CALL, args.NAME, call_id=call.id)
    return Applied(replace(case, updated_at=now), (entry,), call=call, flags=flags)


def _change_status(args: ChangeStatus, case: Case, actor: Actor, now: datetime) -> Outcome:
    current = case.status
    if current is args.to:
        return Applied(case, noop=True)
    if not is_legal(current, args.to):
        return conflict(
            Code.ILLEGAL_TRANSITION,
            "illegal status change",
            current=current.value,
            expected=args.from_.value if args.from_ else None,
            to=args.to.value,
        )
    if args.to is Status.TRANSFERRED:
        # A transfer names the agency; only transfer_case records it.
        return rejected(Code.INVALID, "use transfer_case", field="to", reason="unknown_value")
    if not may(actor, Action.CHANGE_STATUS, case) or not role_may_transition(
        actor.role, current, args.to
    ):
        return _forbidden(Action.CHANGE_STATUS)
    if requires_reason(current, args.to) and not args.reason.strip():
        return rejected(Code.REASON_REQUIRED, "a reason is required", to=args.to.value)
    audit = ()
    if args.from_ is not None and args.from_ is not current:
        audit = (f"status_mismatch:{args.from_.value}->{current.value}",)
    changed = replace(case, status=args.to, updated_at=now)
    if args.to is Status.RESOLVED and args.resolution:
        changed = replace(changed, resolution=args.resolution)
    entry = _entry(
        case,
        actor,
        now,
        TimelineKind.STATUS,
        args.NAME,
        **{"from": current.value, "to": args.to.value, "reason": args.reason},
    )
    return Applied(changed, (entry,), audit=audit)


def _reassign(args: ReassignCase, case: Case, actor: Actor, now: datetime) -> Outcome:
    team = args.new_team or case.team
    if case.assignee == args.new_assignee and case.team == team:
        return Applied(case, noop=True)
    if case.assignee != args.expected_assignee:
        return conflict(
            Code.ASSIGNEE_CHANGED,
            "the case was reassigned meanwhile",
            current=case.assignee,
            by=case.assigned_by,
            at=case.assigned_at.isoformat() if case.assigned_at else None,
            proposed=args.new_assignee,
        )
    claiming = args.new_assignee == actor.id and case.assignee is None and team == case.team
    action = Action.CLAIM if claiming else Action.REASSIGN
    if not may(actor, action, case):
        return _forbidden(action)
    changed = replace(
        case,
        assignee=args.new_assignee,
        team=team,
        assigned_by=actor.id,
        assigned_at=now,
        updated_at=now,
    )
    entry = _entry(
        case,
        actor,
        now,
        TimelineKind.ASSIGNMENT,
        args.NAME,
        **{"from": case.assignee, "to": args.new_assignee, "team": team, "reason": args.reason},
    )
    return Applied(changed, (entry,))


def field_value(case: Case, name: str) -> str | None:
    """An editable field's value in its wire form (enums as their codes)."""
    value = getattr(case, name)
    return value.value if isinstance(value, StrEnum) else value


def _normal(name: str, value: str | None) -> str | None:
    """An edited value in the form the case stores it, so that a value that only differs in
    its spelling (`9911-2233` for `+97699112233`, None for "") compares equal to the stored one."""
    if name in ("phone", "reg_no"):
        if value is None or not value.strip():
            return None
        if name == "phone":
            normal = normalize_phone(value)
            return normal if isinstance(normal, str) else value
        reg = parse_registration_number(value)
        return value if isinstance(reg, FieldError) else str(reg)
    if name in ("address", "citizen_name", "description", "subject"):
        return value or ""
    return value


def _with_field(case: Case, name: str, value: str | None) -> Case:
    value = _normal(name, value)
    if name == "type":
        return replace(case, type=CaseType(value))
    if name == "priority":
        return replace(case, priority=Priority(value))
    return replace(case, **{name: value})


def _update_fields(
    args: UpdateCaseFields, case: Case, actor: Actor, now: datetime, rules: Rules
) -> Outcome:
    if not may(actor, Action.EDIT, case):
        return _forbidden(Action.EDIT)
    changed = case
    conflicts: list[FieldConflict] = []
    applied: dict[str, dict[str, str | None]] = {}
    for name, change in sorted(args.changes.items()):
        current = field_value(case, name)
        base, new = _normal(name, change.base), _normal(name, change.new)
        if new == current:
            continue
        if base == current:
            changed = _with_field(changed, name, new)
            applied[name] = {"from": current, "to": new}
            continue
        if name in CONTACT_FIELDS:
            changed = _with_field(changed, name, new)
            applied[name] = {"from": current, "to": new}
            state = ConflictState.OVERWRITTEN
        else:
            state = ConflictState.OPEN
        conflicts.append(FieldConflict(case.id, name, base, current, new, state, actor.id, now))
    if not applied and not conflicts:
        return Applied(case, noop=True)
    timeline: tuple[TimelineEntry, ...] = ()
    if applied:
        changed = _refresh_due(replace(changed, updated_at=now), rules)
        timeline = (_entry(case, actor, now, TimelineKind.FIELDS, args.NAME, changes=applied),)
    return Applied(changed, timeline, conflicts=tuple(conflicts))


def _refresh_due(case: Case, rules: Rules) -> Case:
    due = due_date(
        case.type,
        case.priority,
        case.registered_at,
        case.extension_days,
        rules.deadlines,
        rules.calendar,
    )
    return case if due == case.due_date else replace(case, due_date=due)


def _transfer(args: TransferCase, case: Case, actor: Actor, now: datetime) -> Outcome:
    if case.status is Status.TRANSFERRED and case.agency == args.agency:
        return Applied(case, noop=True)
    if not is_legal(case.status, Status.TRANSFERRED):
        return conflict(
            Code.ILLEGAL_TRANSITION,
            "the case cannot be transferred now",
            current=case.status.value,
            to=Status.TRANSFERRED.value,
        )
    if not may(actor, Action.TRANSFER, case):
        return _forbidden(Action.TRANSFER)
    changed = replace(case, status=Status.TRANSFERRED, agency=args.agency, updated_at=now)
    entry = _entry(
        case,
        actor,
        now,
        TimelineKind.TRANSFER,
        args.NAME,
        **{"from": case.status.value, "agency": args.agency, "note": args.note},
    )
    return Applied(changed, (entry,))


def _extend(args: ExtendDeadline, case: Case, actor: Actor, now: datetime, rules: Rules) -> Outcome:
    if case.extension_days:
        if (case.extension_days, case.extension_notice) == (args.days, args.notice):
            return Applied(case, noop=True)
        return rejected(Code.ALREADY_EXTENDED, "the deadline was already extended once")
    if not may(actor, Action.EXTEND_DEADLINE, case):
        return _forbidden(Action.EXTEND_DEADLINE)
    if not args.notice.strip():
        return rejected(Code.INVALID, "the notice to the citizen is required", field="notice")
    rule = rules.deadlines.rule_for(case.type, case.priority)
    if rule.days is None or case.due_date is None:
        return rejected(Code.NO_DEADLINE, "this case type has no deadline")
    if not case.is_open:
        return rejected(Code.NO_DEADLINE, "the case has been answered", status=case.status.value)
    if args.days > rule.extension_limit_days:
        return rejected(
            Code.EXTENSION_TOO_LONG, "extension too long", limit=rule.extension_limit_days
        )
    changed = _refresh_due(
        replace(
            case,
            extension_days=args.days,
            extension_notice=args.notice,
            extended_by=actor.id,
            extended_at=now,
            updated_at=now,
        ),
        rules,
    )
    entry = _entry(
        case,
        actor,
        now,
        TimelineKind.EXTENSION,
        args.NAME,
        days=args.days,
        notice=args.notice,
        **{"from": to_json(case.due_date), "to": to_json(changed.due_date)},
    )
    return Applied(changed, (entry,))


def _record_agency_answer(
    args: RecordAgencyAnswer, case: Case, actor: Actor, now: datetime
) -> Outcome:
    final = Status.RESOLVED if args.final else Status.TRANSFERRED
    if case.agency_answer == args.answer and case.status is final:
        return Applied(case, noop=True)
    if not may(actor, Action.RECORD_AGENCY_ANSWER, case):
        return _forbidden(Action.RECORD_AGENCY_ANSWER)
    if case.status is not Status.TRANSFERRED:
        # Only a case the centre is watching at an agency waits for the agency's answer.
        return conflict(
            Code.ILLEGAL_TRANSITION,
            "the case is not with an agency",
            current=case.status.value,
            to=final.value,
        )
    answered_at = min(args.answered_at, now)  # a desk's fast clock cannot date it ahead
    changed = replace(
        case,
        status=final,
        agency_answer=args.answer,
        agency_answered_at=answered_at,
        updated_at=now,
    )
    if args.final:
        changed = replace(changed, resolution=args.answer)
    entry = _entry(
        case,
        actor,
        now,
        TimelineKind.AGENCY_ANSWER,
        args.NAME,
        **{
            "agency": case.agency,
            "answer": args.answer,
            "answered_at": answered_at.isoformat(),
            "final": args.final,
            "from": case.status.value,
            "to": final.value,
        },
    )
    return Applied(changed, (entry,))


def _link(args: LinkCases, case: Case, actor: Actor, now: datetime) -> Outcome:
    linked = args.other_case_id in case.links
    marks_duplicate = args.kind is LinkKind.DUPLICATE and case.duplicate_of is None
    if linked and not marks_duplicate:
        return Applied(case, noop=True)
    if not may(actor, Action.LINK, case):
        return _forbidden(Action.LINK)
    links = case.links if linked else (*case.links, args.other_case_id)
    changed = replace(case, links=links, updated_at=now)
    if marks_duplicate:
        changed = replace(changed, duplicate_of=args.other_case_id)
    entry = _entry(
        case,
        actor,
        now,
        TimelineKind.LINK,
        args.NAME,
        other=args.other_case_id,
        kind=args.kind.value,
    )
    return Applied(changed, (entry,))


def _resolve_conflict(
    args: ResolveConflict,
    state: CaseState,
    case: Case,
    actor: Actor,
    now: datetime,
    rules: Rules,
) -> Outcome:
    record = state.conflict
    if record is None or record.case_id != case.id:
        return rejected(Code.NOT_FOUND, "no such conflict", conflict_id=args.conflict_id)
    if record.state is ConflictState.RESOLVED:
        if record.resolution == args.choice:
            return Applied(case, noop=True)
        return conflict(Code.CONFLICT_CLOSED, "already resolved", resolution=record.resolution)
    if not may(actor, Action.RESOLVE_CONFLICT, case):
        return _forbidden(Action.RESOLVE_CONFLICT)
    value: Any
    if args.choice == "keep_server":
        value = field_value(case, record.field)
    elif args.choice == "reapply":
        value = record.proposed
    else:
        value = args.value
    if problem := validate_field_value(record.field, value):
        return invalid(problem)
    value = _normal(record.field, value)
    changed = case
    if value != field_value(case, record.field):
        changed = _refresh_due(
            replace(_with_field(case, record.field, value), updated_at=now), rules
        )
    closed = replace(record, state=ConflictState.RESOLVED, resolution=args.choice)
    entry = _entry(
        case,
        actor,
        now,
        TimelineKind.CONFLICT_RESOLVED,
        args.NAME,
        field=record.field,
        choice=args.choice,
        value=value,
    )
    return Applied(changed, (entry,), resolved_conflict=closed)
