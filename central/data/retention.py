"""Change-log retention: forget changes older than the horizon (cursors before it expire)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from central.data import meta
from central.data.tables import (
    case_changes,
    commits,
    mutation_crashes,
    mutation_results,
    reference_items,
    sync_clients,
)


def prune_before(conn: Connection, before: datetime) -> int:
    """Drop change-log rows of transactions committed before `before`; returns the new
    horizon (cursors below it get `cursor_expired`). The commit row at the horizon is kept,
    so a cursor exactly there can still be checked."""
    horizon = conn.execute(
        select(func.max(commits.c.seq)).where(commits.c.committed_at < before)
    ).scalar()
    current = meta.get_int(conn, meta.RETAINED_FROM_SEQ, 0)
    if horizon is None or horizon <= current:
        return current
    conn.execute(delete(case_changes).where(case_changes.c.seq <= horizon))
    conn.execute(delete(mutation_results).where(mutation_results.c.seq <= horizon))
    conn.execute(delete(commits).where(commits.c.seq < horizon))
    conn.execute(
        delete(reference_items).where(
            reference_items.c.deleted.is_(True), reference_items.c.seq <= horizon
        )
    )
    meta.put(conn, meta.RETAINED_FROM_SEQ, str(horizon))
    return int(horizon)


def prune_settled_crashes(conn: Connection) -> int:
    """Forget crash counts of mutations that have since been applied or retired."""
    settled = (
        select(sync_clients.c.last_mutation_id)
        .where(sync_clients.c.client_id == mutation_crashes.c.client_id)
        .scalar_subquery()
    )
    return conn.execute(
        delete(mutation_crashes).where(mutation_crashes.c.mutation_id <= settled)
    ).rowcount
