"""Stamping a transaction's rows with its sequence number in one statement.

From the moment a transaction takes its number to its commit, every other writer waits on the
clock row. So the rows are written first with the PENDING number, and the last statement
before the commit takes the number, records the commit and gives it to all of them: on
PostgreSQL one statement (data-modifying CTEs), on SQLite (where a writer has the database to
itself anyway) one per table.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    String,
    Table,
    any_,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from central.data.clock import TAKE_SEQ, high_water, record_commit, take_seq
from central.data.engine import write_transaction
from central.data.tables import (
    UtcDateTime,
    audit_log,
    calls,
    case_changes,
    cases,
    citizens,
    commits,
    conflicts,
    mutation_results,
    notes,
    timeline,
)
from central.settings import SequenceMode

PENDING = -1  # the number of rows written before their transaction is stamped

# The tables whose rows carry the number, and the column that names a transaction's rows.
STAMPED: dict[str, tuple[Table, Column[Any]]] = {
    "cases": (cases, cases.c.id),
    "notes": (notes, notes.c.id),
    "calls": (calls, calls.c.id),
    "timeline": (timeline, timeline.c.id),
    "conflicts": (conflicts, conflicts.c.id),
    "citizens": (citizens, citizens.c.id),
    "case_changes": (case_changes, case_changes.c.case_id),
    "mutation_results": (mutation_results, mutation_results.c.client_id),
    "audit_log": (audit_log, audit_log.c.id),
}
_INTEGER_KEYS = frozenset({"timeline", "audit_log"})


def _ids_param(name: str) -> Any:
    element = BigInteger() if name in _INTEGER_KEYS else String()
    return bindparam(f"ids_{name}", type_=ARRAY(element))


@cache
def _postgresql_statement(names: tuple[str, ...]) -> Any:
    taken = TAKE_SEQ.cte("taken")
    number = select(taken.c.seq).scalar_subquery()
    stamps = []
    for name in names:
        table, key = STAMPED[name]
        stamps.append(
            update(table)
            .where(key == any_(_ids_param(name)), table.c.seq == PENDING)
            .values(seq=number)
            .cte(f"stamp_{name}")
        )
    return (
        insert(commits)
        .from_select(
            ["seq", "tag", "committed_at", "kind"],
            select(
                taken.c.seq,
                bindparam("tag", type_=String()),
                bindparam("committed_at", type_=UtcDateTime()),
                bindparam("kind", type_=String()),
            ),
        )
        .returning(commits.c.seq)
        .add_cte(*stamps)
    )


def stamp(
    conn: Connection,
    pending: Mapping[str, Sequence[Any]],
    kind: str,
    at: datetime,
    reserved: int | None = None,
) -> int:
    """Take the transaction's number (or use the `reserved` one), record the commit, and give
    the number to the PENDING rows named in `pending` (table name -> key values)."""
    names = tuple(sorted(n for n, ids in pending.items() if ids))
    if conn.dialect.name == "postgresql" and reserved is None:
        params: dict[str, Any] = {"tag": secrets.token_hex(8), "committed_at": at, "kind": kind}
        params.update({f"ids_{name}": list(pending[name]) for name in names})
        return int(conn.execute(_postgresql_statement(names), params).scalar_one())
    seq = reserved if reserved is not None else take_seq(conn)
    record_commit(conn, seq, kind, at)
    for name in names:
        table, key = STAMPED[name]
        conn.execute(
            update(table)
            .where(key.in_(bindparam("ids", expanding=True)), table.c.seq == PENDING)
            .values(seq=seq),
            {"ids": list(pending[name])},
        )
    return seq


class Sequencer:
    """Hands out sequence numbers the way the settings say (see SequenceMode)."""

    def __init__(self, engine: Engine, mode: SequenceMode) -> None:
        self._engine = engine
        self.mode = mode

    def reserve(self) -> int | None:
        """In PRECOMMIT_COUNTER mode, take a number now, in its own committed transaction."""
        if self.mode is not SequenceMode.PRECOMMIT_COUNTER:
            return None
        with write_transaction(self._engine) as conn:
            return take_seq(conn)

    def stamp(
        self,
        conn: Connection,
        reserved: int | None,
        pending: Mapping[str, Sequence[Any]],
        kind: str,
        at: datetime,
    ) -> int:
        """The transaction's number, given to its PENDING rows: the last statement before
        the commit."""
        return stamp(conn, pending, kind, at, reserved)

    def high_water(self, conn: Connection) -> int:
        return high_water(conn, self.mode)
