"""What the server decides about one pushed mutation: its parse, the checks only the server
can make (role, scope, that the named things exist), the domain's outcome and the server's
additions (conflict ids, the duplicate-citizen flag)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection

from central.assignment import assign_on_arrival
from central.data import cases as case_store
from central.data import directory as directory_store
from central.text import unstorable_path
from central.writer import WriteTx
from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.model import Actor, Case, FieldConflict, Role
from operator_app.domain.mutations import (
    AddNote,
    CreateCase,
    LinkCases,
    LogCall,
    MutationArgs,
    ReassignCase,
    ResolveConflict,
    TransferCase,
    UpdateCaseFields,
    parse_mutation,
)
from operator_app.domain.mutators import (
    Applied,
    CaseState,
    Code,
    Refused,
    Rules,
    apply_mutation,
    invalid,
    rejected,
)
from operator_app.domain.permissions import Action, in_scope, may
from sync.protocol import MutationEnvelope

SUPPORTED_MUTATION_VERSION = 1
_CASE_WORKERS = frozenset({Role.OPERATOR, Role.SUPERVISOR})


@dataclass(frozen=True, slots=True)
class Decision:
    """What one mutation does: a refusal, or the domain's outcome plus the server's additions."""

    result_status: str
    code: str | None
    details: dict[str, Any]
    old_case: Case | None = None
    applied: Applied | None = None
    case: Case | None = None
    conflicts: tuple[FieldConflict, ...] = ()
    audit_details: dict[str, Any] = field(default_factory=dict)
    numbers_case: bool = False  # a new case: it gets its permanent number

    @property
    def writes_case(self) -> bool:
        return self.applied is not None and not self.applied.noop and self.case is not None


def parse_envelope(envelope: MutationEnvelope) -> MutationArgs | FieldError:
    """The typed arguments, or the first problem; text no database can store is a problem
    here, so it is refused as INVALID instead of crashing the transaction."""
    unstorable = unstorable_path({"args": envelope.args, "name": envelope.name})
    if unstorable is not None:
        return FieldError(unstorable.removeprefix("args."), Reason.BAD_FORMAT)
    return parse_mutation(envelope.name, envelope.args)


def decide(
    tx: WriteTx,
    actor: Actor,
    envelope: MutationEnvelope,
    parsed: MutationArgs | FieldError,
    rules: Callable[[Connection], Rules],
) -> Decision:
    """Re-run the mutation on the locked case, inside the server's checks."""
    if envelope.v != SUPPORTED_MUTATION_VERSION:
        return refused(
            rejected(
                Code.INVALID, "unsupported mutation version", field="v", reason="unknown_value"
            )
        )
    if isinstance(parsed, FieldError):
        return refused(invalid(parsed))
    args = parsed
    conn = tx.conn
    case = case_store.load_case(conn, args.case_id, lock=True)
    refusal = server_checks(tx.conn, actor, args, case)
    if refusal is not None:
        return refused(refusal, case)
    state = CaseState(
        case,
        note=case_store.load_note(conn, args.note_id) if isinstance(args, AddNote) else None,
        call=case_store.load_call(conn, args.call_id) if isinstance(args, LogCall) else None,
        conflict=case_store.load_conflict(conn, args.conflict_id)
        if isinstance(args, ResolveConflict)
        else None,
    )
    outcome = apply_mutation(args, state, actor, tx.now, rules(conn))
    if not isinstance(outcome, Refused):
        outcome = outcome_checks(conn, args, case, outcome)
    if isinstance(outcome, Refused):
        return refused(outcome, case)
    outcome = assign_on_arrival(tx, args, case, outcome)
    return _complete(conn, args, case, outcome)


def server_checks(
    conn: Connection, actor: Actor, args: MutationArgs, case: Case | None
) -> Refused | None:
    """What only the server can check: role and scope first (so a refusal never reveals a
    case's state), then that the named centre, team, operator, agency or case exist."""
    if actor.role not in _CASE_WORKERS:
        return rejected(Code.FORBIDDEN, "not allowed", action="mutate")
    if case is not None and not isinstance(args, CreateCase) and not _visible(actor, args, case):
        return rejected(Code.FORBIDDEN, "not allowed", action="scope")
    match args:
        case CreateCase() if case is None:
            if not directory_store.centre_exists(conn, args.centre):
                return _unknown("centre", args.centre)
            if _category(conn, args.category) is None:
                return _unknown("category", args.category)
            if args.team is not None:
                team = directory_store.load_team(conn, args.team)
                if team is None or team.deleted or team.centre != args.centre:
                    return _unknown("team", args.team)
            if (
                args.assignee is not None
                and args.assignee != actor.id
                and not _works_in(conn, args.assignee, args.centre)
            ):
                return _unknown("assignee", args.assignee)
        case ReassignCase() if case is not None:
            new_assignee, new_team = args.new_assignee, args.new_team
            if (
                new_assignee is not None
                and new_assignee != case.assignee
                and not _works_in(conn, new_assignee, case.centre)
            ):
                return _unknown("new_assignee", new_assignee)
            if new_team is not None and new_team != case.team:
                team = directory_store.load_team(conn, new_team)
                if team is None or team.deleted or team.centre != case.centre:
                    return _unknown("new_team", new_team)
        case UpdateCaseFields() if case is not None and "category" in args.changes:
            new_category = args.changes["category"].new
            if (
                new_category is not None
                and new_category != case.category
                and _category(conn, new_category) is None
            ):
                return _unknown("changes.category", new_category)
        case TransferCase() if case is not None:
            if directory_store.reference_item(conn, "agency", args.agency) is None:
                return _unknown("agency", args.agency)
        case LinkCases() if case is not None:
            other = case_store.load_case(conn, args.other_case_id)
            if other is None or not _may_see(actor, other):
                return rejected(Code.NOT_FOUND, "no such case", case_id=args.other_case_id)
    return None


