"""Pulled pages as the central service sends them, checked before anything is applied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from typing import Any

from operator_app.domain.model import CaseType, Channel, Priority, Status
from operator_app.domain.records import RECORD_TYPES as DOMAIN_RECORDS
from operator_app.store.errors import PageError
from operator_app.store.outbox import MutationResult

CHILD_TABLES: dict[str, str] = {
    "note": "srv_note",
    "call": "srv_call",
    "timeline": "srv_timeline",
    "conflict": "srv_conflict",
}
REFERENCE_TYPES = frozenset(
    {"centre", "team", "operator", "category", "agency", "admin_unit", "holiday", "deadline_rule"}
)
RECORD_TYPES = frozenset({"case", "citizen"}) | CHILD_TABLES.keys() | REFERENCE_TYPES
_RESULT_STATUSES = frozenset({"applied", "rejected", "conflict"})

# What a domain record cannot lack: checked for every put before any chunk is committed, so a
# malformed record refuses the whole page instead of failing half-way through it. (A full
# parse costs ~95 µs a case; this costs a few.)
_REQUIRED: dict[str, frozenset[str]] = {
    name: frozenset(
        f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
    )
    for name, cls in DOMAIN_RECORDS.items()
}
_CASE_CODES: dict[str, frozenset[str]] = {
    "channel": frozenset(Channel),
    "type": frozenset(CaseType),
    "status": frozenset(Status),
    "priority": frozenset(Priority),
}


@dataclass(frozen=True, slots=True)
class Page:
    """One pull response. `ops` stay the plain dicts the sync engine parsed (checked here)."""

    cursor: str
    has_more: bool
    last_mutation_id: int
    server_time: datetime | None
    ops: Sequence[Mapping[str, Any]]
    results: tuple[MutationResult, ...]


def _fail(message: str) -> PageError:
    return PageError(f"malformed page: {message}")


def _check_op(index: int, op: object) -> None:
    # Ops are dicts from JSON: the exact type test spares an ABC check per op and record.
    if type(op) is not dict and not isinstance(op, Mapping):
        raise _fail(f"op {index} is not an object")
    kind, record_type, record_id = op.get("op"), op.get("type"), op.get("id")
    if type(record_type) is not str or record_type not in RECORD_TYPES:  # a list: unhashable
        raise _fail(f"op {index} has unknown type {str(record_type)[:40]!r}")
    if not isinstance(record_id, str) or not record_id:
        raise _fail(f"op {index} has no id")
    if kind == "remove":
        # Unused by the store, but the protocol's: the client checks ops only here.
        if not isinstance(op.get("reason"), str):
            raise _fail(f"op {index} has no reason")
        return
    if kind != "put":
        raise _fail(f"op {index} is neither put nor remove")
    version, data = op.get("version"), op.get("data")
    if type(version) is not int and (isinstance(version, bool) or not isinstance(version, int)):
        raise _fail(f"op {index} has no integer version")
    if type(data) is not dict and not isinstance(data, Mapping):
        raise _fail(f"op {index} has no data object")
    if record_type == "case" and data.get("id") != record_id:
        raise _fail(f"op {index}: case data id differs from the op id")
    if record_type in CHILD_TABLES and not isinstance(data.get("case_id"), str):
        raise _fail(f"op {index}: {record_type} data has no case_id")
    required = _REQUIRED.get(record_type)
    if required is not None and not data.keys() >= required:  # no new set when all is there
        missing = required - data.keys()
        raise _fail(f"op {index}: {record_type} data lacks {', '.join(sorted(missing))}")
    if record_type == "case":
        for name, codes in _CASE_CODES.items():
            if name in data and data[name] not in codes:
                raise _fail(f"op {index}: case data has an unknown {name}")


def _result(index: int, raw: object) -> MutationResult:
    if not isinstance(raw, Mapping):
        raise _fail(f"mutation result {index} is not an object")
    mid, status = raw.get("id"), raw.get("status")
    if isinstance(mid, bool) or not isinstance(mid, int) or status not in _RESULT_STATUSES:
        raise _fail(f"mutation result {index} has no id or a bad status")
    details = raw.get("details")
    code = raw.get("code")
    return MutationResult(
        mid,
        str(status),
        None if code is None else str(code),
        dict(details) if isinstance(details, Mapping) else {},
    )


def check_ops(ops: Sequence[object], start: int = 0, end: int | None = None) -> None:
    """Raise PageError for the first malformed op in `ops[start:end]`."""
    for index in range(start, len(ops) if end is None else min(end, len(ops))):
        _check_op(index, ops[index])


def parse_page(raw: Mapping[str, Any], *, check: bool = True) -> Page:
    """The page, or PageError naming the first problem (then nothing may be applied).

    `check=False` leaves the ops to `check_ops`, for a caller that checks them in slices."""
    if not isinstance(raw, Mapping):
        raise _fail("not an object")
    cursor = raw.get("cursor")
    if not isinstance(cursor, str) or not cursor:
        raise _fail("no cursor")
    last = raw.get("last_mutation_id", 0)
    if isinstance(last, bool) or not isinstance(last, int) or last < 0:
        raise _fail("bad last_mutation_id")
    ops = raw.get("ops", [])
    if not isinstance(ops, Sequence) or isinstance(ops, str | bytes):
        raise _fail("ops is not a list")
    if check:
        check_ops(ops)
    results = raw.get("mutation_results", [])
    if not isinstance(results, Sequence) or isinstance(results, str | bytes):
        raise _fail("mutation_results is not a list")
    server_time = raw.get("server_time")
    parsed_time: datetime | None = None
    if isinstance(server_time, str):
        try:
            parsed_time = datetime.fromisoformat(server_time)
        except ValueError as exc:
            raise _fail("bad server_time") from exc
    elif isinstance(server_time, datetime):
        parsed_time = server_time
    return Page(
        cursor,
        bool(raw.get("has_more", False)),
        last,
        parsed_time,
        ops,
        tuple(_result(i, r) for i, r in enumerate(results)),
    )
