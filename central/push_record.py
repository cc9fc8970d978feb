"""Writing what a pushed mutation decided: the case and its children, the change log, the
stored result, the client's last id and the audit, all stamped with one sequence number."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from central.data import audit
from central.data import cases as case_store
from central.data import clients as client_store
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
    """Write the decision's effects, its result, the client's new last id and the audit."""
    conn = tx.conn
    named = envelope.args.get("case_id")
    case_id = decision.case.id if decision.case else storable(str(named)) if named else None
    keys: list[ScopeKey] = []
    if decision.writes_case and decision.case is not None:
        before = ScopeKey.of(decision.old_case) if decision.old_case is not None else None
        keys = [k for k in (before, ScopeKey.of(decision.case)) if k is not None]
    # Everything that needs no sequence number happens before the stamp: from the stamp
    # to the commit every other writer waits on the clock, so that stretch stays short.
    client_store.advance_client(
        conn, request.client_id, envelope.id, storable(request.app_version), tx.now
    )
    tx.announce(ChangeEvent(None, tuple(dict.fromkeys(keys)), client_id=request.client_id))
    seq = tx.stamp()
    details = decision.details
    if decision.writes_case:
        assert decision.applied is not None and decision.case is not None
        applied, case, old = decision.applied, decision.case, decision.old_case
        if decision.numbers_case:
            # After the stamp, so that the year's counter is locked only this briefly.
            year = local_date(tx.now).year
            number = format_case_number(year, case_store.next_case_number(conn, year))
            case = replace(case, number=number)
            details = {**details, "case_number": number}
        if old is None:
            case_store.insert_case(conn, case, seq)
        else:
            case_store.update_case(conn, case, seq)
        if applied.note is not None:
            case_store.insert_note(conn, applied.note, seq)
        if applied.call is not None:
            case_store.insert_call(conn, applied.call, seq)
        case_store.insert_timeline(conn, applied.timeline, seq)
        for conflict in decision.conflicts:
            case_store.save_conflict(conn, conflict, seq)
        if applied.resolved_conflict is not None:
            case_store.save_conflict(conn, applied.resolved_conflict, seq)
        if citizen is not None and case.citizen_id == citizen.id:
            case_store.save_citizen(conn, citizen, seq)
        before = ScopeKey.of(old) if old is not None else None
        case_store.log_change(conn, seq, case.id, before, ScopeKey.of(case))
    result = MutationResult(
        id=envelope.id,
        status=decision.result_status,  # type: ignore[arg-type]
        code=decision.code,
        details=details,
    )
    client_store.save_result(conn, request.client_id, result, storable(envelope.name), seq, tx.now)
    audit.record(
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
            seq=seq,
            address=address,
            details={
                "client_time": envelope.client_time,
                **decision.audit_details,
                **({"refusal": details} if result.status != "applied" else {}),
            },
        ),
    )
    return result
