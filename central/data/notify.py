"""PostgreSQL NOTIFY, sent inside a write transaction (delivered only if it commits)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select


def notify(conn: Connection, channel: str, payload: str) -> None:
    conn.execute(select(func.pg_notify(channel, payload)))
