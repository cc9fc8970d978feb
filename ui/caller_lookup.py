"""Who is calling: the callers the local cache knows by phone or registration number, with their
cases. Qt-free; `lookup_caller` runs on a reader thread."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from operator_app.store import CitizenMatch, QueueRow, Store

MAX_CALLERS = 10
MAX_CASES = 30


@dataclass(frozen=True, slots=True)
class CallerHistory:
    """Matching callers (best first) and the rows of their most recent cases."""

    callers: tuple[CitizenMatch, ...] = ()
    rows: Mapping[int, QueueRow] = field(default_factory=dict)
    from_registry: tuple[CitizenMatch, ...] = ()

    def cases_of(self, caller: CitizenMatch) -> list[QueueRow]:
        return [self.rows[rid] for rid in caller.case_rids[:MAX_CASES] if rid in self.rows]


def lookup_caller(
    store: Store,
    *,
    phone: str = "",
    reg_no: str = "",
    registry: Callable[[str], list[Mapping[str, Any]]] | None = None,
) -> CallerHistory:
    """The callers with this phone or registration number, and their cases (reader thread)."""
    callers: list[CitizenMatch] = []
    if reg_no.strip():
        callers += store.find_by_reg_no(reg_no, limit=MAX_CALLERS)
    if phone.strip():
        callers += store.find_by_phone(phone, limit=MAX_CALLERS)
    unique = list({(c.citizen_id, c.name, c.reg_no, c.phone): c for c in callers}.values())
    unique = unique[:MAX_CALLERS]
    rids = [rid for caller in unique for rid in caller.case_rids[:MAX_CASES]]
    rows = {row.rid: row for row in store.rows(rids)} if rids else {}
    found_elsewhere: tuple[CitizenMatch, ...] = ()
    if registry is not None and not unique:
        found_elsewhere = tuple(_registry_matches(registry(reg_no or phone)))
    return CallerHistory(tuple(unique), rows, found_elsewhere)


def _registry_matches(records: list[Mapping[str, Any]]) -> list[CitizenMatch]:
    return [
        CitizenMatch(
            citizen_id=str(r["id"]) if r.get("id") else None,
            name=str(r.get("name") or ""),
            reg_no=r.get("reg_no"),
            phone=r.get("phone"),
            address=str(r.get("address") or ""),
            location=r.get("location"),
            case_rids=(),
        )
        for r in records[:MAX_CALLERS]
    ]
