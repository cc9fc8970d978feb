"""Sync clients: their last applied mutation id, stored results, and crash counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from central.data.engine import is_postgresql
from central.data.tables import mutation_crashes, mutation_results, sync_clients
from central.wire import dumps_ascii
from sync.protocol import MutationResult

_CLIENT = select(sync_clients).where(sync_clients.c.client_id == bindparam("client_id"))
_ADVANCE = update(sync_clients).where(sync_clients.c.client_id == bindparam("b_client_id"))
_INSERT_RESULT = insert(mutation_results)
_RESULT = select(mutation_results).where(
    mutation_results.c.client_id == bindparam("client_id"),
    mutation_results.c.mutation_id == bindparam("mutation_id"),
)
_CLEAR_CRASHES = delete(mutation_crashes).where(
    mutation_crashes.c.client_id == bindparam("client_id"),
    mutation_crashes.c.mutation_id == bindparam("mutation_id"),
)


@dataclass(frozen=True, slots=True)
class ClientRow:
    client_id: str
    operator_id: str
    last_mutation_id: int


@cache
def _lock_statement(dialect: str) -> Any:
    # An upsert whose conflict branch rewrites the key: one statement that creates the row
    # on first push, locks it until the transaction ends, and returns it.
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(sync_clients)
    return stmt.on_conflict_do_update(
        index_elements=["client_id"], set_={"client_id": stmt.excluded.client_id}
    ).returning(
        sync_clients.c.client_id, sync_clients.c.operator_id, sync_clients.c.last_mutation_id
    )


def lock_client(
    conn: Connection, client_id: str, operator_id: str, app_version: str, now: datetime
) -> ClientRow:
    """The client's row, created on first push and locked until the transaction ends, so the
    pushes of one client apply strictly one after the other."""
    row = conn.execute(
        _lock_statement(conn.dialect.name),
        {
            "client_id": client_id,
            "operator_id": operator_id,
            "last_mutation_id": 0,
            "app_version": app_version[:100],
            "created_at": now,
        },
    ).one()
    return ClientRow(row.client_id, row.operator_id, row.last_mutation_id)


def client_state(conn: Connection, client_id: str) -> ClientRow | None:
    row = conn.execute(_CLIENT, {"client_id": client_id}).first()
    return None if row is None else ClientRow(row.client_id, row.operator_id, row.last_mutation_id)


def advance_client(
    conn: Connection, client_id: str, mutation_id: int, app_version: str, now: datetime
) -> None:
    conn.execute(
        _ADVANCE,
        {
            "b_client_id": client_id,
            "last_mutation_id": mutation_id,
            "last_push_at": now,
            "app_version": app_version[:100],
        },
    )


def save_result(
    conn: Connection,
    client_id: str,
    result: MutationResult,
    name: str,
    seq: int,
    now: datetime,
) -> None:
    conn.execute(
        _INSERT_RESULT,
        {
            "client_id": client_id,
            "mutation_id": result.id,
            "seq": seq,
            "name": name[:64],
            "status": result.status,
            "code": result.code,
            "details": dumps_ascii(result.details),
            "recorded_at": now,
        },
    )


def _result(row: Any) -> MutationResult:
    return MutationResult(
        id=row.mutation_id, status=row.status, code=row.code, details=json.loads(row.details)
    )


def stored_result(conn: Connection, client_id: str, mutation_id: int) -> MutationResult | None:
    row = conn.execute(_RESULT, {"client_id": client_id, "mutation_id": mutation_id}).first()
    return None if row is None else _result(row)


def results_between(
    conn: Connection, client_id: str, since: int, upto: int
) -> list[MutationResult]:
    """The client's results recorded by transactions in (since, upto]."""
    stmt = (
        select(mutation_results)
        .where(
            mutation_results.c.client_id == client_id,
            mutation_results.c.seq > since,
            mutation_results.c.seq <= upto,
        )
        .order_by(mutation_results.c.mutation_id)
    )
    return [_result(row) for row in conn.execute(stmt)]


def recent_results(conn: Connection, client_id: str, limit: int) -> list[MutationResult]:
    """The client's last `limit` results, oldest first (sent with a first-sync page)."""
    stmt = (
        select(mutation_results)
        .where(mutation_results.c.client_id == client_id)
        .order_by(mutation_results.c.mutation_id.desc())
        .limit(limit)
    )
    return [_result(row) for row in reversed(conn.execute(stmt).all())]


def count_crash(
    conn: Connection, client_id: str, mutation_id: int, error: str, now: datetime
) -> int:
    """Count one more crash of the mutation; returns the total so far."""
    dialect_insert = pg_insert if is_postgresql(conn) else sqlite_insert
    stmt = dialect_insert(mutation_crashes).values(
        client_id=client_id,
        mutation_id=mutation_id,
        crashes=1,
        last_error=error[:2000],
        last_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["client_id", "mutation_id"],
        set_={
            "crashes": mutation_crashes.c.crashes + 1,
            "last_error": stmt.excluded.last_error,
            "last_at": stmt.excluded.last_at,
        },
    ).returning(mutation_crashes.c.crashes)
    return int(conn.execute(stmt).scalar_one())
