"""Everything the case view shows of one case, read in one go on a reader thread. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass

from operator_app.domain.model import Call, Case, ConflictState, FieldConflict, Note, TimelineEntry
from operator_app.store import InboxItem, OutboxEntry, QueueRow, Store


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    case: Case
    row: QueueRow | None  # the queue's view of it: deadline and sync state
    notes: tuple[Note, ...] = ()
    calls: tuple[Call, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    conflicts: tuple[FieldConflict, ...] = ()
    inbox: tuple[InboxItem, ...] = ()
    pending: tuple[OutboxEntry, ...] = ()

    @property
    def open_conflicts(self) -> tuple[FieldConflict, ...]:
        return tuple(c for c in self.conflicts if c.state is ConflictState.OPEN)

    @property
    def needs_decision(self) -> bool:
        return bool(self.open_conflicts or self.inbox)


def load_case(store: Store, case_id: str) -> CaseSnapshot | None:
    """The case and all that hangs off it; None when the cache no longer holds it."""
    case = store.case(case_id)
    if case is None:
        return None
    rid = store.rid_of(case_id)
    rows = store.rows([rid]) if rid is not None else []
    return CaseSnapshot(
        case=case,
        row=rows[0] if rows else None,
        notes=tuple(store.notes(case_id)),
        calls=tuple(store.calls(case_id)),
        timeline=tuple(store.timeline(case_id)),
        conflicts=tuple(store.conflicts(case_id)),
        inbox=tuple(item for item in store.inbox() if item.case_id == case_id),
        pending=tuple(entry for entry in store.pending() if entry.case_id == case_id),
    )


def case_rows_by_number(store: Store, text: str) -> list[QueueRow]:
    """The cases a typed permanent or provisional number names (for linking)."""
    rids = store.case_by_number(text)
    return store.rows(rids) if rids else []
