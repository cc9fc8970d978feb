"""The audit log: every mutation's outcome, every refusal, every sign-in attempt."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from central.data.tables import audit_log
from central.wire import dumps_ascii

_INSERT = insert(audit_log).returning(audit_log.c.id)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    action: str
    status: str
    actor_id: str | None = None
    code: str | None = None
    case_id: str | None = None
    client_id: str | None = None
    mutation_id: int | None = None
    seq: int | None = None
    address: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def record(conn: Connection, entry: AuditEntry) -> int:
    """Append the entry; returns its id."""
    return conn.execute(
        _INSERT,
        {
            "at": entry.at,
            "action": entry.action[:64],
            "status": entry.status[:20],
            "actor_id": entry.actor_id,
            "code": entry.code,
            "case_id": entry.case_id[:100] if entry.case_id else None,
            "client_id": entry.client_id,
            "mutation_id": entry.mutation_id,
            "seq": entry.seq,
            "address": entry.address[:100] if entry.address else None,
            "details": dumps_ascii(entry.details),
        },
    ).scalar_one()


def entries_after(conn: Connection, after_id: int, limit: int) -> list[dict[str, Any]]:
    """Audit rows with id > after_id, oldest first (for auditors)."""
    stmt = select(audit_log).where(audit_log.c.id > after_id).order_by(audit_log.c.id).limit(limit)
    out = []
    for row in conn.execute(stmt):
        item = dict(row._mapping)
        item["at"] = row.at.isoformat()
        item["details"] = json.loads(row.details)
        out.append(item)
    return out