def outcome_checks(
    conn: Connection, args: MutationArgs, old: Case | None, outcome: Applied
) -> Applied | Refused:
    """What the server checks on the case the domain made: a new case's team (the one it
    names or the one it defaults to) must be a live team of its centre, and a case that gets a
    category (created, edited, or a conflict on it resolved) gets a live one.

    A confidential category (corruption and misconduct) does not make the case confidential
    here: done by the server alone, the desk's own copy stayed open to the team, and the
    notes and calls it then saved on the case were refused. That rule belongs in the domain,
    run alike on both sides."""
    if outcome.noop:
        return outcome
    case = outcome.case
    if isinstance(args, CreateCase) and old is None and case.team is not None:
        team = directory_store.load_team(conn, case.team)
        if team is None or team.deleted or team.centre != case.centre:
            return _unknown("team", case.team)
    if old is not None and case.category == old.category:
        return outcome
    category = _category(conn, case.category)
    if category is None:
        path = {CreateCase: "category", ResolveConflict: "value"}.get(type(args))
        return _unknown(path or "changes.category", case.category)
    return outcome


def _category(conn: Connection, code: str) -> dict[str, Any] | None:
    """The live category item with this code, or None."""
    data = directory_store.reference_item(conn, "category", code)
    if data is None:
        return None
    item = json.loads(data)
    return item if isinstance(item, dict) else {}


def _complete(conn: Connection, args: MutationArgs, old: Case | None, outcome: Applied) -> Decision:
    """The server's part of an applied mutation: the permanent number, conflict ids, flags."""
    case = outcome.case
    details = dict(outcome.details)
    flags = list(outcome.flags)
    creating = isinstance(args, CreateCase) and old is None and not outcome.noop
    if creating:
        duplicates = case_store.possible_duplicates(conn, case.id, case.reg_no, case.phone)
        if duplicates:
            flags.append("possible_duplicate_citizen")
            details["possible_duplicates"] = duplicates
    elif isinstance(args, CreateCase):
        details["case_number"] = case.number  # a repeat: the number it already has
    conflicts = tuple(replace(c, id=str(uuid.uuid4())) for c in outcome.conflicts)
    if conflicts:
        details["conflict_ids"] = {c.field: c.id for c in conflicts}
    if flags:
        details["flags"] = flags
    return Decision(
        result_status=outcome.status.value,
        code=outcome.code.value if outcome.code else None,
        details=details,
        old_case=old,
        applied=outcome,
        case=case,
        conflicts=conflicts,
        audit_details={"noop": outcome.noop, "flags": flags, "audit": list(outcome.audit)},
        numbers_case=creating,
    )


def _visible(actor: Actor, args: MutationArgs, case: Case) -> bool:
    """Whether the actor may touch the case at all; notes and calls also reach cases the
    author lost meanwhile, as long as they stay in the author's centres (SYNC.md)."""
    if in_scope(actor, case):
        return True
    return isinstance(args, AddNote | LogCall) and may(actor, Action.ANNOTATE, case)


def _may_see(actor: Actor, other: Case) -> bool:
    return in_scope(actor, other) or (other.centre in actor.centres and not other.confidential)


def _works_in(conn: Connection, account_id: str, centre: str) -> bool:
    """An enabled operator or supervisor of the centre: someone a case there can go to."""
    account = directory_store.active_account(conn, account_id)
    return account is not None and centre in account.centres


def _unknown(field_name: str, value: str) -> Refused:
    return invalid(FieldError(field_name, Reason.UNKNOWN_VALUE, value[:100]))


def refused(outcome: Refused, case: Case | None = None) -> Decision:
    details = dict(outcome.details)
    details.setdefault("message", outcome.message)
    return Decision(
        result_status=outcome.status.value,
        code=outcome.code.value,
        details=details,
        old_case=case,
    )
