"""Sign-in sessions, their token hashes, and the failed-sign-in counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from central.data.engine import upsert
from central.data.tables import auth_sessions, auth_tokens, login_throttle, operators
from central.throttle import ThrottleState


@dataclass(frozen=True, slots=True)
class TokenRow:
    token_hash: str
    session_id: str
    kind: str
    expires_at: datetime
    used_at: datetime | None
    session_revoked: bool
    operator_id: str
    operator_disabled: bool
    operator: Row[Any]  # the account's row, read in the same query


_TOKEN = (
    select(
        auth_tokens.c.token_hash,
        auth_tokens.c.session_id,
        auth_tokens.c.kind,
        auth_tokens.c.expires_at,
        auth_tokens.c.used_at,
        auth_sessions.c.revoked_at,
        operators,
    )
    .join(auth_sessions, auth_sessions.c.id == auth_tokens.c.session_id)
    .join(operators, operators.c.id == auth_sessions.c.operator_id)
    .where(auth_tokens.c.token_hash == bindparam("token_hash"))
)
_LOCK_TOKEN = _TOKEN.with_for_update(of=auth_tokens)


def create_session(
    conn: Connection,
    session_id: str,
    operator_id: str,
    device_name: str,
    address: str,
    now: datetime,
) -> None:
    conn.execute(
        insert(auth_sessions).values(
            id=session_id,
            operator_id=operator_id,
            device_name=device_name[:100],
            address=address[:100],
            created_at=now,
        )
    )


def add_token(
    conn: Connection, token_hash: str, session_id: str, kind: str, now: datetime, expires: datetime
) -> None:
    conn.execute(
        insert(auth_tokens).values(
            token_hash=token_hash,
            session_id=session_id,
            kind=kind,
            created_at=now,
            expires_at=expires,
        )
    )


def find_token(conn: Connection, token_hash: str, *, lock: bool = False) -> TokenRow | None:
    row = conn.execute(_LOCK_TOKEN if lock else _TOKEN, {"token_hash": token_hash}).first()
    if row is None:
        return None
    return TokenRow(
        row.token_hash,
        row.session_id,
        row.kind,
        row.expires_at,
        row.used_at,
        row.revoked_at is not None,
        row.id,
        row.disabled,
        row,
    )


def mark_used(conn: Connection, token_hash: str, now: datetime) -> None:
    conn.execute(
        update(auth_tokens).where(auth_tokens.c.token_hash == token_hash).values(used_at=now)
    )


def revoke_session(conn: Connection, session_id: str, now: datetime) -> None:
    conn.execute(
        update(auth_sessions)
        .where(auth_sessions.c.id == session_id, auth_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_operator_sessions(conn: Connection, operator_id: str, now: datetime) -> None:
    conn.execute(
        update(auth_sessions)
        .where(auth_sessions.c.operator_id == operator_id, auth_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def prune_tokens(conn: Connection, before: datetime) -> int:
    """Forget tokens that expired before `before` (their sessions stay for the audit)."""
    return conn.execute(delete(auth_tokens).where(auth_tokens.c.expires_at < before)).rowcount


def throttle_state(conn: Connection, key: str, *, lock: bool = False) -> ThrottleState:
    stmt = select(login_throttle).where(login_throttle.c.key == key)
    if lock:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        return ThrottleState()
    return ThrottleState(row.failures, row.last_failure_at, row.locked_until)


def save_throttle(conn: Connection, key: str, state: ThrottleState) -> None:
    if state.failures == 0 or state.last_failure_at is None:
        conn.execute(delete(login_throttle).where(login_throttle.c.key == key))
        return
    upsert(
        conn,
        login_throttle,
        {
            "key": key,
            "failures": state.failures,
            "last_failure_at": state.last_failure_at,
            "locked_until": state.locked_until,
        },
        ["key"],
    )
