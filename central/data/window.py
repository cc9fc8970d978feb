"""Everything a pull or a poke checks before reading changes, in one round trip: the clock,
its commit tag, the epoch, the retention horizon, the client's row and the cursor's tag."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from central.data import meta
from central.data.clock import CLOCK_ROW
from central.data.tables import (
    centres,
    commits,
    operators,
    reference_items,
    server_meta,
    sync_clients,
    sync_clock,
    teams,
)
from central.settings import SequenceMode


@dataclass(frozen=True, slots=True)
class SyncWindow:
    high: int  # changes at or below it have all committed (read first, in the same snapshot)
    high_tag: str
    epoch: int
    retained_from: int
    client_operator: str | None
    last_mutation_id: int
    cursor_tag: str | None  # the tag recorded for the cursor's number, if it exists
    reference_high: int  # the newest write to directory or reference data


def _meta(key: str) -> Any:
    return select(server_meta.c.value).where(server_meta.c.key == key).scalar_subquery()


@cache
def _statement(mode: SequenceMode) -> Select[Any]:
    if mode is SequenceMode.PRECOMMIT_COUNTER:
        # What a reader of a bigserial does: the largest number it can see. Wrong on purpose.
        high = select(func.coalesce(func.max(commits.c.seq), 0)).scalar_subquery()
    else:
        high = select(sync_clock.c.seq).where(sync_clock.c.id == CLOCK_ROW).scalar_subquery()
    client = sync_clients.c
    return select(
        high.label("high"),
        select(commits.c.tag).where(commits.c.seq == high).scalar_subquery().label("high_tag"),
        _meta(meta.EPOCH).label("epoch"),
        _meta(meta.RETAINED_FROM_SEQ).label("retained_from"),
        select(client.operator_id)
        .where(client.client_id == bindparam("client_id"))
        .scalar_subquery()
        .label("client_operator"),
        select(client.last_mutation_id)
        .where(client.client_id == bindparam("client_id"))
        .scalar_subquery()
        .label("last_mutation_id"),
        select(commits.c.tag)
        .where(commits.c.seq == bindparam("cursor_seq"))
        .scalar_subquery()
        .label("cursor_tag"),
        *(
            select(func.max(table.c.seq)).scalar_subquery().label(f"ref_{table.name}")
            for table in (centres, teams, operators, reference_items)
        ),
    )


def sync_window(
    conn: Connection, mode: SequenceMode, client_id: str, cursor_seq: int | None
) -> SyncWindow:
    row = conn.execute(
        _statement(mode), {"client_id": client_id, "cursor_seq": cursor_seq or -1}
    ).one()
    return SyncWindow(
        high=int(row.high),
        high_tag=row.high_tag or "",
        epoch=int(row.epoch or 1),
        retained_from=int(row.retained_from or 0),
        client_operator=row.client_operator,
        last_mutation_id=int(row.last_mutation_id or 0),
        cursor_tag=row.cursor_tag,
        reference_high=max(
            row.ref_centres or 0,
            row.ref_teams or 0,
            row.ref_operators or 0,
            row.ref_reference_items or 0,
        ),
    )
