"""The outbox: pending mutations in order, their 30-day archive, results and the inbox."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from operator_app.domain.errors import FieldError
from operator_app.domain.model import Actor, Role
from operator_app.domain.mutations import MutationArgs, parse_mutation, to_json

# Version of the arguments' wire form, sent with every mutation.
MUTATION_VERSION = 1
ARCHIVE_DAYS = 30
_COLUMNS = "id, name, v, args, actor, client_time, case_id"


def actor_to_json(actor: Actor) -> dict[str, Any]:
    return {
        "id": actor.id,
        "role": actor.role.value,
        "centres": sorted(actor.centres),
        "teams": sorted(actor.teams),
        "primary_team": actor.primary_team,
    }


def actor_from_json(data: Mapping[str, Any]) -> Actor:
    return Actor(
        id=str(data["id"]),
        role=Role(data["role"]),
        centres=frozenset(data.get("centres") or ()),
        teams=frozenset(data.get("teams") or ()),
        primary_team=data.get("primary_team"),
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One mutation as queued: its id (1, 2, 3... per client), intent and who made it."""

    id: int
    name: str
    v: int
    args: dict[str, Any]  # the wire form
    actor: Actor
    client_time: datetime
    case_id: str

    def mutation(self) -> MutationArgs:
        """The typed arguments (they were valid when queued, so a failure here is a bug)."""
        parsed = parse_mutation(self.name, self.args)
        if isinstance(parsed, FieldError):
            raise ValueError(f"outbox entry {self.id} no longer parses: {parsed}")
        return parsed

    def wire(self) -> dict[str, Any]:
        """The mutation as `POST /sync/push` carries it."""
        return {
            "id": self.id,
            "name": self.name,
            "v": self.v,
            "args": self.args,
            "client_time": self.client_time.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class MutationResult:
    """The server's verdict on one mutation."""

    id: int
    status: str  # applied | rejected | conflict
    code: str | None = None
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A rejected or conflicting mutation waiting for a person."""

    mutation_id: int
    case_id: str
    name: str
    args: dict[str, Any]
    status: str
    code: str | None
    details: dict[str, Any]
    received_at: datetime


class MutationState(StrEnum):
    """Where a queued mutation stands with the server, as this cache last heard."""

    PENDING = "pending"  # in the outbox, no verdict yet
    APPLIED = "applied"
    CONFLICT = "conflict"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class MutationStatus:
    """One mutation's current sync status, with the server's code and details for a conflict
    or a rejection; `dismissed` once a person took it off the inbox (the verdict stands)."""

    id: int
    state: MutationState
    code: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    dismissed: bool = False


_VERDICTS = {
    "applied": MutationState.APPLIED,
    "acknowledged": MutationState.APPLIED,  # archived without a stored result: it went through
    "conflict": MutationState.CONFLICT,
    "rejected": MutationState.REJECTED,
}


def mutation_statuses(
    conn: sqlite3.Connection, mutation_ids: Iterable[int]
) -> dict[int, MutationStatus]:
    """The current status of each given mutation, from the results, the inbox (dismissed items
    included), the archive and the outbox; ids this cache no longer knows are left out."""
    wanted = sorted(set(mutation_ids))
    out: dict[int, MutationStatus] = {}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        marks = ",".join("?" * len(batch))
        queued = {
            mid for (mid,) in conn.execute(f"SELECT id FROM outbox WHERE id IN ({marks})", batch)
        }
        archived = dict(
            conn.execute(f"SELECT id, status FROM outbox_archive WHERE id IN ({marks})", batch)
        )
        results = {
            mid: (status, code, details)
            for mid, status, code, details in conn.execute(
                f"SELECT id, status, code, details FROM mutation_result WHERE id IN ({marks})",
                batch,
            )
        }
        inbox_rows = {
            mid: (status, code, details, dismissed_at is not None)
            for mid, status, code, details, dismissed_at in conn.execute(
                "SELECT mutation_id, status, code, details, dismissed_at FROM inbox"
                f" WHERE mutation_id IN ({marks})",
                batch,
            )
        }
        for mid in batch:
            item = inbox_rows.get(mid)
            dismissed = item is not None and item[3]
            verdict = results.get(mid) or (item[:3] if item is not None else None)
            if verdict is not None and verdict[0] in _VERDICTS:
                status, code, details = verdict
                out[mid] = MutationStatus(
                    mid, _VERDICTS[status], code, json.loads(details), dismissed
                )
            elif mid in archived and archived[mid] in _VERDICTS:
                out[mid] = MutationStatus(mid, _VERDICTS[archived[mid]], dismissed=dismissed)
            elif mid in queued:
                out[mid] = MutationStatus(mid, MutationState.PENDING)
    return out


def entry_for(
    mutation_id: int,
    args: MutationArgs,
    actor: Actor,
    now: datetime,
    wire: dict[str, Any] | None = None,
) -> OutboxEntry:
    """The outbox entry of a mutation; `wire` is its to_json form if the caller has it."""
    return OutboxEntry(
        mutation_id,
        args.NAME,
        MUTATION_VERSION,
        to_json(args) if wire is None else wire,
        actor,
        now,
        args.case_id,
    )


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    mid, name, v, args, actor, client_time, case_id = row
    return OutboxEntry(
        mid,
        name,
        v,
        json.loads(args),
        actor_from_json(json.loads(actor)),
        datetime.fromisoformat(client_time),
        case_id,
    )


def insert(conn: sqlite3.Connection, entry: OutboxEntry) -> None:
    conn.execute(
        f"INSERT INTO outbox({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            entry.id,
            entry.name,
            entry.v,
            _dumps(entry.args),
            _dumps(actor_to_json(entry.actor)),
            entry.client_time.isoformat(),
            entry.case_id,
        ),
    )


def pending(
    conn: sqlite3.Connection, limit: int | None = None, *, case_id: str | None = None
) -> list[OutboxEntry]:
    """Pending mutations in id order (all, or one case's)."""
    sql = f"SELECT {_COLUMNS} FROM outbox"
    params: list[Any] = []
    if case_id is not None:
        sql += " WHERE case_id = ?"
        params.append(case_id)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_entry(row) for row in conn.execute(sql, params)]


def archived(conn: sqlite3.Connection, after_id: int = 0) -> list[OutboxEntry]:
    """Acknowledged mutations still in the archive, for re-sending after a server restore."""
    return [
        _entry(row)
        for row in conn.execute(
            f"SELECT {_COLUMNS} FROM outbox_archive WHERE id > ? ORDER BY id", (after_id,)
        )
    ]


def pending_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT case_id, count(*) FROM outbox GROUP BY case_id").fetchall())


def store_results(
    conn: sqlite3.Connection, results: Iterable[MutationResult], received_at: str
) -> set[str]:
    """Record results; rejections and conflicts enter the inbox. Returns their case ids."""
    inbox_cases: set[str] = set()
    for result in results:
        details = _dumps(dict(result.details or {}))
        conn.execute(
            "INSERT INTO mutation_result(id, status, code, details, received_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status,"
            " code = excluded.code, details = excluded.details",
            (result.id, result.status, result.code, details, received_at),
        )
        if result.status == "applied":
            continue
        source = conn.execute(
            "SELECT case_id, name, args FROM outbox WHERE id = ?"
            " UNION ALL SELECT case_id, name, args FROM outbox_archive WHERE id = ?",
            (result.id, result.id),
        ).fetchone()
        if source is None:
            continue  # a result for a mutation this cache never had (salvaged or re-sent)
        conn.execute(
            "INSERT INTO inbox(mutation_id, case_id, name, args, status, code, details,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(mutation_id) DO NOTHING",
            (result.id, *source, result.status, result.code, details, received_at),
        )
        inbox_cases.add(source[0])
    return inbox_cases


def archive_upto(conn: sqlite3.Connection, last_id: int, acked_at: str) -> list[str]:
    """Move acknowledged mutations (id <= last_id) to the archive; their case ids, in order."""
    cases = [
        case_id
        for (case_id,) in conn.execute(
            "SELECT case_id FROM outbox WHERE id <= ? ORDER BY id", (last_id,)
        )
    ]
    if not cases:
        return []
    conn.execute(
        f"INSERT OR REPLACE INTO outbox_archive({_COLUMNS}, status, acked_at)"
        f" SELECT {', '.join('o.' + c.strip() for c in _COLUMNS.split(','))},"
        " COALESCE(r.status, 'acknowledged'), ?"
        " FROM outbox o LEFT JOIN mutation_result r ON r.id = o.id WHERE o.id <= ?",
        (acked_at, last_id),
    )
    conn.execute("DELETE FROM outbox WHERE id <= ?", (last_id,))
    return cases


def purge_archive(conn: sqlite3.Connection, before: str) -> None:
    """Forget acknowledged mutations older than `before`, unless a person still has to act."""
    waiting = "SELECT mutation_id FROM inbox WHERE dismissed_at IS NULL"
    conn.execute(
        f"DELETE FROM outbox_archive WHERE acked_at < ? AND id NOT IN ({waiting})", (before,)
    )
    conn.execute(
        f"DELETE FROM mutation_result WHERE received_at < ? AND id NOT IN ({waiting})",
        (before,),
    )


def inbox(conn: sqlite3.Connection, *, include_dismissed: bool = False) -> list[InboxItem]:
    sql = "SELECT mutation_id, case_id, name, args, status, code, details, received_at FROM inbox"
    if not include_dismissed:
        sql += " WHERE dismissed_at IS NULL"
    return [
        InboxItem(
            mid,
            case_id,
            name,
            json.loads(args),
            status,
            code,
            json.loads(details),
            datetime.fromisoformat(received),
        )
        for mid, case_id, name, args, status, code, details, received in conn.execute(
            sql + " ORDER BY mutation_id"
        )
    ]


def inbox_states(conn: sqlite3.Connection, case_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Per case with undismissed inbox items: "conflict" if any is one, else "rejected"."""
    sql = "SELECT case_id, status FROM inbox WHERE dismissed_at IS NULL"
    params: list[str] = []
    if case_ids is not None:
        params = list(case_ids)
        sql += f" AND case_id IN ({','.join('?' * len(params))})"
    states: dict[str, str] = {}
    for case_id, status in conn.execute(sql, params):
        if states.get(case_id) != "conflict":
            states[case_id] = "conflict" if status == "conflict" else "rejected"
    return states
