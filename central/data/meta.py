"""Server-wide values kept in `server_meta`: the epoch, the cursor key, the retention horizon."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, Engine, bindparam, select

from central.data.engine import upsert, write_transaction
from central.data.tables import server_meta

EPOCH = "epoch"
CURSOR_SECRET = "cursor_secret"
RETAINED_FROM_SEQ = "retained_from_seq"  # change-log rows at or below this were pruned
DEMO_SEEDED = "demo_seeded"
REFERENCE_SEEDED = "reference_seeded"
RULES_VERSION = "rules_version"  # seq of the last change to deadline rules or holidays


_GET = select(server_meta.c.value).where(server_meta.c.key == bindparam("key"))


def get(conn: Connection, key: str) -> str | None:
    return conn.execute(_GET, {"key": key}).scalar()


def put(conn: Connection, key: str, value: str) -> None:
    upsert(conn, server_meta, {"key": key, "value": value}, ["key"])


def get_int(conn: Connection, key: str, default: int = 0) -> int:
    value = get(conn, key)
    return default if value is None else int(value)


def bump_epoch(conn: Connection) -> int:
    """Increment the epoch: every cursor issued before becomes `epoch_changed`."""
    epoch = get_int(conn, EPOCH, 1) + 1
    put(conn, EPOCH, str(epoch))
    return epoch


def cursor_secret(engine: Engine, configured: str) -> bytes:
    """The configured key, else the one stored in the database, generated on first start.
    Insert-if-absent then read, so processes starting together agree on one key."""
    if configured:
        return configured.encode()
    with write_transaction(engine) as conn:
        upsert(
            conn,
            server_meta,
            {"key": CURSOR_SECRET, "value": secrets.token_urlsafe(48)},
            ["key"],
            update=[],
        )
        value = get(conn, CURSOR_SECRET)
    assert value is not None
    return value.encode()
