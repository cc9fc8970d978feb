"""The desk's place in the sync stream: one typed record over a key/value table."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the sync engine keeps between runs. `last_mutation_id` is the server's word."""

    client_id: str
    cursor: str | None = None
    epoch: str | None = None
    clock_offset_s: float = 0.0
    last_push_at: datetime | None = None
    last_pull_at: datetime | None = None
    server_time: datetime | None = None
    last_mutation_id: int = 0
    next_mutation_id: int = 1
    provisional_counter: int = 0


# Fields the sync engine may set directly; the rest move only with the store's own writes.
SETTABLE = frozenset(
    {"cursor", "epoch", "clock_offset_s", "last_push_at", "last_pull_at", "server_time"}
)
_DATETIMES = frozenset({"last_push_at", "last_pull_at", "server_time"})
_NAMES = tuple(f.name for f in fields(SyncState))


def _decode(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATETIMES:
        return datetime.fromisoformat(value)
    if name == "clock_offset_s":
        return float(value)
    if name in ("last_mutation_id", "next_mutation_id", "provisional_counter"):
        return int(value)
    return str(value)


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def load(conn: sqlite3.Connection) -> SyncState:
    """The stored state; a client id is made the first time (once per cache)."""
    stored = dict(conn.execute("SELECT key, value FROM sync_state").fetchall())
    if "client_id" not in stored:
        return SyncState(client_id="")
    values = {name: _decode(name, stored[name]) for name in _NAMES if name in stored}
    return SyncState(**values)


def save(conn: sqlite3.Connection, state: SyncState) -> None:
    """Write every field (inside the caller's transaction)."""
    conn.executemany(
        "INSERT INTO sync_state(key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [(name, _encode(getattr(state, name))) for name in _NAMES],
    )


def ensure_client_id(conn: sqlite3.Connection) -> SyncState:
    """The state, with a client id generated and saved if there was none."""
    state = load(conn)
    if not state.client_id:
        state = replace(state, client_id=str(uuid.uuid4()))
        save(conn, state)
    return state


def with_changes(state: SyncState, changes: dict[str, Any]) -> SyncState:
    """`state` with the sync engine's changes; unknown or store-owned fields are refused."""
    refused = set(changes) - SETTABLE
    if refused:
        raise ValueError(f"not settable by the sync engine: {', '.join(sorted(refused))}")
    return replace(state, **changes)


def save_fields(conn: sqlite3.Connection, **values: Any) -> None:
    """Write some fields (inside the caller's transaction)."""
    unknown = set(values) - set(_NAMES)
    if unknown:
        raise ValueError(f"unknown sync state fields: {', '.join(sorted(unknown))}")
    conn.executemany(
        "INSERT INTO sync_state(key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [(name, _encode(value)) for name, value in values.items()],
    )
