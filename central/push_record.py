"""Writing what a pushed mutation decided: the case and its children, the change log, the
stored result, the client's last id and the audit, to be stamped with the transaction's number."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from central.data import audit
from central.data import cases as case_store
from central.data import clients as client_store
from central.data.stamping import PENDING
from central.identity import Account
from central.poke import ChangeEvent
from central.push_decision import Decision
from central.scope import ScopeKey
from central.text import storable
from central.writer import WriteTx
from operator_app.domain.deadlines import local_date
from operator_app.domain.identifiers import format_case_number
from sync.protocol import MutationEnvelope, MutationResult, PushRequest


def record(
    tx: WriteTx,
    account: Account,
    request: PushRequest,
    envelope: MutationEnvelope,
    decision: Decision,
    citizen: Any,
    address: str,
) -> MutationResult:
    """Write the decision's effects, its result, the client's new last id and the audit, all
    PENDING: the caller stamps them with the transaction's number in one last statement
    (`tx.stamp()`), after the other mutations that share the transaction."""
    conn = tx.conn
    named = envelope.args.get("case_id")
    case_id = decision.case.id if decision.case else storable(str(named)) if named else None
    details = decision.details
    keys: list[ScopeKey] = []
    if decision.writes_case:
        assert decision.applied is not None and decision.case is not None
        applied, case, old = decision.applied, decision.case, decision.old_case
        if decision.numbers_case:
            year = local_date(tx.now).year
            number = format_case_number(year, case_store.next_case_number(conn, year))
            case = replace(case, number=number)
            details = {**details, "case_number": number}
        if old is None:
            case_store.insert_case(conn, case, PENDING)
        else:
            case_store.update_case(conn, case, PENDING)
        tx.stamp_later("cases", case.id)
        if applied.note is not None:
            case_store.insert_note(conn, applied.note, PENDING)
            tx.stamp_later("notes", applied.note.id)
        if applied.call is not None:
            case_store.insert_call(conn, applied.call, PENDING)
            tx.stamp_later("calls", applied.call.id)
        tx.stamp_later("timeline", *case_store.insert_timeline(conn, applied.timeline, PENDING))
        for conflict in (*decision.conflicts, applied.resolved_conflict):
            if conflict is not None:
                case_store.save_conflict(conn, conflict, PENDING)
                tx.stamp_later("conflicts", conflict.id)
        if citizen is not None and case.citizen_id == citizen.id:
            case_store.save_citizen(conn, citizen, PENDING)
            tx.stamp_later("citizens", citizen.id)
        before = ScopeKey.of(old) if old is not None else None
        case_store.log_change(conn, PENDING, case.id, before, ScopeKey.of(case))
        tx.stamp_later("case_changes", case.id)
        keys = [k for k in (before, ScopeKey.of(case)) if k is not None]
    result = MutationResult(
        id=envelope.id,
        status=decision.result_status,  # type: ignore[arg-type]
        code=decision.code,
        details=details,
    )
    client_store.save_result(
        conn, request.client_id, result, storable(envelope.name), PENDING, tx.now
    )
    tx.stamp_later("mutation_results", request.client_id)
    client_store.advance_client(
        conn, request.client_id, envelope.id, storable(request.app_version), tx.now
    )
    audit_id = audit.record(
        conn,
        audit.AuditEntry(
            tx.now,
            storable(envelope.name),
            result.status,
            actor_id=account.id,
            code=result.code,
            case_id=str(case_id)[:100] if case_id else None,
            client_id=request.client_id,
            mutation_id=envelope.id,
            seq=PENDING,
            address=address,
            details={
                "client_time": envelope.client_time,
                **decision.audit_details,
                **({"refusal": details} if result.status != "applied" else {}),
            },
        ),
    )
    tx.stamp_later("audit_log", audit_id)
    tx.announce(ChangeEvent(None, tuple(dict.fromkeys(keys)), client_id=request.client_id))
    return result
