"""The server's sequence (SYNC.md, "The server's sequence") and the commit record per number.

Every write transaction ends with `UPDATE sync_clock SET seq = seq + 1 RETURNING seq`: the row
lock is held until commit, so sequence order is commit order, and a reader that first reads the
clock and then the rows at or below it never skips a change that commits late.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, select, update

from central.data.tables import commits, sync_clock
from central.settings import SequenceMode

CLOCK_ROW = 1

# Built once: these run in every write transaction and every pull.
TAKE_SEQ = (
    update(sync_clock)
    .where(sync_clock.c.id == CLOCK_ROW)
    .values(seq=sync_clock.c.seq + 1)
    .returning(sync_clock.c.seq)
)
_READ_CLOCK = select(sync_clock.c.seq).where(sync_clock.c.id == CLOCK_ROW)
_MAX_COMMIT = select(func.coalesce(func.max(commits.c.seq), 0))
_INSERT_COMMIT = insert(commits)
_COMMIT_TAG = select(commits.c.tag).where(commits.c.seq == bindparam("seq"))


def take_seq(conn: Connection) -> int:
    """The next number, locking the clock until this transaction ends."""
    return int(conn.execute(TAKE_SEQ).scalar_one())


def record_commit(conn: Connection, seq: int, kind: str, at: datetime) -> str:
    """Note the transaction's number with a random tag (restore detection, retention)."""
    tag = secrets.token_hex(8)
    conn.execute(_INSERT_COMMIT, {"seq": seq, "tag": tag, "committed_at": at, "kind": kind})
    return tag


def high_water(conn: Connection, mode: SequenceMode) -> int:
    """The highest number whose changes a reader may rely on having seen."""
    if mode is SequenceMode.PRECOMMIT_COUNTER:
        # What a reader of a bigserial does: the largest number it can see. Wrong on purpose.
        return int(conn.execute(_MAX_COMMIT).scalar_one())
    return int(conn.execute(_READ_CLOCK).scalar_one())


def commit_tag(conn: Connection, seq: int) -> str | None:
    """The tag recorded for `seq`; "" for 0 (the empty database); None if not retained."""
    if seq == 0:
        return ""
    return conn.execute(_COMMIT_TAG, {"seq": seq}).scalar_one_or_none()
